//! Text normalisation for cell values: NFC, trimmed, control characters removed.

use unicode_normalization::UnicodeNormalization;

/// Cleans a cell's text: NFC-normalises, turns `\r\n`/`\r` into `\n`, tabs and non-breaking
/// spaces into spaces, drops other control characters (newlines are kept: lists use them) and
/// the BOM, and trims.
pub fn clean_text(raw: &str) -> String {
    // Printable ASCII needs no more than a trim (a byte scan: most cells are such).
    let needs_work = raw.bytes().any(|b| !(0x20..0x7f).contains(&b));
    if !needs_work {
        return raw.trim().to_string();
    }
    let mut out = String::with_capacity(raw.len());
    let mut prev_cr = false;
    for c in raw.nfc() {
        match c {
            '\r' => out.push('\n'),
            '\n' if prev_cr => {}
            '\n' => out.push('\n'),
            '\t' | '\u{A0}' => out.push(' '),
            '\u{FEFF}' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
        prev_cr = c == '\r';
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans() {
        assert_eq!(clean_text("  Acme\u{0007} Ltd\u{A0} "), "Acme Ltd");
        assert_eq!(clean_text("a\r\nb\rc"), "a\nb\nc");
        assert_eq!(clean_text("\u{FEFF}name"), "name");
        // NFC: e + combining acute → é
        assert_eq!(clean_text("Soci\u{65}\u{301}t\u{e9}"), "Soci\u{e9}t\u{e9}");
    }
}
