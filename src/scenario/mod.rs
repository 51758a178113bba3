//! Scenario files: the on-disk model (`ScenarioFile`), loading with positions, and the rule
//! catalogue. The main type is [`Scenario`]: a file that parsed and validated; a [`Suite`] is a
//! catalogue with its scenarios, as every command loads them.

mod catalogue;
mod load;
mod matcher;
mod model;
mod spanned;
mod suite;

pub use catalogue::{Catalogue, Rule};
pub use load::{Scenario, ScenarioSet, area_of, load_dir, load_file, scenario_schema};
pub use matcher::{JsonType, Matcher};
pub use model::*;
pub use spanned::{At, Pos};
pub use suite::Suite;
