//! A supplier's canonical fields (DOMAIN.md §2), already parsed, plus where each value came from.

use super::{CountryCode, Sector, YesNo};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How the registered address is used (DOMAIN.md §2 `address_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AddressType {
    Own,
    LeasedIndustrial,
    VirtualOffice,
    RegisteredAgent,
    Residential,
}

impl AddressType {
    pub fn parse(raw: &str) -> Option<AddressType> {
        let s: String = raw.trim().to_lowercase().chars().map(|c| if c.is_alphanumeric() { c } else { ' ' }).collect();
        match s.split_whitespace().collect::<Vec<_>>().join(" ").as_str() {
            "own" | "owned" | "own premises" => Some(AddressType::Own),
            "leased industrial" | "leased" | "industrial" | "rented industrial" => Some(AddressType::LeasedIndustrial),
            "virtual office" | "virtual" | "mail drop" | "po box" => Some(AddressType::VirtualOffice),
            "registered agent" | "agent" | "formation agent" => Some(AddressType::RegisteredAgent),
            "residential" | "home" | "private residence" => Some(AddressType::Residential),
            _ => None,
        }
    }
}

/// The canonical supplier fields. Only `legal_name`, `country` and `sector` are required.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct SupplierFields {
    pub external_ref: Option<String>,
    pub legal_name: String,
    pub trading_name: Option<String>,
    /// ISO 3166 alpha-2.
    #[schema(value_type = Option<String>)]
    pub country: Option<CountryCode>,
    pub sector: Option<Sector>,
    pub commodity: Option<String>,
    pub registration_number: Option<String>,
    pub incorporation_date: Option<NaiveDate>,
    pub address: Option<String>,
    pub city: Option<String>,
    pub postal_code: Option<String>,
    pub region: Option<String>,
    pub address_type: Option<AddressType>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub bank_account: Option<String>,
    pub bank_account_holder: Option<String>,
    #[serde(default)]
    pub directors: Vec<String>,
    #[serde(default)]
    pub beneficial_owners: Vec<String>,
    pub beneficial_owners_disclosed: Option<YesNo>,
    pub employee_count: Option<u64>,
    pub migrant_worker_pct: Option<f64>,
    pub agency_worker_pct: Option<f64>,
    pub uses_labour_agency: Option<YesNo>,
    pub recruitment_fees_paid_by_workers: Option<YesNo>,
    pub passports_held_by_employer: Option<YesNo>,
    pub worker_housing_provided: Option<YesNo>,
    pub workers_live_on_premises: Option<YesNo>,
    pub annual_revenue: Option<f64>,
    pub currency: Option<String>,
    pub cash_revenue_pct: Option<f64>,
    pub subcontracting: Option<YesNo>,
    pub last_audit_date: Option<NaiveDate>,
    pub audit_standard: Option<String>,
    pub xinjiang_inputs: Option<YesNo>,
}

/// Where a supplier's field values came from, so findings can cite the cell.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FieldSource {
    /// The upload the values were read from (None for values set through the JSON API).
    pub upload_id: Option<String>,
    /// The file name of that upload, for people.
    pub filename: Option<String>,
    /// The spreadsheet's own 1-based row number.
    pub row: Option<u32>,
    /// canonical field name → the header as written in the file.
    pub columns: BTreeMap<String, String>,
    /// canonical field name → the raw cell text as it came in.
    pub raw: BTreeMap<String, String>,
}

/// A supplier as the scoring engine sees it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SupplierRecord {
    /// Manumit's id (opaque).
    pub id: String,
    pub fields: SupplierFields,
    pub source: FieldSource,
}
