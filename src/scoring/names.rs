//! Company-name normalisation for screening and payee checks: accents, case, punctuation,
//! legal suffixes and filler words removed, plurals singularised, words sorted; generic words
//! (industries, products, places) separated from the distinctive ones.

use super::normalise::fold;
use std::collections::HashSet;
use std::sync::LazyLock;

static LEGAL_SET: LazyLock<HashSet<&'static str>> = LazyLock::new(|| LEGAL_AND_FILLER.iter().copied().collect());
static GENERIC_SET: LazyLock<HashSet<&'static str>> = LazyLock::new(|| GENERIC.iter().copied().collect());

/// Whether a (normalised, singular) word is generic.
pub fn is_generic(w: &str) -> bool {
    GENERIC_SET.contains(w)
}

/// A normalised company name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NameTokens {
    /// All remaining words, sorted and unique.
    pub tokens: Vec<String>,
    /// The words that are not generic.
    pub distinctive: Vec<String>,
    /// `tokens` joined by spaces: equal keys are the same name in any word order.
    pub key: String,
}

/// Legal-form words and filler removed from names.
pub const LEGAL_AND_FILLER: &[&str] = &[
    "co",
    "company",
    "companies",
    "ltd",
    "limited",
    "llc",
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "corps",
    "gmbh",
    "mbh",
    "sdn",
    "bhd",
    "berhad",
    "plc",
    "pte",
    "pvt",
    "private",
    "public",
    "sa",
    "ag",
    "bv",
    "nv",
    "srl",
    "spa",
    "sarl",
    "sas",
    "kg",
    "oy",
    "ab",
    "as",
    "jsc",
    "ojsc",
    "pjsc",
    "llp",
    "lp",
    "kk",
    "tbk",
    "pt",
    "and",
    "the",
    "of",
    "its",
    "subsidiaries",
    "subsidiary",
    "subordinate",
    "affiliated",
    "entities",
    "branch",
    "m",
    "dba",
];

/// Words that are common to many company names: industries, products, places. Sharing only
/// these never makes a match.
pub const GENERIC: &[&str] = &[
    // industries and activities
    "textile",
    "trading",
    "trade",
    "industry",
    "industrial",
    "technology",
    "tech",
    "science",
    "scientific",
    "material",
    "product",
    "manufacturing",
    "manufacture",
    "manufacturer",
    "garment",
    "apparel",
    "clothing",
    "fashion",
    "accessory",
    "shoe",
    "footwear",
    "food",
    "agriculture",
    "agricultural",
    "farm",
    "cotton",
    "linen",
    "wool",
    "silk",
    "spinning",
    "yarn",
    "hair",
    "energy",
    "solar",
    "silicon",
    "power",
    "electric",
    "electronic",
    "digital",
    "information",
    "chemical",
    "metal",
    "nonferrous",
    "mining",
    "mineral",
    "coal",
    "steel",
    "iron",
    "gold",
    "copper",
    "zinc",
    "aluminium",
    "aluminum",
    "magnesium",
    "battery",
    "glove",
    "plantation",
    "fishing",
    "ocean",
    "marine",
    "seafood",
    "fruit",
    "vegetable",
    "canned",
    "tomato",
    "sugar",
    "biotech",
    "biotechnology",
    "biological",
    "medicine",
    "medical",
    "pharmaceutical",
    "health",
    "development",
    "economic",
    "investment",
    "holding",
    "group",
    "enterprise",
    "service",
    "logistic",
    "warehousing",
    "warehouse",
    "import",
    "export",
    "supply",
    "construction",
    "engineering",
    "management",
    "printing",
    "equipment",
    "machinery",
    "machine",
    "automation",
    "production",
    "real",
    "estate",
    "park",
    "center",
    "centre",
    "general",
    "hi",
    "high",
    "advanced",
    "green",
    "new",
    "international",
    "global",
    "world",
    "asia",
    "pacific",
    "east",
    "west",
    "north",
    "south",
    "western",
    "eastern",
    "northern",
    "southern",
    "china",
    "chinese",
    "prc",
    "hong",
    "kong",
    "malaysia",
    "vietnam",
    "india",
    "county",
    "city",
    "province",
    "region",
    "autonomous",
    "vocational",
    "skill",
    "education",
    "training",
    "transfer",
    "reserve",
    "library",
    "herbal",
    "chinese",
    "fleet",
    "vessel",
    "foundation",
    "wood",
    "furniture",
    "plastic",
    "rubber",
    "paper",
    "packaging",
    "glass",
    "leather",
    "toy",
    "home",
    "house",
    "care",
    "beauty",
    // Chinese provinces and prefectures named on the lists
    "xinjiang",
    "uyghur",
    "uygur",
    "xuar",
    "guangdong",
    "zhejiang",
    "jiangsu",
    "shandong",
    "hebei",
    "henan",
    "hubei",
    "hunan",
    "anhui",
    "fujian",
    "jiangxi",
    "sichuan",
    "yunnan",
    "guizhou",
    "gansu",
    "qinghai",
    "shaanxi",
    "shanxi",
    "liaoning",
    "jilin",
    "heilongjiang",
    "inner",
    "mongolia",
    "ningxia",
    "tibet",
    "guangxi",
    "hainan",
    "beijing",
    "shanghai",
    "tianjin",
    "chongqing",
    "shenzhen",
    "guangzhou",
    "dongguan",
    "zhuhai",
    "hefei",
    "dalian",
    "baotou",
    "wuxi",
    "hangzhou",
    "ningbo",
    "qingdao",
    "xiamen",
    "urumqi",
    "kashgar",
    "hotan",
    "hetian",
    "aksu",
    "akesu",
    "changji",
    "turpan",
    "shihezi",
    "korla",
    "hami",
    "karamay",
    "yili",
    "lop",
    "changzhou",
    "heze",
    "binzhou",
    "hengshui",
    "rizhao",
    "zhengzhou",
];

/// Singular of a word (`gloves` → `glove`, `industries` → `industry`).
fn singular(w: &str) -> String {
    if w.len() > 4 && w.ends_with("ies") {
        format!("{}y", &w[..w.len() - 3])
    } else if w.len() > 3 && w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") {
        w[..w.len() - 1].to_string()
    } else {
        w.to_string()
    }
}

/// Normalises a company name. `&` inside a word (`G&G`) joins it; elsewhere it is "and".
pub fn name_tokens(raw: &str) -> NameTokens {
    let joined = raw.replace("&", "");
    let f = fold(&joined);
    // Runs of single letters are one abbreviation: "S.A." → "sa", "A B C" → "abc".
    let mut words: Vec<String> = Vec::new();
    let mut run = String::new();
    for w in f.split(' ').filter(|w| !w.is_empty()) {
        if w.chars().count() == 1 {
            run.push_str(w);
        } else {
            if !run.is_empty() {
                words.push(std::mem::take(&mut run));
            }
            words.push(w.to_string());
        }
    }
    if !run.is_empty() {
        words.push(run);
    }
    let mut tokens: Vec<String> =
        words.iter().filter(|w| !LEGAL_SET.contains(w.as_str())).map(|w| singular(w)).collect();
    tokens.sort_unstable();
    tokens.dedup();
    let distinctive = tokens.iter().filter(|t| !is_generic(t)).cloned().collect();
    let key = tokens.join(" ");
    NameTokens { tokens, distinctive, key }
}

/// Whether two company names are the same name after normalisation (legal form, case,
/// punctuation, word order).
pub fn same_name(a: &str, b: &str) -> bool {
    let (x, y) = (name_tokens(a), name_tokens(b));
    !x.key.is_empty() && x.key == y.key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes_accents_order_and_plurals() {
        let a = name_tokens("Hetian Haolin Hair Accessories Co., Ltd.");
        assert_eq!(a.key, "accessory hair haolin hetian");
        assert_eq!(a.distinctive, ["haolin"]);
        assert_eq!(name_tokens("HAOLIN HAIR ACCESSORIES HETIAN CO LTD").key, a.key);
        assert_eq!(name_tokens("Société Générale S.A.").key, "generale societe");
        assert_eq!(name_tokens("Zhuhai G&G Digital Technology").key, "digital gg technology zhuhai");
        assert!(same_name("ACME TRADING SDN BHD", "Acme Trading Sdn. Bhd."));
        assert!(!same_name("Acme Trading", "Acme Holdings"));
    }
}
