//! Exact sums: whole numbers summed as f64 below 2^53, other numbers in
//! integer limbs, so that a sum does not depend on the order in which
//! parallel partial sums meet; and the bounds the pass checks them
//! against (an error beyond the exact range, never a silent drop).

use polars::prelude::*;

use super::exprs::num;
use crate::scheme::expr::SqlExpr;

/// Σ of a scheme expression over the rows where `w` holds, exactly. Whole
/// numbers are summed as f64: every partial sum of integers whose
/// absolute values add up to less than 2^53 is an exact integer, so the
/// sum does not depend on the order of the rows ([`summed_values`] makes
/// the bound an error). Other numbers go through [`exact_sum`].
pub(super) fn sum_of(e: &SqlExpr, w: &Expr, name: &str) -> Vec<Expr> {
    if e.is_integral() {
        vec![
            masked(w, e.expr.clone(), DataType::Float64)
                .sum()
                .alias(name),
        ]
    } else {
        exact_sum(masked(w, num(e), DataType::Float64), name).to_vec()
    }
}

/// `x` where `w` holds, else null, as `dtype`.
pub(super) fn masked(w: &Expr, x: Expr, dtype: DataType) -> Expr {
    when(w.clone())
        .then(x.cast(dtype.clone()))
        .otherwise(lit(NULL).cast(dtype))
}

/// The number of rows where `e` holds: a boolean sum (polars counts the
/// true values per group without a numeric copy of the column), as u64.
pub fn count_true(e: Expr) -> Expr {
    e.sum().cast(DataType::UInt64)
}

/// Σ `e` (f64), exactly and whatever the order of the rows: each value is
/// split into four integer limbs of at most 31 bits, its integer part in
/// two and two 31-bit fractional parts, which are summed as i64 (integer
/// sums are exact and associative, and limbs of 31 bits cannot overflow
/// an i64 sum below 2^32 rows) and recombined by [`exact_total`]. A float
/// sum would depend on the order in which parallel partial sums meet, so
/// the same data could give values differing in the last bit from run to
/// run. Precision: 2^-62 per value. Values of 2^62 or more (or not finite)
/// take no part here: [`summed_values`] makes them an error.
pub fn exact_sum(e: Expr, name: &str) -> [Expr; 4] {
    let m = when(e.clone().abs().lt(lit(EXACT_LIMIT)))
        .then(e)
        .otherwise(lit(0.0));
    let l0 = m.clone().floor();
    let hi = (l0.clone() / lit(LIMB)).floor();
    let lo = l0.clone() - hi.clone() * lit(LIMB);
    let s1 = (m - l0) * lit(LIMB);
    let l1 = s1.clone().floor();
    let l2 = ((s1 - l1.clone()) * lit(LIMB)).floor();
    let [a, b, c, d] = [hi, lo, l1, l2].map(|l| l.cast(DataType::Int64).sum());
    [
        a.alias(format!("{name}.0")),
        b.alias(format!("{name}.1")),
        c.alias(format!("{name}.2")),
        d.alias(format!("{name}.3")),
    ]
}

const LIMB: f64 = (1u64 << 31) as f64;

/// The sum an [`exact_sum`] stands for, from its limb sums.
pub fn exact_total(a: i64, b: i64, c: i64, d: i64) -> f64 {
    let whole = (i128::from(a) << 31) + i128::from(b);
    whole as f64 + c as f64 / LIMB + d as f64 / (LIMB * LIMB)
}

/// The bound of exact sums of fractional numbers: every summed value's
/// |x| added up must stay below 2^62 (see [`exact_sum`]).
pub const EXACT_LIMIT: f64 = (1u64 << 62) as f64;
/// The bound of sums of whole numbers, summed as f64 (see [`sum_of`]).
pub const WHOLE_LIMIT: f64 = (1u64 << 53) as f64;

/// A value the aggregations sum: what it is, its expression (where its
/// condition holds, else null, as f64), and the bound of its exact sum.
pub struct Summed {
    pub what: String,
    pub value: Expr,
    pub limit: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact(values: &[f64]) -> f64 {
        let df = df!("x" => values).unwrap();
        let out = df
            .lazy()
            .select(exact_sum(col("x"), "s"))
            .collect()
            .unwrap();
        let g = |k: usize| {
            out.column(&format!("s.{k}"))
                .unwrap()
                .i64()
                .unwrap()
                .get(0)
                .unwrap()
        };
        exact_total(g(0), g(1), g(2), g(3))
    }

    #[test]
    fn exact_sums_do_not_depend_on_order() {
        // 0.1 + 0.2 + 0.3 in floating point depends on the order:
        // (0.1 + 0.2) + 0.3 = 0.6000000000000001, 0.1 + (0.2 + 0.3) = 0.6.
        assert_ne!((0.1 + 0.2) + 0.3, 0.1 + (0.2 + 0.3));
        let a = exact(&[0.1, 0.2, 0.3]);
        let b = exact(&[0.3, 0.2, 0.1]);
        assert_eq!(a, b);
        assert!((a - 0.6).abs() < 1e-15);
        // Negative values and integers are exact.
        assert_eq!(exact(&[-2.5, 1.0, 4.25]), 2.75);
        assert_eq!(exact(&[1e12, -1e12, 3.0]), 3.0);
        // Integer parts up to 2^62 split in two limbs, whose sums do not
        // overflow: 3 × 4e18 = 1.2e19 (beyond i64) is summed exactly.
        assert_eq!(exact(&[4e18, 4e18, 4e18]), 1.2e19);
    }
}
