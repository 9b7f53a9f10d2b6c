"""Builds a zstd raw-content dictionary for stored assessment bodies (run once per dictionary
version; a published dictionary is frozen, since stored bodies need it to be read).

Usage: python3 tools/assessment_dict.py DB OUT [--bytes N]
DB is a SQLite database holding assessments (for version 1: the `full` case of
`UPLOAD_BENCH_KEEP=DIR cargo bench --bench upload`, 100,000 generated suppliers). The bodies
are picked greedily so that every indicator, tier and set of recommended actions appears, then
filled up to the size; the most common come last (zstd finds near matches cheaper).
"""
import json, sqlite3, sys


def main():
    db, out = sys.argv[1], sys.argv[2]
    size = int(sys.argv[sys.argv.index("--bytes") + 1]) if "--bytes" in sys.argv else 65536
    bodies = [r[0] for r in sqlite3.connect(db).execute("SELECT body_json FROM assessments ORDER BY id")]
    seen, picked, total = set(), [], 0

    def traits(b):
        j = json.loads(b)
        t = {("tier", j["tier"]), ("actions", tuple(j["recommended_actions"]))}
        t |= {("ind", f["indicator"], f["severity"]) for f in j["findings"]}
        t |= {("ev", e.get("source"), e.get("file")) for f in j["findings"] for e in f["evidence"]}
        return t

    for b in bodies:  # coverage first
        new = traits(b) - seen
        if new and total + len(b) <= size:
            seen |= new
            picked.append(b)
            total += len(b)
    for b in bodies[::97]:  # then a spread of ordinary bodies
        if total + len(b) > size:
            break
        picked.append(b)
        total += len(b)
    with open(out, "wb") as f:
        f.write("\n".join(reversed(picked)).encode())
    print(f"{len(picked)} bodies, {total} bytes, {len(seen)} traits")


if __name__ == "__main__":
    main()
