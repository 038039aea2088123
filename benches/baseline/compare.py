#!/usr/bin/env python3
"""Check that the pandas baseline and govtrust agree, value by value.

    python3 benches/baseline/compare.py GOVTRUST_OUT PANDAS_OUT

Compares values.csv (value, n, attainment, points, status) with a relative
tolerance of 1e-9, and scores.csv (rank, total, grade, veto) exactly.
Exits 1 and lists the first differences if they disagree.
"""
import sys

import numpy as np
import pandas as pd


def main():
    g_dir, p_dir = sys.argv[1], sys.argv[2]
    g = pd.read_csv(f"{g_dir}/values.csv", encoding="utf-8-sig", dtype={"unit_id": str}, keep_default_na=False, na_values=[""])
    p = pd.read_csv(f"{p_dir}/values.csv", dtype={"unit_id": str}, keep_default_na=False, na_values=[""])
    m = g.merge(p, on=["unit_id", "indicator_id"], suffixes=("_g", "_p"), how="outer", indicator=True)
    bad = []
    if (m["_merge"] != "both").any():
        bad.append(("rows", m[m["_merge"] != "both"].head()))
    # A shrunk value is still "ok" for the comparison of statuses.
    sg = m["status_g"].replace({"shrunk": "ok"})
    sp = m["status_p"].replace({"shrunk": "ok"})
    if (sg != sp).any():
        bad.append(("status", m[sg != sp][["unit_id", "indicator_id", "status_g", "status_p"]].head()))
    scored = sg.isin(["ok", "imputed"])
    for c in ["value", "attainment", "points"]:
        a, b = m[f"{c}_g"][scored].astype(float), m[f"{c}_p"][scored].astype(float)
        diff = ~np.isclose(a, b, rtol=1e-9, atol=1e-12, equal_nan=True)
        if diff.any():
            bad.append((c, m[scored][diff][["unit_id", "indicator_id", f"{c}_g", f"{c}_p"]].head()))
    gs = pd.read_csv(f"{g_dir}/scores.csv", encoding="utf-8-sig", dtype={"unit_id": str}).set_index("unit_id")
    ps = pd.read_csv(f"{p_dir}/scores.csv", dtype={"unit_id": str}).set_index("unit_id").reindex(gs.index)
    for c in ["rank", "total", "grade", "veto"]:
        diff = gs[c] != ps[c]
        if diff.any():
            bad.append((c, pd.DataFrame({"govtrust": gs[c][diff], "pandas": ps[c][diff]}).head()))
    if bad:
        for what, rows in bad:
            print(f"differ in {what}:\n{rows}\n")
        sys.exit(1)
    print(f"agree: {len(m)} values, {len(gs)} units")


if __name__ == "__main__":
    main()
