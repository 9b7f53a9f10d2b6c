//! The controlled vocabulary of DOMAIN.md §1: sectors, tiers, dimensions, severities, ILO indicators.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! str_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $s),+ } }
            /// Exact identifier (as written in JSON and in the database).
            pub fn from_id(s: &str) -> Option<Self> { match s { $($s => Some($name::$variant),)+ _ => None } }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

str_enum!(
    /// The four sectors Manumit has questionnaires and sector bands for.
    Sector {
        Agriculture => "agriculture",
        Construction => "construction",
        Hospitality => "hospitality",
        Manufacturing => "manufacturing",
    }
);

str_enum!(
    /// Risk tiers, ordered: low < medium < high < critical.
    Tier { Low => "low", Medium => "medium", High => "high", Critical => "critical" }
);

str_enum!(
    /// What a finding is evidence of (DOMAIN.md §1).
    Dimension {
        Involuntariness => "involuntariness",
        MenaceOfPenalty => "menace_of_penalty",
        FrontBusiness => "front_business",
        Context => "context",
        Control => "control",
        Screening => "screening",
        Inherent => "inherent",
        ChildLabour => "child_labour",
    }
);

str_enum!(
    /// Strength of a finding. DOMAIN.md's "strong" is `high`.
    Severity { Low => "low", Medium => "medium", High => "high" }
);

str_enum!(
    /// The eleven ILO forced-labour indicators (ILO SAP-FL, 2012).
    IloIndicator {
        AbuseOfVulnerability => "abuse_of_vulnerability",
        Deception => "deception",
        RestrictionOfMovement => "restriction_of_movement",
        Isolation => "isolation",
        PhysicalSexualViolence => "physical_sexual_violence",
        IntimidationThreats => "intimidation_threats",
        RetentionOfIdentityDocuments => "retention_of_identity_documents",
        WithholdingOfWages => "withholding_of_wages",
        DebtBondage => "debt_bondage",
        AbusiveConditions => "abusive_conditions",
        ExcessiveOvertime => "excessive_overtime",
    }
);

str_enum!(
    /// Roles of an API key (API.md "Authentication, tenants, roles").
    Role { Admin => "admin", Procurement => "procurement", Auditor => "auditor", Integration => "integration" }
);

impl IloIndicator {
    /// The indicator's name for people (ILO SAP-FL wording).
    pub fn title(self) -> &'static str {
        match self {
            IloIndicator::AbuseOfVulnerability => "Abuse of vulnerability",
            IloIndicator::Deception => "Deception",
            IloIndicator::RestrictionOfMovement => "Restriction of movement",
            IloIndicator::Isolation => "Isolation",
            IloIndicator::PhysicalSexualViolence => "Physical and sexual violence",
            IloIndicator::IntimidationThreats => "Intimidation and threats",
            IloIndicator::RetentionOfIdentityDocuments => "Retention of identity documents",
            IloIndicator::WithholdingOfWages => "Withholding of wages",
            IloIndicator::DebtBondage => "Debt bondage",
            IloIndicator::AbusiveConditions => "Abusive working and living conditions",
            IloIndicator::ExcessiveOvertime => "Excessive overtime",
        }
    }
}

impl Tier {
    /// One step up, saturating at critical.
    pub fn raise(self) -> Tier {
        match self {
            Tier::Low => Tier::Medium,
            Tier::Medium => Tier::High,
            _ => Tier::Critical,
        }
    }
    /// One step down, saturating at low.
    pub fn lower(self) -> Tier {
        match self {
            Tier::Critical => Tier::High,
            Tier::High => Tier::Medium,
            _ => Tier::Low,
        }
    }
}

impl Sector {
    /// Parses a sector as people write it: the identifier or a common synonym (DOMAIN.md §1).
    pub fn parse(raw: &str) -> Option<Sector> {
        let s: String = raw.trim().to_lowercase().chars().map(|c| if c.is_alphanumeric() { c } else { ' ' }).collect();
        let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
        if let Some(x) = Sector::from_id(&s) {
            return Some(x);
        }
        const SYN: &[(&str, Sector)] = &[
            ("agri", Sector::Agriculture),
            ("agricultural", Sector::Agriculture),
            ("farming", Sector::Agriculture),
            ("farm", Sector::Agriculture),
            ("food production", Sector::Agriculture),
            ("fishing", Sector::Agriculture),
            ("fisheries", Sector::Agriculture),
            ("seafood", Sector::Agriculture),
            ("horticulture", Sector::Agriculture),
            ("plantation", Sector::Agriculture),
            ("forestry", Sector::Agriculture),
            ("livestock", Sector::Agriculture),
            ("building", Sector::Construction),
            ("buildings", Sector::Construction),
            ("civil works", Sector::Construction),
            ("civil engineering", Sector::Construction),
            ("infrastructure", Sector::Construction),
            ("contractor", Sector::Construction),
            ("hotel", Sector::Hospitality),
            ("hotels", Sector::Hospitality),
            ("restaurant", Sector::Hospitality),
            ("restaurants", Sector::Hospitality),
            ("cleaning", Sector::Hospitality),
            ("food service", Sector::Hospitality),
            ("catering", Sector::Hospitality),
            ("spa", Sector::Hospitality),
            ("tourism", Sector::Hospitality),
            ("hospitality services", Sector::Hospitality),
            ("factory", Sector::Manufacturing),
            ("production", Sector::Manufacturing),
            ("textiles", Sector::Manufacturing),
            ("textile", Sector::Manufacturing),
            ("apparel", Sector::Manufacturing),
            ("garments", Sector::Manufacturing),
            ("electronics", Sector::Manufacturing),
            ("industrial", Sector::Manufacturing),
            ("manufacturer", Sector::Manufacturing),
            ("manufacturing services", Sector::Manufacturing),
        ];
        SYN.iter().find(|(k, _)| *k == s).map(|(_, v)| *v)
    }
}

/// An ISO 3166-1 alpha-2 code (upper case). Constructed only through [`CountryCode::new`]
/// from a code the reference country table knows, so a value that exists is valid.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CountryCode(String);

impl CountryCode {
    /// Wraps an alpha-2 code; the caller (ingest's country table) has checked it exists.
    pub fn new(alpha2: &str) -> Option<CountryCode> {
        let up = alpha2.trim().to_ascii_uppercase();
        (up.len() == 2 && up.bytes().all(|b| b.is_ascii_uppercase())).then_some(CountryCode(up))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Yes / No / Unknown, as answered in a supplier list or questionnaire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum YesNo {
    Yes,
    No,
    Unknown,
}

impl YesNo {
    /// Yes/No/Y/N/True/False/1/0/x; Unknown/blank/n.a. → Unknown; anything else → None.
    pub fn parse(raw: &str) -> Option<YesNo> {
        match raw.trim().to_lowercase().as_str() {
            "yes" | "y" | "true" | "1" | "x" | "ja" | "oui" | "si" | "sí" => Some(YesNo::Yes),
            "no" | "n" | "false" | "0" | "nein" | "non" => Some(YesNo::No),
            "" | "unknown" | "unk" | "?" | "n/a" | "na" | "not known" | "don't know" | "dont know" => {
                Some(YesNo::Unknown)
            }
            _ => None,
        }
    }
}
