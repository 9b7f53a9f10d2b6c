//! The `Regulatory map`: which kinds of finding bear on which law, with counts in this scope.
//!
//! One row per (kind of finding × law), not per supplier finding: with 100k suppliers a
//! per-finding map would be millions of rows nobody reads. Each row says where to look
//! (the Findings sheet filtered by dimension or indicator) so every count can be traced.

use super::cell::Styles;
use super::{due_days, ReportInput};
use crate::domain::{Dimension, Finding, IloIndicator, Tier};
use rust_xlsxwriter::{Note, Workbook, XlsxError};

pub const REGULATORY_HEADERS: [&str; 8] = [
    "Finding group",
    "Law",
    "Provision",
    "Why it bears on the law",
    "Findings in scope",
    "Suppliers in scope",
    "Highest tier",
    "Where to look",
];

pub const NOTE: &str = "One row per kind of finding and law. Counts are for the suppliers in this \
workbook's scope; filter the Findings sheet as 'Where to look' says to see each finding and its \
evidence. The mapping is the analyst's guide to which documentation each finding feeds; it is \
not legal advice, and an indicator of risk is not a finding of forced labour.";

const UFLPA: &str = "US UFLPA (Pub. L. 117-78) / Tariff Act s.307";
const EU_FLR: &str = "EU Forced Labour Regulation (EU) 2024/3015";
const LKSG: &str = "German LkSG";
const UK_MSA: &str = "UK Modern Slavery Act 2015";
const AU_MSA: &str = "Australian Modern Slavery Act 2018";
const CA_S211: &str = "Canada S-211 (Fighting Against Forced Labour and Child Labour in Supply Chains Act)";
const CA_TISCA: &str = "California Transparency in Supply Chains Act (Civ. Code s.1714.43)";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    Ilo,
    Child,
    Front,
    Xinjiang,
    EntityList,
    Inherent,
    Controls,
    Remediation,
}

impl Group {
    fn label(self) -> &'static str {
        match self {
            Group::Ilo => "ILO forced-labour indicators",
            Group::Child => "Child labour indicators",
            Group::Front => "Front-business indicators",
            Group::Xinjiang => "Xinjiang (XUAR) origin",
            Group::EntityList => "Entity-list screening",
            Group::Inherent => "Inherent country / sector / commodity risk",
            Group::Controls => "Mitigating controls",
            Group::Remediation => "Corrective actions (medium tier and above)",
        }
    }
    fn where_to_look(self) -> &'static str {
        match self {
            Group::Ilo => "Findings: Dimension = involuntariness or menace_of_penalty; ILO indicators sheet",
            Group::Child => "Findings: Indicator contains 'child'",
            Group::Front => "Findings: Dimension = front_business; Networks sheet",
            Group::Xinjiang => "Findings: Dimension = screening, Indicator or Finding mentions Xinjiang",
            Group::EntityList => "Screening sheet; Findings: Dimension = screening",
            Group::Inherent => "Findings: Dimension = inherent or context",
            Group::Controls => "Findings: Dimension = control",
            Group::Remediation => "Corrective actions sheet",
        }
    }
    fn matches(self, f: &Finding) -> bool {
        let mentions = |w: &[&str]| w.iter().any(|x| contains_ci(&f.indicator, x) || contains_ci(&f.title, x));
        match self {
            Group::Ilo => {
                IloIndicator::from_id(&f.indicator).is_some()
                    || matches!(f.dimension, Dimension::Involuntariness | Dimension::MenaceOfPenalty)
            }
            Group::Child => contains_ci(&f.indicator, "child"),
            Group::Front => f.dimension == Dimension::FrontBusiness,
            Group::Xinjiang => {
                IloIndicator::from_id(&f.indicator).is_none() && mentions(&["xinjiang", "xuar", "uyghur"])
            }
            Group::EntityList => f.dimension == Dimension::Screening && !mentions(&["xinjiang", "xuar", "uyghur"]),
            Group::Inherent => matches!(f.dimension, Dimension::Inherent | Dimension::Context),
            Group::Controls => f.dimension == Dimension::Control,
            Group::Remediation => false,
        }
    }
}

/// ASCII case-insensitive substring test without allocating (`needle` is lower case).
fn contains_ci(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

/// (group, law, provision, why it bears).
const MAP: &[(Group, &str, &str, &str)] = &[
    (Group::Ilo, UFLPA, "19 USC 1307; CBP withhold release orders", "CBP applies the ILO indicators when it decides whether imported goods were made with forced labour."),
    (Group::Ilo, EU_FLR, "Art. 3 prohibition; forced labour as defined by ILO C29", "Authorities' risk-based assessment looks for indicators of forced labour in the product's supply chain."),
    (Group::Ilo, LKSG, "s.2(2) no. 3 (forced labour); s.5 risk analysis; s.7 remedial action", "A prohibited practice under the Act: the risk analysis must record it and remedial action must follow."),
    (Group::Ilo, UK_MSA, "s.54(5)(d) risk parts of the supply chain", "The statement may describe where slavery and trafficking risks lie and how they are assessed and managed."),
    (Group::Ilo, AU_MSA, "s.16(1)(c) risks; s.16(1)(d) actions taken", "Mandatory criteria: describe modern-slavery risks and the actions taken to assess and address them."),
    (Group::Ilo, CA_S211, "s.11(3)(c) parts at risk; s.11(3)(d) remediation", "The annual report must name the parts of the supply chain at risk of forced labour and the steps taken."),
    (Group::Ilo, CA_TISCA, "s.1714.43(c)(1) verification; (c)(2) audits", "Disclosure of how supply chains are verified and audited for trafficking and slavery risk."),
    (Group::Child, LKSG, "s.2(2) nos. 1-2 (child labour)", "Child labour is a prohibited practice to be covered by the risk analysis."),
    (Group::Child, CA_S211, "s.11(3)(c)-(e) child labour and loss of income", "S-211 covers child labour explicitly, including remediation of lost family income."),
    (Group::Child, EU_FLR, "Art. 2 forced labour incl. forced child labour", "Forced child labour falls under the product ban."),
    (Group::Front, EU_FLR, "Risk-based assessment by competent authorities", "Front and shell companies hide who really makes the product; authorities weigh nearness and traceability."),
    (Group::Front, LKSG, "s.5 risk analysis (direct suppliers)", "Front-business signs call the identity and conduct of the direct supplier into question."),
    (Group::Front, UK_MSA, "s.54(5)(c) due diligence", "Due diligence processes should detect labour-supply fronts and third-party payees."),
    (Group::Front, AU_MSA, "s.16(1)(c)-(d) risks and due diligence", "A trafficking front is a modern-slavery risk to describe and act on."),
    (Group::Front, CA_S211, "s.11(3)(b)-(c) due diligence, parts at risk", "Due diligence on the identity of suppliers and where risk lies."),
    (Group::Front, CA_TISCA, "s.1714.43(c)(1) verification", "Verification of the supply chain includes checking that suppliers are genuine."),
    (Group::Xinjiang, UFLPA, "s.3 rebuttable presumption (XUAR)", "Goods made wholly or in part in Xinjiang are presumed made with forced labour unless the importer rebuts with clear and convincing evidence."),
    (Group::Xinjiang, EU_FLR, "Database of risk areas incl. state-imposed forced labour", "State-imposed forced labour in a region is a risk factor the Commission's database records."),
    (Group::Xinjiang, LKSG, "s.5 risk analysis", "A region with state-imposed forced labour is a concrete risk to the supply chain."),
    (Group::EntityList, UFLPA, "s.3 presumption (UFLPA Entity List); 19 USC 1307 WROs", "Goods from a listed entity are presumed made with forced labour; a WRO detains goods at the border."),
    (Group::EntityList, EU_FLR, "Risk-based assessment; information submission point", "A listed or sanctioned producer is a strong signal for authorities' preliminary phase."),
    (Group::EntityList, LKSG, "s.5 risk analysis", "A match is substantiated knowledge of risk that must be analysed."),
    (Group::Inherent, EU_FLR, "Database of risk areas and products", "Country and product risk are the authorities' starting point."),
    (Group::Inherent, LKSG, "s.5 risk analysis (abstract risk)", "Country and sector risk are the abstract part of the annual risk analysis."),
    (Group::Inherent, UK_MSA, "s.54(5)(d) risk parts of the supply chain", "Where the supply chain meets high-risk countries and sectors."),
    (Group::Inherent, AU_MSA, "s.16(1)(b)-(c) supply chains and risks", "Describe supply chains and their risk of modern slavery."),
    (Group::Inherent, CA_S211, "s.11(3)(a), (c) structure and parts at risk", "Describe the supply chain and the parts at risk."),
    (Group::Controls, LKSG, "s.6 preventive measures; s.8 complaints procedure", "Controls in place (grievance channel, payslips, age checks) are preventive measures."),
    (Group::Controls, UK_MSA, "s.54(5)(b), (e) policies and effectiveness", "Controls are the policies whose effectiveness the statement reports."),
    (Group::Controls, AU_MSA, "s.16(1)(e) effectiveness", "How the entity assesses the effectiveness of its actions."),
    (Group::Controls, CA_S211, "s.11(3)(b), (g) policies, effectiveness", "Policies, due-diligence processes and how effectiveness is assessed."),
    (Group::Controls, CA_TISCA, "s.1714.43(c)(3)-(5) certification, accountability, training", "Supplier certification and internal accountability."),
    (Group::Remediation, LKSG, "s.7 remedial action", "Remedial action must follow a violation found in the supply chain."),
    (Group::Remediation, UK_MSA, "s.54(5)(c), (e) due diligence and effectiveness", "Corrective actions and their status are due-diligence evidence."),
    (Group::Remediation, AU_MSA, "s.16(1)(d)-(e) actions and effectiveness", "Actions taken, including remediation, and how their effect is assessed."),
    (Group::Remediation, CA_S211, "s.11(3)(d)-(e) remediation", "Measures taken to remediate forced or child labour and loss of income."),
    (Group::Remediation, EU_FLR, "Due diligence as evidence in investigations", "Documented corrective actions show the operator's due diligence."),
];

/// Per group: (findings, suppliers, highest tier).
type Counts = (u64, u64, Option<Tier>);

fn counts(input: &ReportInput, g: Group) -> Counts {
    let (mut nf, mut ns, mut top) = (0u64, 0u64, None);
    for s in &input.suppliers {
        let a = &s.assessment;
        let n = if g == Group::Remediation {
            if due_days(a.tier).is_some() {
                a.recommended_actions.len() as u64
            } else {
                0
            }
        } else {
            a.findings.iter().filter(|f| g.matches(f)).count() as u64
        };
        let listed = g == Group::EntityList && !a.screening_matches.is_empty();
        if n > 0 || listed {
            nf += n;
            ns += 1;
            top = top.max(Some(a.tier));
        }
    }
    (nf, ns, top)
}

pub fn write(wb: &mut Workbook, input: &ReportInput, st: &Styles) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet().set_name("Regulatory map")?;
    st.header(ws, &REGULATORY_HEADERS, &[30.0, 40.0, 40.0, 60.0, 10.0, 10.0, 10.0, 45.0])?;
    ws.insert_note(0, 0, &Note::new(NOTE).set_author("Manumit").set_width(420).set_height(140))?;
    let mut cache: Vec<(Group, Counts)> = Vec::new();
    for (k, (g, law, provision, why)) in MAP.iter().enumerate() {
        let c = match cache.iter().find(|(x, _)| x == g) {
            Some((_, c)) => *c,
            None => {
                let c = counts(input, *g);
                cache.push((*g, c));
                c
            }
        };
        let r = k as u32 + 1;
        ws.write_string(r, 0, g.label())?;
        ws.write_string(r, 1, *law)?;
        ws.write_string(r, 2, *provision)?;
        ws.write_string_with_format(r, 3, *why, &st.wrap)?;
        ws.write_number(r, 4, c.0 as f64)?;
        ws.write_number(r, 5, c.1 as f64)?;
        if let Some(t) = c.2 {
            ws.write_string(r, 6, t.as_str())?;
        }
        ws.write_string(r, 7, g.where_to_look())?;
    }
    ws.autofilter(0, 0, MAP.len() as u32, (REGULATORY_HEADERS.len() - 1) as u16)?;
    let last = MAP.len() as u32;
    super::register::colour_text(ws, (1, last), (6, 6), &super::register::TIER_COLOURS)?;
    Ok(())
}
