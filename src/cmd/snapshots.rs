//! `kvconform snapshots`: every snapshot of a store with its provenance and date, oldest
//! first (undated ones before all), so stale recordings are visible.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::builtin::Tree;
use crate::cli::SnapshotsArgs;
use crate::exit;
use crate::scenario::{SuiteSpec, snapshot_folder};
use crate::snapshot::{Front, SnapshotFile};
use crate::walk::CannotRead;

pub fn snapshots(args: &SnapshotsArgs) -> ExitCode {
    let dir = match (&args.snapshots, args.dir.spec()) {
        (Some(dir), _) => Some(dir.clone()),
        (None, SuiteSpec::Builtin) => None,
        (None, SuiteSpec::Dir(d) | SuiteSpec::BuiltinAnd(d)) => Some(snapshot_folder(&d)),
    };
    let (label, files) = match &dir {
        None => ("the built-in snapshots".to_string(), builtin_files()),
        Some(dir) => match dir_files(dir) {
            Ok(files) => (dir.display().to_string(), files),
            Err(e) => return super::fail(exit::USAGE, &e),
        },
    };
    let mut rows = Vec::new();
    for (name, text) in files {
        match SnapshotFile::parse(&name, &text) {
            Ok(file) => rows.push((name, file.front)),
            Err(e) => return super::fail(exit::USAGE, &e),
        }
    }
    rows.sort_by(|a, b| (a.1.date(), &a.0).cmp(&(b.1.date(), &b.0)));
    let _ = write!(std::io::stdout(), "{}", render(&label, &rows));
    ExitCode::from(exit::SUCCESS)
}

/// `date  recorded from  api-version  snapshot  provenance`, one line each, aligned.
fn render(label: &str, rows: &[(PathBuf, Front)]) -> String {
    let cells: Vec<[String; 5]> = rows
        .iter()
        .map(|(name, front)| {
            let from = match (&front.info.recorded, &front.info.committed) {
                (Some(stamp), _) => format!("{} (kvconform {})", stamp.target, stamp.kvconform),
                (None, Some(_)) => "committed".to_string(),
                (None, None) => "-".to_string(),
            };
            [
                front.date().unwrap_or("undated").to_string(),
                from,
                front.info.api_version.clone(),
                name.with_extension("").display().to_string(),
                front.info.provenance.clone(),
            ]
        })
        .collect();
    let header = [
        "date",
        "recorded from",
        "api-version",
        "snapshot",
        "provenance",
    ]
    .map(String::from);
    let mut widths = [0; 5];
    for row in cells.iter().chain([&header]) {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = format!("{} snapshot(s) in {label}, oldest first\n", rows.len());
    for row in [&header].into_iter().chain(&cells) {
        let line: Vec<String> = (row.iter().zip(widths))
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        let _ = writeln!(out, "{}", line.join("  ").trim_end());
    }
    out
}

fn builtin_files() -> Vec<(PathBuf, String)> {
    (Tree::Snapshots.files().into_iter())
        .filter(|(path, _)| is_snap(path))
        .map(|(path, bytes)| {
            (
                path.to_path_buf(),
                String::from_utf8_lossy(bytes).into_owned(),
            )
        })
        .collect()
}

fn is_snap(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "snap")
}

/// Every `*.snap` below `dir`, named relative to it.
fn dir_files(dir: &Path) -> Result<Vec<(PathBuf, String)>, CannotRead> {
    let mut out = Vec::new();
    for path in crate::walk::files_below(dir, is_snap)? {
        let text = std::fs::read_to_string(&path).map_err(|e| CannotRead::new(&path, e))?;
        let name = path.strip_prefix(dir).unwrap_or(&path).to_path_buf();
        out.push((name, text));
    }
    Ok(out)
}
