//! An organisation's settings (`org_settings`): markets, common-value threshold, paper size.
//! An organisation without a row has every default; the first change writes its row.

use super::schema::org_settings;
use super::{now, DbConn};
use crate::error::{Error, Result};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// Shared values held by more suppliers than this are common values, not links (DOMAIN.md §4).
pub const DEFAULT_COMMON_VALUE_THRESHOLD: i32 = 10;
/// The bounds of `common_value_threshold`, inclusive (also checked by the database).
pub const COMMON_VALUE_THRESHOLD_RANGE: std::ops::RangeInclusive<i32> = 2..=1000;

/// The paper size of printed reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub enum PaperSize {
    #[default]
    A4,
    Letter,
}

impl PaperSize {
    pub fn as_str(self) -> &'static str {
        match self {
            PaperSize::A4 => "A4",
            PaperSize::Letter => "Letter",
        }
    }

    /// `A4` or `Letter`, as written (case-insensitive).
    pub fn from_id(s: &str) -> Option<PaperSize> {
        if s.eq_ignore_ascii_case("a4") {
            Some(PaperSize::A4)
        } else if s.eq_ignore_ascii_case("letter") {
            Some(PaperSize::Letter)
        } else {
            None
        }
    }
}

/// An organisation's settings, defaults filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgSettings {
    /// ISO 3166 alpha-2 codes and `EU`, upper case, sorted, no duplicates; empty = every market.
    pub markets: Vec<String>,
    pub common_value_threshold: i32,
    pub paper_size: PaperSize,
    /// When the settings were last changed (None while they are the defaults).
    pub updated_at: Option<NaiveDateTime>,
}

impl Default for OrgSettings {
    fn default() -> Self {
        OrgSettings {
            markets: Vec::new(),
            common_value_threshold: DEFAULT_COMMON_VALUE_THRESHOLD,
            paper_size: PaperSize::A4,
            updated_at: None,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = org_settings)]
struct Row {
    org_id: String,
    markets_json: String,
    common_value_threshold: i32,
    paper_size: String,
    updated_at: NaiveDateTime,
}

/// The organisation's settings (the defaults when it never changed them).
pub fn settings(conn: &mut DbConn, org_id: &str) -> Result<OrgSettings> {
    let row: Option<Row> = org_settings::table.find(org_id).select(Row::as_select()).first(conn).optional()?;
    let Some(r) = row else { return Ok(OrgSettings::default()) };
    let bad = |what: &str| Error::internal(format!("organisation {org_id}: stored {what} unreadable"));
    Ok(OrgSettings {
        markets: serde_json::from_str(&r.markets_json).map_err(|_| bad("markets"))?,
        common_value_threshold: r.common_value_threshold,
        paper_size: PaperSize::from_id(&r.paper_size).ok_or_else(|| bad("paper size"))?,
        updated_at: Some(r.updated_at),
    })
}

/// Stores the organisation's settings (inside the caller's write transaction) and returns them
/// as stored, with their new `updated_at`.
pub fn save(conn: &mut DbConn, org_id: &str, s: &OrgSettings) -> Result<OrgSettings> {
    let row = Row {
        org_id: org_id.to_string(),
        markets_json: serde_json::to_string(&s.markets).map_err(Error::internal)?,
        common_value_threshold: s.common_value_threshold,
        paper_size: s.paper_size.as_str().to_string(),
        updated_at: now(),
    };
    let exists = org_settings::table.find(org_id).count().get_result::<i64>(conn)? > 0;
    if exists {
        diesel::update(org_settings::table.find(org_id)).set(&row).execute(conn)?;
    } else {
        diesel::insert_into(org_settings::table).values(&row).execute(conn)?;
    }
    Ok(OrgSettings { updated_at: Some(row.updated_at), ..s.clone() })
}

/// The organisation with this id, or else with this name (None when neither exists).
pub fn find(conn: &mut DbConn, id_or_name: &str) -> Result<Option<super::keys::Organisation>> {
    use super::schema::organisations;
    if let Some(o) = super::keys::org_by_id(conn, id_or_name)? {
        return Ok(Some(o));
    }
    Ok(organisations::table
        .filter(organisations::name.eq(id_or_name))
        .select(super::keys::Organisation::as_select())
        .first(conn)
        .optional()?)
}
