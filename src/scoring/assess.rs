//! Assessing one supplier (all four components, overrides, scores, actions, completeness,
//! inputs hash) and a whole organisation (networks detected once, then each target assessed).

use super::combine::{self, component, forced_labour_tier, front_business_tier, screening_tier};
use super::evidence::{field, finding};
use super::inputs_hash::{HashInput, Hashed, SharedColumns};
use super::network::{detect_network_details, network_findings, ClusterDetail};
use super::screening::{builtin_file, Decision, Screener, ScreeningDecision, Watchlist};
use super::{fields, inherent, FastMap, METHODOLOGY_VERSION};
use crate::domain::{
    Assessment, Components, Dimension, Evidence, EvidenceSource, Finding, NetworkCluster, QuestionnaireEvidence,
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

/// Assesses one supplier. `network` is the cluster it belongs to (if any), `decisions` the
/// organisation's screening decisions (those of other suppliers are ignored), `columns` the
/// run's serialized column maps for the inputs hash (None: serialized in full; same hash).
pub(super) fn assess(
    s: &SupplierRecord,
    questionnaire: Option<&QuestionnaireEvidence>,
    network: Option<&ClusterDetail>,
    screener: &Screener,
    decisions: &[ScreeningDecision],
    as_of: NaiveDate,
    columns: Option<&SharedColumns<'_>>,
) -> Assessment {
    let (mut inh, inh_tier) = inherent::inherent(s);
    let mut fl = fields::forced_labour(s);
    let mut fb = fields::front_business(s, as_of);
    if let Some(d) = network {
        fb.extend(network_findings(s, d));
    }
    let (mut scr, screening_matches) = screening_findings(s, screener, decisions);
    scr.extend(fields::xinjiang(s));
    if let Some(q) = questionnaire {
        for f in &q.findings {
            match f.dimension {
                Dimension::Involuntariness | Dimension::MenaceOfPenalty | Dimension::Control => fl.push(f.clone()),
                Dimension::Context | Dimension::Inherent => inh.push(f.clone()),
                Dimension::FrontBusiness => fb.push(f.clone()),
                Dimension::Screening => scr.push(f.clone()),
                Dimension::ChildLabour => fl.push(f.clone()),
            }
        }
        fl.extend(questionnaire_unknowns(q));
    }
    let controls = questionnaire.is_some_and(|q| !q.controls_in_place.is_empty());
    let ilo = forced_labour_tier(&fl.iter().collect::<Vec<_>>(), inh_tier, controls);
    let mut fb_tier = front_business_tier(&fb.iter().collect::<Vec<_>>());
    let men: Vec<&Finding> = fl
        .iter()
        .filter(|f| f.dimension == Dimension::MenaceOfPenalty && f.indicator != "insufficient_evidence")
        .collect();
    if fb_tier == Tier::High && !men.is_empty() {
        fb_tier = Tier::Critical;
        let mut from: Vec<&Finding> = fb.iter().filter(|f| f.severity != Severity::Low).collect();
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
        let from: Vec<&Finding> = fl
            .iter()
            .filter(|f| {
                f.indicator != "insufficient_evidence"
                    && matches!(f.dimension, Dimension::Involuntariness | Dimension::MenaceOfPenalty)
            })
            .collect();
        let rf = rule_finding(
            "ilo_involuntariness_and_coercion",
            Dimension::MenaceOfPenalty,
            "Indicators meet the ILO involuntariness + coercion test",
            "Rule: at least one involuntariness and one menace-of-penalty indicator, one of them strong (ILO 2012). \
             These are indicators of forced-labour risk, not a finding of forced labour.",
            &from,
        );
        fl.push(rf);
    }
    let scr_tier = screening_tier(&scr.iter().collect::<Vec<_>>());
    let components = Components {
        inherent: component(inh_tier, &inh.iter().collect::<Vec<_>>()),
        forced_labour: component(ilo.tier, &fl.iter().collect::<Vec<_>>()),
        front_business: component(fb_tier, &fb.iter().collect::<Vec<_>>()),
        screening: component(scr_tier, &scr.iter().collect::<Vec<_>>()),
        child_labour: None,
    };
    let tier = inh_tier.max(ilo.tier).max(fb_tier).max(scr_tier);
    let mut findings = Vec::with_capacity(inh.len() + fl.len() + fb.len() + scr.len());
    findings.extend(inh);
    findings.extend(fl);
    findings.extend(fb);
    findings.extend(scr);
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
    };
    let inputs_hash = input.sha256();
    Assessment {
        methodology_version: METHODOLOGY_VERSION.to_string(),
        tier,
        overall: combine::score(tier, points, combine::K_OVERALL),
        forced_labour_likely: ilo.forced_labour_likely,
        basis: None,
        components,
        completeness: completeness(s, questionnaire),
        recommended_actions: combine::recommended_actions(tier),
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
            Some(&self.columns),
        );
        Some((s, is_target, a))
    }

    /// Every cluster of the organisation.
    pub fn into_clusters(self) -> Vec<NetworkCluster> {
        self.details.into_iter().map(|d| d.cluster).collect()
    }
}
