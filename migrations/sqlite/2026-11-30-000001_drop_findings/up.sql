-- Findings live in the assessment body (assessments.body_json), which every reader uses; the
-- separate findings table was written on every assessment and never read (10 rows an
-- assessment: half the bytes of a large upload).
DROP TABLE findings;
