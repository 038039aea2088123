//! Scheme expressions: SQL text to polars expressions.
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
