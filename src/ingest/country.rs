//! Country names and codes to ISO 3166-1 alpha-2: the ISO table comes from `rust_iso3166`;
//! this file holds only the variants people write.

use crate::domain::CountryCode;
use std::collections::HashMap;
use std::sync::OnceLock;
use unicode_normalization::UnicodeNormalization;

/// Variant spellings (keyed as [`key`] normalises them) → alpha-2.
const VARIANTS: &[(&str, &str)] = &[
    ("vietnam", "VN"),
    ("ivorycoast", "CI"),
    ("burma", "MM"),
    ("southkorea", "KR"),
    ("republicofkorea", "KR"),
    ("korearepublicof", "KR"),
    ("northkorea", "KP"),
    ("dprk", "KP"),
    ("russia", "RU"),
    ("turkey", "TR"),
    ("uk", "GB"),
    ("unitedkingdom", "GB"),
    ("greatbritain", "GB"),
    ("britain", "GB"),
    ("england", "GB"),
    ("scotland", "GB"),
    ("wales", "GB"),
    ("northernireland", "GB"),
    ("usa", "US"),
    ("unitedstates", "US"),
    ("america", "US"),
    ("uae", "AE"),
    ("emirates", "AE"),
    ("laos", "LA"),
    ("iran", "IR"),
    ("syria", "SY"),
    ("tanzania", "TZ"),
    ("bolivia", "BO"),
    ("venezuela", "VE"),
    ("moldova", "MD"),
    ("czechrepublic", "CZ"),
    ("macedonia", "MK"),
    ("taiwan", "TW"),
    ("palestine", "PS"),
    ("vatican", "VA"),
    ("brunei", "BN"),
    ("capeverde", "CV"),
    ("swaziland", "SZ"),
    ("drc", "CD"),
    ("drcongo", "CD"),
    ("democraticrepublicofthecongo", "CD"),
    ("democraticrepublicofcongo", "CD"),
    ("congokinshasa", "CD"),
    ("republicofthecongo", "CG"),
    ("congobrazzaville", "CG"),
    ("holland", "NL"),
    ("netherlands", "NL"),
    ("prc", "CN"),
    ("peoplesrepublicofchina", "CN"),
    ("mainlandchina", "CN"),
    ("hongkong", "HK"),
    ("macau", "MO"),
    ("easttimor", "TL"),
    ("micronesia", "FM"),
    ("stlucia", "LC"),
    ("stkittsandnevis", "KN"),
    ("stvincentandthegrenadines", "VC"),
];

/// Lower-case ASCII letters and digits only, diacritics removed, a leading "the" dropped.
fn key(raw: &str) -> String {
    let mut k = String::with_capacity(raw.len());
    for c in raw.nfd() {
        if c == '&' {
            k.push_str("and");
        } else if c.is_ascii_alphanumeric() {
            k.push(c.to_ascii_lowercase());
        }
    }
    match k.strip_prefix("the") {
        Some(rest) if rest.len() > 3 && raw.trim().to_lowercase().starts_with("the ") => rest.to_string(),
        _ => k,
    }
}

fn index() -> &'static HashMap<String, &'static str> {
    static INDEX: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut m: HashMap<String, &'static str> = HashMap::new();
        let mut short: HashMap<String, Option<&'static str>> = HashMap::new();
        for c in rust_iso3166::ALL {
            m.insert(key(c.name), c.alpha2);
            // "Bolivia (Plurinational State of)" → "bolivia", unless two names share the stem.
            let stem = c.name.split(['(', ',']).next().unwrap_or(c.name);
            if stem.len() < c.name.len() {
                let e = short.entry(key(stem)).or_insert(Some(c.alpha2));
                if *e != Some(c.alpha2) {
                    *e = None;
                }
            }
        }
        for (k, v) in short {
            if let Some(v) = v {
                m.entry(k).or_insert(v);
            }
        }
        for (k, v) in VARIANTS {
            m.insert((*k).to_string(), v);
        }
        m
    })
}

/// Parses a country as written: ISO alpha-2 or alpha-3 code (any case), the ISO short name or
/// a common variant (Viet Nam, Ivory Coast, Burma, South Korea, Russia, Türkiye/Turkey, UK,
/// USA, ...). None when unknown or ambiguous (e.g. plain "Korea", "Congo" is the Republic).
pub fn parse_country(raw: &str) -> Option<CountryCode> {
    let t = raw.trim();
    if t.is_empty() {
        return None;
    }
    if t.len() == 2 && t.chars().all(|c| c.is_ascii_alphabetic()) {
        let up = t.to_ascii_uppercase();
        let up = if up == "UK" { "GB".to_string() } else { up };
        return rust_iso3166::from_alpha2(&up).and_then(|c| CountryCode::new(c.alpha2));
    }
    if t.len() == 3 && t.chars().all(|c| c.is_ascii_alphabetic()) {
        if let Some(c) = rust_iso3166::from_alpha3(&t.to_ascii_uppercase()) {
            return CountryCode::new(c.alpha2);
        }
    }
    index().get(&key(t)).and_then(|a2| CountryCode::new(a2))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a2(s: &str) -> Option<String> {
        parse_country(s).map(|c| c.as_str().to_string())
    }

    #[test]
    fn codes_names_variants() {
        for (raw, want) in [
            ("th", "TH"),
            ("MYS", "MY"),
            (" china ", "CN"),
            ("Viet Nam", "VN"),
            ("Vietnam", "VN"),
            ("Ivory Coast", "CI"),
            ("Côte d'Ivoire", "CI"),
            ("Cote d'Ivoire", "CI"),
            ("Burma", "MM"),
            ("Myanmar", "MM"),
            ("South Korea", "KR"),
            ("Russia", "RU"),
            ("Russian Federation", "RU"),
            ("Türkiye", "TR"),
            ("Turkey", "TR"),
            ("UK", "GB"),
            ("Great Britain", "GB"),
            ("United Kingdom", "GB"),
            ("USA", "US"),
            ("United States of America", "US"),
            ("Bolivia", "BO"),
            ("the Netherlands", "NL"),
            ("United Arab Emirates", "AE"),
        ] {
            assert_eq!(a2(raw).as_deref(), Some(want), "{raw}");
        }
        assert_eq!(a2("Korea"), None, "ambiguous");
        assert_eq!(a2("Atlantis"), None);
        assert_eq!(a2("XX"), None);
        assert_eq!(a2(""), None);
    }
}
