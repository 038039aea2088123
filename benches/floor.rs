//! The floor: what a bare polars query costs on the same files. A typed
//! lazy scan of every dataset and one group-by per dataset computing just
//! the per-unit counts and sums the default scheme's measures need; no
//! validation, rejects, accounting, evidence, scoring or outputs.
//!
//! `govtrust-floor DATA_DIR csv|parquet [streaming|in-memory]` prints the
//! elapsed milliseconds (benches/scale.sh runs it beside `govtrust
//! assess`; `cargo build --release` builds it). Values that do not parse
//! become null (as DuckDB's `ignore_errors`), so it runs on files with
//! bad rows too.

use std::path::Path;
use std::time::Instant;

use polars::prelude::*;

// The same allocator as the govtrust binary (src/main.rs), so that the
// ratio measures the query, not the allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn scan(dir: &Path, name: &str, format: &str, schema: &[(&str, DataType)]) -> LazyFrame {
    let path = dir.join(format!("{name}.{format}"));
    let p = PlRefPath::new(path.to_str().unwrap());
    if format == "parquet" {
        return LazyFrame::scan_parquet(p, ScanArgsParquet::default()).unwrap();
    }
    // Dates are read as text and parsed with an explicit format: polars'
    // CSV reader is ~10x slower parsing a Datetime column by itself.
    let mut s = Schema::default();
    let mut parse = Vec::new();
    for (n, t) in schema {
        let opts = |f: &str| StrptimeOptions {
            format: Some(f.into()),
            strict: false,
            ..Default::default()
        };
        match t {
            DataType::Date => parse.push(col(*n).str().to_date(opts("%Y-%m-%d"))),
            DataType::Datetime(..) => parse.push(col(*n).str().to_datetime(
                Some(TimeUnit::Microseconds),
                None,
                opts("%Y-%m-%d %H:%M:%S"),
                lit("raise"),
            )),
            _ => {}
        }
        let read_as = if t.is_temporal() {
            DataType::String
        } else {
            t.clone()
        };
        s.with_column((*n).into(), read_as);
    }
    LazyCsvReader::new(p)
        .with_has_header(true)
        .with_ignore_errors(true)
        .with_schema(Some(Arc::new(s)))
        .finish()
        .unwrap()
        .with_columns(parse)
}

fn dt() -> DataType {
    DataType::Datetime(TimeUnit::Microseconds, None)
}

fn count_where(e: Expr) -> Expr {
    e.cast(DataType::UInt32).sum()
}

fn main() {
    // The same memory settings as the govtrust binary (src/main.rs).
    govtrust::no_huge_pages();
    let args: Vec<String> = std::env::args().collect();
    // cargo bench passes "--bench" first when run without arguments.
    let args: Vec<&String> = args
        .iter()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if args.len() < 2 {
        eprintln!("usage: floor DATA_DIR csv|parquet");
        return;
    }
    let (dir, fmt) = (Path::new(args[0].as_str()), args[1].as_str());
    let t = Instant::now();
    let s = DataType::String;
    let d = DataType::Date;
    let b = DataType::Boolean;
    let f = DataType::Float64;
    let i = DataType::Int64;

    let hotline = scan(
        dir,
        "hotline",
        fmt,
        &[
            ("ticket_id", s.clone()),
            ("unit_id", s.clone()),
            ("received_at", dt()),
            ("due_at", dt()),
            ("closed_at", dt()),
            ("category", s.clone()),
            ("resolved", b.clone()),
            ("satisfaction", i.clone()),
            ("reopened", b.clone()),
        ],
    );
    let not_consult = col("category").neq(lit("咨询"));
    let q_hotline = hotline.group_by([col("unit_id")]).agg([
        len().alias("n"),
        count_where(not_consult.clone()).alias("of"),
        count_where(
            not_consult
                .clone()
                .and(col("closed_at").lt_eq(col("due_at"))),
        )
        .alias("on_time"),
        count_where(col("resolved")).alias("resolved"),
        col("satisfaction").count().alias("rated"),
        count_where(col("satisfaction").gt_eq(lit(4))).alias("satisfied"),
        count_where(col("reopened")).alias("reopened"),
        count_where(col("category").eq(lit("投诉"))).alias("complaints"),
        (col("closed_at") - col("received_at"))
            .dt()
            .total_days(false)
            .mean()
            .alias("days"),
    ]);

    let enterprise = scan(
        dir,
        "enterprise",
        fmt,
        &[
            ("case_id", s.clone()),
            ("unit_id", s.clone()),
            ("opened_on", d.clone()),
            ("due_on", d.clone()),
            ("closed_on", d.clone()),
            ("resolved", b.clone()),
            ("satisfaction", i.clone()),
            ("complaint_about_unit", b.clone()),
        ],
    );
    let q_enterprise = enterprise.group_by([col("unit_id")]).agg([
        len().alias("n"),
        count_where(col("closed_on").lt_eq(col("due_on"))).alias("on_time"),
        col("satisfaction").mean().alias("sat"),
        count_where(col("complaint_about_unit")).alias("complaints"),
    ]);

    let publicity = scan(
        dir,
        "publicity",
        fmt,
        &[
            ("decision_id", s.clone()),
            ("unit_id", s.clone()),
            ("kind", s.clone()),
            ("decided_on", d.clone()),
            ("published_on", d.clone()),
        ],
    );
    let q_publicity = publicity.group_by([col("unit_id")]).agg([
        len().alias("n"),
        count_where(
            (col("published_on") - col("decided_on"))
                .dt()
                .total_days(false)
                .lt_eq(lit(9)),
        )
        .alias("timely"),
    ]);

    let mut queries = vec![q_hotline, q_enterprise, q_publicity];
    // The small datasets: one count and one sum each, for completeness.
    for (name, value) in [
        ("stats_fraud", None),
        ("env_tasks", None),
        ("ppp", Some("amount_due")),
        ("dishonesty", None),
        ("commitments", None),
        ("decisions", None),
        ("contracts", Some("amount")),
        ("arrears", Some("amount")),
        ("honours", None),
        ("survey", Some("value")),
    ] {
        let lf = if fmt == "parquet" {
            scan(dir, name, fmt, &[])
        } else {
            let p = dir.join(format!("{name}.csv"));
            LazyCsvReader::new(PlRefPath::new(p.to_str().unwrap()))
                .with_has_header(true)
                .finish()
                .unwrap()
        };
        let mut aggs = vec![len().alias("n")];
        if let Some(v) = value {
            aggs.push(col(v).cast(f.clone()).sum().alias("sum"));
        }
        queries.push(lf.group_by([col("unit_id")]).agg(aggs));
    }
    // The engine is a third argument: streaming (default) or in-memory.
    let engine = match args.get(2).map(|s| s.as_str()) {
        Some("in-memory") => Engine::InMemory,
        _ => Engine::Streaming,
    };
    let plans = queries.into_iter().map(|q| q.logical_plan).collect();
    let out = LazyFrame::collect_all_with_engine(plans, engine, OptFlags::default()).unwrap();
    let rows: usize = out.iter().map(|df| df.height()).sum();
    println!("{:.1}", t.elapsed().as_secs_f64() * 1000.0);
    eprintln!("floor: {} result rows", rows);
}
