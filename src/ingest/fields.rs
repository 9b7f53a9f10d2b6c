//! Canonical field → value pairs into [`SupplierFields`], with row-addressed errors and
//! warnings. Used for supplier-list rows and for any other source of supplier values.

use super::currency::{parse_currency, CurrencyError};
pub use super::headers::CANONICAL_FIELDS;
use super::parse_country;
use super::sector::{match_sector, ACCEPTED};
use super::text::{clean_owned, has_bidi, mark_bidi, strip_bidi};
use super::values::{
    excel_serial_date, is_ambiguous_number, money_parts, parse_date, parse_list, parse_number, parse_percent,
    percent_from_number, DateError,
};
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
    /// Why the row is refused: a required field (legal name, country, sector) missing or
    /// unreadable, or a name that is no supplier field.
    pub errors: Vec<RowError>,
    /// Values kept with a remark (text cut, the first of several sectors taken) and optional
    /// values that could not be read and were left unknown (the row is kept).
    pub warnings: Vec<RowError>,
}

/// Ends the message of every warning for an optional value left unknown.
const LEFT_UNKNOWN: &str = " The field is left unknown; the supplier is kept.";

/// Codes of warnings whose value was kept (every other warning left its field unknown).
const KEPT_CODES: &[&str] = &["truncated", "mixed_sector", "currency_conflict", "bidi_control"];

/// Fields of names and free text: a bidirectional control in them is kept visible as a marker
/// (e.g. "[RLO]") with a warning, so that an auditor sees a name written to display otherwise.
/// From every other field (references, registration numbers, codes, values read as numbers,
/// dates or words) such controls are removed.
const MARKED_FIELDS: &[&str] = &[
    "legal_name",
    "trading_name",
    "directors",
    "beneficial_owners",
    "bank_account_holder",
    "commodity",
    "address",
    "city",
    "region",
    "audit_standard",
    "notes",
];

impl ParsedFields {
    /// For a sender who can correct and resend (the JSON API): an optional value that could
    /// not be read refuses the whole input instead of being left unknown.
    pub fn strict(mut self) -> ParsedFields {
        let (unread, kept): (Vec<RowError>, Vec<RowError>) =
            self.warnings.into_iter().partition(|w| !KEPT_CODES.contains(&w.code.as_str()));
        self.warnings = kept;
        for mut e in unread {
            if let Some(m) = e.message.strip_suffix(LEFT_UNKNOWN) {
                e.message = m.to_string();
            }
            self.errors.push(e);
        }
        if !self.errors.is_empty() {
            self.fields = None;
        }
        self
    }
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

/// Parses canonical field values into [`SupplierFields`] (DOMAIN.md §2). Only a missing or
/// unreadable required field (`legal_name`, `country`, `sector`) is an error, and so is a name
/// that is no supplier field (`unknown_field`). An optional value that cannot be read (a date,
/// number, percent, yes/no, address type or currency) leaves its field unknown with a warning
/// naming the row, column, value and why. `employee_count` is a whole number ≥ 0; percents
/// 0–100; dates not after `today`; text over 32,767 characters is cut (warning). A later value
/// for a field already set is ignored.
///
/// A sector label is read by its words ([`super::sector`]); a label naming several things
/// takes the first sector recognised, with a warning (`mixed_sector`).
///
/// Currency: the amount's own (`EUR 2.5m`, `RM 3m`), else the `currency` value (a column, or
/// the currency the revenue header names, which the list mapper passes as one), else USD. A
/// currency that cannot be read leaves the currency and the revenue unknown (an amount in an
/// unknown currency cannot be compared); one that differs from the amount's is a warning.
///
/// A percent-formatted cell ([`Cell::Percent`]) is read on the scale it shows: 35 for a
/// cell showing 35%, 150 (out of range) for 150%, without the 0–1 fraction rule. Under a
/// number, money or date field it is not read; text fields keep what the sheet shows (`35%`).
pub fn parse_fields(values: &[FieldValue<'_>], row: u32, today: NaiveDate) -> ParsedFields {
    let mut f = SupplierFields::default();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    // (header, value as written): read once the country is known (`$` depends on it).
    let mut currency_given: Option<(String, String)> = None;
    let mut currency_of_amount: Option<(String, String)> = None;
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
        if has_bidi(&text) {
            if MARKED_FIELDS.contains(&fv.field.as_ref()) {
                text = mark_bidi(&text);
                warnings.push(Ctx { row, fv, text: &text }.err(
                    "bidi_control",
                    "The text holds bidirectional control characters, which make it display differently \
                     from what it holds; they are kept as visible markers such as [RLO].",
                ));
            } else {
                text = strip_bidi(&text);
            }
        }
        let cx = Ctx { row, fv, text: &text };
        let mut remarks = Vec::new();
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
                "notes" => f.notes = Some(text.clone()),
                "directors" => f.directors = parse_list(&text),
                "beneficial_owners" => f.beneficial_owners = parse_list(&text),
                "country" => {
                    f.country = Some(parse_country(&text).ok_or_else(|| {
                        cx.err("unknown_country", "Unknown country: use the country name or its ISO code (e.g. TH, THA).")
                    })?)
                }
                "sector" => {
                    let m = match_sector(&text).ok_or_else(|| {
                        cx.err(
                            "unknown_sector",
                            format!("Unknown sector: no word of this label names a sector. Use {ACCEPTED}, or a common word for one (farming, building, hotel, cleaning, factory, apparel...)."),
                        )
                    })?;
                    if m.sectors.len() > 1 {
                        let all: Vec<&str> = m.sectors.iter().map(|s| s.as_str()).collect();
                        remarks.push(cx.err(
                            "mixed_sector",
                            format!("The label names several sectors ({}); the first, {}, was taken.", all.join(", "), m.sector),
                        ));
                    } else if m.is_mixed() {
                        remarks.push(cx.err(
                            "mixed_sector",
                            format!(
                                "The label also names {}, which is not a sector Manumit scores; {} (from \"{}\") was taken.",
                                m.unrecognised.iter().map(|p| format!("\"{p}\"")).collect::<Vec<_>>().join(", "),
                                m.sector,
                                m.keyword
                            ),
                        ));
                    }
                    f.sector = Some(m.sector);
                }
                "address_type" => {
                    f.address_type = Some(AddressType::parse(&text).ok_or_else(|| {
                        cx.err("unknown_address_type", "Unknown address type: use own premises, leased industrial or commercial, virtual office, registered agent or residential.")
                    })?)
                }
                "currency" => currency_given = Some((fv.header.to_string(), text.clone())),
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
                        _ => money_parts(&text).ok_or_else(|| not_a_number(&cx, "an amount of money"))?,
                    };
                    if !v.is_finite() {
                        return Err(cx.err("invalid_number", "This is not an amount of money."));
                    }
                    if v < 0.0 {
                        return Err(cx.err("out_of_range", "Annual revenue cannot be negative."));
                    }
                    f.annual_revenue = Some(v);
                    currency_of_amount = cur.map(|c| (fv.header.to_string(), c));
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
        warnings.append(&mut remarks);
        match r {
            Ok(()) => {}
            Err(e) if REFUSING.contains(&fv.field.as_ref()) || e.code == "unknown_field" => errors.push(e),
            Err(mut e) => {
                e.message.push_str(LEFT_UNKNOWN);
                warnings.push(e);
            }
        }
    }
    f.currency = read_currency(&mut f, currency_given, currency_of_amount, row, &mut warnings);
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

/// The fields whose unreadable value refuses the row (DOMAIN.md §2).
const REFUSING: &[&str] = &["legal_name", "country", "sector"];

/// The supplier's currency from the amount's own and the one given (column or header): see
/// [`parse_fields`]. Clears the revenue when its currency is given but cannot be read.
fn read_currency(
    f: &mut SupplierFields,
    given: Option<(String, String)>,
    of_amount: Option<(String, String)>,
    row: u32,
    warnings: &mut Vec<RowError>,
) -> Option<String> {
    let country = f.country.clone();
    let warn = |(header, value): &(String, String), code: &str, message: String| RowError {
        row,
        column: Some(header.clone()),
        value: Some(value.clone()),
        code: code.to_string(),
        message,
    };
    let read = |x: &(String, String)| parse_currency(&x.1, country.as_ref());
    let amount = of_amount.as_ref().map(|x| (x, read(x)));
    let given_read = given.as_ref().map(|x| (x, read(x)));
    let mut unread: Vec<RowError> = Vec::new();
    let why = |e: &CurrencyError| match e {
        CurrencyError::Unknown => {
            ("unknown_currency", "Unknown currency: use an ISO 4217 code such as USD, EUR, MYR or THB.".to_string())
        }
        CurrencyError::Ambiguous(m) => ("ambiguous_currency", m.clone()),
    };
    let currency = match (amount, given_read) {
        (Some((_, Ok(a))), Some((g, Ok(c)))) => {
            if a != c {
                warnings.push(warn(
                    g,
                    "currency_conflict",
                    format!(
                        "The amount is written in {a}, but this says {c}; the amount's own currency, {a}, was taken."
                    ),
                ));
            }
            Some(a)
        }
        (Some((_, Ok(a))), given) => {
            if let Some((g, Err(e))) = given {
                // Not read, but the amount names its own currency: that one is kept.
                let (code, m) = why(&e);
                warnings.push(warn(g, code, format!("{m} The amount's own currency, {a}, was taken.")));
            }
            Some(a)
        }
        (Some((_, Err(_))), Some((_, Ok(c)))) => Some(c),
        (None, Some((_, Ok(c)))) => Some(c),
        (amount, given) => {
            for (x, r) in [amount, given].into_iter().flatten() {
                if let Err(e) = r {
                    let (code, m) = why(&e);
                    unread.push(warn(x, code, m));
                }
            }
            if unread.is_empty() {
                f.annual_revenue.map(|_| "USD".to_string())
            } else {
                None
            }
        }
    };
    let revenue_lost = currency.is_none() && f.annual_revenue.take().is_some();
    for mut e in unread {
        if revenue_lost {
            e.message.push_str(
                " The annual revenue is left unknown with it: an amount in an unknown currency cannot be compared.",
            );
        }
        e.message.push_str(LEFT_UNKNOWN);
        warnings.push(e);
    }
    currency
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
    fn only_required_fields_refuse_a_row() {
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
        assert_eq!(codes, vec![("unknown_country", Some("Land")), ("missing_required", None)]);
        assert!(p.errors.iter().all(|e| e.row == 12));
        assert_eq!(p.errors[0].value.as_deref(), Some("Atlantis"));
        // The optional values that could not be read are warnings, each naming its cell.
        let warned: Vec<(&str, Option<&str>, Option<&str>)> =
            p.warnings.iter().map(|e| (e.code.as_str(), e.column.as_deref(), e.value.as_deref())).collect();
        assert_eq!(
            warned,
            vec![
                ("out_of_range", Some("Staff"), Some("-4")),
                ("out_of_range", Some("Migrants"), Some("140%")),
                ("ambiguous_date", Some("Audit"), Some("03/04/2021")),
                ("future_date", Some("Founded"), Some("2030-01-01")),
            ]
        );
        assert!(p.warnings.iter().all(|e| e.row == 12 && e.message.ends_with(LEFT_UNKNOWN)));
        // Unreadable sector and missing name refuse the row too.
        let p = parse_fields(&[fv("country", "C", t("TH")), fv("sector", "Industry", t("Health care"))], 4, today());
        let codes: Vec<&str> = p.errors.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(codes, vec!["unknown_sector", "missing_required"]);
        assert!(
            p.errors[0].message.contains("agriculture, construction, hospitality or manufacturing"),
            "{}",
            p.errors[0].message
        );
    }

    fn base() -> Vec<FieldValue<'static>> {
        vec![fv("legal_name", "Name", t("Acme")), fv("country", "C", t("TH")), fv("sector", "S", t("agri"))]
    }

    fn with(extra: Vec<FieldValue<'static>>) -> ParsedFields {
        let mut v = base();
        v.extend(extra);
        parse_fields(&v, 9, today())
    }

    /// Every kind of optional field: an unreadable value keeps the supplier, leaves the field
    /// unknown and is named in a warning.
    #[test]
    fn an_unreadable_optional_value_is_left_unknown_with_a_warning() {
        for (field, header, value, code) in [
            ("incorporation_date", "Founded", "sometime in 1990", "invalid_date"),
            ("incorporation_date", "Founded", "03/04/2011", "ambiguous_date"),
            ("last_audit_date", "Last audit", "2099-01-01", "future_date"),
            ("employee_count", "Employees", "about 200", "invalid_number"),
            ("employee_count", "Employees", "1.250", "ambiguous_number"),
            ("employee_count", "Employees", "12.5", "invalid_number"),
            ("employee_count", "Employees", "-3", "out_of_range"),
            ("annual_revenue", "Revenue", "n/a", "invalid_number"),
            ("annual_revenue", "Revenue", "-5", "out_of_range"),
            ("migrant_worker_pct", "Migrant %", "most", "invalid_number"),
            ("agency_worker_pct", "Agency %", "250%", "out_of_range"),
            ("cash_revenue_pct", "Cash %", "half", "invalid_number"),
            ("uses_labour_agency", "Agency", "sometimes", "invalid_yes_no"),
            ("passports_held_by_employer", "Passports", "kept safe", "invalid_yes_no"),
            ("xinjiang_inputs", "Xinjiang", "maybe", "invalid_yes_no"),
            ("beneficial_owners_disclosed", "UBO disclosed", "partly", "invalid_yes_no"),
            ("address_type", "Address type", "Registered address", "unknown_address_type"),
            ("currency", "Currency", "Doubloons", "unknown_currency"),
        ] {
            let p = with(vec![fv(field, header, t(value))]);
            assert!(p.errors.is_empty(), "{field} {value}: {:?}", p.errors);
            let f = p.fields.unwrap_or_else(|| panic!("{field} {value}: supplier lost"));
            assert_eq!(f.legal_name, "Acme");
            assert_eq!(p.warnings.len(), 1, "{field} {value}: {:?}", p.warnings);
            let w = &p.warnings[0];
            assert_eq!(
                (w.row, w.column.as_deref(), w.value.as_deref(), w.code.as_str()),
                (9, Some(header), Some(value), code),
                "{field} {value}"
            );
            assert!(w.message.ends_with(LEFT_UNKNOWN), "{field}: {}", w.message);
            let json = serde_json::to_value(&f).unwrap();
            assert!(json[field].is_null(), "{field} {value}: left unknown, got {}", json[field]);
        }
        // Percent formats under a count, an amount or a date: not read, not fatal.
        for field in ["employee_count", "annual_revenue", "incorporation_date"] {
            let p = with(vec![fv(field, "Col", Cell::Percent(35.0))]);
            assert_eq!(p.warnings[0].code, "invalid_number", "{field}");
            assert!(p.fields.is_some(), "{field}");
        }
        // A boolean cell under a percent, a number under a yes/no.
        let p = with(vec![fv("subcontracting", "Sub", Cell::Number(7.0))]);
        assert_eq!((p.warnings[0].code.as_str(), p.fields.unwrap().subcontracting), ("invalid_yes_no", None));
    }

    #[test]
    fn strict_reading_refuses_what_it_cannot_read() {
        let p = with(vec![fv("employee_count", "employee_count", t("-3")), fv("notes", "notes", t("x"))]).strict();
        assert!(p.fields.is_none());
        assert_eq!(p.errors.len(), 1);
        assert_eq!(p.errors[0].code, "out_of_range");
        assert_eq!(p.errors[0].message, "The number of employees cannot be negative.");
        assert!(p.warnings.is_empty());
        // Remarks on kept values stay warnings.
        let p = parse_fields(
            &[fv("legal_name", "n", t("A")), fv("country", "c", t("TH")), fv("sector", "s", t("Apparel|Health"))],
            0,
            today(),
        )
        .strict();
        assert!(p.fields.is_some());
        assert_eq!(p.warnings[0].code, "mixed_sector");
    }

    #[test]
    fn address_types_by_their_words() {
        for (value, want) in [
            ("Leased industrial or commercial", AddressType::LeasedIndustrial),
            ("leased_industrial", AddressType::LeasedIndustrial),
            ("Rented warehouse", AddressType::LeasedIndustrial),
            ("Own premises", AddressType::Own),
            ("Owned", AddressType::Own),
            ("Virtual office", AddressType::VirtualOffice),
            ("Serviced office", AddressType::VirtualOffice),
            ("P.O. Box", AddressType::VirtualOffice),
            ("Registered agent", AddressType::RegisteredAgent),
            ("Company secretary address", AddressType::RegisteredAgent),
            ("Formation agent", AddressType::RegisteredAgent),
            ("Residential", AddressType::Residential),
            ("Home address", AddressType::Residential),
        ] {
            let p = with(vec![fv("address_type", "Address type", t(value))]);
            assert!(p.warnings.is_empty(), "{value}: {:?}", p.warnings);
            assert_eq!(p.fields.unwrap().address_type, Some(want), "{value}");
        }
    }

    /// Every address-type choice of every questionnaire reads as an address type.
    #[test]
    fn questionnaire_address_choices_parse() {
        let mut n = 0;
        for src in [
            include_str!("../../questionnaires/common.toml"),
            include_str!("../../questionnaires/agriculture.toml"),
            include_str!("../../questionnaires/construction.toml"),
            include_str!("../../questionnaires/hospitality.toml"),
            include_str!("../../questionnaires/manufacturing.toml"),
        ] {
            let v: toml::Value = toml::from_str(src).unwrap();
            let qs = v.get("questions").and_then(|q| q.as_array()).cloned().unwrap_or_default();
            for q in qs {
                let text = q.get("text").and_then(|t| t.as_str()).unwrap_or("").to_lowercase();
                if !(text.contains("address") && (text.contains("kind") || text.contains("type"))) {
                    continue;
                }
                for c in q.get("choices").and_then(|c| c.as_array()).into_iter().flatten() {
                    let c = c.as_str().unwrap();
                    assert!(AddressType::parse(c).is_some(), "{c}");
                    n += 1;
                }
            }
        }
        assert!(n >= 5, "the address-type question was not found ({n} choices)");
    }

    #[test]
    fn sector_labels_with_several_sectors_take_the_first() {
        let p = parse_fields(
            &[
                fv("legal_name", "n", t("A")),
                fv("country", "c", t("TH")),
                fv("sector", "Industry", t("Construction / Hospitality")),
            ],
            5,
            today(),
        );
        assert_eq!(p.fields.unwrap().sector, Some(Sector::Construction));
        let w = &p.warnings[0];
        assert_eq!(
            (w.row, w.column.as_deref(), w.value.as_deref(), w.code.as_str()),
            (5, Some("Industry"), Some("Construction / Hospitality"), "mixed_sector")
        );
        assert!(w.message.contains("the first, construction, was taken"), "{}", w.message);
        let p = parse_fields(
            &[
                fv("legal_name", "n", t("A")),
                fv("country", "c", t("TH")),
                fv("sector", "Industry", t("Apparel|Health")),
            ],
            6,
            today(),
        );
        assert_eq!(p.fields.unwrap().sector, Some(Sector::Manufacturing));
        assert!(
            p.warnings[0].message.contains("\"Health\"") && p.warnings[0].message.contains("manufacturing"),
            "{}",
            p.warnings[0].message
        );
        for label in ["Cleaning services", "Hotels & Resorts", "Building & Construction", "Agri-business"] {
            let p = parse_fields(
                &[fv("legal_name", "n", t("A")), fv("country", "c", t("TH")), fv("sector", "s", t(label))],
                2,
                today(),
            );
            assert!(p.fields.is_some() && p.warnings.is_empty(), "{label}: {:?} {:?}", p.errors, p.warnings);
        }
    }

    #[test]
    fn currency_from_the_amount_the_column_or_the_header() {
        let cur = |extra: Vec<FieldValue<'static>>| {
            let p = with(extra);
            let f = p.fields.unwrap();
            (f.annual_revenue, f.currency, p.warnings.iter().map(|w| w.code.clone()).collect::<Vec<_>>())
        };
        // The mapper passes a header's currency as a `currency` value after the row's cells.
        let header = |c: &str| fv("currency", "Annual revenue (MYR)", t(c));
        assert_eq!(
            cur(vec![fv("annual_revenue", "Annual revenue (MYR)", Cell::Number(5e6)), header("MYR")]),
            (Some(5e6), Some("MYR".into()), vec![])
        );
        // A currency column wins over the header (it comes first).
        assert_eq!(
            cur(vec![
                fv("annual_revenue", "Revenue (MYR)", Cell::Number(5e6)),
                fv("currency", "Ccy", t("baht")),
                header("MYR")
            ]),
            (Some(5e6), Some("THB".into()), vec![])
        );
        for (written, want) in
            [("RM", "MYR"), ("฿", "THB"), ("RMB", "CNY"), ("yuan", "CNY"), ("QAR", "QAR"), ("€", "EUR"), ("$", "USD")]
        {
            assert_eq!(
                cur(vec![fv("annual_revenue", "Revenue", Cell::Number(1.0)), fv("currency", "Currency", t(written))])
                    .1
                    .as_deref(),
                Some(want),
                "{written}"
            );
        }
        // The amount's own currency.
        assert_eq!(cur(vec![fv("annual_revenue", "Revenue", t("RM 3.5m"))]), (Some(3.5e6), Some("MYR".into()), vec![]));
        assert_eq!(
            cur(vec![fv("annual_revenue", "Revenue", t("EUR 2m")), fv("currency", "Currency", t("USD"))]),
            (Some(2e6), Some("EUR".into()), vec!["currency_conflict".to_string()])
        );
        // Nothing said: USD.
        assert_eq!(cur(vec![fv("annual_revenue", "Revenue", t("1,000"))]), (Some(1000.0), Some("USD".into()), vec![]));
        // An unknown currency leaves the currency and the revenue unknown.
        let (rev, c, w) =
            cur(vec![fv("annual_revenue", "Revenue", Cell::Number(9.0)), fv("currency", "Currency", t("Doubloons"))]);
        assert_eq!((rev, c, w), (None, None, vec!["unknown_currency".to_string()]));
        // A bare $ where the local currency is also written $.
        let p = parse_fields(
            &[
                fv("legal_name", "n", t("A")),
                fv("country", "c", t("Singapore")),
                fv("sector", "s", t("hotel")),
                fv("annual_revenue", "Revenue", t("$2m")),
            ],
            3,
            today(),
        );
        let f = p.fields.unwrap();
        assert_eq!((f.annual_revenue, f.currency), (None, None));
        assert_eq!(p.warnings[0].code, "ambiguous_currency");
        assert!(p.warnings[0].message.contains("annual revenue is left unknown"), "{}", p.warnings[0].message);
    }

    #[test]
    fn notes_are_kept_as_written() {
        let p = with(vec![fv("notes", "Audit notes", t("  Passports held by employer.\nFees\u{0} charged.  "))]);
        assert_eq!(p.fields.unwrap().notes.as_deref(), Some("Passports held by employer.\nFees charged."));
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
        assert_eq!(p.warnings[0].code, "out_of_range");
        assert_eq!(p.warnings[0].value.as_deref(), Some("150%"));
        assert_eq!(p.fields.unwrap().migrant_worker_pct, None);
        let p = parse(vec![fv("migrant_worker_pct", "Migrant %", Cell::Number(1.5))]);
        assert_eq!(p.fields.unwrap().migrant_worker_pct, Some(1.5));
        // Under a headcount, money or date: not read, not guessed.
        for field in ["employee_count", "annual_revenue", "incorporation_date"] {
            let p = parse(vec![fv(field, "Col", Cell::Percent(35.0))]);
            assert_eq!(p.warnings.len(), 1, "{field}: {:?}", p.warnings);
            assert_eq!(p.warnings[0].code, "invalid_number", "{field}");
            assert_eq!(p.warnings[0].value.as_deref(), Some("3500%"), "{field}");
            assert!(p.warnings[0].message.contains("formatted as a percentage"), "{field}");
        }
        // Yes/no: 100% is not an answer.
        let p = parse(vec![fv("subcontracting", "Sub", Cell::Percent(1.0))]);
        assert_eq!(p.warnings[0].code, "invalid_yes_no");
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
