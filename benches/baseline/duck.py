#!/usr/bin/env python3
"""The default scheme's aggregation in DuckDB: what a sophisticated
evaluator who does not use govtrust would write. One SQL query per dataset
computes every per-unit aggregate the scheme's indicators and rules need
(counts, sums, working days through a calendar table), over the same
files, streaming; the scoring afterwards is the pandas baseline's
(assess.score), so the two baselines differ only in how they aggregate.

    python3 benches/baseline/duck.py DATA_DIR csv|parquet OUT_DIR

It keeps the records govtrust counts (docs/scheme.md section 3): known
units, in the period, not exempt, no upheld objection (the register's
status replacing the record's for the unit's own records), repairs by the
period end. Like every plain SQL job it skips the checks govtrust makes:
no duplicate keys found, no bad value reported with its line (CSV is read
with the scheme's column types and `ignore_errors`, so a row with a value
that does not parse is dropped unseen). Its values equal govtrust's on
clean data (`govtrust generate --bad-rows 0`); benches/scale.sh checks it.

    python3 benches/baseline/duck.py DATA_DIR csv|parquet OUT_DIR --keys

also drops what govtrust rejects as a repeated key: among the rows of
known units, every row whose key an earlier row of the file has. It needs
the rows' order in the file, which DuckDB gives a row number (`OVER ()`)
only on one thread, so it runs on one: not for timing, only to check
govtrust's values on a file with bad rows (benches/scale.sh does, for the
`csv-bad` input: a bad date, a bad bool, an unknown and an empty unit are
dropped by `ignore_errors` and the unit test, the repeated key by this).
"""
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

import assess

START, END = assess.PERIOD[0].date(), assess.PERIOD[1].date()

# Column types as the scheme declares them (CSV only; Parquet has its own).
TYPES = {
    "hotline": {"received_at": "TIMESTAMP", "due_at": "TIMESTAMP", "closed_at": "TIMESTAMP",
                "resolved": "BOOLEAN", "satisfaction": "BIGINT", "reopened": "BOOLEAN"},
    "enterprise": {"opened_on": "DATE", "due_on": "DATE", "closed_on": "DATE", "resolved": "BOOLEAN",
                   "satisfaction": "BIGINT", "complaint_about_unit": "BOOLEAN"},
    "stats_fraud": {"decided_on": "DATE", "exempt": "BOOLEAN", "objection": "VARCHAR", "repaired_on": "DATE"},
    "dishonesty": {"recorded_on": "DATE", "on_debtor_list": "BOOLEAN", "exempt": "BOOLEAN",
                   "objection": "VARCHAR", "repaired_on": "DATE"},
    "env_tasks": {"due_on": "DATE", "completed_on": "DATE", "key_task": "BOOLEAN", "inspection_finding": "BOOLEAN",
                  "rectified": "BOOLEAN", "quality_worsened": "BOOLEAN"},
    "ppp": {"due_on": "DATE", "amount_due": "DOUBLE", "amount_paid_on_time": "DOUBLE",
            "performance_score": "DOUBLE", "default_event": "BOOLEAN"},
    "publicity": {"decided_on": "DATE", "published_on": "DATE"},
    "decisions": {"decided_on": "DATE", **{c: "BOOLEAN" for c in [
        "public_participation", "expert_argument", "risk_assessment", "legality_review",
        "collective_discussion", "published"]}},
    "commitments": {"due_on": "DATE", "done_on": "DATE", "satisfied": "BOOLEAN"},
    "contracts": {"amount": "DOUBLE", "due_on": "DATE", "kept_on": "DATE", "breach": "BOOLEAN"},
    "arrears": {"amount": "DOUBLE", "incurred_on": "DATE", "settled_on": "DATE"},
    "honours": {"awarded_on": "DATE"},
    "survey": {"value": "DOUBLE"},
}
# Each dataset's key and date column (indicators/datasets.toml).
KEYS = {
    "hotline": ("ticket_id", "received_at"), "enterprise": ("case_id", "opened_on"),
    "stats_fraud": ("case_id", "decided_on"), "dishonesty": ("record_id", "recorded_on"),
    "env_tasks": ("task_id", "due_on"), "ppp": ("record_id", "due_on"),
    "publicity": ("decision_id", "decided_on"), "decisions": ("decision_id", "decided_on"),
    "commitments": ("item_id", "due_on"), "contracts": ("contract_id", "due_on"),
    "arrears": ("arrear_id", "incurred_on"), "honours": ("honour_id", "awarded_on"),
    "survey": (None, None),
}
STATUS = {"stats_fraud", "dishonesty"}   # datasets with exempt, objection, repaired_on


def source(data, name, fmt):
    path = data / f"{name}.{fmt}"
    if fmt == "parquet":
        return f"read_parquet('{path}')"
    types = ", ".join(f"'{c}': '{t}'" for c, t in TYPES[name].items())
    return f"read_csv('{path}', header = true, ignore_errors = true, types = {{{types}}})"


# --keys: drop the later rows of a repeated key (see the module's doc).
KEYED = False


def rows(data, name, fmt):
    """The dataset's rows; with --keys, without the later rows of a key
    that rows of known units repeat."""
    key = KEYS[name][0]
    if not (KEYED and key):
        return source(data, name, fmt)
    numbered = f"(SELECT *, row_number() OVER () AS __rn FROM {source(data, name, fmt)})"
    return (f"(SELECT * EXCLUDE (__rn) FROM {numbered} WHERE unit_id IN (SELECT unit_id FROM units)"
            f" QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY __rn) = 1)")


def counted(data, name, fmt):
    """The FROM and WHERE of the dataset's counted records (alias t, the
    register's status as obj, repaired as a bool)."""
    key, day = KEYS[name]
    obj = "NULL"
    joins = ""
    if key:
        joins = f" LEFT JOIN reg r ON r.dataset = '{name}' AND r.record_key = CAST(t.{key} AS VARCHAR) AND r.unit_id = t.unit_id"
        obj = "r.status"
    conds = ["t.unit_id IN (SELECT unit_id FROM units)"]
    if day:
        conds.append(f"CAST(t.{day} AS DATE) BETWEEN DATE '{START}' AND DATE '{END}'")
    repaired = "false"
    if name in STATUS:
        obj = f"coalesce({obj}, t.objection)"
        conds.append("NOT coalesce(t.exempt, false)")
        repaired = f"coalesce(t.repaired_on <= DATE '{END}', false)"
    conds.append(f"coalesce({obj}, '') <> 'upheld'")
    return f"(SELECT t.*, {repaired} AS repaired FROM {rows(data, name, fmt)} t{joins} WHERE {' AND '.join(conds)})"


def sev(case):
    return "CASE severity " + " ".join(f"WHEN '{k}' THEN {v}" for k, v in case.items()) + " ELSE 0 END"


def measures(data, fmt):
    con = duckdb.connect()
    if KEYED:
        # The rows' order in the file: OVER () numbers them in the order
        # read only when one thread reads.
        con.execute("SET threads = 1")
    assess.REGISTER = assess.load_register(data)
    reg = pd.DataFrame([(ds, k, u, s) for ds, rows in assess.REGISTER.items() for k, u, s in rows],
                       columns=["dataset", "record_key", "unit_id", "status"], dtype=str)
    con.register("reg", reg)
    units, pop = assess.load_units(data, fmt)
    con.register("units", pd.DataFrame({"unit_id": units.index.astype(str)}))
    # Working days as a cumulative count: workdays(a, b) = c(b) - c(a).
    days = pd.date_range("2020-01-01", "2030-12-31")
    d64 = days.values.astype("datetime64[D]")
    work = np.is_busday(d64, holidays=assess.HOLIDAYS) | np.isin(d64, assess.MAKEUP)
    con.register("cal", pd.DataFrame({"d": days.date, "c": np.cumsum(work)}))
    wdays = "(cb.c - ca.c)"

    def q(name, cols, days=()):
        return aggregate(con, data, name, fmt, cols, days)

    M = {}
    h = q("hotline", {
        "of": "count(*) FILTER (WHERE category <> '咨询')",
        "on_time": "count(*) FILTER (WHERE category <> '咨询' AND closed_at <= due_at)",
        "n": "count(*)",
        "resolved": "count(*) FILTER (WHERE resolved)",
        "rated": "count(satisfaction)",
        "satisfied": "count(*) FILTER (WHERE satisfaction >= 4)",
        "reopened": "count(*) FILTER (WHERE reopened)",
        "dur_sum": f"sum({wdays}) FILTER (WHERE category <> '咨询')",
        "dur_n": f"count({wdays}) FILTER (WHERE category <> '咨询')",
        "complaints": "count(*) FILTER (WHERE category = '投诉')",
    }, [("ca", "received_at"), ("cb", "closed_at")])
    M["hotline_on_time"] = assess.measured(h["on_time"], h["of"])
    M["hotline_resolved"] = assess.measured(h["resolved"], h["n"])
    M["hotline_satisfaction"] = assess.measured(h["satisfied"], h["rated"])
    M["hotline_reopened"] = assess.measured(h["reopened"], h["n"])
    M["hotline_duration"] = assess.measured(h["dur_sum"].astype(float), h["dur_n"])
    cnt = h["complaints"]
    M["hotline_complaint_rate"] = assess.measured(cnt, cnt, value=cnt.reindex(units.index, fill_value=0) * 10000 / pop.where(pop != 0))

    e = q("enterprise", {
        "n": "count(*)", "on_time": "count(*) FILTER (WHERE closed_on <= due_on)",
        "sat_sum": "sum(satisfaction)", "sat_n": "count(satisfaction)",
        "complaints": "count(*) FILTER (WHERE complaint_about_unit)",
    })
    M["ent_on_time"] = assess.measured(e["on_time"], e["n"])
    M["ent_satisfaction"] = assess.measured(e["sat_sum"].astype(float), e["sat_n"])
    M["ent_complaints"] = assess.measured(e["complaints"].astype(float), e["complaints"])

    rep = f"CASE WHEN repaired THEN {assess.REPAIR} ELSE 1 END"
    d = q("dishonesty", {
        "p": f"sum(({sev({'一般': 2, '较重': 4, '严重': 8})}) * {rep})", "n": "count(*)",
        "veto": "bool_or(kind = '失信被执行人' AND on_debtor_list AND NOT repaired)",
    })
    M["dishonesty_records"] = assess.measured(d["p"].astype(float), d["n"])
    f = q("stats_fraud", {
        "p": f"sum(({sev({'一般': 3, '较重': 6, '严重': 8})}) * {rep})", "n": "count(*)",
        "veto": "bool_or(severity = '严重' AND NOT repaired)",
    })
    M["stats_integrity"] = assess.measured(f["p"].astype(float), f["n"])

    fail = ("((key_task AND (completed_on IS NULL OR completed_on > due_on)) OR quality_worsened"
            " OR (inspection_finding AND NOT rectified))")
    v = q("env_tasks", {
        "n": "count(*)", "done": "count(*) FILTER (WHERE completed_on <= due_on)",
        "fail": f"count(*) FILTER (WHERE {fail})",
    })
    M["env_completion"] = assess.measured(v["done"], v["n"])
    M["env_failures"] = assess.measured(2.0 * v["fail"], v["fail"])

    p = q("ppp", {
        "n": "count(*)", "paid": "sum(amount_paid_on_time)", "due": "sum(amount_due)",
        "perf_sum": "sum(performance_score)", "perf_n": "count(performance_score)",
        "pen": "3.0 * count(*) FILTER (WHERE default_event)",
    })
    M["ppp_payment"] = assess.measured(p["paid"], p["n"], den=p["due"])
    M["ppp_performance"] = assess.measured(p["perf_sum"], p["perf_n"])
    c = q("contracts", {
        "n": "count(*)", "kept": "count(*) FILTER (WHERE NOT breach AND kept_on <= due_on)",
        "pen": "5.0 * count(*) FILTER (WHERE breach AND breach_reason IN ('政府换届', '责任人更替'))",
    })
    M["contract_kept"] = assess.measured(c["kept"], c["n"])
    a = q("arrears", {
        "n": "count(*)", "settled": "sum(CASE WHEN settled_on IS NOT NULL THEN amount ELSE 0 END)",
        "amount": "sum(amount)",
        "pen": "5.0 * count(*) FILTER (WHERE kind = '农民工工资' AND settled_on IS NULL)",
    })
    M["arrears_settled"] = assess.measured(a["settled"], a["n"], den=a["amount"])

    pb = q("publicity", {
        "n": "count(*)", "timely": f"count(*) FILTER (WHERE {wdays} <= 7)",
    }, [("ca", "decided_on"), ("cb", "published_on")])
    M["publicity_timely"] = assess.measured(pb["timely"], pb["n"])
    steps = " AND ".join(["public_participation", "expert_argument", "risk_assessment", "legality_review",
                          "collective_discussion", "published"])
    de = q("decisions", {
        "n": "count(*)", "ok": f"count(*) FILTER (WHERE {steps})",
        "pen": "2.0 * count(*) FILTER (WHERE NOT legality_review OR NOT collective_discussion)",
    })
    M["decision_procedure"] = assess.measured(de["ok"], de["n"])

    cm = q("commitments", {
        "n": "count(*)", "on_time": "count(*) FILTER (WHERE done_on <= due_on)",
        "of": "count(*) FILTER (WHERE kind IN ('人大建议', '政协提案') AND satisfied IS NOT NULL)",
        "sat": "count(*) FILTER (WHERE kind IN ('人大建议', '政协提案') AND satisfied)",
    })
    M["promise_on_time"] = assess.measured(cm["on_time"], cm["n"])
    M["proposal_satisfaction"] = assess.measured(cm["sat"], cm["of"])
    s = q("survey", {
        "s": "sum(value) FILTER (WHERE indicator_id = 'public_survey')",
        "n": "count(value) FILTER (WHERE indicator_id = 'public_survey')",
    })
    s = s[s["n"] > 0]
    M["public_survey"] = assess.measured(s["s"], s["n"])
    ho = q("honours", {"b": "sum(CASE level WHEN '国家级' THEN 2.0 WHEN '省级' THEN 1.0 WHEN '市级' THEN 0.5 ELSE 0 END)"})

    def capped(df, col, cap):
        return df[col].astype(float).reindex(units.index, fill_value=0.0).clip(upper=cap)

    penalty = capped(p, "pen", 6) + capped(c, "pen", 10) + capped(de, "pen", 4) + capped(a, "pen", 10)
    bonus = capped(ho, "b", 3).clip(upper=5)
    veto = (f["veto"].reindex(units.index, fill_value=False).fillna(False).astype(bool)
            | d["veto"].reindex(units.index, fill_value=False).fillna(False).astype(bool))
    return units, M, (penalty, bonus, veto)


def aggregate(con, data, name, fmt, cols, days=()):
    """One query: the per-unit aggregates `cols` over the counted records,
    with the working-day numbers of date columns joined from the calendar
    table (alias, column) where they need them."""
    joins = " ".join(f"LEFT JOIN cal {al} ON {al}.d = CAST(t.{c} AS DATE)" for al, c in days)
    select = ", ".join(f"{e} AS {n}" for n, e in cols.items())
    sql = f"SELECT t.unit_id, {select} FROM {counted(data, name, fmt)} t {joins} GROUP BY t.unit_id"
    return con.execute(sql).df().astype({"unit_id": str}).set_index("unit_id")


def main():
    global KEYED
    data, fmt, out = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    KEYED = sys.argv[4:] == ["--keys"]
    t0 = time.perf_counter()
    units, M, rules = measures(data, fmt)
    assess.write(out, *assess.score(units, M, rules))
    print(f"{(time.perf_counter() - t0) * 1000:.1f}")


if __name__ == "__main__":
    main()
