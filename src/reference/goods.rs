//! Forgiving product matching of a supplier's commodity text against TVPRA good names.
//!
//! Both sides are lower-cased, split into words, singularised by a small stemmer
//! (berries → berry, tomatoes → tomato, gloves → glove, electronics → electronic) and mapped
//! through a short synonym table (apparel/clothing → garment, aluminum → aluminium, ...).
//! A good matches when every word of its name outside brackets, except the qualifiers
//! "crude"/"refined"/"hybrid", appears among the words of one part of the commodity text
//! (parts are split on `, ; / & +` and " and "). Names with `/` ("Thread/Yarn") are alternatives.

/// A commodity text split into parts, each a list of stemmed words.
pub type Product = Vec<Vec<String>>;

const QUALIFIERS: &[&str] = &["crude", "refined", "hybrid"];

const SYNONYMS: &[(&str, &str)] = &[
    ("apparel", "garment"),
    ("clothing", "garment"),
    ("clothe", "garment"),
    ("aluminum", "aluminium"),
    ("prawn", "shrimp"),
    ("pv", "photovoltaic"),
    ("sugar", "sugarcane"),
    ("cacao", "cocoa"),
    ("shoe", "footwear"),
    ("polysilicone", "polysilicon"),
    ("cassava", "manioc"),
    ("cellphone", "electronic"),
    ("semiconductor", "electronic"),
];

/// Singular stem of one lower-case word.
pub fn stem(word: &str) -> String {
    let w = word;
    let s = if w.len() > 4 && w.ends_with("ies") {
        format!("{}y", &w[..w.len() - 3])
    } else if w.len() > 4 && (w.ends_with("oes") || w.ends_with("sses") || w.ends_with("ches") || w.ends_with("shes")) {
        w[..w.len() - 2].to_string()
    } else if w.len() > 3 && w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") {
        w[..w.len() - 1].to_string()
    } else {
        w.to_string()
    };
    SYNONYMS.iter().find(|(k, _)| *k == s).map(|(_, v)| v.to_string()).unwrap_or(s)
}

fn words(text: &str) -> Vec<String> {
    text.to_lowercase().split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(stem).collect()
}

/// Splits and stems a commodity text.
pub fn normalise_product(commodity: &str) -> Product {
    let lower = commodity.to_lowercase().replace(" and ", ";");
    lower.split([',', ';', '/', '&', '+', '|']).map(words).filter(|p| !p.is_empty()).collect()
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
    fn parts_are_matched_separately_and_unrelated_goods_do_not_match() {
        assert!(m("Cotton", "polyester, cotton"));
        assert!(!m("Cotton", "polyester"));
        assert!(!m("Tomato Products", "tomato"));
        assert!(!m("Rubber Gloves", "rubber, leather gloves"));
        assert!(!m("Electronics", ""));
    }
}
