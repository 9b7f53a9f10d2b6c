//! Decides a file's format from its bytes only (magic numbers and container contents).

use super::{csvread, IngestError};
use crate::domain::FileFormat;
use std::io::{Cursor, Read};

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const ZIP_EMPTY: &[u8] = b"PK\x05\x06";
const CFB_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
const ODS_MIME: &str = "application/vnd.oasis.opendocument.spreadsheet";

/// Known non-spreadsheet signatures, named in the 415 message.
const OTHER_MAGIC: &[(&[u8], &str)] = &[
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (&[0xFF, 0xD8, 0xFF], "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\x1F\x8B", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xBC\xAF", "a 7-Zip archive"),
    (b"{\\rtf", "an RTF document"),
    (b"\x7FELF", "a program"),
    (b"MZ", "a program"),
];

/// Sniffs the format: zip (xlsx/xlsm/xlsb/ods by their parts), OLE CFB (xls, or an encrypted
/// OOXML package → `password_protected`), delimited text (csv). Everything else is 415.
pub fn sniff(bytes: &[u8]) -> Result<FileFormat, IngestError> {
    if bytes.is_empty() {
        return Err(IngestError::EmptyFile);
    }
    if bytes.starts_with(ZIP_MAGIC) || bytes.starts_with(ZIP_EMPTY) {
        return sniff_zip(bytes);
    }
    if bytes.starts_with(CFB_MAGIC) {
        return sniff_cfb(bytes);
    }
    for (magic, what) in OTHER_MAGIC {
        if bytes.starts_with(magic) {
            return Err(IngestError::UnsupportedFormat { detail: format!("it is {what}") });
        }
    }
    if csvread::looks_like_delimited_text(bytes) {
        return Ok(FileFormat::Csv);
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(IngestError::EmptyFile);
    }
    Err(IngestError::UnsupportedFormat { detail: "it is neither a workbook nor delimited text".into() })
}

fn sniff_zip(bytes: &[u8]) -> Result<FileFormat, IngestError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| IngestError::unreadable(format!("the zip container is damaged or truncated ({e})")))?;
    let has = |zip: &zip::ZipArchive<_>, name: &str| zip.index_for_name(name).is_some();
    if has(&zip, "xl/workbook.bin") {
        return Ok(FileFormat::Xlsb);
    }
    if has(&zip, "xl/workbook.xml") {
        let macro_ct = read_small(&mut zip, "[Content_Types].xml", 1 << 20)
            .map(|ct| ct.to_ascii_lowercase().contains("macroenabled"))
            .unwrap_or(false);
        if macro_ct || has(&zip, "xl/vbaProject.bin") {
            return Ok(FileFormat::Xlsm);
        }
        return Ok(FileFormat::Xlsx);
    }
    if let Some(m) = read_small(&mut zip, "mimetype", 256) {
        if m.trim() == ODS_MIME {
            return Ok(FileFormat::Ods);
        }
        return Err(IngestError::UnsupportedFormat {
            detail: format!("it is an OpenDocument file of type {}", m.trim()),
        });
    }
    if has(&zip, "word/document.xml") {
        return Err(IngestError::UnsupportedFormat { detail: "it is a Word document".into() });
    }
    Err(IngestError::UnsupportedFormat { detail: "it is a zip archive without a workbook in it".into() })
}

/// Reads a small text entry, at most `cap` bytes; None when absent or unreadable.
fn read_small<R: Read + std::io::Seek>(zip: &mut zip::ZipArchive<R>, name: &str, cap: u64) -> Option<String> {
    let f = zip.by_name(name).ok()?;
    let mut s = String::new();
    f.take(cap).read_to_string(&mut s).ok()?;
    Some(s)
}

fn sniff_cfb(bytes: &[u8]) -> Result<FileFormat, IngestError> {
    // Directory entry names are UTF-16LE; an encrypted OOXML package has these two streams.
    if contains_utf16(bytes, "EncryptedPackage") || contains_utf16(bytes, "EncryptionInfo") {
        return Err(IngestError::PasswordProtected);
    }
    if contains_utf16(bytes, "Workbook") || contains_utf16(bytes, "Book") {
        return Ok(FileFormat::Xls);
    }
    if contains_utf16(bytes, "WordDocument") {
        return Err(IngestError::UnsupportedFormat { detail: "it is a Word document".into() });
    }
    Err(IngestError::UnsupportedFormat { detail: "it is an OLE file without a workbook stream".into() })
}

fn contains_utf16(hay: &[u8], needle: &str) -> bool {
    let n: Vec<u8> = needle.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    hay.windows(n.len()).any(|w| w == n.as_slice())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_formats() {
        assert_eq!(sniff(b"name,country\nA,TH\n").unwrap(), FileFormat::Csv);
        assert_eq!(sniff(b"\xEF\xBB\xBFname;country\r\nA;TH\r\n").unwrap(), FileFormat::Csv);
        assert_eq!(sniff(b"name\tcountry\nA\tTH\n").unwrap(), FileFormat::Csv);
        // Windows-1252 with an accented name.
        assert_eq!(sniff(b"name;country\nSoci\xE9t\xE9;FR\n").unwrap(), FileFormat::Csv);
        let utf16: Vec<u8> =
            [0xFF, 0xFE].into_iter().chain("a\tb\n1\t2\n".encode_utf16().flat_map(|u| u.to_le_bytes())).collect();
        assert_eq!(sniff(&utf16).unwrap(), FileFormat::Csv);
    }

    #[test]
    fn refusals() {
        assert_eq!(sniff(b"").unwrap_err(), IngestError::EmptyFile);
        assert_eq!(sniff(b"%PDF-1.7\n%...").unwrap_err().status(), 415);
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n....").unwrap_err().code(), "unsupported_format");
        let e = sniff(b"PK\x03\x04\x14\x00\x00\x00truncated").unwrap_err();
        assert_eq!(e.code(), "unreadable_file");
    }

    #[test]
    fn cfb_names() {
        let mut f = CFB_MAGIC.to_vec();
        f.extend("Workbook".encode_utf16().flat_map(|u| u.to_le_bytes()));
        assert_eq!(sniff(&f).unwrap(), FileFormat::Xls);
        let mut f = CFB_MAGIC.to_vec();
        f.extend("EncryptionInfo".encode_utf16().flat_map(|u| u.to_le_bytes()));
        assert_eq!(sniff(&f).unwrap_err(), IngestError::PasswordProtected);
    }
}
