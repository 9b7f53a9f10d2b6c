//! Inherent risk (country × sector × commodity): TIP tier, TVPRA (good, country) listing,
//! state-imposed forced-labour countries, the sector band, and the migrant/agency-share step.
//! Capped at high: inherent risk says how much due diligence to do; it is never evidence.

use super::evidence::{field, finding, fraction, reference_row};
use crate::domain::{Dimension, Finding, Sector, Severity, SupplierRecord, Tier, YesNo};
use crate::reference::{self, TipTier, STATE_FL_FILE, TIP_FILE, TVPRA_FILE};

/// Migrant or agency share above this raises the inherent tier one step.
pub const WORKFORCE_SHARE_THRESHOLD: f64 = 0.25;

fn with_points(mut f: Finding, points: f64) -> Finding {
    f.points = points;
    f
}

fn country_finding(s: &SupplierRecord) -> (Finding, Tier) {
    let Some(cc) = s.fields.country.as_ref() else {
        let f = finding(
            "country_unknown",
            Dimension::Inherent,
            Severity::Medium,
            "Country not given",
            "No country was given, so country risk is unknown and treated as medium.",
            vec![field(s, "country", "(blank)")],
        );
        return (with_points(f, 10.0), Tier::Medium);
    };
    let country_ev = field(s, "country", cc.as_str());
    let Some(tip) = reference::reference().tip(cc.as_str()) else {
        let f = finding(
            "tip_not_ranked",
            Dimension::Inherent,
            Severity::Medium,
            format!("{cc} is not ranked in the TIP Report file"),
            "The country is not in the TIP tier file: country risk is unknown and treated as medium.",
            vec![country_ev],
        );
        return (with_points(f, 10.0), Tier::Medium);
    };
    let (indicator, severity, tier, pts) = match tip.effective {
        TipTier::Tier3 => ("tip_tier_3", Severity::High, Tier::High, 30.0),
        TipTier::WatchList => ("tip_watch_list", Severity::Medium, Tier::Medium, 22.0),
        TipTier::Tier2 => ("tip_tier_2", Severity::Medium, Tier::Medium, 12.0),
        TipTier::SpecialCase => ("tip_special_case", Severity::Medium, Tier::Medium, 15.0),
        TipTier::Tier1 => ("tip_tier_1", Severity::Low, Tier::Low, 2.0),
    };
    let value = format!(
        "{} {} (2023: {}, 2025: {})",
        tip.effective.label(),
        tip.year,
        tip.tier_2023.map(TipTier::label).unwrap_or("-"),
        tip.tier_2025.map(TipTier::label).unwrap_or("Tier 1 or 2 / not listed"),
    );
    let f = finding(
        indicator,
        Dimension::Inherent,
        severity,
        format!("{}: TIP {}", tip.country, tip.effective.label()),
        format!(
            "Context, not evidence of coercion: the US TIP Report places {} on {} ({}). The tier rates \
             government effort against trafficking.",
            tip.country,
            tip.effective.label(),
            tip.year
        ),
        vec![country_ev, reference_row(TIP_FILE, &tip.iso2, value)],
    );
    (with_points(f, pts), tier)
}

/// The sector's own band: the ILO's 2021 Global Estimates place most forced labour in the
/// private economy in services (hospitality), manufacturing, construction and agriculture; the
/// three labour-intensive sectors that hire seasonal, migrant and agency workers through
/// intermediaries at scale carry a medium band. Manufacturing's exposure comes through the
/// goods themselves (TVPRA, UFLPA), so its own band is low.
pub fn sector_band(sector: Option<Sector>) -> Tier {
    match sector {
        Some(Sector::Agriculture | Sector::Construction | Sector::Hospitality) => Tier::Medium,
        Some(Sector::Manufacturing) | None => Tier::Low,
    }
}

/// Inherent findings and the inherent tier (never above high).
pub fn inherent(s: &SupplierRecord) -> (Vec<Finding>, Tier) {
    let mut out = Vec::new();
    let (cf, mut tier) = country_finding(s);
    out.push(cf);
    if let (Some(sector), Tier::Medium) = (s.fields.sector, sector_band(s.fields.sector)) {
        out.push(with_points(
            finding(
                "sector_risk",
                Dimension::Inherent,
                Severity::Medium,
                format!("Sector band: {} (medium)", sector.as_str()),
                "Context: agriculture, construction and hospitality rely on seasonal, migrant and agency labour \
                 hired through intermediaries; they are among the sectors that together account for most adult \
                 forced labour (ILO, Walk Free and IOM, Global Estimates of Modern Slavery, 2022).",
                vec![field(s, "sector", sector.as_str())],
            ),
            8.0,
        ));
        tier = tier.max(Tier::Medium);
    }
    let cc = s.fields.country.as_ref();
    if let Some(name) = cc.and_then(|c| reference::state_imposed_forced_labour(c.as_str())) {
        let c = cc.map(|c| c.as_str()).unwrap_or_default();
        out.push(finding(
            "state_imposed_fl_country",
            Dimension::Inherent,
            Severity::High,
            format!("State-imposed forced-labour country: {name}"),
            "Context: the 2024 TIP Report names this government as having a state policy or pattern of \
             trafficking (state-imposed forced labour). Inputs from this country need traceability evidence.",
            vec![field(s, "country", c), reference_row(STATE_FL_FILE, c, name)],
        ));
        tier = tier.max(Tier::High);
    }
    if let (Some(c), Some(commodity)) = (cc, s.fields.commodity.as_deref()) {
        for g in reference::reference().goods_for(commodity, c.as_str()) {
            let kinds = g.kinds();
            let (ind, sev, t) = if g.forced_labor || g.forced_child_labor {
                ("tvpra_forced_labour_good", Severity::High, Tier::High)
            } else {
                ("tvpra_child_labour_good", Severity::Medium, Tier::Medium)
            };
            tier = tier.max(t);
            out.push(finding(
                ind,
                Dimension::Inherent,
                sev,
                format!("{} from {} is on the TVPRA list ({kinds})", g.good, g.country),
                format!(
                    "Context: the US DOL list of goods produced by child or forced labour names {} from {} ({kinds}). \
                     The commodity '{commodity}' was matched to this good.",
                    g.good, g.country
                ),
                vec![field(s, "commodity", commodity), reference_row(TVPRA_FILE, g.key(), kinds.clone())],
            ));
        }
    }
    let shares =
        [("migrant_worker_pct", s.fields.migrant_worker_pct), ("agency_worker_pct", s.fields.agency_worker_pct)];
    let high: Vec<_> = shares
        .iter()
        .filter_map(|(n, v)| v.map(|v| (*n, fraction(v))))
        .filter(|(_, v)| *v > WORKFORCE_SHARE_THRESHOLD)
        .collect();
    if !high.is_empty() {
        tier = tier.raise();
        out.push(finding(
            "high_migrant_or_agency_share",
            Dimension::Inherent,
            Severity::Medium,
            "More than 25% migrant or agency workers",
            "Context: a migrant or agency share above 25% raises the sector's inherent risk one step \
             (abuse of vulnerability; recruitment through intermediaries).",
            high.iter().map(|(n, v)| field(s, n, format!("{:.0}%", v * 100.0))).collect(),
        ));
    }
    for (name, indicator, title) in [
        ("uses_labour_agency", "uses_labour_agency", "Uses a labour agency or broker"),
        ("worker_housing_provided", "employer_provided_housing", "Employer provides worker housing"),
    ] {
        let v =
            if name == "uses_labour_agency" { s.fields.uses_labour_agency } else { s.fields.worker_housing_provided };
        if v == Some(YesNo::Yes) {
            out.push(finding(
                indicator,
                Dimension::Context,
                Severity::Low,
                title,
                "Context: raises exposure (dependence on intermediaries or on the employer), not evidence of coercion.",
                vec![field(s, name, "Yes")],
            ));
        }
    }
    (out, tier.min(Tier::High))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::CountryCode;

    fn sup(cc: &str, commodity: Option<&str>) -> SupplierRecord {
        let mut s = SupplierRecord { id: "s".into(), ..Default::default() };
        s.fields.legal_name = "X".into();
        s.fields.country = CountryCode::new(cc);
        s.fields.commodity = commodity.map(str::to_string);
        s
    }

    #[test]
    fn tip_bands() {
        assert_eq!(inherent(&sup("DE", None)).1, Tier::Low);
        assert_eq!(inherent(&sup("IN", None)).1, Tier::Medium);
        assert_eq!(inherent(&sup("KH", None)).1, Tier::High);
        assert_eq!(inherent(&sup("ZZ", None)).1, Tier::Medium);
        let mut none = sup("DE", None);
        none.fields.country = None;
        assert_eq!(inherent(&none).1, Tier::Medium);
    }

    #[test]
    fn tvpra_forced_labour_is_high_and_child_only_medium_with_reference_evidence() {
        let (f, t) = inherent(&sup("IN", Some("hand-made bricks")));
        assert_eq!(t, Tier::High);
        let tv = f.iter().find(|f| f.indicator == "tvpra_forced_labour_good");
        assert!(tv.is_some_and(|f| f.evidence.iter().any(|e| e.file.as_deref() == Some(TVPRA_FILE))));
        // Gold from Nigeria: child labour only.
        let (f, t) = inherent(&sup("NG", Some("gold ore")));
        assert!(f.iter().any(|f| f.indicator == "tvpra_child_labour_good"), "{f:?}");
        assert_eq!(t, Tier::Medium);
    }

    #[test]
    fn state_imposed_flag_share_raise_and_cap() {
        let (f, t) = inherent(&sup("TM", None));
        assert!(f.iter().any(|f| f.indicator == "state_imposed_fl_country"));
        assert_eq!(t, Tier::High);
        let mut s = sup("DE", None);
        s.fields.migrant_worker_pct = Some(40.0);
        assert_eq!(inherent(&s).1, Tier::Medium);
        let mut s = sup("CN", Some("cotton"));
        s.fields.agency_worker_pct = Some(0.5);
        assert_eq!(inherent(&s).1, Tier::High, "capped at high");
    }
}
