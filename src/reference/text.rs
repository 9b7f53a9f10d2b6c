//! Text folding and whole-word matching shared by the reference matchers (UFLPA sectors,
//! Xinjiang places, note phrases, sector keywords).

use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};

/// Lower case, accents removed (NFD minus combining marks), every character that is not a
/// letter or digit a space, spaces collapsed. "Ürümqi" → "urumqi"; CJK characters are kept.
/// The one folding of the project: names, identifiers and reference phrases alike.
pub fn fold(raw: &str) -> String {
    if raw.is_ascii() {
        return fold_chars(raw.chars(), raw.len());
    }
    fold_chars(raw.nfd().filter(|c| !is_combining_mark(*c)), raw.len())
}

fn fold_chars(chars: impl Iterator<Item = char>, len: usize) -> String {
    let mut out = String::with_capacity(len);
    let mut space = true;
    for c in chars {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
            space = false;
        } else if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
            space = false;
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// The folded words of a text.
pub fn folded_words(raw: &str) -> Vec<String> {
    fold(raw).split(' ').filter(|w| !w.is_empty()).map(str::to_string).collect()
}

/// The start index of the first occurrence of `phrase` as consecutive whole words in `words`.
pub fn find_phrase<S: AsRef<str>, P: AsRef<str>>(words: &[S], phrase: &[P]) -> Option<usize> {
    if phrase.is_empty() || phrase.len() > words.len() {
        return None;
    }
    (0..=words.len() - phrase.len()).find(|&i| phrase.iter().zip(&words[i..]).all(|(p, w)| p.as_ref() == w.as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_accents_case_and_punctuation() {
        assert_eq!(fold("  Ürümqi, XINJIANG-Road "), "urumqi xinjiang road");
        assert_eq!(fold("Servidão por dívida"), "servidao por divida");
        assert_eq!(fold("乌鲁木齐市"), "乌鲁木齐市");
        assert_eq!(fold("...!"), "");
    }

    #[test]
    fn phrases_match_whole_words_only() {
        let w = folded_words("Shamir Road, Hami City");
        assert_eq!(find_phrase(&w, &["hami"]), Some(2));
        assert_eq!(find_phrase(&w, &["hami", "city"]), Some(2));
        assert_eq!(find_phrase(&w, &["city", "hami"]), None);
        assert_eq!(find_phrase(&folded_words("steelers"), &["steel"]), None);
        assert_eq!(find_phrase::<String, &str>(&[], &["x"]), None);
    }
}
