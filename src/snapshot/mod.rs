//! Snapshots: the normalised response of a step, kept in `snapshots/<area>/<id>@<step>.snap`
//! in insta's file format (so `cargo insta review` works on the `.snap.new` files written on
//! a mismatch). Snapshots hold the service contract; each records its provenance and the
//! api-version. The main type is [`SnapshotStore`].

mod normalise;

pub use normalise::Redactor;

use std::path::{Path, PathBuf};

use similar::TextDiff;

/// What to do with a snapshot that differs or is missing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SnapshotMode {
    /// Compare; on a mismatch write `<name>.snap.new` for review (never in CI).
    Compare,
    /// `--update-snapshots`: overwrite `<name>.snap` with what the target answered.
    Update,
    /// Compare only, never write (CI, or a non-service oracle).
    CompareOnly,
}

#[derive(Clone, Debug)]
pub struct SnapshotStore {
    root: PathBuf,
    mode: SnapshotMode,
}

/// A snapshot that does not match, with a readable diff.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("snapshot {path} does not exist{hint}")]
    Missing { path: String, hint: String },
    #[error("snapshot {path} differs (- snapshot, + actual){hint}:\n{diff}")]
    Differs {
        path: String,
        diff: String,
        hint: String,
    },
    #[error("snapshot {path}: {message}")]
    Io { path: String, message: String },
}

/// One snapshot's identity and metadata.
pub struct SnapshotKey<'a> {
    /// `area::id` of the scenario.
    pub scenario: &'a str,
    pub step: &'a str,
    /// The scenario file, recorded as `source`.
    pub source: &'a Path,
    pub provenance: &'a str,
    pub api_version: &'a str,
}

impl SnapshotStore {
    /// The store under `root`, in the mode the run configuration decided (CI never writes:
    /// see `harness::RunConfig`).
    pub fn new(root: PathBuf, mode: SnapshotMode) -> SnapshotStore {
        SnapshotStore { root, mode }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `snapshots/<area>/<id>@<step>.snap`, the step name made file-safe.
    pub fn path_for(&self, scenario: &str, step: &str) -> PathBuf {
        let (area, id) = scenario.split_once("::").unwrap_or(("", scenario));
        let step: String = step
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        self.root
            .join(area.replace("::", "/"))
            .join(format!("{id}@{step}.snap"))
    }

    /// Compares (or updates) one snapshot with the normalised text of a response.
    pub fn check(&self, key: &SnapshotKey<'_>, actual: &str) -> Result<(), SnapshotError> {
        let path = self.path_for(key.scenario, key.step);
        let shown = path.display().to_string();
        if self.mode == SnapshotMode::Update {
            let _ = std::fs::remove_file(path.with_extension("snap.new"));
            return write(&path, key, actual).map_err(|message| SnapshotError::Io {
                path: shown,
                message,
            });
        }
        let expected = match read_contents(&path) {
            Ok(Some(text)) => text,
            Ok(None) => {
                let hint = self.write_pending(&path, key, actual);
                return Err(SnapshotError::Missing { path: shown, hint });
            }
            Err(message) => {
                return Err(SnapshotError::Io {
                    path: shown,
                    message,
                });
            }
        };
        if expected.trim_end() == actual.trim_end() {
            return Ok(());
        }
        let (expected, actual) = (
            format!("{}\n", expected.trim_end()),
            format!("{}\n", actual.trim_end()),
        );
        let diff = TextDiff::from_lines(&expected, &actual)
            .unified_diff()
            .context_radius(3)
            .to_string();
        let hint = self.write_pending(&path, key, &actual);
        Err(SnapshotError::Differs {
            path: shown,
            diff,
            hint,
        })
    }

    /// Writes `.snap.new` for `cargo insta review` when allowed; says what it did.
    fn write_pending(&self, path: &Path, key: &SnapshotKey<'_>, actual: &str) -> String {
        if self.mode != SnapshotMode::Compare {
            return "; run `kvconform run --update-snapshots` to record it".into();
        }
        let pending = path.with_extension("snap.new");
        match write(&pending, key, actual) {
            Ok(()) => format!(
                "; wrote {} (review with `cargo insta review`, or `kvconform run --update-snapshots`)",
                pending.display()
            ),
            Err(e) => format!("; could not write {}: {e}", pending.display()),
        }
    }
}

/// The snapshot body of a `.snap` file, via insta's own reader; `None` when absent.
pub fn read_contents(path: &Path) -> Result<Option<String>, String> {
    if !path.exists() {
        return Ok(None);
    }
    let snapshot = insta::Snapshot::from_file(path).map_err(|e| e.to_string())?;
    let text = snapshot
        .contents()
        .as_text()
        .ok_or("not a text snapshot")?
        .to_string();
    Ok(Some(text))
}

/// The provenance recorded in a snapshot file's metadata.
pub fn read_provenance(path: &Path) -> Result<Option<String>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    Ok(text
        .lines()
        .take_while(|l| *l != "body:")
        .find_map(|l| l.trim().strip_prefix("provenance: ").map(unquote)))
}

fn unquote(v: &str) -> String {
    serde_json::from_str::<String>(v).unwrap_or_else(|_| v.to_string())
}

/// Writes a snapshot in insta's format: YAML front matter, then the contents.
fn write(path: &Path, key: &SnapshotKey<'_>, contents: &str) -> Result<(), String> {
    let quote = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let header = format!(
        "---\nsource: {}\nexpression: {}\ninfo:\n  provenance: {}\n  api_version: {}\n---\n",
        quote(&key.source.display().to_string()),
        quote(&format!("{} @ {}", key.scenario, key.step)),
        quote(key.provenance),
        quote(key.api_version),
    );
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    }
    std::fs::write(path, format!("{header}{}\n", contents.trim_end())).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SnapshotKey<'static> {
        SnapshotKey {
            scenario: "create::manual",
            step: "create it",
            source: Path::new("scenarios/create/manual.yaml"),
            provenance: "real: FACTS.md §1 (S1, S19)",
            api_version: "2025-07-01",
        }
    }

    #[test]
    fn round_trips_through_insta_and_diffs_readably() {
        let dir = std::env::temp_dir().join(format!("kvc-snap-{}", std::process::id()));
        let store = SnapshotStore::new(dir.clone(), SnapshotMode::Update);
        store
            .check(&key(), "status: 202\nbody:\n{\n  \"a\": 1\n}")
            .unwrap();
        let path = store.path_for("create::manual", "create it");
        assert!(path.ends_with("create/manual@create-it.snap"));
        assert_eq!(
            read_contents(&path).unwrap().unwrap(),
            "status: 202\nbody:\n{\n  \"a\": 1\n}"
        );
        assert_eq!(
            read_provenance(&path).unwrap().unwrap(),
            "real: FACTS.md §1 (S1, S19)"
        );
        let compare = SnapshotStore::new(dir.clone(), SnapshotMode::CompareOnly);
        assert!(
            compare
                .check(&key(), "status: 202\nbody:\n{\n  \"a\": 1\n}")
                .is_ok()
        );
        let err = compare
            .check(&key(), "status: 202\nbody:\n{\n  \"a\": 2\n}")
            .unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("-  \"a\": 1") && text.contains("+  \"a\": 2"),
            "{text}"
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
