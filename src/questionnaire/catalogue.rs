//! The questionnaire catalogue: every embedded definition (current and archived versions),
//! merged per sector (core + sector items), loaded once and validated.

use super::definition::{DefinitionError, Section, SectorQuestionnaire};
use super::load::{parse_file, semver_key, ParsedFile};
use crate::domain::Sector;
use serde::Serialize;
use std::collections::HashSet;
use std::sync::LazyLock;

/// The current definitions, compiled into the binary.
const CURRENT: &[(&str, &str)] = &[
    ("questionnaires/common.toml", include_str!("../../questionnaires/common.toml")),
    ("questionnaires/agriculture.toml", include_str!("../../questionnaires/agriculture.toml")),
    ("questionnaires/construction.toml", include_str!("../../questionnaires/construction.toml")),
    ("questionnaires/hospitality.toml", include_str!("../../questionnaires/hospitality.toml")),
    ("questionnaires/manufacturing.toml", include_str!("../../questionnaires/manufacturing.toml")),
];

/// Older versions (`questionnaires/archive/<id>-<version>.toml`), kept so that templates
/// filled in against them are still read, and scored, by their own version's rules.
const ARCHIVE: &[(&str, &str)] = &[
    (
        "questionnaires/archive/manumit-core-1.0.0.toml",
        include_str!("../../questionnaires/archive/manumit-core-1.0.0.toml"),
    ),
    (
        "questionnaires/archive/manumit-agriculture-1.0.0.toml",
        include_str!("../../questionnaires/archive/manumit-agriculture-1.0.0.toml"),
    ),
    (
        "questionnaires/archive/manumit-construction-1.0.0.toml",
        include_str!("../../questionnaires/archive/manumit-construction-1.0.0.toml"),
    ),
    (
        "questionnaires/archive/manumit-hospitality-1.0.0.toml",
        include_str!("../../questionnaires/archive/manumit-hospitality-1.0.0.toml"),
    ),
    (
        "questionnaires/archive/manumit-manufacturing-1.0.0.toml",
        include_str!("../../questionnaires/archive/manumit-manufacturing-1.0.0.toml"),
    ),
];

/// One line of `GET /api/v1/questionnaires`.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct QuestionnaireSummary {
    pub sector: Sector,
    pub id: String,
    pub version: String,
    pub title: String,
    pub question_count: usize,
}

/// Every sector questionnaire of every known version.
#[derive(Debug)]
pub struct Catalogue {
    all: Vec<SectorQuestionnaire>,
    /// Index into `all` of the newest version, per `Sector::ALL` position.
    current: Vec<usize>,
}

static CATALOGUE: LazyLock<Result<Catalogue, DefinitionError>> =
    LazyLock::new(|| Catalogue::from_sources(&[CURRENT, ARCHIVE].concat()));

/// The embedded catalogue, parsed and validated on first use.
pub fn catalogue() -> Result<&'static Catalogue, DefinitionError> {
    CATALOGUE.as_ref().map_err(Clone::clone)
}

/// Validates every embedded definition; call at start-up and stop on error.
pub fn validate_all() -> Result<(), DefinitionError> {
    catalogue().map(|_| ())
}

impl Catalogue {
    /// Builds a catalogue from `(file name, TOML text)` pairs: one or more core files (no
    /// `sector`) and sector files that name the `core_version` they extend.
    pub fn from_sources(files: &[(&str, &str)]) -> Result<Catalogue, DefinitionError> {
        let parsed = files.iter().map(|(f, c)| parse_file(f, c)).collect::<Result<Vec<_>, _>>()?;
        let (cores, sectors): (Vec<&ParsedFile>, Vec<&ParsedFile>) = parsed.iter().partition(|p| p.sector.is_none());
        let mut seen = HashSet::new();
        for p in &parsed {
            if !seen.insert((p.id.clone(), p.version.clone())) {
                return Err(file_err(&p.file, format!("{} {} is defined twice", p.id, p.version)));
            }
        }
        let mut all = Vec::new();
        for s in sectors {
            let core_version = s.core_version.clone().unwrap_or_default();
            let core = cores
                .iter()
                .find(|c| c.version == core_version)
                .ok_or_else(|| file_err(&s.file, format!("core_version {core_version} is not defined")))?;
            all.push(merge(core, s)?);
        }
        let mut current = Vec::new();
        for sector in Sector::ALL {
            let best = all
                .iter()
                .enumerate()
                .filter(|(_, q)| q.sector == *sector)
                .max_by_key(|(_, q)| semver_key(&q.version))
                .map(|(i, _)| i)
                .ok_or_else(|| file_err("questionnaires/", format!("no questionnaire for sector {sector}")))?;
            current.push(best);
        }
        Ok(Catalogue { all, current })
    }

    /// The current questionnaire of each sector.
    pub fn list(&self) -> Vec<QuestionnaireSummary> {
        self.current
            .iter()
            .filter_map(|i| self.all.get(*i))
            .map(|q| QuestionnaireSummary {
                sector: q.sector,
                id: q.id.clone(),
                version: q.version.clone(),
                title: q.title.clone(),
                question_count: q.question_count(),
            })
            .collect()
    }

    /// The current questionnaire of a sector (core + sector items).
    pub fn for_sector(&self, sector: Sector) -> &SectorQuestionnaire {
        let pos = Sector::ALL.iter().position(|s| *s == sector).unwrap_or(0);
        // `current` has one entry per sector by construction.
        &self.all[self.current[pos]]
    }

    /// A questionnaire by its id and exact version, current or archived.
    pub fn by_id_version(&self, id: &str, version: &str) -> Option<&SectorQuestionnaire> {
        let (id, version) = (id.trim(), version.trim());
        self.all.iter().find(|q| q.id == id && q.version == version)
    }

    /// Every known version of every sector questionnaire.
    pub fn all_versions(&self) -> &[SectorQuestionnaire] {
        &self.all
    }
}

fn file_err(file: &str, reason: String) -> DefinitionError {
    DefinitionError { file: file.to_string(), question: None, reason }
}

/// Core sections in order, sector items appended to a core section of the same id or in the
/// sector's own sections after them.
fn merge(core: &ParsedFile, sector_file: &ParsedFile) -> Result<SectorQuestionnaire, DefinitionError> {
    let mut sections: Vec<Section> = core.sections.clone();
    let core_ids: HashSet<&str> =
        core.sections.iter().flat_map(|s| s.questions.iter().map(|q| q.id.as_str())).collect();
    for s in &sector_file.sections {
        if let Some(q) = s.questions.iter().find(|q| core_ids.contains(q.id.as_str())) {
            return Err(DefinitionError {
                file: sector_file.file.clone(),
                question: Some(q.id.clone()),
                reason: format!("id is already used by the common core {}", core.version),
            });
        }
        match sections.iter_mut().find(|c| c.id == s.id) {
            Some(c) if s.title.is_empty() || c.title.is_empty() || c.title == s.title => {
                c.questions.extend(s.questions.iter().cloned())
            }
            Some(_) => return Err(file_err(&sector_file.file, format!("section '{}' is also a core section", s.id))),
            None if s.title.is_empty() => {
                let qid = s.questions.first().map(|q| q.id.clone());
                return Err(DefinitionError {
                    file: sector_file.file.clone(),
                    question: qid,
                    reason: format!("section '{}' is defined neither here nor in the common core", s.id),
                });
            }
            None => sections.push(s.clone()),
        }
    }
    let sector = sector_file.sector.unwrap_or(Sector::Manufacturing);
    Ok(SectorQuestionnaire::new(
        sector,
        sector_file.id.clone(),
        sector_file.version.clone(),
        sector_file.title.clone(),
        core.version.clone(),
        sections,
    ))
}
