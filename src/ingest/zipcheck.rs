//! Zip pre-checks run before calamine opens a zip-based workbook: entry count, declared and
//! actual sizes, compression ratio, nested archives and the declared shared-string counts
//! (`sharedStrings.xml` attributes, xlsb `sharedStrings.bin` BrtBeginSst).

use super::{IngestError, Limits};
use std::io::{Cursor, Read};

const NESTED: &[&str] =
    &[".zip", ".gz", ".7z", ".rar", ".tar", ".jar", ".xlsx", ".xlsm", ".xlsb", ".docx", ".pptx", ".ods", ".odt"];

fn bomb(detail: impl Into<String>) -> IngestError {
    IngestError::ArchiveBomb { detail: detail.into() }
}

/// Refuses a zip container that could exhaust memory or time before any parser sees it.
pub(crate) fn precheck_zip(bytes: &[u8], limits: &Limits) -> Result<(), IngestError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| IngestError::unreadable(format!("the zip container is damaged or truncated ({e})")))?;
    if zip.len() as u64 > limits.max_zip_entries {
        return Err(bomb(format!("{} entries (limit {})", zip.len(), limits.max_zip_entries)));
    }
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let f = zip.by_index_raw(i).map_err(|e| IngestError::unreadable(format!("zip entry {i}: {e}")))?;
        let (name, size, csize) = (f.name().to_string(), f.size(), f.compressed_size());
        let lower = name.to_ascii_lowercase();
        if NESTED.iter().any(|ext| lower.ends_with(ext)) {
            return Err(bomb(format!("it contains a nested archive ({name})")));
        }
        if size > limits.max_entry_uncompressed {
            return Err(bomb(format!(
                "entry {name} expands to {size} bytes (limit {})",
                limits.max_entry_uncompressed
            )));
        }
        if size >= limits.ratio_check_min_bytes && size / csize.max(1) > limits.max_compression_ratio {
            return Err(bomb(format!(
                "entry {name} expands {}:1 (limit {}:1)",
                size / csize.max(1),
                limits.max_compression_ratio
            )));
        }
        total = total.saturating_add(size);
        if total > limits.max_uncompressed_total {
            return Err(bomb(format!("it expands to more than {} bytes", limits.max_uncompressed_total)));
        }
    }
    // Declared sizes can lie: decompress every entry except the worksheets (which are read
    // by the streaming reader under cell caps) and count the real bytes.
    let mut actual_total: u64 = 0;
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).map_err(|e| IngestError::unreadable(format!("zip entry {i}: {e}")))?;
        let name = f.name().to_string();
        let lower = name.to_ascii_lowercase();
        if lower.contains("worksheets/sheet") {
            continue;
        }
        let cap = limits.max_entry_uncompressed.min(f.size().saturating_add(1 << 20));
        let is_sst = lower.ends_with("sharedstrings.xml");
        let is_sst_bin = lower.ends_with("sharedstrings.bin");
        let mut head = Vec::new();
        let mut counted: u64 = 0;
        let mut buf = [0u8; 64 * 1024];
        loop {
            let n = match f.read(&mut buf) {
                Ok(n) => n,
                Err(e) => return Err(IngestError::unreadable(format!("zip entry {name}: {e}"))),
            };
            if n == 0 {
                break;
            }
            if (is_sst || is_sst_bin) && head.len() < 64 * 1024 {
                head.extend_from_slice(&buf[..n.min(64 * 1024 - head.len())]);
            }
            counted += n as u64;
            if counted > cap {
                return Err(bomb(format!("entry {name} expands beyond its declared size")));
            }
        }
        actual_total += counted;
        if actual_total > limits.max_uncompressed_total {
            return Err(bomb(format!("it expands to more than {} bytes", limits.max_uncompressed_total)));
        }
        if is_sst {
            check_sst_counts(&head, counted, limits)?;
        }
        if is_sst_bin {
            check_sst_bin_counts(&head, counted, limits)?;
        }
    }
    Ok(())
}

/// Reads `uniqueCount` and `count` of the `<sst>` start tag and refuses implausible values
/// (calamine reserves `uniqueCount` strings up front and aborts on a huge value).
fn check_sst_counts(head: &[u8], entry_size: u64, limits: &Limits) -> Result<(), IngestError> {
    let text = String::from_utf8_lossy(head);
    let Some(tag) = find_start_tag(&text, "sst") else {
        return Ok(());
    };
    let declared = |attr: &str| attr_value(tag, attr).map(|raw| raw.trim().parse::<u64>().unwrap_or(u64::MAX));
    // Each <si> element takes at least 8 bytes of XML.
    check_string_counts(declared("uniqueCount"), declared("count"), entry_size / 8 + 16, limits)
}

/// The xlsb counterpart: the first record of `xl/sharedStrings.bin` is BrtBeginSst (cstTotal,
/// cstUnique). calamine reads up to cstUnique BrtSSTItem records, so it bounds the strings kept.
fn check_sst_bin_counts(head: &[u8], entry_size: u64, limits: &Limits) -> Result<(), IngestError> {
    const BRT_BEGIN_SST: u16 = 0x009F;
    let mut recs = super::xlsb_percent::Records::new(head);
    // calamine skips any records before it; a missing or damaged one is calamine's to refuse.
    while let Ok(Some((typ, body))) = recs.next(&[BRT_BEGIN_SST]) {
        if typ == BRT_BEGIN_SST {
            let at = |i: usize| body.get(i..i + 4).map(|b| u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])));
            // Each BrtSSTItem takes at least 7 bytes (header, flags, character count).
            return check_string_counts(at(4), at(0), entry_size / 7 + 16, limits);
        }
    }
    Ok(())
}

/// Refuses a declared number of unique strings over the cap or over what the entry could hold
/// (`plausible`), and an absurd total count.
fn check_string_counts(
    unique: Option<u64>,
    total: Option<u64>,
    plausible: u64,
    limits: &Limits,
) -> Result<(), IngestError> {
    if let Some(declared) = unique {
        if declared > limits.max_shared_strings || declared > plausible {
            return Err(IngestError::TooManyStrings { declared, limit: limits.max_shared_strings.min(plausible) });
        }
    }
    if let Some(declared) = total {
        if declared > limits.max_cells.max(limits.max_shared_strings) * 10 {
            return Err(IngestError::TooManyStrings { declared, limit: limits.max_cells * 10 });
        }
    }
    Ok(())
}

/// The text of the first start tag whose local name is `local` (prefix allowed).
fn find_start_tag<'a>(text: &'a str, local: &str) -> Option<&'a str> {
    let mut rest = text;
    while let Some(lt) = rest.find('<') {
        let after = &rest[lt + 1..];
        let end = after.find('>').unwrap_or(after.len());
        let tag = &after[..end];
        let name = tag.split(|c: char| c.is_whitespace() || c == '/').next().unwrap_or("");
        if name.rsplit(':').next() == Some(local) {
            return Some(tag);
        }
        rest = &after[end.min(after.len())..];
    }
    None
}

fn attr_value<'a>(tag: &'a str, attr: &str) -> Option<&'a str> {
    let mut search = tag;
    while let Some(i) = search.find(attr) {
        let before_ok = i == 0 || search[..i].ends_with(|c: char| c.is_whitespace());
        let after = search[i + attr.len()..].trim_start();
        if before_ok {
            if let Some(v) = after.strip_prefix('=') {
                let v = v.trim_start();
                let q = v.chars().next()?;
                if q == '"' || q == '\'' {
                    let inner = &v[1..];
                    return inner.find(q).map(|e| &inner[..e]);
                }
            }
        }
        search = &search[i + attr.len()..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sst_attributes() {
        let x = br#"<?xml version="1.0"?><x:sst xmlns:x="s" count="3" uniqueCount="2"><si>"#;
        let tag = find_start_tag(std::str::from_utf8(x).unwrap(), "sst").unwrap();
        assert_eq!(attr_value(tag, "uniqueCount"), Some("2"));
        assert_eq!(attr_value(tag, "count"), Some("3"));
        assert!(check_sst_counts(x, 1000, &Limits::default()).is_ok());
        let big = br#"<sst count="1" uniqueCount="100000000000000">"#;
        let e = check_sst_counts(big, 1000, &Limits::default()).unwrap_err();
        assert_eq!(e.code(), "too_many_strings");
        // Larger than the entry could possibly hold, though under the absolute cap.
        let lie = br#"<sst uniqueCount="4000000">"#;
        assert!(check_sst_counts(lie, 2000, &Limits::default()).is_err());
    }

    #[test]
    fn sst_bin_counts() {
        // BrtBeginSst: type 0x9F as two bytes (0x9F, 0x01), length 8, cstTotal, cstUnique.
        let rec = |total: u32, unique: u32| {
            let mut r = vec![0x9F, 0x01, 8];
            r.extend(total.to_le_bytes());
            r.extend(unique.to_le_bytes());
            r
        };
        assert!(check_sst_bin_counts(&rec(3, 2), 1000, &Limits::default()).is_ok());
        let e = check_sst_bin_counts(&rec(1, u32::MAX), 10_000_000_000, &Limits::default()).unwrap_err();
        assert_eq!(e.code(), "too_many_strings");
        assert!(check_sst_bin_counts(&rec(1, 4_000_000), 2000, &Limits::default()).is_err(), "more than it holds");
        assert!(check_sst_bin_counts(b"\x01\x02", 2000, &Limits::default()).is_ok(), "damaged: left to calamine");
    }
}
