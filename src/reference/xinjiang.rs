//! Xinjiang nexus from a supplier's location fields: the gazetteer of `data/xinjiang_places.csv`
//! (region, prefectures, counties, XPCC cities; Latin, Uyghur-Latin and Chinese forms), the
//! per-name rules of `data/xinjiang_name_rules.csv`, and the postcode rule `^8[34]\d{4}$`.
//!
//! What matches, by the supplier's country:
//! - any country: an explicit mention of the region or the XPCC ("Xinjiang", "XUAR", "新疆",
//!   "Bingtuan", ...);
//! - CN or unknown: place names as whole words, case- and accent-insensitive ("Ürümqi" =
//!   "Urumqi"), and Chinese forms as substrings — except names the rules file marks `skip`
//!   (another place in China has the same romanisation, e.g. Yiwu in Zhejiang), two-character
//!   Chinese forms not marked `keep`, and names marked `cn_only`;
//! - CN only: names marked `cn_only` (places abroad share them: Aksu in Kazakhstan, Kurla in
//!   Mumbai), Latin names of three letters or fewer, and six-digit postcodes 83xxxx/84xxxx in
//!   any of the fields.
//!
//! A name followed by a road word ("Urumqi Middle Road", "新疆路") names a street, often in
//! another city (Shanghai has both), and does not match.

use super::text::{find_phrase, fold, folded_words};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::LazyLock;

pub const XINJIANG_FILE: &str = "xinjiang_places.csv";
pub const XINJIANG_RULES_FILE: &str = "xinjiang_name_rules.csv";
pub(super) const XINJIANG_CSV: &str = include_str!("../../data/xinjiang_places.csv");
pub(super) const XINJIANG_RULES_CSV: &str = include_str!("../../data/xinjiang_name_rules.csv");

const REGION: &str = "Xinjiang Uyghur Autonomous Region";

/// A location field that places the supplier in Xinjiang.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XinjiangHit {
    /// The field name as given by the caller ("city", "address", ...).
    pub field: &'static str,
    /// The field's text.
    pub text: String,
    /// The canonical place name (the gazetteer row's `name`).
    pub place: String,
    /// The name, alternative name, Chinese form or postcode rule that matched.
    pub matched: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// Any country (explicit mention of the region or the XPCC).
    Any,
    /// Country CN or unknown.
    CnOrUnknown,
    /// Country CN only.
    CnOnly,
}

#[derive(Debug)]
enum Form {
    Latin(Vec<String>),
    Chinese(String),
}

#[derive(Debug)]
struct Name {
    place: String,
    written: String,
    form: Form,
    scope: Scope,
}

#[derive(Deserialize)]
struct RawPlace {
    name: String,
    alternative_names: String,
    chinese: String,
    level: String,
}

#[derive(Deserialize)]
struct RawRule {
    name: String,
    rule: String,
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}')
}

fn build() -> Vec<Name> {
    let rules: HashMap<String, String> = super::rows::<RawRule>(XINJIANG_RULES_CSV)
        .into_iter()
        .map(|r| (fold(&r.name), r.rule.trim().to_string()))
        .collect();
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for row in super::rows::<RawPlace>(XINJIANG_CSV) {
        let explicit = row.level.starts_with("autonomous_region") || row.level.contains("organisation");
        let forms = std::iter::once(row.name.as_str())
            .chain(row.alternative_names.split('|'))
            .chain(std::iter::once(row.chinese.as_str()))
            .map(str::trim)
            .filter(|f| !f.is_empty());
        for written in forms {
            let key = fold(written);
            if key.is_empty() || !seen.insert(key.clone()) {
                continue;
            }
            let rule = rules.get(&key).map(String::as_str);
            if rule == Some("skip") {
                continue;
            }
            let chinese = written.chars().any(is_cjk);
            let (form, scope) = if chinese {
                let short = written.chars().filter(|c| is_cjk(*c)).count() <= 2;
                if short && !explicit && rule != Some("keep") {
                    continue;
                }
                (Form::Chinese(written.to_string()), if explicit { Scope::Any } else { Scope::CnOrUnknown })
            } else {
                let letters = key.chars().filter(|c| c.is_alphanumeric()).count();
                let scope = if explicit {
                    Scope::Any
                } else if rule == Some("cn_only") || letters <= 3 {
                    Scope::CnOnly
                } else {
                    Scope::CnOrUnknown
                };
                (Form::Latin(key.split(' ').map(str::to_string).collect()), scope)
            };
            out.push(Name { place: row.name.trim().to_string(), written: written.to_string(), form, scope });
        }
    }
    // Explicit mentions first, then longer names before their prefixes ("Hotan County" before "Hotan").
    out.sort_by_key(|n| {
        let len = match &n.form {
            Form::Latin(w) => w.len(),
            Form::Chinese(s) => s.chars().count(),
        };
        (n.scope != Scope::Any, std::cmp::Reverse(len))
    });
    out
}

static NAMES: LazyLock<Vec<Name>> = LazyLock::new(build);

const ROAD_WORDS: &[&str] = &[
    "road",
    "rd",
    "street",
    "st",
    "str",
    "lu",
    "avenue",
    "ave",
    "lane",
    "ln",
    "jie",
    "dajie",
    "zhonglu",
    "beilu",
    "nanlu",
    "donglu",
    "xilu",
    "boulevard",
    "blvd",
];
const DIRECTIONS: &[&str] =
    &["middle", "mid", "north", "south", "east", "west", "zhong", "bei", "nan", "dong", "xi", "n", "s", "e", "w"];

/// Whether the words after a match name a street ("... Middle Road").
fn road_after(rest: &[String]) -> bool {
    match rest {
        [first, ..] if ROAD_WORDS.contains(&first.as_str()) => true,
        [first, second, ..] => DIRECTIONS.contains(&first.as_str()) && ROAD_WORDS.contains(&second.as_str()),
        _ => false,
    }
}

fn chinese_road_after(rest: &str) -> bool {
    let mut chars = rest.chars();
    matches!(
        (chars.next(), chars.next()),
        (Some('路' | '街'), _) | (Some('大'), Some('街' | '道')) | (Some('中' | '北' | '南' | '东' | '西'), Some('路'))
    )
}

fn latin_match(words: &[String], phrase: &[String]) -> bool {
    let mut from = 0;
    while let Some(i) = find_phrase(&words[from..], phrase) {
        let end = from + i + phrase.len();
        if !road_after(&words[end..]) {
            return true;
        }
        from += i + 1;
    }
    false
}

fn chinese_match(text: &str, form: &str) -> bool {
    text.match_indices(form).any(|(i, m)| !chinese_road_after(&text[i + m.len()..]))
}

/// The six-digit postcodes 83xxxx / 84xxxx in a text, as whole tokens.
fn xinjiang_postcode(text: &str) -> Option<String> {
    text.split(|c: char| !c.is_ascii_digit())
        .find(|t| t.len() == 6 && (t.starts_with("83") || t.starts_with("84")))
        .map(str::to_string)
}

fn postcode_place(code: &str) -> String {
    #[derive(Deserialize)]
    struct RawCode {
        name: String,
        postcode: String,
    }
    static BY_CODE: LazyLock<HashMap<String, String>> = LazyLock::new(|| {
        let mut m = HashMap::new();
        for r in super::rows::<RawCode>(XINJIANG_CSV) {
            m.entry(r.postcode.trim().to_string()).or_insert_with(|| r.name.trim().to_string());
        }
        m
    });
    BY_CODE.get(code).cloned().unwrap_or_else(|| REGION.to_string())
}

/// The first location field that places the supplier in Xinjiang (see the module doc for what
/// matches for which country). `fields` are (field name, text) pairs of location fields only:
/// region, city, address, postal code.
pub fn xinjiang_nexus(country: Option<&str>, fields: &[(&'static str, &str)]) -> Option<XinjiangHit> {
    let country = country.map(|c| c.trim().to_ascii_uppercase()).filter(|c| !c.is_empty());
    // Alpha-2 is expected; the alpha-3 code and the plain name are read too.
    let cn = matches!(country.as_deref(), Some("CN" | "CHN" | "CHINA" | "PRC"));
    let allowed = |scope: Scope| match scope {
        Scope::Any => true,
        Scope::CnOrUnknown => cn || country.is_none(),
        Scope::CnOnly => cn,
    };
    for &(field, text) in fields {
        if text.trim().is_empty() {
            continue;
        }
        let words = folded_words(text);
        let hit = NAMES.iter().filter(|n| allowed(n.scope)).find(|n| match &n.form {
            Form::Latin(phrase) => latin_match(&words, phrase),
            Form::Chinese(form) => chinese_match(text, form),
        });
        if let Some(n) = hit {
            return Some(XinjiangHit {
                field,
                text: text.to_string(),
                place: n.place.clone(),
                matched: n.written.clone(),
            });
        }
        if cn {
            if let Some(code) = xinjiang_postcode(text) {
                return Some(XinjiangHit {
                    field,
                    text: text.to_string(),
                    place: postcode_place(&code),
                    matched: format!("postcode {code} (rule ^8[34]\\d{{4}}$, China)"),
                });
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(country: Option<&str>, field: &'static str, text: &str) -> Option<(String, String)> {
        xinjiang_nexus(country, &[(field, text)]).map(|h| (h.place, h.matched))
    }

    #[test]
    fn gazetteer_and_rules_parse() {
        assert!(NAMES.len() > 300, "{}", NAMES.len());
        let rows = XINJIANG_CSV.lines().skip(1).filter(|l| !l.trim().is_empty()).count();
        assert_eq!(super::super::rows::<RawPlace>(XINJIANG_CSV).len(), rows);
        let rules = XINJIANG_RULES_CSV.lines().skip(1).filter(|l| !l.trim().is_empty()).count();
        assert_eq!(super::super::rows::<RawRule>(XINJIANG_RULES_CSV).len(), rules);
    }

    #[test]
    fn textbook_places_hit_for_a_chinese_supplier() {
        let cn = Some("CN");
        for (field, text) in [
            ("city", "Korla"),
            ("city", "Urumqi"),
            ("city", "Ürümqi"),
            ("city", "Hami"),
            ("city", "Kashgar"),
            ("city", "Kashi"),
            ("city", "Turfan"),
            ("city", "Aksu"),
            ("city", "Hotan"),
            ("city", "Shihezi"),
            ("region", "新疆"),
            ("address", "乌鲁木齐市天山区"),
            ("region", "XUAR"),
            ("region", "Xinjiang"),
            ("address", "No. 8 Renmin Road, Korla 841000"),
        ] {
            assert!(hit(cn, field, text).is_some(), "{field}: {text}");
        }
        assert_eq!(hit(cn, "city", "Korla"), Some(("Korla".into(), "Korla".into())));
        assert_eq!(hit(cn, "city", "Ürümqi").map(|h| h.0), Some("Urumqi".into()));
        let pc = xinjiang_nexus(cn, &[("city", "Shenzhen"), ("postal_code", "841000")]);
        assert_eq!(pc.as_ref().map(|h| h.field), Some("postal_code"));
        assert!(pc.is_some_and(|h| h.matched.contains("841000")));
    }

    #[test]
    fn unknown_country_matches_distinctive_names_only() {
        assert!(hit(None, "city", "Korla").is_some());
        assert!(hit(None, "city", "Urumqi").is_some());
        assert!(hit(None, "city", "Aksu").is_none());
        assert!(hit(None, "city", "Kashi").is_none());
        assert!(hit(None, "postal_code", "841000").is_none());
        assert!(hit(Some("chn"), "city", "Aksu").is_some());
        assert!(hit(Some(" "), "city", "Korla").is_some());
    }

    #[test]
    fn foreign_suppliers_match_only_explicit_mentions() {
        assert!(hit(Some("KZ"), "city", "Aksu").is_none());
        assert!(hit(Some("IN"), "address", "LBS Marg, Kurla West, Mumbai").is_none());
        assert!(hit(Some("US"), "postal_code", "841000").is_none());
        assert!(hit(Some("DE"), "postal_code", "841000").is_none());
        assert!(hit(Some("DE"), "region", "Xinjiang").is_some());
        assert!(hit(Some("VN"), "address", "Goods from XUAR warehouse").is_some());
        assert!(hit(Some("TR"), "address", "新疆").is_some());
    }

    #[test]
    fn no_partial_words_namesakes_or_street_names() {
        let cn = Some("CN");
        assert!(hit(cn, "address", "12 Shamir Road").is_none());
        assert!(hit(cn, "city", "Korlana").is_none());
        assert!(hit(cn, "city", "Yiwu").is_none());
        assert!(hit(cn, "city", "Qinghe").is_none());
        assert!(hit(cn, "address", "Urumqi Middle Road, Jing'an District, Shanghai").is_none());
        assert!(hit(cn, "address", "上海市静安区乌鲁木齐中路").is_none());
        assert!(hit(cn, "address", "新疆路 88号, 青岛").is_none());
        assert!(hit(cn, "postal_code", "200040").is_none());
        assert!(hit(cn, "postal_code", "8410001").is_none());
        assert!(hit(cn, "city", "Guangzhou").is_none());
        assert!(hit(cn, "city", "伊吾").is_some());
        assert!(hit(cn, "city", "义乌").is_none());
    }
}
