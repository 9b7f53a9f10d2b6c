//! Combination rules of methodology 2 (docs/METHODOLOGY.md §3, §6, §11–§13): component tiers from findings,
//! the overrides, the basis, non-saturating scores that keep tiers (and, within a tier,
//! evidence over context) ordered, and the recommended actions.

use crate::domain::{Basis, ComponentScore, Dimension, Finding, Severity, Tier};
use std::collections::BTreeSet;

/// Width of a tier's score band: low 0–25, medium 25–50, high 50–75, critical 75–100.
pub const BAND: f64 = 25.0;
/// Within-band position = BAND_USE × (1 − e^(−points / k)); never reaches the next band.
pub const BAND_USE: f64 = 24.99;
/// k for component scores.
pub const K_COMPONENT: f64 = 40.0;
/// k for the overall score.
pub const K_OVERALL: f64 = 80.0;
/// Within a tier's band, a tier that rests on context alone scores in the first part
/// (`[low, low + CONTEXT_SHARE)`) and one that rests on evidence above it, so evidence always
/// ranks above context within a tier.
pub const CONTEXT_SHARE: f64 = 10.0;

/// Indicator id of an unknown core item.
pub const UNKNOWN: &str = "insufficient_evidence";

pub fn band_low(t: Tier) -> f64 {
    match t {
        Tier::Low => 0.0,
        Tier::Medium => BAND,
        Tier::High => 2.0 * BAND,
        Tier::Critical => 3.0 * BAND,
    }
}

fn saturating_share(points: f64, k: f64) -> f64 {
    let p = if points.is_finite() { points.max(0.0) } else { 0.0 };
    1.0 - (-p / k).exp()
}

fn floor2(s: f64) -> f64 {
    (s * 100.0).floor() / 100.0
}

/// Score of a tier with `points` of evidence, rounded down to 2 decimals (below the next band).
pub fn score(t: Tier, points: f64, k: f64) -> f64 {
    floor2(band_low(t) + BAND_USE * saturating_share(points, k))
}

/// The overall score: the tier's band, split so that an evidence-based tier always scores above
/// a context-based one of the same tier; points order suppliers inside each part.
pub fn overall_score(t: Tier, basis: Basis, points: f64) -> f64 {
    let share = saturating_share(points, K_OVERALL);
    let s = match basis {
        Basis::Context => band_low(t) + (CONTEXT_SHARE - 0.01) * share,
        Basis::Evidence => band_low(t) + CONTEXT_SHARE + (BAND_USE - CONTEXT_SHARE) * share,
    };
    floor2(s)
}

pub fn component(t: Tier, findings: &[&Finding]) -> ComponentScore {
    ComponentScore { tier: t, score: score(t, findings.iter().map(|f| f.points).sum(), K_COMPONENT) }
}

/// An ILO forced-labour indicator (involuntariness or menace of penalty), not an unknown.
pub fn is_indicator(f: &Finding) -> bool {
    f.indicator != UNKNOWN && matches!(f.dimension, Dimension::Involuntariness | Dimension::MenaceOfPenalty)
}

/// Result of the ILO rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IloOutcome {
    pub tier: Tier,
    pub forced_labour_likely: bool,
}

/// Forced-labour tier (docs/METHODOLOGY.md §6). Distinct indicators are counted per dimension.
/// `controls_in_place`: a mitigating control may lower a medium that rests on unknown answers
/// alone; it never lowers a tier that rests on an indicator.
pub fn forced_labour_tier(findings: &[&Finding], inherent: Tier, controls_in_place: bool) -> IloOutcome {
    let ind: Vec<&&Finding> = findings.iter().filter(|f| is_indicator(f)).collect();
    let distinct = |d: Dimension| -> BTreeSet<&str> {
        ind.iter().filter(|f| f.dimension == d).map(|f| f.indicator.as_str()).collect()
    };
    let inv = distinct(Dimension::Involuntariness);
    let men = distinct(Dimension::MenaceOfPenalty);
    let strong = ind.iter().any(|f| f.severity == Severity::High);
    let unknowns = findings.iter().filter(|f| f.indicator == UNKNOWN).count();
    if !inv.is_empty() && !men.is_empty() && strong {
        return IloOutcome { tier: Tier::Critical, forced_labour_likely: true };
    }
    let mut tier = if strong || (!inv.is_empty() && !men.is_empty()) || men.len() >= 2 {
        Tier::High
    } else if !ind.is_empty() || unknowns > 0 {
        Tier::Medium
    } else {
        Tier::Low
    };
    // Unknown is not "no": under high inherent risk two or more open core items raise to high
    // (adverse answers to core items count too, so answering one adversely never lowers it).
    if inherent >= Tier::High && unknowns > 0 && unknowns + inv.len() + men.len() >= 2 {
        tier = tier.max(Tier::High);
    }
    if tier == Tier::Medium && ind.is_empty() && controls_in_place {
        tier = Tier::Low;
    }
    IloOutcome { tier, forced_labour_likely: false }
}

/// Front-business tier (FinCEN FIN-2020-A008, FATF 2018): ≥2 strong, or 1 strong + ≥2 medium →
/// high; 1 strong or ≥2 medium → medium; otherwise low. Only front-business findings count;
/// weak ones add points only.
pub fn front_business_tier(findings: &[&Finding]) -> Tier {
    let fb = || findings.iter().filter(|f| f.dimension == Dimension::FrontBusiness);
    let strong = fb().filter(|f| f.severity == Severity::High).count();
    let medium = fb().filter(|f| f.severity == Severity::Medium).count();
    if strong >= 2 || (strong >= 1 && medium >= 2) {
        Tier::High
    } else if strong == 1 || medium >= 2 {
        Tier::Medium
    } else {
        Tier::Low
    }
}

/// Screening tier: a strong (or confirmed) match or a Xinjiang nexus → critical; a possible
/// match, Xinjiang inputs not known for a high-priority good, or an untraced high-priority good
/// from China → high.
pub fn screening_tier(findings: &[&Finding]) -> Tier {
    let scr = || findings.iter().filter(|f| f.dimension == Dimension::Screening);
    if scr().any(|f| f.severity == Severity::High) {
        Tier::Critical
    } else if scr().any(|f| f.severity == Severity::Medium) {
        Tier::High
    } else if scr().next().is_some() {
        Tier::Medium
    } else {
        Tier::Low
    }
}

/// Whether a finding is evidence from the supplier's own data or a list match (as opposed to
/// country, sector or commodity context). An untraced UFLPA high-priority good rests on country
/// and commodity alone, so it is context.
pub fn is_evidence(f: &Finding) -> bool {
    match f.dimension {
        Dimension::Involuntariness | Dimension::MenaceOfPenalty | Dimension::ChildLabour => true,
        Dimension::FrontBusiness => f.severity != Severity::Low,
        Dimension::Screening => f.indicator != "uflpa_high_priority_untraced",
        Dimension::Context | Dimension::Control | Dimension::Inherent => false,
    }
}

/// The markets under which a law applies: `US` for the UFLPA, `EU` (or any member state) for
/// the EU Forced Labour Regulation and CSDDD, `DE` for the LkSG, `GB` and `AU` for the Modern
/// Slavery Acts, `CA` for S-211. An empty list means every market.
pub fn market_applies(markets: &[String], law: Law) -> bool {
    if markets.is_empty() {
        return true;
    }
    let has = |c: &str| markets.iter().any(|m| m.eq_ignore_ascii_case(c));
    match law {
        Law::Uflpa => has("US"),
        Law::EuFlr => has("EU") || markets.iter().any(|m| EU_MEMBERS.contains(&m.to_ascii_uppercase().as_str())),
        Law::Lksg => has("DE"),
        Law::UkMsa => has("GB") || has("UK"),
        Law::AuMsa => has("AU"),
        Law::CaS211 => has("CA"),
    }
}

/// The EU's 27 member states (ISO 3166 alpha-2).
pub const EU_MEMBERS: &[&str] = &[
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU", "MT",
    "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
];

/// Laws whose actions depend on the organisation's markets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Law {
    Uflpa,
    EuFlr,
    Lksg,
    UkMsa,
    AuMsa,
    CaS211,
}

/// Recommended actions for a tier and its basis (docs/METHODOLOGY.md §13), with
/// the law-dependent lines only for the organisation's markets, followed by the remediation
/// each strong indicator calls for.
pub fn recommended_actions(t: Tier, basis: Basis, markets: &[String], indicators: &[&str]) -> Vec<String> {
    let mut a: Vec<String> = match (t, basis) {
        (Tier::Low, _) => vec![
            "Keep on file.".into(),
            "Refresh the self-assessment questionnaire annually.".into(),
            "Obtain code-of-conduct acknowledgement.".into(),
            "Include in random desk reviews.".into(),
        ],
        (Tier::Medium, Basis::Context) => vec![
            "Send the supplier self-assessment questionnaire and complete the core items.".into(),
            "Desk review within 90 days: contracts, payslips, agency licences, beneficial ownership.".into(),
            "Map tier-2 suppliers for high-risk inputs.".into(),
        ],
        (Tier::Medium, Basis::Evidence) => vec![
            "Enhanced desk due diligence within 30–60 days: contracts, payslips, agency licences, beneficial ownership, bank letter.".into(),
            "Run an anonymous worker-voice survey.".into(),
            "Agree a remediation plan if an indicator is confirmed.".into(),
        ],
        (Tier::High | Tier::Critical, Basis::Context) => vec![
            "Send the supplier self-assessment questionnaire within 14 days; follow up unanswered core items.".into(),
            "Request traceability documents to raw material for listed goods and high-risk inputs.".into(),
            "Desk review of the answers and documents by the compliance team within 30 days.".into(),
        ],
        (Tier::High, Basis::Evidence) => vec![
            "Independent on-site audit within 30 days (semi-announced or unannounced, off-site worker interviews in their language).".into(),
            "Corrective action plan with deadlines.".into(),
            "No new orders until the corrective action plan is accepted.".into(),
            "Escalate to the compliance lead.".into(),
            "Resolve any open screening match.".into(),
        ],
        (Tier::Critical, Basis::Evidence) => {
            let mut v = Vec::new();
            if market_applies(markets, Law::Uflpa) {
                v.push("Hold shipments bound for the US: goods are at risk of detention under the UFLPA / Tariff Act s.307.".into());
            }
            if market_applies(markets, Law::EuFlr) {
                v.push("Prepare for the EU Forced Labour Regulation (applies from 14 Dec 2027): the product may be banned from the EU market.".into());
            }
            v.push("Legal review.".into());
            v.push("Immediate worker-centred remediation: return documents, repay recruitment fees, pay withheld wages, safe exit options.".into());
            v.push("Report where required or appropriate (law enforcement or trafficking hotline).".into());
            let mut laws = Vec::new();
            if market_applies(markets, Law::Lksg) {
                laws.push("LkSG");
            }
            if market_applies(markets, Law::EuFlr) {
                laws.push("CSDDD");
            }
            if market_applies(markets, Law::UkMsa) || market_applies(markets, Law::AuMsa) {
                laws.push("Modern Slavery Act");
            }
            if market_applies(markets, Law::CaS211) {
                laws.push("S-211");
            }
            if laws.is_empty() {
                v.push("Document everything for the due-diligence record.".into());
            } else {
                v.push(format!("Document everything for {} reporting.", laws.join(", ")));
            }
            v.push("Disengage responsibly only if remediation fails.".into());
            v
        }
    };
    if basis == Basis::Evidence && t >= Tier::Medium {
        for (ind, action) in REMEDIATION {
            if indicators.contains(ind) && !a.iter().any(|x| x == action) {
                a.push((*action).to_string());
            }
        }
    }
    a
}

/// The remediation an indicator calls for (ILO Fair Recruitment principles; ILO-IPEC).
const REMEDIATION: &[(&str, &str)] = &[
    (
        "retention_of_identity_documents",
        "Return identity documents to workers now; offer personal lockers that workers alone control.",
    ),
    ("debt_bondage", "Repay recruitment fees and related costs to workers (employer-pays principle)."),
    ("withholding_of_wages", "Pay withheld wages and deposits; pay wages at least monthly into workers' own accounts."),
    ("restriction_of_movement", "Lift restrictions on leaving the workplace and housing outside working hours."),
    (
        "child_labour_under_minimum_age",
        "Remove children from work with a remediation plan (schooling, family income support); no dismissal without remediation.",
    ),
    ("child_under_12", "Remove children from work with a remediation plan (schooling, family income support); no dismissal without remediation."),
    ("hazardous_child_labour", "Withdraw workers under 18 from hazardous and night work immediately; reassign to safe work."),
    ("entity_list_match", "Resolve the screening match: confirm or dismiss it with documented reasons."),
    ("xinjiang_nexus", "Obtain full traceability to raw material; goods with a Xinjiang nexus are presumed made with forced labour."),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::evidence::finding;

    fn f(ind: &str, d: Dimension, s: Severity) -> Finding {
        finding(ind, d, s, "t", "e", vec![])
    }

    #[test]
    fn ilo_rule_v2() {
        use Dimension::*;
        let inv_m = f("deception", Involuntariness, Severity::Medium);
        let men_s = f("retention_of_identity_documents", MenaceOfPenalty, Severity::High);
        let men_m = f("debt_bondage", MenaceOfPenalty, Severity::Medium);
        let men_m2 = f("withholding_of_wages", MenaceOfPenalty, Severity::Medium);
        let unk = f(UNKNOWN, MenaceOfPenalty, Severity::Low);
        let t = |v: &[&Finding], inh, c| forced_labour_tier(v, inh, c);
        assert_eq!(
            t(&[&inv_m, &men_s], Tier::Low, true),
            IloOutcome { tier: Tier::Critical, forced_labour_likely: true }
        );
        assert_eq!(t(&[&men_s], Tier::Low, false).tier, Tier::High, "a strong indicator alone is high");
        assert_eq!(t(&[&men_s], Tier::Low, true).tier, Tier::High, "controls never cancel an indicator");
        assert_eq!(t(&[&men_m], Tier::Low, true).tier, Tier::Medium, "nor lower a medium indicator");
        assert_eq!(t(&[&inv_m, &men_m], Tier::Low, false).tier, Tier::High);
        assert_eq!(t(&[&men_m, &men_m2], Tier::Low, false).tier, Tier::High);
        assert_eq!(t(&[&men_m, &men_m], Tier::Low, false).tier, Tier::Medium, "same indicator twice is one");
        assert_eq!(t(&[], Tier::High, false).tier, Tier::Low);
        assert_eq!(t(&[&unk], Tier::Low, false).tier, Tier::Medium);
        assert_eq!(t(&[&unk], Tier::Low, true).tier, Tier::Low, "a control lowers a medium resting on unknowns");
        assert_eq!(t(&[&unk, &unk], Tier::High, false).tier, Tier::High);
        assert_eq!(t(&[&unk, &unk], Tier::Medium, false).tier, Tier::Medium);
        assert_eq!(t(&[&unk, &men_m], Tier::High, false).tier, Tier::High);
    }

    #[test]
    fn front_business_and_screening_count_their_own_dimension() {
        use Dimension::FrontBusiness as FB;
        let s = f("a", FB, Severity::High);
        let m = f("b", FB, Severity::Medium);
        let w = f("c", FB, Severity::Low);
        let ctx = f("inconsistent_information", Dimension::Context, Severity::High);
        assert_eq!(front_business_tier(&[&s, &s]), Tier::High);
        assert_eq!(front_business_tier(&[&s, &m, &m]), Tier::High);
        assert_eq!(front_business_tier(&[&s, &m]), Tier::Medium);
        assert_eq!(front_business_tier(&[&m, &m]), Tier::Medium);
        assert_eq!(front_business_tier(&[&m, &w, &w]), Tier::Low);
        assert_eq!(front_business_tier(&[&m, &ctx]), Tier::Low, "a context note is no front-business sign");
        let hit = f("xinjiang_nexus", Dimension::Screening, Severity::High);
        let possible = f("entity_list_match", Dimension::Screening, Severity::Medium);
        assert_eq!(screening_tier(&[&hit]), Tier::Critical);
        assert_eq!(screening_tier(&[&possible]), Tier::High);
        assert_eq!(screening_tier(&[&ctx]), Tier::Low);
        assert_eq!(screening_tier(&[]), Tier::Low);
    }

    #[test]
    fn scores_keep_tiers_and_basis_apart_and_do_not_saturate() {
        use Basis::*;
        for t in [Tier::Low, Tier::Medium, Tier::High] {
            assert!(overall_score(t, Evidence, 1e9) < overall_score(t.raise(), Context, 0.0), "{t:?}");
            assert!(score(t, 1e9, K_OVERALL) < score(t.raise(), 0.0, K_OVERALL));
        }
        for t in [Tier::Low, Tier::Medium, Tier::High, Tier::Critical] {
            assert!(overall_score(t, Context, 1e9) < overall_score(t, Evidence, 0.0), "{t:?}");
        }
        assert!(overall_score(Tier::Critical, Evidence, 500.0) < 100.0);
        assert!(overall_score(Tier::High, Evidence, 60.0) > overall_score(Tier::High, Evidence, 30.0));
        assert_eq!(overall_score(Tier::Low, Context, f64::NAN), 0.0);
    }

    #[test]
    fn actions_follow_tier_basis_and_markets() {
        let all: Vec<String> = vec![];
        let eu: Vec<String> = vec!["EU".into(), "GB".into()];
        let ctx = recommended_actions(Tier::High, Basis::Context, &all, &[]);
        assert!(!ctx.iter().any(|a| a.contains("No new orders") || a.contains("Hold shipments")), "{ctx:?}");
        assert!(ctx.iter().any(|a| a.contains("questionnaire")));
        let ev = recommended_actions(Tier::High, Basis::Evidence, &all, &["retention_of_identity_documents"]);
        assert!(ev.iter().any(|a| a.contains("No new orders")));
        assert!(ev.iter().any(|a| a.contains("Return identity documents")));
        let crit_all = recommended_actions(Tier::Critical, Basis::Evidence, &all, &[]);
        assert!(crit_all.iter().any(|a| a.contains("UFLPA")));
        let crit_eu = recommended_actions(Tier::Critical, Basis::Evidence, &eu, &[]);
        assert!(!crit_eu.iter().any(|a| a.contains("UFLPA") || a.contains("US")), "{crit_eu:?}");
        assert!(crit_eu.iter().any(|a| a.contains("EU Forced Labour Regulation")));
        assert!(crit_eu.iter().any(|a| a.contains("CSDDD, Modern Slavery Act")), "{crit_eu:?}");
        assert!(market_applies(&["fr".to_string()], Law::EuFlr));
        assert!(!market_applies(&["FR".to_string()], Law::Lksg));
    }
}
