#!/usr/bin/env python3
"""The default scheme (indicators/) in pandas: what an evaluator would
otherwise write by hand. Reads the same generated files as govtrust,
computes every indicator's per-unit value, attainment and points, the
bonus, penalty and veto rules, totals, ranks and grades, and writes
values.csv and scores.csv so the results can be checked against govtrust's.

    python3 benches/baseline/assess.py DATA_DIR csv|parquet OUT_DIR

It follows docs/scheme.md as govtrust does (null conditions do not match,
missing values are reweighted, shares shrink toward the pooled group value,
half-away-from-zero rounding, competition ranks, grade quotas). It handles
clean generated data (`govtrust generate --bad-rows 0`): duplicate keys and
unknown units are dropped, but bad values are not diagnosed row by row.
"""
import math
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import ndtr

PERIOD = (pd.Timestamp("2025-01-01"), pd.Timestamp("2025-12-31"))
REPAIR = 0.5


def read(data, name, fmt, dates=(), datetimes=()):
    if fmt == "parquet":
        df = pd.read_parquet(data / f"{name}.parquet")
    else:
        df = pd.read_csv(data / f"{name}.csv", dtype_backend="pyarrow")
        for c in dates:
            df[c] = pd.to_datetime(df[c], format="%Y-%m-%d")
        for c in datetimes:
            df[c] = pd.to_datetime(df[c], format="%Y-%m-%d %H:%M:%S")
    for c in list(dates) + list(datetimes):
        df[c] = pd.to_datetime(df[c]).astype("datetime64[us]")
    return df


REGISTER = {}


def load_register(data):
    """The objection register (docs/scheme.md section 3), if the data has
    one: dataset -> [(record_key, unit_id, status)], first row per record."""
    path = data / "objections.csv"
    if not path.exists():
        return {}
    reg = pd.read_csv(path, dtype=str, encoding="utf-8-sig").fillna("")
    words = {"待处理": "pending", "成立": "upheld", "驳回": "rejected", "无": "none"}
    out, seen = {}, set()
    for r in reg.itertuples():
        status = words.get(r.status.strip(), r.status.strip().lower())
        if (r.dataset, r.record_key) in seen:
            continue
        seen.add((r.dataset, r.record_key))
        out.setdefault(r.dataset, []).append((r.record_key, r.unit_id, status))
    return out


def counted(df, units, key, date, name=None):
    """Known units, first of each key, in the period, not excluded; the
    register's status replaces `objection` for the unit's own records."""
    df = df[df["unit_id"].isin(units.index)]
    if key:
        df = df.drop_duplicates(key, keep="first")
    marks = REGISTER.get(name, []) if key else []
    if marks:
        df = df.copy()
        if "objection" not in df:
            df["objection"] = pd.Series(pd.NA, index=df.index, dtype="string")
        df["objection"] = df["objection"].astype("string")
        for k, u, status in marks:
            hit = (df[key].astype(str) == k) & (df["unit_id"].astype(str) == u)
            df.loc[hit, "objection"] = status
    if date:
        day = df[date].dt.normalize()
        df = df[(day >= PERIOD[0]) & (day <= PERIOD[1])]
    if "exempt" in df:
        df = df[~df["exempt"].fillna(False).astype(bool)]
    if "objection" in df:
        df = df[df["objection"].astype("string").fillna("") != "upheld"]
    if "repaired_on" in df:
        df = df.assign(repaired=df["repaired_on"].notna() & (df["repaired_on"] <= PERIOD[1]))
    return df


# --- working days: weekends off unless make-up days; holidays off --------
def calendar():
    import tomllib

    cal = tomllib.loads(Path("indicators/calendars/cn.toml").read_text())
    holidays, makeup = [], []
    for h in cal["holiday"]:
        holidays += list(pd.date_range(h["from"], h.get("to", h["from"])).date)
        makeup += h.get("makeup", [])
    return np.array(holidays, dtype="datetime64[D]"), np.array(makeup, dtype="datetime64[D]")


HOLIDAYS, MAKEUP = calendar()


def workdays(a, b):
    """Working days after a up to and including b (negative if b < a)."""
    out = pd.Series(np.nan, index=a.index)
    ok = a.notna() & b.notna()
    da = a[ok].values.astype("datetime64[D]")
    db = b[ok].values.astype("datetime64[D]")
    lo, hi = np.minimum(da, db), np.maximum(da, db)
    n = np.busday_count(lo + 1, hi + 1, holidays=HOLIDAYS)
    made = ((MAKEUP[None, :] > lo[:, None]) & (MAKEUP[None, :] <= hi[:, None])).sum(axis=1)
    out[ok] = np.where(db >= da, 1, -1) * (n + made)
    return out


# --- measures ------------------------------------------------------------
def share(df, where, of=None):
    of = pd.Series(True, index=df.index) if of is None else of.fillna(False)
    g = pd.DataFrame({"unit_id": df["unit_id"], "of": of, "hit": of & where.fillna(False)})
    s = g.groupby("unit_id")[["of", "hit"]].sum()
    return s["hit"], s["of"]            # numerator, n (= denominator)


def mean(df, x, where=None):
    x = x if where is None else x.where(where.fillna(False))
    s = pd.DataFrame({"unit_id": df["unit_id"], "x": x}).groupby("unit_id")["x"].agg(["sum", "count"])
    return s["sum"], s["count"]


def ratio(df, num, den):
    g = pd.DataFrame({"unit_id": df["unit_id"], "a": num, "b": den}).groupby("unit_id")
    return g["a"].sum(), g["b"].sum(), g.size()


def deduction(df, points, where=None, repair=True):
    w = pd.Series(True, index=df.index) if where is None else where.fillna(False)
    p = points.where(w, 0.0)
    if repair and "repaired" in df:
        p = p * np.where(df["repaired"], REPAIR, 1.0)
    g = pd.DataFrame({"unit_id": df["unit_id"], "p": p, "w": w})
    s = g.groupby("unit_id")[["p", "w"]].sum()
    return s["p"], s["w"]


def load_units(data, fmt):
    units = read(data, "units", fmt).astype({"unit_id": str}).set_index("unit_id")
    return units, pd.to_numeric(units["population"], errors="coerce")


def measures(data, fmt):
    """Every indicator's per-unit aggregates and every rule's per-unit sum,
    in pandas: (units, M, rules) for score()."""
    global REGISTER
    REGISTER = load_register(data)
    units, pop = load_units(data, fmt)

    hot = counted(read(data, "hotline", fmt, datetimes=["received_at", "due_at", "closed_at"]), units, "ticket_id", "received_at", "hotline")
    ent = counted(read(data, "enterprise", fmt, dates=["opened_on", "due_on", "closed_on"]), units, "case_id", "opened_on", "enterprise")
    fraud = counted(read(data, "stats_fraud", fmt, dates=["decided_on", "repaired_on"]), units, "case_id", "decided_on", "stats_fraud")
    env = counted(read(data, "env_tasks", fmt, dates=["due_on", "completed_on"]), units, "task_id", "due_on", "env_tasks")
    ppp = counted(read(data, "ppp", fmt, dates=["due_on"]), units, "record_id", "due_on", "ppp")
    pub = counted(read(data, "publicity", fmt, dates=["decided_on", "published_on"]), units, "decision_id", "decided_on", "publicity")
    dis = counted(read(data, "dishonesty", fmt, dates=["recorded_on", "repaired_on"]), units, "record_id", "recorded_on", "dishonesty")
    com = counted(read(data, "commitments", fmt, dates=["due_on", "done_on"]), units, "item_id", "due_on", "commitments")
    dec = counted(read(data, "decisions", fmt, dates=["decided_on"]), units, "decision_id", "decided_on", "decisions")
    con = counted(read(data, "contracts", fmt, dates=["due_on", "kept_on"]), units, "contract_id", "due_on", "contracts")
    arr = counted(read(data, "arrears", fmt, dates=["incurred_on", "settled_on"]), units, "arrear_id", "incurred_on", "arrears")
    hon = counted(read(data, "honours", fmt, dates=["awarded_on"]), units, "honour_id", "awarded_on", "honours")
    sur = counted(read(data, "survey", fmt), units, None, None, "survey")

    # Each indicator's measured parts (Series indexed by unit_id); SPEC has
    # the rest.
    M = {}

    nc = hot["category"] != "咨询"
    num, n = share(hot, hot["closed_at"] <= hot["due_at"], of=nc)
    M['hotline_on_time'] = measured(num, n)
    num, n = share(hot, hot["resolved"].astype(bool))
    M['hotline_resolved'] = measured(num, n)
    num, n = share(hot, hot["satisfaction"] >= 4, of=hot["satisfaction"].notna())
    M['hotline_satisfaction'] = measured(num, n)
    num, n = share(hot, hot["reopened"].astype(bool))
    M['hotline_reopened'] = measured(num, n)
    s, c = mean(hot, workdays(hot["received_at"], hot["closed_at"]), where=nc)
    M['hotline_duration'] = measured(s, c)
    cnt = (hot["category"] == "投诉").groupby(hot["unit_id"]).sum()
    per = cnt.reindex(units.index, fill_value=0) * 10000 / pop.where(pop != 0)
    M['hotline_complaint_rate'] = measured(cnt, cnt, value=per)

    num, n = share(ent, ent["closed_on"] <= ent["due_on"])
    M['ent_on_time'] = measured(num, n)
    s, c = mean(ent, ent["satisfaction"].astype("float64"))
    M['ent_satisfaction'] = measured(s, c)
    p, w = deduction(ent, pd.Series(1.0, index=ent.index), where=ent["complaint_about_unit"].astype(bool))
    M['ent_complaints'] = measured(p, w)

    sev = dis["severity"].map({"一般": 2.0, "较重": 4.0, "严重": 8.0}).fillna(0.0)
    p, w = deduction(dis, sev)
    M['dishonesty_records'] = measured(p, w)
    sev = fraud["severity"].map({"一般": 3.0, "较重": 6.0, "严重": 8.0}).fillna(0.0)
    p, w = deduction(fraud, sev)
    M['stats_integrity'] = measured(p, w)

    num, n = share(env, env["completed_on"] <= env["due_on"])
    M['env_completion'] = measured(num, n)
    fail = (env["key_task"].astype(bool) & (env["completed_on"].isna() | (env["completed_on"] > env["due_on"]))) \
        | env["quality_worsened"].astype(bool) | (env["inspection_finding"].astype(bool) & ~env["rectified"].astype(bool))
    p, w = deduction(env, pd.Series(2.0, index=env.index), where=fail)
    M['env_failures'] = measured(p, w)

    a, b, n = ratio(ppp, ppp["amount_paid_on_time"], ppp["amount_due"])
    M['ppp_payment'] = measured(a, n, den=b)
    s, c = mean(ppp, ppp["performance_score"].astype("float64"))
    M['ppp_performance'] = measured(s, c)
    num, n = share(con, ~con["breach"].astype(bool) & (con["kept_on"] <= con["due_on"]))
    M['contract_kept'] = measured(num, n)
    a, b, n = ratio(arr, arr["amount"].where(arr["settled_on"].notna(), 0.0), arr["amount"])
    M['arrears_settled'] = measured(a, n, den=b)

    num, n = share(pub, workdays(pub["decided_on"], pub["published_on"]) <= 7)
    M['publicity_timely'] = measured(num, n)
    steps = ["public_participation", "expert_argument", "risk_assessment", "legality_review", "collective_discussion", "published"]
    num, n = share(dec, dec[steps].astype(bool).all(axis=1))
    M['decision_procedure'] = measured(num, n)

    num, n = share(com, com["done_on"] <= com["due_on"])
    M['promise_on_time'] = measured(num, n)
    of = com["kind"].isin(["人大建议", "政协提案"]) & com["satisfied"].notna()
    num, n = share(com, com["satisfied"].fillna(False).astype(bool), of=of)
    M['proposal_satisfaction'] = measured(num, n)
    v = sur[sur["indicator_id"] == "public_survey"].groupby("unit_id")["value"].agg(["sum", "count"])
    M['public_survey'] = measured(v['sum'], v['count'])

    def rule(df, where, points, cap, repair=False):
        p = points.where(where.fillna(False), 0.0)
        if repair and "repaired" in df:
            p = p * np.where(df["repaired"], REPAIR, 1.0)
        s = p.groupby(df["unit_id"]).sum().reindex(units.index, fill_value=0.0)
        return s.clip(upper=cap) if cap is not None else s

    one = lambda df, x: pd.Series(float(x), index=df.index)
    penalty = (rule(ppp, ppp["default_event"].astype(bool), one(ppp, 3), 6, True)
               + rule(con, con["breach"].astype(bool) & con["breach_reason"].isin(["政府换届", "责任人更替"]), one(con, 5), 10, True)
               + rule(dec, ~dec["legality_review"].astype(bool) | ~dec["collective_discussion"].astype(bool), one(dec, 2), 4, True)
               + rule(arr, (arr["kind"] == "农民工工资") & arr["settled_on"].isna(), one(arr, 5), 10, True))
    bonus = rule(hon, pd.Series(True, index=hon.index), hon["level"].map({"国家级": 2.0, "省级": 1.0, "市级": 0.5}).fillna(0.0), 3).clip(upper=5)
    veto = pd.Series(False, index=units.index)
    for df, w in [(fraud, fraud["severity"] == "严重"), (dis, (dis["kind"] == "失信被执行人") & dis["on_debtor_list"].astype(bool))]:
        hit = w.fillna(False) & ~df.get("repaired", pd.Series(False, index=df.index))
        veto |= hit.groupby(df["unit_id"]).any().reindex(units.index, fill_value=False)
    return units, M, (penalty, bonus, veto)


def spec(iid, parent, weight, kind, applies=None, min_n=0, shrink=None, score=None):
    return dict(id=iid, parent=parent, weight=weight, kind=kind, applies=applies,
                min_n=min_n, shrink=shrink, score=score)


# The default scheme's indicators (indicators/*.toml): place, weight, kind,
# peer groups, small-sample rules and scoring. Both baselines measure them
# (M below) and score them with score().
SPEC = [
    spec('hotline_on_time', 'citizen', 6, 'share', min_n=20, score=('shortfall', 0.95, 0.01, 0.5)),
    spec('hotline_resolved', 'citizen', 4, 'share', min_n=20, shrink=30, score=('target', 0.9, 0.6)),
    spec('hotline_satisfaction', 'citizen', 4, 'share', min_n=20, score=('bands', [(0.9, 1.0), (0.85, 0.8), (0.8, 0.6), (0.7, 0.3)])),
    spec('hotline_reopened', 'citizen', 2, 'share', min_n=20, score=('target', 0.02, 0.15)),
    spec('hotline_duration', 'citizen', 2, 'mean', min_n=20, score=('minmax', 'lower')),
    spec('hotline_complaint_rate', 'citizen', 2, 'count_per', applies=['town'], score=('rank', 'lower')),
    spec('ent_on_time', 'business', 5, 'share', applies=['department'], min_n=10, score=('target', 0.95, 0.7)),
    spec('ent_satisfaction', 'business', 5, 'mean', applies=['department'], min_n=10, shrink=10, score=('zscore',)),
    spec('ent_complaints', 'business', 5, 'deduction', applies=['department'], score=('deduction',)),
    spec('dishonesty_records', 'integrity', 12, 'deduction', score=('deduction',)),
    spec('stats_integrity', 'integrity', 8, 'deduction', score=('deduction',)),
    spec('env_completion', 'environment', 6, 'share', score=('target', 1.0, 0.6)),
    spec('env_failures', 'environment', 4, 'deduction', score=('deduction',)),
    spec('ppp_payment', 'contracts', 4, 'ratio', score=('target', 1.0, 0.8)),
    spec('ppp_performance', 'contracts', 3, 'mean', score=('target', 90, 60)),
    spec('contract_kept', 'contracts', 4, 'share', score=('target', 1.0, 0.8)),
    spec('arrears_settled', 'contracts', 4, 'ratio', score=('target', 1.0, 0.5)),
    spec('publicity_timely', 'openness', 6, 'share', min_n=5, score=('shortfall', 1.0, 0.01, 0.2)),
    spec('decision_procedure', 'openness', 4, 'share', score=('target', 1.0, 0.5)),
    spec('promise_on_time', 'promises', 4, 'share', score=('target', 1.0, 0.7)),
    spec('proposal_satisfaction', 'promises', 3, 'share', score=('target', 0.95, 0.6)),
    spec('public_survey', 'promises', 3, 'value', score=('target', 95, 60)),
]


def measured(num, n, den=None, value=None):
    """An indicator's per-unit aggregates (Series by unit_id): numerator,
    sample size, denominator (default n), value (count_per only)."""
    return dict(num=num, n=n, den=n if den is None else den, value=value)


def score(units, M, rules):
    """Attainments, points, aggregation, adjustments, veto, ranks and grades
    from the measured aggregates M (id -> measured()) and the rules'
    per-unit (penalty, bonus, veto): (values, scores) frames."""
    penalty, bonus, veto = rules
    I = [dict(s, **M[s["id"]]) for s in SPEC]
    nodes = {"citizen": 20, "business": 15, "integrity": 20, "environment": 10, "contracts": 15, "openness": 10, "promises": 10}
    node_total = {k: sum(i["weight"] for i in I if i["parent"] == k) for k in nodes}
    groups = units["group"]

    rows, att = [], {}
    for ind in I:
        pts = nodes[ind["parent"]] * ind["weight"] / node_total[ind["parent"]]
        n = ind["n"].reindex(units.index).fillna(0)
        num = ind["num"].reindex(units.index).fillna(0.0).astype(float)
        den = ind["den"].reindex(units.index).fillna(0.0).astype(float)
        k = ind["kind"]
        if k == "deduction":
            val = num
            missing = pd.Series(False, index=units.index)
        elif k == "count_per":
            val = ind["value"]
            missing = ~np.isfinite(val) | (n < ind["min_n"])
        else:
            val = num / den.where(den != 0)
            missing = val.isna() | ~np.isfinite(val) | (n == 0) | (n < ind["min_n"])
        applies = groups.isin(ind["applies"]) if ind["applies"] else pd.Series(True, index=units.index)
        val = val.astype(float)
        if ind["shrink"]:
            pooled = (num[applies]).groupby(groups[applies]).sum() / den[applies].groupby(groups[applies]).sum()
            p = groups.map(pooled)
            kk = ind["shrink"]
            val = val.where(missing | ~applies, (n * val + kk * p) / (n + kk))
        scored = applies & ~missing
        a = pd.Series(np.nan, index=units.index)
        sc = ind["score"]
        v = val[scored]
        if sc[0] == "target":
            a[scored] = ((v - sc[2]) / (sc[1] - sc[2])).clip(0, 1)
        elif sc[0] == "shortfall":
            a[scored] = (1 - ((sc[1] - v).clip(lower=0) / sc[2] * sc[3]) / pts).clip(0, 1)
        elif sc[0] == "bands":
            b = pd.Series(0.0, index=v.index)
            for thr, at in reversed(sc[1]):
                b = b.where(v < thr, at)
            a[scored] = b
        elif sc[0] == "deduction":
            a[scored] = (1 - v.clip(upper=pts) / pts).clip(0, 1)
        else:  # relative kinds, per group
            for g, vv in v.groupby(groups[scored]):
                if len(vv) < 2 or vv.max() == vv.min():
                    a[vv.index] = 1.0
                elif sc[0] == "minmax":
                    a[vv.index] = (vv.max() - vv) / (vv.max() - vv.min()) if sc[1] == "lower" else (vv - vv.min()) / (vv.max() - vv.min())
                elif sc[0] == "zscore":
                    a[vv.index] = ndtr((vv - vv.mean()) / vv.std(ddof=1))
                elif sc[0] == "rank":
                    # units with a strictly worse value: higher ones when lower is better
                    worse = vv.rank(method="min", ascending=sc[1] != "lower") - 1
                    a[vv.index] = worse / (len(vv) - 1)
        att[ind["id"]] = a
        status = np.where(~applies, "n/a", np.where(missing, "missing", "shrunk" if ind["shrink"] else "ok"))
        rows.append(pd.DataFrame({"unit_id": units.index, "indicator_id": ind["id"],
                                  "value": val.where(applies), "n": n.where(applies), "attainment": a, "points": a * pts,
                                  "status": status}))
    values = pd.concat(rows)

    # Aggregation: arithmetic, reweighting missing and n/a.
    A = pd.DataFrame(att)
    W = pd.Series({i["id"]: i["weight"] for i in I})
    P = pd.Series({i["id"]: i["parent"] for i in I})
    node_att = {}
    for nd in nodes:
        cols = P.index[P == nd]
        w = A[cols].notna() * W[cols]
        node_att[nd] = (A[cols].fillna(0) * W[cols]).sum(axis=1) / w.sum(axis=1).where(w.sum(axis=1) > 0)
    N = pd.DataFrame(node_att)
    nw = pd.Series(nodes)
    wsum = (N.notna() * nw).sum(axis=1)
    base = ((N.fillna(0) * nw).sum(axis=1) / wsum.where(wsum > 0)).fillna(0) * 100

    def round2(x):
        y = np.round(x * 100 * 1e6) / 1e6
        return np.sign(y) * np.floor(np.abs(y) + 0.5) / 100

    total = round2((base + bonus - penalty).clip(lower=0))
    key = pd.DataFrame({"g": groups, "v": veto, "t": total})
    # Competition ranks within the group: vetoed units after the others,
    # then by total, descending (totals are whole cents, so the key is exact).
    rank = (key["v"].astype(int) * 1e6 - key["t"]).groupby(key["g"]).rank(method="min").astype(int)
    grade = dict.fromkeys(units.index, "")
    rk, tot = rank.to_dict(), key["t"].to_dict()
    for g, m in key.groupby("g"):
        ordered = m.sort_values(["v", "t"], ascending=[True, False])
        cap = math.floor(0.2 * len(m) + 1e-9)
        open_ = [u for u in ordered.index if not m.at[u, "v"]]
        for u in m.index[m["v"]]:
            grade[u] = "不合格"
        for name, mn, q in [("优秀", 90, cap), ("良好", 80, None), ("合格", 60, None), ("不合格", 0, None)]:
            elig = [u for u in open_ if tot[u] >= mn - 1e-9 or name == "不合格"]
            # Blocks of equal rank (contiguous: elig is in rank order) take
            # the grade together, or not at all when the quota would break.
            taken, i = 0, 0
            while i < len(elig):
                j = i
                while j < len(elig) and rk[elig[j]] == rk[elig[i]]:
                    j += 1
                if q is not None and taken + (j - i) > q:
                    break
                for u in elig[i:j]:
                    grade[u] = name
                taken += j - i
                i = j
            open_ = [u for u in open_ if grade[u] == ""]
    grade = pd.Series(grade)
    scores = pd.DataFrame({"unit_id": units.index, "rank": rank, "total": total, "grade": grade, "veto": veto})
    return values, scores


def write(out, values, scores):
    out.mkdir(parents=True, exist_ok=True)
    values.to_csv(out / "values.csv", index=False)
    scores.to_csv(out / "scores.csv", index=False)


def main():
    data, fmt, out = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    t0 = time.perf_counter()
    units, M, rules = measures(data, fmt)
    write(out, *score(units, M, rules))
    print(f"{(time.perf_counter() - t0) * 1000:.1f}")


if __name__ == "__main__":
    main()
