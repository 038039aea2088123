//! Statistical audit of an assessment: how firm each rank is (Monte Carlo
//! uncertainty and variance-based sensitivity), small-sample intervals,
//! early warnings (预警), and the scheme's internal consistency.

pub mod audit;
pub mod intervals;
pub mod ranks;
pub mod signals;
pub mod sobol;
pub mod stats;
pub mod uncertainty;
