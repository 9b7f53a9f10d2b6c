//! The methodology-2 rules as suppliers meet them: the ILO two-element test is never met by one
//! answer, context is not coercion, child labour is its own dimension, known answers by id.

use super::*;
use crate::domain::{Dimension, IloIndicator, Sector, Severity};

fn eval(sector: Sector, changes: &[(&str, &str)]) -> crate::domain::QuestionnaireEvidence {
    let q = cat().for_sector(sector);
    let mut a = clean_answers(q);
    for (k, v) in changes {
        a.insert(k.to_string(), v.to_string());
    }
    let f = read_filled(&filled(q, &a)).expect("reads");
    assert!(f.errors.is_empty(), "{:?}", f.errors);
    evaluate(f.questionnaire, &f.answers, &AnswerSource::Response)
}

fn coercion_or_involuntariness(ev: &crate::domain::QuestionnaireEvidence) -> Vec<(String, Dimension, Severity)> {
    ev.findings
        .iter()
        .filter(|f| matches!(f.dimension, Dimension::Involuntariness | Dimension::MenaceOfPenalty))
        .map(|f| (f.indicator.clone(), f.dimension, f.severity))
        .collect()
}

/// The case of issue #22: a legitimate hotel that pays its cleaning contractor per room and has
/// night staff sleeping on site came out high; those answers are context, not INV or MEN.
#[test]
fn per_room_contract_and_night_staff_are_context() {
    let ev = eval(Sector::Hospitality, &[("HO1", "Yes"), ("HO2", "Per room or per task"), ("HO4", "Yes")]);
    assert_eq!(coercion_or_involuntariness(&ev), vec![]);
    let ctx: Vec<&str> =
        ev.findings.iter().filter(|f| f.dimension == Dimension::Context).map(|f| f.indicator.as_str()).collect();
    assert_eq!(ctx, ["outsourced_services", "per_task_contract_pay", "staff_sleeping_on_site"]);
    // A passport holder still gives a strong menace indicator.
    let ev = eval(Sector::Hospitality, &[("DM1", "Employer")]);
    assert_eq!(
        coercion_or_involuntariness(&ev),
        vec![("retention_of_identity_documents".into(), Dimension::MenaceOfPenalty, Severity::High)]
    );
}

/// Answers that once gave both halves of the ILO test on their own now give one each.
#[test]
fn one_answer_never_meets_both_elements() {
    for s in Sector::ALL {
        for (_, q) in cat().for_sector(*s).questions() {
            let dims: Vec<Dimension> = q.indicators.iter().map(|i| i.dimension).collect();
            assert!(
                !(dims.contains(&Dimension::Involuntariness) && dims.contains(&Dimension::MenaceOfPenalty)),
                "{s} {}: {dims:?}",
                q.id
            );
        }
    }
    for (qid, answer, indicator) in [("DM5", "Yes", "intimidation_threats"), ("HR3", "No", "intimidation_threats")] {
        let ev = eval(Sector::Manufacturing, &[(qid, answer)]);
        assert_eq!(
            coercion_or_involuntariness(&ev),
            vec![(indicator.to_string(), Dimension::MenaceOfPenalty, Severity::Medium)],
            "{qid}"
        );
    }
}

/// ILO indicator ids appear only as involuntariness or menace; exposure facts have their own ids.
#[test]
fn ilo_indicators_are_only_inv_or_men_and_context_has_its_own_ids() {
    for s in Sector::ALL {
        for (_, q) in cat().for_sector(*s).questions() {
            for i in &q.indicators {
                let ilo = IloIndicator::from_id(&i.indicator).is_some();
                let inv_men = matches!(i.dimension, Dimension::Involuntariness | Dimension::MenaceOfPenalty);
                assert_eq!(ilo, inv_men, "{s} {} {}: {}", q.id, i.indicator, i.dimension);
            }
        }
    }
}

#[test]
fn exposure_answers_are_no_longer_coercion() {
    for (sector, changes) in [
        (Sector::Agriculture, vec![("AG1", "Used - some not registered or licensed"), ("AG4", "Yes"), ("AG5", "Yes")]),
        (Sector::Agriculture, vec![("AG7", "120"), ("WD2", "Yes"), ("WD7", "Yes"), ("HS2", "Yes")]),
        (Sector::Construction, vec![("CO6", "Yes"), ("CO7", "Yes"), ("RF5", "No"), ("DM4", "60")]),
        (Sector::Hospitality, vec![("HO6", "No")]),
    ] {
        let ev = eval(sector, &changes);
        assert_eq!(coercion_or_involuntariness(&ev), vec![], "{sector} {changes:?}");
        assert!(!ev.findings.is_empty(), "still recorded: {changes:?}");
    }
    let ev = eval(Sector::Construction, &[("RF5", "No")]);
    assert!(ev.findings.iter().any(|f| f.indicator == "no_written_contract" && f.dimension == Dimension::Control));
    assert!(!ev.controls_in_place.contains(&"RF5".to_string()));
    // A notice period beyond three months still keeps a worker from leaving.
    let ev = eval(Sector::Construction, &[("DM4", "120")]);
    assert_eq!(
        coercion_or_involuntariness(&ev),
        vec![("abuse_of_vulnerability".into(), Dimension::Involuntariness, Severity::Medium)]
    );
}

#[test]
fn strong_indicators_are_high() {
    for (qid, answer, indicator) in [
        ("DM1", "Labour agent", "retention_of_identity_documents"),
        ("DM2", "No", "restriction_of_movement"),
        ("VG4", "Yes", "intimidation_threats"),
        ("VG5", "Physical or sexual abuse", "physical_sexual_violence"),
        ("RF2", "1", "debt_bondage"),
        ("WD1", "At the end of the season or contract", "withholding_of_wages"),
        ("WD9", "Yes", "withholding_of_wages"),
        ("WD11", "Yes", "debt_bondage"),
        ("MF1", "Yes", "abuse_of_vulnerability"),
    ] {
        let ev = eval(Sector::Manufacturing, &[(qid, answer)]);
        let f = coercion_or_involuntariness(&ev);
        assert_eq!(f.len(), 1, "{qid}: {f:?}");
        assert_eq!((f[0].0.as_str(), f[0].2), (indicator, Severity::High), "{qid}");
    }
    let ev = eval(Sector::Manufacturing, &[("VG5", "Verbal abuse only")]);
    assert_eq!(
        coercion_or_involuntariness(&ev),
        vec![("intimidation_threats".into(), Dimension::MenaceOfPenalty, Severity::Medium)]
    );
}

#[test]
fn recruitment_fees_use_manumits_stated_threshold() {
    let ev = eval(Sector::Agriculture, &[("RF1", "Yes"), ("RF2", "0.5")]);
    let f: Vec<_> = ev.findings.iter().filter(|f| f.indicator == "debt_bondage").collect();
    assert_eq!(f.len(), 2);
    assert!(f.iter().all(|f| f.severity == Severity::Medium && f.dimension == Dimension::MenaceOfPenalty));
    assert!(f.iter().all(|f| f.explanation.contains("workers pay no")), "{:?}", f[0].explanation);
    let ev = eval(Sector::Agriculture, &[("RF2", "1.5")]);
    let f = ev.findings.iter().find(|f| f.indicator == "debt_bondage").expect("RF2");
    assert_eq!(f.severity, Severity::High);
    assert!(f.explanation.contains("Manumit's threshold"), "{}", f.explanation);
    let help = &cat().for_sector(Sector::Agriculture).question("RF2").expect("RF2").help;
    assert!(help.contains("Manumit's threshold"), "{help}");
}

#[test]
fn child_labour_is_its_own_dimension_and_never_forced_labour_by_itself() {
    let cases: [(&str, &[&str]); 5] = [
        ("11", &["child_labour_under_minimum_age", "child_under_12"]),
        ("14", &["child_labour_under_minimum_age"]),
        ("15", &["child_labour_under_minimum_age"]),
        ("16", &[]),
        ("19", &[]),
    ];
    for (age, want) in cases {
        let ev = eval(Sector::Agriculture, &[("CL1", age)]);
        let got: Vec<&str> = ev
            .findings
            .iter()
            .filter(|f| f.dimension == Dimension::ChildLabour)
            .inspect(|f| assert_eq!(f.severity, Severity::High))
            .map(|f| f.indicator.as_str())
            .collect();
        assert_eq!(got, want, "age {age}");
        assert_eq!(coercion_or_involuntariness(&ev), vec![], "a child's age is not a forced-labour indicator");
        assert_eq!(ev.answers.get("CL1").map(String::as_str), Some(age));
        let young = ev.findings.iter().any(|f| f.indicator == "young_workers" && f.dimension == Dimension::Context);
        assert_eq!(young, age == "16", "age {age}");
    }
    let ev = eval(Sector::Agriculture, &[("CL1", "16"), ("CL3", "Yes")]);
    let f = ev.findings.iter().find(|f| f.indicator == "hazardous_child_labour").expect("CL3");
    assert_eq!((f.dimension, f.severity), (Dimension::ChildLabour, Severity::High));
    assert!(f.explanation.contains("C182"), "{}", f.explanation);
}

#[test]
fn xinjiang_not_known_is_a_medium_screening_finding_however_typed() {
    for typed in ["Not known", "not known", "Unknown", "Don't know"] {
        let ev = eval(Sector::Manufacturing, &[("ST3", typed)]);
        let f = ev.findings.iter().find(|f| f.indicator == "xinjiang_inputs").expect(typed);
        assert_eq!((f.dimension, f.severity), (Dimension::Screening, Severity::Medium), "{typed}");
        assert_eq!(ev.answers.get("ST3").map(String::as_str), Some("Not known"));
        assert!(!ev.unanswered_core.iter().any(|u| u.0 == "ST3"), "an answer, not a blank");
    }
    let ev = eval(Sector::Manufacturing, &[("ST3", "Yes")]);
    let f = ev.findings.iter().find(|f| f.indicator == "xinjiang_inputs").expect("Yes");
    assert_eq!((f.dimension, f.severity), (Dimension::Screening, Severity::High));
}

#[test]
fn known_answers_are_kept_by_question_id() {
    let q = cat().for_sector(Sector::Construction);
    let json = r#"{"cl1": 12, "CL3": "yes", "RF3": "35%", "DM1": "Employer", "RF1": "Unknown", "CI1": "2019-04-30"}"#;
    let answers = parse_json_answers(q, &serde_json::from_str(json).expect("json")).expect("valid");
    let ev = evaluate(q, &answers, &AnswerSource::Response);
    let want: Vec<(&str, &str)> =
        vec![("CI1", "2019-04-30"), ("CL1", "12"), ("CL3", "Yes"), ("DM1", "Employer"), ("RF3", "35%")];
    let got: Vec<(&str, &str)> = ev.answers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(got, want, "upper-case ids, display values, Unknown left out");
    assert!(ev.unanswered_core.iter().any(|u| u.0 == "RF1"));
}

/// Answers given against 1.0.0 keep 1.0.0's rules; the same answers against 2.0.0 get the new.
#[test]
fn archived_version_scores_by_its_own_rules() {
    let json = r#"{"HO2": "Per room or per task", "CL1": 13}"#;
    let run = |version: &str| {
        let q = cat().by_id_version("manumit-hospitality", version).expect(version);
        let a = parse_json_answers(q, &serde_json::from_str(json).expect("json")).expect("valid");
        let ev = evaluate(q, &a, &AnswerSource::Response);
        assert_eq!(ev.version, version);
        let mut got: Vec<(String, Dimension)> =
            ev.findings.iter().map(|f| (f.indicator.clone(), f.dimension)).collect();
        got.sort();
        got
    };
    let s = |x: &str| x.to_string();
    assert_eq!(
        run("1.0.0"),
        vec![
            (s("abuse_of_vulnerability"), Dimension::Involuntariness),
            (s("child_labour"), Dimension::Context),
            (s("excessive_overtime"), Dimension::Involuntariness),
        ]
    );
    assert_eq!(
        run("2.0.0"),
        vec![
            (s("child_labour_under_minimum_age"), Dimension::ChildLabour),
            (s("per_task_contract_pay"), Dimension::Context),
        ]
    );
}
