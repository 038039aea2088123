#!/usr/bin/env bash
# The workbench under load: 200 concurrent clients against the JSON API
# on localhost for 30 s (benches/load.py), on SQLite and, where
# GOVTRUST_TEST_POSTGRES names a server (.ci/postgres starts one), on
# PostgreSQL. Needs the release build (cargo build --release).
# Usage: benches/load.sh [CLIENTS] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
CLIENTS=${1:-200}
SECONDS_=${2:-30}
target="${CARGO_TARGET_DIR:-target}"
bin="$target/release/govtrust"
[ -x "$bin" ] || { echo "build it first: cargo build --release" >&2; exit 1; }
WORK=$(mktemp -d)
venv="$target/load/venv"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q 'aiohttp==3.13.2'
fi
PASSWORD=load-bench-password
failed=0

bench() {  # bench DB_URL LABEL
    local db=$1 label=$2 port
    echo "$PASSWORD" | "$bin" users add office --role office --db "$db" >/dev/null
    for u in $(seq -f 'D%03g' 1 40) $(seq -f 'T%03g' 1 20); do
        echo "$PASSWORD" | "$bin" users add "${u,,}" --role unit --unit "$u" --db "$db" >/dev/null
    done
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    "$bin" serve --quiet --db "$db" --runs "$WORK/runs-$label" --listen "127.0.0.1:$port" 2> "$WORK/serve-$label.log" &
    local pid=$!
    until curl -sf "http://127.0.0.1:$port/api/health" >/dev/null; do sleep 0.1; done
    # One finished run to serve.
    local cookie id
    cookie=$(curl -si -H 'Content-Type: application/json' -d "{\"name\":\"office\",\"password\":\"$PASSWORD\"}" \
        "http://127.0.0.1:$port/api/login" | tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \([^;]*\).*/\1/p')
    id=$(curl -sf -b "$cookie" -H 'Content-Type: application/json' -d '{}' "http://127.0.0.1:$port/api/runs" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
    until curl -sf -b "$cookie" "http://127.0.0.1:$port/api/runs/$id" | grep -q '"status":"done"'; do sleep 0.5; done
    echo "== $label"
    "$venv/bin/python" benches/load.py "http://127.0.0.1:$port" "$CLIENTS" "$SECONDS_" || failed=1
    kill "$pid"; wait "$pid" 2>/dev/null || true
    if grep -q 'internal error' "$WORK/serve-$label.log"; then
        echo "server errors:"; sort "$WORK/serve-$label.log" | uniq -c | head
        failed=1
    fi
}

echo "machine: $(nproc) cores, $(date -u +%Y-%m-%d), $("$bin" --version)"
bench "sqlite://$WORK/load.db" sqlite
if [ -n "${GOVTRUST_TEST_POSTGRES:-}" ]; then
    db=gt_load_$$
    python3 - "$GOVTRUST_TEST_POSTGRES" "$db" <<'PY'
import subprocess, sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
subprocess.run(["psql", f"postgresql://{u.username}:{u.password}@{u.hostname}:{u.port}/postgres",
                "-qc", f"CREATE DATABASE {sys.argv[2]}"], check=True)
PY
    bench "$GOVTRUST_TEST_POSTGRES/$db" postgres
fi
rm -rf "$WORK"
exit "$failed"
