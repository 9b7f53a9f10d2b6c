//! Reference data compiled into the binary from data/ (TIP tiers, TVPRA goods, entity lists,
//! UFLPA sectors, Xinjiang gazetteer, FX rates, minimum ages, note phrases, sector keywords),
//! parsed once into typed tables, with the edition, source and hash of every file.

mod fx;
mod goods;
mod min_age;
mod notes;
mod provenance;
mod sectors;
mod text;
mod uflpa_sectors;
mod xinjiang;

pub use fx::{fx_rate, fx_rates, FxRate, FX_EDITION, FX_FILE};
use goods::{alternatives_match, good_alternatives};
pub use goods::{good_matches, normalise_product, product_synonyms, ProductSynonym, SYNONYMS_FILE};
pub use min_age::{min_working_age, min_working_age_rows, MinAge, MinAgeRow, DEFAULT_MIN_AGE, MIN_AGE_FILE};
pub use notes::{note_indicators, NoteHit, NOTE_NEGATIONS_FILE, NOTE_PHRASES_FILE};
pub use provenance::{data_files, DataFile};
pub use sectors::SECTOR_KEYWORDS_FILE;
pub use text::fold;
pub use uflpa_sectors::{
    uflpa_high_priority, uflpa_high_priority_sectors, HighPriorityHit, HighPrioritySector, UFLPA_SECTORS_FILE,
};
pub use xinjiang::{xinjiang_nexus, XinjiangHit, XINJIANG_FILE, XINJIANG_RULES_FILE};

use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

pub const TIP_FILE: &str = "tip_tiers_2023.csv";
pub const TVPRA_FILE: &str = "ilab_tvpra_goods.csv";
/// The file name assessments made before the 2024 changes cite; [`edition`] still knows it.
pub const TVPRA_FILE_2022: &str = "ilab_tvpra_goods_2022.csv";
pub const UFLPA_FILE: &str = "uflpa_entity_list.csv";
pub const CBP_FILE: &str = "cbp_wro_findings.csv";
pub const EO13126_FILE: &str = "eo13126_products_2014.csv";
pub const GSI_FILE: &str = "walkfree_gsi_2023_top10_prevalence.csv";
/// Pseudo-file name under which the built-in state-imposed forced-labour country list is cited.
pub const STATE_FL_FILE: &str = "state_imposed_forced_labour_2024";

const TIP_CSV: &str = include_str!("../../data/tip_tiers_2023.csv");
const TVPRA_CSV: &str = include_str!("../../data/ilab_tvpra_goods.csv");
const UFLPA_CSV: &str = include_str!("../../data/uflpa_entity_list.csv");
const CBP_CSV: &str = include_str!("../../data/cbp_wro_findings.csv");
const EO13126_CSV: &str = include_str!("../../data/eo13126_products_2014.csv");
const GSI_CSV: &str = include_str!("../../data/walkfree_gsi_2023_top10_prevalence.csv");
const STATE_FL_EDITION: &str = "TIP Report 2024: 13 Tier 3 governments with a state policy or pattern of trafficking";

/// TIP Report 2024: Tier 3 governments with a documented state policy or pattern of
/// trafficking (domain-research.md §3). ISO 3166-1 alpha-2, with the country name.
pub const STATE_IMPOSED_FL_COUNTRIES: &[(&str, &str)] = &[
    ("AF", "Afghanistan"),
    ("BY", "Belarus"),
    ("MM", "Burma"),
    ("CN", "China (PRC), including the Xinjiang Uyghur Autonomous Region"),
    ("CU", "Cuba"),
    ("ER", "Eritrea"),
    ("IR", "Iran"),
    ("KP", "North Korea"),
    ("RU", "Russia"),
    ("SS", "South Sudan"),
    ("SD", "Sudan"),
    ("SY", "Syria"),
    ("TM", "Turkmenistan"),
];

/// A TIP Report tier placement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TipTier {
    Tier1,
    Tier2,
    WatchList,
    Tier3,
    SpecialCase,
}

impl TipTier {
    fn parse(raw: &str) -> Option<TipTier> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "1" => Some(TipTier::Tier1),
            "2" => Some(TipTier::Tier2),
            "2wl" => Some(TipTier::WatchList),
            "3" => Some(TipTier::Tier3),
            "special" => Some(TipTier::SpecialCase),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            TipTier::Tier1 => "Tier 1",
            TipTier::Tier2 => "Tier 2",
            TipTier::WatchList => "Tier 2 Watch List",
            TipTier::Tier3 => "Tier 3",
            TipTier::SpecialCase => "Special Case (unranked)",
        }
    }
}

/// One row of `tip_tiers_2023.csv`, with the placement the scoring uses.
#[derive(Debug, Clone, PartialEq)]
pub struct TipRow {
    pub country: String,
    pub iso2: String,
    pub tier_2023: Option<TipTier>,
    pub tier_2025: Option<TipTier>,
    /// The placement used: the 2025 one where the file has it; when a 2023 Tier 3 or Watch List
    /// country is blank for 2025 it has moved to Tier 1 or 2, which is taken as Tier 2.
    pub effective: TipTier,
    /// The report year of `effective`.
    pub year: u16,
}

/// Editions of files that are no longer compiled in but that stored assessments cite.
const LEGACY_EDITIONS: &[(&str, &str)] =
    &[(TVPRA_FILE_2022, "TVPRA List of Goods 2022 (ILAB, 28 Sept 2022; 2024 additions missing)")];

/// One (good, country) row of the TVPRA list.
#[derive(Debug, Clone, PartialEq)]
pub struct GoodRow {
    pub good: String,
    pub country: String,
    pub iso2: String,
    pub child_labor: bool,
    pub forced_labor: bool,
    pub forced_child_labor: bool,
    pub sector: String,
    /// The edition the row comes from: 2022, or 2024 for a 2024 addition.
    pub edition: u16,
    /// The pair was removed in the 2024 edition: kept for the record, not used for scoring.
    pub removed_in_2024: bool,
    pub source: String,
    pub note: String,
    /// Stemmed word sets of the good's name (precomputed for matching).
    pub match_words: Vec<Vec<String>>,
}

impl GoodRow {
    /// The key cited in evidence: `Cotton / China`; a 2024 addition says so
    /// (`Garments / Burma (2024 edition)`), since the 2022 row of the same pair may also exist.
    pub fn key(&self) -> String {
        if self.edition == 2022 {
            format!("{} / {}", self.good, self.country)
        } else {
            format!("{} / {} ({} edition)", self.good, self.country, self.edition)
        }
    }

    /// The kinds of listing, for titles: "forced labour, child labour"; never empty — a row
    /// without flags (in the file: goods made with listed inputs) says "listed".
    pub fn kinds(&self) -> String {
        let kinds: Vec<&str> = [
            (self.forced_labor, "forced labour"),
            (self.child_labor, "child labour"),
            (self.forced_child_labor, "forced child labour"),
        ]
        .iter()
        .filter(|(b, _)| *b)
        .map(|(_, k)| *k)
        .collect();
        if kinds.is_empty() {
            "listed".to_string()
        } else {
            kinds.join(", ")
        }
    }
}

/// One entity of an entity list (UFLPA or CBP), names split and trimmed.
#[derive(Debug, Clone, PartialEq)]
pub struct EntityRow {
    pub name: String,
    pub aliases: Vec<String>,
    pub country: Option<String>,
    pub date: String,
    /// UFLPA section, or CBP `WRO`/`Finding`.
    pub basis: String,
    pub status: String,
}

/// One row of the EO 13126 list.
#[derive(Debug, Clone, PartialEq)]
pub struct Eo13126Row {
    pub product: String,
    pub country: String,
}

/// All reference tables.
#[derive(Debug)]
pub struct ReferenceData {
    pub tip: Vec<TipRow>,
    pub goods: Vec<GoodRow>,
    pub uflpa: Vec<EntityRow>,
    pub cbp: Vec<EntityRow>,
    /// CBP rows that name a region or a product rather than an entity (not screened by name).
    pub cbp_region_wide: Vec<EntityRow>,
    pub eo13126: Vec<Eo13126Row>,
    tip_by_iso: HashMap<String, usize>,
    goods_by_iso: HashMap<String, Vec<usize>>,
}

#[derive(Deserialize)]
struct RawTip {
    country: String,
    iso2: String,
    tier_2023: String,
    tier_2025_if_2wl_or_3: String,
}

#[derive(Deserialize)]
struct RawGood {
    good: String,
    country: String,
    country_iso2: String,
    child_labor: String,
    forced_labor: String,
    forced_child_labor: String,
    sector: String,
    edition: u16,
    status: String,
    source: String,
    note: String,
}

#[derive(Deserialize)]
struct RawUflpa {
    name: String,
    aliases: String,
    country: String,
    effective_date: String,
    uflpa_section: String,
}

#[derive(Deserialize)]
struct RawCbp {
    name: String,
    aliases: String,
    country_iso2: String,
    #[serde(rename = "type")]
    kind: String,
    date: String,
    status: String,
}

#[derive(Deserialize)]
struct RawEo {
    product: String,
    country: String,
}

/// Rows that fail to parse are skipped (the embedded files are checked by tests).
fn rows<T: DeserializeOwned>(text: &str) -> Vec<T> {
    csv::Reader::from_reader(text.as_bytes()).deserialize().filter_map(Result::ok).collect()
}

fn split_list(raw: &str) -> Vec<String> {
    raw.split(';').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

fn opt(raw: &str) -> Option<String> {
    let t = raw.trim();
    (!t.is_empty()).then(|| t.to_ascii_uppercase())
}

/// A CBP row that names a region or product class ("All Turkmenistan Cotton ...").
fn is_region_wide(name: &str) -> bool {
    let l = name.to_lowercase();
    l.starts_with("all ") || l.contains("region-wide") || l.contains(" produced in ")
}

fn tip_row(r: RawTip) -> Option<TipRow> {
    let tier_2023 = TipTier::parse(&r.tier_2023);
    let tier_2025 = TipTier::parse(&r.tier_2025_if_2wl_or_3);
    let (effective, year) = match (tier_2025, tier_2023) {
        (Some(t), _) => (t, 2025),
        (None, Some(TipTier::Tier3 | TipTier::WatchList | TipTier::SpecialCase)) => (TipTier::Tier2, 2025),
        (None, Some(t)) => (t, 2023),
        (None, None) => return None,
    };
    Some(TipRow { country: r.country, iso2: r.iso2.trim().to_ascii_uppercase(), tier_2023, tier_2025, effective, year })
}

fn load() -> ReferenceData {
    let tip: Vec<TipRow> = rows::<RawTip>(TIP_CSV).into_iter().filter_map(tip_row).collect();
    let goods: Vec<GoodRow> = rows::<RawGood>(TVPRA_CSV)
        .into_iter()
        .map(|r| GoodRow {
            good: r.good.trim().to_string(),
            country: r.country.trim().to_string(),
            iso2: r.country_iso2.trim().to_ascii_uppercase(),
            child_labor: r.child_labor.trim() == "true",
            forced_labor: r.forced_labor.trim() == "true",
            forced_child_labor: r.forced_child_labor.trim() == "true",
            sector: r.sector,
            edition: r.edition,
            removed_in_2024: r.status.trim() == "removed_2024",
            source: r.source,
            note: r.note,
            match_words: good_alternatives(&r.good),
        })
        .collect();
    let uflpa = rows::<RawUflpa>(UFLPA_CSV)
        .into_iter()
        .map(|r| EntityRow {
            name: r.name.trim().to_string(),
            aliases: split_list(&r.aliases),
            country: opt(&r.country),
            date: r.effective_date,
            basis: r.uflpa_section,
            status: "listed".to_string(),
        })
        .collect();
    let (cbp_region_wide, cbp): (Vec<EntityRow>, Vec<EntityRow>) = rows::<RawCbp>(CBP_CSV)
        .into_iter()
        .map(|r| {
            // Several entities in one row are `;`-separated: the first is the name,
            // the others become aliases so that each of them is screened.
            let mut names = split_list(&r.name);
            let name = if names.is_empty() { r.name.trim().to_string() } else { names.remove(0) };
            names.extend(split_list(&r.aliases));
            EntityRow {
                name,
                aliases: names,
                country: opt(&r.country_iso2),
                date: r.date,
                basis: r.kind,
                status: r.status,
            }
        })
        .partition(|e| is_region_wide(&e.name));
    let eo13126 =
        rows::<RawEo>(EO13126_CSV).into_iter().map(|r| Eo13126Row { product: r.product, country: r.country }).collect();
    let tip_by_iso = tip.iter().enumerate().map(|(i, r)| (r.iso2.clone(), i)).collect();
    let mut goods_by_iso: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, g) in goods.iter().enumerate() {
        goods_by_iso.entry(g.iso2.clone()).or_default().push(i);
    }
    ReferenceData { tip, goods, uflpa, cbp, cbp_region_wide, eo13126, tip_by_iso, goods_by_iso }
}

static REFERENCE: LazyLock<ReferenceData> = LazyLock::new(load);

/// The reference tables, parsed on first use.
pub fn reference() -> &'static ReferenceData {
    &REFERENCE
}

/// Reference file → edition, for every compiled-in data file and the built-in state list.
pub fn editions() -> BTreeMap<String, String> {
    provenance::FILES
        .iter()
        .map(|s| (s.file.to_string(), s.edition.to_string()))
        .chain(std::iter::once((STATE_FL_FILE.to_string(), STATE_FL_EDITION.to_string())))
        .collect()
}

/// The edition of one reference file (empty when unknown).
pub fn edition(file: &str) -> String {
    provenance::FILES
        .iter()
        .map(|s| (s.file, s.edition))
        .chain(std::iter::once((STATE_FL_FILE, STATE_FL_EDITION)))
        .chain(LEGACY_EDITIONS.iter().copied())
        .find(|(f, _)| *f == file)
        .map(|(_, e)| e.to_string())
        .unwrap_or_default()
}

/// The state-imposed forced-labour flag of a country, with its name, if flagged.
pub fn state_imposed_forced_labour(iso2: &str) -> Option<&'static str> {
    STATE_IMPOSED_FL_COUNTRIES.iter().find(|(c, _)| c.eq_ignore_ascii_case(iso2)).map(|(_, n)| *n)
}

impl ReferenceData {
    /// The TIP placement of a country (alpha-2).
    pub fn tip(&self, iso2: &str) -> Option<&TipRow> {
        self.tip_by_iso.get(&iso2.to_ascii_uppercase()).and_then(|&i| self.tip.get(i))
    }

    /// TVPRA rows of this country whose good matches the commodity text (see [`good_matches`]).
    /// Rows removed in the 2024 edition are left out.
    pub fn goods_for(&self, commodity: &str, iso2: &str) -> Vec<&GoodRow> {
        let Some(idx) = self.goods_by_iso.get(&iso2.to_ascii_uppercase()) else {
            return Vec::new();
        };
        let product = normalise_product(commodity);
        idx.iter()
            .filter_map(|&i| self.goods.get(i))
            .filter(|g| !g.removed_in_2024 && alternatives_match(&g.match_words, &product))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_files_parse_completely() {
        let r = reference();
        assert_eq!(r.tip.len(), 188);
        assert_eq!(r.goods.len(), 471);
        assert_eq!(r.goods.iter().filter(|g| g.removed_in_2024).count(), 4);
        assert_eq!(r.goods.iter().filter(|g| g.edition == 2024).count(), 4);
        assert!(r.goods.iter().all(|g| g.edition == 2022 || g.edition == 2024));
        assert_eq!(r.uflpa.len(), 88);
        assert_eq!(r.cbp.len() + r.cbp_region_wide.len(), 39);
        assert!(r.cbp_region_wide.iter().any(|e| e.name.contains("Turkmenistan")));
        assert!(r
            .cbp
            .iter()
            .any(|e| e.name == "Smart Glove Corporation Sdn Bhd"
                && e.aliases.iter().any(|a| a == "GX Corporation Sdn Bhd")));
        assert_eq!(r.eo13126.len(), 54);
    }

    #[test]
    fn tip_uses_2025_placement_where_present() {
        let r = reference();
        // Algeria: Tier 3 in 2023, Watch List in 2025.
        let dz = r.tip("dz").map(|t| (t.effective, t.year));
        assert_eq!(dz, Some((TipTier::WatchList, 2025)));
        assert_eq!(r.tip("CN").map(|t| t.effective), Some(TipTier::Tier3));
        assert_eq!(r.tip("DE").map(|t| (t.effective, t.year)), Some((TipTier::Tier1, 2023)));
        assert!(r.tip("ZZ").is_none());
    }

    #[test]
    fn goods_match_forgivingly_on_good_and_country() {
        let r = reference();
        let cn: Vec<String> = r.goods_for("cotton yarn", "CN").iter().map(|g| g.good.clone()).collect();
        assert!(cn.contains(&"Cotton".to_string()), "{cn:?}");
        let el: Vec<String> = r.goods_for("Electronic components", "CN").iter().map(|g| g.good.clone()).collect();
        assert!(el.contains(&"Electronics".to_string()), "{el:?}");
        assert!(r.goods_for("cotton yarn", "DE").is_empty());
        // Removed in 2024: shrimp from Thailand is not used.
        assert!(r.goods_for("frozen shrimp", "TH").iter().all(|g| g.good != "Shrimp"));
    }

    #[test]
    fn tvpra_2024_changes_are_applied_and_kinds_are_never_empty() {
        let r = reference();
        let goods = |c: &str, iso: &str| r.goods_for(c, iso).iter().map(|g| g.key()).collect::<Vec<_>>();
        assert_eq!(goods("garments", "MU"), vec!["Garments / Mauritius (2024 edition)"]);
        assert_eq!(goods("Red dates", "CN"), vec!["Jujubes (red dates) / China (2024 edition)"]);
        assert_eq!(goods("caustic soda flakes", "CN"), vec!["Caustic soda / China (2024 edition)"]);
        let burma = r.goods_for("apparel", "MM");
        assert_eq!(
            burma.iter().map(|g| (g.edition, g.kinds())).collect::<Vec<_>>(),
            vec![(2022, "child labour".to_string()), (2024, "forced labour".to_string())]
        );
        for (c, iso) in [("blueberries", "AR"), ("salt", "KH"), ("fluorspar", "MN"), ("shrimp", "TH")] {
            assert!(r.goods_for(c, iso).is_empty(), "{c} {iso}");
        }
        assert!(r.goods.iter().all(|g| !g.kinds().is_empty()));
        let solar = r.goods_for("Solar modules", "CN");
        let module = solar.iter().find(|g| g.good == "Solar Modules").map(|g| g.kinds());
        assert_eq!(module.as_deref(), Some("listed"));
        assert!(solar.iter().any(|g| g.good == "Polysilicon" && g.kinds() == "forced labour"));
    }

    #[test]
    fn textbook_commodities_find_their_country_rows() {
        let r = reference();
        let has = |c: &str, iso: &str, good: &str| r.goods_for(c, iso).iter().any(|g| g.good == good);
        assert!(has("nitrile examination gloves", "MY", "Rubber Gloves"));
        assert!(has("CPO", "MY", "Palm Fruit") && has("crude palm oil", "ID", "Palm Fruit"));
        assert!(has("canned tuna", "TH", "Fish"));
        assert!(has("PV modules", "CN", "Polysilicon"));
        assert!(has("hazelnuts", "TR", "Hazelnuts"));
        assert!(has("cotton yarn", "CN", "Thread/Yarn") && has("cotton yarn", "CN", "Cotton"));
        assert!(has("prawns", "BD", "Shrimp"));
        assert!(!has("leather gloves", "MY", "Rubber Gloves"));
    }

    #[test]
    fn odd_input_never_panics_and_finds_nothing() {
        let odd = [
            "",
            " ",
            "\u{0}\u{FFFF}",
            "ü̈̈̈",
            "##*;;..!!",
            "8",
            "84",
            "🙂 passports 🙂",
            "a. b; c! d? e\n",
            "乌",
            "999999999999999999999999 hours per week",
        ];
        let long = "x ".repeat(10_000);
        for t in odd.iter().copied().chain(std::iter::once(long.as_str())) {
            let _ = normalise_product(t);
            assert!(reference().goods_for(t, t).is_empty());
            let _ = uflpa_high_priority(t);
            assert!(xinjiang_nexus(Some(t), &[("address", t)]).is_none(), "{t}");
            let _ = note_indicators(t);
            let _ = fx_rate(t);
            let _ = min_working_age(Some(t));
        }
    }

    #[test]
    fn editions_cover_every_file_and_state_list() {
        let e = editions();
        assert_eq!(
            e.get(TIP_FILE).map(String::as_str),
            Some("TIP 2023 (2025 watch-list/tier-3 placements where present)")
        );
        assert_eq!(e.len(), data_files().len() + 1);
        assert!(edition(STATE_FL_FILE).starts_with("TIP Report 2024"));
        assert_eq!(edition("nope.csv"), "");
        assert!(edition(TVPRA_FILE).contains("4 of 72 additions"));
        assert!(edition(TVPRA_FILE_2022).starts_with("TVPRA List of Goods 2022"));
        assert!(!e.contains_key(TVPRA_FILE_2022));
        assert!(state_imposed_forced_labour("tm").is_some());
        assert!(state_imposed_forced_labour("DE").is_none());
    }
}
