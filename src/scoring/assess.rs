//! Assessing one supplier (all four components, overrides, scores, actions, completeness,
//! inputs hash) and a whole organisation (networks detected once, then each target assessed).

use super::combine::{self, component, forced_labour_tier, front_business_tier, screening_tier};
use super::evidence::{self, field, finding};
use super::inputs_hash::{HashInput, Hashed, SharedColumns};
use super::network::{detect_network_details, network_findings, ClusterDetail};
use super::screening::{builtin_file, Decision, Screener, ScreeningDecision, Watchlist};
use super::{child, facts, fields, inherent, notes, xinjiang, FastMap, METHODOLOGY_VERSION};
use crate::domain::{
    Assessment, Basis, Components, Dimension, Evidence, EvidenceSource, Finding, NetworkCluster, QuestionnaireEvidence,
    ScreeningMatch, Severity, SupplierRecord, Tier, YesNo,
};
use chrono::NaiveDate;
use std::collections::{HashMap, HashSet};

/// Everything an organisation's scoring needs. `as_of` is "today" for recency rules (no clock).
pub struct OrgContext<'a> {
    pub suppliers: &'a [SupplierRecord],
    /// The organisation's own lists; the built-in lists are always added.
    pub watchlists: &'a [Watchlist],
    pub decisions: &'a [ScreeningDecision],
    /// Supplier id → its latest questionnaire, evaluated.
    pub questionnaires: &'a HashMap<String, QuestionnaireEvidence>,
    pub as_of: NaiveDate,
    /// The organisation's markets (ISO 3166 alpha-2 codes and `EU`); empty means every market.
    /// Law-dependent actions (hold shipments under the UFLPA, ...) follow them.
    pub markets: &'a [String],
}

/// Supplier-list fields counted as core items for completeness.
pub const CORE_SUPPLIER_FIELDS: &[&str] = &[
    "passports_held_by_employer",
    "recruitment_fees_paid_by_workers",
    "uses_labour_agency",
    "migrant_worker_pct",
    "beneficial_owners_disclosed",
    "incorporation_date",
    "address_type",
    "employee_count",
];

fn known(v: Option<YesNo>) -> bool {
    matches!(v, Some(YesNo::Yes | YesNo::No))
}

/// Share of core items answered: the core supplier fields plus the questionnaire's core questions.
pub fn completeness(s: &SupplierRecord, q: Option<&QuestionnaireEvidence>) -> f64 {
    let f = &s.fields;
    let answered = [
        known(f.passports_held_by_employer),
        known(f.recruitment_fees_paid_by_workers),
        known(f.uses_labour_agency),
        f.migrant_worker_pct.is_some(),
        known(f.beneficial_owners_disclosed),
        f.incorporation_date.is_some(),
        f.address_type.is_some(),
        f.employee_count.is_some(),
    ]
    .iter()
    .filter(|b| **b)
    .count() as f64;
    let (qa, qt) = q.map(|q| (q.core_answered.min(q.core_total) as f64, q.core_total as f64)).unwrap_or((0.0, 0.0));
    let total = CORE_SUPPLIER_FIELDS.len() as f64 + qt;
    ((answered + qa) / total * 1000.0).round() / 1000.0
}

fn questionnaire_unknowns(q: &QuestionnaireEvidence) -> Vec<Finding> {
    q.unanswered_core
        .iter()
        .map(|(qid, text, indicators)| {
            let inv = indicators
                .iter()
                .any(|i| matches!(i.as_str(), "deception" | "abusive_conditions" | "excessive_overtime"));
            let mut f = finding(
                "insufficient_evidence",
                if inv { Dimension::Involuntariness } else { Dimension::MenaceOfPenalty },
                Severity::Low,
                format!("Core question unanswered: {qid}"),
                format!(
                    "'{text}' was left blank or answered Unknown. Unknown is not 'no' (indicators: {}).",
                    indicators.join(", ")
                ),
                vec![Evidence {
                    question_id: Some(qid.clone()),
                    ..Evidence::new(EvidenceSource::Response, "blank or Unknown")
                }],
            );
            f.points = 6.0;
            f
        })
        .collect()
}

fn screening_findings(
    s: &SupplierRecord,
    screener: &Screener,
    decisions: &[ScreeningDecision],
) -> (Vec<Finding>, Vec<ScreeningMatch>) {
    let f = &s.fields;
    let mut names: Vec<&str> = vec![f.legal_name.as_str()];
    names.extend(f.trading_name.as_deref());
    let mut findings = Vec::new();
    let mut matches = Vec::new();
    for m in screener.screen(&names, f.country.as_ref()).into_iter().take(5) {
        let decision =
            decisions.iter().rev().find(|d| d.supplier_id == s.id && d.list == m.list && d.matched_entity == m.entity);
        let status = match decision.map(|d| d.decision) {
            Some(Decision::Confirmed) => "confirmed",
            Some(Decision::FalsePositive) => "false_positive",
            None => "needs_review",
        };
        matches.push(ScreeningMatch {
            list: m.list.clone(),
            edition: m.edition.clone(),
            matched_entity: m.entity.clone(),
            matched_name: m.supplier_name.clone(),
            score: m.score,
            strength: if m.strong { "strong" } else { "possible" }.to_string(),
            status: status.to_string(),
        });
        if status == "false_positive" {
            continue;
        }
        let severity = if m.strong || status == "confirmed" { Severity::High } else { Severity::Medium };
        let column =
            if f.trading_name.as_deref() == Some(m.supplier_name.as_str()) { "trading_name" } else { "legal_name" };
        let list_ev = Evidence {
            file: Some(builtin_file(&m.list).unwrap_or(&m.list).to_string()),
            edition: Some(m.edition.clone()),
            key: Some(m.entity.clone()),
            ..Evidence::new(
                EvidenceSource::Reference,
                format!("listed as '{}', similarity {:.3}", m.listed_name, m.score),
            )
        };
        let why = match decision {
            Some(d) => format!(" A reviewer confirmed the match: {}", d.reason),
            None => " Status needs_review until a person decides.".to_string(),
        };
        findings.push(finding(
            "entity_list_match",
            Dimension::Screening,
            severity,
            format!("{} match on {}: {}", if m.strong { "Strong" } else { "Possible" }, m.list, m.entity),
            format!(
                "Indicator of risk: the supplier name '{}' matches '{}' on the {} ({}).{why}",
                m.supplier_name, m.listed_name, m.list, m.edition
            ),
            vec![field(s, column, m.supplier_name.clone()), list_ev],
        ));
    }
    (findings, matches)
}

fn rule_finding(indicator: &str, dim: Dimension, title: &str, why: &str, from: &[&Finding]) -> Finding {
    let evidence: Vec<Evidence> = from.iter().flat_map(|f| f.evidence.iter().cloned()).collect();
    let mut f = finding(indicator, dim, Severity::High, title, why, evidence);
    f.points = 0.0;
    f
}

/// The person-level caveat of the ILO two-element test, stated wherever `forced_labour_likely`
/// is concluded.
pub const PERSON_LEVEL_CAVEAT: &str = "The ILO test concerns one worker; these indicators were collected for the \
supplier as a whole and may concern different workers. They are indicators of forced-labour risk that call for \
investigation, not a finding of forced labour.";

/// The findings of one supplier sorted into its components, before the rules.
#[derive(Default)]
struct Sorted {
    inherent: Vec<Finding>,
    forced_labour: Vec<Finding>,
    child_labour: Vec<Finding>,
    front_business: Vec<Finding>,
    screening: Vec<Finding>,
    /// The questionnaire's own Xinjiang-inputs findings (kept only where the rule counts them).
    xinjiang_answers: Vec<Finding>,
}

impl Sorted {
    fn push(&mut self, f: Finding) {
        match f.dimension {
            Dimension::Involuntariness | Dimension::MenaceOfPenalty | Dimension::Control => self.forced_labour.push(f),
            Dimension::Context | Dimension::Inherent => self.inherent.push(f),
            Dimension::FrontBusiness => self.front_business.push(f),
            Dimension::Screening if f.indicator == "xinjiang_inputs" => self.xinjiang_answers.push(f),
            Dimension::Screening => self.screening.push(f),
            Dimension::ChildLabour => self.child_labour.push(f),
        }
    }

    /// Places a finding shown in the component of `dimension`.
    fn push_into(&mut self, dimension: Dimension, f: Finding) {
        match dimension {
            Dimension::FrontBusiness => self.front_business.push(f),
            Dimension::Screening => self.screening.push(f),
            Dimension::ChildLabour => self.child_labour.push(f),
            Dimension::Inherent | Dimension::Context => self.inherent.push(f),
            _ => self.forced_labour.push(f),
        }
    }
}

/// Questionnaire unknowns whose indicators all concern child labour belong to that component.
fn is_child_item(indicators: &[String]) -> bool {
    !indicators.is_empty()
        && indicators.iter().all(|i| {
            i.starts_with("child_")
                || i == "hazardous_child_labour"
                || i == "young_workers"
                || i == "no_age_verification"
        })
}

/// Assesses one supplier. `network` is the cluster it belongs to (if any), `decisions` the
/// organisation's screening decisions (those of other suppliers are ignored), `columns` the
/// run's serialized column maps for the inputs hash (None: serialized in full; same hash).
#[allow(clippy::too_many_arguments)]
pub(super) fn assess(
    s: &SupplierRecord,
    questionnaire: Option<&QuestionnaireEvidence>,
    network: Option<&ClusterDetail>,
    screener: &Screener,
    decisions: &[ScreeningDecision],
    as_of: NaiveDate,
    markets: &[String],
    columns: Option<&SharedColumns<'_>>,
) -> Assessment {
    let (inh, inh_tier) = inherent::inherent(s);
    let mut sorted = Sorted { inherent: inh, ..Sorted::default() };
    let open_in_both = facts::open_in_both(s, questionnaire);
    let asked_again: Vec<&str> = open_in_both.iter().map(|(field, _)| *field).collect();
    for f in fields::forced_labour(s, &asked_again) {
        sorted.push(f);
    }
    for f in fields::front_business(s, as_of) {
        sorted.push(f);
    }
    if let Some(d) = network {
        sorted.front_business.extend(network_findings(s, d));
    }
    let (scr, screening_matches) = screening_findings(s, screener, decisions);
    sorted.screening.extend(scr);
    for f in notes::note_findings(s) {
        sorted.push(f);
    }
    if let Some(q) = questionnaire {
        for f in &q.findings {
            sorted.push(f.clone());
        }
        for mut f in questionnaire_unknowns(q) {
            let qid = f.evidence.first().and_then(|e| e.question_id.clone());
            if let Some((field, _)) = open_in_both.iter().find(|(_, question)| qid.as_deref() == Some(*question)) {
                f.evidence.push(evidence::field(s, field, "Unknown"));
                f.explanation.push_str(" The supplier list leaves the same item open; counted once.");
            }
            let child = q.unanswered_core.iter().any(|(id, _, ind)| {
                f.evidence.first().and_then(|e| e.question_id.as_deref()) == Some(id.as_str()) && is_child_item(ind)
            });
            if child {
                sorted.child_labour.push(Finding { dimension: Dimension::ChildLabour, ..f });
            } else {
                sorted.forced_labour.push(f);
            }
        }
    }
    for (dimension, f) in facts::inconsistencies(s, questionnaire) {
        sorted.push_into(dimension, f);
    }
    let xinjiang_answers = std::mem::take(&mut sorted.xinjiang_answers);
    sorted.screening.extend(xinjiang::uflpa_findings(s, questionnaire, xinjiang_answers));

    let mut fl = facts::merge_same_facts(sorted.forced_labour);
    let mut fb = facts::merge_same_facts(sorted.front_business);
    let scr = facts::merge_same_facts(sorted.screening);
    let inh = facts::merge_same_facts(sorted.inherent);
    let cl = child::child_labour(s, questionnaire, facts::merge_same_facts(sorted.child_labour), &fl);
    let controls = questionnaire.is_some_and(|q| !q.controls_in_place.is_empty());
    let ilo = forced_labour_tier(&fl.iter().collect::<Vec<_>>(), inh_tier, controls);
    let mut fb_tier = front_business_tier(&fb.iter().collect::<Vec<_>>());
    let men: Vec<&Finding> =
        fl.iter().filter(|f| f.dimension == Dimension::MenaceOfPenalty && combine::is_indicator(f)).collect();
    if fb_tier == Tier::High && !men.is_empty() {
        fb_tier = Tier::Critical;
        let mut from: Vec<&Finding> =
            fb.iter().filter(|f| f.dimension == Dimension::FrontBusiness && f.severity != Severity::Low).collect();
        from.extend(men.iter().copied());
        let rf = rule_finding(
            "front_business_with_coercion",
            Dimension::FrontBusiness,
            "Front-business risk high together with a coercion indicator",
            "Rule: front-business risk is high and at least one menace-of-penalty indicator is present, \
             so the front-business component is critical (a possible trafficking front combined with coercion).",
            &from,
        );
        fb.push(rf);
    }
    if ilo.forced_labour_likely {
        let from: Vec<&Finding> = fl.iter().filter(|f| combine::is_indicator(f)).collect();
        let rf = rule_finding(
            "ilo_involuntariness_and_coercion",
            Dimension::MenaceOfPenalty,
            "Indicators meet the ILO involuntariness + menace-of-penalty test",
            &format!(
                "Rule: at least one involuntariness and one menace-of-penalty indicator, one of them strong \
                 (ILO 2012; ICLS 2018 guidelines concerning the measurement of forced labour). {PERSON_LEVEL_CAVEAT}"
            ),
            &from,
        );
        fl.push(rf);
    }
    let scr_tier = screening_tier(&scr.iter().collect::<Vec<_>>());
    let scr_evidence: Vec<&Finding> = scr.iter().filter(|f| combine::is_evidence(f)).collect();
    let scr_evidence_tier = screening_tier(&scr_evidence);
    let components = Components {
        inherent: component(inh_tier, &inh.iter().collect::<Vec<_>>()),
        forced_labour: component(ilo.tier, &fl.iter().collect::<Vec<_>>()),
        front_business: component(fb_tier, &fb.iter().collect::<Vec<_>>()),
        screening: component(scr_tier, &scr.iter().collect::<Vec<_>>()),
        child_labour: Some(component(cl.tier, &cl.findings.iter().collect::<Vec<_>>())),
    };
    let tier = inh_tier.max(ilo.tier).max(fb_tier).max(scr_tier).max(cl.tier);
    let evidence_tier = ilo.tier.max(fb_tier).max(scr_evidence_tier).max(cl.tier);
    let mut findings = Vec::with_capacity(inh.len() + fl.len() + fb.len() + scr.len() + cl.findings.len());
    findings.extend(inh);
    findings.extend(fl);
    findings.extend(cl.findings);
    findings.extend(fb);
    findings.extend(scr);
    let any_evidence = findings.iter().any(combine::is_evidence);
    let basis = if evidence_tier >= tier && any_evidence { Basis::Evidence } else { Basis::Context };
    let points: f64 = findings.iter().map(|f| f.points).sum();
    let relevant: Vec<&ScreeningDecision> = decisions.iter().filter(|d| d.supplier_id == s.id).collect();
    let input = HashInput {
        methodology_version: METHODOLOGY_VERSION,
        as_of,
        supplier: columns.map_or_else(|| Hashed::plain(s), |c| c.record(s)),
        questionnaire,
        network: network.map(|d| d.digest.as_str()),
        decisions: relevant,
        lists: screener.lists(),
        org_watchlists_sha256: screener.fingerprint(),
        markets,
    };
    let inputs_hash = input.sha256();
    let indicators: Vec<&str> =
        findings.iter().filter(|f| combine::is_evidence(f)).map(|f| f.indicator.as_str()).collect();
    let recommended_actions = combine::recommended_actions(tier, basis, markets, &indicators);
    Assessment {
        methodology_version: METHODOLOGY_VERSION.to_string(),
        tier,
        overall: combine::overall_score(tier, basis, points),
        forced_labour_likely: ilo.forced_labour_likely || cl.forced_labour_likely,
        basis: Some(basis),
        components,
        completeness: completeness(s, questionnaire),
        recommended_actions,
        findings,
        screening_matches,
        reference_editions: screener.editions().clone(),
        inputs_hash,
    }
}

/// Detects networks over all suppliers once, then assesses each target (all when `targets` is
/// empty; unknown ids are skipped). Returns the assessments in supplier order, and all clusters.
pub fn assess_org(ctx: &OrgContext, targets: &[&str]) -> (Vec<(String, Assessment)>, Vec<NetworkCluster>) {
    let mut out = Vec::new();
    let want: Option<HashSet<&str>> = (!targets.is_empty()).then(|| targets.iter().copied().collect());
    let clusters = assess_each(ctx, want.as_ref(), false, |s, _, a| {
        out.push((s.id.clone(), a));
        Ok::<(), std::convert::Infallible>(())
    });
    let Ok(clusters) = clusters;
    (out, clusters)
}

/// Assesses every supplier (`targets` None) or the targets and, when `with_peers`, every
/// supplier that shares a network with a target (a new link changes their evidence too).
/// Networks are detected once. Each assessment goes to `sink` (supplier, is a target,
/// assessment) in supplier order as soon as it is made, so a caller can store them in batches
/// without holding them all; the first error stops the run. Returns all clusters.
pub fn assess_each<E>(
    ctx: &OrgContext,
    targets: Option<&HashSet<&str>>,
    with_peers: bool,
    mut sink: impl FnMut(&SupplierRecord, bool, Assessment) -> Result<(), E>,
) -> Result<Vec<NetworkCluster>, E> {
    let run = OrgRun::new(ctx, targets, with_peers);
    for i in 0..run.len() {
        if let Some((s, is_target, a)) = run.assess(i) {
            sink(s, is_target, a)?;
        }
    }
    Ok(run.into_clusters())
}

/// One scoring run over an organisation: what every assessment shares (the networks, detected
/// once; the screener; the screening decisions by supplier; which suppliers to assess), made
/// once. [`OrgRun::assess`] takes `&self`, so threads can share one run and assess different
/// suppliers at the same time.
pub struct OrgRun<'a> {
    ctx: &'a OrgContext<'a>,
    screener: Screener,
    details: Vec<ClusterDetail>,
    /// Member id → its cluster in `details`.
    cluster_of: FastMap<String, usize>,
    decisions: FastMap<&'a str, Vec<ScreeningDecision>>,
    targets: Option<&'a HashSet<&'a str>>,
    /// The clusters that hold a target: their other members are assessed too.
    peer_clusters: HashSet<usize>,
    /// Each upload's column map, serialized once for the inputs hashes.
    columns: SharedColumns<'a>,
}

impl<'a> OrgRun<'a> {
    /// See [`assess_each`] for `targets` and `with_peers`.
    pub fn new(ctx: &'a OrgContext<'a>, targets: Option<&'a HashSet<&'a str>>, with_peers: bool) -> OrgRun<'a> {
        let details = detect_network_details(ctx.suppliers);
        let mut cluster_of: FastMap<String, usize> = FastMap::default();
        for (i, d) in details.iter().enumerate() {
            for m in &d.cluster.suppliers {
                cluster_of.insert(m.id.clone(), i);
            }
        }
        let mut decisions: FastMap<&str, Vec<ScreeningDecision>> = FastMap::default();
        for d in ctx.decisions {
            decisions.entry(d.supplier_id.as_str()).or_default().push(d.clone());
        }
        let peer_clusters = match targets {
            Some(t) if with_peers => t.iter().filter_map(|id| cluster_of.get(*id).copied()).collect(),
            _ => HashSet::new(),
        };
        OrgRun {
            ctx,
            screener: Screener::new(ctx.watchlists),
            details,
            cluster_of,
            decisions,
            targets,
            peer_clusters,
            columns: SharedColumns::of(ctx.suppliers),
        }
    }

    /// The number of suppliers of the organisation (assessed or not).
    pub fn len(&self) -> usize {
        self.ctx.suppliers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ctx.suppliers.is_empty()
    }

    /// The assessment of the organisation's `i`-th supplier, with whether it is a target; None
    /// when this run does not assess it.
    pub fn assess(&self, i: usize) -> Option<(&'a SupplierRecord, bool, Assessment)> {
        let s = self.ctx.suppliers.get(i)?;
        let id = s.id.as_str();
        let cluster = self.cluster_of.get(id).copied();
        let is_target = self.targets.is_none_or(|t| t.contains(id));
        if !is_target && !cluster.is_some_and(|c| self.peer_clusters.contains(&c)) {
            return None;
        }
        let a = assess(
            s,
            self.ctx.questionnaires.get(&s.id),
            cluster.and_then(|c| self.details.get(c)),
            &self.screener,
            self.decisions.get(id).map(Vec::as_slice).unwrap_or(&[]),
            self.ctx.as_of,
            self.ctx.markets,
            Some(&self.columns),
        );
        Some((s, is_target, a))
    }

    /// Every cluster of the organisation.
    pub fn into_clusters(self) -> Vec<NetworkCluster> {
        self.details.into_iter().map(|d| d.cluster).collect()
    }
}
