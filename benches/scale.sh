#!/usr/bin/env bash
# Whole-run timing: `govtrust assess --no-bulletin` (the engine and its
# tables; benches/publish.sh times the charts and bulletin) end to end on
# generated data at several
# sizes, as CSV and Parquet, beside two baselines measured in the same run:
# the polars floor (benches/floor.rs: a bare typed scan + group-by) and the
# pandas implementation (benches/baseline/, checked to give the same values).
# Median wall time of RUNS runs, and peak memory (max RSS).
#
#   benches/scale.sh                      # 100k, 1M and 10M hotline tickets
#   benches/scale.sh 100000 1000000       # chosen sizes
#   RUNS=5 FORMATS="parquet" UNITS=300 PANDAS_MAX=0 benches/scale.sh 50000000
#
# PANDAS_MAX (default 10000000): largest size pandas runs at (0: never).
# Generated data is kept under $WORK (default target/scale) and reused.
# The baselines run in the bench's own venv ($WORK/venv, made with pip
# from PyPI on first use: pandas, pyarrow, scipy, duckdb; PY=python3 to
# use another interpreter); if it cannot be made, the pandas column is
# skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/govtrust-target}"
RUNS="${RUNS:-5}"
FORMATS="${FORMATS:-csv parquet}"
UNITS="${UNITS:-300}"
WORK="${WORK:-target/scale}"
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(100000 1000000 10000000)

PANDAS_MAX="${PANDAS_MAX:-10000000}"
cargo build --release --quiet --bin govtrust
BIN="$CARGO_TARGET_DIR/release/govtrust"
FLOOR=$(cargo bench --quiet --bench floor --no-run --message-format=json 2>/dev/null |
    python3 -c 'import sys, json
for l in sys.stdin:
    j = json.loads(l)
    if j.get("executable") and j.get("target", {}).get("name") == "floor": print(j["executable"])')
mkdir -p "$WORK"
if [ -z "${PY:-}" ]; then
    PY="$WORK/venv/bin/python"
    if [ ! -x "$PY" ] || ! "$PY" -c "import pandas, pyarrow, scipy, duckdb" 2>/dev/null; then
        echo "making the baselines' venv ($WORK/venv) ..." >&2
        python3 -m venv "$WORK/venv" && "$WORK/venv/bin/pip" install -q pandas pyarrow scipy duckdb >&2 || true
    fi
fi
HAVE_PANDAS=0
"$PY" -c "import pandas, pyarrow, scipy" 2>/dev/null && HAVE_PANDAS=1

# The default scheme, pointed at .parquet files.
scheme_for() {
    if [ "$1" = csv ]; then echo indicators; return; fi
    local s="$WORK/scheme-$1"
    rm -rf "$s"; mkdir -p "$s/calendars"
    cp indicators/calendars/*.toml "$s/calendars/"
    for f in indicators/*.toml; do sed 's/\.csv"/.parquet"/' "$f" > "$s/$(basename "$f")"; done
    echo "$s"
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }

# time_runs N CMD...: median wall seconds and max RSS (KiB) of N runs.
time_runs() {
    local n=$1; shift
    : > "$WORK/times"
    for _ in $(seq "$n"); do
        /usr/bin/time -f "%e %M" -a -o "$WORK/times" "$@" > /dev/null
    done
    echo "$(cut -d' ' -f1 "$WORK/times" | median) $(cut -d' ' -f2 "$WORK/times" | sort -n | tail -1)"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

rows=()
for size in "${SIZES[@]}"; do
    for fmt in $FORMATS; do
        data="$WORK/data-$UNITS-$size-$fmt"
        if [ ! -f "$data/units.$fmt" ]; then
            echo "generating $size tickets ($fmt) ..." >&2
            "$BIN" generate -q --out "$data" --units "$UNITS" --tickets "$size" --format "$fmt" --bad-rows 0
        fi
        scheme=$(scheme_for "$fmt")
        bytes=$(du -sb "$data" | cut -f1)
        read -r g_wall g_rss < <(time_runs "$RUNS" "$BIN" assess -q --no-bulletin --scheme "$scheme" --data "$data" --out "$WORK/out")
        read -r f_wall f_rss < <(time_runs "$RUNS" "$FLOOR" "$data" "$fmt")
        p_wall="-"; p_rss=0; agree="-"
        if [ "$HAVE_PANDAS" = 1 ] && [ "$size" -le "$PANDAS_MAX" ]; then
            read -r p_wall p_rss < <(time_runs "$(( RUNS < 3 ? RUNS : 3 ))" "$PY" benches/baseline/assess.py "$data" "$fmt" "$WORK/pandas")
            if "$PY" benches/baseline/compare.py "$WORK/out" "$WORK/pandas" > "$WORK/compare.txt"; then
                agree=yes
            else
                agree=NO; cat "$WORK/compare.txt" >&2
            fi
        fi
        line="| $size | $fmt | $((bytes / 1048576)) MiB | $g_wall s | $f_wall s | $p_wall s | $(ratio "$g_wall" "$f_wall") | $(ratio "$p_wall" "$g_wall") | $((g_rss / 1024)) MiB | $((f_rss / 1024)) MiB | $((p_rss / 1024)) MiB | $agree |"
        echo "$line" >&2
        rows+=("$line")
    done
done

echo
echo "Median of $RUNS runs (pandas: of up to 3), wall clock, $(nproc) cores; peak = max RSS."
echo
echo "| tickets | format | input | govtrust | polars floor | pandas | govtrust / floor | pandas / govtrust | govtrust peak | floor peak | pandas peak | same values |"
echo "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
printf '%s\n' "${rows[@]}"
