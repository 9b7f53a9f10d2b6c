//! Benchmark: the full compliance workbook versus rust_xlsxwriter writing the same cells bare.
//!
//! For 1k / 10k / 100k synthetic suppliers (5 findings each) it runs each case in a child
//! process of this binary (so VmHWM, the peak resident set, is clean per case) and prints time,
//! peak memory and the full/bare ratio. Sizes can be set with `REPORT_BENCH_SIZES=1000,10000`.

use chrono::{DateTime, Duration, TimeZone, Utc};
use manumit::domain::*;
use manumit::report::{write_workbook, ReportInput, ReportSupplier, SourceFile};
use rust_xlsxwriter::Workbook;
use std::collections::BTreeMap;
use std::io::BufWriter;
use std::process::Command;
use std::time::Instant;

/// A small deterministic generator (xorshift) so every run builds the same input.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn base_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 29, 10, 0, 0).single().unwrap_or_default()
}

fn evidence(rng: &mut Rng, i: usize) -> Vec<Evidence> {
    let mut up = Evidence::new(EvidenceSource::Upload, if rng.below(2) == 0 { "Yes" } else { "Employer" });
    up.filename = Some(format!("suppliers_batch_{}.xlsx", i / 5000));
    up.row = Some((i % 5000) as u32 + 2);
    up.column = Some("Passports held by employer?".into());
    let mut rf = Evidence::new(EvidenceSource::Reference, "Electronics, Malaysia, forced labour");
    rf.file = Some(manumit::reference::TVPRA_FILE.into());
    rf.edition = Some("2022".into());
    if rng.below(2) == 0 {
        vec![up]
    } else {
        vec![up, rf]
    }
}

fn synthetic(n: usize) -> ReportInput {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let t0 = base_time();
    let sectors = Sector::ALL;
    let ilo = IloIndicator::ALL;
    let mut suppliers = Vec::with_capacity(n);
    for i in 0..n {
        let overall = rng.below(1000) as f64 / 10.0;
        let tier = match overall as u32 {
            0..=24 => Tier::Low,
            25..=49 => Tier::Medium,
            50..=74 => Tier::High,
            _ => Tier::Critical,
        };
        let findings: Vec<Finding> = (0..5)
            .map(|k| {
                let ind = ilo[rng.below(ilo.len() as u64) as usize];
                Finding {
                    indicator: ind.as_str().to_string(),
                    dimension: if k % 2 == 0 { Dimension::MenaceOfPenalty } else { Dimension::Involuntariness },
                    severity: Severity::ALL[rng.below(3) as usize],
                    points: rng.below(400) as f64 / 10.0,
                    title: format!("Indicator of {}", ind.as_str().replace('_', " ")),
                    explanation: "The supplier's answer matches an ILO indicator of forced labour.".into(),
                    evidence: evidence(&mut rng, i),
                }
            })
            .collect();
        let screening_matches = if i % 100 == 0 {
            vec![ScreeningMatch {
                list: "UFLPA Entity List".into(),
                edition: "2026-10".into(),
                matched_entity: format!("Listed Entity {i}"),
                matched_name: format!("Supplier {i}"),
                score: 0.91,
                strength: "strong".into(),
                status: "needs_review".into(),
            }]
        } else {
            vec![]
        };
        let actions = match tier {
            Tier::Low => vec!["Keep on file; annual SAQ refresh".to_string()],
            _ => vec![
                "Independent on-site audit within 30 days".to_string(),
                "Corrective action plan with deadlines".to_string(),
                "Repay recruitment fees".to_string(),
            ],
        };
        let comp = |s: f64| ComponentScore { score: s, tier };
        suppliers.push(ReportSupplier {
            id: format!("sup-{i:07}"),
            external_ref: Some(format!("ERP-{i}")),
            legal_name: if i % 1000 == 7 { format!("=HYPERLINK(\"x{i}\")") } else { format!("Supplier {i} Sdn Bhd") },
            country: ["MY", "TH", "CN", "IN", "DE"][i % 5].to_string(),
            sector: sectors[i % sectors.len()].as_str().to_string(),
            commodity: Some("rubber gloves".into()),
            assessment_id: format!("asm-{i:07}"),
            assessed_at: t0 - Duration::hours((i % 500) as i64),
            assessment: Assessment {
                methodology_version: "2026.1".into(),
                tier,
                overall,
                forced_labour_likely: tier == Tier::Critical,
                basis: Some(manumit::domain::Basis::Evidence),
                components: Components {
                    inherent: comp(overall / 2.0),
                    forced_labour: comp(overall),
                    front_business: comp(overall / 3.0),
                    screening: comp(0.0),
                    child_labour: Some(comp(0.0)),
                },
                completeness: 0.8,
                recommended_actions: actions,
                findings,
                screening_matches,
                reference_editions: BTreeMap::new(),
                inputs_hash: format!("{i:064x}"),
            },
            evidence_text: Vec::new(),
        });
        // As the service does: keep only what the workbook shows.
        if let Some(last) = suppliers.last_mut() {
            last.compact();
        }
    }
    let networks = (0..n / 50)
        .map(|c| NetworkCluster {
            id: format!("net-{c}"),
            suppliers: (0..3)
                .map(|k| NetworkMember {
                    id: format!("sup-{:07}", c * 50 + k),
                    external_ref: None,
                    legal_name: format!("Supplier {}", c * 50 + k),
                })
                .collect(),
            shared: vec![SharedLink { kind: "bank_account".into(), value: format!("MY{c:012}") }],
        })
        .collect();
    ReportInput {
        scope: vec![],
        generated_at: t0,
        generated_by: "bench".into(),
        methodology_version: "2026.1".into(),
        questionnaire_versions: vec![("saq-manufacturing".into(), "1.0".into())],
        reference_files: manumit::report::reference_files(),
        markets: Vec::new(),
        suppliers,
        networks,
        sources: (0..10)
            .map(|k| SourceFile {
                name: format!("suppliers_batch_{k}.xlsx"),
                sha256: format!("{k:064x}"),
                uploaded_at: t0,
                uploaded_by: "ops".into(),
            })
            .collect(),
    }
}

/// The same Risk register + Findings cells, written bare: constant memory, no formats, no
/// tables, conditional formats or validations, plain write_string / write_number.
fn write_bare(input: &ReportInput, path: &std::path::Path) -> Result<(), rust_xlsxwriter::XlsxError> {
    let mut order: Vec<usize> = (0..input.suppliers.len()).collect();
    order.sort_by(|&a, &b| input.suppliers[b].assessment.overall.total_cmp(&input.suppliers[a].assessment.overall));
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet_with_constant_memory()?;
    for (k, &i) in order.iter().enumerate() {
        let s = &input.suppliers[i];
        let a = &s.assessment;
        let r = k as u32 + 1;
        let mut top: Vec<&Finding> = a.findings.iter().collect();
        top.sort_by(|x, y| y.points.total_cmp(&x.points));
        let drivers = top.iter().take(3).map(|f| f.title.as_str()).collect::<Vec<_>>().join("; ");
        ws.write_string(r, 0, &s.id)?;
        ws.write_string(r, 1, s.external_ref.as_deref().unwrap_or(""))?;
        ws.write_string(r, 2, &s.legal_name)?;
        ws.write_string(r, 3, &s.country)?;
        ws.write_string(r, 4, &s.sector)?;
        ws.write_string(r, 5, s.commodity.as_deref().unwrap_or(""))?;
        ws.write_string(r, 6, a.tier.as_str())?;
        ws.write_number(r, 7, a.overall)?;
        ws.write_number(r, 8, a.components.forced_labour.score)?;
        ws.write_number(r, 9, a.components.front_business.score)?;
        ws.write_number(r, 10, a.components.inherent.score)?;
        ws.write_string(r, 11, if a.forced_labour_likely { "Yes" } else { "No" })?;
        ws.write_string(r, 12, &drivers)?;
        ws.write_string(r, 13, a.recommended_actions.join("; "))?;
        ws.write_number(r, 14, s.assessed_at.timestamp() as f64 / 86400.0 + 25569.0)?;
        ws.write_string(r, 15, &s.assessment_id)?;
    }
    let ws = wb.add_worksheet_with_constant_memory()?;
    let mut r = 1u32;
    for &i in &order {
        let s = &input.suppliers[i];
        for (j, f) in s.assessment.findings.iter().enumerate() {
            let ev = s.finding_evidence(j);
            ws.write_string(r, 0, &s.id)?;
            ws.write_string(r, 1, &s.legal_name)?;
            ws.write_string(r, 2, &f.indicator)?;
            ws.write_string(r, 3, f.dimension.as_str())?;
            ws.write_string(r, 4, f.severity.as_str())?;
            ws.write_number(r, 5, f.points)?;
            ws.write_string(r, 6, &f.title)?;
            ws.write_string(r, 7, ev.as_ref())?;
            r += 1;
        }
    }
    wb.save_to_writer(BufWriter::new(std::fs::File::create(path).map_err(rust_xlsxwriter::XlsxError::IoError)?))
}

/// A field of /proc/self/status in kB (VmHWM = peak RSS, VmRSS = current).
fn status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn child(mode: &str, n: usize) {
    let input = synthetic(n);
    let base = status_kb("VmRSS:");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("out.xlsx");
    let t = Instant::now();
    match mode {
        "full" => {
            let f = BufWriter::new(std::fs::File::create(&path).expect("create"));
            write_workbook(&input, f).expect("full workbook");
        }
        _ => write_bare(&input, &path).expect("bare workbook"),
    }
    let secs = t.elapsed().as_secs_f64();
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!("RESULT {secs:.3} {} {base} {size}", status_kb("VmHWM:"));
    drop(input);
}

fn run(mode: &str, n: usize) -> Option<(f64, u64, u64, u64)> {
    let exe = std::env::current_exe().ok()?;
    let out = Command::new(exe).args(["--child", mode, &n.to_string()]).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().find(|l| l.starts_with("RESULT "))?;
    let v: Vec<&str> = line.split_whitespace().collect();
    Some((v.get(1)?.parse().ok()?, v.get(2)?.parse().ok()?, v.get(3)?.parse().ok()?, v.get(4)?.parse().ok()?))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(p) = args.iter().position(|a| a == "--child") {
        let mode = args.get(p + 1).map(String::as_str).unwrap_or("full");
        let n = args.get(p + 2).and_then(|x| x.parse().ok()).unwrap_or(1000);
        child(mode, n);
        return;
    }
    let sizes: Vec<usize> = std::env::var("REPORT_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1_000, 10_000, 100_000]);
    println!("suppliers | mode | time s | peak MB | input MB | file MB");
    for n in sizes {
        let full = run("full", n);
        let bare = run("bare", n);
        for (mode, r) in [("full (9 sheets)", full), ("bare (register+findings)", bare)] {
            match r {
                Some((t, hwm, base, size)) => println!(
                    "{n:>9} | {mode} | {t:.2} | {:.1} | {:.1} | {:.1}",
                    hwm as f64 / 1024.0,
                    base as f64 / 1024.0,
                    size as f64 / 1_048_576.0
                ),
                None => println!("{n:>9} | {mode} | failed"),
            }
        }
        if let (Some(f), Some(b)) = (full, bare) {
            println!(
                "{n:>9} | ratio full/bare | time {:.2}x | peak {:.2}x",
                f.0 / b.0.max(1e-9),
                f.1 as f64 / (b.1 as f64).max(1.0)
            );
        }
    }
}
