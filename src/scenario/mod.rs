//! Scenario files: the on-disk model (`ScenarioFile`, read only by `load`), loading with
//! positions, and the rule catalogue. The main type is [`Scenario`] (`valid.rs`): a file that
//! parsed and validated, each step of one [`StepKind`]; a [`Suite`] is a catalogue with its
//! scenarios, as every command loads them.

mod catalogue;
mod load;
mod matcher;
mod model;
mod spanned;
mod suite;
mod valid;

pub use catalogue::{Catalogue, Rule};
pub(crate) use load::is_scenario_file;
pub use load::{ScenarioSet, area_of, load_dir, load_file, scenario_schema};
pub use matcher::{JsonType, Matcher, MatcherError};
pub use model::*;
pub use spanned::{At, Pos};
pub use suite::{Suite, SuiteSpec, scenario_folder, snapshot_folder};
pub use valid::{Scenario, Step, StepKind};
