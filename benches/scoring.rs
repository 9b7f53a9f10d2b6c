//! Benchmark: assess 100k synthetic suppliers (networks over all of them, screening against all
//! lists) on one thread, and print the time. Run: `cargo bench --bench scoring`.

use chrono::NaiveDate;
use manumit::domain::{AddressType, CountryCode, Sector, SupplierRecord, YesNo};
use manumit::scoring::{assess_org, detect_network_details, OrgContext, Screener};
use std::collections::HashMap;
use std::time::Instant;

const N: usize = 100_000;

/// Deterministic xorshift generator.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[(self.next() % v.len() as u64) as usize]
    }
    fn chance(&mut self, pct: u64) -> bool {
        self.next() % 100 < pct
    }
}

const SYL: &[&str] =
    &["ka", "lo", "mi", "ta", "ren", "sun", "vor", "el", "dan", "qi", "zhu", "ba", "tor", "wen", "lin"];
const WORDS: &[&str] = &["Textile", "Trading", "Foods", "Industrial", "Garments", "Electronics", "Farms", "Hotel"];
const SUFFIX: &[&str] = &["Co., Ltd.", "LLC", "Sdn Bhd", "GmbH", "Inc", "Limited", ""];
const COUNTRIES: &[&str] = &["CN", "MY", "IN", "VN", "BD", "TH", "US", "DE", "MX", "TR", "KH", "ID"];
const GOODS: &[&str] =
    &["cotton yarn", "electronic components", "garments", "seafood", "bricks", "coffee", "tomato paste", "furniture"];
const LISTED: &[&str] =
    &["HETIAN HAOLIN HAIR ACCESSORIES CO LTD", "NINESTAR CORP", "TOP GLOVE CORP BHD", "Ninestor Corporation"];

fn supplier(i: usize, r: &mut Rng) -> SupplierRecord {
    let mut s = SupplierRecord { id: format!("sup-{i:06}"), ..Default::default() };
    let f = &mut s.fields;
    f.legal_name = if i.is_multiple_of(997) {
        r.pick(LISTED).to_string()
    } else {
        let w: String = (0..3).map(|_| *r.pick(SYL)).collect();
        let mut w = w;
        if let Some(c) = w.get_mut(0..1) {
            c.make_ascii_uppercase();
        }
        format!("{w} {} {}", r.pick(WORDS), r.pick(SUFFIX))
    };
    let cc: &&str = r.pick(COUNTRIES);
    f.country = CountryCode::new(cc);
    f.sector = Some(*r.pick(Sector::ALL));
    f.commodity = Some(r.pick(GOODS).to_string());
    f.phone = Some(format!("+{} {:09}", 60 + (i % 30), r.next() % 1_000_000_000));
    f.address = Some(format!("{} Industrial Road {}", i, r.next() % 1000));
    f.postal_code = Some(format!("{:05}", r.next() % 100_000));
    f.email = Some(format!("sales@{}.example.com", s.id));
    f.bank_account = Some(format!("AC{:012}", r.next() % 1_000_000_000_000));
    // About 8% share a phone or an address with a few others.
    if r.chance(4) {
        f.phone = Some(format!("0060 12 {:07}", r.next() % 1500));
    } else if r.chance(4) {
        f.address = Some(format!("{} Jln Shared", r.next() % 1500));
        f.postal_code = Some("10200".into());
    }
    let yn = |r: &mut Rng| {
        *r.pick(&[Some(YesNo::Yes), Some(YesNo::No), Some(YesNo::No), Some(YesNo::No), Some(YesNo::Unknown), None])
    };
    f.passports_held_by_employer = yn(r);
    f.recruitment_fees_paid_by_workers = yn(r);
    f.beneficial_owners_disclosed = yn(r);
    f.xinjiang_inputs = yn(r);
    f.workers_live_on_premises = yn(r);
    f.address_type = Some(*r.pick(&[AddressType::Own, AddressType::LeasedIndustrial, AddressType::VirtualOffice]));
    f.employee_count = Some(r.next() % 2000);
    f.annual_revenue = Some((r.next() % 100_000_000) as f64);
    f.migrant_worker_pct = Some((r.next() % 100) as f64);
    f.cash_revenue_pct = Some((r.next() % 60) as f64);
    f.incorporation_date = NaiveDate::from_ymd_opt(2000 + (r.next() % 27) as i32, 1 + (r.next() % 12) as u32, 1);
    f.directors = vec![format!("{} {} {i}", r.pick(SYL), r.pick(SYL))];
    s
}

/// CPU time of the calling thread (independent of other load on the machine).
fn thread_cpu_secs() -> f64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes into the timespec we own.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return 0.0;
    }
    ts.tv_sec as f64 + ts.tv_nsec as f64 / 1e9
}

fn main() {
    let mut r = Rng(0x9E37_79B9_7F4A_7C15);
    let suppliers: Vec<SupplierRecord> = (0..N).map(|i| supplier(i, &mut r)).collect();
    let qs = HashMap::new();
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap_or_default();
    let ctx =
        OrgContext { suppliers: &suppliers, watchlists: &[], decisions: &[], questionnaires: &qs, as_of, markets: &[] };
    // Phases, for orientation.
    let t = Instant::now();
    let d = detect_network_details(&suppliers);
    let t_net = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let sc = Screener::new(&[]);
    let hits: usize =
        suppliers.iter().map(|s| sc.screen(&[s.fields.legal_name.as_str()], s.fields.country.as_ref()).len()).sum();
    let t_scr = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let bytes: usize = suppliers.iter().map(|s| serde_json::to_vec(s).map(|v| v.len()).unwrap_or(0)).sum();
    let t_json = t.elapsed().as_secs_f64();
    println!("phases: networks {t_net:.3} s ({} clusters); screening {t_scr:.3} s ({hits} hits); supplier JSON {t_json:.3} s ({bytes} bytes)", d.len());
    drop(d);
    let t = Instant::now();
    let c0 = thread_cpu_secs();
    let (out, clusters) = assess_org(&ctx, &[]);
    let cpu = thread_cpu_secs() - c0;
    let secs = t.elapsed().as_secs_f64();
    let linked: usize = clusters.iter().map(|c| c.suppliers.len()).sum();
    let mut tiers: HashMap<String, usize> = HashMap::new();
    for (_, a) in &out {
        *tiers.entry(a.tier.to_string()).or_default() += 1;
    }
    let matches = out.iter().filter(|(_, a)| !a.screening_matches.is_empty()).count();
    println!(
        "scoring bench: {} suppliers assessed in {secs:.3} s wall, {cpu:.3} s CPU of this one thread ({:.1} µs each); {} clusters \
         covering {linked} suppliers; {matches} with screening matches; tiers {:?}",
        out.len(),
        secs * 1e6 / out.len().max(1) as f64,
        clusters.len(),
        tiers
    );
}
