//! Normalisers for the identifiers that link suppliers: bank account, phone, e-mail domain,
//! person name and postal address. Each returns one canonical form, or None when too weak to link.

use crate::domain::CountryCode;

/// Lower case, accents removed, every non-alphanumeric a space, spaces collapsed
/// (`reference::fold`, the project's one folding).
pub use crate::reference::fold;

/// Bank account / IBAN: letters and digits only, upper case; at least 6 characters.
pub fn bank_account(raw: &str) -> Option<String> {
    let s: String = raw.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect();
    (s.len() >= 6).then_some(s)
}

/// International calling codes of the countries Manumit's suppliers are most often in.
const CALLING_CODES: &[(&str, &str)] = &[
    ("US", "1"),
    ("CA", "1"),
    ("GB", "44"),
    ("DE", "49"),
    ("FR", "33"),
    ("IT", "39"),
    ("ES", "34"),
    ("NL", "31"),
    ("BE", "32"),
    ("PL", "48"),
    ("PT", "351"),
    ("RO", "40"),
    ("TR", "90"),
    ("RU", "7"),
    ("CN", "86"),
    ("HK", "852"),
    ("MO", "853"),
    ("TW", "886"),
    ("JP", "81"),
    ("KR", "82"),
    ("KP", "850"),
    ("IN", "91"),
    ("PK", "92"),
    ("BD", "880"),
    ("LK", "94"),
    ("NP", "977"),
    ("MM", "95"),
    ("TH", "66"),
    ("VN", "84"),
    ("KH", "855"),
    ("LA", "856"),
    ("MY", "60"),
    ("SG", "65"),
    ("ID", "62"),
    ("PH", "63"),
    ("AU", "61"),
    ("NZ", "64"),
    ("AE", "971"),
    ("SA", "966"),
    ("QA", "974"),
    ("KW", "965"),
    ("BH", "973"),
    ("OM", "968"),
    ("JO", "962"),
    ("LB", "961"),
    ("EG", "20"),
    ("MA", "212"),
    ("TN", "216"),
    ("ZA", "27"),
    ("NG", "234"),
    ("GH", "233"),
    ("CI", "225"),
    ("KE", "254"),
    ("ET", "251"),
    ("ER", "291"),
    ("UZ", "998"),
    ("TM", "993"),
    ("KZ", "7"),
    ("MX", "52"),
    ("GT", "502"),
    ("HN", "504"),
    ("BR", "55"),
    ("AR", "54"),
    ("CL", "56"),
    ("PE", "51"),
    ("CO", "57"),
    ("EC", "593"),
    ("BO", "591"),
    ("PY", "595"),
    ("DO", "1"),
    ("IE", "353"),
    ("SE", "46"),
    ("NO", "47"),
    ("DK", "45"),
    ("FI", "358"),
    ("CH", "41"),
    ("AT", "43"),
    ("CZ", "420"),
    ("HU", "36"),
    ("GR", "30"),
    ("UA", "380"),
    ("BY", "375"),
    ("MU", "230"),
    ("ZW", "263"),
    ("MW", "265"),
    ("RS", "381"),
];

/// The calling code of a country, if known.
pub fn calling_code(country: Option<&CountryCode>) -> Option<&'static str> {
    let c = country?;
    CALLING_CODES.iter().find(|(k, _)| *k == c.as_str()).map(|(_, v)| *v)
}

/// Phone in one canonical international form (digits only, with country calling code):
/// `+60 12-345 6789`, `0060123456789`, `(60) 123456789` and, for a Malaysian supplier,
/// `012-345 6789` all give `60123456789`. At least 7 digits.
pub fn phone(raw: &str, country: Option<&CountryCode>) -> Option<String> {
    let trimmed = raw.trim();
    let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 7 {
        return None;
    }
    let cc = calling_code(country);
    let intl = if trimmed.starts_with('+') {
        digits
    } else if let Some(rest) = digits.strip_prefix("00") {
        rest.to_string()
    } else if let Some(rest) = digits.strip_prefix('0') {
        match cc {
            Some(cc) => format!("{cc}{rest}"),
            None => rest.to_string(),
        }
    } else {
        match cc {
            // Already international when it starts with the code and is longer than a national number.
            Some(cc) if digits.starts_with(cc) && digits.len() >= 10 + cc.len().saturating_sub(1) => digits,
            Some(cc) => format!("{cc}{digits}"),
            None => digits,
        }
    };
    (intl.len() >= 7).then_some(intl)
}

/// Free-mail and ISP domains that link nothing.
const FREE_MAIL: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "yahoo.co.uk",
    "yahoo.com.cn",
    "yahoo.co.in",
    "ymail.com",
    "outlook.com",
    "hotmail.com",
    "hotmail.co.uk",
    "live.com",
    "msn.com",
    "aol.com",
    "icloud.com",
    "me.com",
    "mail.com",
    "gmx.com",
    "gmx.de",
    "gmx.net",
    "web.de",
    "proton.me",
    "protonmail.com",
    "yandex.ru",
    "yandex.com",
    "mail.ru",
    "qq.com",
    "163.com",
    "126.com",
    "sina.com",
    "sohu.com",
    "yeah.net",
    "foxmail.com",
    "aliyun.com",
    "rediffmail.com",
    "naver.com",
    "daum.net",
    "zoho.com",
    "tutanota.com",
    "inbox.com",
];

/// E-mail domain, lower case, unless it is a free-mail domain.
pub fn email_domain(raw: &str) -> Option<String> {
    let (_, domain) = raw.trim().rsplit_once('@')?;
    let d = domain.trim().trim_end_matches('.').to_lowercase();
    if d.len() < 4 || !d.contains('.') || FREE_MAIL.contains(&d.as_str()) {
        return None;
    }
    Some(d)
}

const TITLES: &[&str] = &["mr", "mrs", "ms", "miss", "dr", "prof", "sir", "madam", "datuk", "dato", "tan", "sri"];

/// Person name: folded, titles removed, words sorted (so "TAN, Wei Ming" = "Wei Ming Tan").
/// At least two words.
pub fn person(raw: &str) -> Option<String> {
    let f = fold(raw);
    let mut words: Vec<&str> = f.split(' ').filter(|w| !w.is_empty()).collect();
    if words.len() > 2 {
        words.retain(|w| !TITLES.contains(w));
    }
    words.sort_unstable();
    (words.len() >= 2).then(|| words.join(" "))
}

const POSTAL: &[(&str, &str)] = &[
    ("st", "street"),
    ("str", "street"),
    ("rd", "road"),
    ("ave", "avenue"),
    ("av", "avenue"),
    ("blvd", "boulevard"),
    ("ste", "suite"),
    ("fl", "floor"),
    ("flr", "floor"),
    ("apt", "apartment"),
    ("bldg", "building"),
    ("hwy", "highway"),
    ("ln", "lane"),
    ("dr", "drive"),
    ("ct", "court"),
    ("pl", "place"),
    ("sq", "square"),
    ("rm", "room"),
    ("jln", "jalan"),
    ("jl", "jalan"),
    ("tmn", "taman"),
    ("no", "number"),
    ("nr", "number"),
    ("unit", "unit"),
    ("u", "unit"),
    ("ind", "industrial"),
    ("est", "estate"),
    ("pkwy", "parkway"),
    ("cres", "crescent"),
    ("mt", "mount"),
    ("n", "north"),
    ("s", "south"),
    ("e", "east"),
    ("w", "west"),
];

/// Address + (postal code, else city), folded, postal abbreviations expanded.
pub fn address(raw: &str, city: Option<&str>, postal_code: Option<&str>) -> Option<String> {
    let f = fold(raw);
    if f.is_empty() {
        return None;
    }
    let words: Vec<&str> = f
        .split(' ')
        .map(|w| POSTAL.iter().find(|(k, _)| *k == w).map(|(_, v)| *v).unwrap_or(w))
        .filter(|w| *w != "number")
        .collect();
    let place = postal_code
        .map(|p| p.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_uppercase())
        .filter(|p| !p.is_empty())
        .or_else(|| city.map(fold).filter(|c| !c.is_empty()))
        .unwrap_or_default();
    Some(format!("{}|{}", words.join(" "), place))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_forms_collapse_to_one() {
        let my = CountryCode::new("MY");
        let want = Some("60123456789".to_string());
        assert_eq!(phone("+60 12-345 6789", my.as_ref()), want);
        assert_eq!(phone("0060123456789", my.as_ref()), want);
        assert_eq!(phone("(60) 123456789", my.as_ref()), want);
        assert_eq!(phone("012-345 6789", my.as_ref()), want);
        assert_eq!(phone("+60 (12) 345.6789", None), want);
        assert_eq!(phone("12345", my.as_ref()), None);
        assert_ne!(phone("+60 12-345 6788", my.as_ref()), want);
    }

    #[test]
    fn bank_and_email() {
        assert_eq!(bank_account("de89 3704-0044 0532 0130 00"), Some("DE89370400440532013000".into()));
        assert_eq!(bank_account("12-3"), None);
        assert_eq!(email_domain("Sales@Acme-Textiles.com"), Some("acme-textiles.com".into()));
        assert_eq!(email_domain("someone@gmail.com"), None);
        assert_eq!(email_domain("x@qq.com"), None);
        assert_eq!(email_domain("not an email"), None);
    }

    #[test]
    fn person_and_address() {
        assert_eq!(person("TAN, Wei Ming"), person("Wei Ming Tan"));
        assert_eq!(person("José Müller"), Some("jose muller".into()));
        assert_eq!(person("Madonna"), None);
        let a = address("12 Main St., Ste 4", Some("Penang"), Some("10200"));
        let b = address("12 MAIN STREET SUITE 4", None, Some("10 200"));
        assert_eq!(a, b);
        assert_eq!(
            address("No. 5 Jln Ampang", Some("Kuala Lumpur"), None),
            address("5 Jalan Ampang", Some("KUALA LUMPUR"), None)
        );
        assert_ne!(address("12 Main St", None, Some("10200")), address("12 Main St", None, Some("10201")));
    }
}
