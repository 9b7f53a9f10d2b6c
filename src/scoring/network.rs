//! Supplier networks: suppliers of one organisation that share a normalised bank account, phone,
//! e-mail domain, director/owner or address are joined (union-find) into clusters, and each
//! member gets findings listing every other member and what it shares.

use super::evidence::{field, finding};
use super::normalise;
use super::FastMap;
use crate::domain::{
    AddressType, Dimension, Evidence, EvidenceSource, Finding, NetworkCluster, NetworkMember, Severity, SharedLink,
    SupplierRecord,
};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Other members listed per network finding. Members that share this supplier's identifier come
/// first; beyond the cap one row gives the count and points to the network (GET /networks lists
/// every member). Listing 200 members in each finding of each member made an organisation's
/// stored assessments grow with the square of its largest network (1.2 GB for 100k suppliers).
pub const MAX_NETWORK_EVIDENCE: usize = 25;

/// A cluster with, per member (same order as `cluster.suppliers`), the links that member holds.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterDetail {
    pub cluster: NetworkCluster,
    pub member_links: Vec<Vec<SharedLink>>,
    /// SHA-256 of the cluster and its links: what an assessment's inputs hash includes, computed
    /// once per cluster (hashing the whole cluster for every member was quadratic).
    pub digest: String,
    /// Member id → position in `cluster.suppliers`.
    position: FastMap<String, usize>,
    /// Shared identifier → the positions of the members holding it.
    holders: FastMap<SharedLink, Vec<usize>>,
}

impl ClusterDetail {
    /// The position of a supplier among the members.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.position.get(id).copied()
    }
}

/// The normalised identifiers of one supplier: (kind, value), sorted, unique.
fn raw_links(s: &SupplierRecord) -> Vec<(&'static str, String)> {
    let f = &s.fields;
    let mut out: Vec<(&'static str, String)> = Vec::with_capacity(6);
    // Placeholders such as 0000000 or XXXXXX link nothing.
    let placeholder = |x: &str| {
        let mut cs = x.chars().filter(|c| c.is_alphanumeric());
        cs.next().is_some_and(|c0| cs.all(|c| c == c0))
    };
    let mut push = |kind: &'static str, v: Option<String>| {
        if let Some(value) = v.filter(|v| !placeholder(v)) {
            out.push((kind, value));
        }
    };
    push("bank_account", f.bank_account.as_deref().and_then(normalise::bank_account));
    push("phone", f.phone.as_deref().and_then(|p| normalise::phone(p, f.country.as_ref())));
    push("email_domain", f.email.as_deref().and_then(normalise::email_domain));
    for p in f.directors.iter().chain(f.beneficial_owners.iter()) {
        push("person", normalise::person(p));
    }
    push(
        "address",
        f.address.as_deref().and_then(|a| normalise::address(a, f.city.as_deref(), f.postal_code.as_deref())),
    );
    out.sort();
    out.dedup();
    out
}

/// The normalised identifiers of one supplier, by kind.
pub fn supplier_links(s: &SupplierRecord) -> Vec<SharedLink> {
    raw_links(s).into_iter().map(|(k, value)| SharedLink { kind: k.to_string(), value }).collect()
}

fn find(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

fn union(parent: &mut [usize], a: usize, b: usize) {
    let (a, b) = (find(parent, a), find(parent, b));
    if a != b {
        parent[a.max(b)] = a.min(b);
    }
}

/// Every supplier's identifiers in one vector, and where each supplier's starts: one vector per
/// supplier, 100,000 small allocations, set the peak of a 100k-row upload (about 12 MB more).
/// Normalising them is most of detecting the networks, and every scoring thread waits for it:
/// a large organisation's suppliers are split between two threads.
fn all_links(suppliers: &[SupplierRecord]) -> (Vec<(&'static str, String)>, Vec<usize>) {
    fn collect(part: &[SupplierRecord]) -> (Vec<(&'static str, String)>, Vec<usize>) {
        let mut flat = Vec::new();
        let mut starts = Vec::with_capacity(part.len() + 1);
        for s in part {
            starts.push(flat.len());
            flat.extend(raw_links(s));
        }
        (flat, starts)
    }
    if suppliers.len() < PARALLEL_FROM {
        return collect(suppliers);
    }
    let (a, b) = suppliers.split_at(suppliers.len() / 2);
    let ((mut flat, mut starts), (flat_b, starts_b)) = std::thread::scope(|scope| {
        // No thread to be had (a process at its limit): the second half on this one too.
        let other = std::thread::Builder::new().spawn_scoped(scope, || collect(b)).ok();
        let first = collect(a);
        let second = match other {
            // A panic there is re-raised here, as it would have been on one thread.
            Some(t) => t.join().unwrap_or_else(|p| std::panic::resume_unwind(p)),
            None => collect(b),
        };
        (first, second)
    });
    let offset = flat.len();
    flat.extend(flat_b);
    starts.extend(starts_b.into_iter().map(|i| i + offset));
    (flat, starts)
}

/// Suppliers from which [`all_links`] uses a second thread (below, starting it costs more).
const PARALLEL_FROM: usize = 5_000;

/// Clusters with per-member links; deterministic for a given input (sorted by cluster id).
pub fn detect_network_details(suppliers: &[SupplierRecord]) -> Vec<ClusterDetail> {
    details(suppliers, PARALLEL_CLUSTERS)
}

/// [`detect_network_details`], making the clusters on two threads from `parallel_from` clusters.
fn details(suppliers: &[SupplierRecord], parallel_from: usize) -> Vec<ClusterDetail> {
    let (mut flat, mut starts) = all_links(suppliers);
    starts.push(flat.len());
    flat.shrink_to_fit();
    let links: Vec<&[(&'static str, String)]> = starts.windows(2).map(|w| &flat[w[0]..w[1]]).collect();
    let total = flat.len();
    // Each identifier → the first supplier holding it, and whether another supplier (a different
    // id: a re-sent row is not a link) holds it too; holders are joined to the first one.
    let mut first: FastMap<(&str, &str), (usize, bool)> = FastMap::default();
    first.reserve(total);
    let mut parent: Vec<usize> = (0..suppliers.len()).collect();
    for (i, ls) in links.iter().enumerate() {
        for (k, v) in ls.iter() {
            let e = first.entry((k, v.as_str())).or_insert((i, false));
            if e.0 != i && suppliers[e.0].id != suppliers[i].id {
                e.1 = true;
                let f = e.0;
                union(&mut parent, f, i);
            }
        }
    }
    let roots: Vec<usize> = (0..suppliers.len()).map(|i| find(&mut parent, i)).collect();
    let mut size = vec![0u32; suppliers.len()];
    for &r in &roots {
        size[r] += 1;
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, &r) in roots.iter().enumerate() {
        if size[r] >= 2 {
            groups.entry(r).or_default().push(i);
        }
    }
    let mut shared_by_root: FastMap<usize, Vec<SharedLink>> = FastMap::default();
    for (&(k, v), &(f, shared)) in &first {
        if shared {
            shared_by_root.entry(roots[f]).or_default().push(SharedLink { kind: k.to_string(), value: v.to_string() });
        }
    }
    drop(first);
    let mut groups: Vec<(Vec<usize>, Vec<SharedLink>)> = groups
        .into_iter()
        .map(|(root, ms)| {
            let shared = shared_by_root.remove(&root).unwrap_or_default();
            (ms, shared)
        })
        .collect();
    let build = |part: &mut [(Vec<usize>, Vec<SharedLink>)]| -> Vec<ClusterDetail> {
        part.iter_mut()
            .map(|(ms, shared)| cluster_detail(suppliers, &links, std::mem::take(ms), std::mem::take(shared)))
            .collect()
    };
    // Every scoring thread waits for the clusters: a large organisation's are made on two threads.
    let mut out = if groups.len() < parallel_from {
        build(&mut groups)
    } else {
        let mid = groups.len() / 2;
        let (a, b) = groups.split_at_mut(mid);
        // Behind a lock so that this thread can still make them should no thread be had.
        let b = std::sync::Mutex::new(b);
        let second = || build(&mut b.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
        std::thread::scope(|scope| {
            let other = std::thread::Builder::new().spawn_scoped(scope, second);
            let mut out = build(a);
            match other {
                // A panic there is re-raised here, as it would have been on one thread.
                Ok(t) => out.extend(t.join().unwrap_or_else(|p| std::panic::resume_unwind(p))),
                // No thread to be had (a process at its limit): the second half on this one too.
                Err(_) => out.extend(second()),
            }
            out
        })
    };
    out.sort_by(|a, b| a.cluster.id.cmp(&b.cluster.id));
    out
}

/// Clusters from which [`detect_network_details`] makes them on two threads.
const PARALLEL_CLUSTERS: usize = 1_000;

/// One cluster: its members `ms` (positions in `suppliers`), the identifiers they share, and
/// what each member holds of them.
fn cluster_detail(
    suppliers: &[SupplierRecord],
    links: &[&[(&'static str, String)]],
    mut ms: Vec<usize>,
    mut shared: Vec<SharedLink>,
) -> ClusterDetail {
    ms.sort_by(|&a, &b| suppliers[a].id.cmp(&suppliers[b].id).then(a.cmp(&b)));
    shared.sort();
    let mut h = Sha256::new();
    for &m in &ms {
        h.update(suppliers[m].id.as_bytes());
        h.update(b"\n");
    }
    let id = format!("net-{}", &hex::encode(h.finalize())[..16]);
    let shared_set: std::collections::HashSet<(&str, &str), foldhash::fast::RandomState> =
        shared.iter().map(|l| (l.kind.as_str(), l.value.as_str())).collect();
    let member_links: Vec<Vec<SharedLink>> = ms
        .iter()
        .map(|&m| {
            links[m]
                .iter()
                .filter(|(k, v)| shared_set.contains(&(*k, v.as_str())))
                .map(|(k, v)| SharedLink { kind: k.to_string(), value: v.clone() })
                .collect()
        })
        .collect();
    let members = ms
        .iter()
        .map(|&m| NetworkMember {
            id: suppliers[m].id.clone(),
            external_ref: suppliers[m].fields.external_ref.clone(),
            legal_name: suppliers[m].fields.legal_name.clone(),
        })
        .collect();
    let cluster = NetworkCluster { id, suppliers: members, shared };
    let digest = {
        let mut h = Sha256::new();
        if let Ok(j) = serde_json::to_vec(&(&cluster, &member_links)) {
            h.update(&j);
        }
        hex::encode(h.finalize())
    };
    let position = cluster.suppliers.iter().enumerate().map(|(i, m)| (m.id.clone(), i)).collect();
    let mut holders: FastMap<SharedLink, Vec<usize>> = FastMap::default();
    for (i, ls) in member_links.iter().enumerate() {
        for l in ls {
            holders.entry(l.clone()).or_default().push(i);
        }
    }
    ClusterDetail { cluster, member_links, digest, position, holders }
}

/// Suppliers linked by shared identifiers, as clusters with stable ids (hash of sorted member ids).
pub fn detect_networks(suppliers: &[SupplierRecord]) -> Vec<NetworkCluster> {
    detect_network_details(suppliers).into_iter().map(|d| d.cluster).collect()
}

const KINDS: &[(&str, &str, &str)] = &[
    ("bank_account", "shared_bank_account", "bank account"),
    ("phone", "shared_phone", "phone number"),
    ("email_domain", "shared_email_domain", "e-mail domain"),
    ("person", "shared_director_or_owner", "director or owner"),
    ("address", "shared_address", "address"),
];

fn source_field(kind: &str) -> &'static str {
    match kind {
        "bank_account" => "bank_account",
        "phone" => "phone",
        "email_domain" => "email",
        "person" => "directors",
        _ => "address",
    }
}

/// Front-business findings for one member of a cluster: one per kind of identifier it shares,
/// each listing every other member (key = its id, value = its name and what it shares).
pub fn network_findings(s: &SupplierRecord, detail: &ClusterDetail) -> Vec<Finding> {
    let Some(me) = detail.position(&s.id) else {
        return Vec::new();
    };
    let mine = &detail.member_links[me];
    let mut out = Vec::new();
    for (kind, indicator, label) in KINDS {
        let values: Vec<&SharedLink> = mine.iter().filter(|l| l.kind == *kind).collect();
        if values.is_empty() {
            continue;
        }
        let severity = match *kind {
            "bank_account" => Severity::High,
            "address" if s.fields.address_type == Some(AddressType::Residential) => Severity::Medium,
            "address" => Severity::Low,
            _ => Severity::Medium,
        };
        let mut evidence =
            vec![field(s, source_field(kind), values.iter().map(|l| l.value.as_str()).collect::<Vec<_>>().join("; "))];
        let n = detail.cluster.suppliers.len();
        // Members sharing one of this kind's values with this supplier first, then the others
        // (found through `holders`, so a large network costs no scan per member).
        let mut sharers: Vec<usize> = values
            .iter()
            .flat_map(|l| detail.holders.get(*l).into_iter().flatten().copied())
            .filter(|&i| i != me)
            .collect();
        sharers.sort_unstable();
        sharers.dedup();
        let is_sharer = |i: &usize| sharers.binary_search(i).is_ok();
        let order = sharers.iter().copied().chain((0..n).filter(|i| *i != me && !is_sharer(i)));
        for (listed, i) in order.enumerate() {
            if listed == MAX_NETWORK_EVIDENCE {
                evidence.push(Evidence::new(
                    EvidenceSource::Supplier,
                    format!(
                        "and {} further members: see network {} (GET /api/v1/networks lists every member)",
                        n - 1 - listed,
                        detail.cluster.id
                    ),
                ));
                break;
            }
            let m = &detail.cluster.suppliers[i];
            let common: Vec<String> = detail.member_links[i]
                .iter()
                .filter(|l| mine.contains(l))
                .map(|l| format!("{} {}", l.kind, l.value))
                .collect();
            let what = if common.is_empty() {
                format!("linked through other members of network {}", detail.cluster.id)
            } else {
                format!("shares {}", common.join(", "))
            };
            evidence.push(Evidence {
                key: Some(m.id.clone()),
                ..Evidence::new(EvidenceSource::Supplier, format!("{}: {what}", m.legal_name))
            });
        }
        out.push(finding(
            indicator,
            Dimension::FrontBusiness,
            severity,
            format!("Shares a {label} with other suppliers"),
            format!(
                "Indicator of risk: this supplier shares a {label} with other suppliers of the organisation; \
                 together they form network {} of {n} suppliers. Apparently independent suppliers controlled as \
                 a network are a front-business red flag (Polaris 2017, FATF 2018).",
                detail.cluster.id
            ),
            evidence,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::CountryCode;

    fn sup(id: &str, name: &str) -> SupplierRecord {
        let mut s = SupplierRecord { id: id.into(), ..Default::default() };
        s.fields.legal_name = name.into();
        s.fields.country = CountryCode::new("MY");
        s
    }

    /// Above `PARALLEL_FROM` the identifiers are gathered on two threads: the same clusters as
    /// one thread finds, including links that cross the two halves.
    #[test]
    fn two_threads_find_the_clusters_one_thread_finds() {
        let n = PARALLEL_FROM + 3;
        let all: Vec<SupplierRecord> = (0..n)
            .map(|i| {
                let mut s = sup(&format!("s{i:06}"), &format!("Supplier {i}"));
                // Pairs across the halves share a phone; every 7th shares an address with its neighbour.
                s.fields.phone = Some(format!("+60 12-{:07}", i % (n / 2)));
                if i % 7 == 0 {
                    s.fields.address = Some(format!("{} Jalan Ampang", i / 14));
                    s.fields.city = Some("Kuala Lumpur".into());
                }
                s
            })
            .collect();
        let (flat, starts) = all_links(&all);
        let one: Vec<_> = all.iter().flat_map(raw_links).collect();
        assert_eq!(flat, one);
        let mut expect = Vec::with_capacity(n);
        let mut at = 0;
        for s in &all {
            expect.push(at);
            at += raw_links(s).len();
        }
        assert_eq!(starts, expect);
        let clusters = detect_network_details(&all);
        // s000010 (first half) and s002511 (second half) share a phone.
        let c =
            clusters.iter().find(|c| c.cluster.suppliers.iter().any(|m| m.id == "s000010")).expect("s000010's cluster");
        assert!(c.cluster.suppliers.iter().any(|m| m.id == "s002511"), "{:?}", c.cluster.suppliers);
        // Over 2,500 clusters, made on two threads: the same as on one.
        assert!(clusters.len() > PARALLEL_CLUSTERS, "{}", clusters.len());
        assert_eq!(clusters, details(&all, usize::MAX));
    }

    #[test]
    fn phones_in_different_forms_link_and_cluster_is_transitive() {
        let mut a = sup("a", "Alpha");
        a.fields.phone = Some("+60 12-345 6789".into());
        let mut b = sup("b", "Beta");
        b.fields.phone = Some("0060123456789".into());
        b.fields.address = Some("5 Jln Ampang".into());
        b.fields.city = Some("Kuala Lumpur".into());
        let mut c = sup("c", "Gamma");
        c.fields.address = Some("5, Jalan Ampang".into());
        c.fields.city = Some("KUALA LUMPUR".into());
        let d = sup("d", "Delta");
        let cl = detect_network_details(&[c.clone(), a.clone(), d, b.clone()]);
        assert_eq!(cl.len(), 1);
        let ids: Vec<&str> = cl[0].cluster.suppliers.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c"]);
        // Stable id whatever the input order.
        let again = detect_networks(&[b.clone(), c.clone(), a.clone()]);
        assert_eq!(again[0].id, cl[0].cluster.id);
        // a's finding lists both b (direct) and c (through b).
        let f = network_findings(&a, &cl[0]);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].indicator, "shared_phone");
        let keys: Vec<_> = f[0].evidence.iter().filter_map(|e| e.key.clone()).collect();
        assert_eq!(keys, ["b", "c"]);
        assert!(f[0].evidence[2].value.contains("linked through"));
    }

    #[test]
    fn large_network_lists_direct_sharers_first_then_counts_the_rest() {
        // "z" shares a bank account with "m00" only; m00..m39 share one phone.
        let mut all = Vec::new();
        for i in 0..40 {
            let mut m = sup(&format!("m{i:02}"), &format!("Member {i}"));
            m.fields.phone = Some("+60 3 5555 0000".into());
            if i == 0 {
                m.fields.bank_account = Some("MY12 3456 7890 1234".into());
            }
            all.push(m);
        }
        let mut z = sup("z", "Zeta");
        z.fields.bank_account = Some("MY1234567890 1234".into());
        all.push(z.clone());
        let cl = detect_network_details(&all);
        assert_eq!(cl.len(), 1);
        assert_eq!(cl[0].cluster.suppliers.len(), 41);
        let f = network_findings(&z, &cl[0]);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].indicator, "shared_bank_account");
        let ev = &f[0].evidence;
        // The supplier's own cell, then m00 (the one sharing the account), then 24 more members.
        assert_eq!(ev[1].key.as_deref(), Some("m00"));
        assert!(ev[1].value.contains("shares bank_account"), "{}", ev[1].value);
        assert!(ev[2].value.contains("linked through"), "{}", ev[2].value);
        assert_eq!(ev.iter().filter(|e| e.key.is_some()).count(), MAX_NETWORK_EVIDENCE);
        let last = ev.last().unwrap();
        assert!(last.key.is_none());
        assert!(last.value.starts_with("and 15 further members: see network net-"), "{}", last.value);
        // A member of the phone group lists other phone sharers (all 39), capped the same way.
        let f = network_findings(&all[5], &cl[0]);
        let phone = f.iter().find(|f| f.indicator == "shared_phone").unwrap();
        assert!(phone.evidence[1..=MAX_NETWORK_EVIDENCE].iter().all(|e| e.value.contains("shares phone")));
        assert!(phone.evidence.last().unwrap().value.starts_with("and 15 further members"));
    }

    #[test]
    fn shared_bank_is_strong_and_free_mail_does_not_link() {
        let mut a = sup("a", "Alpha");
        a.fields.bank_account = Some("DE89 3704 0044 0532 0130 00".into());
        a.fields.email = Some("a@gmail.com".into());
        let mut b = sup("b", "Beta");
        b.fields.bank_account = Some("de89370400440532013000".into());
        b.fields.email = Some("b@gmail.com".into());
        let cl = detect_network_details(&[a.clone(), b]);
        assert_eq!(cl.len(), 1);
        assert_eq!(cl[0].cluster.shared.len(), 1);
        let f = network_findings(&a, &cl[0]);
        assert_eq!(f[0].severity, Severity::High);
        let mut c = sup("c", "C");
        c.fields.email = Some("x@gmail.com".into());
        let mut d = sup("d", "D");
        d.fields.email = Some("y@gmail.com".into());
        assert!(detect_networks(&[c, d]).is_empty());
    }

    #[test]
    fn directors_link_in_any_word_order() {
        let mut a = sup("a", "Alpha");
        a.fields.directors = vec!["TAN, Wei Ming".into()];
        let mut b = sup("b", "Beta");
        b.fields.beneficial_owners = vec!["Wei Ming Tan".into()];
        let cl = detect_networks(&[a, b]);
        assert_eq!(cl.len(), 1);
        assert_eq!(cl[0].shared[0].kind, "person");
    }
}
