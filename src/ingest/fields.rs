//! Canonical field → value pairs into [`SupplierFields`], with row-addressed errors and
//! warnings. Used for supplier-list rows and for any other source of supplier values.

pub use super::headers::CANONICAL_FIELDS;
use super::values::{
    excel_serial_date, is_ambiguous_number, parse_date, parse_list, parse_money, parse_number, parse_percent,
    parse_sector, percent_from_number, DateError,
};
use super::{parse_country, text::clean_owned};
use crate::domain::{AddressType, Cell, SupplierFields, YesNo};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// Longest cell text kept (Excel's own limit); longer text is truncated with a warning.
pub const MAX_CELL_CHARS: usize = 32_767;

/// One value for one canonical field, with the header it came from (as written). Field and
/// header are borrowed where they can be (a supplier list's rows borrow them from its column
/// map: two copies fewer per cell).
#[derive(Debug, Clone, PartialEq)]
pub struct FieldValue<'a> {
    pub field: Cow<'a, str>,
    pub header: Cow<'a, str>,
    pub cell: Cell,
}

/// A problem with one value of one row. `row` is the spreadsheet's own 1-based row number,
/// `column` the header as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RowError {
    pub row: u32,
    pub column: Option<String>,
    pub value: Option<String>,
    pub code: String,
    pub message: String,
}

/// The outcome of [`parse_fields`]: `fields` is Some exactly when `errors` is empty.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedFields {
    pub fields: Option<SupplierFields>,
    pub errors: Vec<RowError>,
    pub warnings: Vec<RowError>,
}

struct Ctx<'a> {
    row: u32,
    fv: &'a FieldValue<'a>,
    text: &'a str,
}

impl Ctx<'_> {
    fn err(&self, code: &str, message: impl Into<String>) -> RowError {
        RowError {
            row: self.row,
            column: Some(self.fv.header.to_string()),
            value: Some(self.text.to_string()),
            code: code.to_string(),
            message: message.into(),
        }
    }
}

fn number_of(cell: &Cell, text: &str) -> Option<f64> {
    match cell {
        Cell::Number(n) => Some(*n),
        _ => parse_number(text),
    }
}

/// A percent-formatted number under a field that is not a percentage (a headcount, revenue
/// or date column showing `3500%`): either the format or the value is wrong, and which one
/// cannot be told from the file, so the value is refused rather than guessed.
fn percent_format_refused(cx: &Ctx<'_>, what: &str) -> Result<(), RowError> {
    if matches!(cx.fv.cell, Cell::Percent(_)) {
        return Err(cx.err(
            "invalid_number",
            format!("The cell is formatted as a percentage ({}), but {what} is not a percentage: remove the percent format and enter the value.", cx.text),
        ));
    }
    Ok(())
}

fn date_of(cx: &Ctx<'_>, today: NaiveDate) -> Result<NaiveDate, RowError> {
    percent_format_refused(cx, "a date")?;
    let d = match &cx.fv.cell {
        Cell::Date(dt) => Ok(dt.date()),
        Cell::Number(n) => excel_serial_date(*n).ok_or(DateError::Invalid),
        _ => parse_date(cx.text),
    };
    match d {
        Ok(d) if d > today => Err(cx.err("future_date", format!("The date {d} is in the future."))),
        Ok(d) => Ok(d),
        Err(DateError::Ambiguous) => Err(cx.err(
            "ambiguous_date",
            "This date could be read day-first or month-first; write it as YYYY-MM-DD or with a month name.",
        )),
        Err(DateError::Invalid) => Err(cx.err("invalid_date", "This is not a date Manumit can read (use YYYY-MM-DD).")),
    }
}

/// The error for text that is not a number: `ambiguous_number` for `1.250`, else `invalid_number`.
fn not_a_number(cx: &Ctx<'_>, what: &str) -> RowError {
    if is_ambiguous_number(cx.text) {
        cx.err(
            "ambiguous_number",
            "This number could mean a decimal or thousands (1.250 = 1.25 or 1250); write it without separators.",
        )
    } else {
        cx.err("invalid_number", format!("This is not {what}."))
    }
}

fn percent_of(cx: &Ctx<'_>) -> Result<f64, RowError> {
    let v = match &cx.fv.cell {
        // Percent-formatted: the file says the scale, so no fraction rule (150% is 150).
        Cell::Percent(f) => Some(Cell::percent_points(*f)),
        Cell::Number(n) => Some(percent_from_number(*n)),
        _ => parse_percent(cx.text),
    };
    match v {
        Some(p) if (0.0..=100.0).contains(&p) => Ok(p),
        Some(_) => Err(cx.err("out_of_range", "A percentage must be between 0 and 100.")),
        None => Err(not_a_number(cx, "a percentage (write 35%, 35 or 0.35)")),
    }
}

fn yes_no_of(cx: &Ctx<'_>) -> Result<YesNo, RowError> {
    let v = match &cx.fv.cell {
        Cell::Bool(b) => Some(if *b { YesNo::Yes } else { YesNo::No }),
        _ => YesNo::parse(cx.text),
    };
    v.ok_or_else(|| cx.err("invalid_yes_no", "Expected Yes, No or Unknown."))
}

/// Parses canonical field values into [`SupplierFields`]. Rules: `legal_name`, `country` and
/// `sector` are required; `employee_count` is a whole number ≥ 0; percents 0–100; dates not
/// after `today`; text over 32,767 characters is truncated (warning). Unknown field names are
/// errors (`unknown_field`); a later value for a field already set is ignored.
///
/// A percent-formatted cell ([`Cell::Percent`]) is read on the scale it shows: 35 for a
/// cell showing 35%, 150 (out of range) for 150%, without the 0–1 fraction rule. Under a
/// number, money or date field it is refused (`invalid_number`); text fields keep what the
/// sheet shows (`35%`).
pub fn parse_fields(values: &[FieldValue<'_>], row: u32, today: NaiveDate) -> ParsedFields {
    let mut f = SupplierFields::default();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    let mut currency_from_money: Option<String> = None;
    for fv in values {
        if fv.cell.is_empty() || seen.contains(&fv.field.as_ref()) {
            continue;
        }
        seen.push(fv.field.as_ref());
        let mut text = clean_owned(fv.cell.display());
        if text.len() > MAX_CELL_CHARS && text.chars().count() > MAX_CELL_CHARS {
            text = text.chars().take(MAX_CELL_CHARS).collect();
            let short: String = text.chars().take(80).collect();
            let cx = Ctx { row, fv, text: &short };
            warnings.push(
                cx.err("truncated", format!("The text was longer than {MAX_CELL_CHARS} characters and was cut.")),
            );
        }
        let cx = Ctx { row, fv, text: &text };
        let r: Result<(), RowError> = (|| {
            match fv.field.as_ref() {
                "external_ref" => f.external_ref = Some(text.clone()),
                "legal_name" => f.legal_name = text.clone(),
                "trading_name" => f.trading_name = Some(text.clone()),
                "commodity" => f.commodity = Some(text.clone()),
                "registration_number" => f.registration_number = Some(text.clone()),
                "address" => f.address = Some(text.clone()),
                "city" => f.city = Some(text.clone()),
                "postal_code" => f.postal_code = Some(text.clone()),
                "region" => f.region = Some(text.clone()),
                "phone" => f.phone = Some(text.clone()),
                "email" => f.email = Some(text.clone()),
                "website" => f.website = Some(text.clone()),
                "bank_account" => f.bank_account = Some(text.clone()),
                "bank_account_holder" => f.bank_account_holder = Some(text.clone()),
                "audit_standard" => f.audit_standard = Some(text.clone()),
                "directors" => f.directors = parse_list(&text),
                "beneficial_owners" => f.beneficial_owners = parse_list(&text),
                "country" => {
                    f.country = Some(parse_country(&text).ok_or_else(|| {
                        cx.err("unknown_country", "Unknown country: use the country name or its ISO code (e.g. TH, THA).")
                    })?)
                }
                "sector" => {
                    f.sector = Some(parse_sector(&text).ok_or_else(|| {
                        cx.err("unknown_sector", "Unknown sector: use agriculture, construction, hospitality or manufacturing.")
                    })?)
                }
                "address_type" => {
                    f.address_type = Some(AddressType::parse(&text).ok_or_else(|| {
                        cx.err("unknown_address_type", "Unknown address type: use own, leased_industrial, virtual_office, registered_agent or residential.")
                    })?)
                }
                "currency" => {
                    let c = text.trim().to_ascii_uppercase();
                    if c.len() != 3 || !c.chars().all(|ch| ch.is_ascii_alphabetic()) {
                        return Err(cx.err("invalid_currency", "A currency is a three-letter ISO code such as USD."));
                    }
                    f.currency = Some(c);
                }
                "incorporation_date" => f.incorporation_date = Some(date_of(&cx, today)?),
                "last_audit_date" => f.last_audit_date = Some(date_of(&cx, today)?),
                "employee_count" => {
                    percent_format_refused(&cx, "a number of employees")?;
                    let n = number_of(&fv.cell, &text).ok_or_else(|| not_a_number(&cx, "a number"))?;
                    if n < 0.0 {
                        return Err(cx.err("out_of_range", "The number of employees cannot be negative."));
                    }
                    if n.fract() != 0.0 || n > 1e12 {
                        return Err(cx.err("invalid_number", "The number of employees must be a whole number."));
                    }
                    f.employee_count = Some(n as u64);
                }
                "migrant_worker_pct" => f.migrant_worker_pct = Some(percent_of(&cx)?),
                "agency_worker_pct" => f.agency_worker_pct = Some(percent_of(&cx)?),
                "cash_revenue_pct" => f.cash_revenue_pct = Some(percent_of(&cx)?),
                "annual_revenue" => {
                    percent_format_refused(&cx, "an amount of money")?;
                    let (v, cur) = match &fv.cell {
                        Cell::Number(n) => (*n, None),
                        _ => parse_money(&text).ok_or_else(|| not_a_number(&cx, "an amount of money"))?,
                    };
                    if v < 0.0 {
                        return Err(cx.err("out_of_range", "Annual revenue cannot be negative."));
                    }
                    f.annual_revenue = Some(v);
                    currency_from_money = cur;
                }
                "beneficial_owners_disclosed" => f.beneficial_owners_disclosed = Some(yes_no_of(&cx)?),
                "uses_labour_agency" => f.uses_labour_agency = Some(yes_no_of(&cx)?),
                "recruitment_fees_paid_by_workers" => f.recruitment_fees_paid_by_workers = Some(yes_no_of(&cx)?),
                "passports_held_by_employer" => f.passports_held_by_employer = Some(yes_no_of(&cx)?),
                "worker_housing_provided" => f.worker_housing_provided = Some(yes_no_of(&cx)?),
                "workers_live_on_premises" => f.workers_live_on_premises = Some(yes_no_of(&cx)?),
                "subcontracting" => f.subcontracting = Some(yes_no_of(&cx)?),
                "xinjiang_inputs" => f.xinjiang_inputs = Some(yes_no_of(&cx)?),
                other => return Err(cx.err("unknown_field", format!("\"{other}\" is not a supplier field."))),
            }
            Ok(())
        })();
        if let Err(e) = r {
            errors.push(e);
        }
    }
    if f.currency.is_none() {
        f.currency = currency_from_money.or_else(|| f.annual_revenue.map(|_| "USD".to_string()));
    }
    let missing = |field: &str, what: &str| RowError {
        row,
        column: values.iter().find(|v| v.field == field).map(|v| v.header.to_string()),
        value: None,
        code: "missing_required".into(),
        message: format!("The {what} is required."),
    };
    if f.legal_name.is_empty() {
        errors.push(missing("legal_name", "supplier's legal name"));
    }
    if f.country.is_none() && !errors.iter().any(|e| e.code == "unknown_country") {
        errors.push(missing("country", "country"));
    }
    if f.sector.is_none() && !errors.iter().any(|e| e.code == "unknown_sector") {
        errors.push(missing("sector", "sector"));
    }
    ParsedFields { fields: errors.is_empty().then_some(f), errors, warnings }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Sector;

    fn fv(field: &str, header: &str, cell: Cell) -> FieldValue<'static> {
        FieldValue { field: field.to_string().into(), header: header.to_string().into(), cell }
    }
    fn t(s: &str) -> Cell {
        Cell::Text(s.into())
    }
    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
    }

    #[test]
    fn accepts_a_messy_row() {
        let p = parse_fields(
            &[
                fv("legal_name", "Supplier Name", t(" Golden Harvest Ltd ")),
                fv("country", "Country", t("Viet Nam")),
                fv("sector", "Industry", t("MFG")),
                fv("employee_count", "Employees", t("1,250")),
                fv("migrant_worker_pct", "Migrant %", Cell::Number(0.35)),
                fv("incorporation_date", "Founded", t("12.03.2001")),
                fv("uses_labour_agency", "Agency", Cell::Bool(true)),
                fv("annual_revenue", "Revenue", t("EUR 2.5m")),
                fv("directors", "Directors", t("A; B")),
            ],
            7,
            today(),
        );
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let f = p.fields.unwrap();
        assert_eq!(f.legal_name, "Golden Harvest Ltd");
        assert_eq!(f.country.unwrap().as_str(), "VN");
        assert_eq!(f.sector, Some(Sector::Manufacturing));
        assert_eq!(f.employee_count, Some(1250));
        assert!((f.migrant_worker_pct.unwrap() - 35.0).abs() < 1e-9);
        assert_eq!(f.incorporation_date, NaiveDate::from_ymd_opt(2001, 3, 12));
        assert_eq!(f.uses_labour_agency, Some(YesNo::Yes));
        assert_eq!((f.annual_revenue, f.currency.as_deref()), (Some(2_500_000.0), Some("EUR")));
        assert_eq!(f.directors, vec!["A", "B"]);
    }

    #[test]
    fn rejects_with_addressed_errors() {
        let p = parse_fields(
            &[
                fv("legal_name", "Name", t("X")),
                fv("country", "Land", t("Atlantis")),
                fv("employee_count", "Staff", t("-4")),
                fv("migrant_worker_pct", "Migrants", t("140%")),
                fv("last_audit_date", "Audit", t("03/04/2021")),
                fv("incorporation_date", "Founded", t("2030-01-01")),
            ],
            12,
            today(),
        );
        assert!(p.fields.is_none());
        let codes: Vec<(&str, Option<&str>)> =
            p.errors.iter().map(|e| (e.code.as_str(), e.column.as_deref())).collect();
        assert_eq!(
            codes,
            vec![
                ("unknown_country", Some("Land")),
                ("out_of_range", Some("Staff")),
                ("out_of_range", Some("Migrants")),
                ("ambiguous_date", Some("Audit")),
                ("future_date", Some("Founded")),
                ("missing_required", None),
            ]
        );
        assert!(p.errors.iter().all(|e| e.row == 12));
        assert_eq!(p.errors[0].value.as_deref(), Some("Atlantis"));
    }

    #[test]
    fn percent_formatted_cells() {
        let base = || vec![fv("legal_name", "Name", t("X")), fv("country", "C", t("TH")), fv("sector", "S", t("agri"))];
        let parse = |extra: Vec<FieldValue<'static>>| {
            let mut v = base();
            v.extend(extra);
            parse_fields(&v, 3, today())
        };
        // The file says the scale: 35% is 35, 100% is 100, 0.5% is 0.5, 12.5% is 12.5.
        let p = parse(vec![
            fv("migrant_worker_pct", "Migrant %", Cell::Percent(0.35)),
            fv("agency_worker_pct", "Agency %", Cell::Percent(1.0)),
            fv("cash_revenue_pct", "Cash %", Cell::Percent(0.005)),
            fv("external_ref", "Ref", Cell::Percent(0.125)),
        ]);
        let f = p.fields.unwrap();
        assert_eq!(f.migrant_worker_pct, Some(35.0));
        assert_eq!(f.agency_worker_pct, Some(100.0));
        assert_eq!(f.cash_revenue_pct, Some(0.5));
        assert_eq!(f.external_ref.as_deref(), Some("12.5%"), "text fields keep what the sheet shows");
        // 150% is out of range, as "150%" typed as text is (the bare number 1.5 would be 1.5 %).
        let p = parse(vec![fv("migrant_worker_pct", "Migrant %", Cell::Percent(1.5))]);
        assert_eq!(p.errors[0].code, "out_of_range");
        assert_eq!(p.errors[0].value.as_deref(), Some("150%"));
        let p = parse(vec![fv("migrant_worker_pct", "Migrant %", Cell::Number(1.5))]);
        assert_eq!(p.fields.unwrap().migrant_worker_pct, Some(1.5));
        // Under a headcount, money or date: refused, not guessed.
        for field in ["employee_count", "annual_revenue", "incorporation_date"] {
            let p = parse(vec![fv(field, "Col", Cell::Percent(35.0))]);
            assert_eq!(p.errors.len(), 1, "{field}: {:?}", p.errors);
            assert_eq!(p.errors[0].code, "invalid_number", "{field}");
            assert_eq!(p.errors[0].value.as_deref(), Some("3500%"), "{field}");
            assert!(p.errors[0].message.contains("formatted as a percentage"), "{field}");
        }
        // Yes/no: 100% is not an answer.
        let p = parse(vec![fv("subcontracting", "Sub", Cell::Percent(1.0))]);
        assert_eq!(p.errors[0].code, "invalid_yes_no");
    }

    #[test]
    fn truncates_long_text_with_warning() {
        let long = "x".repeat(MAX_CELL_CHARS + 10);
        let p = parse_fields(
            &[fv("legal_name", "Name", t(&long)), fv("country", "C", t("TH")), fv("sector", "S", t("agri"))],
            2,
            today(),
        );
        assert_eq!(p.fields.unwrap().legal_name.chars().count(), MAX_CELL_CHARS);
        assert_eq!(p.warnings[0].code, "truncated");
    }
}
