//! Entity-list screening: names and aliases normalised (accents, case, punctuation, legal
//! suffixes, word order) and matched with Jaro-Winkler on tokens plus weighted token-set
//! coverage, through a token index; generic words count little and never match alone.

use super::names::{name_tokens, NameTokens};
use super::FastMap;
use crate::domain::CountryCode;
use crate::reference::{self, CBP_FILE, UFLPA_FILE};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// A score at or above this, with every distinctive listed word matched exactly, is strong.
pub const STRONG_THRESHOLD: f64 = 0.93;
/// A score at or above this is a possible match.
pub const POSSIBLE_THRESHOLD: f64 = 0.80;
/// Subtracted when the list entry and the supplier name different countries.
pub const COUNTRY_MISMATCH_PENALTY: f64 = 0.10;
/// A word this long or longer may match fuzzily (Jaro-Winkler ≥ [`FUZZY_TOKEN_MIN`]); shorter
/// distinctive words must match exactly.
pub const FUZZY_MIN_LEN: usize = 7;
pub const FUZZY_TOKEN_MIN: f64 = 0.93;
/// A fuzzy word match counts for this share of its Jaro-Winkler similarity.
pub const FUZZY_DISCOUNT: f64 = 0.9;

pub const UFLPA_LIST: &str = "UFLPA Entity List";
pub const CBP_LIST: &str = "CBP Withhold Release Orders and Findings";

/// An entity list: built-in or uploaded by an organisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Watchlist {
    pub name: String,
    pub edition: String,
    pub entries: Vec<WatchEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WatchEntry {
    pub name: String,
    pub aliases: Vec<String>,
    pub country: Option<CountryCode>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Confirmed,
    FalsePositive,
}

/// A person's decision on a screening match, remembered and applied to later assessments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScreeningDecision {
    pub supplier_id: String,
    pub list: String,
    pub matched_entity: String,
    pub decision: Decision,
    pub reason: String,
}

static BUILTIN: LazyLock<Vec<Watchlist>> = LazyLock::new(|| {
    let r = reference::reference();
    let conv = |rows: &[reference::EntityRow]| {
        rows.iter()
            .map(|e| WatchEntry {
                name: e.name.clone(),
                aliases: e.aliases.clone(),
                country: e.country.as_deref().and_then(CountryCode::new),
            })
            .collect()
    };
    vec![
        Watchlist { name: UFLPA_LIST.into(), edition: reference::edition(UFLPA_FILE), entries: conv(&r.uflpa) },
        Watchlist { name: CBP_LIST.into(), edition: reference::edition(CBP_FILE), entries: conv(&r.cbp) },
    ]
});

/// The built-in lists (UFLPA Entity List, CBP WROs and Findings) from data/.
pub fn builtin_watchlists() -> &'static [Watchlist] {
    &BUILTIN
}

/// The reference file of a built-in list (for evidence), None for an organisation's list.
pub fn builtin_file(list: &str) -> Option<&'static str> {
    match list {
        UFLPA_LIST => Some(UFLPA_FILE),
        CBP_LIST => Some(CBP_FILE),
        _ => None,
    }
}

/// One match of a supplier name against a list name or alias.
#[derive(Debug, Clone, PartialEq)]
pub struct NameMatch {
    pub list: String,
    pub edition: String,
    /// The entry's primary name.
    pub entity: String,
    /// The listed name or alias that matched.
    pub listed_name: String,
    /// The supplier's name that matched.
    pub supplier_name: String,
    pub score: f64,
    pub strong: bool,
}

struct Indexed {
    list: usize,
    entity: String,
    variant: String,
    tokens: NameTokens,
    country: Option<CountryCode>,
}

/// Screens names against the built-in lists plus an organisation's lists, through token indexes.
pub struct Screener {
    lists: Vec<(String, String)>,
    names: Vec<Indexed>,
    by_token: FastMap<String, Vec<usize>>,
    by_prefix: FastMap<String, Vec<usize>>,
    by_key: FastMap<String, Vec<usize>>,
    fingerprint: String,
    editions: BTreeMap<String, String>,
}

fn prefix(t: &str) -> String {
    t.chars().take(3).collect()
}

impl Screener {
    /// Built-in lists first, then the organisation's own lists.
    pub fn new(org_lists: &[Watchlist]) -> Screener {
        let mut s = Screener {
            lists: Vec::new(),
            names: Vec::new(),
            by_token: FastMap::default(),
            by_prefix: FastMap::default(),
            by_key: FastMap::default(),
            fingerprint: String::new(),
            editions: BTreeMap::new(),
        };
        for f in [reference::TIP_FILE, reference::TVPRA_FILE, reference::STATE_FL_FILE, UFLPA_FILE, CBP_FILE] {
            s.editions.insert(f.to_string(), reference::edition(f));
        }
        for wl in org_lists {
            s.editions.insert(format!("watchlist: {}", wl.name), wl.edition.clone());
        }
        let all: Vec<&Watchlist> = builtin_watchlists().iter().chain(org_lists.iter()).collect();
        for (li, wl) in all.iter().enumerate() {
            s.lists.push((wl.name.clone(), wl.edition.clone()));
            for e in &wl.entries {
                for v in std::iter::once(&e.name).chain(e.aliases.iter()) {
                    let tokens = name_tokens(v);
                    if tokens.tokens.is_empty() {
                        continue;
                    }
                    let i = s.names.len();
                    for t in &tokens.distinctive {
                        s.by_token.entry(t.clone()).or_default().push(i);
                        if t.chars().count() >= FUZZY_MIN_LEN {
                            s.by_prefix.entry(prefix(t)).or_default().push(i);
                        }
                    }
                    s.by_key.entry(tokens.key.clone()).or_default().push(i);
                    s.names.push(Indexed {
                        list: li,
                        entity: e.name.clone(),
                        variant: v.clone(),
                        tokens,
                        country: e.country.clone(),
                    });
                }
            }
        }
        let mut h = <sha2::Sha256 as sha2::Digest>::new();
        if serde_json::to_writer(&mut h, &org_lists).is_ok() {
            s.fingerprint = hex::encode(sha2::Digest::finalize(h));
        }
        s
    }

    /// The lists screened against: (name, edition).
    pub fn lists(&self) -> &[(String, String)] {
        &self.lists
    }

    /// Reference file (or `watchlist: <name>`) → edition, for every source the scoring cites.
    pub fn editions(&self) -> &BTreeMap<String, String> {
        &self.editions
    }

    /// SHA-256 of the organisation's lists (the built-in ones are identified by their editions).
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// Matches of any of the names at or above the possible threshold: the best per
    /// (list, entity), strongest first.
    pub fn screen(&self, names: &[&str], country: Option<&CountryCode>) -> Vec<NameMatch> {
        let mut best: FastMap<(usize, &str), NameMatch> = FastMap::default();
        for &raw in names {
            let q = name_tokens(raw);
            if q.tokens.is_empty() {
                continue;
            }
            let mut cand: Vec<usize> = Vec::new();
            for t in &q.tokens {
                if let Some(v) = self.by_token.get(t) {
                    cand.extend(v);
                }
                if t.chars().count() >= FUZZY_MIN_LEN {
                    if let Some(v) = self.by_prefix.get(&prefix(t)) {
                        cand.extend(v);
                    }
                }
            }
            if let Some(v) = self.by_key.get(&q.key) {
                cand.extend(v);
            }
            cand.sort_unstable();
            cand.dedup();
            for i in cand {
                let n = &self.names[i];
                let (mut score, exact) = if n.tokens.key == q.key { (1.0, true) } else { similarity(&n.tokens, &q) };
                if let (Some(a), Some(b)) = (country, &n.country) {
                    if a != b {
                        score -= COUNTRY_MISMATCH_PENALTY;
                    }
                }
                if score < POSSIBLE_THRESHOLD {
                    continue;
                }
                let strong = score >= STRONG_THRESHOLD && exact;
                let (list, edition) = &self.lists[n.list];
                let m = NameMatch {
                    list: list.clone(),
                    edition: edition.clone(),
                    entity: n.entity.clone(),
                    listed_name: n.variant.clone(),
                    supplier_name: raw.to_string(),
                    score: (score * 1000.0).round() / 1000.0,
                    strong,
                };
                let slot = best.entry((n.list, n.entity.as_str())).or_insert_with(|| m.clone());
                if (m.strong, m.score) > (slot.strong, slot.score) {
                    *slot = m;
                }
            }
        }
        let mut out: Vec<NameMatch> = best.into_values().collect();
        out.sort_by(|a, b| {
            (b.strong, b.score)
                .partial_cmp(&(a.strong, a.score))
                .unwrap_or(std::cmp::Ordering::Equal)
                .then_with(|| a.list.cmp(&b.list))
                .then_with(|| a.entity.cmp(&b.entity))
        });
        out
    }
}

/// Similarity of one word of one side to the best word of the other: 1 for equal words, a
/// discounted Jaro-Winkler for long words that are close, else 0.
fn word_sim(t: &str, other: &[String]) -> f64 {
    let mut best: f64 = 0.0;
    for o in other {
        if o == t {
            return 1.0;
        }
        if t.chars().count() >= FUZZY_MIN_LEN && o.chars().count() >= FUZZY_MIN_LEN {
            let jw = strsim::jaro_winkler(t, o);
            if jw >= FUZZY_TOKEN_MIN {
                best = best.max(jw * FUZZY_DISCOUNT);
            }
        }
    }
    best
}

/// Weighted coverage of `a`'s words by `b`'s (distinctive words weigh 1, generic ones 0.25),
/// and whether every distinctive word of `a` matched exactly.
fn coverage(a: &NameTokens, b: &NameTokens) -> (f64, bool, bool) {
    let (mut got, mut total) = (0.0, 0.0);
    let mut all_exact = true;
    let mut any_distinctive = false;
    for t in &a.tokens {
        let w = if a.distinctive.contains(t) { 1.0 } else { 0.25 };
        let s = word_sim(t, &b.tokens);
        if w == 1.0 {
            all_exact &= s == 1.0;
            any_distinctive |= s > 0.0;
        }
        got += w * s;
        total += w;
    }
    let cov = if total > 0.0 { got / total } else { 0.0 };
    (cov, all_exact, any_distinctive)
}

/// Score 0–1 of a supplier name against a listed name (mean of both coverages); zero unless
/// at least one distinctive listed word matched. Returns (score, all distinctive words exact).
pub fn similarity(listed: &NameTokens, supplier: &NameTokens) -> (f64, bool) {
    let (recall, exact, any) = coverage(listed, supplier);
    if !any || listed.distinctive.is_empty() {
        return (0.0, false);
    }
    let (precision, _, _) = coverage(supplier, listed);
    (0.5 * recall + 0.5 * precision, exact)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::names::same_name;

    fn top(names: &[&str], cc: &str) -> Option<NameMatch> {
        Screener::new(&[]).screen(names, CountryCode::new(cc).as_ref()).into_iter().next()
    }

    #[test]
    fn real_entries_as_erps_export_them_match_strongly() {
        for (erp, entity) in [
            ("HETIAN HAOLIN HAIR ACCESSORIES CO LTD", "Hetian Haolin Hair Accessories Co. Ltd."),
            ("ESQUEL TEXTILE GUANGDONG CO LTD", "Guangdong Esquel Textile Co., Ltd."),
            ("XINJIANG DAQO NEW ENERGY COMPANY LIMITED", "Xinjiang Daqo New Energy Co., Ltd."),
            ("NINESTAR CORP", "Ninestar Corporation"),
            ("TOP GLOVE CORP BHD", "Top Glove Corporation Bhd"),
            ("BINGTUAN", "Xinjiang Production and Construction Corps"),
            ("GX CORPORATION SDN BHD", "Smart Glove Corporation Sdn Bhd"),
            (
                "HOSHINE SILICON INDUSTRY SHANSHAN CO LTD",
                "Hoshine Silicon Industry (Shanshan) Co., Ltd and subsidiaries",
            ),
            ("Zhuhai Pu Tech Industrial Co Ltd", "Zhuhai Pu-Tech Industrial Co., Ltd."),
        ] {
            let cc = if erp.contains("GLOVE") || erp.starts_with("GX") { "MY" } else { "CN" };
            let m = top(&[erp], cc).unwrap_or_else(|| panic!("no match for {erp}"));
            assert!(same_name(&m.entity, entity), "{erp}: {m:?}");
            assert!(m.strong, "{erp}: {m:?}");
        }
    }

    #[test]
    fn generic_words_and_short_near_misses_do_not_match() {
        for name in [
            "Xinjiang Textile Trading Co., Ltd.",
            "Guangdong Industry Trading Company",
            "Carmel Group Ltd",
            "Xinjiang Energy Materials Trading Co",
            "Daqi New Energy Co Ltd",
            "Esquire Textile Co",
            "Zhuhai Technology Co Ltd",
            "Acme Cotton Trading",
        ] {
            assert!(top(&[name], "CN").is_none(), "{name}: {:?}", top(&[name], "CN"));
        }
    }

    #[test]
    fn near_miss_on_long_word_is_only_possible_and_org_lists_are_screened() {
        let m = top(&["Ninestor Corp"], "CN");
        assert!(m.as_ref().is_some_and(|m| !m.strong && m.score >= POSSIBLE_THRESHOLD), "{m:?}");
        let own = Watchlist {
            name: "Acme internal".into(),
            edition: "2026-10".into(),
            entries: vec![WatchEntry {
                name: "Müller Stahlbau GmbH".into(),
                aliases: vec![],
                country: CountryCode::new("DE"),
            }],
        };
        let s = Screener::new(&[own]);
        let m = s.screen(&["MULLER STAHLBAU"], CountryCode::new("DE").as_ref());
        assert_eq!(m.first().map(|m| (m.list.as_str(), m.strong)), Some(("Acme internal", true)));
        assert!(s.screen(&["Muller Stahl GmbH"], None).iter().all(|m| !m.strong));
    }

    #[test]
    fn country_mismatch_downgrades() {
        let m = top(&["TOP GLOVE CORP BHD"], "US");
        assert!(m.is_some_and(|m| !m.strong));
    }
}
