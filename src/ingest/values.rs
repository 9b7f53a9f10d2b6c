//! Value parsers of DOMAIN.md §2 for text as people write it: numbers, percents, dates,
//! money, lists, sectors. Ambiguous input is refused, never guessed.

use crate::domain::Sector;
use chrono::{Duration, NaiveDate};

/// Parses a number written as text: `12500`, `12,500`, `12 500`, `-3.5`, `12,500.50`,
/// European `12.500,50`, `1.234.567`, `12,5` (a single comma not followed by exactly three
/// digits is a decimal comma). `12,500` is twelve thousand five hundred.
pub fn parse_number(raw: &str) -> Option<f64> {
    let s: String = raw.trim().chars().filter(|c| !matches!(c, ' ' | '\u{A0}' | '\u{202F}' | '\'' | '_')).collect();
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    let (neg, body) = match s.strip_prefix('-').or_else(|| s.strip_prefix('\u{2212}')) {
        Some(b) => (true, b.to_string()),
        None => match s.strip_prefix('(').and_then(|b| b.strip_suffix(')')) {
            Some(b) => (true, b.to_string()),
            None => (false, s.strip_prefix('+').unwrap_or(&s).to_string()),
        },
    };
    if body.is_empty() || !body.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',') {
        return None;
    }
    let dots = body.matches('.').count();
    let commas = body.matches(',').count();
    let grouped = |sep: char, s: &str| -> bool {
        let parts: Vec<&str> = s.split(sep).collect();
        !parts[0].is_empty() && parts[0].len() <= 3 && parts[1..].iter().all(|p| p.len() == 3)
    };
    if is_ambiguous_number(&body) {
        return None;
    }
    let normal: String = match (dots, commas) {
        (0, 0) | (1, 0) => body.clone(),
        (0, 1) => {
            let after = body.split(',').nth(1).unwrap_or("");
            if after.len() == 3 && grouped(',', &body) {
                body.replace(',', "")
            } else {
                body.replace(',', ".")
            }
        }
        (0, _) if grouped(',', &body) => body.replace(',', ""),
        (_, 0) if dots > 1 && grouped('.', &body) => body.replace('.', ""),
        _ => {
            let last_dot = body.rfind('.').unwrap_or(0);
            let last_comma = body.rfind(',').unwrap_or(0);
            if last_comma > last_dot {
                // European: dots group thousands, the one comma is decimal.
                let (int, frac) = body.split_at(last_comma);
                if commas != 1 || !grouped('.', int) {
                    return None;
                }
                format!("{}.{}", int.replace('.', ""), &frac[1..])
            } else {
                let (int, frac) = body.split_at(last_dot);
                if dots != 1 || !grouped(',', int) {
                    return None;
                }
                format!("{}{}", int.replace(',', ""), frac)
            }
        }
    };
    let v: f64 = normal.parse().ok()?;
    v.is_finite().then_some(if neg { -v } else { v })
}

/// True for text like `1.250` or `12.500`: one dot, 1–3 leading digits (not starting with 0)
/// and exactly three after it — thousands in Europe, a decimal elsewhere. [`parse_number`]
/// refuses it.
pub fn is_ambiguous_number(raw: &str) -> bool {
    let t = raw.trim().trim_start_matches(['-', '+']);
    match t.split_once('.') {
        Some((int, frac)) => {
            (1..=3).contains(&int.len())
                && !int.starts_with('0')
                && int.chars().all(|c| c.is_ascii_digit())
                && frac.len() == 3
                && frac.chars().all(|c| c.is_ascii_digit())
        }
        None => false,
    }
}

/// Parses a percentage to the 0–100 scale. Rule: text with `%` is a percent (`35%` → 35);
/// a bare number above 1 is a percent (`35` → 35); a bare number from 0 to 1 inclusive is a
/// fraction (`0.35` → 35, `1` → 100), as Excel stores percent-formatted cells. The range is
/// not checked here.
pub fn parse_percent(raw: &str) -> Option<f64> {
    let t = raw.trim();
    if let Some(p) = t.strip_suffix('%') {
        return parse_number(p);
    }
    let t = t.strip_suffix("pct").or_else(|| t.strip_suffix("percent")).unwrap_or(t);
    parse_number(t).map(percent_from_number)
}

/// A bare number on the percent scale: ≤ 1 (and ≥ 0) is a fraction (0.07 → 7, without the
/// binary noise of 0.07 × 100).
pub fn percent_from_number(v: f64) -> f64 {
    if (0.0..=1.0).contains(&v) {
        crate::domain::Cell::percent_points(v)
    } else {
        v
    }
}

/// Why a date did not parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateError {
    /// `03/04/2011`: could be 3 April or 4 March.
    Ambiguous,
    Invalid,
}

/// Converts an Excel serial (1900 system, with its phantom 29 Feb 1900) to a date.
pub fn excel_serial_date(serial: f64) -> Option<NaiveDate> {
    if !serial.is_finite() || !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let days = serial.floor() as i64;
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    let days = if days < 61 { days + 1 } else { days };
    base.checked_add_signed(Duration::days(days))
}

const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

fn month_of(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.').to_lowercase();
    if w.len() < 3 {
        return None;
    }
    let full = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    MONTHS
        .iter()
        .zip(full)
        .position(|(m, f)| f.starts_with(&w) && w.starts_with(m) || (w == "sept" && *m == "sep"))
        .map(|i| i as u32 + 1)
}

/// Parses a date written as text: ISO `2021-03-12` (time part ignored), `2021/03/12`,
/// dotted day-first `12.03.2021`, slashed or dashed `12/03/2021` only when unambiguous
/// (one part > 12, or both equal), `12 Mar 2021`, `12-Mar-2021`, `Mar 12, 2021`, or an
/// Excel serial written as digits (`44267`).
pub fn parse_date(raw: &str) -> Result<NaiveDate, DateError> {
    let t = raw.trim();
    let t = t
        .split(['T', ' '])
        .next()
        .filter(|d| {
            d.len() >= 8 && d.as_bytes().first().is_some_and(|b| b.is_ascii_digit()) && d.contains(['-', '/', '.'])
        })
        .unwrap_or(t);
    let ymd = |y: i64, m: i64, d: i64| -> Result<NaiveDate, DateError> {
        let y = if (0..100).contains(&y) {
            return Err(DateError::Ambiguous);
        } else {
            y
        };
        NaiveDate::from_ymd_opt(y as i32, m as u32, d as u32).ok_or(DateError::Invalid)
    };
    if !t.is_empty() && t.len() <= 7 && t.chars().all(|c| c.is_ascii_digit()) {
        return t.parse::<f64>().ok().and_then(excel_serial_date).ok_or(DateError::Invalid);
    }
    let nums: Vec<&str> = t.split(['-', '/', '.']).collect();
    if nums.len() == 3 && nums.iter().all(|p| !p.is_empty() && p.len() <= 4 && p.chars().all(|c| c.is_ascii_digit())) {
        let n: Vec<i64> = nums.iter().map(|p| p.parse().unwrap_or(0)).collect();
        if nums[0].len() == 4 {
            return ymd(n[0], n[1], n[2]);
        }
        if nums[2].len() != 4 {
            return Err(DateError::Ambiguous);
        }
        if t.contains('.') {
            return ymd(n[2], n[1], n[0]);
        }
        return match (n[0] > 12, n[1] > 12) {
            (true, false) => ymd(n[2], n[1], n[0]),
            (false, true) => ymd(n[2], n[0], n[1]),
            (false, false) if n[0] == n[1] => ymd(n[2], n[1], n[0]),
            (false, false) => Err(DateError::Ambiguous),
            (true, true) => Err(DateError::Invalid),
        };
    }
    // Month names: "12 Mar 2021", "12-Mar-2021", "Mar 12, 2021", "March 12 2021".
    let words: Vec<&str> = t.split([' ', '-', ',', '/']).filter(|w| !w.is_empty()).collect();
    if words.len() == 3 {
        let num = |w: &str| w.trim_end_matches(|c: char| c.is_ascii_alphabetic()).parse::<i64>().ok();
        let year = num(words[2]).filter(|_| words[2].len() == 4).ok_or(DateError::Invalid)?;
        if let (Some(d), Some(m)) = (num(words[0]), month_of(words[1])) {
            return ymd(year, m as i64, d);
        }
        if let (Some(m), Some(d)) = (month_of(words[0]), num(words[1])) {
            return ymd(year, m as i64, d);
        }
    }
    Err(DateError::Invalid)
}

/// True when the date lies after `today`.
pub fn is_future(d: NaiveDate, today: NaiveDate) -> bool {
    d > today
}

/// Currency symbols as written in amounts, longest first (`US$` before `$`).
const MONEY_SYMBOLS: &[&str] = &[
    "US$", "HK$", "NZ$", "NT$", "MX$", "S$", "A$", "C$", "R$", "$", "€", "£", "¥", "₹", "฿", "₫", "₩", "₱", "₦", "₺",
    "₽", "₪", "৳", "₴",
];

/// Parses money: `15,620,182.84`, `USD 2.3m`, `$1.2k`, `€ 1.200,50`, `RM 2.3 million`,
/// `1.5bn`. Returns the amount and the currency when the text names one (a bare `$` is USD,
/// a bare `¥` CNY; [`money_parts`] leaves them to the caller).
pub fn parse_money(raw: &str) -> Option<(f64, Option<String>)> {
    let (v, cur) = money_parts(raw)?;
    Some((v, cur.and_then(|c| super::currency::parse_currency(&c, None).ok())))
}

/// [`parse_money`] with the currency as written (`$`, `RM`, `usd`), not yet read.
pub(crate) fn money_parts(raw: &str) -> Option<(f64, Option<String>)> {
    let mut t = raw.trim().to_string();
    let mut currency = None;
    for sym in MONEY_SYMBOLS {
        if t.contains(sym) {
            t = t.replace(sym, " ");
            currency.get_or_insert_with(|| sym.to_string());
        }
    }
    let mut words: Vec<String> = Vec::new();
    for w in t.split_whitespace() {
        // A code or name standing alone (`USD`, `RM`, `baht`), or written against the amount
        // (`RM2.3m`, `USD2,300`).
        let split = w.find(|c: char| c.is_ascii_digit()).filter(|i| *i > 0).map(|i| w.split_at(i));
        match split {
            _ if w.chars().any(char::is_alphabetic) && super::currency::is_known(w) => {
                currency = Some(w.to_string());
            }
            Some((pre, rest)) if pre.chars().all(char::is_alphabetic) && super::currency::is_known(pre) => {
                currency = Some(pre.to_string());
                words.push(rest.to_string());
            }
            _ => words.push(w.to_string()),
        }
    }
    let joined = words.join(" ");
    let lower = joined.to_lowercase();
    let mut mult = 1.0;
    let mut num = lower.as_str();
    for (suffix, m) in
        [("billion", 1e9), ("million", 1e6), ("bn", 1e9), ("mn", 1e6), ("m", 1e6), ("k", 1e3), ("b", 1e9)]
    {
        if let Some(n) = num.strip_suffix(suffix) {
            if n.trim_end().ends_with(|c: char| c.is_ascii_digit()) {
                num = n.trim_end();
                mult = m;
                break;
            }
        }
    }
    parse_number(num).map(|v| (v * mult, currency))
}

/// Splits a list cell (directors, owners) on `;`, `|` or newlines; commas are kept because
/// names are often written "Surname, Given".
pub fn parse_list(raw: &str) -> Vec<String> {
    raw.split([';', '|', '\n']).map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect()
}

/// The first sector named in a label: [`super::sector::match_sector`] without the detail
/// (`MFG`, `Constr.`, `Hotels & hospitality`, `Cleaning services`).
pub fn parse_sector(raw: &str) -> Option<Sector> {
    super::sector::match_sector(raw).map(|m| m.sector)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_number("12,500"), Some(12500.0));
        assert_eq!(parse_number(" 1,250 "), Some(1250.0));
        assert_eq!(parse_number("12.500,50"), Some(12500.5));
        assert_eq!(parse_number("12,500.50"), Some(12500.5));
        assert_eq!(parse_number("1.234.567"), Some(1234567.0));
        assert_eq!(parse_number("12,5"), Some(12.5));
        assert_eq!(parse_number("12 500"), Some(12500.0));
        assert_eq!(parse_number("-3.5"), Some(-3.5));
        assert_eq!(parse_number("1,2,3"), None);
        assert_eq!(parse_number("12.500.5"), None);
        assert_eq!(parse_number("12.5"), Some(12.5));
        assert_eq!(parse_number("abc"), None);
        assert_eq!(parse_number("1.250"), None, "ambiguous: 1.25 or 1250");
        assert!(is_ambiguous_number("12.500") && !is_ambiguous_number("0.125") && !is_ambiguous_number("12.5"));
        assert_eq!(parse_number(""), None);
    }

    #[test]
    fn percents() {
        assert_eq!(parse_percent("35%"), Some(35.0));
        assert_eq!(parse_percent("35"), Some(35.0));
        assert_eq!(parse_percent("0.35"), Some(35.0));
        assert_eq!(parse_percent("0,5 %"), Some(0.5));
        assert_eq!(parse_percent("1"), Some(100.0));
        assert_eq!(parse_percent("150"), Some(150.0));
        assert_eq!(parse_percent("0.07"), Some(7.0), "not 7.000000000000001");
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("2021-03-12"), Ok(d(2021, 3, 12)));
        assert_eq!(parse_date("2021-03-12T00:00:00"), Ok(d(2021, 3, 12)));
        assert_eq!(parse_date("12.03.2021"), Ok(d(2021, 3, 12)));
        assert_eq!(parse_date("25/03/2021"), Ok(d(2021, 3, 25)));
        assert_eq!(parse_date("03/25/2021"), Ok(d(2021, 3, 25)));
        assert_eq!(parse_date("03/04/2011"), Err(DateError::Ambiguous));
        assert_eq!(parse_date("04/04/2011"), Ok(d(2011, 4, 4)));
        assert_eq!(parse_date("12 Mar 2021"), Ok(d(2021, 3, 12)));
        assert_eq!(parse_date("12-Mar-2021"), Ok(d(2021, 3, 12)));
        assert_eq!(parse_date("March 12, 2021"), Ok(d(2021, 3, 12)));
        assert_eq!(parse_date("44267"), Ok(d(2021, 3, 12)));
        assert_eq!(parse_date("31.02.2021"), Err(DateError::Invalid));
        assert_eq!(parse_date("12/03/21"), Err(DateError::Ambiguous));
        assert_eq!(parse_date("soon"), Err(DateError::Invalid));
        assert_eq!(excel_serial_date(1.0), Some(d(1900, 1, 1)));
        assert_eq!(excel_serial_date(61.0), Some(d(1900, 3, 1)));
    }

    #[test]
    fn money_lists_sectors() {
        assert_eq!(parse_money("USD 2.3m"), Some((2_300_000.0, Some("USD".into()))));
        assert_eq!(parse_money("15,620,182.84"), Some((15_620_182.84, None)));
        assert_eq!(parse_money("€ 1.200,50"), Some((1200.5, Some("EUR".into()))));
        assert_eq!(parse_money("1.5bn"), Some((1.5e9, None)));
        assert_eq!(parse_money("lots"), None);
        assert_eq!(parse_money("RM 2.3 million"), Some((2_300_000.0, Some("MYR".into()))));
        assert_eq!(parse_money("RM2.3m"), Some((2_300_000.0, Some("MYR".into()))));
        assert_eq!(parse_money("฿ 45,000,000"), Some((45_000_000.0, Some("THB".into()))));
        assert_eq!(parse_money("12,000,000 baht"), Some((12_000_000.0, Some("THB".into()))));
        assert_eq!(parse_money("QAR 5m"), Some((5_000_000.0, Some("QAR".into()))));
        assert_eq!(parse_money("S$ 1.2m"), Some((1_200_000.0, Some("SGD".into()))));
        assert_eq!(money_parts("$ 1.2m"), Some((1_200_000.0, Some("$".into()))));
        assert_eq!(parse_list("A. Smith; B. Jones | C\nD"), vec!["A. Smith", "B. Jones", "C", "D"]);
        assert_eq!(parse_list("Smith, John"), vec!["Smith, John"]);
        assert_eq!(parse_sector("MFG"), Some(Sector::Manufacturing));
        assert_eq!(parse_sector("Constr."), Some(Sector::Construction));
        assert_eq!(parse_sector("Hotels & hospitality"), Some(Sector::Hospitality));
        assert_eq!(parse_sector("AGRICULTURE"), Some(Sector::Agriculture));
        assert_eq!(parse_sector("mining"), None);
        assert_eq!(parse_sector("Cleaning services"), Some(Sector::Hospitality));
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn parsers_never_panic(s in "\\PC{0,40}") {
            let _ = parse_number(&s);
            let _ = parse_percent(&s);
            let _ = parse_date(&s);
            let _ = parse_money(&s);
            let _ = parse_list(&s);
            let _ = parse_sector(&s);
            let _ = super::super::sector::match_sector(&s);
            let _ = super::super::currency::parse_currency(&s, None);
            let _ = crate::domain::AddressType::parse(&s);
            let _ = crate::ingest::parse_country(&s);
        }

        #[test]
        fn grouped_numbers_round_trip(n in 0u64..10_000_000_000) {
            let s = n.to_string();
            let mut grouped = String::new();
            for (i, c) in s.chars().enumerate() {
                if i > 0 && (s.len() - i) % 3 == 0 {
                    grouped.push(',');
                }
                grouped.push(c);
            }
            prop_assert_eq!(parse_number(&grouped), Some(n as f64));
        }

        #[test]
        fn numeric_dates_parse_or_refuse(d in 1u32..=31, m in 1u32..=12, y in 1950i32..2030) {
            let s = format!("{d:02}.{m:02}.{y}");
            match NaiveDate::from_ymd_opt(y, m, d) {
                Some(want) => prop_assert_eq!(parse_date(&s), Ok(want)),
                None => prop_assert_eq!(parse_date(&s), Err(DateError::Invalid)),
            }
        }
    }
}
