//! Free-text notes read for indicator phrases (methodology 2, evidence rules): each phrase found
//! gives a medium "reported, unverified" finding on its indicator, citing the notes cell. The
//! phrase lists are data (`data/note_phrases.csv`).

use super::child::REPORTED;
use super::evidence::{field, finding};
use super::refdata;
use crate::domain::{Dimension, Finding, Severity, SupplierRecord};

/// Findings from the supplier's notes, one per indicator.
pub fn note_findings(s: &SupplierRecord) -> Vec<Finding> {
    let Some(notes) = s.fields.notes.as_deref().filter(|n| !n.trim().is_empty()) else {
        return Vec::new();
    };
    refdata::note_phrases(notes)
        .into_iter()
        .map(|hit| {
            let words = hit.indicator.replace('_', " ");
            // A child seen at work in a note is reported, not established: it gets its own id
            // so the child-labour rules for established facts do not fire on it.
            let indicator = if hit.dimension == Dimension::ChildLabour { REPORTED } else { hit.indicator.as_str() };
            let mut f = finding(
                indicator,
                hit.dimension,
                Severity::Medium,
                format!("Reported in notes: {words}"),
                format!(
                    "Reported, unverified: the supplier's notes mention '{}' ({}), an indicator of risk of {words}. \
                     Verify it with documents or worker interviews.",
                    hit.phrase, hit.language
                ),
                vec![field(s, "notes", notes)],
            );
            f.points = 12.0;
            f
        })
        .collect()
}
