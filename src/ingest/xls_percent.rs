//! Which numeric cells of an xls (BIFF8) workbook are percent-formatted. calamine 0.38 keeps
//! only a date/other flag per xls cell format, so this reads the records needed itself
//! (MS-XLS): FORMAT and XF in the workbook globals, BOUNDSHEET8 for each sheet's name and
//! offset, then each sheet's NUMBER, RK, MULRK and FORMULA records for their XF index.
//!
//! The `Workbook` stream is read whole (it is smaller than the file, which the size cap bounds);
//! at most `max_cells` positions are kept. Older BIFF5 files (a `Book` stream) and anything
//! damaged yield no percent cells: their numbers stay bare (calamine decides readability).

use super::numfmt::{is_builtin_percent, is_percent_format};
use std::collections::{HashMap, HashSet};
use std::io::{Cursor, Read};

/// Positions (0-based row, column) of percent-formatted numeric cells, per sheet name.
pub(crate) type PercentCells = HashMap<String, HashSet<(u32, u32)>>;

const BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;
const FILEPASS: u16 = 0x002F;
const FORMAT: u16 = 0x041E;
const XF: u16 = 0x00E0;
const BOUNDSHEET8: u16 = 0x0085;
const NUMBER: u16 = 0x0203;
const RK: u16 = 0x027E;
const MULRK: u16 = 0x00BD;
const FORMULA: u16 = 0x0006;

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// BIFF records from `at`: (type, body), stopping at the end or at a truncated record.
fn records(stream: &[u8], mut at: usize) -> impl Iterator<Item = (u16, &[u8])> {
    std::iter::from_fn(move || {
        let typ = u16_at(stream, at)?;
        let len = u16_at(stream, at + 2)? as usize;
        let body = stream.get(at + 4..at + 4 + len)?;
        at += 4 + len;
        Some((typ, body))
    })
}

/// A BIFF8 string of `cch` characters at `at` (after its length): a flags byte, then Latin-1
/// bytes or UTF-16LE units. Rich-text and phonetic extras are not needed (names, format codes).
fn biff_str(b: &[u8], cch: usize, at: usize) -> Option<String> {
    let flags = *b.get(at)?;
    let mut pos = at + 1;
    if flags & 0x08 != 0 {
        pos += 2; // cRun
    }
    if flags & 0x04 != 0 {
        pos += 4; // cbExtRst
    }
    if flags & 0x01 != 0 {
        let bytes = b.get(pos..pos + cch.checked_mul(2)?)?;
        let units: Vec<u16> = bytes.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
        Some(String::from_utf16_lossy(&units))
    } else {
        Some(b.get(pos..pos + cch)?.iter().map(|&c| char::from(c)).collect())
    }
}

/// The percent-formatted numeric cells of every worksheet; empty for BIFF5, encrypted or
/// damaged files and for workbooks without a percent format.
pub(crate) fn percent_cells(bytes: &[u8], max_cells: u64) -> PercentCells {
    let inner = || -> Option<PercentCells> {
        let mut cf = cfb::CompoundFile::open(Cursor::new(bytes)).ok()?;
        let mut stream = Vec::new();
        cf.open_stream("/Workbook").ok()?.take(bytes.len() as u64).read_to_end(&mut stream).ok()?;
        // Workbook globals: formats, cell XFs, sheets.
        let mut custom: HashMap<u16, bool> = HashMap::new();
        let mut xfs: Vec<bool> = Vec::new();
        let mut sheets: Vec<(String, usize)> = Vec::new();
        for (typ, body) in records(&stream, 0) {
            match typ {
                FILEPASS => return None,
                FORMAT => {
                    let id = u16_at(body, 0)?;
                    let code = biff_str(body, u16_at(body, 2)? as usize, 4).unwrap_or_default();
                    custom.insert(id, is_percent_format(&code));
                }
                XF => {
                    let fmt = u16_at(body, 2)?;
                    xfs.push(custom.get(&fmt).copied().unwrap_or_else(|| is_builtin_percent(u32::from(fmt))));
                }
                BOUNDSHEET8 => {
                    let pos = u32_at(body, 0)? as usize;
                    let cch = *body.get(6)? as usize;
                    sheets.push((biff_str(body, cch, 7)?, pos));
                }
                EOF => break,
                _ => {}
            }
        }
        let mut out = PercentCells::new();
        if !xfs.contains(&true) {
            return Some(out);
        }
        let is_pct = |ixfe: u16| xfs.get(ixfe as usize).copied().unwrap_or(false);
        let mut room = max_cells;
        for (name, pos) in sheets {
            let mut cells = HashSet::new();
            let mut recs = records(&stream, pos);
            if recs.next().map(|(t, _)| t) != Some(BOF) {
                continue;
            }
            for (typ, body) in recs {
                let mut found: Vec<(u16, u16)> = Vec::new();
                match typ {
                    NUMBER | RK | FORMULA => {
                        let (row, col, ixfe) = (u16_at(body, 0)?, u16_at(body, 2)?, u16_at(body, 4)?);
                        // A FORMULA's cached value is a number unless its last two bytes are 0xFFFF.
                        let numeric = typ != FORMULA || u16_at(body, 12)? != 0xFFFF;
                        if numeric && is_pct(ixfe) {
                            found.push((row, col));
                        }
                    }
                    MULRK => {
                        let (row, first) = (u16_at(body, 0)?, u16_at(body, 2)?);
                        let n = body.len().saturating_sub(6) / 6;
                        for i in 0..n {
                            if is_pct(u16_at(body, 4 + 6 * i)?) {
                                found.push((row, first.saturating_add(i as u16)));
                            }
                        }
                    }
                    EOF | BOF => break,
                    _ => {}
                }
                for (row, col) in found {
                    if room == 0 {
                        break;
                    }
                    room -= 1;
                    cells.insert((u32::from(row), u32::from(col)));
                }
            }
            out.insert(name, cells);
        }
        Some(out)
    };
    inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_and_records() {
        assert_eq!(biff_str(&[0, b'0', b'%'], 2, 0).as_deref(), Some("0%"));
        assert_eq!(biff_str(&[1, b'0', 0, b'%', 0], 2, 0).as_deref(), Some("0%"));
        assert_eq!(biff_str(&[1, b'0', 0], 2, 0), None, "truncated");
        let mut s = vec![0x03, 0x02, 2, 0, 9, 9];
        s.extend([0x0A, 0x00, 0, 0]);
        s.extend([0x03, 0x02, 200, 0, 1]); // truncated: not returned
        let got: Vec<(u16, usize)> = records(&s, 0).map(|(t, b)| (t, b.len())).collect();
        assert_eq!(got, vec![(0x0203, 2), (EOF, 0)]);
        assert!(percent_cells(b"not an ole file", 10).is_empty());
    }
}
