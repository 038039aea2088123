# Shared by the bench scripts (sourced, after WORK is set): the median of
# numbers on standard input, and timed runs of a whole command.

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
