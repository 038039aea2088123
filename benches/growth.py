#!/usr/bin/env python3
"""The growth chart of the README: govtrust's wall time and peak memory
against the number of tickets, log-log, one line per input, from the
growth files benches/scale.sh writes (lines "tickets input seconds KiB").

    python3 benches/growth.py target/scale/growth.txt [more.txt ...] > docs/growth.svg

A dashed line of slope 1 through the largest CSV point shows what linear
growth would look like. Plain SVG, no plotting library needed.
"""
import math
import sys

W, H, L, R, T, B = 760, 340, 70, 170, 30, 50
COLOURS = {"csv": "#1f77b4", "csv-bad": "#d62728", "gb18030": "#9467bd", "parquet": "#2ca02c"}


def main():
    pts = {}
    for path in sys.argv[1:]:
        for line in open(path):
            n, inp, s, kib = line.split()
            pts.setdefault(inp, {})[int(n)] = (float(s), int(kib) / 1024)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * W}" height="{H}" font-family="sans-serif" font-size="13">']
    out.append(f'<rect width="{2 * W}" height="{H}" fill="white"/>')
    for k, (title, idx, unit) in enumerate([("wall time", 0, "s"), ("peak memory", 1, "MiB")]):
        ox = k * W
        xs = [n for p in pts.values() for n in p]
        ys = [v[idx] for p in pts.values() for v in p.values()]
        x0, x1 = math.log10(min(xs)), math.log10(max(xs))
        y0, y1 = math.floor(math.log10(min(ys))), math.ceil(math.log10(max(ys)))
        px = lambda n: ox + L + (math.log10(n) - x0) / (x1 - x0) * (W - L - R)
        py = lambda v: T + (y1 - math.log10(v)) / (y1 - y0) * (H - T - B)
        out.append(f'<text x="{ox + L}" y="{T - 10}" font-weight="bold">govtrust {title} ({unit}, log scale) against tickets</text>')
        for e in range(int(y0), int(y1) + 1):
            for m in (1, 2, 5):
                v = m * 10 ** e
                if 10 ** y0 <= v <= 10 ** y1:
                    out.append(f'<line x1="{ox + L}" x2="{ox + W - R}" y1="{py(v):.1f}" y2="{py(v):.1f}" stroke="#ddd"/>')
                    out.append(f'<text x="{ox + L - 6}" y="{py(v) + 4:.1f}" text-anchor="end">{v:g}</text>')
        for n in sorted(set(xs)):
            out.append(f'<line x1="{px(n):.1f}" x2="{px(n):.1f}" y1="{T}" y2="{H - B}" stroke="#eee"/>')
            label = f"{n / 1e6:g}M" if n >= 1e6 else f"{n / 1e3:g}k"
            out.append(f'<text x="{px(n):.1f}" y="{H - B + 18}" text-anchor="middle">{label}</text>')
        if idx == 0 and "csv" in pts:
            n = max(pts["csv"])
            v = pts["csv"][n][0]
            lo = max(min(xs), n * 10 ** y0 / v)
            out.append(f'<line x1="{px(lo):.1f}" y1="{py(v * lo / n):.1f}" x2="{px(n):.1f}" y2="{py(v):.1f}" stroke="#888" stroke-dasharray="5,4"/>')
        for j, (inp, p) in enumerate(sorted(pts.items())):
            c = COLOURS.get(inp, "#333")
            line = " ".join(f"{px(n):.1f},{py(p[n][idx]):.1f}" for n in sorted(p))
            out.append(f'<polyline points="{line}" fill="none" stroke="{c}" stroke-width="2"/>')
            for n in p:
                out.append(f'<circle cx="{px(n):.1f}" cy="{py(p[n][idx]):.1f}" r="3" fill="{c}"/>')
            out.append(f'<text x="{ox + W - R + 12}" y="{T + 20 + 18 * j}" fill="{c}">{inp}</text>')
        if idx == 0:
            out.append(f'<text x="{ox + W - R + 12}" y="{T + 20 + 18 * len(pts)}" fill="#888">slope 1 (linear)</text>')
    out.append("</svg>")
    print("\n".join(out))


if __name__ == "__main__":
    main()
