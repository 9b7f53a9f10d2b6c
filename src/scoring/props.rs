//! Tests of whole assessments: one per combination rule, and proptest properties (risky fields
//! never lower a score or tier, tier ordering of scores, determinism, evidence on every finding).

use super::assess::assess;
use super::*;
use crate::domain::*;
use chrono::NaiveDate;
use proptest::prelude::*;
use std::collections::HashMap;
use std::sync::LazyLock;

static SCREENER: LazyLock<Screener> = LazyLock::new(|| Screener::new(&[]));

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 29).unwrap_or_default()
}

fn sup(id: &str, name: &str, cc: &str) -> SupplierRecord {
    let mut s = SupplierRecord { id: id.into(), ..Default::default() };
    s.fields.legal_name = name.into();
    s.fields.country = CountryCode::new(cc);
    s.fields.sector = Some(Sector::Manufacturing);
    s
}

fn run(s: &SupplierRecord, q: Option<&QuestionnaireEvidence>, d: &[ScreeningDecision]) -> Assessment {
    assess(s, q, None, &SCREENER, d, as_of(), &[], None)
}

fn q_finding(ind: &str, dim: Dimension, sev: Severity) -> Finding {
    evidence::finding(
        ind,
        dim,
        sev,
        "q",
        "q",
        vec![Evidence { question_id: Some("R6".into()), ..Evidence::new(EvidenceSource::Response, "12%") }],
    )
}

#[test]
fn ilo_combination_with_strong_indicator_is_critical() {
    let mut s = sup("s1", "Acme Garments", "DE");
    s.fields.passports_held_by_employer = Some(YesNo::Yes);
    let q = QuestionnaireEvidence {
        findings: vec![q_finding("deception", Dimension::Involuntariness, Severity::Medium)],
        ..Default::default()
    };
    let a = run(&s, Some(&q), &[]);
    assert_eq!(a.tier, Tier::Critical);
    assert!(a.forced_labour_likely);
    assert!(a.findings.iter().any(|f| f.indicator == "ilo_involuntariness_and_coercion"));
    assert!(a.overall >= 75.0 && a.overall < 100.0);
    assert_eq!(a.basis, Some(Basis::Evidence));
    assert!(a.recommended_actions.iter().any(|x| x.contains("Return identity documents")));
    // Only one side: a strong indicator alone is high, not critical.
    let a = run(&s, None, &[]);
    assert_eq!((a.components.forced_labour.tier, a.forced_labour_likely), (Tier::High, false));
    // Controls never cancel it.
    let q = QuestionnaireEvidence { controls_in_place: vec!["V1".into()], ..Default::default() };
    assert_eq!(run(&s, Some(&q), &[]).components.forced_labour.tier, Tier::High);
}

#[test]
fn front_business_high_with_coercion_is_critical() {
    let mut s = sup("s1", "Acme Garments", "DE");
    s.fields.bank_account_holder = Some("Other Person".into());
    s.fields.workers_live_on_premises = Some(YesNo::Yes);
    s.fields.sector = Some(Sector::Hospitality);
    let a = run(&s, None, &[]);
    assert_eq!(a.components.front_business.tier, Tier::High);
    s.fields.recruitment_fees_paid_by_workers = Some(YesNo::Yes);
    let a = run(&s, None, &[]);
    assert_eq!(a.components.front_business.tier, Tier::Critical);
    assert_eq!(a.tier, Tier::Critical);
    assert!(!a.forced_labour_likely);
}

#[test]
fn unknowns_under_high_inherent_risk_raise_forced_labour_to_high() {
    let mut s = sup("s1", "Acme", "KH");
    let q = QuestionnaireEvidence {
        core_total: 10,
        core_answered: 8,
        unanswered_core: vec![
            ("D1".into(), "Who holds passports?".into(), vec!["retention_of_identity_documents".into()]),
            ("W1".into(), "How often are wages paid?".into(), vec!["withholding_of_wages".into()]),
        ],
        ..Default::default()
    };
    let a = run(&s, Some(&q), &[]);
    assert_eq!(a.components.inherent.tier, Tier::High);
    assert_eq!(a.components.forced_labour.tier, Tier::High);
    let unk: Vec<_> = a.findings.iter().filter(|f| f.indicator == "insufficient_evidence").collect();
    assert_eq!(unk.len(), 2);
    assert_eq!(unk[0].evidence[0].source, EvidenceSource::Response);
    assert_eq!(a.completeness, 0.444); // (0 of 8 fields + 8 of 10 questions) / 18
    s.fields.country = CountryCode::new("DE");
    assert_eq!(run(&s, Some(&q), &[]).components.forced_labour.tier, Tier::Medium);
}

#[test]
fn screening_match_and_decisions() {
    let s = sup("s9", "HETIAN HAOLIN HAIR ACCESSORIES CO LTD", "CN");
    let a = run(&s, None, &[]);
    assert_eq!(a.tier, Tier::Critical);
    assert_eq!(a.screening_matches[0].status, "needs_review");
    assert_eq!(a.screening_matches[0].strength, "strong");
    let entity = a.screening_matches[0].matched_entity.clone();
    let list = a.screening_matches[0].list.clone();
    let dec = |d| ScreeningDecision {
        supplier_id: "s9".into(),
        list: list.clone(),
        matched_entity: entity.clone(),
        decision: d,
        reason: "checked registration number".into(),
    };
    let fp = run(&s, None, &[dec(Decision::FalsePositive)]);
    // The same entity is on both built-in lists: the decision applies to the list it names.
    let on = |x: &Assessment, l: &str| x.screening_matches.iter().find(|m| m.list == l).map(|m| m.status.clone());
    assert_eq!(on(&fp, &list).as_deref(), Some("false_positive"));
    assert_eq!(
        fp.findings.iter().filter(|f| f.indicator == "entity_list_match").count(),
        a.screening_matches.len() - 1
    );
    let both: Vec<ScreeningDecision> = a
        .screening_matches
        .iter()
        .map(|m| ScreeningDecision {
            list: m.list.clone(),
            matched_entity: m.matched_entity.clone(),
            ..dec(Decision::FalsePositive)
        })
        .collect();
    let fp = run(&s, None, &both);
    assert!(fp.components.screening.tier < Tier::High, "{:?}", fp.components.screening);
    assert!(fp.findings.iter().all(|f| f.indicator != "entity_list_match"));
    assert!(fp.screening_matches.iter().all(|m| m.status == "false_positive"));
    let c = run(&s, None, &[dec(Decision::Confirmed)]);
    assert_eq!((c.screening_matches[0].status.as_str(), c.tier), ("confirmed", Tier::Critical));
    assert_ne!(c.inputs_hash, a.inputs_hash);
    assert_eq!(a.inputs_hash.len(), 64);
}

#[test]
fn assess_org_targets_networks_and_editions() {
    let mut a = sup("a", "Alpha Foods", "MY");
    a.fields.phone = Some("+60 12-345 6789".into());
    let mut b = sup("b", "Beta Foods", "MY");
    b.fields.phone = Some("012 345 6789".into());
    let c = sup("c", "Gamma", "MY");
    let suppliers = vec![a, b, c];
    let qs = HashMap::new();
    let ctx = OrgContext {
        suppliers: &suppliers,
        watchlists: &[],
        decisions: &[],
        questionnaires: &qs,
        as_of: as_of(),
        markets: &[],
    };
    let (out, clusters) = assess_org(&ctx, &["b"]);
    assert_eq!(out.len(), 1);
    assert_eq!(clusters.len(), 1);
    let f = out[0].1.findings.iter().find(|f| f.indicator == "shared_phone");
    assert!(f.is_some_and(|f| f.evidence.iter().any(|e| e.key.as_deref() == Some("a"))));
    assert_eq!(assess_org(&ctx, &[]).0.len(), 3);
    let e = &out[0].1.reference_editions;
    assert!(e.contains_key("tip_tiers_2023.csv") && e.contains_key("uflpa_entity_list.csv"));
    assert_eq!(out[0].1.methodology_version, METHODOLOGY_VERSION);
}

fn yn() -> impl Strategy<Value = Option<YesNo>> {
    prop_oneof![Just(None), Just(Some(YesNo::Yes)), Just(Some(YesNo::No)), Just(Some(YesNo::Unknown))]
}

prop_compose! {
    fn record()(cc in prop::sample::select(vec!["DE", "IN", "CN", "MY", "KH", "TM", "US", "ZZ"]),
                name in prop::sample::select(vec!["Acme Garments", "NINESTAR CORP", "Lee Trading", "Top Glove Corp Bhd"]),
                commodity in prop::option::of(prop::sample::select(vec!["cotton yarn", "bricks", "electronics", "coffee"])),
                sector in prop::option::of(prop::sample::select(Sector::ALL.to_vec())),
                passports in yn(), fees in yn(), xj in yn(), bo in yn(), live in yn(),
                migrant in prop::option::of(0.0f64..1.0), cash in prop::option::of(0.0f64..100.0),
                emp in prop::option::of(0u64..500), rev in prop::option::of(0.0f64..1e8),
                holder in prop::option::of(prop::sample::select(vec!["Acme Garments", "Someone Else"])),
                inc_days in prop::option::of(0i64..4000)) -> SupplierRecord {
        let mut s = sup("p", name, cc);
        let f = &mut s.fields;
        f.commodity = commodity.map(str::to_string);
        f.sector = sector;
        f.passports_held_by_employer = passports;
        f.recruitment_fees_paid_by_workers = fees;
        f.xinjiang_inputs = xj;
        f.beneficial_owners_disclosed = bo;
        f.workers_live_on_premises = live;
        f.migrant_worker_pct = migrant;
        f.cash_revenue_pct = cash;
        f.employee_count = emp;
        f.annual_revenue = rev;
        f.bank_account_holder = holder.map(str::to_string);
        f.incorporation_date = inc_days.map(|d| as_of() - chrono::Duration::days(d));
        s
    }
}

/// Sets one risky field that is currently absent; false when it is already set.
fn add_risky(s: &mut SupplierRecord, which: usize) -> bool {
    let f = &mut s.fields;
    macro_rules! set {
        ($field:expr, $v:expr) => {{
            if $field.is_some() {
                return false;
            }
            $field = Some($v);
            true
        }};
    }
    match which {
        0 => set!(f.passports_held_by_employer, YesNo::Yes),
        1 => set!(f.recruitment_fees_paid_by_workers, YesNo::Yes),
        2 => set!(f.address_type, AddressType::VirtualOffice),
        3 => set!(f.beneficial_owners_disclosed, YesNo::No),
        4 => set!(f.cash_revenue_pct, 0.9),
        5 => set!(f.xinjiang_inputs, YesNo::Yes),
        6 => set!(f.workers_live_on_premises, YesNo::Yes),
        7 => set!(f.migrant_worker_pct, 0.6),
        8 => set!(f.bank_account_holder, "Unrelated Payee Ltd".to_string()),
        _ => set!(f.incorporation_date, as_of()),
    }
}

fn comps(a: &Assessment) -> [ComponentScore; 5] {
    let c = &a.components;
    [
        c.inherent,
        c.forced_labour,
        c.front_business,
        c.screening,
        c.child_labour.unwrap_or(ComponentScore { score: 0.0, tier: Tier::Low }),
    ]
}

/// A questionnaire's adverse answer: an indicator finding of the ILO vocabulary.
fn adverse() -> impl Strategy<Value = Finding> {
    (
        prop::sample::select(vec![
            ("deception", Dimension::Involuntariness),
            ("excessive_overtime", Dimension::Involuntariness),
            ("abusive_conditions", Dimension::Involuntariness),
            ("retention_of_identity_documents", Dimension::MenaceOfPenalty),
            ("debt_bondage", Dimension::MenaceOfPenalty),
            ("withholding_of_wages", Dimension::MenaceOfPenalty),
            ("intimidation_threats", Dimension::MenaceOfPenalty),
            ("hazardous_child_labour", Dimension::ChildLabour),
            ("recent_incorporation", Dimension::FrontBusiness),
        ]),
        prop::sample::select(vec![Severity::Medium, Severity::High]),
    )
        .prop_map(|((ind, dim), sev)| q_finding(ind, dim, sev))
}

prop_compose! {
    fn questionnaire()(findings in prop::collection::vec(adverse(), 0..4),
                       unknown in prop::collection::vec(prop::sample::select(vec!["DM1", "WD1", "RF1"]), 0..3),
                       controls in prop::bool::ANY) -> QuestionnaireEvidence {
        QuestionnaireEvidence {
            findings,
            core_total: 10,
            core_answered: 10 - unknown.len() as u32,
            unanswered_core: unknown
                .iter()
                .map(|q| (q.to_string(), "q".to_string(), vec!["retention_of_identity_documents".to_string()]))
                .collect(),
            controls_in_place: if controls { vec!["VG1".into()] } else { vec![] },
            ..Default::default()
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn risky_field_never_lowers_any_score_or_tier(s in record(), which in 0usize..10) {
        let mut t = s.clone();
        prop_assume!(add_risky(&mut t, which));
        let (a, b) = (run(&s, None, &[]), run(&t, None, &[]));
        prop_assert!(b.tier >= a.tier);
        prop_assert!(b.overall >= a.overall, "{} < {}", b.overall, a.overall);
        for (x, y) in comps(&a).iter().zip(comps(&b).iter()) {
            prop_assert!(y.tier >= x.tier && y.score >= x.score, "{x:?} -> {y:?}");
        }
    }

    #[test]
    fn adding_an_adverse_answer_never_lowers_a_tier(s in record(), q in questionnaire(), extra in adverse()) {
        let mut more = q.clone();
        more.findings.push(extra);
        let (a, b) = (run(&s, Some(&q), &[]), run(&s, Some(&more), &[]));
        prop_assert!(b.tier >= a.tier, "{:?} -> {:?}", a.tier, b.tier);
        for (x, y) in comps(&a).iter().zip(comps(&b).iter()) {
            prop_assert!(y.tier >= x.tier, "{x:?} -> {y:?}");
        }
    }

    #[test]
    fn adding_a_control_never_lowers_a_tier_that_rests_on_an_indicator(s in record(), q in questionnaire()) {
        let mut without = q.clone();
        without.controls_in_place.clear();
        let mut with = q;
        with.controls_in_place = vec!["VG1".into()];
        let (a, b) = (run(&s, Some(&without), &[]), run(&s, Some(&with), &[]));
        let rests_on_indicator = a.findings.iter().any(combine::is_indicator);
        if rests_on_indicator {
            prop_assert!(b.tier >= a.tier, "{:?} -> {:?}", a.tier, b.tier);
            prop_assert!(b.components.forced_labour.tier >= a.components.forced_labour.tier);
        }
        prop_assert!(b.tier >= a.tier.lower(), "a control lowers at most one step");
    }

    #[test]
    fn evidence_outranks_context_within_a_tier(s in record(), t in record(), q in questionnaire()) {
        let (a, b) = (run(&s, Some(&q), &[]), run(&t, None, &[]));
        for (x, y) in [(&a, &b), (&b, &a)] {
            if x.tier == y.tier && x.basis == Some(Basis::Evidence) && y.basis == Some(Basis::Context) {
                prop_assert!(x.overall > y.overall, "{} <= {}", x.overall, y.overall);
            }
        }
    }

    #[test]
    fn scores_never_saturate(t in prop::sample::select(Tier::ALL.to_vec()), p in 0.0f64..300.0) {
        for basis in [Basis::Context, Basis::Evidence] {
            let (lo, hi) = (combine::overall_score(t, basis, p), combine::overall_score(t, basis, p + 10.0));
            prop_assert!(hi > lo, "{t:?} {basis:?}: {p} -> {lo}, {} -> {hi}", p + 10.0);
            prop_assert!(hi < combine::band_low(t) + combine::BAND);
        }
    }

    #[test]
    fn scores_are_ordered_by_tier(s in record(), t in record()) {
        let (a, b) = (run(&s, None, &[]), run(&t, None, &[]));
        if a.tier > b.tier { prop_assert!(a.overall > b.overall); }
        for (x, y) in comps(&a).iter().zip(comps(&b).iter()) {
            if x.tier > y.tier { prop_assert!(x.score > y.score); }
        }
        prop_assert!(a.overall >= 0.0 && a.overall < 100.0);
    }

    #[test]
    fn deterministic_and_every_finding_has_evidence(s in record(), t in record()) {
        let a = run(&s, None, &[]);
        prop_assert_eq!(&a, &run(&s, None, &[]));
        prop_assert!(a.findings.iter().all(|f| !f.evidence.is_empty()));
        let mut t = t;
        t.id = "q".into();
        t.fields.phone = Some("+60 12 345 6789".into());
        let mut s2 = s.clone();
        s2.fields.phone = Some("0060123456789".into());
        let qs = HashMap::new();
        let one = [s2.clone(), t.clone()];
        let two = [t, s2];
        let ctx1 = OrgContext { suppliers: &one, watchlists: &[], decisions: &[], questionnaires: &qs, as_of: as_of(), markets: &[] };
        let ctx2 = OrgContext { suppliers: &two, ..ctx1 };
        let (mut x, cx) = assess_org(&ctx1, &[]);
        let (mut y, cy) = assess_org(&ctx2, &[]);
        x.sort_by(|a, b| a.0.cmp(&b.0));
        y.sort_by(|a, b| a.0.cmp(&b.0));
        prop_assert_eq!(x, y);
        prop_assert_eq!(cx, cy);
    }
}
