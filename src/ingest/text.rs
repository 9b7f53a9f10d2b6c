//! Text normalisation for cell values: NFC, trimmed, control characters removed; and the
//! handling of bidirectional controls, which can make a name read differently from what it
//! holds (removed from identifiers, shown as a visible marker in names).

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

/// The visible marker of a bidirectional control character (U+202A–U+202E, U+2066–U+2069,
/// U+200E, U+200F, U+061C), or None for any other character.
pub fn bidi_marker(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{202A}' => "[LRE]",
        '\u{202B}' => "[RLE]",
        '\u{202C}' => "[PDF]",
        '\u{202D}' => "[LRO]",
        '\u{202E}' => "[RLO]",
        '\u{2066}' => "[LRI]",
        '\u{2067}' => "[RLI]",
        '\u{2068}' => "[FSI]",
        '\u{2069}' => "[PDI]",
        '\u{200E}' => "[LRM]",
        '\u{200F}' => "[RLM]",
        '\u{061C}' => "[ALM]",
        _ => return None,
    })
}

/// True when `s` holds a bidirectional control character.
pub fn has_bidi(s: &str) -> bool {
    // Every one of them is outside ASCII: most text is decided by a byte scan.
    !s.is_ascii() && s.chars().any(|c| bidi_marker(c).is_some())
}

/// `s` without its bidirectional control characters (for identifiers: a reference, a
/// registration number or a file name must read as what it is).
pub fn strip_bidi(s: &str) -> String {
    if !has_bidi(s) {
        return s.to_string();
    }
    s.chars().filter(|&c| bidi_marker(c).is_none()).collect()
}

/// `s` with each bidirectional control character replaced by its visible marker, e.g. "[RLO]"
/// (for names: an auditor sees that the name was written to display differently).
pub fn mark_bidi(s: &str) -> String {
    if !has_bidi(s) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match bidi_marker(c) {
            Some(m) => out.push_str(m),
            None => out.push(c),
        }
    }
    out
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

    #[test]
    fn bidirectional_controls_are_stripped_or_marked() {
        let all = "\u{202A}\u{202B}\u{202C}\u{202D}\u{202E}\u{2066}\u{2067}\u{2068}\u{2069}\u{200E}\u{200F}\u{061C}";
        assert_eq!(strip_bidi(&format!("AB{all}-12")), "AB-12");
        assert_eq!(mark_bidi(&format!("x{all}")), "x[LRE][RLE][PDF][LRO][RLO][LRI][RLI][FSI][PDI][LRM][RLM][ALM]");
        assert_eq!(mark_bidi("Acme \u{202E}gpj.exe"), "Acme [RLO]gpj.exe");
        assert!(!has_bidi("S\u{e3}o Paulo \u{5d0}\u{5d1}") && has_bidi("a\u{200F}"));
        assert_eq!(strip_bidi("S\u{e3}o Paulo"), "S\u{e3}o Paulo");
    }
}
