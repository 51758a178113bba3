//! Renderers of a finished run: the JSON report (a stable contract), the console summary,
//! JUnit, HAR and the Markdown matrix of several reports. They return strings or write
//! files; the runner never prints.

mod findings;
mod har;
mod json;
mod junit;
pub mod matrix;
pub mod peers;
mod propose;
mod summary;
mod versions;

pub use findings::{Finding, findings};
pub use har::{render_har, write_har};
pub use json::{JsonReport, now_rfc3339, write_json};
pub use junit::{render_junit, write_junit};
pub use propose::{Measured, propose};
pub use summary::{Summary, render_summary, render_unverified};
pub use versions::{by_version, render_versions};
