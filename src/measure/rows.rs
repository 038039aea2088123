//! The classified rows a dataset's pass runs on: the data stage's plan
//! ([`crate::data::records::plan`]) with the `workdays` columns of every
//! expression the scheme evaluates on the dataset.

use polars::prelude::*;

use crate::scheme::Scheme;
use crate::scheme::expr::SqlExpr;

/// Every expression of the scheme that runs on dataset `ds`, so their
/// `workdays` placeholder columns can be added once.
pub fn dataset_exprs(scheme: &Scheme, ds: usize) -> Vec<&SqlExpr> {
    let mut out = Vec::new();
    for ind in scheme.indicators.iter().filter(|i| i.dataset == ds) {
        out.extend(ind.measure.where_.iter());
        out.extend(super::kinds::exprs(&ind.measure.kind));
    }
    for r in scheme.rules.iter().filter(|r| r.dataset == ds) {
        out.extend(r.where_.iter());
    }
    out
}

/// The classified rows of dataset `ds` ([`crate::data::records::plan`])
/// with the `workdays` columns of every expression run on them, and the
/// error key of the rejected ones ([`crate::data::records::EKEY`]).
pub fn classified(
    scheme: &Scheme,
    ds: usize,
    lf: LazyFrame,
    source: &crate::data::read::Source,
    units: &crate::data::Units,
    fast: bool,
    duplicates: Option<&[IdxSize]>,
) -> PolarsResult<(LazyFrame, Expr)> {
    let wd = workday_columns(scheme, ds, &dataset_exprs(scheme, ds));
    crate::data::records::plan(scheme, ds, lf, source, units, fast, duplicates, wd)
}

/// Columns for the `workdays(a, b)` calls of these expressions on
/// dataset `ds`.
pub fn workday_columns(scheme: &Scheme, ds: usize, exprs: &[&SqlExpr]) -> Vec<Expr> {
    let calls: Vec<_> = exprs.iter().flat_map(|e| e.workdays.iter()).collect();
    if calls.is_empty() {
        return Vec::new();
    }
    let spec = &scheme.datasets[ds];
    // An argument that is a declared column has that column's type in
    // the classified rows; anything else is cast to a date.
    let typed = |e: &Expr| {
        let ty = match e {
            Expr::Column(name) => spec.column(name.as_str()).map(|c| c.ty.dtype()),
            _ => None,
        };
        (
            e.clone(),
            ty.unwrap_or(DataType::Unknown(Default::default())),
        )
    };
    let table = scheme.calendar.table_series();
    calls
        .into_iter()
        .map(|w| {
            let (a, b) = (typed(&w.a), typed(&w.b));
            scheme
                .calendar
                .workdays_expr((a.0, &a.1), (b.0, &b.1), &table)
                .alias(w.column.as_str())
        })
        .collect()
}
