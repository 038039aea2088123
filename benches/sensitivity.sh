#!/usr/bin/env bash
# Whole-run timing of the uncertainty analysis: `govtrust sensitivity` with
# DRAWS Monte Carlo draws (default 10000) beside one nominal `assess`, on
# generated data with 60 units (the demo size) and 3000 units; median of
# RUNS runs (default 3). Release build.
#
#   benches/sensitivity.sh
#   DRAWS=1000 RUNS=5 benches/sensitivity.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/govtrust-target}"
DRAWS="${DRAWS:-10000}"
RUNS="${RUNS:-3}"
WORK="${WORK:-target/sensitivity}"
cargo build --release --quiet --bin govtrust
BIN="$CARGO_TARGET_DIR/release/govtrust"
mkdir -p "$WORK"
. benches/common.sh
echo "| units | indicators | assess (nominal) | sensitivity, $DRAWS draws + indices | draws/s |"
echo "| ---: | ---: | ---: | ---: | ---: |"
for units in 60 3000; do
    data="$WORK/data-$units"
    [ -f "$data/units.csv" ] || "$BIN" generate -q --out "$data" --units "$units" --tickets $((units * 500)) --bad-rows 0
    : > "$WORK/a"; : > "$WORK/s"; : > "$WORK/d"
    for _ in $(seq "$RUNS"); do
        /usr/bin/time -f "%e" -a -o "$WORK/a" "$BIN" assess -q --no-bulletin --data "$data" --out "$WORK/out-a"
        /usr/bin/time -f "%e" -a -o "$WORK/s" "$BIN" sensitivity --draws "$DRAWS" --data "$data" --out "$WORK/out-s" \
            | sed -n 's/.*每秒\([0-9]*\)次.*/\1/p' >> "$WORK/d"
    done
    echo "| $units | 22 | $(median < "$WORK/a") s | $(median < "$WORK/s") s | $(median < "$WORK/d") |"
done
