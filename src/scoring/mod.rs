//! The pure scoring engine: inherent, forced labour (ILO), child labour, front business and
//! networks, screening.
//! Reference data compiled into the binary from data/: TIP tiers, TVPRA goods, entity lists.
//! Methodology: docs/METHODOLOGY.md (version [`METHODOLOGY_VERSION`]).

mod assess;
pub mod child;
pub mod combine;
pub mod drivers;
pub mod evidence;
mod facts;
pub mod fields;
pub mod inherent;
mod inputs_hash;
pub mod names;
pub mod network;
pub mod normalise;
mod notes;
mod refdata;
pub mod scenarios;
pub mod screening;
mod xinjiang;

#[cfg(test)]
mod props;

pub use assess::{assess_each, assess_org, completeness, OrgContext, OrgRun, CORE_SUPPLIER_FIELDS};
pub use network::{detect_network_details, detect_networks, ClusterDetail};
pub use screening::{builtin_watchlists, Decision, NameMatch, Screener, ScreeningDecision, WatchEntry, Watchlist};

/// The methodology version stored with every assessment (docs/METHODOLOGY.md).
pub const METHODOLOGY_VERSION: &str = "2.0.0";

/// Hash map with a fast hasher for the hot paths (networks, screening index).
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
