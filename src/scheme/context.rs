//! What every section's validation shares: the problems found so far
//! with the sources to place them ([`Validator`]), and small helpers.

use crate::diag::{Diagnostic, S, Source, list};

/// An item and the index of the file it came from.
pub(super) type At<T> = (usize, T);

/// The problems found so far, with the sources to place them.
pub(super) struct Validator<'a> {
    pub sources: &'a [Source],
    pub diags: Vec<Diagnostic>,
}

impl Validator<'_> {
    pub fn err(&mut self, file: usize, offset: usize, msg: impl Into<String>) -> &mut Diagnostic {
        let d = self.sources[file].diag(offset, msg);
        self.diags.push(d);
        self.diags.last_mut().unwrap()
    }

    /// A problem about a whole file.
    pub fn err_file(&mut self, file: usize, msg: impl Into<String>) -> &mut Diagnostic {
        self.diags
            .push(Diagnostic::file(&self.sources[file].path, msg));
        self.diags.last_mut().unwrap()
    }

    /// One of a fixed set of words (`options`), or `default` if absent.
    pub fn choice<T: Copy>(
        &mut self,
        f: usize,
        v: &Option<S<String>>,
        options: &[(&str, T)],
        default: T,
    ) -> T {
        let Some(v) = v else { return default };
        match options.iter().find(|(n, _)| n == v.get_ref()) {
            Some((_, t)) => *t,
            None => {
                self.err(
                    f,
                    v.span().start,
                    format!("unknown value {:?}", v.get_ref()),
                )
                .hint(format!(
                    "expected one of: {}",
                    list(options.iter().map(|o| o.0), 9)
                ));
                default
            }
        }
    }
}

/// `applies_to = [...]` (groups); absent means all.
pub(super) fn applies_to(
    v: &mut Validator,
    f: usize,
    a: &Option<S<Vec<S<String>>>>,
) -> Option<Vec<String>> {
    let a = a.as_ref()?;
    if a.get_ref().is_empty() {
        v.err(f, a.span().start, "applies_to is empty")
            .hint("list groups, or leave it out for all");
    }
    Some(a.get_ref().iter().map(|g| g.get_ref().clone()).collect())
}

/// The byte offset of an optional spanned value.
pub(super) fn span<T>(x: &Option<S<T>>) -> Option<usize> {
    x.as_ref().map(|s| s.span().start)
}
