//! Exchange rates to the US dollar (`data/fx_usd_2024.csv`): the 2024 annual mean of ECB
//! reference rates as USD cross rates, plus the official USD pegs of AED, SAR and QAR. A
//! currency without a rate in the file has none here: the test that needs it cannot be run.

use serde::Deserialize;
use std::sync::LazyLock;

pub const FX_FILE: &str = "fx_usd_2024.csv";
pub const FX_EDITION: &str =
    "2024 annual mean of ECB reference rates (USD cross rates, 25 currencies) with the official USD pegs of AED, SAR and QAR";
pub(super) const FX_CSV: &str = include_str!("../../data/fx_usd_2024.csv");

/// One currency's rate.
#[derive(Debug, Clone, PartialEq)]
pub struct FxRate {
    /// ISO 4217 code.
    pub currency: String,
    pub units_per_usd: f64,
    /// "ECB-derived", "official USD peg" or "identity".
    pub method: String,
    pub source: String,
}

impl FxRate {
    /// US dollars per unit of the currency.
    pub fn usd_per_unit(&self) -> f64 {
        1.0 / self.units_per_usd
    }
    /// An amount in this currency, in US dollars.
    pub fn to_usd(&self, amount: f64) -> f64 {
        amount / self.units_per_usd
    }
    /// The edition of the table, for evidence.
    pub fn edition(&self) -> &'static str {
        FX_EDITION
    }
}

#[derive(Deserialize)]
struct RawFx {
    currency: String,
    units_per_usd: String,
    method: String,
    source: String,
}

static RATES: LazyLock<Vec<FxRate>> = LazyLock::new(|| {
    super::rows::<RawFx>(FX_CSV)
        .into_iter()
        .filter_map(|r| {
            let units: f64 = r.units_per_usd.trim().parse().ok()?;
            (units.is_finite() && units > 0.0).then(|| FxRate {
                currency: r.currency.trim().to_ascii_uppercase(),
                units_per_usd: units,
                method: r.method,
                source: r.source,
            })
        })
        .collect()
});

/// The rates the file has a value for.
pub fn fx_rates() -> &'static [FxRate] {
    &RATES
}

/// The rate of a currency by ISO 4217 code (case-insensitive; "RMB" is read as CNY).
/// None when the file has no 2024 value for it.
pub fn fx_rate(currency: &str) -> Option<&'static FxRate> {
    let code = currency.trim().to_ascii_uppercase();
    let code = if code == "RMB" { "CNY".to_string() } else { code };
    RATES.iter().find(|r| r.currency == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_pegs_and_missing_currencies() {
        assert_eq!(fx_rates().len(), 29);
        assert_eq!(fx_rate("usd").map(|r| r.units_per_usd), Some(1.0));
        assert_eq!(fx_rate("AED").map(|r| (r.units_per_usd, r.method.as_str())), Some((3.6725, "official USD peg")));
        assert_eq!(fx_rate("SAR").map(|r| r.units_per_usd), Some(3.75));
        assert_eq!(fx_rate("QAR").map(|r| r.units_per_usd), Some(3.64));
        let hkd = fx_rate("HKD").map(|r| r.units_per_usd).unwrap_or_default();
        assert!((7.75..=7.85).contains(&hkd), "{hkd}");
        let cny = fx_rate(" rmb ");
        assert!(cny.is_some_and(|r| (r.to_usd(7_195_586.0) - 1_000_000.0).abs() < 1.0));
        assert!(fx_rate("EUR").is_some_and(|r| (r.usd_per_unit() - 1.0821).abs() < 0.001));
        assert!(fx_rate("VND").is_none());
        assert!(fx_rate("BDT").is_none());
        assert!(fx_rate("XYZ").is_none());
        assert!(fx_rate("").is_none());
        assert_eq!(fx_rate("MYR").map(|r| r.edition()), Some(FX_EDITION));
    }
}
