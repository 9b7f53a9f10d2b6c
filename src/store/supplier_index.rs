//! The in-memory supplier index of one bulk write (an upload): matching without a query per
//! row, and the writes batched.

use super::schema::suppliers;
use super::suppliers::{
    apply_columns, compact_json, merge_fields, name_key, new_row_columns, reg_key, source_json, write_update,
    SupplierRow,
};
use super::DbConn;
use crate::domain::{FieldSource, SupplierFields, SupplierRecord};
use crate::error::Result;
use diesel::prelude::*;
use std::collections::BTreeMap;

/// An organisation's suppliers held in memory for one bulk write (an upload): the matching of
/// [`find_match`] without a query per row, and the writes batched. Rows are staged in memory
/// with [`Index::stage`] and written by [`Index::flush`]: new suppliers in multi-row inserts,
/// changed ones updated. Valid only inside the write transaction, where writers of the
/// organisation are serialised (SQLite's write lock, PostgreSQL's advisory lock).
pub struct Index {
    rows: Vec<SupplierRow>,
    /// The parsed fields of rows staged in this upload (the others are parsed when needed).
    parsed: Vec<Option<SupplierFields>>,
    /// The source of rows staged in this upload. Their stored JSON (fields and source) is
    /// made when they are written and dropped after, so memory holds the parsed form only.
    sources: Vec<Option<FieldSource>>,
    /// Rows loaded from the database that this upload changed.
    dirty: std::collections::BTreeSet<usize>,
    /// Rows at or after this position are new (not yet in the database).
    loaded: usize,
    by_ref: std::collections::HashMap<String, usize>,
    by_key: std::collections::HashMap<String, usize>,
    by_reg: std::collections::HashMap<(String, String), usize>,
    by_name: std::collections::HashMap<(String, String), usize>,
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
            rows: Vec::with_capacity(rows.len()),
            parsed: Vec::with_capacity(rows.len()),
            sources: Vec::with_capacity(rows.len()),
            dirty: Default::default(),
            loaded: rows.len(),
            by_ref: Default::default(),
            by_key: Default::default(),
            by_reg: Default::default(),
            by_name: Default::default(),
        };
        for r in rows {
            ix.add(r, None);
        }
        Ok(ix)
    }

    fn add(&mut self, r: SupplierRow, fields: Option<SupplierFields>) {
        let i = self.rows.len();
        if let Some(e) = &r.external_ref {
            self.by_ref.insert(e.clone(), i);
        }
        self.by_key.insert(r.match_key.clone(), i);
        if let Some(reg) = &r.registration_number {
            self.by_reg.entry((r.country.clone(), reg.clone())).or_insert(i);
        }
        self.by_name.entry((r.country.clone(), r.name_key.clone())).or_insert(i);
        self.rows.push(r);
        self.parsed.push(fields);
        self.sources.push(None);
    }

    fn find(&self, f: &SupplierFields) -> Option<usize> {
        let country = f.country.as_ref().map(|c| c.as_str().to_string()).unwrap_or_default();
        if let Some(r) = f.external_ref.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            if let Some(i) = self.by_ref.get(r) {
                return Some(*i);
            }
        }
        if let Some(reg) = f.registration_number.as_deref().map(reg_key).filter(|r| !r.is_empty()) {
            if let Some(i) =
                self.by_key.get(&format!("reg:{country}:{reg}")).or_else(|| self.by_reg.get(&(country.clone(), reg)))
            {
                return Some(*i);
            }
        }
        let nk = name_key(&f.legal_name);
        if let Some(i) = self.by_key.get(&format!("name:{country}:{nk}")) {
            return Some(*i);
        }
        if f.external_ref.is_none() {
            return self.by_name.get(&(country, nk)).copied();
        }
        None
    }

    /// Creates or updates in memory, matching as [`upsert`] does; nothing is written until
    /// [`Index::flush`]. A second row for the same supplier in one file updates the first.
    pub fn stage(
        &mut self,
        org_id: &str,
        fields: SupplierFields,
        extra: &BTreeMap<String, String>,
        source: FieldSource,
    ) -> Result<Staged> {
        if let Some(i) = self.find(&fields) {
            let old_fields = match self.parsed[i].take() {
                Some(f) => f,
                None => self.rows[i].fields()?,
            };
            let merged = merge_fields(&old_fields, &fields)?;
            let mut all_extra = self.rows[i].extra();
            all_extra.extend(extra.iter().map(|(k, v)| (k.clone(), v.clone())));
            apply_columns(&mut self.rows[i], &merged, &all_extra)?;
            self.parsed[i] = Some(merged);
            self.sources[i] = Some(source);
            if let Some(e) = self.rows[i].external_ref.clone() {
                self.by_ref.insert(e, i);
            }
            if i < self.loaded {
                self.dirty.insert(i);
            }
            return Ok(Staged { id: self.rows[i].id.clone(), created: false });
        }
        let row = new_row_columns(org_id, &fields, extra)?;
        let id = row.id.clone();
        self.add(row, Some(fields));
        if let Some(s) = self.sources.last_mut() {
            *s = Some(source);
        }
        Ok(Staged { id, created: true })
    }

    /// Writes what [`Index::stage`] changed: new suppliers in multi-row inserts (no savepoint:
    /// the caller holds the organisation's write lock, see `write_tx`), changed ones updated.
    /// The stored JSON of each row is made here and dropped once written (the parsed form
    /// stays for scoring).
    pub fn flush(&mut self, conn: &mut DbConn) -> Result<()> {
        for i in std::mem::take(&mut self.dirty) {
            self.stored_json(i)?;
            write_update(conn, &self.rows[i])?;
            self.drop_json(i);
        }
        // 18 columns a row: 500 rows stay far below both backends' bind-parameter limits.
        let mut start = self.loaded;
        while start < self.rows.len() {
            let end = (start + 500).min(self.rows.len());
            for i in start..end {
                self.stored_json(i)?;
            }
            let chunk = &self.rows[start..end];
            match conn {
                DbConn::Sqlite(c) => diesel::insert_into(suppliers::table).values(chunk).execute(c)?,
                DbConn::Pg(c) => diesel::insert_into(suppliers::table).values(chunk).execute(c)?,
            };
            for i in start..end {
                self.drop_json(i);
            }
            start = end;
        }
        self.loaded = self.rows.len();
        Ok(())
    }

    /// Every supplier of the organisation as the scoring engine sees it, consuming the index
    /// (the parsed fields and sources of staged rows move into the records; the others are
    /// parsed from their stored JSON).
    pub fn into_records(self) -> Result<Vec<SupplierRecord>> {
        let mut out = Vec::with_capacity(self.rows.len());
        for ((row, parsed), source) in self.rows.into_iter().zip(self.parsed).zip(self.sources) {
            let fields = match parsed {
                Some(f) => f,
                None => row.fields()?,
            };
            let source = source.unwrap_or_else(|| row.source());
            out.push(SupplierRecord { source, id: row.id, fields });
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    /// Makes the stored JSON of a staged row from its parsed fields and source.
    fn stored_json(&mut self, i: usize) -> Result<()> {
        if let (Some(f), Some(s)) = (&self.parsed[i], &self.sources[i]) {
            self.rows[i].fields_json = compact_json(f)?;
            self.rows[i].source_json = source_json(s)?;
        }
        Ok(())
    }

    /// Drops a written row's stored JSON when its parsed form is kept.
    fn drop_json(&mut self, i: usize) {
        if self.parsed[i].is_some() && self.sources[i].is_some() {
            self.rows[i].fields_json = String::new();
            self.rows[i].source_json = String::new();
        }
    }
}
