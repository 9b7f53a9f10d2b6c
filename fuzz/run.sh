#!/usr/bin/env bash
# Seeds fuzz/corpus/read_workbook from the test fixtures and runs the `read_workbook` fuzz
# target for SECONDS (default 600).
#
#   fuzz/run.sh [SECONDS] [extra libFuzzer flags...]
#
# Environment:
#   SANITIZER=address|none   (default address; `none` keeps libFuzzer coverage, no ASan)
#   CARGO_TARGET_DIR         use a directory of its own: sanitizer builds cannot share artifacts
#
# Only a stable toolchain is needed: RUSTC_BOOTSTRAP=1 lets it accept the -Z flags cargo-fuzz
# passes. Needs `cargo install cargo-fuzz`. Crashes land in fuzz/artifacts/read_workbook/;
# keep each one as a regression test (tests/fixtures/fuzz/ + src/ingest/fuzz_regressions.rs).
set -euo pipefail

SECONDS_TO_RUN="${1:-600}"
shift || true
SANITIZER="${SANITIZER:-address}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
CORPUS="$HERE/corpus/read_workbook"

mkdir -p "$CORPUS"
# Real files: every ingest fixture, the questionnaire workbook, and earlier crashes.
for f in "$ROOT"/tests/fixtures/ingest/*.{xlsx,xlsb,xls,ods,csv,tsv} \
         "$ROOT"/tests/fixtures/questionnaire/*.xlsx \
         "$ROOT"/tests/fixtures/fuzz/*; do
    [ -f "$f" ] && case "$f" in *.md) ;; *) cp "$f" "$CORPUS/" ;; esac
done
# The same zip packages re-stored without compression, so that byte mutations reach the XML
# inside instead of only breaking the deflate stream.
python3 - "$CORPUS" <<'PY'
import sys, zipfile, pathlib
corpus = pathlib.Path(sys.argv[1])
for p in sorted(corpus.iterdir()):
    if p.suffix not in (".xlsx", ".xlsb", ".ods") or p.stem.endswith("_stored"):
        continue
    out = corpus / f"{p.stem}_stored{p.suffix}"
    with zipfile.ZipFile(p) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename), zipfile.ZIP_STORED)
PY

cd "$HERE"
RUSTC_BOOTSTRAP=1 exec cargo fuzz run -s "$SANITIZER" read_workbook "$CORPUS" -- \
    -max_total_time="$SECONDS_TO_RUN" -rss_limit_mb=2048 -timeout=30 \
    -dict="$HERE/read_workbook.dict" -print_final_stats=1 "$@"
