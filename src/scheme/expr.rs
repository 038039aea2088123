//! Section 2: expressions. `where`, `of`, `expr`, `num` and `den` as SQL
//! text to polars expressions, checked against the dataset's columns.
//!
//! `where`, `of`, `expr`, `num` and `den` are SQL expressions as polars' SQL
//! parser understands them ([`polars::sql::sql_expr`]), plus the function
//! `workdays(a, b)` (docs/scheme.md section 4), which polars does not know. We
//! lift each `workdays(a, b)` call out of the text, replacing it by a
//! placeholder column `__wdN`, and compile `a` and `b` on their own; the
//! data stage adds the placeholder columns (a vectorised calendar lookup,
//! see [`crate::calendar::Calendar::workdays_expr`]) before evaluating.

use polars::prelude::*;
use polars::sql::sql_expr;

use super::context::Validator;
use super::items::ItemCtx;
use crate::diag::{S, list, suggest};

/// One `workdays(a, b)` call lifted out of an expression.
#[derive(Debug, Clone)]
pub struct WorkdaysCall {
    pub column: String,
    pub a: Expr,
    pub b: Expr,
}

/// A compiled scheme expression.
#[derive(Debug, Clone)]
pub struct SqlExpr {
    /// As the author wrote it.
    pub text: String,
    /// The polars expression, which may refer to `workdays` placeholders.
    pub expr: Expr,
    pub workdays: Vec<WorkdaysCall>,
    /// The result's type, once checked against the dataset's columns.
    pub dtype: Option<DataType>,
}

impl SqlExpr {
    /// Integer or boolean results sum exactly as i64.
    pub fn is_integral(&self) -> bool {
        self.dtype
            .as_ref()
            .is_some_and(|t| t.is_integer() || *t == DataType::Boolean)
    }
}

#[derive(Clone, Copy, PartialEq)]
pub(super) enum Want {
    Condition,
    Number,
}

/// Where an expression is written: its file, its field and its text.
pub(super) struct Written<'a> {
    pub file: usize,
    pub field: &'a str,
    pub text: &'a S<String>,
}

impl Written<'_> {
    fn err<'v>(&self, v: &'v mut Validator, msg: String) -> &'v mut crate::diag::Diagnostic {
        v.err(self.file, self.text.span().start, msg)
    }
}

/// Compile and check an expression written at `w` on dataset `ds`:
/// every column it names must be declared (a suggestion otherwise), and
/// it is run on an empty frame of the dataset's schema, so that a type
/// error (text compared with a number, a `where` that is not a
/// condition) is a load-time error with the file and line.
pub(super) fn check(
    v: &mut Validator,
    cx: &mut ItemCtx,
    w: &Written,
    ds: usize,
    want: Want,
) -> Option<SqlExpr> {
    let spec = &cx.datasets.as_ref()?[ds];
    let compiled = match compile(w.text.get_ref(), &mut cx.counter) {
        Ok(c) => c,
        Err(e) => {
            w.err(
                v,
                format!("{} = {:?} does not parse: {e}", w.field, w.text.get_ref()),
            )
            .hint("write a SQL condition such as \"closed_at <= due_at AND category <> '咨询'\"");
            return None;
        }
    };
    if !columns_declared(v, w, spec, &compiled) {
        return None;
    }
    let empty = cx.empties.entry(ds).or_insert_with(|| {
        let cols: Vec<Column> = spec
            .columns
            .iter()
            .map(|c| Column::new_empty(c.name.as_str().into(), &c.ty.dtype()))
            .collect();
        DataFrame::new_infer_height(cols).expect("unique declared columns")
    });
    let t = typecheck(v, w, empty, &compiled)?;
    let ok = match want {
        Want::Condition => t == DataType::Boolean,
        Want::Number => t.is_primitive_numeric() || t == DataType::Boolean,
    };
    if !ok {
        let expected = match want {
            Want::Condition => "a condition (true/false)",
            Want::Number => "a number",
        };
        w.err(
            v,
            format!(
                "{} = {:?} gives {t}, expected {expected}",
                w.field,
                w.text.get_ref()
            ),
        );
        return None;
    }
    Some(SqlExpr {
        dtype: Some(t),
        ..compiled
    })
}

/// Every column the expression (and its `workdays` arguments) names is
/// declared; each one that is not is an error with a suggestion.
fn columns_declared(
    v: &mut Validator,
    w: &Written,
    spec: &super::DatasetSpec,
    compiled: &SqlExpr,
) -> bool {
    let placeholders: Vec<&str> = compiled
        .workdays
        .iter()
        .map(|w| w.column.as_str())
        .collect();
    let mut exprs = vec![compiled.expr.clone()];
    for c in &compiled.workdays {
        exprs.push(c.a.clone());
        exprs.push(c.b.clone());
    }
    let mut ok = true;
    for e in &exprs {
        for name in e.clone().meta().root_names() {
            let name = name.as_str();
            if spec.has(name) || placeholders.contains(&name) {
                continue;
            }
            let d = w.err(
                v,
                format!(
                    "{} = {:?}: dataset {} has no column {name:?}",
                    w.field,
                    w.text.get_ref(),
                    spec.id
                ),
            );
            d.hint = Some(
                match suggest(name, spec.columns.iter().map(|c| c.name.as_str())) {
                    Some(s) => format!("did you mean {s:?}?"),
                    None => format!(
                        "declared columns: {}",
                        list(spec.columns.iter().map(|c| &c.name), 16)
                    ),
                },
            );
            ok = false;
        }
    }
    ok
}

/// The type of the expression's result on an empty frame of the dataset
/// (the `workdays` arguments must be dates); an error if it does not run.
fn typecheck(
    v: &mut Validator,
    w: &Written,
    empty: &DataFrame,
    compiled: &SqlExpr,
) -> Option<DataType> {
    let run = |e: Expr, extra: &[Expr]| -> Result<DataType, String> {
        let out = empty
            .clone()
            .lazy()
            .with_columns(extra)
            .select([e.alias("__x")])
            .collect()
            .map_err(|e| clean_polars_error(&e))?;
        Ok(out
            .column("__x")
            .map_err(|e| e.to_string())?
            .dtype()
            .clone())
    };
    let mut extra = Vec::new();
    for c in &compiled.workdays {
        for (arg, which) in [(&c.a, "first"), (&c.b, "second")] {
            match run(arg.clone(), &[]) {
                Ok(DataType::Date | DataType::Datetime(..)) => {}
                Ok(t) => {
                    w.err(v, format!(
                        "{} = {:?}: the {which} argument of workdays() is {t}, expected a date or datetime",
                        w.field,
                        w.text.get_ref()
                    ));
                    return None;
                }
                Err(e) => {
                    w.err(v, format!("{} = {:?}: {e}", w.field, w.text.get_ref()));
                    return None;
                }
            }
        }
        extra.push(lit(0i64).alias(c.column.as_str()));
    }
    match run(compiled.expr.clone(), &extra) {
        Ok(t) => Some(t),
        Err(e) => {
            w.err(v, format!("{} = {:?}: {e}", w.field, w.text.get_ref()))
                .hint("compare dates with DATE '2025-03-01'; text with '...'");
            None
        }
    }
}

/// Compile `text`; `counter` numbers the placeholder columns so that they
/// are unique across a scheme.
pub fn compile(text: &str, counter: &mut usize) -> Result<SqlExpr, String> {
    let (rewritten, calls) = lift_workdays(text, counter)?;
    let expr = sql_expr(&rewritten).map_err(|e| clean_polars_error(&e))?;
    let mut workdays = Vec::new();
    for (column, a, b) in calls {
        let a = sql_expr(&a).map_err(|e| format!("in workdays(): {}", clean_polars_error(&e)))?;
        let b = sql_expr(&b).map_err(|e| format!("in workdays(): {}", clean_polars_error(&e)))?;
        workdays.push(WorkdaysCall { column, a, b });
    }
    Ok(SqlExpr {
        text: text.to_string(),
        expr,
        workdays,
        dtype: None,
    })
}

/// A polars error as one line, without its variant prefix's noise.
pub fn clean_polars_error(e: &PolarsError) -> String {
    let s = e.to_string();
    s.lines().next().unwrap_or("").trim().to_string()
}

type Lifted = (String, Vec<(String, String, String)>);

/// Replace every `workdays(a, b)` by a placeholder; return the new text and
/// (placeholder, a, b) per call. String literals and quoted identifiers are
/// copied through untouched.
fn lift_workdays(text: &str, counter: &mut usize) -> Result<Lifted, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut calls = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' || c == '"' {
            let end = skip_quoted(&chars, i)?;
            out.extend(&chars[i..end]);
            i = end;
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let mut j = i;
            while j < chars.len() && chars[j].is_whitespace() {
                j += 1;
            }
            if word.eq_ignore_ascii_case("workdays") && j < chars.len() && chars[j] == '(' {
                let (args, end) = split_call(&chars, j)?;
                if args.len() != 2 {
                    return Err(format!(
                        "workdays() takes 2 arguments (start, end), found {}",
                        args.len()
                    ));
                }
                if args
                    .iter()
                    .any(|a| a.to_ascii_lowercase().contains("workdays"))
                {
                    return Err("workdays() cannot be nested".into());
                }
                let name = format!("__wd{}", *counter);
                *counter += 1;
                out.push_str(&name);
                calls.push((name, args[0].clone(), args[1].clone()));
                i = end;
            } else {
                out.push_str(&word);
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    Ok((out, calls))
}

/// Index just past the quoted run starting at `i` (doubled quotes escape).
fn skip_quoted(chars: &[char], i: usize) -> Result<usize, String> {
    let q = chars[i];
    let mut j = i + 1;
    while j < chars.len() {
        if chars[j] == q {
            if j + 1 < chars.len() && chars[j + 1] == q {
                j += 2;
                continue;
            }
            return Ok(j + 1);
        }
        j += 1;
    }
    Err(format!("unterminated {q}quoted{q} text"))
}

/// Arguments of the call whose `(` is at `open`, and the index after `)`.
fn split_call(chars: &[char], open: usize) -> Result<(Vec<String>, usize), String> {
    let mut depth = 0usize;
    let mut args = Vec::new();
    let mut cur = String::new();
    let mut i = open;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\'' | '"' => {
                let end = skip_quoted(chars, i)?;
                cur.extend(&chars[i..end]);
                i = end;
                continue;
            }
            '(' => {
                depth += 1;
                if depth > 1 {
                    cur.push(c);
                }
            }
            ')' => {
                depth -= 1;
                if depth == 0 {
                    args.push(cur.trim().to_string());
                    return Ok((args.into_iter().filter(|a| !a.is_empty()).collect(), i + 1));
                }
                cur.push(c);
            }
            ',' if depth == 1 => args.push(std::mem::take(&mut cur).trim().to_string()),
            _ => cur.push(c),
        }
        i += 1;
    }
    Err("unbalanced parentheses in workdays(...)".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifts_workdays_and_keeps_literals() {
        let mut n = 0;
        let (t, calls) =
            lift_workdays("workdays(a, date(b)) <= 5 AND x <> 'workdays(1,2)'", &mut n).unwrap();
        assert_eq!(t, "__wd0 <= 5 AND x <> 'workdays(1,2)'");
        assert_eq!(calls, vec![("__wd0".into(), "a".into(), "date(b)".into())]);
        assert_eq!(n, 1);
    }

    #[test]
    fn workdays_arity_is_checked() {
        let mut n = 0;
        assert!(lift_workdays("workdays(a) > 1", &mut n).is_err());
        assert!(lift_workdays("workdays(a, b", &mut n).is_err());
    }

    #[test]
    fn compiles_plain_sql() {
        let mut n = 0;
        let e = compile("category <> '咨询' AND satisfaction >= 4", &mut n).unwrap();
        assert!(e.workdays.is_empty());
        assert!(compile("closed_at <= ", &mut n).is_err());
    }
}
