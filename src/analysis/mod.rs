//! Statistical audit of an assessment: how firm each rank is (Monte Carlo
//! uncertainty and variance-based sensitivity), small-sample intervals,
//! early warnings, the scheme's internal consistency, and data-driven
//! weights.

pub mod audit;
pub mod intervals;
pub mod sobol;
pub mod uncertainty;
pub mod warnings;
pub mod weights;
