//! Combination rules of methodology 1.1.0 (unchanged since 1.0.0): component tiers from findings, the overrides,
//! non-saturating scores that keep tiers ordered, recommended actions, completeness.

use crate::domain::{ComponentScore, Dimension, Finding, Severity, Tier};
use std::collections::BTreeSet;

/// Width of a tier's score band: low 0–25, medium 25–50, high 50–75, critical 75–100.
pub const BAND: f64 = 25.0;
/// Within-band position = BAND_USE × (1 − e^(−points / k)); never reaches the next band.
pub const BAND_USE: f64 = 24.99;
/// k for component scores.
pub const K_COMPONENT: f64 = 40.0;
/// k for the overall score.
pub const K_OVERALL: f64 = 80.0;

pub fn band_low(t: Tier) -> f64 {
    match t {
        Tier::Low => 0.0,
        Tier::Medium => BAND,
        Tier::High => 2.0 * BAND,
        Tier::Critical => 3.0 * BAND,
    }
}

/// Score of a tier with `points` of evidence, rounded to 2 decimals (still below the next band).
pub fn score(t: Tier, points: f64, k: f64) -> f64 {
    let p = if points.is_finite() { points.max(0.0) } else { 0.0 };
    let s = band_low(t) + BAND_USE * (1.0 - (-p / k).exp());
    (s * 100.0).floor() / 100.0
}

pub fn component(t: Tier, findings: &[&Finding]) -> ComponentScore {
    ComponentScore { tier: t, score: score(t, findings.iter().map(|f| f.points).sum(), K_COMPONENT) }
}

fn is_indicator(f: &Finding) -> bool {
    f.indicator != "insufficient_evidence"
        && matches!(f.dimension, Dimension::Involuntariness | Dimension::MenaceOfPenalty)
}

/// Result of the ILO rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IloOutcome {
    pub tier: Tier,
    pub forced_labour_likely: bool,
}

/// Forced-labour tier (DOMAIN.md §4.2). Distinct indicators are counted per dimension.
pub fn forced_labour_tier(findings: &[&Finding], inherent: Tier, controls_in_place: bool) -> IloOutcome {
    let ind: Vec<&&Finding> = findings.iter().filter(|f| is_indicator(f)).collect();
    let inv: BTreeSet<&str> =
        ind.iter().filter(|f| f.dimension == Dimension::Involuntariness).map(|f| f.indicator.as_str()).collect();
    let men: BTreeSet<&str> =
        ind.iter().filter(|f| f.dimension == Dimension::MenaceOfPenalty).map(|f| f.indicator.as_str()).collect();
    let strong = ind.iter().any(|f| f.severity == Severity::High);
    let unknowns = findings.iter().filter(|f| f.indicator == "insufficient_evidence").count();
    let mut tier = if !inv.is_empty() && !men.is_empty() && strong {
        return IloOutcome { tier: Tier::Critical, forced_labour_likely: true };
    } else if (!inv.is_empty() && !men.is_empty()) || men.len() >= 2 {
        Tier::High
    } else if !ind.is_empty() || unknowns > 0 {
        Tier::Medium
    } else {
        Tier::Low
    };
    // Unknown is not "no": under high inherent risk, two or more open core items (counting
    // adverse answers to core items too, so that answering one adversely never lowers the tier).
    if inherent >= Tier::High && unknowns + inv.len() + men.len() >= 2 && unknowns > 0 {
        tier = tier.max(Tier::High);
    }
    if tier == Tier::Medium && controls_in_place {
        tier = Tier::Low;
    }
    IloOutcome { tier, forced_labour_likely: false }
}

/// Front-business tier (domain-research §11(c)): ≥2 strong, or 1 strong + ≥2 medium → high;
/// 1 strong or ≥2 medium → medium; otherwise low. Weak (low) findings add points only.
pub fn front_business_tier(findings: &[&Finding]) -> Tier {
    let strong = findings.iter().filter(|f| f.severity == Severity::High).count();
    let medium = findings.iter().filter(|f| f.severity == Severity::Medium).count();
    if strong >= 2 || (strong >= 1 && medium >= 2) {
        Tier::High
    } else if strong == 1 || medium >= 2 {
        Tier::Medium
    } else {
        Tier::Low
    }
}

/// Screening tier: any strong (or confirmed) match or Xinjiang input → critical; a possible
/// match or unknown Xinjiang inputs for a high-priority good → high.
pub fn screening_tier(findings: &[&Finding]) -> Tier {
    if findings.iter().any(|f| f.severity == Severity::High) {
        Tier::Critical
    } else if findings.iter().any(|f| f.severity == Severity::Medium) {
        Tier::High
    } else if findings.is_empty() {
        Tier::Low
    } else {
        Tier::Medium
    }
}

/// Recommended actions per tier (domain-research.md §11).
pub fn recommended_actions(t: Tier) -> Vec<String> {
    let a: &[&str] = match t {
        Tier::Low => &[
            "Keep on file.",
            "Refresh the self-assessment questionnaire annually.",
            "Obtain code-of-conduct acknowledgement.",
            "Include in random desk reviews.",
        ],
        Tier::Medium => &[
            "Enhanced desk due diligence within 30–60 days: contracts, payslips, agency licences, beneficial ownership, bank letter.",
            "Run an anonymous worker-voice survey.",
            "Map tier-2 suppliers for high-risk inputs.",
            "Agree a remediation plan if an indicator is confirmed.",
        ],
        Tier::High => &[
            "Independent on-site audit within 30 days (semi-announced or unannounced, off-site worker interviews in their language).",
            "Corrective action plan with deadlines.",
            "No new orders until the corrective action plan is accepted.",
            "Escalate to the compliance lead.",
            "Resolve any open screening match.",
        ],
        Tier::Critical => &[
            "Stop or hold shipments (US: do not import; EU from Dec 2027: product may be banned).",
            "Legal review.",
            "Immediate worker-centred remediation: return documents, repay recruitment fees, pay withheld wages, safe exit options.",
            "Report where required or appropriate (law enforcement or trafficking hotline).",
            "Document everything for LkSG, CSDDD and Modern Slavery Act reporting.",
            "Disengage responsibly only if remediation fails.",
        ],
    };
    a.iter().map(|s| s.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::evidence::finding;

    fn f(ind: &str, d: Dimension, s: Severity) -> Finding {
        finding(ind, d, s, "t", "e", vec![])
    }

    #[test]
    fn ilo_rule() {
        use Dimension::*;
        let inv_m = f("deception", Involuntariness, Severity::Medium);
        let men_s = f("retention_of_identity_documents", MenaceOfPenalty, Severity::High);
        let men_m = f("debt_bondage", MenaceOfPenalty, Severity::Medium);
        let men_m2 = f("withholding_of_wages", MenaceOfPenalty, Severity::Medium);
        let unk = f("insufficient_evidence", MenaceOfPenalty, Severity::Low);
        let t = |v: &[&Finding], inh, c| forced_labour_tier(v, inh, c);
        assert_eq!(
            t(&[&inv_m, &men_s], Tier::Low, true),
            IloOutcome { tier: Tier::Critical, forced_labour_likely: true }
        );
        assert_eq!(t(&[&inv_m, &men_m], Tier::Low, false).tier, Tier::High);
        assert_eq!(t(&[&men_m, &men_m2], Tier::Low, false).tier, Tier::High);
        assert_eq!(t(&[&men_m, &men_m], Tier::Low, false).tier, Tier::Medium, "same indicator twice is one");
        assert_eq!(t(&[&men_s], Tier::Low, false).tier, Tier::Medium);
        assert_eq!(t(&[&men_s], Tier::Low, true).tier, Tier::Low, "controls lower a medium");
        assert_eq!(t(&[&inv_m, &men_m], Tier::Low, true).tier, Tier::High, "never a high");
        assert_eq!(t(&[], Tier::High, false).tier, Tier::Low);
        assert_eq!(t(&[&unk], Tier::Low, false).tier, Tier::Medium);
        assert_eq!(t(&[&unk, &unk], Tier::High, false).tier, Tier::High);
        assert_eq!(t(&[&unk, &unk], Tier::Medium, false).tier, Tier::Medium);
        assert_eq!(t(&[&unk, &men_m], Tier::High, false).tier, Tier::High);
    }

    #[test]
    fn front_business_and_screening_rules() {
        use Dimension::FrontBusiness as FB;
        let s = f("a", FB, Severity::High);
        let m = f("b", FB, Severity::Medium);
        let w = f("c", FB, Severity::Low);
        assert_eq!(front_business_tier(&[&s, &s]), Tier::High);
        assert_eq!(front_business_tier(&[&s, &m, &m]), Tier::High);
        assert_eq!(front_business_tier(&[&s, &m]), Tier::Medium);
        assert_eq!(front_business_tier(&[&m, &m]), Tier::Medium);
        assert_eq!(front_business_tier(&[&m, &w, &w]), Tier::Low);
        assert_eq!(screening_tier(&[&s]), Tier::Critical);
        assert_eq!(screening_tier(&[&m]), Tier::High);
        assert_eq!(screening_tier(&[]), Tier::Low);
    }

    #[test]
    fn scores_keep_tiers_apart_and_do_not_saturate() {
        assert!(score(Tier::High, 1e9, K_OVERALL) < score(Tier::Critical, 0.0, K_OVERALL));
        assert!(score(Tier::Medium, 1e9, K_OVERALL) < score(Tier::High, 0.0, K_OVERALL));
        assert!(score(Tier::Critical, 200.0, K_OVERALL) < 100.0);
        assert!(score(Tier::High, 60.0, K_OVERALL) > score(Tier::High, 30.0, K_OVERALL));
        assert_eq!(score(Tier::Low, f64::NAN, K_OVERALL), 0.0);
        assert_eq!(recommended_actions(Tier::Critical).len(), 6);
    }
}
