-- Replays of key creation were stored sealed, holding the plain key; they are now stored without
-- it. The sealed rows (their Idempotency-Key hashed to `sealed:<hex>`) are dropped.
DELETE FROM idempotency_keys WHERE idem_key LIKE 'sealed:%';
