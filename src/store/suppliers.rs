//! Suppliers: matching (external ref → registration number + country → name + country),
//! create-or-update under unique constraints, listing with filters. The in-memory matching
//! index of a bulk write is [`Index`] (in `supplier_index.rs`).

use super::schema::{supplier_latest, suppliers};
pub use super::supplier_index::{Index, Staged};
use super::{new_id, now, DbConn};
use crate::domain::{FieldSource, SupplierFields, SupplierRecord};
use crate::error::{Error, Result};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = suppliers)]
#[diesel(treat_none_as_default_value = false)]
pub struct SupplierRow {
    pub id: String,
    pub org_id: String,
    pub match_key: String,
    pub external_ref: Option<String>,
    pub legal_name: String,
    pub name_key: String,
    pub country: String,
    pub sector: String,
    pub commodity: Option<String>,
    pub registration_number: Option<String>,
    pub fields_json: String,
    pub extra_json: String,
    pub source_json: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A supplier's latest assessment: its id, tier and overall score (`supplier_latest`).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = supplier_latest)]
pub struct Latest {
    pub supplier_id: String,
    pub org_id: String,
    pub assessment_id: String,
    pub tier: String,
    pub overall: f64,
}

impl SupplierRow {
    pub fn fields(&self) -> Result<SupplierFields> {
        serde_json::from_str(&self.fields_json)
            .map_err(|e| Error::internal(format!("supplier {} fields: {e}", self.id)))
    }
    pub fn extra(&self) -> BTreeMap<String, String> {
        serde_json::from_str(&self.extra_json).unwrap_or_default()
    }
    pub fn source(&self) -> FieldSource {
        serde_json::from_str(&self.source_json).unwrap_or_default()
    }
    pub fn record(&self) -> Result<SupplierRecord> {
        Ok(SupplierRecord { id: self.id.clone(), fields: self.fields()?, source: self.source() })
    }
}

/// The stored form of a supplier's source. A row of a supplier list is stored as where it is:
/// upload, file name and row. Its cells are the upload row's (`upload_rows.raw_json`, under the
/// headers as written) and its column map is the upload's (in the upload's report), so storing
/// them again here wrote each row's cells twice; [`resolve_sources`] puts both back when
/// suppliers are read. Rows stored before this keep their cells here and read as they are.
pub(super) fn source_json(s: &FieldSource) -> Result<String> {
    if s.upload_id.is_some() && s.row.is_some() {
        #[derive(serde::Serialize)]
        struct Stored<'a> {
            upload_id: &'a Option<String>,
            filename: &'a Option<String>,
            row: Option<u32>,
        }
        let stored = Stored { upload_id: &s.upload_id, filename: &s.filename, row: s.row };
        return crate::json::to_string(&stored);
    }
    crate::json::to_string(s)
}

/// Fills the column map and the cells of suppliers read from the database whose source is a
/// row of a supplier list (see [`source_json`]): the map from the upload's report, the cells
/// from the upload's row, read a chunk of rows at a time per upload of the organisation.
pub fn resolve_sources(conn: &mut DbConn, org_id: &str, records: &mut [SupplierRecord]) -> Result<()> {
    use super::schema::{upload_rows, uploads};
    fn place(r: &SupplierRecord) -> Option<(&str, u32)> {
        match (r.source.upload_id.as_deref(), r.source.row) {
            (Some(uid), Some(row)) if r.source.columns.is_empty() || r.source.raw.is_empty() => Some((uid, row)),
            _ => None,
        }
    }
    // The records to fill, by upload and row.
    let mut wanted: Vec<usize> = (0..records.len()).filter(|&i| place(&records[i]).is_some()).collect();
    wanted.sort_unstable_by(|&a, &b| place(&records[a]).cmp(&place(&records[b])));
    let upload_of = |i: usize| records[i].source.upload_id.clone().unwrap_or_default();
    let groups: Vec<(String, Vec<usize>)> = wanted
        .chunk_by(|&a, &b| records[a].source.upload_id == records[b].source.upload_id)
        .map(|g| (upload_of(g[0]), g.to_vec()))
        .collect();
    for (uid, group) in groups {
        let uid = uid.as_str();
        let report: Option<String> = uploads::table
            .filter(uploads::id.eq(uid))
            .filter(uploads::org_id.eq(org_id))
            .select(uploads::report_json)
            .first(conn)
            .optional()?;
        let Some(report) = report else { continue };
        let v: Value = serde_json::from_str(&report).unwrap_or_default();
        let columns: Vec<crate::ingest::ColumnMapping> =
            serde_json::from_value(v["columns"].clone()).unwrap_or_default();
        let sources = crate::ingest::RowSources::new(&columns, uid, "");
        for chunk in group.chunks(RESOLVE_CHUNK) {
            let row_of = |r: &SupplierRecord| r.source.row.unwrap_or_default() as i32;
            let missing: Vec<i32> =
                chunk.iter().map(|&i| &records[i]).filter(|r| r.source.raw.is_empty()).map(row_of).collect();
            let mut cells: std::collections::HashMap<i32, String> = if missing.is_empty() {
                Default::default()
            } else {
                upload_rows::table
                    .filter(upload_rows::upload_id.eq(uid))
                    .filter(upload_rows::row_number.eq_any(&missing))
                    .select((upload_rows::row_number, upload_rows::raw_json))
                    .load::<(i32, String)>(conn)?
                    .into_iter()
                    .collect()
            };
            for &i in chunk {
                let row = row_of(&records[i]);
                let s = &mut records[i].source;
                if s.columns.is_empty() {
                    s.columns = sources.columns();
                }
                if s.raw.is_empty() {
                    if let Some(raw) = cells.remove(&row) {
                        let raw: Vec<(String, String)> = serde_json::from_str(&raw).unwrap_or_default();
                        s.raw = sources.raw(&raw);
                    }
                }
            }
        }
    }
    Ok(())
}

/// Upload rows read per query by [`resolve_sources`] (far below either backend's bind limit).
const RESOLVE_CHUNK: usize = 500;

/// Case-, accent- and punctuation-insensitive form of a name, for matching.
pub fn name_key(name: &str) -> String {
    if name.is_ascii() {
        ascii_name_key(name)
    } else {
        folded_name_key(name)
    }
}

/// [`name_key`] of an ASCII name in one pass, as [`folded_name_key`] makes it (NFKD leaves
/// ASCII as it is, and it has no combining marks): most names are ASCII, and every row of an
/// upload needs its key.
fn ascii_name_key(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for word in name.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().map(|c| c.to_ascii_lowercase()));
    }
    out
}

fn folded_name_key(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let folded: String = name
        .nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub(super) fn reg_key(reg: &str) -> String {
    reg.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_uppercase).collect()
}

/// The identity a new supplier is created under (unique per organisation).
fn match_key(f: &SupplierFields, country: &str) -> String {
    if let Some(r) = f.external_ref.as_deref().filter(|r| !r.trim().is_empty()) {
        format!("ref:{}", r.trim())
    } else if let Some(reg) = f.registration_number.as_deref().map(reg_key).filter(|r| !r.is_empty()) {
        match_key_of("reg", country, &reg)
    } else {
        match_key_of("name", country, &name_key(&f.legal_name))
    }
}

/// The match key `{kind}:{country}:{key}` of a registration number (`reg`) or a name key
/// (`name`). Built without `format!`: an upload makes two for every row it matches.
pub(super) fn match_key_of(kind: &str, country: &str, key: &str) -> String {
    let mut s = String::with_capacity(kind.len() + country.len() + key.len() + 2);
    for part in [kind, ":", country, ":", key] {
        s.push_str(part);
    }
    s
}

/// Finds the supplier these fields describe: by external ref, else registration number +
/// country, else normalised legal name + country.
pub fn find_match(conn: &mut DbConn, org_id: &str, f: &SupplierFields) -> Result<Option<SupplierRow>> {
    let country = f.country.as_ref().map(|c| c.as_str().to_string()).unwrap_or_default();
    if let Some(r) = f.external_ref.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        let hit = suppliers::table
            .filter(suppliers::org_id.eq(org_id))
            .filter(suppliers::external_ref.eq(r))
            .select(SupplierRow::as_select())
            .first(conn)
            .optional()?;
        if hit.is_some() {
            return Ok(hit);
        }
    }
    let keyed = |k: String, conn: &mut DbConn| -> Result<Option<SupplierRow>> {
        Ok(suppliers::table
            .filter(suppliers::org_id.eq(org_id))
            .filter(suppliers::match_key.eq(k))
            .select(SupplierRow::as_select())
            .first(conn)
            .optional()?)
    };
    if let Some(reg) = f.registration_number.as_deref().map(reg_key).filter(|r| !r.is_empty()) {
        if let Some(hit) = keyed(format!("reg:{country}:{reg}"), conn)? {
            return Ok(Some(hit));
        }
        let hit = suppliers::table
            .filter(suppliers::org_id.eq(org_id))
            .filter(suppliers::country.eq(&country))
            .filter(suppliers::registration_number.eq(reg))
            .select(SupplierRow::as_select())
            .first(conn)
            .optional()?;
        if hit.is_some() {
            return Ok(hit);
        }
    }
    let nk = name_key(&f.legal_name);
    if let Some(hit) = keyed(format!("name:{country}:{nk}"), conn)? {
        return Ok(Some(hit));
    }
    // A supplier created under its ref or registration number, now named without them.
    if f.external_ref.is_none() {
        return Ok(suppliers::table
            .filter(suppliers::org_id.eq(org_id))
            .filter(suppliers::country.eq(&country))
            .filter(suppliers::name_key.eq(nk))
            .order(suppliers::created_at.asc())
            .select(SupplierRow::as_select())
            .first(conn)
            .optional()?);
    }
    Ok(None)
}

/// The stored form of a supplier's fields (see [`stored_fields`](super::stored_fields)).
pub(super) fn compact_json(f: &SupplierFields) -> Result<String> {
    crate::json::to_string(&super::stored_fields::Stored(f))
}

/// Newer values win; a value missing from the new source keeps the old one.
pub fn merge_fields(old: &SupplierFields, new: &SupplierFields) -> Result<SupplierFields> {
    let mut a = serde_json::to_value(old).map_err(Error::internal)?;
    let b = serde_json::to_value(new).map_err(Error::internal)?;
    if let (Value::Object(a), Value::Object(b)) = (&mut a, b) {
        for (k, v) in b {
            let empty = v.is_null() || v.as_array().is_some_and(|x| x.is_empty());
            if !empty {
                a.insert(k, v);
            }
        }
    }
    serde_json::from_value(a).map_err(Error::internal)
}

/// Outcome of [`upsert`].
pub struct Upserted {
    pub row: SupplierRow,
    pub created: bool,
}

/// Creates or updates the supplier that `fields` describe. Safe against a concurrent writer:
/// a lost insert race (unique violation, rolled back to a savepoint) re-reads and updates.
pub fn upsert(
    conn: &mut DbConn,
    org_id: &str,
    fields: &SupplierFields,
    extra: &BTreeMap<String, String>,
    source: &FieldSource,
) -> Result<Upserted> {
    for _attempt in 0..3 {
        if let Some(old) = find_match(conn, org_id, fields)? {
            let merged = merge_fields(&old.fields()?, fields)?;
            let mut all_extra = old.extra();
            all_extra.extend(extra.iter().map(|(k, v)| (k.clone(), v.clone())));
            let row = update(conn, &old, &merged, &all_extra, source)?;
            return Ok(Upserted { row, created: false });
        }
        if let Some(row) = try_insert(conn, org_id, fields, extra, source)? {
            return Ok(Upserted { row, created: true });
        }
    }
    Err(Error::problem(
        409,
        "concurrent_update",
        "The supplier was changed by another request at the same time; retry.",
    ))
}

/// Inserts a new supplier in a savepoint; None when a concurrent writer created it first.
fn try_insert(
    conn: &mut DbConn,
    org_id: &str,
    fields: &SupplierFields,
    extra: &BTreeMap<String, String>,
    source: &FieldSource,
) -> Result<Option<SupplierRow>> {
    let row = new_row(org_id, fields, extra, source)?;
    match conn.transaction(|c| diesel::insert_into(suppliers::table).values(&row).execute(c)) {
        Ok(_) => Ok(Some(row)),
        Err(e) if super::is_unique_violation(&e) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The row a new supplier with these fields would get, with its stored JSON. An upload makes
/// it on its reading thread and hands it to [`Index::stage`].
pub fn new_row(
    org_id: &str,
    fields: &SupplierFields,
    extra: &BTreeMap<String, String>,
    source: &FieldSource,
) -> Result<SupplierRow> {
    let mut row = new_row_columns(org_id, fields, extra)?;
    row.fields_json = compact_json(fields)?;
    row.source_json = source_json(source)?;
    Ok(row)
}

/// [`new_row`] without the stored JSON of fields and source (made when the row is written).
pub(super) fn new_row_columns(
    org_id: &str,
    fields: &SupplierFields,
    extra: &BTreeMap<String, String>,
) -> Result<SupplierRow> {
    let country = fields.country.as_ref().map(|c| c.as_str().to_string()).unwrap_or_default();
    let t = now();
    Ok(SupplierRow {
        id: new_id(),
        org_id: org_id.to_string(),
        match_key: match_key(fields, &country),
        external_ref: fields.external_ref.as_deref().map(str::trim).filter(|r| !r.is_empty()).map(str::to_string),
        legal_name: fields.legal_name.clone(),
        name_key: name_key(&fields.legal_name),
        country,
        sector: fields.sector.map(|s| s.to_string()).unwrap_or_default(),
        commodity: fields.commodity.clone(),
        registration_number: fields.registration_number.as_deref().map(reg_key).filter(|r| !r.is_empty()),
        fields_json: String::new(),
        extra_json: crate::json::to_string(extra)?,
        source_json: String::new(),
        created_at: t,
        updated_at: t,
    })
}

fn update(
    conn: &mut DbConn,
    old: &SupplierRow,
    f: &SupplierFields,
    extra: &BTreeMap<String, String>,
    source: &FieldSource,
) -> Result<SupplierRow> {
    let mut row = old.clone();
    apply(&mut row, f, extra, source)?;
    write_update(conn, &row)?;
    Ok(row)
}

/// Sets a row's columns from merged fields (in memory).
fn apply(
    row: &mut SupplierRow,
    f: &SupplierFields,
    extra: &BTreeMap<String, String>,
    source: &FieldSource,
) -> Result<()> {
    apply_columns(row, f, extra)?;
    row.fields_json = compact_json(f)?;
    row.source_json = source_json(source)?;
    Ok(())
}

/// [`apply`] without the stored JSON of fields and source (made when the row is written).
pub(super) fn apply_columns(row: &mut SupplierRow, f: &SupplierFields, extra: &BTreeMap<String, String>) -> Result<()> {
    row.legal_name = f.legal_name.clone();
    row.name_key = name_key(&f.legal_name);
    if let Some(c) = &f.country {
        row.country = c.as_str().to_string();
    }
    if let Some(s) = f.sector {
        row.sector = s.to_string();
    }
    row.commodity = f.commodity.clone();
    row.registration_number = f.registration_number.as_deref().map(reg_key).filter(|r| !r.is_empty());
    if row.external_ref.is_none() {
        row.external_ref = f.external_ref.clone();
    }
    row.extra_json = serde_json::to_string(extra).map_err(Error::internal)?;
    row.updated_at = now();
    Ok(())
}

pub(super) fn write_update(conn: &mut DbConn, row: &SupplierRow) -> Result<()> {
    diesel::update(suppliers::table.find(&row.id))
        .set((
            suppliers::legal_name.eq(&row.legal_name),
            suppliers::name_key.eq(&row.name_key),
            suppliers::country.eq(&row.country),
            suppliers::sector.eq(&row.sector),
            suppliers::commodity.eq(&row.commodity),
            suppliers::registration_number.eq(&row.registration_number),
            suppliers::external_ref.eq(&row.external_ref),
            suppliers::fields_json.eq(&row.fields_json),
            suppliers::extra_json.eq(&row.extra_json),
            suppliers::source_json.eq(&row.source_json),
            suppliers::updated_at.eq(row.updated_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// One supplier of this organisation (another organisation's is "not found").
pub fn get(conn: &mut DbConn, org_id: &str, id: &str) -> Result<SupplierRow> {
    suppliers::table
        .filter(suppliers::id.eq(id))
        .filter(suppliers::org_id.eq(org_id))
        .select(SupplierRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound("supplier"))
}

pub fn by_ref(conn: &mut DbConn, org_id: &str, external_ref: &str) -> Result<Option<SupplierRow>> {
    Ok(suppliers::table
        .filter(suppliers::org_id.eq(org_id))
        .filter(suppliers::external_ref.eq(external_ref))
        .select(SupplierRow::as_select())
        .first(conn)
        .optional()?)
}

/// Every supplier of the organisation, for network detection and rescoring.
pub fn all(conn: &mut DbConn, org_id: &str) -> Result<Vec<SupplierRow>> {
    Ok(suppliers::table
        .filter(suppliers::org_id.eq(org_id))
        .order(suppliers::id.asc())
        .select(SupplierRow::as_select())
        .load(conn)?)
}

/// Filters of GET /suppliers (and of the workbook).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub sector: Option<String>,
    pub country: Option<String>,
    pub tier: Option<String>,
    pub q: Option<String>,
    pub ids: Option<Vec<String>>,
}

/// A listed supplier and its latest assessment (None until assessed).
pub type Listed = (SupplierRow, Option<Latest>);

/// A page of suppliers in a stable order (name, then id), each with its latest assessment, and
/// the total.
pub fn list(conn: &mut DbConn, org_id: &str, f: &Filter, offset: i64, limit: i64) -> Result<(Vec<Listed>, i64)> {
    let build = || {
        let mut q = suppliers::table
            .left_join(supplier_latest::table)
            .filter(suppliers::org_id.eq(org_id.to_string()))
            .into_boxed();
        if let Some(s) = &f.sector {
            q = q.filter(suppliers::sector.eq(s.clone()));
        }
        if let Some(c) = &f.country {
            q = q.filter(suppliers::country.eq(c.clone()));
        }
        if let Some(t) = &f.tier {
            // Both columns of the (org_id, tier) index, so the planner can start from it.
            q = q.filter(supplier_latest::org_id.eq(org_id.to_string())).filter(supplier_latest::tier.eq(t.clone()));
        }
        if let Some(text) = &f.q {
            // name_key is already lower-case and accent-free, so LIKE behaves the same on both backends.
            let pat = format!("%{}%", name_key(text).replace(['%', '_'], ""));
            q = q.filter(suppliers::name_key.like(pat));
        }
        if let Some(ids) = &f.ids {
            q = q.filter(suppliers::id.eq_any(ids.clone()));
        }
        q
    };
    let total: i64 = build().count().get_result(conn)?;
    let rows = build()
        .order((suppliers::name_key.asc(), suppliers::id.asc()))
        .offset(offset)
        .limit(limit)
        .select((SupplierRow::as_select(), Option::<Latest>::as_select()))
        .load(conn)?;
    Ok((rows, total))
}

/// The supplier's latest assessment (None until assessed).
pub fn latest(conn: &mut DbConn, org_id: &str, supplier_id: &str) -> Result<Option<Latest>> {
    Ok(supplier_latest::table
        .filter(supplier_latest::supplier_id.eq(supplier_id))
        .filter(supplier_latest::org_id.eq(org_id))
        .select(Latest::as_select())
        .first(conn)
        .optional()?)
}

/// The latest assessment of every assessed supplier of the organisation, by supplier id.
pub fn latest_all(conn: &mut DbConn, org_id: &str) -> Result<std::collections::HashMap<String, Latest>> {
    Ok(supplier_latest::table
        .filter(supplier_latest::org_id.eq(org_id))
        .select(Latest::as_select())
        .load(conn)?
        .into_iter()
        .map(|l| (l.supplier_id.clone(), l))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::{ascii_name_key, folded_name_key, name_key};
    use proptest::prelude::*;

    #[test]
    fn name_keys_fold_case_accents_and_punctuation() {
        assert_eq!(name_key("  ACME Trading Co., Ltd.\t(Thailand) "), "acme trading co ltd thailand");
        assert_eq!(name_key("Société Générale"), "societe generale");
        assert_eq!(name_key("Müller & Söhne GmbH"), "muller sohne gmbh");
        assert_eq!(name_key("--"), "");
    }

    proptest! {
        /// The one-pass ASCII key is the general key of every ASCII name.
        #[test]
        fn the_ascii_key_is_the_general_key(name in "[\u{0}-\u{7f}]{0,40}") {
            prop_assert_eq!(ascii_name_key(&name), folded_name_key(&name));
        }
    }
}
