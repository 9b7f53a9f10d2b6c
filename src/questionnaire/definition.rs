//! Typed questionnaire definitions: the parsed, validated form of questionnaires/*.toml.

use crate::domain::{Dimension, IloIndicator, Sector, Severity};
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use std::collections::HashMap;
use std::fmt;

/// A definition that cannot be used: which file, which question (if any), and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionError {
    pub file: String,
    pub question: Option<String>,
    pub reason: String,
}

impl fmt::Display for DefinitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.question {
            Some(q) => write!(f, "{}: question {}: {}", self.file, q, self.reason),
            None => write!(f, "{}: {}", self.file, self.reason),
        }
    }
}

impl std::error::Error for DefinitionError {}

/// The kind of answer a question takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AnswerType {
    YesNo,
    Choice,
    Number,
    /// A share on a 0–100 scale.
    Percent,
    Date,
    Text,
}

impl AnswerType {
    pub fn from_id(s: &str) -> Option<AnswerType> {
        Some(match s {
            "yes_no" => AnswerType::YesNo,
            "choice" => AnswerType::Choice,
            "number" => AnswerType::Number,
            "percent" => AnswerType::Percent,
            "date" => AnswerType::Date,
            "text" => AnswerType::Text,
            _ => return None,
        })
    }
}

/// The condition on an answer that makes it evidence of an indicator. Serialized as written in
/// the definition: `"Yes"`, `{"in": [...]}`, `{"gte": 60}`, `{"gt": 0, "lt": 1}`, `{"within_days": 730}`.
#[derive(Debug, Clone, PartialEq)]
pub enum When {
    /// The answer equals this value (case-insensitive).
    Equals(String),
    /// The answer is one of these values (case-insensitive).
    In(Vec<String>),
    /// A number or percent within every bound given.
    Range { gt: Option<f64>, gte: Option<f64>, lt: Option<f64>, lte: Option<f64> },
    /// A date no more than this many days before "today" (needs a date to evaluate).
    WithinDays(u32),
}

/// The schema of [`When`]'s serialized forms, one per variant.
impl utoipa::PartialSchema for When {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{AdditionalProperties, ArrayBuilder, ObjectBuilder, OneOfBuilder, Type};
        let closed = || ObjectBuilder::new().additional_properties(Some(AdditionalProperties::FreeForm(false)));
        let number = || ObjectBuilder::new().schema_type(Type::Number);
        OneOfBuilder::new()
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some("The answer equals this (case-insensitive).")),
            )
            .item(
                closed()
                    .description(Some("The answer is one of these (case-insensitive)."))
                    .property("in", ArrayBuilder::new().items(ObjectBuilder::new().schema_type(Type::String)))
                    .required("in"),
            )
            .item(
                closed()
                    .description(Some("A number or percent within every bound given."))
                    .property("gt", number())
                    .property("gte", number())
                    .property("lt", number())
                    .property("lte", number()),
            )
            .item(
                closed()
                    .description(Some("A date no more than this many days before today."))
                    .property("within_days", ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(0)))
                    .required("within_days"),
            )
            .description(Some("The condition on an answer that makes it evidence of the indicator."))
            .into()
    }
}

impl utoipa::ToSchema for When {}

impl Serialize for When {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            When::Equals(v) => s.serialize_str(v),
            When::In(vs) => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("in", vs)?;
                m.end()
            }
            When::Range { gt, gte, lt, lte } => {
                let mut m = s.serialize_map(None)?;
                for (k, v) in [("gt", gt), ("gte", gte), ("lt", lt), ("lte", lte)] {
                    if let Some(v) = v {
                        m.serialize_entry(k, v)?;
                    }
                }
                m.end()
            }
            When::WithinDays(d) => {
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("within_days", d)?;
                m.end()
            }
        }
    }
}

/// One indicator a question can evidence.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct IndicatorRule {
    pub indicator: String,
    pub dimension: Dimension,
    /// An answer (`"Yes"`), `{"in": [...]}`, `{"gt"|"gte"|"lt"|"lte": n}` or `{"within_days": n}`.
    pub when: When,
    pub severity: Severity,
    /// Why the rule has this dimension or strength, when that is a Manumit choice rather than
    /// the ILO's own wording (e.g. a threshold); appended to the finding's explanation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One question.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Question {
    pub id: String,
    pub text: String,
    pub help: String,
    pub answer_type: AnswerType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub choices: Option<Vec<String>>,
    /// Core item: counts for completeness; blank or Unknown is insufficient evidence.
    pub required: bool,
    pub indicators: Vec<IndicatorRule>,
}

impl Question {
    /// True when the question carries a mitigating-control indicator.
    pub fn is_control(&self) -> bool {
        self.indicators.iter().any(|i| i.dimension == Dimension::Control)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Section {
    pub id: String,
    pub title: String,
    pub questions: Vec<Question>,
}

/// What a supplier of one sector answers: the common core plus the sector's items.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SectorQuestionnaire {
    pub sector: Sector,
    pub id: String,
    pub version: String,
    pub title: String,
    /// Version of the common core merged in.
    pub core_version: String,
    pub sections: Vec<Section>,
    #[serde(skip)]
    index: HashMap<String, (usize, usize)>,
}

impl SectorQuestionnaire {
    pub(crate) fn new(
        sector: Sector,
        id: String,
        version: String,
        title: String,
        core_version: String,
        sections: Vec<Section>,
    ) -> SectorQuestionnaire {
        let mut index = HashMap::new();
        for (si, s) in sections.iter().enumerate() {
            for (qi, q) in s.questions.iter().enumerate() {
                index.insert(q.id.to_ascii_uppercase(), (si, qi));
            }
        }
        SectorQuestionnaire { sector, id, version, title, core_version, sections, index }
    }

    /// Every question, in order, with its section.
    pub fn questions(&self) -> impl Iterator<Item = (&Section, &Question)> {
        self.sections.iter().flat_map(|s| s.questions.iter().map(move |q| (s, q)))
    }

    pub fn question_count(&self) -> usize {
        self.sections.iter().map(|s| s.questions.len()).sum()
    }

    /// A question by id (case-insensitive, surrounding spaces ignored).
    pub fn question(&self, id: &str) -> Option<&Question> {
        let (si, qi) = *self.index.get(&id.trim().to_ascii_uppercase())?;
        self.sections.get(si)?.questions.get(qi)
    }

    /// The section a question belongs to.
    pub fn section_of(&self, id: &str) -> Option<&Section> {
        let (si, _) = *self.index.get(&id.trim().to_ascii_uppercase())?;
        self.sections.get(si)
    }
}

/// Indicators that are not ILO indicators: front-business, control, context and screening ids,
/// with the title used in findings.
pub const OTHER_INDICATORS: &[(&str, &str)] = &[
    ("agency_labour_share", "High share of agency labour"),
    ("unlicensed_labour_agency", "Unlicensed labour agencies"),
    ("no_employer_pays_policy", "No Employer Pays policy on recruitment fees"),
    ("no_written_contract", "No written contract in the worker's language before work starts"),
    ("long_notice_period", "Resignation notice longer than 30 days"),
    ("tied_work_permits", "Work permits tied to the employer"),
    ("third_party_wage_payment", "Wages paid to a third party"),
    ("worker_loans", "Loans or wage advances to workers"),
    ("cash_wages", "Wages paid in cash"),
    ("no_itemised_payslips", "No itemised payslips"),
    ("no_time_records", "No working-time records workers can check"),
    ("employer_provided_housing", "Employer-provided housing"),
    ("workers_on_premises", "Workers living on business premises"),
    ("no_grievance_channel", "No confidential grievance channel"),
    ("no_worker_representation", "No elected worker representation"),
    ("subcontracting", "Subcontracted production or services"),
    ("hidden_subcontracting", "Subcontractors not disclosed"),
    ("xinjiang_inputs", "Inputs from Xinjiang or listed entities"),
    ("no_traceability_mapping", "High-risk inputs not traced beyond tier 1"),
    // Used by questionnaire 1.0.0 (archived); 2.0.0 uses the child-labour dimension's ids.
    ("child_labour", "Worker below the minimum working age"),
    ("child_labour_under_minimum_age", "Worker below the minimum working age"),
    ("child_under_12", "Child under 12 at work"),
    ("young_workers", "Workers under 18"),
    ("hazardous_child_labour", "Workers under 18 in hazardous or night work"),
    ("no_age_verification", "No age verification at hiring"),
    ("recent_incorporation", "Recently incorporated company"),
    ("unsuitable_registered_address", "Virtual, agent or residential registered address"),
    ("undisclosed_beneficial_owners", "Beneficial owners not disclosed"),
    ("cash_heavy_revenue", "Cash-heavy revenue"),
    ("third_party_bank_account", "Bank account not in the supplier's own name or country"),
    ("migrant_workforce", "High share of migrant workers"),
    ("unlicensed_labour_contractor", "Unregistered farm labour contractors"),
    ("seasonal_visa_workers", "High share of seasonal or visa workers"),
    ("remote_site", "Remote site or housing"),
    ("piece_rate_without_wage_floor", "Piece-rate pay without a minimum-wage guarantee"),
    ("long_time_at_sea", "Crew kept at sea for more than 90 days"),
    ("subcontracting_tiers", "Long subcontracting chain on site"),
    ("labour_camp_housing", "Workers housed in labour camps"),
    ("missing_licence", "Required licence missing"),
    ("labour_only_contractor", "Labour-only contractor"),
    ("outsourced_services", "Outsourced housekeeping, cleaning, kitchen or security"),
    ("high_risk_business_type", "Business type often used as a front"),
    ("per_task_contract_pay", "Cleaning contractor paid per room or per task"),
    ("staff_sleeping_on_site", "Staff sleeping at the workplace"),
    ("tips_withheld", "Tips or service charges not passed on in full"),
    ("state_imposed_forced_labour", "State labour-transfer or compulsory programme workers"),
    ("homeworkers", "Homeworkers or outworkers used"),
    ("student_workers", "High share of students, interns or apprentices"),
    ("capacity_mismatch", "Orders beyond own capacity"),
];

/// The only indicators dimension `child_labour` may carry (ILO C138 minimum age, C182 worst forms).
pub const CHILD_LABOUR_INDICATORS: &[&str] =
    &["child_labour_under_minimum_age", "child_under_12", "hazardous_child_labour"];

/// The title of an indicator id for people (ILO indicators and [`OTHER_INDICATORS`]).
pub fn indicator_title(id: &str) -> Option<&'static str> {
    if let Some(ilo) = IloIndicator::from_id(id) {
        return Some(ilo.title());
    }
    OTHER_INDICATORS.iter().find(|(k, _)| *k == id).map(|(_, t)| *t)
}
