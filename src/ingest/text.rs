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
    // Text already in NFC (nearly all of it) skips the normaliser's per-character buffering.
    if unicode_normalization::is_nfc_quick(raw.chars()) == unicode_normalization::IsNormalized::Yes {
        clean_chars(raw.chars(), raw.len())
    } else {
        clean_chars(raw.nfc(), raw.len())
    }
}

/// [`clean_text`] of an owned string: the same text, in `raw`'s own buffer when it needs
/// nothing done (printable ASCII without spaces at either end: most cells), so that no copy is
/// made.
pub fn clean_owned(raw: String) -> String {
    let b = raw.as_bytes();
    let clean = b.iter().all(|b| (0x20..0x7f).contains(b)) && b.first() != Some(&b' ') && b.last() != Some(&b' ');
    if clean {
        raw
    } else {
        clean_text(&raw)
    }
}

fn clean_chars(chars: impl Iterator<Item = char>, len: usize) -> String {
    let mut out = String::with_capacity(len);
    let mut prev_cr = false;
    for c in chars {
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
    use proptest::prelude::*;

    proptest! {
        /// Skipping the normaliser for text already in NFC changes nothing.
        #[test]
        fn the_quick_path_cleans_as_the_normaliser_does(raw in any::<String>()) {
            prop_assert_eq!(clean_text(&raw), clean_chars(raw.nfc(), raw.len()));
        }

        /// Cleaning an owned string gives what cleaning its text gives, printable ASCII with
        /// spaces anywhere included.
        #[test]
        fn cleaning_an_owned_string_is_cleaning_its_text(raw in prop_oneof![any::<String>(), "[ -~]{0,12}", " ?[a-z ]{0,6} ?"]) {
            prop_assert_eq!(clean_owned(raw.clone()), clean_text(&raw));
        }
    }

    #[test]
    fn cleans() {
        assert_eq!(clean_text("  Acme\u{0007} Ltd\u{A0} "), "Acme Ltd");
        assert_eq!(clean_text("a\r\nb\rc"), "a\nb\nc");
        assert_eq!(clean_text("\u{FEFF}name"), "name");
        // NFC: e + combining acute → é
        assert_eq!(clean_text("Soci\u{65}\u{301}t\u{e9}"), "Soci\u{e9}t\u{e9}");
        // Already NFC, with what still needs cleaning.
        assert_eq!(clean_text(" S\u{e3}o\tPaulo\r\n\u{7}Ltd\u{A0}"), "S\u{e3}o Paulo\nLtd");
    }
}
