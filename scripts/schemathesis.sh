#!/usr/bin/env bash
# Contract check: schemathesis (PyPI) fuzzes every operation of /api/v1/openapi.json against a
# real `manumit serve` on a temp SQLite database with an admin key, and fails on any 5xx, any
# status or media type the document does not list for the operation, and any response that does
# not match its documented schema. Bounded in time (MAX_TIME, default 120 s).
# Usage: scripts/schemathesis.sh [path/to/manumit]   (default: the debug build, built if missing)
# Env: MAX_TIME, MAX_EXAMPLES, CHECKS (comma-separated schemathesis checks), SEED.
set -euo pipefail
cd "$(dirname "$0")/.."
ST_VERSION=4.32.5
MAX_TIME=${MAX_TIME:-120}
MAX_EXAMPLES=${MAX_EXAMPLES:-25}
CHECKS=${CHECKS:-not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance}
SEED=${SEED:-7274}

# Installed with pip when missing; where the system Python refuses (PEP 668), into a venv.
st=(python3 -m schemathesis.cli)
if [ "$("${st[@]}" --version 2>/dev/null | awk '{print $NF}')" != "$ST_VERSION" ]; then
    venv="${XDG_CACHE_HOME:-$HOME/.cache}/manumit/schemathesis-$ST_VERSION"
    if [ -x "$venv/bin/python" ] && "$venv/bin/python" -m schemathesis.cli --version >/dev/null 2>&1; then
        st=("$venv/bin/python" -m schemathesis.cli)
    elif ! python3 -m pip install --quiet --disable-pip-version-check "schemathesis==$ST_VERSION" 2>/dev/null; then
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$ST_VERSION"
        st=("$venv/bin/python" -m schemathesis.cli)
    fi
fi

bin=${1:-}
if [ -z "$bin" ]; then
    bin="${CARGO_TARGET_DIR:-target}/debug/manumit"
    cargo build --quiet --bin manumit
fi

work=$(mktemp -d)
server_pid=""
finish() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    rm -rf "$work"
}
trap finish EXIT

# Port 0: the OS picks a free port; the server prints the address it got and the admin key.
DATABASE_URL="sqlite://$work/manumit.db" RUST_LOG=error MANUMIT_WORKERS=2 \
    "$bin" serve --bind 127.0.0.1:0 >"$work/stdout" 2>"$work/stderr" &
server_pid=$!
for _ in $(seq 1 60); do grep -q '^API docs' "$work/stdout" 2>/dev/null && break; sleep 0.5; done
base=$(sed -n 's/^Manumit is listening on //p' "$work/stdout" | head -n1)
key=$(grep '^mnm_' "$work/stdout" | head -n1 || true)
if [ -z "$base" ] || [ -z "$key" ]; then
    echo "manumit did not start:" >&2; cat "$work/stdout" "$work/stderr" >&2; exit 1
fi

# Real resources, so operations on /{id} reach their logic instead of only answering 404.
printf 'Vendor No.,Supplier Name,Country,Sector\nST-1,Schema Test Co,Thailand,Fishing\nST-2,Second Co,Viet Nam,Textiles\n' >"$work/seed.csv"
auth=(-H "Authorization: Bearer $key")
report=$(curl -sf "${auth[@]}" -F "file=@$work/seed.csv" "$base/api/v1/uploads")
json() { python3 -c "import json,sys; print(eval('json.load(sys.stdin)' + sys.argv[1]))" "$1"; }
export ST_UPLOAD_ID=$(json '["id"]' <<<"$report")
export ST_SUPPLIER_ID=$(json '["supplier_ids"][0]' <<<"$report")
export ST_ASSESSMENT_ID=$(json '["assessment_ids"][0]' <<<"$report")
cat >"$work/schemathesis.toml" <<'TOML'
[[operations]]
include-path-regex = "^/uploads/\\{id\\}"
parameters = { "path.id" = "${ST_UPLOAD_ID}" }
[[operations]]
include-path-regex = "^/suppliers/\\{id\\}"
parameters = { "path.id" = "${ST_SUPPLIER_ID}" }
[[operations]]
include-path-regex = "^/assessments/\\{id\\}"
parameters = { "path.id" = "${ST_ASSESSMENT_ID}" }
[[operations]]
include-path-regex = "^/questionnaires/\\{sector\\}"
parameters = { "path.sector" = "agriculture" }
TOML

# Uploads are multipart: schemathesis generates (mostly invalid) multipart bodies for them,
# which exercises the refusals; nothing is excluded.
cd "$work"   # schemathesis keeps a .schemathesis/ cache in the working directory
# No --url: the document's own servers place the operations (/api/v1, and / for the probes);
# --url would move the probes under /api/v1, where they do not exist.
# One worker: with two threads, hypothesis's lambda descriptions (ast.parse) sometimes raise
# CPython 3.11's "AST constructor recursion depth mismatch", a runtime error of the tool that
# failed a run with every case passing.
timeout --kill-after=10 $((MAX_TIME + 60)) "${st[@]}" --config-file "$work/schemathesis.toml" run "$base/api/v1/openapi.json" \
    --header "Authorization: Bearer $key" \
    --checks "$CHECKS" \
    --phases examples,coverage,fuzzing \
    --max-examples "$MAX_EXAMPLES" \
    --max-time "$MAX_TIME" \
    --request-timeout 30 \
    --workers 1 \
    --seed "$SEED" \
    --no-color
