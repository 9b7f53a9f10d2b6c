//! Building findings and their evidence: supplier fields cite the upload cell (or the API field),
//! reference rows cite file + edition + key.

use crate::domain::{Dimension, Evidence, EvidenceSource, Finding, Severity, SupplierRecord};
use crate::reference;

/// Points of a finding by severity (the within-tier position of scores comes from points).
pub fn points(severity: Severity) -> f64 {
    match severity {
        Severity::High => 30.0,
        Severity::Medium => 15.0,
        Severity::Low => 5.0,
    }
}

/// Evidence for one canonical field of a supplier: the upload cell when the value came from an
/// upload (column = the header as written, value = the raw cell), else the API field.
pub fn field(s: &SupplierRecord, name: &str, value: impl Into<String>) -> Evidence {
    let src = &s.source;
    let value = src.raw.get(name).map(str::to_string).unwrap_or_else(|| value.into());
    match &src.upload_id {
        Some(id) => Evidence {
            upload_id: Some(id.clone()),
            filename: src.filename.clone(),
            row: src.row,
            column: Some(src.columns.get(name).cloned().unwrap_or_else(|| name.to_string())),
            ..Evidence::new(EvidenceSource::Upload, value)
        },
        None => Evidence { column: Some(name.to_string()), ..Evidence::new(EvidenceSource::Api, value) },
    }
}

/// Evidence for a reference row.
pub fn reference_row(file: &str, key: impl Into<String>, value: impl Into<String>) -> Evidence {
    Evidence {
        file: Some(file.to_string()),
        edition: Some(reference::edition(file)),
        key: Some(key.into()),
        ..Evidence::new(EvidenceSource::Reference, value)
    }
}

/// A finding with the standard points of its severity.
pub fn finding(
    indicator: &str,
    dimension: Dimension,
    severity: Severity,
    title: impl Into<String>,
    explanation: impl Into<String>,
    evidence: Vec<Evidence>,
) -> Finding {
    Finding {
        indicator: indicator.to_string(),
        dimension,
        severity,
        points: points(severity),
        title: title.into(),
        explanation: explanation.into(),
        evidence,
    }
}

/// A share as a fraction 0–1: values above 1 are read as percentages (35 → 0.35).
pub fn fraction(v: f64) -> f64 {
    if !v.is_finite() || v < 0.0 {
        0.0
    } else if v > 1.0 {
        v / 100.0
    } else {
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_evidence_cites_cell_and_api_evidence_cites_field() {
        let mut s = SupplierRecord::default();
        s.source.upload_id = Some("up1".into());
        s.source.filename = Some("acme.xlsx".into());
        s.source.row = Some(12);
        std::sync::Arc::make_mut(&mut s.source.columns)
            .insert("passports_held_by_employer".into(), "Passports held".into());
        s.source.raw.insert("passports_held_by_employer", "Y");
        let e = field(&s, "passports_held_by_employer", "Yes");
        assert_eq!(e.describe(), "upload acme.xlsx, row 12, column 'Passports held' = Y");
        let api = field(&SupplierRecord::default(), "phone", "123");
        assert_eq!(api.source, EvidenceSource::Api);
        assert_eq!(api.column.as_deref(), Some("phone"));
        assert_eq!(fraction(35.0), 0.35);
        assert_eq!(fraction(0.35), 0.35);
    }
}
