//! Migrations that move data keep it: a database written by an earlier version reads the same.

use super::SQLITE_MIGRATIONS;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel_migrations::MigrationHarness;

#[test]
fn the_latest_assessment_moves_from_the_supplier_row_to_supplier_latest() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = diesel::SqliteConnection::establish(&dir.path().join("old.db").to_string_lossy()).unwrap();
    c.batch_execute("PRAGMA foreign_keys = ON").unwrap();
    // The schema before supplier_latest: init, drop_findings, assessment_body_zstd.
    for _ in 0..3 {
        c.run_next_migration(SQLITE_MIGRATIONS).unwrap();
    }
    c.batch_execute(
        "INSERT INTO organisations VALUES ('o1', 'Org', '2026-01-01 00:00:00');
         INSERT INTO suppliers (id, org_id, match_key, legal_name, name_key, country, sector, fields_json,
             extra_json, source_json, created_at, updated_at, latest_assessment_id, latest_tier, latest_overall)
         VALUES ('s1', 'o1', 'ref:a', 'A', 'a', 'MY', 'agriculture', '{}', '{}', '{}', '2026-01-01 00:00:00',
                 '2026-01-01 00:00:00', 'a1', 'high', 61.5),
                ('s2', 'o1', 'ref:b', 'B', 'b', 'MY', 'agriculture', '{}', '{}', '{}', '2026-01-01 00:00:00',
                 '2026-01-01 00:00:00', NULL, NULL, NULL);
         INSERT INTO assessments (id, org_id, supplier_id, methodology_version, tier, overall,
             forced_labour_likely, completeness, inputs_hash, cause, body_json, created_at)
         VALUES ('a1', 'o1', 's1', '1.1.0', 'high', 61.5, 0, 1.0, 'h', 'api', '{}', '2026-01-01 00:00:00');",
    )
    .unwrap();
    c.run_pending_migrations(SQLITE_MIGRATIONS).unwrap();
    use super::schema::supplier_latest::dsl::*;
    let moved: Vec<(String, String, String, String, f64)> =
        supplier_latest.select((supplier_id, org_id, assessment_id, tier, overall)).load(&mut c).unwrap();
    assert_eq!(moved, vec![("s1".into(), "o1".into(), "a1".into(), "high".into(), 61.5)]);
    // The columns are gone from the supplier rows, which are otherwise intact.
    let names: Vec<String> = super::schema::suppliers::table
        .select(super::schema::suppliers::legal_name)
        .order(super::schema::suppliers::id)
        .load(&mut c)
        .unwrap();
    assert_eq!(names, ["A", "B"]);
    assert!(c.batch_execute("SELECT latest_tier FROM suppliers").is_err());
    // And back down: the columns return with their values.
    c.revert_last_migration(SQLITE_MIGRATIONS).unwrap();
    c.batch_execute("SELECT latest_tier FROM suppliers").unwrap();
    #[derive(QueryableByName)]
    struct Back {
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        latest_tier: Option<String>,
    }
    let back: Vec<Back> = diesel::sql_query("SELECT latest_tier FROM suppliers ORDER BY id").load(&mut c).unwrap();
    assert_eq!(back.iter().map(|b| b.latest_tier.clone()).collect::<Vec<_>>(), [Some("high".into()), None]);
}

/// A new database is made with 16 KiB pages; one made before, with SQLite's 4 KiB, keeps its
/// pages and opens as before (page_size cannot change a WAL database).
#[test]
fn new_databases_get_16_kib_pages_and_old_ones_keep_theirs() {
    let page_size = |path: &std::path::Path| -> i64 {
        let mut c = diesel::SqliteConnection::establish(&path.to_string_lossy()).unwrap();
        #[derive(QueryableByName)]
        struct P {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            page_size: i64,
        }
        diesel::sql_query("PRAGMA page_size").get_result::<P>(&mut c).unwrap().page_size
    };
    let dir = tempfile::tempdir().unwrap();
    let new = dir.path().join("new.db");
    let store = super::Store::open(&format!("sqlite://{}", new.display()), 2).unwrap();
    drop(store);
    assert_eq!(page_size(&new), 16384);

    let old = dir.path().join("old.db");
    let mut c = diesel::SqliteConnection::establish(&old.to_string_lossy()).unwrap();
    c.batch_execute("PRAGMA journal_mode = WAL; CREATE TABLE t (x INTEGER);").unwrap();
    drop(c);
    assert_eq!(page_size(&old), 4096);
    let store = super::Store::open(&format!("sqlite://{}", old.display()), 2).unwrap();
    let mut conn = store.conn().unwrap();
    let n: i64 = super::schema::suppliers::table.count().get_result(&mut *conn).unwrap();
    assert_eq!(n, 0, "migrated and readable");
    drop((conn, store));
    assert_eq!(page_size(&old), 4096);
}
