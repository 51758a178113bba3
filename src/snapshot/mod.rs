//! Snapshots: the normalised response of a step, kept in `<store>/<area>/<id>@<step>.snap` in
//! insta's file format. The main type is [`SnapshotStore`]. Checking is not recording: a
//! plain run only reads (the built-in snapshots, or a user suite's), and writes happen only
//! where a flag says: `--update-snapshots` into the project's own `snapshots/`, `--record DIR`
//! into the user's directory, each file stamped with where and when it was recorded.

mod file;
mod normalise;

pub use file::{FileError, Front, Info, Problem, SnapshotFile, Stamp};
pub use normalise::Redactor;

use std::path::{Path, PathBuf};

use similar::TextDiff;

use crate::builtin::Tree;

/// Where snapshots are read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// The snapshots built into the binary.
    Builtin,
    Dir(PathBuf),
}

/// Where a run writes snapshots, if anywhere.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Writing {
    /// `--update-snapshots`: the project's own store. `review` writes `<name>.snap.new` beside
    /// a differing or missing snapshot for `cargo insta review` (the step still fails);
    /// otherwise the snapshot is overwritten and the step passes.
    Update { dir: PathBuf, review: bool },
    /// `--record DIR`: every answer written to DIR; the verdict still compares with the store.
    Record { dir: PathBuf },
}

#[derive(Clone, Debug)]
pub struct SnapshotStore {
    /// Read in order; the first that has a snapshot wins.
    read: Vec<Source>,
    writing: Option<Writing>,
    /// Stamped on every file written.
    stamp: Stamp,
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

/// `<area>/<id>@<step>.snap`, the step name made file-safe.
pub fn relative_path(scenario: &str, step: &str) -> PathBuf {
    let (area, id) = scenario.split_once("::").unwrap_or(("", scenario));
    let step: String = step
        .chars()
        .map(
            |c| match c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                true => c,
                false => '-',
            },
        )
        .collect();
    Path::new(&area.replace("::", "/")).join(format!("{id}@{step}.snap"))
}

impl SnapshotStore {
    pub fn new(read: Vec<Source>, writing: Option<Writing>, stamp: Stamp) -> SnapshotStore {
        SnapshotStore {
            read,
            writing,
            stamp,
        }
    }

    /// A store that only compares with one directory.
    pub fn compare_with(dir: PathBuf) -> SnapshotStore {
        SnapshotStore::new(vec![Source::Dir(dir)], None, Stamp::default())
    }

    /// Compares one snapshot with the normalised text of a response, and writes it where the
    /// run records.
    pub fn check(&self, key: &SnapshotKey<'_>, actual: &str) -> Result<(), SnapshotError> {
        let relative = relative_path(key.scenario, key.step);
        if let Some(Writing::Update { dir, review: false }) = &self.writing {
            let path = dir.join(&relative);
            let _ = std::fs::remove_file(path.with_extension("snap.new"));
            return self.write(&path, key, actual, false);
        }
        if let Some(Writing::Record { dir }) = &self.writing {
            self.write(&dir.join(&relative), key, actual, true)?;
        }
        let (shown, expected) = self.read(&relative)?;
        let result = compare(&shown, expected.as_deref(), actual);
        match (&self.writing, result) {
            (Some(Writing::Update { dir, .. }), Err(err)) => {
                let pending = dir.join(&relative).with_extension("snap.new");
                let wrote = self.write(&pending, key, actual, false);
                Err(with_hint(err, &review_hint(&pending, wrote)))
            }
            (_, result) => result,
        }
    }

    /// The first source that has the snapshot: (path shown in messages, contents).
    fn read(&self, relative: &Path) -> Result<(String, Option<String>), SnapshotError> {
        let mut shown = None;
        for source in &self.read {
            let (path, text) = match source {
                Source::Builtin => (
                    Tree::Snapshots.label(relative),
                    Tree::Snapshots.text(relative).map(str::to_string),
                ),
                Source::Dir(dir) => (
                    dir.join(relative),
                    std::fs::read_to_string(dir.join(relative)).ok(),
                ),
            };
            let path_text = path.display().to_string();
            if let Some(text) = text {
                let file = SnapshotFile::parse(&path, &text).map_err(|e| SnapshotError::Io {
                    path: path_text.clone(),
                    message: e.to_string(),
                })?;
                return Ok((path_text, Some(file.contents)));
            }
            shown.get_or_insert(path_text);
        }
        Ok((
            shown.unwrap_or_else(|| relative.display().to_string()),
            None,
        ))
    }

    fn write(
        &self,
        path: &Path,
        key: &SnapshotKey<'_>,
        contents: &str,
        recording: bool,
    ) -> Result<(), SnapshotError> {
        let provenance = match recording {
            true => format!("recorded: {}", self.stamp.target),
            false => key.provenance.to_string(),
        };
        let file = SnapshotFile {
            front: Front {
                source: key.source.display().to_string(),
                expression: format!("{} @ {}", key.scenario, key.step),
                info: Info {
                    provenance,
                    declared: recording.then(|| key.provenance.to_string()),
                    api_version: key.api_version.to_string(),
                    committed: None,
                    recorded: Some(self.stamp.clone()),
                },
            },
            contents: contents.to_string(),
        };
        write_file(path, &file.render()).map_err(|e| SnapshotError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })
    }
}

/// Writes a file, creating its folder.
pub fn write_file(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, text)
}

/// Missing, equal (trailing blanks aside) or a unified diff.
fn compare(shown: &str, expected: Option<&str>, actual: &str) -> Result<(), SnapshotError> {
    let hint = "; to keep what this target answered, run with --record DIR".to_string();
    let Some(expected) = expected else {
        return Err(SnapshotError::Missing {
            path: shown.to_string(),
            hint,
        });
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
    Err(SnapshotError::Differs {
        path: shown.to_string(),
        diff,
        hint,
    })
}

fn review_hint(pending: &Path, wrote: Result<(), SnapshotError>) -> String {
    match wrote {
        Ok(()) => format!(
            "; wrote {} (review with `cargo insta review`)",
            pending.display()
        ),
        Err(e) => format!("; could not write the pending snapshot: {e}"),
    }
}

fn with_hint(err: SnapshotError, hint: &str) -> SnapshotError {
    match err {
        SnapshotError::Missing { path, .. } => SnapshotError::Missing {
            path,
            hint: hint.into(),
        },
        SnapshotError::Differs { path, diff, .. } => SnapshotError::Differs {
            path,
            diff,
            hint: hint.into(),
        },
        other => other,
    }
}

/// The snapshot body of a `.snap` file on disk; `None` when absent.
pub fn read_contents(path: &Path) -> Result<Option<String>, FileError> {
    read_file(path).map(|f| f.map(|f| f.contents))
}

/// The provenance recorded in a snapshot file's metadata.
pub fn read_provenance(path: &Path) -> Result<Option<String>, FileError> {
    read_file(path).map(|f| f.map(|f| f.front.info.provenance))
}

fn read_file(path: &Path) -> Result<Option<SnapshotFile>, FileError> {
    match std::fs::read_to_string(path) {
        Ok(text) => SnapshotFile::parse(path, &text).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(FileError::new(path, Problem::Read(e))),
    }
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

    const BODY: &str = "status: 202\nbody:\n{\n  \"a\": 1\n}";

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("kvc-snap-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn updates_compare_and_diff_readably() {
        let dir = temp("update");
        let writing = Writing::Update {
            dir: dir.clone(),
            review: false,
        };
        let store = SnapshotStore::new(
            vec![Source::Dir(dir.clone())],
            Some(writing),
            Stamp::default(),
        );
        store.check(&key(), BODY).unwrap();
        let path = dir.join(relative_path("create::manual", "create it"));
        assert!(path.ends_with("create/manual@create-it.snap"));
        assert_eq!(read_contents(&path).unwrap().unwrap(), BODY);
        // insta reads it too: `cargo insta review` works on this store.
        let insta = insta::Snapshot::from_file(&path).unwrap();
        assert_eq!(insta.contents().as_text().unwrap().to_string(), BODY);
        assert_eq!(
            read_provenance(&path).unwrap().unwrap(),
            "real: FACTS.md §1 (S1, S19)"
        );
        let compare = SnapshotStore::compare_with(dir.clone());
        assert!(compare.check(&key(), BODY).is_ok());
        let text = compare
            .check(&key(), &BODY.replace('1', "2"))
            .unwrap_err()
            .to_string();
        assert!(
            text.contains("-  \"a\": 1") && text.contains("+  \"a\": 2"),
            "{text}"
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn review_mode_writes_pending_files_and_record_mode_stamps_a_copy() {
        let (store_dir, record_dir) = (temp("review"), temp("record"));
        let stamp = Stamp {
            target: "[redacted]".into(),
            date: "2026-12-02T04:00:00Z".into(),
            kvconform: "0.1.0".into(),
        };
        let read = vec![Source::Dir(store_dir.clone())];
        let review = Writing::Update {
            dir: store_dir.clone(),
            review: true,
        };
        let store = SnapshotStore::new(read.clone(), Some(review), stamp.clone());
        let err = store.check(&key(), BODY).unwrap_err().to_string();
        assert!(err.contains("cargo insta review"), "{err}");
        let pending = store_dir.join("create/manual@create-it.snap.new");
        assert_eq!(read_contents(&pending).unwrap().unwrap(), BODY);
        let record = Writing::Record {
            dir: record_dir.clone(),
        };
        let recorder = SnapshotStore::new(read, Some(record), stamp.clone());
        assert!(
            recorder.check(&key(), BODY).is_err(),
            "the verdict still compares"
        );
        let text =
            std::fs::read_to_string(record_dir.join("create/manual@create-it.snap")).unwrap();
        let file = SnapshotFile::parse(Path::new("x"), &text).unwrap();
        assert_eq!(file.front.info.provenance, "recorded: [redacted]");
        assert_eq!(
            file.front.info.declared.as_deref(),
            Some("real: FACTS.md §1 (S1, S19)")
        );
        assert_eq!(file.front.info.recorded, Some(stamp));
        let _ = std::fs::remove_dir_all(store_dir);
        let _ = std::fs::remove_dir_all(record_dir);
    }

    #[test]
    fn every_built_in_snapshot_reads_the_same_through_insta() {
        for (path, bytes) in Tree::Snapshots.files() {
            let text = std::str::from_utf8(bytes).unwrap();
            let ours = SnapshotFile::parse(path, text).unwrap();
            let on_disk = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("snapshots")
                .join(path);
            let insta = insta::Snapshot::from_file(&on_disk).unwrap();
            assert_eq!(
                insta.contents().as_text().unwrap().to_string(),
                ours.contents,
                "{}",
                path.display()
            );
        }
    }
}
