//! Forgiving product matching of a supplier's commodity text against TVPRA good names.
//!
//! Both sides are lower-cased, split into words and singularised by a small stemmer
//! (berries → berry, tomatoes → tomato, gloves → glove, electronics → electronic). The
//! commodity side is then widened by the product synonyms of `data/product_synonyms.csv`: when
//! a synonym's phrase appears in a part of the commodity, the words of what it means are added
//! to that part ("nitrile gloves" adds "rubber glove", "CPO" adds "palm fruit").
//! A good matches when every word of its name outside brackets, except the qualifiers
//! "crude"/"refined"/"hybrid", appears among the words of one part of the commodity text
//! (parts are split on `, ; / & + |` and " and "). Names with `/` ("Thread/Yarn") are alternatives.

use super::text::find_phrase;
use serde::Deserialize;
use std::sync::LazyLock;

/// A commodity text split into parts, each a list of stemmed words.
pub type Product = Vec<Vec<String>>;

pub const SYNONYMS_FILE: &str = "product_synonyms.csv";
pub(super) const SYNONYMS_CSV: &str = include_str!("../../data/product_synonyms.csv");

const QUALIFIERS: &[&str] = &["crude", "refined", "hybrid"];

/// One row of `product_synonyms.csv`, stemmed.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductSynonym {
    /// The phrase as written in the file.
    pub phrase: String,
    /// What it means: TVPRA good word(s).
    pub means: String,
    pub source: String,
    phrase_words: Vec<String>,
    means_words: Vec<String>,
}

#[derive(Deserialize)]
struct RawSynonym {
    phrase: String,
    means: String,
    source: String,
}

static SYNONYMS: LazyLock<Vec<ProductSynonym>> = LazyLock::new(|| {
    super::rows::<RawSynonym>(SYNONYMS_CSV)
        .into_iter()
        .map(|r| ProductSynonym {
            phrase_words: words(&r.phrase),
            means_words: words(&r.means),
            phrase: r.phrase.trim().to_string(),
            means: r.means.trim().to_string(),
            source: r.source,
        })
        .filter(|s| !s.phrase_words.is_empty() && !s.means_words.is_empty())
        .collect()
});

/// The product synonyms, parsed on first use.
pub fn product_synonyms() -> &'static [ProductSynonym] {
    &SYNONYMS
}

/// Singular stem of one lower-case word.
pub fn stem(word: &str) -> String {
    let w = word;
    if w.len() > 4 && w.ends_with("ies") {
        format!("{}y", &w[..w.len() - 3])
    } else if w.len() > 4 && (w.ends_with("oes") || w.ends_with("sses") || w.ends_with("ches") || w.ends_with("shes")) {
        w[..w.len() - 2].to_string()
    } else if w.len() > 3 && w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") {
        w[..w.len() - 1].to_string()
    } else {
        w.to_string()
    }
}

fn words(text: &str) -> Vec<String> {
    text.to_lowercase().split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(stem).collect()
}

/// Adds the meaning of every synonym whose phrase appears in the part.
fn widen(part: Vec<String>) -> Vec<String> {
    let mut out = part.clone();
    for s in product_synonyms() {
        if find_phrase(&part, &s.phrase_words).is_some() {
            for w in &s.means_words {
                if !out.contains(w) {
                    out.push(w.clone());
                }
            }
        }
    }
    out
}

/// Splits, stems and widens a commodity text.
pub fn normalise_product(commodity: &str) -> Product {
    let lower = commodity.to_lowercase().replace(" and ", ";");
    lower.split([',', ';', '/', '&', '+', '|']).map(words).filter(|p| !p.is_empty()).map(widen).collect()
}

/// The word sets a good name requires, one per alternative: words outside brackets, without
/// qualifiers; "Thread/Yarn" gives two alternatives.
pub fn good_alternatives(good: &str) -> Vec<Vec<String>> {
    let main = match good.find('(') {
        Some(i) => &good[..i],
        None => good,
    };
    main.split('/')
        .map(|alt| words(alt).into_iter().filter(|w| !QUALIFIERS.contains(&w.as_str())).collect::<Vec<_>>())
        .filter(|need| !need.is_empty())
        .collect()
}

/// Whether a good's alternatives (see [`good_alternatives`]) match a normalised commodity.
pub fn alternatives_match(alts: &[Vec<String>], product: &Product) -> bool {
    alts.iter().any(|need| product.iter().any(|part| need.iter().all(|w| part.contains(w))))
}

/// Whether a TVPRA good name matches a normalised commodity.
pub fn good_matches(good: &str, product: &Product) -> bool {
    alternatives_match(&good_alternatives(good), product)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(good: &str, commodity: &str) -> bool {
        good_matches(good, &normalise_product(commodity))
    }

    #[test]
    fn synonyms_file_parses_completely() {
        let rows = SYNONYMS_CSV.lines().skip(1).filter(|l| !l.trim().is_empty()).count();
        assert_eq!(product_synonyms().len(), rows);
        assert!(product_synonyms().iter().all(|s| !s.source.trim().is_empty()));
    }

    #[test]
    fn plural_singular_and_stems() {
        assert!(m("Cotton", "cotton yarn"));
        assert!(m("Electronics", "electronic components"));
        assert!(m("Tomatoes", "tomato paste"));
        assert!(m("Gloves", "nitrile glove"));
        assert!(m("Rubber Gloves", "Rubber gloves (medical)"));
        assert!(m("Strawberries", "fresh strawberry"));
        assert!(m("Garments", "apparel"));
        assert!(m("Thread/Yarn", "cotton yarn"));
        assert!(m("Crude Palm Oil", "palm oil"));
        assert!(m("Beans (green beans)", "beans"));
    }

    #[test]
    fn textbook_synonyms_match() {
        for c in ["nitrile examination gloves", "Nitrile gloves", "medical gloves", "Latex examination gloves"] {
            assert!(m("Rubber Gloves", c), "{c}");
        }
        for c in ["palm oil", "Crude palm oil", "CPO", "palm kernel oil", "RBD palm kernel oil"] {
            assert!(m("Palm Fruit", c), "{c}");
        }
        for c in ["canned tuna", "tuna", "Skipjack loins"] {
            assert!(m("Fish", c), "{c}");
        }
        for c in ["solar modules", "PV modules", "Solar panels", "polysilicon wafers"] {
            assert!(m("Polysilicon", c), "{c}");
        }
        assert!(m("Hazelnuts", "hazelnuts"));
        assert!(m("Hazelnuts", "roasted hazelnut kernels"));
        assert!(m("Shrimp", "shrimp") && m("Shrimp", "frozen prawns"));
        for c in ["garments", "apparel", "clothing", "Children's clothes"] {
            assert!(m("Garments", c), "{c}");
        }
        assert!(m("Jujubes (red dates)", "dried red dates"));
        assert!(m("Caustic soda", "sodium hydroxide flakes"));
    }

    #[test]
    fn parts_are_matched_separately_and_unrelated_goods_do_not_match() {
        assert!(m("Cotton", "polyester, cotton"));
        assert!(!m("Cotton", "polyester"));
        assert!(!m("Tomato Products", "tomato"));
        assert!(!m("Rubber Gloves", "rubber, leather gloves"));
        assert!(!m("Rubber Gloves", "leather gloves"));
        assert!(!m("Rubber Gloves", "rubber"));
        assert!(!m("Rubber Gloves", "natural rubber sheets"));
        assert!(!m("Palm Fruit", "olive oil"));
        assert!(!m("Fish", "fishing nets"));
        assert!(!m("Polysilicon", "solar water heaters"));
        assert!(!m("Electronics", ""));
    }
}
