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
    // supplier_latest, the next migration (later ones are tested on their own).
    c.run_next_migration(SQLITE_MIGRATIONS).unwrap();
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

/// An upload's bytes move from its row to `upload_files` unchanged, are served from there, and
/// move back on the way down.
#[test]
fn upload_bytes_move_to_their_own_table_and_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = diesel::SqliteConnection::establish(&dir.path().join("old.db").to_string_lossy()).unwrap();
    // The schema before upload_files: init, drop_findings, assessment_body_zstd, supplier_latest.
    for _ in 0..4 {
        c.run_next_migration(SQLITE_MIGRATIONS).unwrap();
    }
    c.batch_execute(
        "PRAGMA foreign_keys = OFF;
         INSERT INTO uploads (id, org_id, sha256, size, filename, format, kind, uploaded_by, created_at,
             rows_total, rows_accepted, rows_rejected, report_json, content)
         VALUES ('u1', 'o1', 'h1', 3, 'list.csv', 'csv', 'supplier_list', 'k', '2026-01-01 00:00:00', 1, 1, 0,
                 '{}', x'00ff41'),
                ('u2', 'o2', 'h2', 0, 'empty.csv', 'csv', 'supplier_list', 'k', '2026-01-01 00:00:00', 0, 0, 0,
                 '{}', x'');",
    )
    .unwrap();
    // upload_files, the next migration (later ones are tested on their own).
    c.run_next_migration(SQLITE_MIGRATIONS).unwrap();
    let mut conn = super::DbConn::Sqlite(c);
    assert_eq!(super::uploads::content(&mut conn, "o1", "u1").unwrap(), ("list.csv".into(), vec![0, 0xff, 0x41]));
    assert_eq!(super::uploads::content(&mut conn, "o2", "u2").unwrap(), ("empty.csv".into(), vec![]));
    assert!(super::uploads::content(&mut conn, "o2", "u1").is_err(), "another organisation's upload is not found");
    let super::DbConn::Sqlite(mut c) = conn else { unreachable!() };
    assert!(c.batch_execute("SELECT content FROM uploads").is_err(), "the column is gone");
    c.revert_last_migration(SQLITE_MIGRATIONS).unwrap();
    #[derive(QueryableByName)]
    struct Back {
        #[diesel(sql_type = diesel::sql_types::Binary)]
        content: Vec<u8>,
    }
    let back: Vec<Back> = diesel::sql_query("SELECT content FROM uploads ORDER BY id").load(&mut c).unwrap();
    assert_eq!(back.into_iter().map(|b| b.content).collect::<Vec<_>>(), [vec![0, 0xff, 0x41], vec![]]);
    assert!(c.batch_execute("SELECT 1 FROM upload_files").is_err(), "the table is gone");
}

/// A new database is made with 64 KiB pages; one made before, with SQLite's 4 KiB, keeps its
/// pages and opens as before (page_size cannot change a WAL database).
#[test]
fn new_databases_get_64_kib_pages_and_old_ones_keep_theirs() {
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
    assert_eq!(page_size(&new), 65536);

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

/// A supplier-list row's supplier is stored with only its upload and row; its cells come back
/// from the upload row and its column map from the upload's report. A supplier stored before,
/// with its cells in its own source, reads them from there.
#[test]
fn supplier_sources_come_back_from_the_upload_and_old_ones_read_as_stored() {
    let dir = tempfile::tempdir().unwrap();
    let store = super::Store::open(&format!("sqlite://{}", dir.path().join("s.db").display()), 2).unwrap();
    let mut conn = store.conn().unwrap();
    let report = r#"{"columns": [{"header": "Vendor", "field": "legal_name"},
        {"header": "Migrant %", "field": "migrant_worker_pct"}, {"header": "Notes", "field": null}]}"#;
    let raw = r#"[["Vendor", "Acme"], ["Migrant %", "35%"], ["Notes", "ok"]]"#;
    let new_source = r#"{"upload_id": "u1", "filename": "list.csv", "row": 4}"#;
    let old_source = r#"{"upload_id": "u1", "filename": "list.csv", "row": 5, "raw": {"legal_name": "Old Co"}}"#;
    let other_org = r#"{"upload_id": "u2", "filename": "theirs.csv", "row": 2}"#;
    let supplier = |id: &str, org: &str, source: &str| {
        format!(
            "INSERT INTO suppliers (id, org_id, match_key, legal_name, name_key, country, sector, fields_json,
                 extra_json, source_json, created_at, updated_at)
             VALUES ('{id}', '{org}', 'k:{id}', 'A', 'a', 'MY', 'agriculture', '{{\"legal_name\": \"A\"}}', '{{}}',
                 '{source}', '2026-01-01 00:00:00', '2026-01-01 00:00:00');"
        )
    };
    let upload = |id: &str, org: &str| {
        format!(
            "INSERT INTO uploads (id, org_id, sha256, size, filename, format, kind, uploaded_by, created_at,
                 rows_total, rows_accepted, rows_rejected, report_json)
             VALUES ('{id}', '{org}', '{id}', 1, 'f', 'csv', 'supplier_list', 'k', '2026-01-01 00:00:00', 1, 1, 0,
                 '{report}');"
        )
    };
    // Without foreign keys: the uploads name no API key.
    conn.batch_execute(&format!(
        "PRAGMA foreign_keys = OFF;
         INSERT INTO organisations VALUES ('o1', 'Org', '2026-01-01 00:00:00'), ('o2', 'Other', '2026-01-01 00:00:00');
         {} {} {} {} {}
         INSERT INTO upload_rows VALUES ('u1', 4, 'accepted', '{raw}', '[]', 's-new'),
             ('u1', 5, 'accepted', '{raw}', '[]', 's-old'), ('u2', 2, 'accepted', '{raw}', '[]', 's-foreign');",
        upload("u1", "o1"),
        upload("u2", "o2"),
        supplier("s-new", "o1", new_source),
        supplier("s-old", "o1", old_source),
        supplier("s-foreign", "o1", other_org),
    ))
    .unwrap();
    let mut records: Vec<_> =
        super::suppliers::all(&mut conn, "o1").unwrap().iter().map(|r| r.record().unwrap()).collect();
    records.sort_by(|a, b| a.id.cmp(&b.id));
    assert!(records.iter().all(|r| r.source.raw.is_empty() || r.id == "s-old"), "stored without their cells");
    super::suppliers::resolve_sources(&mut conn, "o1", &mut records).unwrap();
    let raw = |i: usize| records[i].source.raw.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>();
    let columns = |i: usize| records[i].source.columns.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>();
    // Sorted: s-foreign, s-new, s-old.
    assert_eq!(raw(1), ["legal_name=Acme", "migrant_worker_pct=35%"], "mapped cells only, by field");
    assert_eq!(columns(1), ["legal_name=Vendor", "migrant_worker_pct=Migrant %"]);
    assert_eq!(raw(2), ["legal_name=Old Co"], "an old row keeps the cells it stored");
    assert_eq!(columns(2), columns(1));
    // A source naming another organisation's upload is not filled from it.
    assert!(raw(0).is_empty() && columns(0).is_empty());
}

/// The foreign keys of suppliers and upload_rows become checked at commit; the rows, the
/// indexes and the keys themselves survive the rebuild, both ways.
#[test]
fn supplier_and_upload_row_keys_are_checked_at_commit_and_survive_the_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = diesel::SqliteConnection::establish(&dir.path().join("old.db").to_string_lossy()).unwrap();
    c.batch_execute("PRAGMA foreign_keys = ON").unwrap();
    // The schema before deferred_foreign_keys: the five migrations before it.
    for _ in 0..5 {
        c.run_next_migration(SQLITE_MIGRATIONS).unwrap();
    }
    c.batch_execute(
        "INSERT INTO organisations VALUES ('o1', 'Org', '2026-01-01 00:00:00');
         INSERT INTO api_keys (id, org_id, name, role, key_prefix, key_hash, created_at)
             VALUES ('k1', 'o1', 'k', 'admin', 'p', 'h', '2026-01-01 00:00:00');
         INSERT INTO uploads (id, org_id, sha256, size, filename, format, kind, uploaded_by, created_at,
             rows_total, rows_accepted, rows_rejected, report_json)
         VALUES ('u1', 'o1', 'h1', 3, 'list.csv', 'csv', 'supplier_list', 'k1', '2026-01-01 00:00:00', 2, 1, 1, '{}');
         INSERT INTO suppliers (id, org_id, match_key, external_ref, legal_name, name_key, country, sector,
             commodity, registration_number, fields_json, extra_json, source_json, created_at, updated_at)
         VALUES ('s1', 'o1', 'ref:A1', 'A1', 'Acme', 'acme', 'MY', 'agriculture', 'palm oil', 'R1',
             '{\"legal_name\":\"Acme\"}', '{}', '{}', '2026-01-01 00:00:00', '2026-01-02 00:00:00');
         INSERT INTO upload_rows VALUES ('u1', 2, 'accepted', '[[\"Name\",\"Acme\"]]', '[]', 's1'),
             ('u1', 3, 'rejected', '[[\"Name\",\"\"]]', '[{\"code\":\"required\"}]', NULL);",
    )
    .unwrap();
    #[derive(QueryableByName, Debug, PartialEq)]
    struct Sql {
        #[diesel(sql_type = diesel::sql_types::Text)]
        sql: String,
    }
    let dump = |c: &mut diesel::SqliteConnection| -> Vec<String> {
        let rows: Vec<Sql> = diesel::sql_query(
            "SELECT json_array(s.id, s.org_id, s.match_key, s.external_ref, s.legal_name, s.name_key, s.country,
                 s.sector, s.commodity, s.registration_number, s.fields_json, s.extra_json, s.source_json,
                 s.created_at, s.updated_at) AS sql FROM suppliers s
             UNION ALL SELECT json_array(upload_id, row_number, status, raw_json, errors_json, supplier_id)
                 FROM upload_rows
             UNION ALL SELECT sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL
                 AND tbl_name IN ('suppliers', 'upload_rows')
             ORDER BY 1",
        )
        .load(c)
        .unwrap();
        rows.into_iter().map(|r| r.sql).collect()
    };
    let schema = |c: &mut diesel::SqliteConnection, table: &str| -> String {
        diesel::sql_query(format!("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = '{table}'"))
            .get_result::<Sql>(c)
            .unwrap()
            .sql
    };
    let before = dump(&mut c);
    assert_eq!(before.len(), 3 + 4, "a supplier, two rows, four indexes");
    c.run_next_migration(SQLITE_MIGRATIONS).unwrap();
    assert_eq!(dump(&mut c), before, "rows and indexes unchanged");
    for (table, keys) in [("suppliers", 1), ("upload_rows", 2)] {
        assert_eq!(schema(&mut c, table).matches("DEFERRABLE INITIALLY DEFERRED").count(), keys, "{table}");
    }
    // Still enforced, at commit: a row naming a missing supplier is refused, and nothing of its
    // transaction stays.
    let orphan = c.transaction::<_, diesel::result::Error, _>(|t| {
        t.batch_execute("INSERT INTO upload_rows VALUES ('u1', 4, 'accepted', '[]', '[]', 'nobody')")?;
        Ok(())
    });
    assert!(format!("{orphan:?}").contains("FOREIGN KEY constraint failed"), "{orphan:?}");
    assert_eq!(dump(&mut c), before);
    let on: Vec<Sql> =
        diesel::sql_query("SELECT CAST(foreign_keys AS TEXT) AS sql FROM pragma_foreign_keys").load(&mut c).unwrap();
    assert_eq!(on, [Sql { sql: "1".into() }], "foreign keys back on after the migration");
    // And back down: checked per statement again, rows and indexes as they were.
    c.revert_last_migration(SQLITE_MIGRATIONS).unwrap();
    assert_eq!(dump(&mut c), before);
    assert!(
        !schema(&mut c, "suppliers").contains("DEFERRABLE") && !schema(&mut c, "upload_rows").contains("DEFERRABLE")
    );
    let orphan = c.batch_execute("INSERT INTO upload_rows VALUES ('u1', 4, 'accepted', '[]', '[]', 'nobody')");
    assert!(format!("{orphan:?}").contains("FOREIGN KEY constraint failed"), "{orphan:?}");
}

/// The registration lookup of matching uses the index led by the number; the name lookup and
/// the supplier list filtered by country keep the index led by the organisation, which gives the
/// list its name order. The way down brings the old registration index back.
#[test]
fn supplier_lookups_use_the_index_led_by_the_registration_number() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = diesel::SqliteConnection::establish(&dir.path().join("k.db").to_string_lossy()).unwrap();
    c.run_pending_migrations(SQLITE_MIGRATIONS).unwrap();
    #[derive(QueryableByName)]
    struct Plan {
        #[diesel(sql_type = diesel::sql_types::Text)]
        detail: String,
    }
    let plan = |c: &mut diesel::SqliteConnection, sql: &str| -> String {
        let rows: Vec<Plan> = diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}")).load(c).unwrap();
        rows.into_iter().map(|r| r.detail).collect::<Vec<_>>().join("; ")
    };
    let by = |key: &str| format!("SELECT id FROM suppliers WHERE org_id = 'o1' AND country = 'MY' AND {key} = 'x'");
    let list = "SELECT id FROM suppliers WHERE org_id = 'o1' AND country = 'MY' ORDER BY name_key, id LIMIT 50";
    assert_eq!(
        plan(&mut c, &by("registration_number")),
        "SEARCH suppliers USING INDEX suppliers_reg_key (registration_number=? AND country=? AND org_id=?)"
    );
    assert_eq!(
        plan(&mut c, &by("name_key")),
        "SEARCH suppliers USING INDEX suppliers_org_name (org_id=? AND country=? AND name_key=?)"
    );
    // In name order from the index: only the tie-break on id is sorted, not the whole list.
    let listed = plan(&mut c, list);
    assert!(
        listed.starts_with("SEARCH suppliers USING INDEX suppliers_org_name (org_id=? AND country=?)")
            && !listed.contains("B-TREE FOR ORDER BY"),
        "{listed}"
    );
    // Down to just before the selective-index migration, whatever was added after it.
    loop {
        let reverted = c.revert_last_migration(SQLITE_MIGRATIONS).unwrap().to_string();
        if reverted.replace('-', "").starts_with("20261203000002") {
            break;
        }
    }
    assert_eq!(
        plan(&mut c, &by("registration_number")),
        "SEARCH suppliers USING INDEX suppliers_org_reg (org_id=? AND country=? AND registration_number=?)"
    );
}
