//! The scenario table of methodology 2 (`tests/fixtures/scenarios/methodology_v2.toml`): named
//! suppliers with the conclusion an expert expects, run through the real pipeline — the list
//! row read by the ingest as a CSV upload, the answers checked and evaluated against the
//! sector's questionnaire, then the organisation scored. Shared by the unit test here, the HTTP
//! test (tests/api) and the worked examples of docs/METHODOLOGY.md.

use crate::questionnaire::{matches, AnswerType, AnswerValue, SectorQuestionnaire};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The table, embedded.
pub const TABLE: &str = include_str!("../../tests/fixtures/scenarios/methodology_v2.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    pub scenario: Vec<Scenario>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub id: String,
    pub name: String,
    /// The sector cell as written (a label, not necessarily a canonical id).
    pub sector: String,
    pub country: String,
    pub commodity: String,
    /// The legal name, when the scenario is about the name itself (screening); else `name`.
    pub legal_name: Option<String>,
    #[serde(default)]
    pub list: BTreeMap<String, String>,
    pub notes: Option<String>,
    /// `clean` or `none`.
    pub questionnaire: String,
    #[serde(default)]
    pub answers: BTreeMap<String, String>,
    pub why: String,
    pub expect: Expect,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    pub tier: String,
    pub basis: String,
    pub forced_labour_likely: bool,
    /// Indicators that must be among the top three drivers.
    pub drivers: Vec<String>,
    /// Indicators that must be among the findings.
    #[serde(default)]
    pub has: Vec<String>,
    /// Indicators that must appear exactly once, with more than one evidence item.
    #[serde(default)]
    pub once: Vec<String>,
}

impl Scenario {
    pub fn legal_name(&self) -> String {
        self.legal_name.clone().unwrap_or_else(|| self.name.clone())
    }
}

pub fn table() -> Table {
    toml::from_str(TABLE).unwrap_or_else(|e| panic!("scenario table: {e}"))
}

/// The supplier list of every scenario as a CSV, one row each, `external_ref` = scenario id.
pub fn list_csv(t: &Table) -> String {
    let mut extra: Vec<&str> = t.scenario.iter().flat_map(|s| s.list.keys().map(String::as_str)).collect();
    extra.sort_unstable();
    extra.dedup();
    let mut header = vec!["external_ref", "legal_name", "country", "sector", "commodity", "notes"];
    header.extend(extra.iter().copied());
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(&header);
    for s in &t.scenario {
        let mut row = vec![
            s.id.clone(),
            s.legal_name(),
            s.country.clone(),
            s.sector.clone(),
            s.commodity.clone(),
            s.notes.clone().unwrap_or_default(),
        ];
        row.extend(extra.iter().map(|k| s.list.get(*k).cloned().unwrap_or_default()));
        let _ = w.write_record(&row);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The answers a scenario sends: every question of the questionnaire answered with no indicator
/// (for `clean`), then the scenario's own answers on top.
pub fn answers(s: &Scenario, q: &SectorQuestionnaire) -> BTreeMap<String, String> {
    let mut m = if s.questionnaire == "clean" { clean_answers(q) } else { BTreeMap::new() };
    m.extend(s.answers.iter().map(|(k, v)| (k.clone(), v.clone())));
    m
}

/// An answer to every question that triggers no indicator: the supplier with nothing adverse
/// to report (plausible values where "no indicator" alone would be odd: 48 hours a week).
pub fn clean_answers(q: &SectorQuestionnaire) -> BTreeMap<String, String> {
    let plausible: &[(&str, &str)] = &[("HR1", "48"), ("HS4", "6"), ("CI5", "120"), ("CL1", "19"), ("WD3", "100")];
    let mut m = BTreeMap::new();
    for (_, x) in q.questions() {
        let quiet = |v: &AnswerValue| !x.indicators.iter().any(|i| matches(&i.when, v, None));
        let v = match x.answer_type {
            AnswerType::YesNo => if quiet(&AnswerValue::Yes) { "Yes" } else { "No" }.to_string(),
            AnswerType::Choice => x
                .choices
                .iter()
                .flatten()
                .find(|c| quiet(&AnswerValue::Choice((*c).clone())))
                .cloned()
                .unwrap_or_default(),
            AnswerType::Number => "0".to_string(),
            AnswerType::Percent => "0".to_string(),
            AnswerType::Date => "2005-06-01".to_string(),
            AnswerType::Text => "none".to_string(),
        };
        m.insert(x.id.clone(), v);
    }
    for (k, v) in plausible {
        if m.contains_key(*k) {
            m.insert((*k).to_string(), (*v).to_string());
        }
    }
    m
}

/// The worked-examples table of docs/METHODOLOGY.md.
pub fn render_markdown(t: &Table) -> String {
    let mut out = String::from(
        "| # | Supplier | Sector, country, goods | Inputs | Tier | Basis | FL likely | Top drivers | Why |\n\
         |---|---|---|---|---|---|---|---|---|\n",
    );
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    for s in &t.scenario {
        let mut inputs: Vec<String> = s.list.iter().map(|(k, v)| format!("{k} = {v}")).collect();
        if let Some(n) = &s.notes {
            inputs.push(format!("notes: “{n}”"));
        }
        match s.questionnaire.as_str() {
            "clean" if s.answers.is_empty() => inputs.push("questionnaire: all clean".into()),
            "clean" => inputs.push(format!(
                "questionnaire: clean except {}",
                s.answers.iter().map(|(k, v)| format!("{k} = {v}")).collect::<Vec<_>>().join(", ")
            )),
            _ => inputs.push("no questionnaire".into()),
        }
        let e = &s.expect;
        out.push_str(&format!(
            "| {} | {} | {}, {}, {} | {} | {} | {} | {} | {} | {} |\n",
            s.id,
            cell(&s.name),
            cell(&s.sector),
            cell(&s.country),
            cell(&s.commodity),
            cell(&inputs.join("; ")),
            e.tier,
            e.basis,
            if e.forced_labour_likely { "yes" } else { "no" },
            e.drivers.join(", "),
            cell(&s.why),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Assessment, Basis, QuestionnaireEvidence, SupplierRecord, Tier};
    use crate::ingest::{self, Limits, RowOutcome};
    use crate::questionnaire::{catalogue, evaluate_as_of, parse_json_answers, AnswerSource};
    use crate::scoring::{assess_org, drivers::top_drivers, OrgContext};
    use chrono::NaiveDate;
    use std::collections::HashMap;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 8).unwrap_or_default()
    }

    /// Every scenario scored through the real pipeline, with its assessment (Err: the row's
    /// rejection).
    fn run() -> Vec<(Scenario, Result<Assessment, String>)> {
        let t = table();
        let csv = list_csv(&t);
        let wb = ingest::read_workbook(csv.as_bytes(), &Limits::default()).expect("the scenario list reads");
        let list = ingest::map_supplier_list(&wb, None, today()).expect("the scenario list maps");
        let sources = ingest::RowSources::new(&list.columns, "scenarios", "scenarios.csv");
        let mut suppliers = Vec::new();
        let mut rejected: HashMap<String, String> = HashMap::new();
        for (r, s) in list.rows.iter().zip(&t.scenario) {
            match &r.outcome {
                RowOutcome::Accepted { fields, .. } => suppliers.push(SupplierRecord {
                    id: fields.external_ref.clone().unwrap_or_default(),
                    fields: fields.clone(),
                    source: sources.source(r.row, &r.raw),
                }),
                RowOutcome::Rejected { errors } => {
                    let why: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
                    rejected.insert(s.id.clone(), format!("row {} rejected: {}", r.row, why.join("; ")));
                }
            }
        }
        let cat = catalogue().expect("questionnaires load");
        let mut qs: HashMap<String, QuestionnaireEvidence> = HashMap::new();
        for s in &t.scenario {
            if s.questionnaire == "none" {
                continue;
            }
            let Some(sup) = suppliers.iter().find(|x| x.id == s.id) else { continue };
            let q = cat.for_sector(sup.fields.sector.expect("a sector"));
            let json: serde_json::Map<String, serde_json::Value> =
                answers(s, q).into_iter().map(|(k, v)| (k, serde_json::Value::String(v))).collect();
            let parsed = parse_json_answers(q, &json).unwrap_or_else(|e| panic!("{}: answers refused: {e:?}", s.id));
            qs.insert(s.id.clone(), evaluate_as_of(q, &parsed, &AnswerSource::Response, Some(today())));
        }
        let ctx = OrgContext {
            suppliers: &suppliers,
            watchlists: &[],
            decisions: &[],
            questionnaires: &qs,
            as_of: today(),
            markets: &[],
        };
        let (assessed, _) = assess_org(&ctx, &[]);
        let by_id: HashMap<String, Assessment> = assessed.into_iter().collect();
        t.scenario
            .into_iter()
            .map(|s| {
                let a = by_id.get(&s.id).cloned().ok_or_else(|| rejected.get(&s.id).cloned().unwrap_or_default());
                (s, a)
            })
            .collect()
    }

    /// What a scenario's assessment concludes, in the table's words; empty when it matches.
    pub fn mismatches(s: &Scenario, a: &Assessment) -> Vec<String> {
        let e = &s.expect;
        let mut bad = Vec::new();
        let basis = a.basis.map(Basis::as_str).unwrap_or("-");
        if a.tier.as_str() != e.tier || basis != e.basis || a.forced_labour_likely != e.forced_labour_likely {
            bad.push(format!(
                "concluded {} / {basis} / likely={} (expected {} / {} / likely={})",
                a.tier, a.forced_labour_likely, e.tier, e.basis, e.forced_labour_likely
            ));
        }
        let top: Vec<&str> = top_drivers(a, 3).iter().map(|f| f.indicator.as_str()).collect();
        for d in &e.drivers {
            if !top.contains(&d.as_str()) {
                bad.push(format!("driver {d} not in the top three {top:?}"));
            }
        }
        for h in &e.has {
            if !a.findings.iter().any(|f| &f.indicator == h) {
                bad.push(format!("no finding {h}"));
            }
        }
        for o in &e.once {
            let n: Vec<_> = a.findings.iter().filter(|f| &f.indicator == o).collect();
            if n.len() != 1 || n[0].evidence.len() < 2 {
                bad.push(format!("{o}: {} findings, expected one with every source's evidence", n.len()));
            }
        }
        bad
    }

    #[test]
    fn scenario_table_conclusions_hold() {
        let results = run();
        assert!(results.len() >= 40, "at least 40 scenarios");
        let mut failed = Vec::new();
        for (s, a) in &results {
            let found = match a {
                Ok(a) => mismatches(s, a),
                Err(e) => vec![e.clone()],
            };
            for m in found {
                failed.push(format!("{} {}: {m}", s.id, s.name));
            }
        }
        assert!(failed.is_empty(), "{} scenario conclusions changed:\n{}", failed.len(), failed.join("\n"));
        // Every sector is covered.
        for p in ["M", "A", "C", "H"] {
            assert!(results.iter().filter(|(s, _)| s.id.starts_with(p)).count() >= 8, "{p}");
        }
    }

    #[test]
    fn scenario_scores_order_tiers_and_put_evidence_above_context() {
        let results: Vec<(Scenario, Assessment)> =
            run().into_iter().filter_map(|(s, a)| a.ok().map(|a| (s, a))).collect();
        for (s1, a1) in &results {
            for (s2, a2) in &results {
                let (b1, b2) = (a1.basis.unwrap_or(Basis::Context), a2.basis.unwrap_or(Basis::Context));
                if a1.tier > a2.tier || (a1.tier == a2.tier && b1 == Basis::Evidence && b2 == Basis::Context) {
                    assert!(
                        a1.overall > a2.overall,
                        "{} ({}) must score above {} ({})",
                        s1.id,
                        a1.overall,
                        s2.id,
                        a2.overall
                    );
                }
            }
        }
        // The passport holder outranks the legitimate hotel.
        let score = |id: &str| results.iter().find(|(s, _)| s.id == id).map(|(_, a)| a.overall).unwrap_or_default();
        assert!(score("H02") > score("H01"));
        // Context-only highs never say "no new orders" or "hold shipments".
        for (s, a) in &results {
            if a.basis == Some(Basis::Context) {
                assert!(
                    !a.recommended_actions.iter().any(|x| x.contains("No new orders") || x.contains("Hold shipments")),
                    "{}: {:?}",
                    s.id,
                    a.recommended_actions
                );
            }
            assert_eq!(a.methodology_version, crate::scoring::METHODOLOGY_VERSION);
            assert!(a.components.child_labour.is_some());
            if a.tier == Tier::Critical {
                assert_eq!(a.basis, Some(Basis::Evidence), "{}: a critical tier always rests on evidence", s.id);
            }
        }
    }

    #[test]
    fn docs_methodology_worked_examples_are_up_to_date() {
        let want = render_markdown(&table());
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/METHODOLOGY.md");
        let have = std::fs::read_to_string(path).unwrap_or_default();
        let (start, end) = ("<!-- scenarios:start -->\n", "<!-- scenarios:end -->");
        let (Some(i), Some(j)) = (have.find(start), have.find(end)) else {
            panic!("docs/METHODOLOGY.md has no {start:?} … {end:?} markers");
        };
        let current = &have[i + start.len()..j];
        if current != want && std::env::var("MANUMIT_WRITE_DOCS").is_ok() {
            let updated = format!("{}{want}{}", &have[..i + start.len()], &have[j..]);
            std::fs::write(path, updated).expect("write docs");
            return;
        }
        assert!(
            current == want,
            "docs/METHODOLOGY.md worked examples are out of date: run MANUMIT_WRITE_DOCS=1 cargo test --lib scenario"
        );
    }
}
