//! Currencies as people write them in supplier lists: ISO 4217 codes, symbols and names
//! (`data/currencies.csv`), with the two symbols shared by several currencies (`$`, `¥`)
//! read from the supplier's country.

use crate::domain::CountryCode;
use std::collections::HashMap;
use std::sync::OnceLock;

/// ISO 4217 codes (list one) with their symbols and names, `|`-separated, lower case.
const TABLE: &str = include_str!("../../data/currencies.csv");

/// Countries whose own currency is written with a bare `$` (a dollar or a peso): there a bare
/// `$` could be either the local currency or the US dollar.
const OWN_DOLLAR: &[&str] = &[
    "AG", "AI", "AR", "AU", "BB", "BM", "BN", "BS", "BZ", "CA", "CL", "CO", "CU", "DM", "DO", "FJ", "GD", "GY", "HK",
    "JM", "KI", "KN", "KY", "LC", "LR", "MS", "MX", "NA", "NR", "NZ", "SB", "SG", "SR", "TT", "TV", "TW", "UY", "VC",
];

/// Why a currency was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CurrencyError {
    /// Not a code, symbol or name Manumit knows.
    Unknown,
    /// A symbol several currencies share, in a country where more than one is plausible.
    Ambiguous(String),
}

fn table() -> &'static HashMap<String, String> {
    static T: OnceLock<HashMap<String, String>> = OnceLock::new();
    T.get_or_init(|| {
        let mut m = HashMap::new();
        let mut r = csv::ReaderBuilder::new().has_headers(true).from_reader(TABLE.as_bytes());
        for rec in r.records().flatten() {
            let (Some(code), Some(aliases)) = (rec.get(0), rec.get(1)) else { continue };
            m.insert(code.to_ascii_lowercase(), code.to_string());
            for a in aliases.split('|').map(str::trim).filter(|a| !a.is_empty()) {
                m.insert(a.to_lowercase(), code.to_string());
            }
        }
        m
    })
}

/// Lower case, inner spaces collapsed, a trailing full stop dropped (`U.S. dollars.`).
fn norm(raw: &str) -> String {
    let s = raw.trim().trim_end_matches('.').to_lowercase();
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// True for a code, symbol or name in the table (not the shared `$` and `¥`).
pub(crate) fn is_known(raw: &str) -> bool {
    table().contains_key(&norm(raw))
}

/// The ISO 4217 code a currency cell names: `MYR`, `myr`, `RM`, `ringgit`, `฿`, `baht`, `RMB`,
/// `€`, `US$`. A bare `$` (or `dollar`) is USD unless `country` writes its own currency with
/// a `$` (Australia, Canada, Mexico, Singapore...): there it is ambiguous. A bare `¥` is CNY,
/// JPY in Japan.
pub fn parse_currency(raw: &str, country: Option<&CountryCode>) -> Result<String, CurrencyError> {
    let k = norm(raw);
    if let Some(code) = table().get(&k) {
        return Ok(code.clone());
    }
    let cc = country.map(CountryCode::as_str);
    match k.as_str() {
        "$" | "dollar" | "dollars" => match cc {
            Some(c) if OWN_DOLLAR.contains(&c) => Err(CurrencyError::Ambiguous(format!(
                "A bare \"$\" could be the US dollar or the local currency of {c}; write the ISO code (e.g. USD)."
            ))),
            _ => Ok("USD".into()),
        },
        "¥" => Ok(if cc == Some("JP") { "JPY" } else { "CNY" }.into()),
        _ => Err(CurrencyError::Unknown),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cc(s: &str) -> CountryCode {
        CountryCode::new(s).unwrap()
    }

    #[test]
    fn codes_symbols_and_names() {
        for (raw, want) in [
            ("MYR", "MYR"),
            (" myr ", "MYR"),
            ("RM", "MYR"),
            ("Ringgit", "MYR"),
            ("฿", "THB"),
            ("Baht", "THB"),
            ("THB", "THB"),
            ("RMB", "CNY"),
            ("yuan", "CNY"),
            ("Renminbi", "CNY"),
            ("QAR", "QAR"),
            ("€", "EUR"),
            ("Euro", "EUR"),
            ("US$", "USD"),
            ("U.S. dollars", "USD"),
            ("£", "GBP"),
            ("xof", "XOF"),
        ] {
            assert_eq!(parse_currency(raw, None).as_deref(), Ok(want), "{raw}");
        }
        assert_eq!(parse_currency("Doubloons", None), Err(CurrencyError::Unknown));
        assert_eq!(parse_currency("XYZ", None), Err(CurrencyError::Unknown));
        assert_eq!(parse_currency("", None), Err(CurrencyError::Unknown));
    }

    #[test]
    fn shared_symbols_follow_the_country() {
        assert_eq!(parse_currency("$", Some(&cc("TH"))).as_deref(), Ok("USD"));
        assert_eq!(parse_currency("$", None).as_deref(), Ok("USD"));
        assert!(matches!(parse_currency("$", Some(&cc("SG"))), Err(CurrencyError::Ambiguous(m)) if m.contains("SG")));
        assert!(matches!(parse_currency("dollars", Some(&cc("AU"))), Err(CurrencyError::Ambiguous(_))));
        assert_eq!(parse_currency("S$", Some(&cc("SG"))).as_deref(), Ok("SGD"));
        assert_eq!(parse_currency("¥", Some(&cc("CN"))).as_deref(), Ok("CNY"));
        assert_eq!(parse_currency("¥", Some(&cc("JP"))).as_deref(), Ok("JPY"));
    }
}
