//! The questionnaire appendix of the methodology (docs/QUESTIONNAIRES.md), generated from the
//! compiled-in definitions so that the document an auditor reads is the rules the engine runs.
//! A test fails when the file is out of date; `MANUMIT_WRITE_DOCS=1 cargo test` rewrites it.

use super::{Catalogue, When};
use crate::domain::Sector;
use std::fmt::Write;

fn when_text(w: &When) -> String {
    match w {
        When::Equals(v) => format!("= {v}"),
        When::In(vs) => format!("one of: {}", vs.join(" / ")),
        When::Range { gt, gte, lt, lte } => {
            let mut parts = Vec::new();
            if let Some(v) = gt {
                parts.push(format!("> {v}"));
            }
            if let Some(v) = gte {
                parts.push(format!("≥ {v}"));
            }
            if let Some(v) = lt {
                parts.push(format!("< {v}"));
            }
            if let Some(v) = lte {
                parts.push(format!("≤ {v}"));
            }
            parts.join(" and ")
        }
        When::WithinDays(d) => format!("within the last {d} days"),
    }
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The whole appendix as Markdown.
pub fn render(cat: &Catalogue) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Questionnaire indicators (generated)\n");
    let _ = writeln!(
        out,
        "Generated from `questionnaires/*.toml` by `src/questionnaire/doc.rs`; do not edit by hand. Each row is one\nrule: when a supplier's answer meets **When**, the engine records a finding on **Indicator** in **Dimension**\nwith **Severity** (high = the ILO's \"strong\" indicators). Required questions left blank or answered Unknown\nare recorded as `insufficient_evidence`, never read as \"no\". See METHODOLOGY.md §3 for how findings combine.\n\nOnly an answer that is itself an ILO indicator of involuntariness or of menace of penalty carries those\ndimensions, and one answer evidences one of the two elements at most. `context` raises exposure and is not\nevidence of coercion; `control` is a mitigating practice whose absence raises risk (its presence never\ncancels an indicator); `child_labour` follows ILO C138 and C182. **Note** says why, where a threshold or a\nclassification is Manumit's own choice rather than the ILO's wording.\n"
    );
    for sector in Sector::ALL {
        let q = cat.for_sector(*sector);
        let _ = writeln!(out, "## {} — `{}` {} ({} questions)\n", q.title, q.id, q.version, q.question_count());
        let _ = writeln!(out, "| Question | Text | Type | Required | Indicator | Dimension | When | Severity | Note |");
        let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|");
        for (_, question) in q.questions() {
            let ty = serde_json::to_value(question.answer_type)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            if question.indicators.is_empty() {
                let _ = writeln!(
                    out,
                    "| {} | {} | {ty} | {} | — | — | — | — | |",
                    question.id,
                    cell(&question.text),
                    if question.required { "yes" } else { "no" }
                );
            }
            for i in &question.indicators {
                let _ = writeln!(
                    out,
                    "| {} | {} | {ty} | {} | `{}` | {} | {} | {} | {} |",
                    question.id,
                    cell(&question.text),
                    if question.required { "yes" } else { "no" },
                    i.indicator,
                    i.dimension,
                    cell(&when_text(&i.when)),
                    i.severity,
                    cell(i.note.as_deref().unwrap_or(""))
                );
            }
        }
        out.push('\n');
    }
    let mut older: Vec<String> = cat
        .all_versions()
        .iter()
        .filter(|q| cat.list().iter().all(|c| c.id != q.id || c.version != q.version))
        .map(|q| format!("`{}` {} (core {})", q.id, q.version, q.core_version))
        .collect();
    older.sort();
    if !older.is_empty() {
        let _ = writeln!(
            out,
            "## Older versions
"
        );
        let _ = writeln!(
            out,
            "Templates filled in against these versions are still read and scored by their own rules\n(`questionnaires/archive/`): {}.",
            older.join(", ")
        );
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn docs_questionnaires_md_is_up_to_date() {
        let cat = super::super::catalogue().expect("definitions load");
        let want = super::render(cat);
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/QUESTIONNAIRES.md");
        if std::env::var("MANUMIT_WRITE_DOCS").is_ok() {
            std::fs::write(path, &want).expect("write docs");
        }
        let have = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            have == want,
            "docs/QUESTIONNAIRES.md is out of date: run MANUMIT_WRITE_DOCS=1 cargo test --lib questionnaire::doc"
        );
    }
}
