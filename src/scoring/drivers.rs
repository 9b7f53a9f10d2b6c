//! An assessment's drivers: its findings in the order that explains its tier — the decisive
//! rules first, then evidence from the supplier's own data or a list match, then context —
//! each group by strength and points.

use super::combine::is_evidence;
use crate::domain::{Assessment, Finding};

/// Rule findings: each states the rule that set a component's tier.
pub const RULES: &[&str] =
    &["ilo_involuntariness_and_coercion", "child_labour_with_coercion", "front_business_with_coercion"];

/// The first `n` drivers of an assessment.
pub fn top_drivers(a: &Assessment, n: usize) -> Vec<&Finding> {
    let mut v: Vec<(usize, &Finding)> = a.findings.iter().enumerate().collect();
    v.sort_by(|(i, x), (j, y)| {
        let key = |f: &Finding| (RULES.contains(&f.indicator.as_str()), is_evidence(f), f.severity);
        key(y).cmp(&key(x)).then(y.points.total_cmp(&x.points)).then(i.cmp(j))
    });
    v.into_iter().take(n).map(|(_, f)| f).collect()
}
