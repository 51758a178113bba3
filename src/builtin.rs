//! The built-in suite, part of the executable: `scenarios/` (with `rules.yaml`),
//! `snapshots/` and `schemas/` as they were when the binary was built. `kvconform run` reads
//! them from here, so it works the same from any directory and after `cargo install` with
//! the clone removed. Every file of the three folders is embedded (`build.rs` makes cargo
//! notice added files); there is no list to maintain. The main type is [`Tree`].

use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};

static SCENARIOS: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/scenarios");
static SNAPSHOTS: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/snapshots");
static SCHEMAS: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/schemas");

/// One of the embedded folders.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tree {
    Scenarios,
    Snapshots,
    Schemas,
}

impl Tree {
    pub const ALL: [Tree; 3] = [Tree::Scenarios, Tree::Snapshots, Tree::Schemas];

    /// The folder's name in the project (and in what `kvconform init` writes).
    pub fn name(self) -> &'static str {
        match self {
            Tree::Scenarios => "scenarios",
            Tree::Snapshots => "snapshots",
            Tree::Schemas => "schemas",
        }
    }

    fn dir(self) -> &'static Dir<'static> {
        match self {
            Tree::Scenarios => &SCENARIOS,
            Tree::Snapshots => &SNAPSHOTS,
            Tree::Schemas => &SCHEMAS,
        }
    }

    /// Every file as (path relative to the folder, contents), sorted by path.
    pub fn files(self) -> Vec<(&'static Path, &'static [u8])> {
        let mut out = Vec::new();
        collect(self.dir(), &mut out);
        out.sort_by_key(|(path, _)| *path);
        out
    }

    /// One file's text, by path relative to the folder.
    pub fn text(self, relative: &Path) -> Option<&'static str> {
        self.dir().get_file(relative)?.contents_utf8()
    }

    /// How a file of this folder is named in messages: `scenarios/get/in-progress.yaml`, as in
    /// the project (the checkout it was built from may be gone).
    pub fn label(self, relative: &Path) -> PathBuf {
        Path::new(self.name()).join(relative)
    }
}

fn collect(dir: &'static Dir<'static>, out: &mut Vec<(&'static Path, &'static [u8])>) {
    for file in dir.files() {
        out.push((file.path(), file.contents()));
    }
    for sub in dir.dirs() {
        collect(sub, out);
    }
}

/// The project checkout the binary was built from, when it is still there (a maintainer's
/// clone): the only place `--update-snapshots` writes to.
pub fn checkout() -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let is_checkout = root.join("Cargo.toml").is_file() && root.join("snapshots").is_dir();
    is_checkout.then_some(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The binary embeds exactly the files of the checkout it was built from.
    #[test]
    fn every_file_on_disk_is_embedded_and_nothing_else() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        for tree in Tree::ALL {
            let mut on_disk = Vec::new();
            walk(
                &root.join(tree.name()),
                &root.join(tree.name()),
                &mut on_disk,
            );
            on_disk.sort();
            let embedded: Vec<PathBuf> =
                tree.files().iter().map(|(p, _)| p.to_path_buf()).collect();
            assert_eq!(embedded, on_disk, "{}", tree.name());
            for (path, contents) in tree.files() {
                let disk = std::fs::read(root.join(tree.name()).join(path)).expect("readable");
                assert_eq!(contents, disk.as_slice(), "{}", path.display());
            }
        }
        assert!(Tree::Scenarios.text(Path::new("rules.yaml")).is_some());
    }

    fn walk(base: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("readable").flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                out.push(path.strip_prefix(base).expect("under base").to_path_buf());
            }
        }
    }
}
