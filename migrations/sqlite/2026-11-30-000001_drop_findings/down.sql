-- Restores the (empty) findings table of schema v1.
CREATE TABLE findings (
    assessment_id TEXT NOT NULL REFERENCES assessments(id),
    seq INTEGER NOT NULL,
    indicator TEXT NOT NULL,
    dimension TEXT NOT NULL,
    severity TEXT NOT NULL,
    points DOUBLE NOT NULL,
    title TEXT NOT NULL,
    explanation TEXT NOT NULL,
    evidence_json TEXT NOT NULL,
    PRIMARY KEY (assessment_id, seq)
);
