//! Tests of the workbook writer: written to memory, read back with calamine and the zip's XML.

use super::*;
use crate::domain::*;
use calamine::{open_workbook_from_rs, Data, Range, Reader, Xlsx};
use chrono::TimeZone;
use std::io::{Cursor, Read};

fn at(d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0).single().unwrap_or_default()
}

fn comp(score: f64, tier: Tier) -> ComponentScore {
    ComponentScore { score, tier }
}

fn finding(ind: &str, dim: Dimension, sev: Severity, pts: f64, title: &str, ev: Vec<Evidence>) -> Finding {
    Finding {
        indicator: ind.into(),
        dimension: dim,
        severity: sev,
        points: pts,
        title: title.into(),
        explanation: format!("because {title}"),
        evidence: ev,
    }
}

fn upload_ev(row: u32, col: &str, v: &str) -> Evidence {
    let mut e = Evidence::new(EvidenceSource::Upload, v);
    e.filename = Some("acme_q3.xlsx".into());
    e.row = Some(row);
    e.column = Some(col.into());
    e
}

fn supplier(id: &str, name: &str, sector: &str, tier: Tier, overall: f64, findings: Vec<Finding>) -> ReportSupplier {
    ReportSupplier {
        id: id.into(),
        external_ref: Some(format!("ERP-{id}")),
        legal_name: name.into(),
        country: "MY".into(),
        sector: sector.into(),
        commodity: Some("gloves".into()),
        assessment_id: format!("as-{id}"),
        assessed_at: at(28, 9),
        assessment: Assessment {
            methodology_version: "2026.1".into(),
            tier,
            overall,
            forced_labour_likely: tier == Tier::Critical,
            basis: Some(crate::domain::Basis::Evidence),
            components: Components {
                inherent: comp(40.0, Tier::Medium),
                forced_labour: comp(overall, tier),
                front_business: comp(10.0, Tier::Low),
                screening: comp(0.0, Tier::Low),
                child_labour: Some(comp(0.0, Tier::Low)),
            },
            completeness: 0.9,
            recommended_actions: if tier == Tier::Low {
                vec!["Keep on file".into()]
            } else {
                vec!["Independent on-site audit".into(), "Repay recruitment fees".into()]
            },
            findings,
            screening_matches: vec![],
            reference_editions: BTreeMap::new(),
            inputs_hash: "abc".into(),
        },
        evidence_text: vec![],
    }
}

const EVIL_NAME: &str = "=HYPERLINK(\"http://x\")";

fn sample() -> ReportInput {
    let passports = finding(
        "retention_of_identity_documents",
        Dimension::MenaceOfPenalty,
        Severity::High,
        40.0,
        "Employer holds passports",
        vec![upload_ev(12, "Passports held by employer?", "Yes")],
    );
    let mut resp = Evidence::new(EvidenceSource::Response, "Employer or agent");
    resp.question_id = Some("D1".into());
    let fees = finding(
        "debt_bondage",
        Dimension::Involuntariness,
        Severity::Medium,
        20.0,
        "Workers pay recruitment fees",
        vec![resp],
    );
    let mut tv = Evidence::new(EvidenceSource::Reference, "Electronics, Malaysia, forced labour");
    tv.file = Some("TVPRA".into());
    tv.edition = Some("2022".into());
    let inherent = finding("tvpra_good", Dimension::Inherent, Severity::Medium, 15.0, "TVPRA listed good", vec![tv]);
    let shell =
        finding("shared_bank_account", Dimension::FrontBusiness, Severity::High, 30.0, "Shares a bank account", vec![]);
    let mut crit = supplier("s-crit", EVIL_NAME, "manufacturing", Tier::Critical, 91.5, vec![fees, passports]);
    crit.assessment.screening_matches.push(ScreeningMatch {
        list: "UFLPA Entity List".into(),
        edition: "2026-10".into(),
        matched_entity: "Xinjiang Acme Co".into(),
        matched_name: "Acme".into(),
        score: 0.93,
        strength: "strong".into(),
        status: "needs_review".into(),
    });
    let high = supplier("s-high", "+1 evil", "construction", Tier::High, 70.25, vec![shell]);
    let med = supplier("s-med", "@SUM(A1)", "agriculture", Tier::Medium, 45.0, vec![inherent]);
    let low = supplier("s-low", "Plain Farms Ltd", "agriculture", Tier::Low, 5.0, vec![]);
    ReportInput {
        scope: vec![("sector".into(), "agriculture".into()), ("tier".into(), "high".into())],
        generated_at: at(29, 10),
        generated_by: "auditor@example.org".into(),
        methodology_version: "2026.1".into(),
        questionnaire_versions: vec![("saq-manufacturing".into(), "1.2".into())],
        reference_files: vec![ReferenceFile {
            file: "tip_tiers.csv".into(),
            edition: "2025".into(),
            source: "US State Department TIP Report".into(),
            sha256: "cd".repeat(32),
        }],
        markets: vec![],
        // Deliberately not in score order.
        suppliers: vec![med, low, crit, high],
        networks: vec![NetworkCluster {
            id: "net-1".into(),
            suppliers: vec![
                NetworkMember { id: "s-crit".into(), external_ref: None, legal_name: EVIL_NAME.into() },
                NetworkMember { id: "s-high".into(), external_ref: None, legal_name: "+1 evil".into() },
            ],
            shared: vec![SharedLink { kind: "bank_account".into(), value: "MY12ABC".into() }],
        }],
        sources: vec![SourceFile {
            name: "acme_q3.xlsx".into(),
            sha256: "ab".repeat(32),
            uploaded_at: at(27, 8),
            uploaded_by: "procurement@example.org".into(),
        }],
    }
}

fn bytes(input: &ReportInput) -> Vec<u8> {
    let mut buf = Cursor::new(Vec::new());
    write_workbook(input, &mut buf).expect("workbook written");
    buf.into_inner()
}

fn sheet(b: &[u8], name: &str) -> Range<Data> {
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(b.to_vec())).expect("xlsx opens");
    wb.worksheet_range(name).expect("sheet exists")
}

fn s(r: &Range<Data>, row: u32, col: u32) -> String {
    match r.get_value((row, col)) {
        Some(Data::String(x)) => x.clone(),
        Some(Data::Empty) | None => String::new(),
        Some(other) => format!("<{other:?}>"),
    }
}

fn n(r: &Range<Data>, row: u32, col: u32) -> f64 {
    match r.get_value((row, col)) {
        Some(Data::Float(x)) => *x,
        Some(Data::Int(x)) => *x as f64,
        other => panic!("not a number at ({row},{col}): {other:?}"),
    }
}

fn zip_file(b: &[u8], path: &str) -> String {
    let mut z = zip::ZipArchive::new(Cursor::new(b.to_vec())).expect("zip");
    let mut f = z.by_name(path).expect("part exists");
    let mut out = String::new();
    f.read_to_string(&mut out).expect("utf8");
    out
}

#[test]
fn sheets_are_named_and_ordered_by_contract() {
    let b = bytes(&sample());
    let wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(b)).expect("xlsx opens");
    assert_eq!(wb.sheet_names(), SHEET_NAMES.to_vec());
}

#[test]
fn risk_register_has_contract_headers_and_rows_sorted_by_overall() {
    let b = bytes(&sample());
    let r = sheet(&b, "Risk register");
    let headers: Vec<String> = (0..20).map(|c| s(&r, 0, c)).collect();
    assert_eq!(headers, RISK_REGISTER_HEADERS.to_vec());
    assert_eq!(r.height(), 5, "header + one row per supplier");
    let ids: Vec<String> = (1..5).map(|row| s(&r, row, 0)).collect();
    assert_eq!(ids, ["s-crit", "s-high", "s-med", "s-low"]);
    let tiers: Vec<String> = (1..5).map(|row| s(&r, row, 6)).collect();
    assert_eq!(tiers, ["critical", "high", "medium", "low"]);
    assert_eq!(n(&r, 1, 7), 91.5);
    assert_eq!(n(&r, 2, 7), 70.25);
    assert_eq!(n(&r, 1, 10), 40.0);
    assert_eq!(s(&r, 1, 11), "Yes");
    assert_eq!(s(&r, 1, 12), "Employer holds passports; Workers pay recruitment fees");
    assert_eq!(s(&r, 1, 1), "ERP-s-crit");
    assert_eq!(s(&r, 1, 15), "as-s-crit");
    // Formula-looking names come back as the plain strings they were.
    assert_eq!(s(&r, 1, 2), EVIL_NAME);
    assert_eq!(s(&r, 2, 2), "+1 evil");
    assert_eq!(s(&r, 3, 2), "@SUM(A1)");
    let xml = zip_file(&b, "xl/worksheets/sheet2.xml");
    assert!(xml.contains("<tablePart"), "register is a worksheet table");
    assert!(xml.contains("dataBar"), "scores have data bars");
    assert!(xml.contains("beginsWith"), "tier cells have text rules");
}

/// The style index (`s`) of the cell holding `text` in a sheet's XML.
fn style_of(xml: &str, text: &str) -> Option<usize> {
    let esc = text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let at = xml.find(&format!("<t>{esc}</t>")).or_else(|| xml.find(&format!(">{esc}</t>"))).expect("text in sheet");
    let cell = xml[..at].rfind("<c ").expect("cell start");
    let tag = &xml[cell..at];
    let s = tag.find(" s=\"")?;
    tag[s + 4..].split('"').next().and_then(|x| x.parse().ok())
}

#[test]
fn formula_looking_text_is_plain_string_with_quote_prefix() {
    let b = bytes(&sample());
    let styles = zip_file(&b, "xl/styles.xml");
    let xfs_start = styles.find("<cellXfs").expect("cellXfs");
    let xfs: Vec<&str> = styles[xfs_start..].split("<xf ").skip(1).collect();
    for sheet_no in 1..=9 {
        let xml = zip_file(&b, &format!("xl/worksheets/sheet{sheet_no}.xml"));
        assert!(!xml.contains("<f>"), "sheet{sheet_no} has no formulas");
        assert!(!xml.contains("<hyperlink"), "sheet{sheet_no} has no links");
    }
    let reg = zip_file(&b, "xl/worksheets/sheet2.xml");
    for name in ["=HYPERLINK(\"http://x\")", "+1 evil", "@SUM(A1)"] {
        let idx = style_of(&reg, name).expect("formula-looking text has a style");
        assert!(xfs[idx].contains("quotePrefix=\"1\""), "{name}: xf {idx} = {}", xfs[idx]);
    }
    // Plain names are not quote-prefixed.
    let plain = style_of(&reg, "Plain Farms Ltd");
    assert!(!plain.and_then(|i| xfs.get(i)).is_some_and(|x| x.contains("quotePrefix")));
}

#[test]
fn findings_carry_evidence_written_for_a_person() {
    let b = bytes(&sample());
    let r = sheet(&b, "Findings");
    assert_eq!(s(&r, 0, 7), "Evidence");
    assert_eq!(r.height(), 5, "header + 4 findings");
    // Critical supplier first, its findings by points.
    assert_eq!(s(&r, 1, 0), "s-crit");
    assert_eq!(s(&r, 1, 2), "retention_of_identity_documents");
    assert_eq!(s(&r, 1, 3), "menace_of_penalty");
    assert_eq!(s(&r, 1, 4), "high");
    assert_eq!(n(&r, 1, 5), 40.0);
    assert_eq!(s(&r, 1, 7), "upload acme_q3.xlsx, row 12, column 'Passports held by employer?' = Yes");
    assert_eq!(s(&r, 2, 7), "question D1 = Employer or agent");
    assert_eq!(s(&r, 4, 7), "TVPRA (2022): Electronics, Malaysia, forced labour");
}

#[test]
fn ilo_heat_map_shows_strongest_severity() {
    let b = bytes(&sample());
    let r = sheet(&b, "ILO indicators");
    assert_eq!(s(&r, 0, 3), "Abuse of vulnerability");
    let col = |ind: IloIndicator| 3 + IloIndicator::ALL.iter().position(|x| *x == ind).unwrap_or(0) as u32;
    assert_eq!(s(&r, 1, col(IloIndicator::RetentionOfIdentityDocuments)), "high");
    assert_eq!(s(&r, 1, col(IloIndicator::DebtBondage)), "medium");
    assert_eq!(s(&r, 1, col(IloIndicator::Deception)), "");
    assert_eq!(s(&r, 4, 0), "s-low");
}

#[test]
fn summary_states_scope_notice_and_counts() {
    let b = bytes(&sample());
    let r = sheet(&b, "Summary");
    let all: Vec<String> =
        r.rows().flatten().filter_map(|d| if let Data::String(x) = d { Some(x.clone()) } else { None }).collect();
    assert!(all.contains(&"sector = agriculture; tier = high".to_string()));
    assert!(all.contains(&"auditor@example.org".to_string()));
    assert!(all.iter().any(|x| x.contains("indicators of risk, not findings of forced labour")));
    assert!(all.contains(&"Ten highest-risk suppliers".to_string()));
    // Tier × sector table: find the "Tier" header row.
    let head = (0..r.height() as u32).find(|&row| s(&r, row, 0) == "Tier").expect("tier table");
    assert_eq!(s(&r, head, 1), "agriculture");
    assert_eq!(s(&r, head + 4, 0), "low");
    assert_eq!(n(&r, head + 4, 1), 1.0, "one low agriculture supplier");
    assert_eq!(n(&r, head + 5, 5), 4.0, "total suppliers");
    assert!(zip_file(&b, "xl/charts/chart1.xml").contains("Summary!$F$"));
    let mut empty = sample();
    empty.scope.clear();
    let r = sheet(&bytes(&empty), "Summary");
    assert!(r.rows().flatten().any(|d| d == &Data::String("All suppliers".into())));
}

#[test]
fn networks_screening_and_methodology_rows() {
    let b = bytes(&sample());
    let r = sheet(&b, "Networks");
    assert_eq!(r.height(), 3);
    assert_eq!(
        (s(&r, 1, 0), s(&r, 1, 1), s(&r, 1, 3), s(&r, 1, 4)),
        ("net-1".into(), "s-crit".into(), "bank_account".into(), "MY12ABC".into())
    );
    let r = sheet(&b, "Screening");
    assert_eq!(s(&r, 0, 5), "Edition");
    assert_eq!(
        (s(&r, 1, 2), s(&r, 1, 3), s(&r, 1, 5), s(&r, 1, 6)),
        ("UFLPA Entity List".into(), "Xinjiang Acme Co".into(), "2026-10".into(), "needs_review".into())
    );
    assert_eq!(n(&r, 1, 4), 0.93);
    let r = sheet(&b, "Methodology");
    let rows: Vec<(String, String, String)> =
        (1..r.height() as u32).map(|row| (s(&r, row, 0), s(&r, row, 1), s(&r, row, 2))).collect();
    assert!(rows.contains(&("Methodology".into(), "Methodology version".into(), "2026.1".into())));
    assert!(rows.contains(&("Questionnaire".into(), "saq-manufacturing".into(), "1.2".into())));
    assert!(rows.contains(&("Reference data".into(), "tip_tiers.csv".into(), "2025".into())));
    assert!(rows.contains(&("Source file".into(), "acme_q3.xlsx".into(), "ab".repeat(32))));
    let tip = (1..r.height() as u32).find(|&row| s(&r, row, 1) == "tip_tiers.csv").expect("reference row");
    assert_eq!((s(&r, 0, 5), s(&r, tip, 5)), ("Source".into(), "US State Department TIP Report".into()));
    assert_eq!((s(&r, 0, 6), s(&r, tip, 6)), ("SHA-256".into(), "cd".repeat(32)));
    assert!(rows.contains(&("Methodology".into(), "Assessments scored with 2026.1".into(), "<Float(4.0)>".into())));
    let r = sheet(&b, "Regulatory map");
    let uflpa_xj =
        (1..r.height() as u32).find(|&row| s(&r, row, 0).starts_with("Xinjiang") && s(&r, row, 1).contains("UFLPA"));
    assert!(uflpa_xj.is_some());
    let ilo = (1..r.height() as u32).find(|&row| s(&r, row, 0) == "ILO forced-labour indicators").expect("ilo row");
    assert_eq!((n(&r, ilo, 4), n(&r, ilo, 5), s(&r, ilo, 6)), (2.0, 1.0, "critical".into()));
}

#[test]
fn corrective_actions_have_due_dates_and_status_dropdown() {
    let b = bytes(&sample());
    let r = sheet(&b, "Corrective actions");
    assert_eq!(r.height(), 7, "header + 2 actions × 3 suppliers of medium tier and above");
    assert_eq!(
        (s(&r, 1, 0), s(&r, 1, 3), s(&r, 1, 6)),
        ("s-crit".into(), "Independent on-site audit".into(), "Open".into())
    );
    let due = |row: u32| match r.get_value((row, 5)) {
        Some(Data::DateTime(d)) => d.as_datetime().map(|x| x.date()),
        other => panic!("due date not a date: {other:?}"),
    };
    let day =
        |d: u32| chrono::NaiveDate::from_ymd_opt(2026, if d > 30 { 12 } else { 11 }, if d > 30 { d - 30 } else { d });
    assert_eq!(due(1), day(29 + 7), "critical: 7 days");
    assert_eq!(due(3), day(29 + 30), "high: 30 days");
    assert_eq!(due(5), chrono::NaiveDate::from_ymd_opt(2027, 1, 28), "medium: 60 days");
    let xml = zip_file(&b, "xl/worksheets/sheet7.xml");
    assert!(xml.contains("<dataValidation "));
    assert!(xml.contains("\"Open,In progress,Done,Verified\""));
}

#[test]
fn every_sheet_has_a_frozen_filterable_header() {
    let b = bytes(&sample());
    for sheet_no in 1..=9 {
        let xml = zip_file(&b, &format!("xl/worksheets/sheet{sheet_no}.xml"));
        assert!(xml.contains("<pane ") && xml.contains("ySplit=\"1\""), "sheet{sheet_no} frozen");
        assert!(xml.contains("<autoFilter") || xml.contains("<tablePart"), "sheet{sheet_no} filterable");
    }
}

#[test]
fn empty_and_hostile_inputs_still_write() {
    let mut input = sample();
    input.suppliers.clear();
    input.networks.clear();
    input.sources.clear();
    let b = bytes(&input);
    assert_eq!(sheet(&b, "Risk register").height(), 1);
    let mut input = sample();
    input.suppliers[0].assessment.overall = f64::NAN;
    input.suppliers[0].legal_name = "x".repeat(40_000);
    input.suppliers[1].assessed_at = Utc.with_ymd_and_hms(1800, 1, 1, 0, 0, 0).single().unwrap_or_default();
    input.generated_by = "\u{0}\tctl".into();
    input.suppliers[2].legal_name = "lit_x0041_eral".into();
    let b = bytes(&input);
    let r = sheet(&b, "Risk register");
    assert_eq!(s(&r, 4, 0), "s-med", "a NaN score sorts last");
    assert!(s(&r, 4, 2).ends_with("[truncated]"));
    assert_eq!(s(&r, 1, 2), "lit_x0041_eral", "a literal _xHHHH_ is kept as typed");
}

#[test]
fn libreoffice_opens_the_workbook() {
    let Ok(out) = std::process::Command::new("soffice").arg("--version").output() else {
        eprintln!("NOTICE: soffice not found; skipping the LibreOffice conversion test");
        return;
    };
    if !out.status.success() {
        eprintln!("NOTICE: soffice not usable; skipping the LibreOffice conversion test");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let xlsx = dir.path().join("report.xlsx");
    std::fs::write(&xlsx, bytes(&sample())).expect("write xlsx");
    let profile = format!("-env:UserInstallation=file://{}/profile", dir.path().display());
    let status = std::process::Command::new("soffice")
        .args([profile.as_str(), "--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir.path())
        .arg(&xlsx)
        .status()
        .expect("soffice runs");
    assert!(status.success());
    let pdf = dir.path().join("report.pdf");
    assert!(std::fs::metadata(&pdf).map(|m| m.len() > 1000).unwrap_or(false), "pdf written");
}

#[test]
fn a_very_large_register_is_a_filtered_range_not_a_table() {
    let mut input = sample();
    let proto = input.suppliers[1].clone();
    input.suppliers = (0..=super::register::TABLE_MAX_ROWS)
        .map(|i| {
            let mut s = proto.clone();
            s.id = format!("s{i:06}");
            s.assessment.overall = (i % 100) as f64;
            s
        })
        .collect();
    let b = bytes(&input);
    let xml = zip_file(&b, "xl/worksheets/sheet2.xml");
    assert!(!xml.contains("<tablePart"));
    assert!(xml.contains("<autoFilter ref=\"A1:T20002\""));
    assert!(xml.contains("dataBar") && xml.contains("ySplit=\"1\""));
    let r = sheet(&b, "Risk register");
    assert_eq!(r.height(), TABLE_MAX_ROWS_PLUS_HEADER);
    assert_eq!(s(&r, 0, 0), "Supplier ID");
    assert_eq!(n(&r, 1, 7), 99.0);
}

const TABLE_MAX_ROWS_PLUS_HEADER: usize = super::register::TABLE_MAX_ROWS + 2;

#[test]
fn compacted_suppliers_write_the_same_cells() {
    let full = sample();
    let mut compact = full.clone();
    for s in &mut compact.suppliers {
        s.compact();
        assert!(s.assessment.findings.iter().all(|f| f.evidence.is_empty()));
        assert_eq!(s.evidence_text.len(), s.assessment.findings.len());
    }
    let (a, b) = (bytes(&full), bytes(&compact));
    for name in SHEET_NAMES {
        assert_eq!(sheet(&a, name), sheet(&b, name), "sheet {name} differs after compact()");
    }
}

/// A methodology 1 assessment: no child-labour component, no basis.
fn v1(mut s: ReportSupplier) -> ReportSupplier {
    s.assessment.methodology_version = "1.1.0".into();
    s.assessment.basis = None;
    s.assessment.components.child_labour = None;
    s
}

#[test]
fn risk_register_shows_child_labour_basis_inputs_hash_and_methodology_version() {
    let mut input = sample();
    input.suppliers[2].assessment.components.child_labour = Some(comp(82.5, Tier::Critical)); // s-crit
    input.suppliers[3].assessment.basis = Some(Basis::Context); // s-high
    input.suppliers[0] = v1(input.suppliers[0].clone()); // s-med
    let b = bytes(&input);
    let r = sheet(&b, "Risk register");
    let col = |h: &str| RISK_REGISTER_HEADERS.iter().position(|x| *x == h).expect("header") as u32;
    assert_eq!((col("Child labour"), col("Basis"), col("Inputs hash"), col("Methodology version")), (16, 17, 18, 19));
    assert_eq!(s(&r, 0, 16), "Child labour");
    assert_eq!(s(&r, 0, 19), "Methodology version");
    // Rows: s-crit, s-high, s-med, s-low.
    assert_eq!(
        (n(&r, 1, 16), s(&r, 1, 17), s(&r, 1, 18), s(&r, 1, 19)),
        (82.5, "evidence".into(), "abc".into(), "2026.1".into())
    );
    assert_eq!(s(&r, 2, 17), "context");
    assert_eq!(s(&r, 3, 0), "s-med");
    assert_eq!(
        (s(&r, 3, 16), s(&r, 3, 17), s(&r, 3, 19)),
        ("".into(), "".into(), "1.1.0".into()),
        "v1: blank child labour and basis"
    );
    // compact() keeps the inputs hash: the register shows it.
    let mut compact = input.clone();
    compact.suppliers.iter_mut().for_each(ReportSupplier::compact);
    assert_eq!(s(&sheet(&bytes(&compact), "Risk register"), 1, 18), "abc");
    // Methodology lists both versions in scope.
    let m = sheet(&b, "Methodology");
    let names: Vec<String> = (1..m.height() as u32).map(|row| s(&m, row, 1)).collect();
    assert!(
        names.contains(&"Assessments scored with 1.1.0".to_string())
            && names.contains(&"Assessments scored with 2026.1".to_string()),
        "{names:?}"
    );
}

#[test]
fn summary_counts_tiers_by_basis() {
    let mut input = sample();
    input.suppliers[3].assessment.basis = Some(Basis::Context); // s-high
    input.suppliers[0] = v1(input.suppliers[0].clone()); // s-med
    let r = sheet(&bytes(&input), "Summary");
    let title =
        (0..r.height() as u32).find(|&row| s(&r, row, 0) == "Suppliers by tier and basis").expect("basis table");
    let head = title + 1;
    assert_eq!(
        (s(&r, head, 1), s(&r, head, 2), s(&r, head, 3), s(&r, head, 4)),
        ("evidence".into(), "context".into(), "not recorded (methodology 1)".into(), "Total".into())
    );
    let row = |tier: &str| (head + 1..head + 5).find(|&x| s(&r, x, 0) == tier).expect("tier row");
    let counts = |tier: &str| (1..5).map(|c| n(&r, row(tier), c)).collect::<Vec<_>>();
    assert_eq!(counts("critical"), [1.0, 0.0, 0.0, 1.0]);
    assert_eq!(counts("high"), [0.0, 1.0, 0.0, 1.0]);
    assert_eq!(counts("medium"), [0.0, 0.0, 1.0, 1.0]);
    assert_eq!(counts("low"), [1.0, 0.0, 0.0, 1.0]);
    assert!((0..r.height() as u32).any(|x| s(&r, x, 0) == "Ten highest-risk suppliers"));
}

#[test]
fn child_labour_findings_appear_on_findings_and_ilo_sheets() {
    let mut input = sample();
    let child =
        finding("child_under_12", Dimension::ChildLabour, Severity::High, 50.0, "A child under 12 works", vec![]);
    input.suppliers[1].assessment.findings.push(child); // s-low
    let b = bytes(&input);
    let f = sheet(&b, "Findings");
    let row = (1..f.height() as u32).find(|&x| s(&f, x, 2) == "child_under_12").expect("child finding listed");
    assert_eq!((s(&f, row, 0), s(&f, row, 3)), ("s-low".into(), "child_labour".into()));
    let r = sheet(&b, "ILO indicators");
    let last = 3 + IloIndicator::ALL.len() as u32;
    assert_eq!(s(&r, 0, last), super::register::CHILD_LABOUR_TITLE);
    assert_eq!((s(&r, 4, 0), s(&r, 4, last)), ("s-low".into(), "high".into()));
    assert_eq!(s(&r, 1, last), "", "no child-labour finding, no mark");
}

/// A supplier of `country` with only `findings`, high tier by default.
fn with_findings(id: &str, country: &str, findings: Vec<Finding>) -> ReportSupplier {
    let mut s = supplier(id, id, "manufacturing", Tier::High, 60.0, findings);
    s.country = country.into();
    s
}

/// The regulatory map's rows as (group, law) → (findings, suppliers).
fn regulatory_rows(b: &[u8]) -> Vec<(String, String, f64, f64)> {
    let r = sheet(b, "Regulatory map");
    (1..r.height() as u32)
        .take_while(|&row| !s(&r, row, 0).is_empty())
        .map(|row| (s(&r, row, 0), s(&r, row, 1), n(&r, row, 4), n(&r, row, 5)))
        .collect()
}

fn count_of(rows: &[(String, String, f64, f64)], group: &str, law: &str) -> Option<(f64, f64)> {
    rows.iter().find(|r| r.0.starts_with(group) && r.1.contains(law)).map(|r| (r.2, r.3))
}

fn regulatory_input() -> ReportInput {
    let mut input = sample();
    let mut state =
        Evidence::new(EvidenceSource::Reference, "China (PRC), including the Xinjiang Uyghur Autonomous Region");
    state.file = Some("state_imposed_forced_labour_2024".into());
    // A Chinese supplier with country context only (the title even names Xinjiang).
    let context = with_findings(
        "cn-context",
        "CN",
        vec![
            finding(
                "state_imposed_fl_country",
                Dimension::Inherent,
                Severity::High,
                30.0,
                "State-imposed forced labour in China, incl. Xinjiang",
                vec![state],
            ),
            finding("tip_tier_3", Dimension::Inherent, Severity::High, 20.0, "TIP Tier 3 country", vec![]),
        ],
    );
    let nexus = with_findings(
        "cn-nexus",
        "CN",
        vec![finding("xinjiang_nexus", Dimension::Screening, Severity::High, 80.0, "Located in Xinjiang", vec![])],
    );
    let listed = with_findings(
        "cn-listed",
        "CN",
        vec![finding(
            "entity_list_match",
            Dimension::Screening,
            Severity::High,
            90.0,
            "Strong match on UFLPA Entity List: Xinjiang Acme Cotton Co",
            vec![],
        )],
    );
    let own_list = with_findings(
        "my-own",
        "MY",
        vec![finding(
            "entity_list_match",
            Dimension::Screening,
            Severity::Medium,
            40.0,
            "Possible match on Group sanctions list: Acme",
            vec![],
        )],
    );
    let untraced = with_findings(
        "cn-cotton",
        "CN",
        vec![finding(
            "uflpa_high_priority_untraced",
            Dimension::Screening,
            Severity::High,
            50.0,
            "Cotton from China, not traced",
            vec![],
        )],
    );
    let child = with_findings(
        "in-child",
        "IN",
        vec![
            finding(
                "child_labour_under_minimum_age",
                Dimension::ChildLabour,
                Severity::High,
                60.0,
                "Worker under minimum age",
                vec![],
            ),
            finding(
                "hazardous_child_labour",
                Dimension::ChildLabour,
                Severity::High,
                70.0,
                "Child in hazardous work",
                vec![],
            ),
        ],
    );
    input.suppliers = vec![context, nexus, listed, own_list, untraced, child];
    input
}

#[test]
fn regulatory_map_counts_only_the_findings_that_bear_on_each_law() {
    let rows = regulatory_rows(&bytes(&regulatory_input()));
    // UFLPA presumption (Xinjiang): the nexus only; never a supplier with country context alone,
    // nor the entity-list match whose entity is named after Xinjiang.
    assert_eq!(count_of(&rows, "Xinjiang", "UFLPA"), Some((1.0, 1.0)));
    assert!(
        rows.iter().filter(|r| r.1.contains("UFLPA")).all(|r| !r.0.starts_with("Inherent")),
        "context never maps to the UFLPA"
    );
    // Entity lists: the UFLPA row counts UFLPA/CBP matches; other laws count every match.
    assert_eq!(count_of(&rows, "Entity-list", "UFLPA"), Some((1.0, 1.0)));
    assert_eq!(count_of(&rows, "Entity-list", "EU Forced Labour"), Some((2.0, 2.0)));
    // A high-priority sector without traceability is its own row, not the presumption.
    assert_eq!(count_of(&rows, "UFLPA high-priority", "UFLPA"), Some((1.0, 1.0)));
    // Country context: 2 findings of one supplier.
    assert_eq!(count_of(&rows, "Inherent", "LkSG"), Some((2.0, 1.0)));
    // Child labour: under the child-labour group, with the laws that cover it.
    for law in ["LkSG", "S-211", "CSDDD", "UK Modern Slavery", "Australian Modern Slavery", "Tariff Act"] {
        assert_eq!(count_of(&rows, "Child labour", law), Some((2.0, 1.0)), "{law}");
    }
    assert_eq!(count_of(&rows, "ILO", "LkSG"), Some((0.0, 0.0)), "child labour is not counted as an ILO indicator");
}

#[test]
fn regulatory_map_shows_the_laws_of_the_organisations_markets() {
    let laws = |markets: &[&str]| {
        let mut input = regulatory_input();
        input.markets = markets.iter().map(|m| m.to_string()).collect();
        let b = bytes(&input);
        let r = sheet(&b, "Regulatory map");
        let line = (1..r.height() as u32)
            .find(|&row| s(&r, row, 0) == super::regulatory::MARKETS_LABEL)
            .expect("markets line");
        let mut l: Vec<String> = regulatory_rows(&b).into_iter().map(|r| r.1).collect();
        l.sort();
        l.dedup();
        (l, s(&r, line, 1))
    };
    let (all, line) = laws(&[]);
    assert_eq!(all.len(), 9, "every law without markets: {all:?}");
    assert!(line.starts_with("All markets"), "{line}");
    let (gb, line) = laws(&["GB"]);
    assert_eq!(gb, ["UK Modern Slavery Act 2015"]);
    assert_eq!(line, "GB");
    let (us, _) = laws(&["US"]);
    assert!(us.iter().all(|l| l.starts_with("US ") || l.starts_with("California")), "{us:?}");
    assert_eq!(us.len(), 3);
    let (de, line) = laws(&["DE", "US"]);
    assert!(
        de.iter().any(|l| l.contains("LkSG"))
            && de.iter().any(|l| l.contains("EU Forced Labour"))
            && de.iter().any(|l| l.contains("UFLPA")),
        "{de:?}"
    );
    assert!(!de.iter().any(|l| l.contains("UK ") || l.contains("Australian") || l.contains("Canada")), "{de:?}");
    assert_eq!(line, "DE, US");
    let (fr, _) = laws(&["FR"]);
    assert!(fr.iter().all(|l| l.starts_with("EU ")) && fr.len() == 2, "an EU member brings the EU's laws only: {fr:?}");
    let (eu, _) = laws(&["EU"]);
    assert_eq!(eu, fr);
    let (none, _) = laws(&["JP"]);
    assert!(none.is_empty());
}
