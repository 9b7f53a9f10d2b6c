#!/usr/bin/env bash
# Load benchmark (not a test): GET /api/v1/suppliers/{id}/risk and PUT /api/v1/suppliers/by-ref/{ref}
# under wrk on loopback, 30 s each, against a release build on SQLite and, when a PostgreSQL URL
# is given, on a fresh database there. Prints requests/s and p50/p99 latency.
# Target (issue 7): >= 5,000 risk lookups/s at p99 < 20 ms on a 2-core machine.
#
# Usage: benches/load.sh [postgres://user@host:5432/postgres]
# RATE=5000 adds an open-loop run of GET risk at that rate with oha (cargo install oha).
# Env: MANUMIT_BIN (skip the build), SKIP_SQLITE (PostgreSQL only), RATE, DURATION (30s), CONNECTIONS (32), THREADS (2), SUPPLIERS (300), WORKERS (server threads).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-30s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
SUPPLIERS=${SUPPLIERS:-300}
PG_BASE=${1:-}

command -v wrk >/dev/null 2>&1 || { echo "needs wrk: apt-get install wrk" >&2; exit 1; }
command -v curl >/dev/null 2>&1 || { echo "needs curl" >&2; exit 1; }
bin=${MANUMIT_BIN:-}   # a prebuilt binary, or build the release one
if [ -z "$bin" ]; then
    cargo build --release --quiet --bin manumit
    bin="${CARGO_TARGET_DIR:-target}/release/manumit"
fi

work=$(mktemp -d)
server_pid=""
pg_db=""
stop_server() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    server_pid=""
}
finish() {
    stop_server
    if [ -n "$pg_db" ]; then psql "$PG_BASE" -qc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1 || true; fi
    if [ -n "${KEEP:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap finish EXIT

# Starts the server on $1 (a DATABASE_URL); sets base and key.
start() {
    local env=(DATABASE_URL="$1" RUST_LOG=error)
    [ -n "${WORKERS:-}" ] && env+=(MANUMIT_WORKERS="$WORKERS")
    env "${env[@]}" "$bin" serve --bind 127.0.0.1:0 >"$work/stdout" 2>"$work/stderr" &
    server_pid=$!
    for _ in $(seq 1 60); do grep -q '^API docs' "$work/stdout" 2>/dev/null && break; sleep 0.5; done
    base=$(sed -n 's/^Manumit is listening on //p' "$work/stdout" | head -n1)
    key=$(grep '^mnm_' "$work/stdout" | head -n1 || true)
    [ -n "$base" ] && [ -n "$key" ] || { cat "$work/stdout" "$work/stderr" >&2; exit 1; }
}

# Uploads $SUPPLIERS suppliers and writes the wrk scripts (ids and refs inlined).
seed() {
    {
        echo "Vendor No.,Supplier Name,Country,Sector,No. of Employees,Uses labour agency"
        local countries=(Thailand "Viet Nam" Malaysia India Germany Brazil China Bangladesh)
        local sectors=(Fishing Textiles Electronics Agriculture Construction Manufacturing)
        for i in $(seq 1 "$SUPPLIERS"); do
            echo "LD-$i,Load Supplier $i Co,${countries[$((i % 8))]},${sectors[$((i % 6))]},$((i * 7 % 5000 + 10)),$([ $((i % 3)) = 0 ] && echo Yes || echo No)"
        done
    } >"$work/seed.csv"
    curl -sf -H "Authorization: Bearer $key" -F "file=@$work/seed.csv" "$base/api/v1/uploads" >"$work/report.json"
    python3 - "$work" "$key" "$SUPPLIERS" <<'PY'
import json, sys
work, key, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
rep = json.load(open(f"{work}/report.json"))
ids = rep["supplier_ids"]
assert len(ids) == n, (len(ids), rep.get("errors"))
lua_ids = ",".join(f'"{i}"' for i in ids)
common = f'local headers = {{["Authorization"] = "Bearer {key}", ["Content-Type"] = "application/json"}}\n' + """
local shown = 0
response = function(status, hdrs, body)
  if status >= 300 and shown < 3 then
    shown = shown + 1
    io.stderr:write("non-2xx: ", status, " ", string.sub(body, 1, 300), "\\n")
  end
end
"""
open(f"{work}/risk.lua", "w").write(common + f"""local ids = {{{lua_ids}}}
request = function()
  return wrk.format("GET", "/api/v1/suppliers/" .. ids[math.random(#ids)] .. "/risk", headers)
end
""")
open(f"{work}/put.lua", "w").write(common + f"""local n = {n}
request = function()
  local i = math.random(n)
  local body = '{{"legal_name":"Load Supplier ' .. i .. ' Co","country":"TH","sector":"fishing","employee_count":' .. math.random(10, 5000) .. '}}'
  return wrk.format("PUT", "/api/v1/suppliers/by-ref/LD-" .. i, headers, body)
end
""")
PY
}

# Runs wrk with script $2 and prints one summary line labelled $1.
drive() {
    local label=$1 script=$2 out
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$script" "$base")
    echo "$out" >"$work/wrk-$label.txt"
    local rps p50 p99 errs
    rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    errs=$(awk '/Non-2xx/ {print $NF} /Socket errors/ {print}' <<<"$out" | paste -sd' ')
    printf '%-28s %10s req/s   p50 %8s   p99 %8s   %s\n' "$label" "$rps" "$p50" "$p99" "${errs:+non-2xx/errors: $errs}"
}

# Open loop (oha): GET risk at a fixed RATE for the duration, latency corrected for coordinated
# omission, so p99 is what a client sending RATE requests/s sees (wrk measures saturation).
drive_rate() {
    local label=$1 ids out
    ids=$(python3 -c "import json,sys; print('|'.join(json.load(open(sys.argv[1]))['supplier_ids']))" "$work/report.json")
    out=$(oha --no-tui --output-format json -z "$DURATION" -q "$RATE" -c "$CONNECTIONS" --latency-correction \
        -H "Authorization: Bearer $key" --rand-regex-url "$base/api/v1/suppliers/($ids)/risk")
    local file="$work/oha-${label//[^A-Za-z0-9]/_}.json"
    echo "$out" >"$file"
    python3 - "$label" "$file" <<'PY'
import json, sys
r = json.load(open(sys.argv[2]))
s, p = r["summary"], r["latencyPercentiles"]
codes = r.get("statusCodeDistribution", {})
bad = sum(v for k, v in codes.items() if not k.startswith("2"))
print(f"{sys.argv[1]:<28} {s['requestsPerSec']:10.2f} req/s   p50 {p['p50']*1e3:6.2f}ms   p99 {p['p99']*1e3:6.2f}ms   "
      f"success {s['successRate']*100:.2f}%" + (f"   non-2xx {bad}" if bad else ""))
PY
}

run_backend() {
    local name=$1 url=$2
    start "$url"
    seed
    # Warm up caches and the pool, then measure.
    wrk -t1 -c4 -d3s -s "$work/risk.lua" "$base" >/dev/null
    drive "$name GET risk" "$work/risk.lua"
    if [ -n "${RATE:-}" ] && command -v oha >/dev/null 2>&1; then
        drive_rate "$name GET risk @${RATE}/s"
    fi
    drive "$name PUT by-ref" "$work/put.lua"
    stop_server
}

echo "manumit load: $(nproc) cores, wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $SUPPLIERS suppliers"
[ -n "${SKIP_SQLITE:-}" ] || run_backend sqlite "sqlite://$work/load.db"
if [ -n "$PG_BASE" ]; then
    pg_db="mnm_load_$$"
    psql "$PG_BASE" -qc "CREATE DATABASE $pg_db"
    run_backend postgres "${PG_BASE%/*}/$pg_db"
fi
