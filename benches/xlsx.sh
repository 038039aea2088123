#!/usr/bin/env bash
# XLSX input: `govtrust assess --no-bulletin` with the hotline tickets in a
# workbook (ROWS rows, default 300,000; the other datasets as CSV) beside
# what a Python user would do to get the same sheet into polars:
# python-calamine (the calamine crate govtrust uses, from Python) and
# fastexcel (calamine into Arrow), each reading the sheet and building a
# polars DataFrame. Median wall time of RUNS runs (default 5), peak RSS;
# one table for strings inline in the sheet, one for shared strings.
#
#   benches/xlsx.sh
#   ROWS=100000 RUNS=3 benches/xlsx.sh
#
# The workbook is written once with xlsxwriter (PyPI) under $WORK.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/govtrust-target}"
ROWS="${ROWS:-300000}"
RUNS="${RUNS:-5}"
WORK="${WORK:-target/xlsx}"
cargo build --release --quiet --bin govtrust
BIN="$CARGO_TARGET_DIR/release/govtrust"
mkdir -p "$WORK"
PY="${PY:-$WORK/venv/bin/python}"
if [ ! -x "$PY" ] || ! "$PY" -c "import xlsxwriter, python_calamine, fastexcel, polars" 2>/dev/null; then
    python3 -m venv "$WORK/venv" && "$WORK/venv/bin/pip" install -q xlsxwriter python-calamine fastexcel polars pyarrow >&2
    PY="$WORK/venv/bin/python"
fi
# Two workbooks of the same tickets: strings inline in the sheet (what
# xlsxwriter's constant-memory mode writes) and strings shared (what
# Excel and WPS write: xl/sharedStrings.xml, one entry per distinct text).
data="$WORK/data-$ROWS"
shared="$WORK/data-$ROWS-shared"
# Both are written into a directory of this run's own, then moved into
# place where missing; nothing already under $WORK is removed.
for d in "$data" "$shared"; do
    if [ -e "$d" ] && [ ! -f "$d/hotline.xlsx" ]; then
        echo "$d exists without hotline.xlsx; move it away and run again" >&2
        exit 1
    fi
done
if [ ! -f "$data/hotline.xlsx" ] || [ ! -f "$shared/hotline.xlsx" ]; then
    gen=$(mktemp -d "$WORK/gen.XXXXXX")
    "$BIN" generate -q --out "$gen/inline" --units 300 --tickets "$ROWS" --bad-rows 0
    mkdir -p "$gen/shared" && cp "$gen/inline"/*.csv "$gen/inline"/manifest.json "$gen/shared"/
    "$PY" - "$gen/inline" "$gen/shared" <<'EOF'
import csv, sys, xlsxwriter
d, s = sys.argv[1], sys.argv[2]
for out, options in ((d, {"constant_memory": True}), (s, {})):
    wb = xlsxwriter.Workbook(f"{out}/hotline.xlsx", options)
    ws = wb.add_worksheet("工单")
    with open(f"{d}/hotline.csv", encoding="utf-8") as f:
        for r, row in enumerate(csv.reader(f)):
            for c, v in enumerate(row):
                if v != "":
                    ws.write_string(r, c, v)
    wb.close()
EOF
    rm "$gen/inline/hotline.csv" "$gen/shared/hotline.csv"
    [ -f "$data/hotline.xlsx" ] || mv "$gen/inline" "$data"
    [ -f "$shared/hotline.xlsx" ] || mv "$gen/shared" "$shared"
    rm -rf "$gen"
fi
scheme="$WORK/scheme"
rm -rf "$scheme"; mkdir -p "$scheme/calendars"
cp indicators/calendars/*.toml "$scheme/calendars/"
for f in indicators/*.toml; do sed 's/^file = "hotline.csv"$/file = "hotline.xlsx"/' "$f" > "$scheme/$(basename "$f")"; done

. benches/common.sh
# "median s | peak MiB" of RUNS runs.
timed() {
    local wall kib
    read -r wall kib < <(time_runs "$RUNS" "$@")
    echo "$wall s | $((kib / 1024)) MiB"
}
read_calamine='import sys, polars as pl
from python_calamine import CalamineWorkbook
rows = CalamineWorkbook.from_path(sys.argv[1]).get_sheet_by_name("工单").to_python()
df = pl.DataFrame(rows[1:], schema=[str(c) for c in rows[0]], orient="row")
print(df.height)'
read_fastexcel='import sys, fastexcel
df = fastexcel.read_excel(sys.argv[1]).load_sheet_by_name("工单").to_polars()
print(df.height)'
for d in "$data" "$shared"; do
    kind=inline; [ "$d" = "$shared" ] && kind=shared
    echo
    echo "| reader ($ROWS rows, strings $kind, $(du -h "$d/hotline.xlsx" | cut -f1)) | median | peak |"
    echo "| --- | ---: | ---: |"
    echo "| govtrust assess --no-bulletin (the whole run) | $(timed "$BIN" assess -q --no-bulletin --scheme "$scheme" --data "$d" --out "$WORK/out") |"
    echo "| python-calamine → polars (the sheet only) | $(timed "$PY" -c "$read_calamine" "$d/hotline.xlsx") |"
    echo "| fastexcel → polars (the sheet only) | $(timed "$PY" -c "$read_fastexcel" "$d/hotline.xlsx") |"
done
