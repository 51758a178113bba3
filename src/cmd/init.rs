//! `kvconform init DIR`: the built-in suite written out (scenarios/, snapshots/, schemas/) as
//! the start of one's own; `kvconform run --scenarios DIR` runs it. Existing files are never
//! overwritten without `--force`.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::builtin::Tree;
use crate::cli::InitArgs;
use crate::exit;

/// Files named in the refusal before `+N more`.
const SHOWN: usize = 5;

pub fn init(args: &InitArgs) -> ExitCode {
    let files: Vec<(PathBuf, &[u8])> = Tree::ALL
        .into_iter()
        .flat_map(|tree| {
            (tree.files().into_iter())
                .map(move |(path, bytes)| (args.dir.join(tree.label(path)), bytes))
        })
        .collect();
    let existing: Vec<String> = (files.iter())
        .filter(|(path, _)| path.exists())
        .map(|(path, _)| path.display().to_string())
        .collect();
    if !existing.is_empty() && !args.force {
        let more = existing.len().saturating_sub(SHOWN);
        let mut list = existing[..existing.len().min(SHOWN)].join(", ");
        if more > 0 {
            list.push_str(&format!(" +{more} more"));
        }
        let message = format!(
            "{} file(s) already exist ({list}); nothing written (--force overwrites them)",
            existing.len()
        );
        return super::fail(exit::USAGE, &message);
    }
    for (path, bytes) in &files {
        let written = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(path, bytes));
        if let Err(e) = written {
            return super::fail(exit::USAGE, format!("cannot write {}: {e}", path.display()));
        }
    }
    let _ = writeln!(
        std::io::stdout(),
        "wrote the built-in suite ({} files) into {}\nrun it with: kvconform run --scenarios {}",
        files.len(),
        args.dir.display(),
        args.dir.display()
    );
    ExitCode::from(exit::SUCCESS)
}
