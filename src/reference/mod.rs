//! Reference data compiled into the binary from data/: TIP tiers, TVPRA goods, entity lists.
