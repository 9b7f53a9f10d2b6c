//! The bulk index matches and merges as one query per row would, also when every key's hash
//! collides (the path real hashes almost never take).

use super::Index;
use crate::domain::{CountryCode, FieldSource, SupplierFields, SupplierRecord};
use crate::store::{suppliers, write_tx, DbConn, Store};
use std::collections::BTreeMap;

fn fields(r#ref: Option<&str>, name: &str, reg: Option<&str>, phone: Option<&str>) -> SupplierFields {
    SupplierFields {
        external_ref: r#ref.map(str::to_string),
        legal_name: name.into(),
        country: CountryCode::new("TH"),
        registration_number: reg.map(str::to_string),
        phone: phone.map(str::to_string),
        ..Default::default()
    }
}

fn source(row: u32) -> FieldSource {
    FieldSource {
        upload_id: Some("u1".into()),
        filename: Some("list.xlsx".into()),
        row: Some(row),
        ..Default::default()
    }
}

/// A fresh database with one organisation; returns the store (keep it alive) and the org id.
fn db() -> (tempfile::TempDir, Store, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&format!("sqlite://{}", dir.path().join("t.db").display()), 2).expect("open");
    crate::app::bootstrap(&store).expect("bootstrap");
    let mut c = store.conn().expect("conn");
    let org: String = {
        use crate::store::schema::organisations::dsl::*;
        use diesel::prelude::*;
        organisations.select(id).first(&mut *c).expect("org")
    };
    (dir, store, org)
}

/// Stages rows in two flushes, the way an upload does, and returns (created flags, ids, records).
fn run(collide: bool) -> (Vec<bool>, Vec<String>, Vec<SupplierRecord>, Vec<suppliers::SupplierRow>) {
    let (_dir, store, org) = db();
    let mut c = store.conn().expect("conn");
    let conn: &mut DbConn = &mut c;
    write_tx(conn, |c| {
        let mut ix = Index::load(c, &org)?;
        if collide {
            ix = ix.colliding();
        }
        let none = BTreeMap::new();
        let mut created = Vec::new();
        let mut ids = Vec::new();
        let mut stage = |ix: &mut Index, f: SupplierFields, row: u32| -> crate::error::Result<()> {
            // Half the rows come with their new row made beforehand, as an upload's do.
            let made =
                if row.is_multiple_of(2) { Some(suppliers::new_row(&org, &f, &none, &source(row))?) } else { None };
            let s = ix.stage(&org, f, none.clone(), source(row), made)?;
            created.push(s.created);
            ids.push(s.id);
            Ok(())
        };
        // First chunk: two suppliers by ref, one by registration number, one by name only;
        // then the first again (same chunk, not yet written) with a phone.
        stage(&mut ix, fields(Some("R1"), "Alpha Foods Co., Ltd.", None, None), 2)?;
        stage(&mut ix, fields(Some("R2"), "Beta Garments", None, None), 3)?;
        stage(&mut ix, fields(None, "Gamma Seafood", Some("0105-551"), None), 4)?;
        stage(&mut ix, fields(None, "Delta Farm", None, None), 5)?;
        stage(&mut ix, fields(Some("R1"), "Alpha Foods Co., Ltd.", None, Some("+66 2 555 0101")), 6)?;
        ix.flush(c)?;
        // Second chunk: each of them again, now written (updates), matched by ref, by
        // registration number written differently, and by name in another case.
        stage(&mut ix, fields(Some("R2"), "Beta Garments", None, Some("+66 2 555 0102")), 7)?;
        stage(&mut ix, fields(None, "Gamma Seafood", Some("0105 551"), Some("+66 2 555 0103")), 8)?;
        stage(&mut ix, fields(None, "DELTA FARM", None, Some("+66 2 555 0104")), 9)?;
        // Delta by its name, with a ref it did not have: it gains it, and is then found by it.
        stage(&mut ix, fields(Some("R9"), "Delta Farm", None, None), 10)?;
        stage(&mut ix, fields(Some("R9"), "Delta Farm Holdings", None, None), 11)?;
        // Alpha's name with a ref of its own: another supplier.
        stage(&mut ix, fields(Some("R3"), "Alpha Foods Co., Ltd.", None, None), 12)?;
        ix.flush(c)?;
        let records = ix.into_records()?;
        let rows = suppliers::all(c, &org)?;
        Ok((created, ids, records, rows))
    })
    .expect("staged")
}

fn check(collide: bool) {
    let (created, ids, records, rows) = run(collide);
    assert_eq!(created, [true, true, true, true, false, false, false, false, false, false, true], "collide={collide}");
    // Rows 6-11 name the suppliers of rows 2, 3, 4 and 5; row 12 is a new one.
    assert_eq!(
        [&ids[4], &ids[5], &ids[6], &ids[7], &ids[8], &ids[9]],
        [&ids[0], &ids[1], &ids[2], &ids[3], &ids[3], &ids[3]]
    );
    assert_ne!(ids[10], ids[0]);
    assert_eq!(records.len(), 5);
    assert_eq!(rows.len(), 5, "written once each");
    let rec = |id: &str| records.iter().find(|r| r.id == id).expect("record");
    // The merged fields and the source of the latest row, in memory and in the database.
    for (i, phone, row) in [(0, "+66 2 555 0101", 6), (1, "+66 2 555 0102", 7), (2, "+66 2 555 0103", 8)] {
        let r = rec(&ids[i]);
        assert_eq!(r.fields.phone.as_deref(), Some(phone));
        assert_eq!(r.source.row, Some(row));
        let stored = rows.iter().find(|s| s.id == ids[i]).expect("stored").record().expect("parses");
        assert_eq!(stored.fields.phone.as_deref(), Some(phone));
        assert_eq!(stored.source.row, Some(row));
    }
    let delta = rec(&ids[3]);
    assert_eq!(delta.fields.legal_name, "Delta Farm Holdings");
    assert_eq!(delta.fields.phone.as_deref(), Some("+66 2 555 0104"), "kept from an earlier row");
    assert_eq!(delta.source.row, Some(11));
    let stored = rows.iter().find(|s| s.id == ids[3]).expect("stored");
    assert_eq!((stored.external_ref.as_deref(), stored.legal_name.as_str()), (Some("R9"), "Delta Farm Holdings"));
}

#[test]
fn matches_and_merges_within_one_upload() {
    check(false);
}

#[test]
fn matches_and_merges_when_every_key_hash_collides() {
    check(true);
}

/// The packed keys give back each column as stored: empty optional columns read as None, and a
/// NUL inside a value is dropped (as the packed form always did).
#[test]
fn keys_give_back_each_column() {
    let f = fields(Some("R\0-1"), "Acme Trading", Some("0105-551"), None);
    let mut row = suppliers::new_row("org", &f, &BTreeMap::new(), &source(2)).expect("row");
    row.external_ref = Some("R\0-1".into());
    let k = super::Keys::of(&row);
    assert_eq!(k.match_key(), row.match_key.replace('\0', ""));
    assert_eq!(k.match_key(), "ref:R-1");
    assert_eq!(k.external_ref(), Some("R-1"));
    assert_eq!(k.country(), "TH");
    assert_eq!(k.registration_number(), row.registration_number.as_deref());
    assert!(k.registration_number().is_some());
    assert_eq!(k.name_key(), "acme trading");
    let bare = suppliers::new_row("org", &fields(None, "Acme", None, None), &BTreeMap::new(), &source(3)).expect("row");
    let k = super::Keys::of(&bare);
    assert_eq!((k.external_ref(), k.registration_number(), k.country(), k.name_key()), (None, None, "TH", "acme"));
    assert_eq!(k.match_key(), bare.match_key);
}

/// Room made for an upload's rows is used: staging that many suppliers moves neither the
/// entries nor the records (a vector that grows copies itself, and with it the peak).
#[test]
fn reserved_room_holds_the_staged_suppliers_in_place() {
    let (_dir, store, org) = db();
    let mut c = store.conn().expect("conn");
    let conn: &mut DbConn = &mut c;
    let mut ix = Index::load(conn, &org).expect("load");
    ix.reserve(300);
    let (entries, staged) = (ix.entries.as_ptr(), ix.staged.as_ptr());
    let none = BTreeMap::new();
    for i in 0..300 {
        let f = fields(Some(&format!("R{i}")), &format!("Supplier {i}"), None, None);
        assert!(ix.stage(&org, f, none.clone(), source(i + 2), None).expect("stage").created);
    }
    assert_eq!((ix.entries.as_ptr(), ix.staged.as_ptr()), (entries, staged));
    assert_eq!(ix.staged.len(), 300);
}
