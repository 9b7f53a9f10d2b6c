//! Which numeric cells of an xlsb workbook are percent-formatted. calamine 0.38 keeps only a
//! date/other flag per xlsb style, so this reads the few records needed itself (MS-XLSB):
//! `styles.bin` (BrtFmt, BrtXF inside BrtBeginCellXFs), `workbook.bin` (BrtBundleSh) with its
//! relationships, then each worksheet's BrtRowHdr and numeric cell records for the style index.
//!
//! Everything is streamed record by record; only percent cells' positions are kept (at most
//! `max_cells` of them). The zip container has passed [`super::zipcheck`] first. A damaged part
//! yields no percent cells (calamine then decides whether the file is readable at all).

use super::numfmt::{is_builtin_percent, is_percent_format};
use std::collections::{HashMap, HashSet};
use std::io::{Cursor, Read};

/// Positions (0-based row, column) of percent-formatted numeric cells, per sheet name.
pub(crate) type PercentCells = HashMap<String, HashSet<(u32, u32)>>;

/// Longest record body read into memory (format strings, sheet entries, cell heads); longer
/// bodies of records that matter mean a damaged file.
const MAX_RECORD: u32 = 1 << 16;

const BRT_ROW_HDR: u16 = 0x0000;
const BRT_CELL_RK: u16 = 0x0002;
const BRT_CELL_REAL: u16 = 0x0005;
const BRT_FMLA_NUM: u16 = 0x0009;
const BRT_FMT: u16 = 0x002C;
const BRT_XF: u16 = 0x002F;
const BRT_END_SHEET_DATA: u16 = 0x0092;
const BRT_BUNDLE_SH: u16 = 0x009C;
const BRT_BEGIN_CELL_XFS: u16 = 0x0269;
const BRT_END_CELL_XFS: u16 = 0x026A;

/// Reads records from one part: `(type, body)`, the body cut to `keep` bytes (the rest skipped).
pub(crate) struct Records<R: Read> {
    r: R,
    buf: Vec<u8>,
}

impl<R: Read> Records<R> {
    pub(crate) fn new(r: R) -> Self {
        Records { r, buf: Vec::new() }
    }

    fn byte(&mut self) -> Option<Option<u8>> {
        let mut b = [0u8; 1];
        match self.r.read(&mut b) {
            Ok(0) => Some(None),
            Ok(_) => Some(Some(b[0])),
            Err(_) => None,
        }
    }

    /// A 7-bit variable-length number of at most `max_bytes` bytes; None on a damaged stream,
    /// Some(None) at the end of the part (only allowed before the first byte).
    fn varint(&mut self, max_bytes: u32) -> Option<Option<u32>> {
        let mut v: u32 = 0;
        for i in 0..max_bytes {
            let b = match self.byte()? {
                Some(b) => b,
                None if i == 0 => return Some(None),
                None => return None,
            };
            v |= u32::from(b & 0x7F) << (7 * i);
            if b & 0x80 == 0 {
                return Some(Some(v));
            }
        }
        None
    }

    /// The next record: Ok(Some((type, body))), Ok(None) at the end, Err on damage. Bodies of
    /// types not in `wanted` are skipped without being stored.
    pub(crate) fn next(&mut self, wanted: &[u16]) -> Result<Option<(u16, &[u8])>, ()> {
        let Some(typ) = self.varint(2).ok_or(())? else {
            return Ok(None);
        };
        let len = self.varint(4).ok_or(())?.ok_or(())?;
        let typ = typ as u16;
        if !wanted.contains(&typ) {
            let skipped =
                std::io::copy(&mut (&mut self.r).take(u64::from(len)), &mut std::io::sink()).map_err(|_| ())?;
            return if skipped == u64::from(len) { Ok(Some((typ, &[]))) } else { Err(()) };
        }
        if len > MAX_RECORD {
            return Err(());
        }
        self.buf.clear();
        (&mut self.r).take(u64::from(len)).read_to_end(&mut self.buf).map_err(|_| ())?;
        if self.buf.len() != len as usize {
            return Err(());
        }
        Ok(Some((typ, &self.buf)))
    }
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// An XLWideString at `at`: (text, bytes used). `None` for a null XLNullableWideString.
fn wide_str(b: &[u8], at: usize) -> Option<(Option<String>, usize)> {
    let n = u32_at(b, at)?;
    if n == u32::MAX {
        return Some((None, 4));
    }
    let bytes = b.get(at + 4..at + 4 + (n as usize).checked_mul(2)?)?;
    let units: Vec<u16> = bytes.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
    Some((Some(String::from_utf16_lossy(&units)), 4 + bytes.len()))
}

/// For each cell style index (BrtXF in BrtBeginCellXFs): is its number format a percentage?
fn percent_xfs(zip: &mut zip::ZipArchive<Cursor<&[u8]>>) -> Result<Vec<bool>, ()> {
    let Some(f) = zip.by_name("xl/styles.bin").ok() else {
        return Ok(Vec::new());
    };
    let mut recs = Records::new(f);
    let mut custom: HashMap<u16, bool> = HashMap::new();
    let mut xfs = Vec::new();
    let mut in_cell_xfs = false;
    while let Some((typ, body)) = recs.next(&[BRT_FMT, BRT_XF, BRT_BEGIN_CELL_XFS, BRT_END_CELL_XFS])? {
        match typ {
            BRT_FMT => {
                let id = u16_at(body, 0).ok_or(())?;
                let (code, _) = wide_str(body, 2).ok_or(())?;
                custom.insert(id, code.is_some_and(|c| is_percent_format(&c)));
            }
            BRT_BEGIN_CELL_XFS => in_cell_xfs = true,
            BRT_END_CELL_XFS => break,
            BRT_XF if in_cell_xfs => {
                let fmt = u16_at(body, 2).ok_or(())?;
                xfs.push(custom.get(&fmt).copied().unwrap_or_else(|| is_builtin_percent(u32::from(fmt))));
            }
            _ => {}
        }
    }
    Ok(xfs)
}

/// Sheet names and their part paths, in workbook order.
fn sheet_parts(zip: &mut zip::ZipArchive<Cursor<&[u8]>>) -> Result<Vec<(String, String)>, ()> {
    let mut rels: HashMap<String, String> = HashMap::new();
    if let Ok(mut f) = zip.by_name("xl/_rels/workbook.bin.rels") {
        let mut xml = String::new();
        (&mut f).take(1 << 20).read_to_string(&mut xml).map_err(|_| ())?;
        for tag in xml.split('<').filter(|t| t.starts_with("Relationship ")) {
            if let (Some(id), Some(target)) = (attr(tag, "Id"), attr(tag, "Target")) {
                let t = target.trim_start_matches('/');
                let path = if t.starts_with("xl/") { t.to_string() } else { format!("xl/{t}") };
                rels.insert(id.to_string(), path);
            }
        }
    }
    let f = zip.by_name("xl/workbook.bin").ok().ok_or(())?;
    let mut recs = Records::new(f);
    let mut out = Vec::new();
    while let Some((typ, body)) = recs.next(&[BRT_BUNDLE_SH])? {
        if typ == BRT_BUNDLE_SH {
            let (rel, used) = wide_str(body, 8).ok_or(())?;
            let (name, _) = wide_str(body, 8 + used).ok_or(())?;
            if let (Some(rel), Some(name)) = (rel, name) {
                if let Some(path) = rels.get(&rel) {
                    out.push((name, path.clone()));
                }
            }
        }
    }
    Ok(out)
}

/// The value of `name="…"` in one tag's text.
fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let needle = format!(" {name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let len = tag[start..].find('"')?;
    Some(&tag[start..start + len])
}

/// Positions of numeric cells whose style index is a percent style, up to `room` of them.
fn sheet_percent_cells(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    path: &str,
    xfs: &[bool],
    room: &mut u64,
) -> Result<HashSet<(u32, u32)>, ()> {
    let mut out = HashSet::new();
    let Some(f) = zip.by_name(path).ok() else {
        return Ok(out);
    };
    let mut recs = Records::new(f);
    let mut row = 0u32;
    let wanted = [BRT_ROW_HDR, BRT_CELL_RK, BRT_CELL_REAL, BRT_FMLA_NUM, BRT_END_SHEET_DATA];
    while let Some((typ, body)) = recs.next(&wanted)? {
        match typ {
            BRT_ROW_HDR => row = u32_at(body, 0).ok_or(())?,
            BRT_END_SHEET_DATA => break,
            BRT_CELL_RK | BRT_CELL_REAL | BRT_FMLA_NUM => {
                let col = u32_at(body, 0).ok_or(())?;
                let style = u32_at(body, 4).ok_or(())? & 0x00FF_FFFF;
                if xfs.get(style as usize).copied().unwrap_or(false) {
                    if *room == 0 {
                        break;
                    }
                    *room -= 1;
                    out.insert((row, col));
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

/// The percent-formatted numeric cells of every worksheet; empty when the workbook has no
/// percent style or a part is damaged.
pub(crate) fn percent_cells(bytes: &[u8], max_cells: u64) -> PercentCells {
    let inner = || -> Result<PercentCells, ()> {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| ())?;
        let xfs = percent_xfs(&mut zip)?;
        let mut out = PercentCells::new();
        if !xfs.contains(&true) {
            return Ok(out);
        }
        let mut room = max_cells;
        for (name, path) in sheet_parts(&mut zip)? {
            let cells = sheet_percent_cells(&mut zip, &path, &xfs, &mut room)?;
            out.insert(name, cells);
        }
        Ok(out)
    };
    inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(typ: u16, body: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        if typ < 0x80 {
            out.push(typ as u8);
        } else {
            out.push((typ & 0x7F) as u8 | 0x80);
            out.push((typ >> 7) as u8);
        }
        let mut n = body.len() as u32;
        loop {
            let b = (n & 0x7F) as u8;
            n >>= 7;
            if n == 0 {
                out.push(b);
                break;
            }
            out.push(b | 0x80);
        }
        out.extend_from_slice(body);
        out
    }

    #[test]
    fn record_headers_and_damage() {
        let mut data = rec(BRT_BEGIN_CELL_XFS, &[1, 0, 0, 0]);
        data.extend(rec(BRT_XF, &[0; 200])); // body length needs two bytes
        let mut r = Records::new(&data[..]);
        assert_eq!(r.next(&[BRT_BEGIN_CELL_XFS]).unwrap(), Some((BRT_BEGIN_CELL_XFS, &[1u8, 0, 0, 0][..])));
        let (t, body) = r.next(&[BRT_XF]).unwrap().unwrap();
        assert_eq!((t, body.len()), (BRT_XF, 200));
        assert_eq!(r.next(&[]).unwrap(), None);
        // A body shorter than its declared length is damage, read or skipped.
        let cut = &data[..data.len() - 10];
        let mut r = Records::new(cut);
        r.next(&[]).unwrap();
        assert!(r.next(&[BRT_XF]).is_err());
        let mut r = Records::new(cut);
        r.next(&[]).unwrap();
        assert!(r.next(&[]).is_err());
        // A length that never ends (five continuation bytes).
        assert!(Records::new(&[0x01u8, 0xFF, 0xFF, 0xFF, 0xFF, 0x01][..]).next(&[]).is_err());
        assert_eq!(wide_str(&[2, 0, 0, 0, b'%', 0, b'x', 0], 0), Some((Some("%x".into()), 8)));
        assert_eq!(wide_str(&[0xFF, 0xFF, 0xFF, 0xFF], 0), Some((None, 4)));
        assert_eq!(wide_str(&[9, 0, 0, 0, b'%', 0], 0), None, "declared longer than the record");
        assert_eq!(
            attr(r#"Relationship Id="rId2" Target="worksheets/sheet1.bin"/>"#, "Target"),
            Some("worksheets/sheet1.bin")
        );
    }

    #[test]
    fn damaged_or_foreign_input_yields_nothing() {
        assert!(percent_cells(b"not a zip", 100).is_empty());
        assert!(percent_cells(b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 100).is_empty());
    }
}
