//! Indicator phrases in free-text notes (`data/note_phrases.csv`, English, Spanish, French,
//! Portuguese) and the negation and remediation cues that cancel them
//! (`data/note_negations.csv`).
//!
//! Text is folded (lower case, accents removed, punctuation a space) and split into clauses at
//! `. ; ! ?` and line breaks. A phrase is a sequence of words in which `word*` matches any word
//! starting with `word` and `#N` any number of at least N ("12" or "72h"); up to two other words
//! may stand between two words of a phrase ("passports reportedly held"). A match does not
//! count when a `before` cue ("no", "not", "sin", "pas", "não", ...) stands in the three words
//! before it or between its words, or when a `clause` cue ("reimbursed", "returned",
//! "lockers", ...) appears anywhere in its clause. One hit per indicator: the first phrase in
//! file order that matches.

use super::text::fold;
use crate::domain::Dimension;
use serde::Deserialize;
use std::sync::LazyLock;

pub const NOTE_PHRASES_FILE: &str = "note_phrases.csv";
pub const NOTE_NEGATIONS_FILE: &str = "note_negations.csv";
pub(super) const NOTE_PHRASES_CSV: &str = include_str!("../../data/note_phrases.csv");
pub(super) const NOTE_NEGATIONS_CSV: &str = include_str!("../../data/note_negations.csv");

const BEFORE_WINDOW: usize = 3;
const MAX_GAP: usize = 2;

/// An indicator phrase found in a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteHit {
    /// ILO indicator id, child-labour id or context id (`retention_of_identity_documents`, ...).
    pub indicator: String,
    pub dimension: Dimension,
    /// The phrase of the file that matched.
    pub phrase: String,
    /// The phrase's language (en, es, fr, pt).
    pub language: String,
    /// The clause of the note it was found in, as written.
    pub excerpt: String,
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Prefix(String),
    AtLeast(u32),
}

impl Token {
    fn parse(raw: &str) -> Option<Token> {
        if let Some(n) = raw.strip_prefix('#') {
            // "#61h": the number only; the unit is read from the note's word as written.
            let digits: String = n.chars().take_while(char::is_ascii_digit).collect();
            return digits.parse().ok().map(Token::AtLeast);
        }
        let folded = fold(raw.trim_end_matches('*'));
        if folded.is_empty() || folded.contains(' ') {
            return None;
        }
        Some(if raw.ends_with('*') { Token::Prefix(folded) } else { Token::Word(folded) })
    }

    fn matches(&self, word: &str) -> bool {
        match self {
            Token::Word(w) => w == word,
            Token::Prefix(p) => word.starts_with(p.as_str()),
            Token::AtLeast(n) => {
                let digits: String = word.chars().take_while(char::is_ascii_digit).collect();
                digits.parse::<u32>().is_ok_and(|v| v >= *n)
            }
        }
    }
}

/// "passport* held" → tokens; None when a token is malformed.
fn pattern(raw: &str) -> Option<Vec<Token>> {
    let tokens: Option<Vec<Token>> = raw.split_whitespace().map(Token::parse).collect();
    tokens.filter(|t| !t.is_empty())
}

#[derive(Debug)]
struct Phrase {
    written: String,
    tokens: Vec<Token>,
    language: String,
    indicator: String,
    dimension: Dimension,
}

#[derive(Debug, Default)]
struct Cues {
    before: Vec<Token>,
    clause: Vec<Vec<Token>>,
}

#[derive(Deserialize)]
struct RawPhrase {
    phrase: String,
    language: String,
    indicator: String,
    dimension: String,
}

#[derive(Deserialize)]
struct RawCue {
    cue: String,
    scope: String,
}

static PHRASES: LazyLock<Vec<Phrase>> = LazyLock::new(|| {
    super::rows::<RawPhrase>(NOTE_PHRASES_CSV)
        .into_iter()
        .filter_map(|r| {
            Some(Phrase {
                tokens: pattern(&r.phrase)?,
                dimension: Dimension::from_id(r.dimension.trim())?,
                written: r.phrase.trim().to_string(),
                language: r.language.trim().to_string(),
                indicator: r.indicator.trim().to_string(),
            })
        })
        .collect()
});

static CUES: LazyLock<Cues> = LazyLock::new(|| {
    let mut cues = Cues::default();
    for r in super::rows::<RawCue>(NOTE_NEGATIONS_CSV) {
        match (r.scope.trim(), pattern(&r.cue)) {
            ("before", Some(mut t)) if t.len() == 1 => cues.before.extend(t.pop()),
            ("clause", Some(t)) => cues.clause.push(t),
            _ => {}
        }
    }
    cues
});

/// Where the pattern matches in `words`: the indices of its words, the first match only.
fn find(words: &[&str], tokens: &[Token]) -> Option<Vec<usize>> {
    let (first, rest) = tokens.split_first()?;
    'start: for start in (0..words.len()).filter(|&i| first.matches(words[i])) {
        let mut at = vec![start];
        for t in rest {
            let prev = at[at.len() - 1];
            let next = (prev + 1..=(prev + 1 + MAX_GAP).min(words.len().saturating_sub(1)))
                .find(|&j| j < words.len() && t.matches(words[j]));
            match next {
                Some(j) => at.push(j),
                None => continue 'start,
            }
        }
        return Some(at);
    }
    None
}

fn find_all(words: &[&str], tokens: &[Token]) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    let mut from = 0;
    while from < words.len() {
        match find(&words[from..], tokens) {
            Some(at) => {
                let shifted: Vec<usize> = at.iter().map(|i| i + from).collect();
                from = shifted[0] + 1;
                out.push(shifted);
            }
            None => break,
        }
    }
    out
}

fn negated(words: &[&str], at: &[usize], cues: &Cues) -> bool {
    let (Some(&start), Some(&end)) = (at.first(), at.last()) else {
        return true;
    };
    let before = &words[start.saturating_sub(BEFORE_WINDOW)..start];
    let gaps = (start..=end).filter(|i| !at.contains(i)).map(|i| words[i]);
    before.iter().copied().chain(gaps).any(|w| cues.before.iter().any(|c| c.matches(w)))
}

fn remediated(words: &[&str], cues: &Cues) -> bool {
    cues.clause.iter().any(|c| find(words, c).is_some_and(|at| at.windows(2).all(|p| p[1] == p[0] + 1)))
}

/// Splits a note into clauses at sentence punctuation (a full stop between digits is kept).
fn clauses(text: &str) -> Vec<&str> {
    let bytes: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut start = 0;
    for (k, &(i, c)) in bytes.iter().enumerate() {
        let split = match c {
            ';' | '!' | '?' | '\n' | '\r' | '。' | '；' => true,
            '.' => !bytes.get(k + 1).is_some_and(|(_, n)| n.is_ascii_digit()),
            _ => false,
        };
        if split {
            out.push(&text[start..i]);
            start = i + c.len_utf8();
        }
    }
    out.push(&text[start..]);
    out.into_iter().map(str::trim).filter(|c| !c.is_empty()).collect()
}

/// The indicators a free-text note reports, one hit per indicator (see the module doc).
pub fn note_indicators(text: &str) -> Vec<NoteHit> {
    let cues = &*CUES;
    let folded: Vec<(&str, String)> = clauses(text).into_iter().map(|c| (c, fold(c))).collect();
    // Clauses a remediation cue cancels are dropped once, before the phrases are tried.
    let live: Vec<(&str, Vec<&str>)> = folded
        .iter()
        .map(|(c, f)| (*c, f.split(' ').filter(|w| !w.is_empty()).collect::<Vec<&str>>()))
        .filter(|(_, words)| !words.is_empty() && !remediated(words, cues))
        .collect();
    let mut hits: Vec<NoteHit> = Vec::new();
    for p in PHRASES.iter() {
        if hits.iter().any(|h| h.indicator == p.indicator) {
            continue;
        }
        let found =
            live.iter().find(|(_, words)| find_all(words, &p.tokens).iter().any(|at| !negated(words, at, cues)));
        if let Some((clause, _)) = found {
            hits.push(NoteHit {
                indicator: p.indicator.clone(),
                dimension: p.dimension,
                phrase: p.written.clone(),
                language: p.language.clone(),
                excerpt: clause.to_string(),
            });
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(text: &str) -> Vec<String> {
        note_indicators(text).into_iter().map(|h| h.indicator).collect()
    }

    #[test]
    fn files_parse_completely() {
        let rows = NOTE_PHRASES_CSV.lines().skip(1).filter(|l| !l.trim().is_empty()).count();
        assert_eq!(PHRASES.len(), rows);
        let cues = NOTE_NEGATIONS_CSV.lines().skip(1).filter(|l| !l.trim().is_empty()).count();
        assert_eq!(CUES.before.len() + CUES.clause.len(), cues);
        for lang in ["en", "es", "fr", "pt"] {
            assert!(PHRASES.iter().any(|p| p.language == lang), "{lang}");
        }
    }

    #[test]
    fn sample_note_families() {
        let h = note_indicators("Passports reportedly held by employer for safekeeping.");
        assert_eq!(h.len(), 1);
        assert_eq!(
            (h[0].indicator.as_str(), h[0].dimension, h[0].language.as_str()),
            ("retention_of_identity_documents", Dimension::MenaceOfPenalty, "en")
        );
        assert_eq!(h[0].excerpt, "Passports reportedly held by employer for safekeeping");
        assert_eq!(ids("Audit found overtime exceeding 60h/week in peak season."), ["excessive_overtime"]);
        assert_eq!(ids("Subcontracts packing to unregistered workshop."), ["subcontracting_unregistered"]);
        assert_eq!(ids("Deductions for housing and food from wages."), ["withholding_of_wages"]);
        assert_eq!(ids("Dormitory inspected, 12 workers per room."), ["abusive_conditions"]);
        assert_eq!(ids("Supplier declined unannounced audit."), ["audit_declined"]);
        assert_eq!(ids("Wage slips not available in workers' language."), ["documents_not_in_workers_language"]);
        assert_eq!(ids("Seasonal workforce doubles during harvest."), ["seasonal_workforce"]);
        assert_eq!(ids("Workers recruited via agency in Nepal; fees unclear."), ["recruitment_fees_unclear"]);
        assert_eq!(ids("Ownership structure under review by compliance."), ["ownership_unclear"]);
        for quiet in [
            "No issues found at last visit.",
            "Recruitment fees reimbursed after 2022 CAP.",
            "Grievance hotline in place since 2021.",
            "Certification: SA8000 (expired).",
            "Contact person changed twice this year.",
            "Dormitory inspected, 4 workers per room.",
        ] {
            assert!(ids(quiet).is_empty(), "{quiet}: {:?}", ids(quiet));
        }
        assert_eq!(
            ids("Recruitment fees reimbursed after 2022 CAP. Passports reportedly held by employer for safekeeping."),
            ["retention_of_identity_documents"]
        );
    }

    #[test]
    fn every_sample_note_gives_its_families() {
        let note = "Workers recruited via agency in Nepal; fees unclear. Audit found overtime exceeding 60h/week in \
                    peak season. Passports reportedly held by employer for safekeeping.";
        let mut got = ids(note);
        got.sort();
        assert_eq!(got, ["excessive_overtime", "recruitment_fees_unclear", "retention_of_identity_documents"]);
    }

    #[test]
    fn negated_and_remediated_statements_do_not_fire() {
        for quiet in [
            "passports returned to workers",
            "no passport retention",
            "Passports held by workers in personal lockers",
            "Passports are not held by the employer",
            "No recruitment fees charged; employer pays all costs",
            "No forced overtime reported",
            "Sin retención de pasaportes",
            "Les passeports ne sont pas confisqués",
            "Não há servidão por dívida",
            "Wages withheld in 2021, remediated and repaid",
        ] {
            assert!(ids(quiet).is_empty(), "{quiet}: {:?}", ids(quiet));
        }
    }

    #[test]
    fn other_languages_are_read() {
        let one = |t: &str| note_indicators(t).into_iter().map(|h| (h.indicator, h.language)).collect::<Vec<_>>();
        let pair = |i: &str, l: &str| vec![(i.to_string(), l.to_string())];
        assert_eq!(one("Pasaportes retenidos por el supervisor"), pair("retention_of_identity_documents", "es"));
        assert_eq!(one("La empresa retienen los pasaportes"), pair("retention_of_identity_documents", "es"));
        assert_eq!(one("Trabajadores con deudas con el reclutador"), pair("debt_bondage", "es"));
        assert_eq!(one("Horas extras obligatorias en temporada"), pair("excessive_overtime", "es"));
        assert_eq!(one("Passeports confisqués à l'arrivée"), pair("retention_of_identity_documents", "fr"));
        assert_eq!(one("Retenue des salaires pendant trois mois"), pair("withholding_of_wages", "fr"));
        assert_eq!(one("Passaportes retidos pelo empregador"), pair("retention_of_identity_documents", "pt"));
        assert_eq!(one("Indícios de servidão por dívida"), pair("debt_bondage", "pt"));
        assert_eq!(one("Jornada exaustiva na colheita"), pair("excessive_overtime", "pt"));
    }

    #[test]
    fn child_labour_and_numbers() {
        let h = note_indicators("Child labour observed at the farm; minors on night shifts in packing.");
        let got: Vec<(&str, Dimension)> = h.iter().map(|x| (x.indicator.as_str(), x.dimension)).collect();
        assert_eq!(got, [("child_labour", Dimension::ChildLabour), ("hazardous_child_labour", Dimension::ChildLabour)]);
        assert_eq!(ids("Workers do 72 hours per week in peak"), ["excessive_overtime"]);
        assert!(ids("Workers do 48 hours per week").is_empty());
        assert!(ids("").is_empty());
        assert!(ids(". ; !").is_empty());
    }
}
