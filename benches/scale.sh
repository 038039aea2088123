#!/usr/bin/env bash
# Whole-run timing: `govtrust assess --no-bulletin` (the engine and its
# tables; benches/publish.sh times the charts and bulletin) end to end on
# generated data at several sizes, beside three baselines measured in the
# same run on the same files:
#   - the polars floor (benches/floor.rs, binary govtrust-floor): a bare
#     typed scan + group-by, no checks;
#   - DuckDB (benches/baseline/duck.py): one SQL query per dataset for the
#     same per-unit aggregates, the pandas baseline's scoring after it;
#   - pandas (benches/baseline/assess.py): the whole scheme in pandas.
# Both Python baselines are checked to give govtrust's values (compare.py)
# on clean data. Median wall time of RUNS runs, and peak memory (max RSS of
# the process).
#
# Inputs, per size:
#   csv        clean UTF-8 CSV (--bad-rows 0)
#   csv-bad    the same tickets plus 5 bad rows (a bad date, an unknown
#              unit, a repeated key, a bad bool, an empty unit)
#   gb18030    csv-bad with the hotline file in GB18030 (govtrust only:
#              neither polars nor DuckDB reads GB18030)
#   parquet    clean Parquet
#
#   benches/scale.sh                       # 100k, 1M and 10M hotline tickets
#   benches/scale.sh 100000 1000000        # chosen sizes
#   RUNS=3 INPUTS="parquet csv-bad" PANDAS_MAX=0 benches/scale.sh 50000000
#
# UNITS (default 3000): units in the generated data. PANDAS_MAX (default
# 10000000): largest size pandas runs at (0: never). Generated data is kept
# under $WORK (default target/scale) and reused. The baselines run in the
# bench's own venv ($WORK/venv, made with pip from PyPI on first use:
# pandas, pyarrow, scipy, duckdb; PY=python3 to use another interpreter);
# if it cannot be made, their columns are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/govtrust-target}"
RUNS="${RUNS:-5}"
INPUTS="${INPUTS:-csv csv-bad gb18030 parquet}"
UNITS="${UNITS:-3000}"
WORK="${WORK:-target/scale}"
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(100000 1000000 10000000)
PANDAS_MAX="${PANDAS_MAX:-10000000}"

cargo build --release --quiet --bin govtrust --bin govtrust-floor
BIN="$CARGO_TARGET_DIR/release/govtrust"
FLOOR="$CARGO_TARGET_DIR/release/govtrust-floor"
mkdir -p "$WORK"
if [ -z "${PY:-}" ]; then
    PY="$WORK/venv/bin/python"
    if [ ! -x "$PY" ] || ! "$PY" -c "import pandas, pyarrow, scipy, duckdb" 2>/dev/null; then
        echo "making the baselines' venv ($WORK/venv) ..." >&2
        python3 -m venv "$WORK/venv" && "$WORK/venv/bin/pip" install -q pandas pyarrow scipy duckdb >&2 || true
    fi
fi
HAVE_PANDAS=0
HAVE_DUCK=0
"$PY" -c "import pandas, pyarrow, scipy" 2>/dev/null && HAVE_PANDAS=1
"$PY" -c "import pandas, pyarrow, scipy, duckdb" 2>/dev/null && HAVE_DUCK=1

# The default scheme for an input: pointed at .parquet files, or with the
# hotline file declared GB18030.
scheme_for() {
    case "$1" in
        csv | csv-bad) echo indicators; return ;;
    esac
    local s="$WORK/scheme-$1"
    rm -rf "$s"; mkdir -p "$s/calendars"
    cp indicators/calendars/*.toml "$s/calendars/"
    for f in indicators/*.toml; do
        case "$1" in
            parquet) sed 's/\.csv"/.parquet"/; s/objections\.parquet"/objections.csv"/' "$f" > "$s/$(basename "$f")" ;;
            gb18030) sed 's/^file = "hotline.csv"$/file = "hotline.csv"\nencoding = "gb18030"/' "$f" > "$s/$(basename "$f")" ;;
        esac
    done
    echo "$s"
}

# The data directory for an input at a size, generated on first use.
data_for() {
    local input=$1 size=$2
    local d="$WORK/data-$UNITS-$size-$input"
    [ -f "$d/units.csv" ] || [ -f "$d/units.parquet" ] && { echo "$d"; return; }
    echo "generating $size tickets ($input) ..." >&2
    case "$input" in
        parquet) "$BIN" generate -q --out "$d" --units "$UNITS" --tickets "$size" --format parquet --bad-rows 0 ;;
        csv) "$BIN" generate -q --out "$d" --units "$UNITS" --tickets "$size" --bad-rows 0 ;;
        csv-bad) "$BIN" generate -q --out "$d" --units "$UNITS" --tickets "$size" --bad-rows 5 ;;
        gb18030)
            local src
            src=$(data_for csv-bad "$size")
            mkdir -p "$d.tmp"
            cp "$src"/*.csv "$d.tmp/"
            iconv -f UTF-8 -t GB18030 "$src/hotline.csv" > "$d.tmp/hotline.csv"
            mv "$d.tmp" "$d" ;;
    esac
    echo "$d"
}

. benches/common.sh

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a != "-") printf "%.2f", a / b; else print "-" }'; }
mib() { [ "$1" = 0 ] && echo "-" || echo "$(($1 / 1024)) MiB"; }
secs() { [ "$1" = "-" ] && echo "-" || echo "$1 s"; }

# check OUT: do a baseline's values equal govtrust's?
check() {
    if "$PY" benches/baseline/compare.py "$WORK/out" "$1" > "$WORK/compare.txt"; then
        echo yes
    else
        cat "$WORK/compare.txt" >&2; echo NO
    fi
}

# The outputs a GB18030 run must write byte for byte as the UTF-8 run.
SAME=(values.csv scores.csv evidence.csv rejects.csv)
same_outputs() {
    local f
    for f in "${SAME[@]}"; do
        cmp -s "$1/$f" "$2/$f" || { echo "NO ($f differs)"; return; }
    done
    echo yes
}

rows=()
growth=()
for size in "${SIZES[@]}"; do
    clean_wall=""; clean_rss=""
    # Only this size's csv-bad run is a GB18030 run's reference.
    rm -rf "$WORK/ref-bad"
    for input in $INPUTS; do
        data=$(data_for "$input" "$size")
        scheme=$(scheme_for "$input")
        fmt=csv; [ "$input" = parquet ] && fmt=parquet
        bytes=$(du -sbL "$data" | cut -f1)
        read -r g_wall g_rss < <(time_runs "$RUNS" "$BIN" assess -q --no-bulletin --scheme "$scheme" --data "$data" --out "$WORK/out")
        f_wall="-"; f_rss=0; d_wall="-"; d_rss=0; p_wall="-"; p_rss=0; agree="-"
        if [ "$input" != gb18030 ]; then
            read -r f_wall f_rss < <(time_runs "$RUNS" "$FLOOR" "$data" "$fmt")
        fi
        # What the GB18030 run must give: the run on the UTF-8 file it was
        # made from, output for output.
        case "$input" in
            csv-bad)
                mkdir -p "$WORK/ref-bad"
                cp "${SAME[@]/#/$WORK/out/}" "$WORK/ref-bad/" ;;
            gb18030)
                if [ -d "$WORK/ref-bad" ]; then
                    agree="as csv-bad $(same_outputs "$WORK/ref-bad" "$WORK/out")"
                fi ;;
        esac
        if [ "$HAVE_DUCK" = 1 ] && [ "$input" != gb18030 ]; then
            read -r d_wall d_rss < <(time_runs "$RUNS" "$PY" benches/baseline/duck.py "$data" "$fmt" "$WORK/duck")
            case "$input" in
                csv | parquet) agree="duckdb $(check "$WORK/duck")" ;;
                csv-bad)
                    # Untimed: DuckDB dropping the repeated key's later row
                    # too, on one thread (duck.py --keys).
                    "$PY" benches/baseline/duck.py "$data" "$fmt" "$WORK/duck-keys" --keys > /dev/null
                    agree="duckdb --keys $(check "$WORK/duck-keys")" ;;
            esac
        fi
        if [ "$HAVE_PANDAS" = 1 ] && [ "$size" -le "$PANDAS_MAX" ] && { [ "$input" = csv ] || [ "$input" = parquet ]; }; then
            read -r p_wall p_rss < <(time_runs "$(( RUNS < 3 ? RUNS : 3 ))" "$PY" benches/baseline/assess.py "$data" "$fmt" "$WORK/pandas")
            agree="$agree, pandas $(check "$WORK/pandas")"
        fi
        # Against the clean UTF-8 CSV at this size: what bad rows and
        # GB18030 cost.
        vs="-"
        if [ "$input" = csv ]; then
            clean_wall=$g_wall; clean_rss=$g_rss
        elif [ -n "$clean_wall" ] && [ "$input" != parquet ]; then
            vs="$(ratio "$g_wall" "$clean_wall") / $(ratio "$g_rss" "$clean_rss")"
        fi
        line="| $size | $input | $((bytes / 1048576)) MiB | $(secs "$g_wall") | $(secs "$f_wall") | $(secs "$d_wall") | $(secs "$p_wall") | $(ratio "$g_wall" "$f_wall") | $(ratio "$g_wall" "$d_wall") | $(ratio "$p_wall" "$g_wall") | $(mib "$g_rss") | $(mib "$f_rss") | $(mib "$d_rss") | $(mib "$p_rss") | $vs | $agree |"
        echo "$line" >&2
        rows+=("$line")
        growth+=("$size $input $g_wall $g_rss")
    done
done

echo
echo "Median of $RUNS runs (pandas: of up to 3), wall clock, $(nproc) cores, $UNITS units; peak = max RSS."
echo "vs clean csv: govtrust's time / peak memory against the clean UTF-8 CSV of the same size."
echo "same values: a baseline's values against govtrust's (duckdb --keys: DuckDB also dropping a repeated key's later row, untimed);"
echo "  as csv-bad: the GB18030 run's ${SAME[*]} byte for byte those of the UTF-8 run."
echo
echo "| tickets | input | size | govtrust | polars floor | DuckDB | pandas | govtrust / floor | govtrust / DuckDB | pandas / govtrust | govtrust peak | floor peak | DuckDB peak | pandas peak | vs clean csv | same values |"
echo "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
printf '%s\n' "${rows[@]}"
printf '%s\n' "${growth[@]}" > "$WORK/growth.txt"
echo
echo "(sizes, inputs, seconds and KiB also in $WORK/growth.txt)"
