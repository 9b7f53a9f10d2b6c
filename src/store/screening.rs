//! An organisation's own watchlists and its people's decisions on screening matches.

use super::schema::{screening_decisions, watchlists};
use super::{new_id, now, DbConn};
use crate::error::{Error, Result};
use crate::scoring::{Decision, ScreeningDecision, WatchEntry, Watchlist};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = watchlists)]
pub struct WatchlistRow {
    pub id: String,
    pub org_id: String,
    pub name: String,
    pub edition: String,
    pub entries_json: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = screening_decisions)]
pub struct DecisionRow {
    pub id: String,
    pub org_id: String,
    pub supplier_id: String,
    pub list_name: String,
    pub matched_entity: String,
    pub decision: String,
    pub reason: String,
    pub decided_by: String,
    pub created_at: NaiveDateTime,
}

/// Stores a list; the same name and edition again is a 409.
pub fn insert_watchlist(
    conn: &mut DbConn,
    org_id: &str,
    name: &str,
    edition: &str,
    entries: &[WatchEntry],
    by: &str,
) -> Result<WatchlistRow> {
    let row = WatchlistRow {
        id: new_id(),
        org_id: org_id.into(),
        name: name.into(),
        edition: edition.into(),
        entries_json: serde_json::to_string(entries).map_err(Error::internal)?,
        created_by: by.into(),
        created_at: now(),
    };
    match conn.transaction(|c| diesel::insert_into(watchlists::table).values(&row).execute(c)) {
        Ok(_) => Ok(row),
        Err(e) if super::is_unique_violation(&e) => Err(Error::problem(
            409,
            "watchlist_exists",
            format!(
                "A list named '{name}' with edition '{edition}' was already uploaded; give the new one its edition."
            ),
        )),
        Err(e) => Err(e.into()),
    }
}

pub fn list_watchlists(conn: &mut DbConn, org_id: &str) -> Result<Vec<WatchlistRow>> {
    Ok(watchlists::table
        .filter(watchlists::org_id.eq(org_id))
        .order((watchlists::created_at.asc(), watchlists::id.asc()))
        .select(WatchlistRow::as_select())
        .load(conn)?)
}

/// The organisation's lists for scoring: only the newest edition of each list name.
pub fn watchlists_for_scoring(conn: &mut DbConn, org_id: &str) -> Result<Vec<Watchlist>> {
    let mut latest: std::collections::BTreeMap<String, WatchlistRow> = Default::default();
    for r in list_watchlists(conn, org_id)? {
        latest.insert(r.name.clone(), r);
    }
    latest
        .into_values()
        .map(|r| {
            Ok(Watchlist {
                name: r.name,
                edition: r.edition,
                entries: serde_json::from_str(&r.entries_json).map_err(Error::internal)?,
            })
        })
        .collect()
}

pub fn insert_decision(conn: &mut DbConn, row: &DecisionRow) -> Result<()> {
    diesel::insert_into(screening_decisions::table).values(row).execute(conn)?;
    Ok(())
}

/// Decisions for scoring: the latest per (supplier, list, entity) wins.
pub fn decisions_for_scoring(conn: &mut DbConn, org_id: &str) -> Result<Vec<ScreeningDecision>> {
    let rows: Vec<DecisionRow> = screening_decisions::table
        .filter(screening_decisions::org_id.eq(org_id))
        .order((screening_decisions::created_at.asc(), screening_decisions::id.asc()))
        .select(DecisionRow::as_select())
        .load(conn)?;
    let mut latest: std::collections::BTreeMap<(String, String, String), ScreeningDecision> = Default::default();
    for r in rows {
        let decision = if r.decision == "confirmed" { Decision::Confirmed } else { Decision::FalsePositive };
        latest.insert(
            (r.supplier_id.clone(), r.list_name.clone(), r.matched_entity.clone()),
            ScreeningDecision {
                supplier_id: r.supplier_id,
                list: r.list_name,
                matched_entity: r.matched_entity,
                decision,
                reason: r.reason,
            },
        );
    }
    Ok(latest.into_values().collect())
}

pub fn new_decision_id() -> String {
    new_id()
}
