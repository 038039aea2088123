#!/usr/bin/env bash
# What publication costs: `govtrust assess` with and without the charts,
# bulletin.html and bulletin.docx (--no-bulletin), on the demo data and on
# generated data with 300 units; median wall time of RUNS runs (release
# build), and the size of each output.
#
#   benches/publish.sh            # RUNS=5
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/govtrust-target}"
RUNS="${RUNS:-5}"
WORK="${WORK:-target/publish}"
cargo build --release --quiet --bin govtrust
BIN="$CARGO_TARGET_DIR/release/govtrust"
mkdir -p "$WORK"
[ -d "$WORK/u300" ] || "$BIN" generate -q --out "$WORK/u300" --units 300 --tickets 200000 --seed 7

. benches/common.sh
wall() {
    : > "$WORK/times"
    for _ in $(seq "$RUNS"); do
        /usr/bin/time -f "%e" -a -o "$WORK/times" "$@" > /dev/null
    done
    median < "$WORK/times"
}

printf "| data | tables only (s) | with charts and bulletin (s) | added (s) | charts | bulletin.html | bulletin.docx | charts/ | results.xlsx |\n"
printf "| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n"
for data in datasets/demo "$WORK/u300"; do
    t0=$(wall "$BIN" assess -q --no-bulletin --data "$data" --out "$WORK/out")
    t1=$(wall "$BIN" assess -q --data "$data" --out "$WORK/out")
    n=$(ls "$WORK/out/charts" | wc -l)
    size() { du -sh "$WORK/out/$1" | cut -f1; }
    printf "| %s | %s | %s | %.2f | %s files | %s | %s | %s | %s |\n" "$data" "$t0" "$t1" \
        "$(echo "$t1 - $t0" | bc -l)" "$n" "$(size bulletin.html)" "$(size bulletin.docx)" "$(size charts)" "$(size results.xlsx)"
done
