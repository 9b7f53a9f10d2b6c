//! `manumit audit FILE... -o OUT.xlsx`: offline audit with no server and no database. Reads
//! supplier lists and filled questionnaires, scores them, writes the compliance workbook and
//! prints a one-screen summary.

use crate::domain::{FieldSource, FileFormat, QuestionnaireEvidence, SupplierFields, SupplierRecord, Tier, Workbook};
use crate::ingest::{self, FieldValue, Limits, RowOutcome};
use crate::questionnaire::{self, AnswerSource};
use crate::report::{self, ReportInput, ReportSupplier, SourceFile};
use crate::scoring::{self, OrgContext};
use crate::store::suppliers::{merge_fields, name_key};
use anyhow::{anyhow, Context};
use chrono::{DateTime, NaiveDate, Utc};
use indicatif::{ProgressBar, ProgressStyle};
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap};
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};

/// How many row errors the summary shows.
const SHOWN_ERRORS: usize = 5;

/// One input file as read.
#[derive(Debug, Clone, PartialEq)]
pub struct FileReport {
    pub name: String,
    pub format: FileFormat,
    /// `supplier list` or `questionnaire`.
    pub kind: &'static str,
    pub accepted: usize,
    pub rejected: usize,
    /// (row, column, message), first few.
    pub errors: Vec<(Option<u32>, String, String)>,
}

/// What the audit did: per file, suppliers per tier, the riskiest suppliers, the output.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditSummary {
    pub files: Vec<FileReport>,
    pub suppliers: usize,
    pub per_tier: Vec<(Tier, usize)>,
    /// (name, tier, overall, top drivers), highest first, at most five.
    pub top: Vec<(String, Tier, f64, String)>,
    pub output: PathBuf,
}

/// Progress on stderr: a bar on a terminal, plain lines otherwise.
enum Progress {
    Bar(ProgressBar),
    Plain,
}

impl Progress {
    fn new(steps: u64) -> Progress {
        if std::io::stderr().is_terminal() {
            let pb = ProgressBar::new(steps);
            if let Ok(style) = ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {msg} ({elapsed})") {
                pb.set_style(style.progress_chars("=> "));
            }
            pb.enable_steady_tick(std::time::Duration::from_millis(120));
            Progress::Bar(pb)
        } else {
            Progress::Plain
        }
    }
    fn step(&self, msg: String) {
        match self {
            Progress::Bar(pb) => pb.set_message(msg),
            Progress::Plain => eprintln!("manumit audit: {msg}"),
        }
    }
    fn done_one(&self) {
        if let Progress::Bar(pb) = self {
            pb.inc(1);
        }
    }
    fn finish(&self) {
        if let Progress::Bar(pb) = self {
            pb.finish_and_clear();
        }
    }
}

/// The records being built: ids `S1`, `S2`, ... in order of first appearance.
#[derive(Default)]
struct Suppliers {
    records: Vec<SupplierRecord>,
    by_ref: HashMap<String, usize>,
    by_name: HashMap<(String, String), usize>,
}

impl Suppliers {
    fn find(&self, f: &SupplierFields) -> Option<usize> {
        let by_ref = f.external_ref.as_ref().and_then(|r| self.by_ref.get(r.trim()));
        by_ref.or_else(|| self.by_name.get(&Self::name_of(f))).copied()
    }
    fn name_of(f: &SupplierFields) -> (String, String) {
        (name_key(&f.legal_name), f.country.as_ref().map(|c| c.to_string()).unwrap_or_default())
    }
    /// Adds a supplier, or merges into the one it matches (newer values win). Returns its index.
    fn upsert(&mut self, fields: SupplierFields, source: FieldSource) -> anyhow::Result<usize> {
        let i = match self.find(&fields) {
            Some(i) => {
                let merged = merge_fields(&self.records[i].fields, &fields).map_err(|e| anyhow!("{e}"))?;
                self.records[i].fields = merged;
                self.records[i].source = source;
                i
            }
            None => {
                let id = format!("S{}", self.records.len() + 1);
                self.records.push(SupplierRecord { id, fields, source });
                self.records.len() - 1
            }
        };
        let f = &self.records[i].fields;
        if let Some(r) = &f.external_ref {
            self.by_ref.insert(r.trim().to_string(), i);
        }
        let key = Self::name_of(f);
        self.by_name.insert(key, i);
        Ok(i)
    }
}

/// Reads one file: in-process for csv/xlsx/xlsm, in a sandboxed child for the formats whose
/// parsers can abort on a hostile file.
fn read_file(bytes: &[u8], limits: &Limits) -> anyhow::Result<Workbook> {
    let format = ingest::sniff(bytes).map_err(|e| anyhow!("{e}"))?;
    match format {
        FileFormat::Csv | FileFormat::Xlsx | FileFormat::Xlsm => {
            ingest::read_workbook(bytes, limits).map_err(|e| anyhow!("{e}"))
        }
        _ => {
            let exe = std::env::current_exe().context("cannot find the manumit executable for the sandboxed reader")?;
            ingest::read_workbook_sandboxed(bytes, limits, &exe).map_err(|e| anyhow!("{e}"))
        }
    }
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string())
}

/// Runs the audit and writes the workbook to `output`. Any file that cannot be read or
/// understood stops the audit with an error naming it.
pub fn run(files: &[PathBuf], output: &Path, today: NaiveDate, now: DateTime<Utc>) -> anyhow::Result<AuditSummary> {
    let limits = Limits::default();
    let progress = Progress::new(files.len() as u64 + 2);
    let mut sup = Suppliers::default();
    let mut questionnaires: HashMap<String, QuestionnaireEvidence> = HashMap::new();
    let mut reports = Vec::new();
    let mut sources = Vec::new();
    for path in files {
        let name = file_name(path);
        progress.step(format!("reading {name}"));
        let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        if bytes.is_empty() {
            return Err(anyhow!("cannot read {}: the file is empty", path.display()));
        }
        let wb = read_file(&bytes, &limits).with_context(|| format!("cannot read {}", path.display()))?;
        let sha256 = hex::encode(Sha256::digest(&bytes));
        drop(bytes);
        let report = if questionnaire::is_template(&wb) {
            read_questionnaire(&wb, &name, &sha256, today, &mut sup, &mut questionnaires)
                .with_context(|| format!("cannot use questionnaire {}", path.display()))?
        } else {
            read_list(&wb, &name, &sha256, today, &mut sup).with_context(|| format!("cannot use {}", path.display()))?
        };
        reports.push(report);
        sources.push(SourceFile { name, sha256, uploaded_at: now, uploaded_by: "manumit audit".into() });
        progress.done_one();
    }

    progress.step(format!("scoring {} suppliers", sup.records.len()));
    let ctx = OrgContext {
        suppliers: &sup.records,
        watchlists: &[],
        decisions: &[],
        questionnaires: &questionnaires,
        as_of: today,
        markets: &[],
    };
    let (assessed, networks) = scoring::assess_org(&ctx, &[]);
    progress.done_one();

    let by_id: HashMap<&str, &SupplierRecord> = sup.records.iter().map(|r| (r.id.as_str(), r)).collect();
    let mut suppliers = Vec::with_capacity(assessed.len());
    for (id, a) in assessed {
        let Some(r) = by_id.get(id.as_str()) else { continue };
        let f = &r.fields;
        let mut s = ReportSupplier {
            id: id.clone(),
            external_ref: f.external_ref.clone(),
            legal_name: f.legal_name.clone(),
            country: f.country.as_ref().map(|c| c.to_string()).unwrap_or_default(),
            sector: f.sector.map(|s| s.to_string()).unwrap_or_default(),
            commodity: f.commodity.clone(),
            assessment_id: format!("A-{id}"),
            assessed_at: now,
            assessment: a,
            evidence_text: Vec::new(),
        };
        s.compact();
        suppliers.push(s);
    }
    let versions: BTreeSet<(String, String)> =
        questionnaires.values().map(|q| (q.questionnaire_id.clone(), q.version.clone())).collect();
    let input = ReportInput {
        scope: vec![("Files".into(), reports.iter().map(|r| r.name.as_str()).collect::<Vec<_>>().join(", "))],
        generated_at: now,
        generated_by: "manumit audit (offline)".into(),
        methodology_version: scoring::METHODOLOGY_VERSION.to_string(),
        questionnaire_versions: versions.into_iter().collect(),
        reference_files: crate::report::reference_files(),
        markets: Vec::new(),
        suppliers,
        networks,
        sources,
    };

    progress.step(format!("writing {}", output.display()));
    let f = std::fs::File::create(output).with_context(|| format!("cannot create {}", output.display()))?;
    let mut w = BufWriter::with_capacity(256 * 1024, f);
    report::write_workbook(&input, &mut w).with_context(|| format!("cannot write {}", output.display()))?;
    w.flush().with_context(|| format!("cannot write {}", output.display()))?;
    progress.done_one();
    progress.finish();
    Ok(summarise(&input, reports, output))
}

/// The id a file's evidence carries in place of an upload id: its short SHA-256.
fn file_id(sha256: &str) -> String {
    format!("sha256:{}", sha256.get(..12).unwrap_or(sha256))
}

fn read_list(
    wb: &Workbook,
    name: &str,
    sha256: &str,
    today: NaiveDate,
    sup: &mut Suppliers,
) -> anyhow::Result<FileReport> {
    let list = ingest::map_supplier_list(wb, None, today).map_err(|e| anyhow!("{e}"))?;
    if list.rows.is_empty() {
        return Err(anyhow!("the file has a header row but no supplier rows under it"));
    }
    let mut rep = FileReport {
        name: name.to_string(),
        format: wb.format,
        kind: "supplier list",
        accepted: 0,
        rejected: 0,
        errors: Vec::new(),
    };
    let sources = ingest::RowSources::new(&list.columns, &file_id(sha256), name);
    for r in &list.rows {
        match &r.outcome {
            RowOutcome::Accepted { fields, .. } => {
                let source = sources.source(r.row, &r.raw);
                sup.upsert(fields.clone(), source)?;
                rep.accepted += 1;
            }
            RowOutcome::Rejected { errors } => {
                rep.rejected += 1;
                for e in errors {
                    if rep.errors.len() < SHOWN_ERRORS {
                        rep.errors.push((Some(e.row), e.column.clone().unwrap_or_default(), e.message.clone()));
                    }
                }
            }
        }
    }
    Ok(rep)
}

fn read_questionnaire(
    wb: &Workbook,
    name: &str,
    sha256: &str,
    today: NaiveDate,
    sup: &mut Suppliers,
    out: &mut HashMap<String, QuestionnaireEvidence>,
) -> anyhow::Result<FileReport> {
    let filled = questionnaire::read_filled(wb).map_err(|e| anyhow!("{e}"))?;
    let values: Vec<FieldValue> = filled
        .supplier_fields
        .iter()
        .filter(|(_, cell, _)| !cell.is_empty())
        .map(|(f, cell, _)| FieldValue { field: f.as_str().into(), header: f.as_str().into(), cell: cell.clone() })
        .collect();
    let first_row = filled.supplier_fields.first().map(|(_, _, r)| *r).unwrap_or(2);
    let parsed = ingest::parse_fields(&values, first_row, today);
    // A supplier already read (by external ref, else legal name + country, else legal name
    // alone when the sheet gives no country); else a new supplier from the sheet's fields.
    let raw = |field: &str| {
        filled
            .supplier_fields
            .iter()
            .find(|(f, c, _)| f.eq_ignore_ascii_case(field) && !c.is_empty())
            .map(|(_, c, _)| c.display().trim().to_string())
    };
    let known = match &parsed.fields {
        Some(f) => sup.find(f),
        None => None,
    }
    .or_else(|| raw("external_ref").and_then(|r| sup.by_ref.get(&r).copied()))
    .or_else(|| {
        let key = name_key(&raw("legal_name")?);
        let hits: Vec<usize> = sup
            .records
            .iter()
            .enumerate()
            .filter(|(_, r)| name_key(&r.fields.legal_name) == key)
            .map(|(i, _)| i)
            .collect();
        (hits.len() == 1).then(|| hits[0])
    });
    let i = match (known, parsed.fields) {
        (Some(i), _) => i,
        (None, Some(fields)) => sup.upsert(
            fields,
            FieldSource {
                upload_id: Some(file_id(sha256)),
                filename: Some(name.to_string()),
                ..FieldSource::default()
            },
        )?,
        (None, None) => {
            let why = parsed.errors.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join(" ");
            return Err(anyhow!(
                "its Supplier sheet matches no supplier of the other files and does not describe a new one \
                 (legal_name, country and sector at least): {why}"
            ));
        }
    };
    let source = AnswerSource::Upload { upload_id: file_id(sha256), filename: name.to_string() };
    let ev = questionnaire::evaluate_as_of(filled.questionnaire, &filled.answers, &source, Some(today));
    out.insert(sup.records[i].id.clone(), ev);
    Ok(FileReport {
        name: name.to_string(),
        format: wb.format,
        kind: "questionnaire",
        accepted: filled.answers.len(),
        rejected: filled.errors.len(),
        errors: filled
            .errors
            .iter()
            .take(SHOWN_ERRORS)
            .map(|e| (e.row, e.cell.clone().unwrap_or_else(|| e.column.clone()), e.message.clone()))
            .collect(),
    })
}

fn summarise(input: &ReportInput, files: Vec<FileReport>, output: &Path) -> AuditSummary {
    let per_tier = [Tier::Critical, Tier::High, Tier::Medium, Tier::Low]
        .into_iter()
        .map(|t| (t, input.suppliers.iter().filter(|s| s.assessment.tier == t).count()))
        .collect();
    let mut idx: Vec<&ReportSupplier> = input.suppliers.iter().collect();
    idx.sort_by(|a, b| b.assessment.overall.total_cmp(&a.assessment.overall).then_with(|| a.id.cmp(&b.id)));
    let top = idx
        .into_iter()
        .take(5)
        .map(|s| (s.legal_name.clone(), s.assessment.tier, s.assessment.overall, report::top_drivers(&s.assessment)))
        .collect();
    AuditSummary { files, suppliers: input.suppliers.len(), per_tier, top, output: output.to_path_buf() }
}

/// Strips control characters so file content cannot drive the terminal.
fn plain(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// The one-screen summary printed to stdout.
pub fn render(s: &AuditSummary) -> String {
    let mut out = String::new();
    out.push_str(&format!("Manumit audit: {} file(s), {} supplier(s)\n\n", s.files.len(), s.suppliers));
    out.push_str("Files\n");
    for f in &s.files {
        out.push_str(&format!(
            "  {} ({}, {}): {} accepted, {} rejected\n",
            plain(&f.name),
            f.format.as_str(),
            f.kind,
            f.accepted,
            f.rejected
        ));
        for (row, col, msg) in &f.errors {
            let at = match row {
                Some(r) => format!("row {r}"),
                None => "file".to_string(),
            };
            out.push_str(&format!("      {at}, {}: {}\n", plain(col), plain(msg)));
        }
    }
    out.push_str("\nSuppliers per tier\n");
    for (t, n) in &s.per_tier {
        out.push_str(&format!("  {:<9} {n}\n", t.as_str()));
    }
    if !s.top.is_empty() {
        out.push_str("\nHighest risk\n");
        for (name, tier, overall, drivers) in &s.top {
            let name: String = plain(name).chars().take(40).collect();
            let drivers: String = plain(drivers).chars().take(80).collect();
            out.push_str(&format!("  {overall:>5.1}  {:<8} {name}  - {drivers}\n", tier.as_str()));
        }
    }
    out.push_str(&format!("\nWorkbook written to {}\n", s.output.display()));
    out.push_str("Manumit reports indicators of risk, not findings of forced labour.\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(p: &str) -> PathBuf {
        PathBuf::from(format!("{}/tests/fixtures/{p}", env!("CARGO_MANIFEST_DIR")))
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 29).unwrap_or_default()
    }

    #[test]
    fn audits_a_list_and_a_questionnaire_into_one_workbook() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("out.xlsx");
        let files = [
            fixture("ingest/suppliers_messy_utf8.csv"),
            fixture("questionnaire/manufacturing-filled-libreoffice.xlsx"),
        ];
        let s = run(&files, &out, today(), Utc::now()).expect("audit runs");
        assert_eq!(s.files.len(), 2);
        // Only rows 12 (unknown country) and 13 (no name) are refused; unreadable optional
        // values are left unknown (DOMAIN.md §2).
        assert_eq!(s.files[0].accepted, 11);
        assert_eq!(s.files[0].rejected, 2);
        assert!(!s.files[0].errors.is_empty());
        assert_eq!(s.files[1].kind, "questionnaire");
        assert_eq!(s.per_tier.iter().map(|(_, n)| n).sum::<usize>(), s.suppliers);
        assert!(s.suppliers >= 7);
        assert!(out.exists());
        let text = render(&s);
        assert!(text.contains("Suppliers per tier") && text.contains(&out.display().to_string()), "{text}");
    }

    #[test]
    fn a_file_that_is_not_a_spreadsheet_is_an_error_naming_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let bad = dir.path().join("notes.pdf");
        std::fs::write(&bad, b"%PDF-1.4 not a spreadsheet \x00\x01\x02").expect("write");
        let err = run(&[bad], &dir.path().join("o.xlsx"), today(), Utc::now()).expect_err("refused");
        assert!(format!("{err:#}").contains("notes.pdf"), "{err:#}");
    }

    #[test]
    fn same_supplier_in_two_rows_is_one_record() {
        let mut sup = Suppliers::default();
        let f = SupplierFields { legal_name: "Acme Sdn Bhd".into(), ..SupplierFields::default() };
        let a = sup.upsert(f.clone(), FieldSource::default()).expect("upsert");
        let b = sup
            .upsert(SupplierFields { commodity: Some("gloves".into()), ..f }, FieldSource::default())
            .expect("upsert");
        assert_eq!(a, b);
        assert_eq!(sup.records.len(), 1);
        assert_eq!(sup.records[0].id, "S1");
        assert_eq!(sup.records[0].fields.commodity.as_deref(), Some("gloves"));
    }
}
