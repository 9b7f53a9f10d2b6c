-- Nothing to restore: the dropped replays held secrets.
SELECT 1;
