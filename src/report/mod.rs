//! Renderers of a finished run: the JSON report (a stable contract) and the console summary.
//! They return strings or write files; the runner never prints.

mod json;
mod summary;

pub use json::{JsonReport, write_json};
pub use summary::{Summary, render_summary};
