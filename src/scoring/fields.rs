//! Indicators read from the supplier-list fields: ILO forced-labour fields, front-business
//! red flags (FinCEN FIN-2020-A008, FATF 2018, Polaris).

use super::evidence::{field, finding, fraction, reference_row};
use super::names::same_name;
use super::refdata::{self, FX_FILE};
use crate::domain::{AddressType, Dimension, Finding, Sector, Severity, SupplierRecord, YesNo};
use chrono::NaiveDate;

/// Incorporated less than this many months before `as_of` is recent.
pub const RECENT_INCORPORATION_MONTHS: u32 = 24;
/// Cash revenue share above this is cash-heavy.
pub const CASH_REVENUE_THRESHOLD: f64 = 0.30;

/// Revenue per employee band (USD) per sector; outside it is a front-business indicator.
pub fn revenue_band(sector: Option<Sector>) -> (f64, f64) {
    match sector {
        Some(Sector::Agriculture) => (3_000.0, 300_000.0),
        Some(Sector::Construction) => (15_000.0, 1_000_000.0),
        Some(Sector::Hospitality) => (8_000.0, 400_000.0),
        Some(Sector::Manufacturing) => (10_000.0, 1_500_000.0),
        None => (3_000.0, 1_500_000.0),
    }
}

fn insufficient(s: &SupplierRecord, name: &str, label: &str, dimension: Dimension) -> Finding {
    let mut f = finding(
        "insufficient_evidence",
        dimension,
        Severity::Low,
        format!("Core item unanswered: {label}"),
        format!("'{label}' is unknown. Unknown is not 'no': the item stays open until answered with evidence."),
        vec![field(s, name, "Unknown")],
    );
    f.points = 6.0;
    f
}

/// ILO forced-labour findings from the supplier fields. `asked_again`: fields whose unknown
/// value the questionnaire also leaves open — that one open item is reported there, once.
pub fn forced_labour(s: &SupplierRecord, asked_again: &[&str]) -> Vec<Finding> {
    let f = &s.fields;
    let mut out = Vec::new();
    match f.passports_held_by_employer {
        Some(YesNo::Yes) => out.push(finding(
            "retention_of_identity_documents",
            Dimension::MenaceOfPenalty,
            Severity::High,
            "Employer holds workers' passports or identity documents",
            "Indicator of risk (strong, coercion): the employer or an agent keeps workers' identity documents \
             (ILO indicator 7).",
            vec![field(s, "passports_held_by_employer", "Yes")],
        )),
        Some(YesNo::Unknown) if !asked_again.contains(&"passports_held_by_employer") => out.push(insufficient(
            s,
            "passports_held_by_employer",
            "passports held by employer",
            Dimension::MenaceOfPenalty,
        )),
        _ => {}
    }
    match f.recruitment_fees_paid_by_workers {
        Some(YesNo::Yes) => out.push(finding(
            "debt_bondage",
            Dimension::MenaceOfPenalty,
            Severity::Medium,
            "Workers pay recruitment fees",
            "Indicator of risk (coercion through debt): workers paid fees or costs to get the job (ILO indicator 9, \
             debt bondage; often with deception at recruitment). Strong when fees reach a month's wage.",
            vec![field(s, "recruitment_fees_paid_by_workers", "Yes")],
        )),
        Some(YesNo::Unknown) if !asked_again.contains(&"recruitment_fees_paid_by_workers") => out.push(insufficient(
            s,
            "recruitment_fees_paid_by_workers",
            "recruitment fees paid by workers",
            Dimension::MenaceOfPenalty,
        )),
        _ => {}
    }
    out
}

fn months_between(from: NaiveDate, to: NaiveDate) -> i64 {
    use chrono::Datelike;
    (to.year() as i64 - from.year() as i64) * 12 + to.month() as i64 - from.month() as i64
}

/// Front-business findings from the supplier fields (networks come separately).
pub fn front_business(s: &SupplierRecord, as_of: NaiveDate) -> Vec<Finding> {
    let f = &s.fields;
    let mut out = Vec::new();
    let fb = |ind: &str, sev: Severity, title: String, why: &str, ev| {
        finding(ind, Dimension::FrontBusiness, sev, title, format!("Indicator of risk: {why}"), ev)
    };
    if let Some(d) = f.incorporation_date {
        if months_between(d, as_of) < RECENT_INCORPORATION_MONTHS as i64 {
            out.push(fb(
                "recent_incorporation",
                Severity::Medium,
                format!("Incorporated less than {} months before {as_of}", RECENT_INCORPORATION_MONTHS),
                "fronts and shells are often new vehicles, re-formed after enforcement (FATF 2018).",
                vec![field(s, "incorporation_date", d.to_string())],
            ));
        }
    }
    if let Some(t @ (AddressType::VirtualOffice | AddressType::RegisteredAgent | AddressType::Residential)) =
        f.address_type
    {
        let label = match t {
            AddressType::VirtualOffice => "virtual office",
            AddressType::RegisteredAgent => "registered agent",
            _ => "residential",
        };
        out.push(fb(
            "non_operating_address",
            Severity::Medium,
            format!("Registered address is a {label} address"),
            "a physical business registered at a virtual-office, formation-agent or residential address has no \
             visible premises (FATF 2018).",
            vec![field(s, "address_type", label)],
        ));
    }
    if matches!(f.beneficial_owners_disclosed, Some(YesNo::No | YesNo::Unknown)) {
        let v = if f.beneficial_owners_disclosed == Some(YesNo::No) { "No" } else { "Unknown" };
        out.push(fb(
            "undisclosed_beneficial_owners",
            Severity::Medium,
            "Beneficial owners not disclosed".into(),
            "undisclosed ownership hides who controls the business (FIN-2020-A008; FATF 2018).",
            vec![field(s, "beneficial_owners_disclosed", v)],
        ));
    }
    if let Some(rev) = f.annual_revenue.filter(|r| r.is_finite() && *r > 0.0) {
        let cur = f.currency.as_deref().unwrap_or("USD").trim().to_ascii_uppercase();
        let rate = if cur == "USD" { Some((1.0, String::new())) } else { refdata::units_per_usd(&cur) };
        if let (Some(n), Some((per_usd, edition))) = (f.employee_count, rate.filter(|(r, _)| *r > 0.0)) {
            let (lo, hi) = revenue_band(f.sector);
            let usd = rev / per_usd;
            let per = if n == 0 { f64::INFINITY } else { usd / n as f64 };
            if per < lo || per > hi {
                let mut evidence =
                    vec![field(s, "annual_revenue", format!("{rev}")), field(s, "employee_count", n.to_string())];
                if cur != "USD" {
                    evidence.push(field(s, "currency", cur.clone()));
                    evidence.push(reference_row(FX_FILE, &cur, format!("{per_usd} {cur} per USD ({edition})")));
                }
                out.push(fb(
                    "revenue_per_employee_out_of_band",
                    Severity::Medium,
                    if n == 0 {
                        "Revenue declared with no employees".into()
                    } else {
                        format!("Revenue per employee {per:.0} USD outside the sector band {lo:.0}–{hi:.0} USD")
                    },
                    "payroll too small for turnover, or too large for capacity, does not fit the declared \
                     activity (FATF 2018; FinCEN front-company typology).",
                    evidence,
                ));
            }
        }
    }
    if let Some(c) = f.cash_revenue_pct.map(fraction).filter(|c| *c > CASH_REVENUE_THRESHOLD) {
        out.push(fb(
            "cash_heavy_revenue",
            Severity::Medium,
            format!("{:.0}% of revenue in cash", c * 100.0),
            "cash-intensive businesses can mix illicit proceeds with real revenue (FIN-2020-A008).",
            vec![field(s, "cash_revenue_pct", format!("{:.0}%", c * 100.0))],
        ));
    }
    if let Some(holder) = f.bank_account_holder.as_deref().filter(|h| !h.trim().is_empty()) {
        let own = same_name(holder, &f.legal_name) || f.trading_name.as_deref().is_some_and(|t| same_name(holder, t));
        if !own {
            out.push(fb(
                "third_party_bank_account",
                Severity::High,
                "Bank account held by a third party".into(),
                "payments routed to an account in another name are a funnel-account red flag (FIN-2020-A008).",
                vec![field(s, "bank_account_holder", holder), field(s, "legal_name", f.legal_name.clone())],
            ));
        }
    }
    if f.workers_live_on_premises == Some(YesNo::Yes) {
        let sev = if f.sector == Some(Sector::Hospitality) { Severity::High } else { Severity::Low };
        out.push(fb(
            "workers_live_on_premises",
            sev,
            "Workers live on the business premises".into(),
            "workers housed at the premises is typical of hospitality fronts (Polaris 2017); strong in hospitality.",
            vec![field(s, "workers_live_on_premises", "Yes")],
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::CountryCode;

    fn sup() -> SupplierRecord {
        let mut s = SupplierRecord { id: "s".into(), ..Default::default() };
        s.fields.legal_name = "Acme Garments Sdn Bhd".into();
        s.fields.country = CountryCode::new("MY");
        s.fields.sector = Some(Sector::Manufacturing);
        s
    }
    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn passports_fees_and_unknowns() {
        let mut s = sup();
        s.fields.passports_held_by_employer = Some(YesNo::Yes);
        s.fields.recruitment_fees_paid_by_workers = Some(YesNo::Unknown);
        let f = forced_labour(&s, &[]);
        assert_eq!(f[0].indicator, "retention_of_identity_documents");
        assert_eq!(f[0].severity, Severity::High);
        assert_eq!(f[1].indicator, "insufficient_evidence");
        s.fields.passports_held_by_employer = Some(YesNo::No);
        s.fields.recruitment_fees_paid_by_workers = Some(YesNo::Yes);
        let f = forced_labour(&s, &[]);
        assert_eq!((f.len(), f[0].indicator.as_str(), f[0].dimension), (1, "debt_bondage", Dimension::MenaceOfPenalty));
    }

    #[test]
    fn front_business_flags() {
        let as_of = day("2026-11-29");
        let mut s = sup();
        assert!(front_business(&s, as_of).is_empty());
        s.fields.incorporation_date = Some(day("2025-06-01"));
        s.fields.address_type = Some(AddressType::VirtualOffice);
        s.fields.beneficial_owners_disclosed = Some(YesNo::No);
        s.fields.annual_revenue = Some(50_000_000.0);
        s.fields.employee_count = Some(3);
        s.fields.cash_revenue_pct = Some(45.0);
        s.fields.bank_account_holder = Some("Lee Holdings Ltd".into());
        s.fields.workers_live_on_premises = Some(YesNo::Yes);
        let ids: Vec<String> = front_business(&s, as_of).into_iter().map(|f| f.indicator).collect();
        assert_eq!(
            ids,
            [
                "recent_incorporation",
                "non_operating_address",
                "undisclosed_beneficial_owners",
                "revenue_per_employee_out_of_band",
                "cash_heavy_revenue",
                "third_party_bank_account",
                "workers_live_on_premises"
            ]
        );
        s.fields.incorporation_date = Some(day("2020-01-01"));
        s.fields.bank_account_holder = Some("ACME GARMENTS SDN. BHD.".into());
        let ids: Vec<String> = front_business(&s, as_of).into_iter().map(|f| f.indicator).collect();
        assert!(!ids.iter().any(|i| i == "recent_incorporation" || i == "third_party_bank_account"), "{ids:?}");
        // Revenue is converted from its currency: MYR 50 m for 3 employees is still far outside
        // the band; MYR 5 m for 20 (about USD 55,000 each) is inside it, though USD 5 m would not be.
        s.fields.currency = Some("MYR".into());
        let found = front_business(&s, as_of);
        let rev = found.iter().find(|f| f.indicator == "revenue_per_employee_out_of_band");
        assert!(rev.is_some_and(|f| f.evidence.iter().any(|e| e.file.as_deref() == Some(FX_FILE))), "{found:?}");
        s.fields.annual_revenue = Some(5_000_000.0);
        s.fields.employee_count = Some(20);
        let ids: Vec<String> = front_business(&s, as_of).into_iter().map(|f| f.indicator).collect();
        assert!(!ids.iter().any(|i| i == "revenue_per_employee_out_of_band"), "{ids:?}");
        s.fields.currency = Some("USD".into());
        s.fields.annual_revenue = Some(50_000_000.0);
        let ids: Vec<String> = front_business(&s, as_of).into_iter().map(|f| f.indicator).collect();
        assert!(ids.iter().any(|i| i == "revenue_per_employee_out_of_band"), "{ids:?}");
        // A currency the FX table does not hold: the test cannot be run, nothing is concluded.
        s.fields.currency = Some("XYZ".into());
        let ids: Vec<String> = front_business(&s, as_of).into_iter().map(|f| f.indicator).collect();
        assert!(!ids.iter().any(|i| i == "revenue_per_employee_out_of_band"), "{ids:?}");
    }
}
