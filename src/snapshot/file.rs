//! The snapshot file: insta's format (YAML front matter between `---` lines, then the
//! contents), so `cargo insta review` reads what kvconform writes. The front matter carries
//! the provenance in machine-readable fields: what the expectation rests on (`provenance`),
//! the api-version and, for anything kvconform recorded, where and when (`recorded`).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// A snapshot file that cannot be read or is not in insta's format, with its path.
#[derive(Debug, thiserror::Error)]
#[error("{}: {problem}", path.display())]
pub struct FileError {
    pub path: PathBuf,
    pub problem: Problem,
}

/// What is wrong with a snapshot file.
#[derive(Debug, thiserror::Error)]
pub enum Problem {
    #[error("no `---` front matter")]
    NoFrontMatter,
    #[error("front matter not closed by `---`")]
    Unclosed,
    #[error("front matter: {0}")]
    FrontMatter(Box<serde_saphyr::Error>),
    #[error("{0}")]
    Read(std::io::Error),
}

impl FileError {
    pub fn new(path: &Path, problem: Problem) -> FileError {
        FileError {
            path: path.to_path_buf(),
            problem,
        }
    }
}

/// The front matter of a snapshot file.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct Front {
    /// The scenario file.
    pub source: String,
    /// `area::id @ step`.
    pub expression: String,
    pub info: Info,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct Info {
    /// What the expectation rests on: the scenario's `snapshot:` (`real: …`, `doc: …`,
    /// `reference-vault: …`), or `recorded: <target>` in a `--record` directory.
    pub provenance: String,
    /// In a `--record` directory: the scenario's own provenance of this step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared: Option<String>,
    pub api_version: String,
    /// For snapshots committed before recordings were stamped: the day they entered the
    /// repository (from git).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub committed: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded: Option<Stamp>,
}

/// Where and when kvconform recorded an answer.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
pub struct Stamp {
    /// The target's host (`host:port`), `[redacted]` with `--redact-host`, or `embedded
    /// reference vault`.
    pub target: String,
    /// UTC, RFC 3339.
    pub date: String,
    /// The kvconform version that recorded it.
    pub kvconform: String,
}

impl Front {
    /// The date shown by `kvconform snapshots`: when recorded, else when committed.
    pub fn date(&self) -> Option<&str> {
        let recorded = self.info.recorded.as_ref().map(|s| s.date.as_str());
        recorded.or(self.info.committed.as_deref())
    }
}

/// A whole snapshot file.
#[derive(Clone, Debug, PartialEq)]
pub struct SnapshotFile {
    pub front: Front,
    pub contents: String,
}

impl SnapshotFile {
    /// Parses a snapshot file's text (`file` only for messages).
    pub fn parse(file: &Path, text: &str) -> Result<SnapshotFile, FileError> {
        let error = |problem| FileError::new(file, problem);
        let rest = text
            .strip_prefix("---\n")
            .ok_or_else(|| error(Problem::NoFrontMatter))?;
        let end = rest
            .find("\n---\n")
            .ok_or_else(|| error(Problem::Unclosed))?;
        let front: Front = serde_saphyr::from_str(&rest[..end + 1])
            .map_err(|e| error(Problem::FrontMatter(Box::new(e))))?;
        let contents = rest[end + 5..].trim_end().to_string();
        Ok(SnapshotFile { front, contents })
    }

    /// The file's text, as insta writes it.
    pub fn render(&self) -> String {
        let quote = |s: &str| serde_json::to_string(s).unwrap_or_default();
        let info = &self.front.info;
        let mut out = format!(
            "---\nsource: {}\nexpression: {}\ninfo:\n  provenance: {}\n",
            quote(&self.front.source),
            quote(&self.front.expression),
            quote(&info.provenance),
        );
        if let Some(declared) = &info.declared {
            out.push_str(&format!("  declared: {}\n", quote(declared)));
        }
        out.push_str(&format!("  api_version: {}\n", quote(&info.api_version)));
        if let Some(committed) = &info.committed {
            out.push_str(&format!("  committed: {}\n", quote(committed)));
        }
        if let Some(stamp) = &info.recorded {
            out.push_str(&format!(
                "  recorded:\n    target: {}\n    date: {}\n    kvconform: {}\n",
                quote(&stamp.target),
                quote(&stamp.date),
                quote(&stamp.kvconform)
            ));
        }
        out.push_str(&format!("---\n{}\n", self.contents.trim_end()));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stamped_file_round_trips_and_insta_reads_it() {
        let file = SnapshotFile {
            front: Front {
                source: "scenarios/get/in-progress.yaml".into(),
                expression: "get::in-progress @ get pending".into(),
                info: Info {
                    provenance: "recorded: myvault.vault.azure.net".into(),
                    declared: Some("real: FACTS.md §3".into()),
                    api_version: "2025-07-01".into(),
                    committed: None,
                    recorded: Some(Stamp {
                        target: "myvault.vault.azure.net".into(),
                        date: "2026-12-02T04:00:00Z".into(),
                        kvconform: "0.1.0".into(),
                    }),
                },
            },
            contents: "status: 200\nbody:\n{\n  \"a\": 1\n}".into(),
        };
        let text = file.render();
        assert_eq!(SnapshotFile::parse(Path::new("x"), &text).unwrap(), file);
        let dir = std::env::temp_dir().join(format!("kvc-snapfile-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("x.snap");
        std::fs::write(&path, &text).unwrap();
        let insta = insta::Snapshot::from_file(&path).unwrap();
        assert_eq!(
            insta.contents().as_text().unwrap().to_string(),
            file.contents
        );
        assert_eq!(
            insta.metadata().source(),
            Some("scenarios/get/in-progress.yaml")
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
