//! What the items of later sections (indicators, rules, early warnings)
//! need from earlier ones: the datasets, the grades, the default missing
//! policy, and the expression checker's state.

use std::collections::HashMap;

use polars::prelude::DataFrame;

use super::context::Validator;
use super::datasets::DatasetSpec;
use super::grades::Grade;
use super::header::MissingPolicy;
use crate::diag::{S, list, suggest};

pub(super) struct ItemCtx<'a> {
    pub datasets: &'a Option<Vec<DatasetSpec>>,
    pub grades: &'a Option<Vec<Grade>>,
    pub missing: Option<MissingPolicy>,
    /// Numbers `workdays` placeholder columns across the scheme.
    pub counter: usize,
    /// An empty frame per dataset, to type-check expressions on.
    pub empties: HashMap<usize, DataFrame>,
}

impl ItemCtx<'_> {
    /// The index of dataset `name`, or an error with a suggestion.
    pub fn dataset(&self, v: &mut Validator, f: usize, name: &S<String>) -> Option<usize> {
        let ds = self.datasets.as_ref()?;
        match ds.iter().position(|d| &d.id == name.get_ref()) {
            Some(i) => Some(i),
            None => {
                let d = v.err(
                    f,
                    name.span().start,
                    format!("unknown dataset {:?}", name.get_ref()),
                );
                d.hint = Some(
                    match suggest(name.get_ref(), ds.iter().map(|d| d.id.as_str())) {
                        Some(s) => format!("did you mean {s:?}?"),
                        None => format!("datasets: {}", list(ds.iter().map(|d| &d.id), 12)),
                    },
                );
                None
            }
        }
    }
}
