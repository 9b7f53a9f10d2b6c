//! Header matching: column headers as people write them → canonical field names (DOMAIN.md §2).
//! Ignores case, spaces, punctuation, units in brackets, plurals, labor/labour and word order.

use std::collections::HashMap;
use std::sync::OnceLock;

/// Canonical fields with their header synonyms (the field id itself always matches too).
const SYNONYMS: &[(&str, &[&str])] = &[
    (
        "external_ref",
        &[
            "supplier id",
            "vendor id",
            "vendor no",
            "vendor number",
            "supplier code",
            "erp id",
            "supplier no",
            "supplier number",
            "vendor code",
            "supplier ref",
            "reference",
            "ref",
            "id",
        ],
    ),
    (
        "legal_name",
        &[
            "supplier name",
            "vendor name",
            "company name",
            "legal name",
            "name",
            "supplier",
            "vendor",
            "company",
            "legal entity name",
            "registered name",
        ],
    ),
    ("trading_name", &["trading name", "dba", "doing business as", "brand", "trade name"]),
    (
        "country",
        &[
            "country",
            "country of origin",
            "country/region",
            "location country",
            "country code",
            "country name",
            "supplier country",
        ],
    ),
    ("sector", &["sector", "industry", "category", "business type", "industry sector"]),
    ("commodity", &["commodity", "product", "goods", "main product", "materials", "product category", "commodities"]),
    (
        "registration_number",
        &[
            "registration number",
            "company number",
            "business registration",
            "tax id",
            "vat",
            "vat number",
            "registration no",
            "company registration number",
            "business registration number",
            "tax number",
        ],
    ),
    (
        "incorporation_date",
        &[
            "incorporation date",
            "date of incorporation",
            "established",
            "founded",
            "registered on",
            "year established",
            "date established",
        ],
    ),
    (
        "address",
        &[
            "address",
            "street",
            "registered address",
            "site address",
            "address line",
            "address line 1",
            "street address",
        ],
    ),
    ("city", &["city", "town", "city/town"]),
    ("postal_code", &["zip", "postcode", "postal code", "zip code", "post code"]),
    ("region", &["state", "province", "region", "state/province"]),
    ("address_type", &["address type", "premises type", "site type"]),
    ("phone", &["phone", "telephone", "tel", "phone number", "telephone number"]),
    ("email", &["email", "e-mail", "email address", "contact email"]),
    ("website", &["website", "url", "web", "web site", "homepage"]),
    ("bank_account", &["iban", "bank account", "account number", "bank account number"]),
    ("bank_account_holder", &["account holder", "payee name", "bank account holder", "account name"]),
    ("directors", &["directors", "managing director", "officers", "director"]),
    ("beneficial_owners", &["beneficial owner", "beneficial owners", "ubo", "owners", "ubos"]),
    (
        "beneficial_owners_disclosed",
        &[
            "ubo disclosed",
            "beneficial ownership disclosed",
            "beneficial owner disclosed",
            "beneficial owners disclosed",
        ],
    ),
    (
        "employee_count",
        &[
            "employees",
            "no. of employees",
            "# employees",
            "headcount",
            "workforce",
            "number of employees",
            "employee count",
            "staff",
            "total employees",
        ],
    ),
    (
        "migrant_worker_pct",
        &[
            "migrant workers %",
            "foreign workers",
            "share of migrant workers",
            "migrant workers",
            "migrant worker pct",
            "foreign workers %",
            "migrant share",
        ],
    ),
    ("agency_worker_pct", &["agency workers %", "contract labour %", "agency workers", "agency worker pct"]),
    (
        "uses_labour_agency",
        &[
            "uses labour agency",
            "recruitment agency",
            "labour broker",
            "labor contractor",
            "labour agency",
            "uses recruitment agency",
        ],
    ),
    (
        "recruitment_fees_paid_by_workers",
        &[
            "recruitment fees paid by workers",
            "worker-paid fees",
            "recruitment fees charged to workers",
            "worker paid recruitment fees",
            "recruitment fees",
        ],
    ),
    (
        "passports_held_by_employer",
        &["passports held", "id documents retained", "passports held by employer", "passport retention"],
    ),
    (
        "worker_housing_provided",
        &["worker housing", "accommodation provided", "dormitory", "worker housing provided", "housing provided"],
    ),
    (
        "workers_live_on_premises",
        &["workers live on site", "live-in staff", "workers live on premises", "on-site housing"],
    ),
    ("annual_revenue", &["annual revenue", "turnover", "sales", "revenue", "annual turnover", "annual sales"]),
    ("currency", &["currency", "currency code", "ccy", "curr", "revenue currency"]),
    ("cash_revenue_pct", &["cash revenue %", "cash sales", "cash revenue", "cash sales %"]),
    ("subcontracting", &["subcontracting", "uses subcontractors", "subcontractors", "subcontracts"]),
    ("last_audit_date", &["last audit", "audit date", "last audit date", "date of last audit"]),
    ("audit_standard", &["audit type", "audit standard", "audit scheme"]),
    ("xinjiang_inputs", &["xinjiang", "xuar inputs", "xinjiang inputs", "xinjiang cotton"]),
    (
        "notes",
        &[
            "notes",
            "note",
            "comments",
            "comment",
            "remarks",
            "remark",
            "observations",
            "audit notes",
            "buyer notes",
            "buyer comments",
            "additional information",
            "additional info",
        ],
    ),
];

/// Every canonical field name, in DOMAIN.md order.
pub const CANONICAL_FIELDS: &[&str] = &[
    "external_ref",
    "legal_name",
    "trading_name",
    "country",
    "sector",
    "commodity",
    "registration_number",
    "incorporation_date",
    "address",
    "city",
    "postal_code",
    "region",
    "address_type",
    "phone",
    "email",
    "website",
    "bank_account",
    "bank_account_holder",
    "directors",
    "beneficial_owners",
    "beneficial_owners_disclosed",
    "employee_count",
    "migrant_worker_pct",
    "agency_worker_pct",
    "uses_labour_agency",
    "recruitment_fees_paid_by_workers",
    "passports_held_by_employer",
    "worker_housing_provided",
    "workers_live_on_premises",
    "annual_revenue",
    "currency",
    "cash_revenue_pct",
    "subcontracting",
    "last_audit_date",
    "audit_standard",
    "xinjiang_inputs",
    // Positions are used for packing raw cells (`domain::supplier::RawCells`): new fields go last.
    "notes",
];

/// Currency codes recognised as a word of a header outside brackets (`Turnover THB`,
/// `annual_revenue_usd`): common ones only, as many ISO codes are also English words (ALL,
/// TOP, PEN). Inside brackets any code, symbol or name is read (`Revenue (RM)`).
const CURRENCIES: &[&str] = &[
    "usd", "eur", "gbp", "cny", "rmb", "inr", "jpy", "chf", "cad", "aud", "myr", "thb", "vnd", "idr", "php", "bdt",
    "pkr", "brl", "mxn", "aed", "qar", "sgd", "hkd", "krw", "zar", "ngn", "ghs", "kes", "pln", "sek", "nok", "dkk",
    "sar", "omr", "kwd", "bhd", "lkr", "npr", "mmk", "khr", "lak", "twd", "egp", "etb", "tzs", "ugx",
];

/// True for the ISO codes of common currencies (any case).
pub(crate) fn is_currency(word: &str) -> bool {
    CURRENCIES.contains(&word.to_ascii_lowercase().as_str())
}

/// The ISO code of a header word or bracket that names a currency.
fn currency_code(word: &str) -> Option<String> {
    super::currency::parse_currency(word, None).ok()
}

const STOP: &[&str] = &["of", "the", "by", "to", "in", "for", "per", "pct", "percent", "percentage", "and"];

/// Normalised, order-free key of a header, and the currency it names (e.g. `Revenue (USD)`).
pub(crate) fn header_key(raw: &str) -> (String, Option<String>) {
    let lower = raw.to_lowercase();
    let mut currency = None;
    let mut kept = String::with_capacity(lower.len());
    let mut depth = 0usize;
    let mut bracket = String::new();
    for c in lower.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => {
                depth = depth.saturating_sub(1);
                // `(MYR)`, `(RM)`, `(€)`, `[EUR m]`, `(in US$)`: the whole bracket, else a word of it.
                let whole = currency_code(bracket.trim()).filter(|_| bracket.trim() != "$");
                let word = || {
                    bracket
                        .split(|c: char| c.is_whitespace() || c == ',' || c == '/')
                        .filter(|w| !w.is_empty() && *w != "$")
                        // A three-letter word must be a common code: `(all sites)` is not ALL.
                        .filter(|w| is_currency(w) || !(w.len() == 3 && w.chars().all(|c| c.is_ascii_alphabetic())))
                        .find_map(currency_code)
                };
                if let Some(c) = whole.or_else(word) {
                    currency = Some(c);
                }
                bracket.clear();
            }
            c if depth > 0 => bracket.push(c),
            c => kept.push(c),
        }
    }
    let mut tokens: Vec<String> = Vec::new();
    for w in kept.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        if STOP.contains(&w) {
            continue;
        }
        if is_currency(w) {
            currency = currency_code(w).or(Some(w.to_ascii_uppercase()));
            continue;
        }
        let mut w = w.to_string();
        if w == "labor" {
            w = "labour".into();
        }
        if w.len() > 3 && w.ends_with('s') && !w.ends_with("ss") {
            w.pop();
        }
        tokens.push(w);
    }
    tokens.sort();
    (tokens.join(" "), currency)
}

fn index() -> &'static HashMap<String, &'static str> {
    static INDEX: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut m = HashMap::new();
        for (field, syns) in SYNONYMS {
            m.insert(header_key(&field.replace('_', " ")).0, *field);
            for s in *syns {
                m.insert(header_key(s).0, *field);
            }
        }
        m
    })
}

/// The canonical field a header names, if any (`"No. of Employees"` → `employee_count`,
/// `"annual_revenue_usd"` → `annual_revenue`).
pub fn match_header(raw: &str) -> Option<&'static str> {
    let (k, _) = header_key(raw);
    if k.is_empty() {
        return None;
    }
    index().get(&k).copied()
}

/// The currency a header names, e.g. `Annual revenue (EUR)` → `EUR`.
pub(crate) fn header_currency(raw: &str) -> Option<String> {
    header_key(raw).1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synonyms_do_not_collide() {
        let mut seen: HashMap<String, &str> = HashMap::new();
        for (field, syns) in SYNONYMS {
            assert!(CANONICAL_FIELDS.contains(field), "{field}");
            for s in *syns {
                let k = header_key(s).0;
                if let Some(prev) = seen.insert(k.clone(), field) {
                    assert_eq!(prev, *field, "synonym {s:?} ({k}) maps to {prev} and {field}");
                }
            }
        }
    }

    #[test]
    fn matches_headers_as_written() {
        for (h, f) in [
            ("Supplier Name", "legal_name"),
            ("VENDOR NO.", "external_ref"),
            ("No. of Employees", "employee_count"),
            ("# employees", "employee_count"),
            ("Migrant workers (%)", "migrant_worker_pct"),
            ("Country / Region", "country"),
            ("Name, supplier", "legal_name"),
            ("supplier_id", "external_ref"),
            ("address_line", "address"),
            ("uses_labor_agency", "uses_labour_agency"),
            ("recruitment_fees_charged_to_workers", "recruitment_fees_paid_by_workers"),
            ("annual_revenue_usd", "annual_revenue"),
            ("Annual revenue (EUR)", "annual_revenue"),
            ("beneficial_owner_disclosed", "beneficial_owners_disclosed"),
            ("E-mail", "email"),
            ("Date of last audit", "last_audit_date"),
        ] {
            assert_eq!(match_header(h), Some(f), "{h}");
        }
        assert_eq!(match_header("notes"), Some("notes"));
        for h in ["Remarks", "Audit notes", "Buyer notes", "Additional information", "Comments", "Observations"] {
            assert_eq!(match_header(h), Some("notes"), "{h}");
        }
        for (h, cur) in [
            ("Annual revenue (MYR)", "MYR"),
            ("Turnover THB", "THB"),
            ("annual_revenue_usd", "USD"),
            ("Revenue in CNY", "CNY"),
            ("Sales (QAR)", "QAR"),
            ("Revenue (RM)", "MYR"),
            ("Turnover (€ m)", "EUR"),
            ("Revenue (RMB)", "CNY"),
        ] {
            assert_eq!(match_header(h), Some("annual_revenue"), "{h}");
            assert_eq!(header_currency(h).as_deref(), Some(cur), "{h}");
        }
        assert_eq!(header_currency("Revenue ($)"), None, "a bare $ in a header is not read");
        for h in ["Currency", "Curr.", "CCY", "Currency code"] {
            assert_eq!(match_header(h), Some("currency"), "{h}");
        }
        assert_eq!(match_header("Supplier master 2024"), None);
        assert_eq!(match_header(""), None);
        assert_eq!(header_currency("annual_revenue_usd").as_deref(), Some("USD"));
        assert_eq!(header_currency("Turnover [EUR m]").as_deref(), Some("EUR"));
    }
}
