//! Files below a folder, at any depth, for the commands that take a user's folder
//! (`kvconform validate DIR`, `kvconform snapshots --dir DIR`). A folder that cannot be read
//! is an error, never skipped.

use std::path::{Path, PathBuf};

/// A folder or file that cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot read {}: {source}", path.display())]
pub struct CannotRead {
    pub path: PathBuf,
    pub source: std::io::Error,
}

impl CannotRead {
    pub fn new(path: &Path, source: std::io::Error) -> CannotRead {
        CannotRead {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Every file below `dir` that `keep` accepts, sorted.
pub fn files_below(dir: &Path, keep: impl Fn(&Path) -> bool) -> Result<Vec<PathBuf>, CannotRead> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        let entries = std::fs::read_dir(&current).map_err(|e| CannotRead::new(&current, e))?;
        for entry in entries {
            let path = entry.map_err(|e| CannotRead::new(&current, e))?.path();
            if path.is_dir() {
                pending.push(path);
            } else if keep(&path) {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_at_any_depth_sorted_and_an_unreadable_folder_is_an_error() {
        let dir = std::env::temp_dir().join(format!("kvconform-walk-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("b/c")).unwrap();
        for file in ["b/c/x.yaml", "a.yaml", "b/note.txt"] {
            std::fs::write(dir.join(file), "").unwrap();
        }
        let yaml = |p: &Path| p.extension().is_some_and(|e| e == "yaml");
        let found = files_below(&dir, yaml).unwrap();
        assert_eq!(found, [dir.join("a.yaml"), dir.join("b/c/x.yaml")]);
        let missing = files_below(&dir.join("nope"), yaml).unwrap_err();
        assert!(missing.to_string().starts_with("cannot read "), "{missing}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
