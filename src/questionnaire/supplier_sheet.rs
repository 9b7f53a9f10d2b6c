//! The canonical supplier fields (DOMAIN.md §2) as `Field` | `Value` rows of the template.

use crate::domain::{AddressType, SupplierFields, YesNo};

/// The canonical supplier field names, in template order.
pub const SUPPLIER_FIELDS: &[&str] = crate::ingest::CANONICAL_FIELDS;

fn yn(v: Option<YesNo>) -> String {
    match v {
        Some(YesNo::Yes) => "Yes".into(),
        Some(YesNo::No) => "No".into(),
        Some(YesNo::Unknown) => "Unknown".into(),
        None => String::new(),
    }
}

fn num(v: Option<f64>) -> String {
    v.map(|n| crate::domain::Cell::Number(n).display()).unwrap_or_default()
}

fn addr(a: Option<AddressType>) -> String {
    match a {
        Some(AddressType::Own) => "own",
        Some(AddressType::LeasedIndustrial) => "leased_industrial",
        Some(AddressType::VirtualOffice) => "virtual_office",
        Some(AddressType::RegisteredAgent) => "registered_agent",
        Some(AddressType::Residential) => "residential",
        None => "",
    }
    .into()
}

/// The value of one canonical field as text for the template (empty when unknown).
pub fn field_value(f: &SupplierFields, field: &str) -> String {
    let s = |o: &Option<String>| o.clone().unwrap_or_default();
    match field {
        "external_ref" => s(&f.external_ref),
        "legal_name" => f.legal_name.clone(),
        "trading_name" => s(&f.trading_name),
        "country" => f.country.as_ref().map(|c| c.to_string()).unwrap_or_default(),
        "sector" => f.sector.map(|x| x.to_string()).unwrap_or_default(),
        "commodity" => s(&f.commodity),
        "registration_number" => s(&f.registration_number),
        "incorporation_date" => f.incorporation_date.map(|d| d.to_string()).unwrap_or_default(),
        "address" => s(&f.address),
        "city" => s(&f.city),
        "postal_code" => s(&f.postal_code),
        "region" => s(&f.region),
        "address_type" => addr(f.address_type),
        "phone" => s(&f.phone),
        "email" => s(&f.email),
        "website" => s(&f.website),
        "bank_account" => s(&f.bank_account),
        "bank_account_holder" => s(&f.bank_account_holder),
        "directors" => f.directors.join("; "),
        "beneficial_owners" => f.beneficial_owners.join("; "),
        "beneficial_owners_disclosed" => yn(f.beneficial_owners_disclosed),
        "employee_count" => f.employee_count.map(|n| n.to_string()).unwrap_or_default(),
        "migrant_worker_pct" => num(f.migrant_worker_pct),
        "agency_worker_pct" => num(f.agency_worker_pct),
        "uses_labour_agency" => yn(f.uses_labour_agency),
        "recruitment_fees_paid_by_workers" => yn(f.recruitment_fees_paid_by_workers),
        "passports_held_by_employer" => yn(f.passports_held_by_employer),
        "worker_housing_provided" => yn(f.worker_housing_provided),
        "workers_live_on_premises" => yn(f.workers_live_on_premises),
        "annual_revenue" => num(f.annual_revenue),
        "currency" => s(&f.currency),
        "cash_revenue_pct" => num(f.cash_revenue_pct),
        "subcontracting" => yn(f.subcontracting),
        "last_audit_date" => f.last_audit_date.map(|d| d.to_string()).unwrap_or_default(),
        "audit_standard" => s(&f.audit_standard),
        "xinjiang_inputs" => yn(f.xinjiang_inputs),
        "notes" => s(&f.notes),
        _ => String::new(),
    }
}
