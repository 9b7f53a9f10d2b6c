//! The `Regulatory map`: which kinds of finding bear on which law, with counts in this scope,
//! for the laws of the organisation's markets.
//!
//! One row per (kind of finding × law), not per supplier finding: with 100k suppliers a
//! per-finding map would be millions of rows nobody reads. Every finding belongs to one kind
//! ([`group_of`], by indicator id and dimension), and a row counts exactly the findings of its
//! kind that bear on its law; each row says where to look on the Findings sheet.

use super::cell::Styles;
use super::{due_days, ReportInput};
use crate::domain::{Dimension, Finding, IloIndicator, Tier};
use crate::scoring::screening::{CBP_LIST, UFLPA_LIST};
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

pub const NOTE: &str = "One row per kind of finding and law, for the laws of the organisation's \
markets (listed below the table; no markets set means every law). Counts are for the suppliers in \
this workbook's scope; filter the Findings sheet as 'Where to look' says to see each finding and its \
evidence. The mapping is the analyst's guide to which documentation each finding feeds; it is \
not legal advice, and an indicator of risk is not a finding of forced labour.";

/// A law of the map and the markets that make it apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Law {
    Uflpa,
    TariffAct,
    EuFlr,
    Csddd,
    Lksg,
    UkMsa,
    AuMsa,
    CaS211,
    CaTisca,
}

/// EU member states (ISO 3166 alpha-2): selling in any of them brings in the EU's laws.
pub use crate::scoring::combine::EU_MEMBERS;

impl Law {
    fn name(self) -> &'static str {
        match self {
            Law::Uflpa => "US UFLPA (Pub. L. 117-78) / Tariff Act s.307",
            Law::TariffAct => "US Tariff Act s.307 (19 USC 1307)",
            Law::EuFlr => "EU Forced Labour Regulation (EU) 2024/3015",
            Law::Csddd => "EU CSDDD (Directive (EU) 2024/1760)",
            Law::Lksg => "German LkSG",
            Law::UkMsa => "UK Modern Slavery Act 2015",
            Law::AuMsa => "Australian Modern Slavery Act 2018",
            Law::CaS211 => "Canada S-211 (Fighting Against Forced Labour and Child Labour in Supply Chains Act)",
            Law::CaTisca => "California Transparency in Supply Chains Act (Civ. Code s.1714.43)",
        }
    }

    /// True when one of `markets` makes the law apply (every law when `markets` is empty).
    fn applies(self, markets: &[String]) -> bool {
        if markets.is_empty() {
            return true;
        }
        let eu = || markets.iter().any(|m| m == "EU" || EU_MEMBERS.contains(&m.as_str()));
        let has = |c: &str| markets.iter().any(|m| m == c);
        match self {
            Law::Uflpa | Law::TariffAct | Law::CaTisca => has("US"),
            Law::EuFlr | Law::Csddd => eu(),
            Law::Lksg => has("DE"),
            Law::UkMsa => has("GB"),
            Law::AuMsa => has("AU"),
            Law::CaS211 => has("CA"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    Ilo,
    Child,
    Front,
    Xinjiang,
    UflpaSector,
    EntityList,
    Gaps,
    Inherent,
    Controls,
    Remediation,
}

/// Child-labour indicator ids (methodology 2); any finding of dimension `child_labour` counts too.
const CHILD_IDS: [&str; 4] =
    ["child_labour_under_minimum_age", "child_under_12", "hazardous_child_labour", "child_labour_reported"];
/// Xinjiang nexus: the UFLPA presumption's ground. `xinjiang_location` is methodology 1's name
/// for a Xinjiang location.
const XINJIANG_IDS: [&str; 3] = ["xinjiang_nexus", "xinjiang_inputs", "xinjiang_location"];
/// A China-linked supplier in a UFLPA high-priority sector without traceability (not the
/// presumption). `xinjiang_inputs_unknown` is methodology 1's nearest finding.
const UFLPA_SECTOR_IDS: [&str; 2] = ["uflpa_high_priority_untraced", "xinjiang_inputs_unknown"];
/// Information missing or contradicting itself: a due-diligence gap, not an indicator.
const GAP_IDS: [&str; 2] = ["insufficient_evidence", "inconsistent_information"];

/// The one kind a finding belongs to (None for remediation, which counts actions instead).
fn group_of(f: &Finding) -> Option<Group> {
    let id = f.indicator.as_str();
    Some(if GAP_IDS.contains(&id) {
        Group::Gaps
    } else if f.dimension == Dimension::ChildLabour || CHILD_IDS.contains(&id) {
        Group::Child
    } else if XINJIANG_IDS.contains(&id) {
        Group::Xinjiang
    } else if UFLPA_SECTOR_IDS.contains(&id) {
        Group::UflpaSector
    } else if f.dimension == Dimension::Screening {
        Group::EntityList
    } else if f.dimension == Dimension::FrontBusiness {
        Group::Front
    } else if IloIndicator::from_id(id).is_some()
        || matches!(f.dimension, Dimension::Involuntariness | Dimension::MenaceOfPenalty)
    {
        Group::Ilo
    } else if matches!(f.dimension, Dimension::Inherent | Dimension::Context) {
        Group::Inherent
    } else if f.dimension == Dimension::Control {
        Group::Controls
    } else {
        return None;
    })
}

/// True when a finding of `g` bears on `law`. Only US import law needs more than the group:
/// a match on an organisation's own watchlist or another list is not a UFLPA Entity List or
/// CBP Withhold Release Order entry.
fn bears_on(g: Group, law: Law, f: &Finding) -> bool {
    match (g, law) {
        (Group::EntityList, Law::Uflpa) => {
            f.indicator == "entity_list_match" && (f.title.contains(UFLPA_LIST) || f.title.contains(CBP_LIST))
        }
        _ => true,
    }
}

impl Group {
    fn label(self) -> &'static str {
        match self {
            Group::Ilo => "ILO forced-labour indicators",
            Group::Child => "Child labour indicators",
            Group::Front => "Front-business indicators",
            Group::Xinjiang => "Xinjiang (XUAR) nexus",
            Group::UflpaSector => "UFLPA high-priority sector, not traced",
            Group::EntityList => "Entity-list screening",
            Group::Gaps => "Missing or inconsistent information",
            Group::Inherent => "Inherent country / sector / commodity risk",
            Group::Controls => "Mitigating controls",
            Group::Remediation => "Corrective actions (medium tier and above)",
        }
    }
    fn where_to_look(self) -> &'static str {
        match self {
            Group::Ilo => "Findings: Dimension = involuntariness or menace_of_penalty; ILO indicators sheet",
            Group::Child => "Findings: Dimension = child_labour; ILO indicators sheet, last column",
            Group::Front => "Findings: Dimension = front_business; Networks sheet",
            Group::Xinjiang => "Findings: Indicator = xinjiang_nexus or xinjiang_inputs",
            Group::UflpaSector => "Findings: Indicator = uflpa_high_priority_untraced",
            Group::EntityList => "Screening sheet; Findings: Indicator = entity_list_match",
            Group::Gaps => "Findings: Indicator = insufficient_evidence or inconsistent_information",
            Group::Inherent => "Findings: Dimension = inherent or context",
            Group::Controls => "Findings: Dimension = control",
            Group::Remediation => "Corrective actions sheet",
        }
    }
}

/// (group, law, provision, why it bears).
const MAP: &[(Group, Law, &str, &str)] = &[
    (Group::Ilo, Law::Uflpa, "19 USC 1307; CBP withhold release orders", "CBP applies the ILO indicators when it decides whether imported goods were made with forced labour."),
    (Group::Ilo, Law::EuFlr, "Art. 3 prohibition; forced labour as defined by ILO C29", "Authorities' risk-based assessment looks for indicators of forced labour in the product's supply chain."),
    (Group::Ilo, Law::Csddd, "Art. 8 identifying adverse impacts; Annex I Part I (ILO C29, C105)", "Forced labour is an adverse human-rights impact the company must identify, prevent and end."),
    (Group::Ilo, Law::Lksg, "s.2(2) no. 3 (forced labour); s.5 risk analysis; s.7 remedial action", "A prohibited practice under the Act: the risk analysis must record it and remedial action must follow."),
    (Group::Ilo, Law::UkMsa, "s.54(5)(d) risk parts of the supply chain", "The statement may describe where slavery and trafficking risks lie and how they are assessed and managed."),
    (Group::Ilo, Law::AuMsa, "s.16(1)(c) risks; s.16(1)(d) actions taken", "Mandatory criteria: describe modern-slavery risks and the actions taken to assess and address them."),
    (Group::Ilo, Law::CaS211, "s.11(3)(c) parts at risk; s.11(3)(d) remediation", "The annual report must name the parts of the supply chain at risk of forced labour and the steps taken."),
    (Group::Ilo, Law::CaTisca, "s.1714.43(c)(1) verification; (c)(2) audits", "Disclosure of how supply chains are verified and audited for trafficking and slavery risk."),
    (Group::Child, Law::TariffAct, "19 USC 1307 (forced or indentured child labour)", "Goods made by forced or indentured child labour may be detained at the border."),
    (Group::Child, Law::EuFlr, "Art. 2 forced labour incl. forced child labour", "Forced child labour falls under the product ban."),
    (Group::Child, Law::Csddd, "Art. 8; Annex I Part I (ILO C138 minimum age, C182 worst forms)", "Child labour is an adverse human-rights impact the company must identify, prevent and end."),
    (Group::Child, Law::Lksg, "s.2(2) nos. 1-2 (child labour)", "Child labour is a prohibited practice to be covered by the risk analysis."),
    (Group::Child, Law::UkMsa, "s.54(5)(d) risk parts of the supply chain", "Child exploitation is modern slavery the statement may describe, with how the risk is managed."),
    (Group::Child, Law::AuMsa, "s.4 modern slavery incl. worst forms of child labour; s.16(1)(c)-(d)", "The worst forms of child labour are modern slavery under the Act: describe the risk and the actions taken."),
    (Group::Child, Law::CaS211, "s.11(3)(c)-(e) child labour and loss of income", "S-211 covers child labour explicitly, including remediation of lost family income."),
    (Group::Front, Law::EuFlr, "Risk-based assessment by competent authorities", "Front and shell companies hide who really makes the product; authorities weigh nearness and traceability."),
    (Group::Front, Law::Lksg, "s.5 risk analysis (direct suppliers)", "Front-business signs call the identity and conduct of the direct supplier into question."),
    (Group::Front, Law::UkMsa, "s.54(5)(c) due diligence", "Due diligence processes should detect labour-supply fronts and third-party payees."),
    (Group::Front, Law::AuMsa, "s.16(1)(c)-(d) risks and due diligence", "A trafficking front is a modern-slavery risk to describe and act on."),
    (Group::Front, Law::CaS211, "s.11(3)(b)-(c) due diligence, parts at risk", "Due diligence on the identity of suppliers and where risk lies."),
    (Group::Front, Law::CaTisca, "s.1714.43(c)(1) verification", "Verification of the supply chain includes checking that suppliers are genuine."),
    (Group::Xinjiang, Law::Uflpa, "s.3 rebuttable presumption (XUAR)", "Goods made wholly or in part in Xinjiang are presumed made with forced labour unless the importer rebuts with clear and convincing evidence."),
    (Group::Xinjiang, Law::EuFlr, "Database of risk areas incl. state-imposed forced labour", "State-imposed forced labour in a region is a risk factor the Commission's database records."),
    (Group::Xinjiang, Law::Lksg, "s.5 risk analysis", "A region with state-imposed forced labour is a concrete risk to the supply chain."),
    (Group::UflpaSector, Law::Uflpa, "UFLPA Strategy high-priority sectors; supply-chain tracing", "CBP targets these sectors for detention; an importer must trace the goods to raw material to show no Xinjiang input."),
    (Group::UflpaSector, Law::EuFlr, "Risk-based assessment; database of risk areas and products", "Untraced goods from a sector with state-imposed forced labour are a risk authorities weigh."),
    (Group::UflpaSector, Law::Lksg, "s.5 risk analysis", "A sector and region of known risk without traceability is a risk to analyse."),
    (Group::EntityList, Law::Uflpa, "s.3 presumption (UFLPA Entity List); 19 USC 1307 WROs", "Goods from a listed entity are presumed made with forced labour; a WRO detains goods at the border. Counts matches on those two lists only."),
    (Group::EntityList, Law::EuFlr, "Risk-based assessment; information submission point", "A listed or sanctioned producer is a strong signal for authorities' preliminary phase."),
    (Group::EntityList, Law::Lksg, "s.5 risk analysis", "A match is substantiated knowledge of risk that must be analysed."),
    (Group::Gaps, Law::EuFlr, "Preliminary phase and investigation: information requested from operators", "Operators must be able to answer the authorities' questions about their supply chain."),
    (Group::Gaps, Law::Lksg, "s.5 risk analysis; s.10 documentation", "Unknown or contradicting answers leave the risk analysis incomplete."),
    (Group::Gaps, Law::UkMsa, "s.54(5)(c) due diligence", "Unanswered questions are gaps in the due diligence the statement describes."),
    (Group::Gaps, Law::AuMsa, "s.16(1)(d) due diligence", "Gaps in what is known are part of assessing the risk."),
    (Group::Gaps, Law::CaS211, "s.11(3)(b) due diligence", "Due diligence needs the missing answers."),
    (Group::Inherent, Law::EuFlr, "Database of risk areas and products", "Country and product risk are the authorities' starting point."),
    (Group::Inherent, Law::Lksg, "s.5 risk analysis (abstract risk)", "Country and sector risk are the abstract part of the annual risk analysis."),
    (Group::Inherent, Law::UkMsa, "s.54(5)(d) risk parts of the supply chain", "Where the supply chain meets high-risk countries and sectors."),
    (Group::Inherent, Law::AuMsa, "s.16(1)(b)-(c) supply chains and risks", "Describe supply chains and their risk of modern slavery."),
    (Group::Inherent, Law::CaS211, "s.11(3)(a), (c) structure and parts at risk", "Describe the supply chain and the parts at risk."),
    (Group::Controls, Law::Lksg, "s.6 preventive measures; s.8 complaints procedure", "Controls in place (grievance channel, payslips, age checks) are preventive measures."),
    (Group::Controls, Law::UkMsa, "s.54(5)(b), (e) policies and effectiveness", "Controls are the policies whose effectiveness the statement reports."),
    (Group::Controls, Law::AuMsa, "s.16(1)(e) effectiveness", "How the entity assesses the effectiveness of its actions."),
    (Group::Controls, Law::CaS211, "s.11(3)(b), (g) policies, effectiveness", "Policies, due-diligence processes and how effectiveness is assessed."),
    (Group::Controls, Law::CaTisca, "s.1714.43(c)(3)-(5) certification, accountability, training", "Supplier certification and internal accountability."),
    (Group::Remediation, Law::Lksg, "s.7 remedial action", "Remedial action must follow a violation found in the supply chain."),
    (Group::Remediation, Law::UkMsa, "s.54(5)(c), (e) due diligence and effectiveness", "Corrective actions and their status are due-diligence evidence."),
    (Group::Remediation, Law::AuMsa, "s.16(1)(d)-(e) actions and effectiveness", "Actions taken, including remediation, and how their effect is assessed."),
    (Group::Remediation, Law::CaS211, "s.11(3)(d)-(e) remediation", "Measures taken to remediate forced or child labour and loss of income."),
    (Group::Remediation, Law::EuFlr, "Due diligence as evidence in investigations", "Documented corrective actions show the operator's due diligence."),
    (Group::Remediation, Law::Csddd, "Art. 10-11 preventing and bringing adverse impacts to an end", "Corrective action plans are how the company ends an impact it found."),
];

/// (findings, suppliers, highest tier) of one row.
type Counts = (u64, u64, Option<Tier>);

fn counts(input: &ReportInput, g: Group, law: Law) -> Counts {
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
            a.findings.iter().filter(|f| group_of(f) == Some(g) && bears_on(g, law, f)).count() as u64
        };
        if n > 0 {
            nf += n;
            ns += 1;
            top = top.max(Some(a.tier));
        }
    }
    (nf, ns, top)
}

/// The markets line: `DE, US`, or every market when none is set.
pub fn markets_text(markets: &[String]) -> String {
    if markets.is_empty() {
        "All markets (none set): every law is shown".to_string()
    } else {
        markets.join(", ")
    }
}

pub fn write(wb: &mut Workbook, input: &ReportInput, st: &Styles) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet().set_name("Regulatory map")?;
    st.header(ws, &REGULATORY_HEADERS, &[30.0, 40.0, 40.0, 60.0, 10.0, 10.0, 10.0, 45.0])?;
    ws.insert_note(0, 0, &Note::new(NOTE).set_author("Manumit").set_width(420).set_height(140))?;
    let mut r: u32 = 0;
    for (g, law, provision, why) in MAP.iter().filter(|(_, law, ..)| law.applies(&input.markets)) {
        let c = counts(input, *g, *law);
        r += 1;
        ws.write_string(r, 0, g.label())?;
        ws.write_string(r, 1, law.name())?;
        ws.write_string(r, 2, *provision)?;
        ws.write_string_with_format(r, 3, *why, &st.wrap)?;
        ws.write_number(r, 4, c.0 as f64)?;
        ws.write_number(r, 5, c.1 as f64)?;
        if let Some(t) = c.2 {
            ws.write_string(r, 6, t.as_str())?;
        }
        ws.write_string(r, 7, g.where_to_look())?;
    }
    ws.autofilter(0, 0, r, (REGULATORY_HEADERS.len() - 1) as u16)?;
    super::register::colour_text(ws, (1, r), (6, 6), &super::register::TIER_COLOURS)?;
    // Below the table (outside the filter): whose markets chose the laws.
    ws.write_string_with_format(r + 2, 0, MARKETS_LABEL, &st.bold)?;
    st.text(ws, r + 2, 1, &markets_text(&input.markets))?;
    Ok(())
}

/// The label of the markets line below the table.
pub const MARKETS_LABEL: &str = "Markets";
