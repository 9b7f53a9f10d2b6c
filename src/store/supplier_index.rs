//! The in-memory supplier index of one bulk write (an upload): matching without a query per
//! row, and the writes batched.

use super::schema::suppliers;
use super::suppliers::{
    apply_columns, compact_json, match_key_of, merge_fields, name_key, new_row, new_row_columns, reg_key, source_json,
    write_update, SupplierRow,
};
use super::DbConn;
use crate::domain::{FieldSource, SupplierFields, SupplierRecord};
use crate::error::{Error, Result};
use diesel::prelude::*;
use std::collections::BTreeMap;
use std::hash::BuildHasher;

/// An organisation's suppliers held in memory for one bulk write (an upload): the matching of
/// [`find_match`](super::suppliers::find_match) without a query per row, and the writes
/// batched. Rows are staged in memory with [`Index::stage`] and written by [`Index::flush`]:
/// new suppliers inserted, changed ones updated. Valid only inside the write transaction,
/// where writers of the organisation are serialised (SQLite's write lock, PostgreSQL's
/// advisory lock).
///
/// Memory is what a list of 100,000 rows needs: each supplier keeps its id, the columns it is
/// matched on and, when this upload staged it, its parsed fields and source (scoring reads
/// them). A staged supplier's database row is made when it is written and dropped after; the
/// lookups hold 64-bit hashes of the match keys, checked against the supplier's own columns.
pub struct Index {
    org_id: String,
    entries: Vec<Entry>,
    /// The suppliers this upload staged, as scoring reads them, in one vector (the records of
    /// [`Index::into_records`] without a copy).
    staged: Vec<SupplierRecord>,
    /// Rows of staged suppliers not yet written (a new supplier's index in `entries`, its row).
    pending: Vec<(usize, SupplierRow)>,
    /// Entries already in the database that this upload changed.
    dirty: std::collections::BTreeSet<usize>,
    hasher: foldhash::quality::FixedState,
    /// Applied to every hash: all ones; zero in tests, where every key then collides.
    hash_mask: u64,
    by_ref: KeyMap,
    by_key: KeyMap,
    by_reg: KeyMap,
    by_name: KeyMap,
}

/// One supplier of the organisation.
struct Entry {
    id: String,
    created_at: chrono::NaiveDateTime,
    /// The columns matching reads, as stored.
    keys: Keys,
    /// The stored row of a supplier loaded from the database and not staged by this upload.
    row: Option<Box<SupplierRow>>,
    /// A supplier staged by this upload: its record in `Index::staged`, and extra attributes.
    staged: Option<u32>,
    extra: BTreeMap<String, String>,
}

/// The columns of a supplier row that matching reads, packed in one string (one allocation
/// per supplier instead of five): match key, external ref, country, registration number and
/// name key, each followed by NUL (none holds one: keys are normalised, refs trimmed of it),
/// with where each ends (lookups read them for every row of an upload: no scan for the NULs).
struct Keys {
    packed: String,
    ends: [u32; 5],
}

impl Keys {
    fn of(r: &SupplierRow) -> Keys {
        let parts = [
            r.match_key.as_str(),
            r.external_ref.as_deref().unwrap_or(""),
            r.country.as_str(),
            r.registration_number.as_deref().unwrap_or(""),
            r.name_key.as_str(),
        ];
        let mut packed = String::with_capacity(parts.iter().map(|p| p.len() + 1).sum());
        let mut ends = [0u32; 5];
        for (p, end) in parts.into_iter().zip(&mut ends) {
            if p.contains('\0') {
                packed.extend(p.chars().filter(|c| *c != '\0'));
            } else {
                packed.push_str(p);
            }
            // A supplier's keys are far below 4 GB (cells are capped at 32,767 characters).
            *end = packed.len() as u32;
            packed.push('\0');
        }
        Keys { packed, ends }
    }

    fn part(&self, n: usize) -> &str {
        let start = if n == 0 { 0 } else { self.ends[n - 1] as usize + 1 };
        self.packed.get(start..self.ends[n] as usize).unwrap_or("")
    }

    fn match_key(&self) -> &str {
        self.part(0)
    }

    /// None when empty (a supplier without one), as the column's NULL.
    fn external_ref(&self) -> Option<&str> {
        Some(self.part(1)).filter(|r| !r.is_empty())
    }

    fn country(&self) -> &str {
        self.part(2)
    }

    fn registration_number(&self) -> Option<&str> {
        Some(self.part(3)).filter(|r| !r.is_empty())
    }

    fn name_key(&self) -> &str {
        self.part(4)
    }
}

/// Which column (or pair of columns) a lookup is on.
#[derive(Clone, Copy)]
enum On {
    Ref,
    Key,
    Reg,
    Name,
}

impl On {
    /// The entry's value of this key, as hashed.
    fn value(self, k: &Keys) -> Option<(&str, &str)> {
        match self {
            On::Ref => k.external_ref().map(|r| ("", r)),
            On::Key => Some(("", k.match_key())),
            On::Reg => k.registration_number().map(|r| (k.country(), r)),
            On::Name => Some((k.country(), k.name_key())),
        }
    }
}

/// Hash of a key → entry. A key whose hash another key already holds (never seen in
/// practice, but possible) goes to `collided`, which lookups then scan.
#[derive(Default)]
struct KeyMap {
    map: std::collections::HashMap<u64, u32, foldhash::fast::RandomState>,
    collided: Vec<u32>,
}

/// Outcome of [`Index::stage`]: the supplier's id and whether it is new.
pub struct Staged {
    pub id: String,
    pub created: bool,
}

impl Index {
    pub fn load(conn: &mut DbConn, org_id: &str) -> Result<Index> {
        let rows: Vec<SupplierRow> = suppliers::table
            .filter(suppliers::org_id.eq(org_id))
            .order(suppliers::created_at.asc())
            .select(SupplierRow::as_select())
            .load(conn)?;
        let mut ix = Index {
            org_id: org_id.to_string(),
            entries: Vec::with_capacity(rows.len()),
            staged: Vec::new(),
            pending: Vec::new(),
            dirty: Default::default(),
            hasher: foldhash::quality::FixedState::default(),
            hash_mask: u64::MAX,
            by_ref: Default::default(),
            by_key: Default::default(),
            by_reg: Default::default(),
            by_name: Default::default(),
        };
        for r in rows {
            let entry = Entry {
                id: r.id.clone(),
                created_at: r.created_at,
                keys: Keys::of(&r),
                row: None,
                staged: None,
                extra: BTreeMap::new(),
            };
            let i = ix.push(entry);
            ix.entries[i].row = Some(Box::new(r));
        }
        Ok(ix)
    }

    /// Makes room for `n` more suppliers.
    pub fn reserve(&mut self, n: usize) {
        self.entries.reserve(n);
        self.staged.reserve(n);
        for m in [&mut self.by_ref, &mut self.by_key, &mut self.by_reg, &mut self.by_name] {
            m.map.reserve(n);
        }
    }

    /// Adds an entry and its lookups: the external ref and match key point at the newest
    /// supplier holding them, registration number and name at the oldest.
    fn push(&mut self, e: Entry) -> usize {
        let i = self.entries.len();
        self.entries.push(e);
        self.index(On::Ref, i, true);
        self.index(On::Key, i, true);
        self.index(On::Reg, i, false);
        self.index(On::Name, i, false);
        i
    }

    fn hash(&self, (a, b): (&str, &str)) -> u64 {
        self.hasher.hash_one((a, b)) & self.hash_mask
    }

    /// Every key hashes alike: the lookups go through their collision path.
    #[cfg(test)]
    fn colliding(mut self) -> Index {
        self.hash_mask = 0;
        self
    }

    fn map(&self, on: On) -> &KeyMap {
        match on {
            On::Ref => &self.by_ref,
            On::Key => &self.by_key,
            On::Reg => &self.by_reg,
            On::Name => &self.by_name,
        }
    }

    /// Points the entry's value of `on` at entry `i` (`replace`: even when another entry holds it).
    /// One probe of the map: a hash no entry has means no entry holds the value (a collided
    /// entry is only ever added beside a hash already held).
    fn index(&mut self, on: On, i: usize, replace: bool) {
        use std::collections::hash_map::Entry as Slot;
        let Some(value) = on.value(&self.entries[i].keys) else { return };
        let h = self.hash(value);
        let entries = &self.entries;
        let holds = |k: u32| on.value(&entries[k as usize].keys) == Some(value);
        let map = match on {
            On::Ref => &mut self.by_ref,
            On::Key => &mut self.by_key,
            On::Reg => &mut self.by_reg,
            On::Name => &mut self.by_name,
        };
        match map.map.entry(h) {
            Slot::Vacant(v) => {
                v.insert(i as u32);
            }
            // Held by the entry the hash points at: point the hash at `i`.
            Slot::Occupied(mut o) if holds(*o.get()) => {
                if replace {
                    o.insert(i as u32);
                }
            }
            // The hash belongs to another value: the value's holder, if any, is a collided one.
            Slot::Occupied(_) => {
                let holder = map.collided.iter().rev().copied().find(|&k| holds(k));
                if holder.is_some() && !replace {
                    return;
                }
                map.collided.retain(|&k| Some(k) != holder);
                map.collided.push(i as u32);
            }
        }
    }

    /// The entry holding `value` of `on`.
    fn get(&self, on: On, value: (&str, &str)) -> Option<usize> {
        let map = self.map(on);
        let holds = |i: u32| on.value(&self.entries[i as usize].keys) == Some(value);
        if let Some(&i) = map.map.get(&self.hash(value)) {
            if holds(i) {
                return Some(i as usize);
            }
        }
        map.collided.iter().rev().copied().find(|&i| holds(i)).map(|i| i as usize)
    }

    /// The supplier these fields describe. `row`, when given, is the new row made from them
    /// (see [`new_row`]), whose columns hold the normalised keys already.
    fn find(&self, f: &SupplierFields, row: Option<&SupplierRow>) -> Option<usize> {
        use std::borrow::Cow;
        let country = f.country.as_ref().map(|c| c.as_str()).unwrap_or_default();
        if let Some(r) = f.external_ref.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            if let Some(i) = self.get(On::Ref, ("", r)) {
                return Some(i);
            }
        }
        let reg = match row {
            Some(r) => r.registration_number.as_deref().map(Cow::Borrowed),
            None => f.registration_number.as_deref().map(reg_key).filter(|r| !r.is_empty()).map(Cow::Owned),
        };
        if let Some(reg) = reg {
            let key = match_key_of("reg", country, &reg);
            if let Some(i) = self.get(On::Key, ("", &key)).or_else(|| self.get(On::Reg, (country, &reg))) {
                return Some(i);
            }
        }
        let nk = match row {
            Some(r) => Cow::Borrowed(r.name_key.as_str()),
            None => Cow::Owned(name_key(&f.legal_name)),
        };
        if let Some(i) = self.get(On::Key, ("", &match_key_of("name", country, &nk))) {
            return Some(i);
        }
        if f.external_ref.is_none() {
            return self.get(On::Name, (country, &nk));
        }
        None
    }

    /// Creates or updates in memory, matching as [`upsert`](super::suppliers::upsert) does;
    /// nothing is written until [`Index::flush`]. A second row for the same supplier in one file
    /// updates the first. `row` is [`new_row`] of the same fields when the caller made
    /// it already: used as is for a new supplier, dropped for a known one.
    pub fn stage(
        &mut self,
        org_id: &str,
        fields: SupplierFields,
        extra: BTreeMap<String, String>,
        source: FieldSource,
        row: Option<SupplierRow>,
    ) -> Result<Staged> {
        if let Some(i) = self.find(&fields, row.as_ref()) {
            self.merge(i, fields, &extra, source)?;
            return Ok(Staged { id: self.entries[i].id.clone(), created: false });
        }
        let row = match row {
            Some(r) => r,
            None => new_row(org_id, &fields, &extra, &source)?,
        };
        let entry = Entry {
            id: row.id.clone(),
            created_at: row.created_at,
            keys: Keys::of(&row),
            row: None,
            staged: Some(self.staged.len() as u32),
            extra,
        };
        let id = entry.id.clone();
        self.staged.push(SupplierRecord { id: id.clone(), fields, source });
        let i = self.push(entry);
        self.pending.push((i, row));
        Ok(Staged { id, created: true })
    }

    /// Merges a later row into entry `i`: newer values win, the supplier is written again.
    fn merge(
        &mut self,
        i: usize,
        fields: SupplierFields,
        extra: &BTreeMap<String, String>,
        source: FieldSource,
    ) -> Result<()> {
        let pending = self.pending.iter().position(|(j, _)| *j == i).map(|p| self.pending.swap_remove(p).1);
        let was_pending = pending.is_some();
        let e = &mut self.entries[i];
        // The supplier's row as it stands: still pending, loaded, or made again from what this
        // upload staged (it was written and dropped).
        let mut row = match (pending, e.row.take(), e.staged.map(|k| &self.staged[k as usize])) {
            (Some(row), _, _) => row,
            (None, Some(row), _) => *row,
            (None, None, Some(s)) => {
                let mut row = new_row_columns(&self.org_id, &s.fields, &e.extra)?;
                row.id = e.id.clone();
                row.created_at = e.created_at;
                row.match_key = e.keys.match_key().to_string();
                row.external_ref = e.keys.external_ref().map(str::to_string);
                row
            }
            (None, None, None) => return Err(Error::internal("a supplier with neither row nor fields")),
        };
        let merged = match e.staged {
            Some(k) => merge_fields(&self.staged[k as usize].fields, &fields)?,
            None => {
                e.extra = row.extra();
                merge_fields(&row.fields()?, &fields)?
            }
        };
        e.extra.extend(extra.iter().map(|(k, v)| (k.clone(), v.clone())));
        apply_columns(&mut row, &merged, &e.extra)?;
        // Made again from the merged fields when written.
        row.fields_json = String::new();
        row.source_json = String::new();
        e.keys = Keys::of(&row);
        let record = SupplierRecord { id: e.id.clone(), fields: merged, source };
        match e.staged {
            Some(k) => self.staged[k as usize] = record,
            None => {
                e.staged = Some(self.staged.len() as u32);
                self.staged.push(record);
            }
        }
        if !was_pending {
            // Loaded, or written earlier in this upload: an update.
            self.dirty.insert(i);
        }
        self.pending.push((i, row));
        // The merged row may have gained an external ref.
        self.index(On::Ref, i, true);
        Ok(())
    }

    /// Writes what [`Index::stage`] changed: new suppliers inserted (no savepoint: the caller
    /// holds the organisation's write lock, see `write_tx`), changed ones updated. Each row is
    /// dropped once written (the parsed fields and source stay for scoring).
    pub fn flush(&mut self, conn: &mut DbConn) -> Result<()> {
        let mut pending = std::mem::take(&mut self.pending);
        pending.sort_by_key(|(i, _)| *i);
        let mut inserts = Vec::with_capacity(pending.len());
        for (i, mut row) in pending {
            if row.fields_json.is_empty() {
                if let Some(s) = self.entries[i].staged.map(|k| &self.staged[k as usize]) {
                    row.fields_json = compact_json(&s.fields)?;
                    row.source_json = source_json(&s.source)?;
                }
            }
            if self.dirty.remove(&i) {
                write_update(conn, &row)?;
            } else {
                inserts.push(row);
            }
        }
        match conn {
            // Multi-row inserts on the raw handle (see `raw_sqlite::insert_rows`).
            DbConn::Sqlite(c) => super::raw_sqlite::insert_suppliers(c, &inserts)?,
            // 15 columns a row: 500 rows stay far below PostgreSQL's bind-parameter limit.
            DbConn::Pg(c) => {
                for chunk in inserts.chunks(500) {
                    diesel::insert_into(suppliers::table).values(chunk).execute(c)?;
                }
            }
        }
        Ok(())
    }

    /// Every supplier of the organisation as the scoring engine sees it, consuming the index
    /// (the parsed fields and sources of staged suppliers move into the records; the others are
    /// parsed from their stored JSON).
    pub fn into_records(self) -> Result<Vec<SupplierRecord>> {
        let mut out = self.staged;
        for e in self.entries {
            match (e.staged, e.row) {
                (Some(_), _) => {}
                (None, Some(row)) => out.push(row.record()?),
                (None, None) => return Err(Error::internal("a supplier with neither row nor fields")),
            }
        }
        out.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }
}

#[cfg(test)]
#[path = "supplier_index_tests.rs"]
mod tests;
