//! govtrust: scores government-integrity (政务诚信) assessments.
//!
//! The pipeline, one module per stage: [`scheme`] (TOML in, checked
//! scheme out), [`data`] (records in, typed and accounted for), [`measure`]
//! (records to one value per unit and indicator), [`score`] (values to
//! attainments, points, totals, ranks and grades), [`report`] (the output
//! files), with [`cli`] as the thin edge.

pub mod calendar;
pub mod cli;
pub mod data;
pub mod generate;
pub mod measure;
pub mod report;
pub mod run;
pub mod scheme;
pub mod score;
