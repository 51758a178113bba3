//! The newcomer check: the binary, copied away from the checkout (as `cargo install` puts
//! it), runs the whole built-in suite from an empty directory with an empty HOME while the
//! checkout it was built from is hidden (an empty tmpfs mounted over it in a private mount
//! namespace), passes, and leaves both directories empty.

use std::path::PathBuf;
use std::process::Command;

use crate::support::*;

#[test]
fn the_installed_binary_passes_from_an_empty_directory_with_no_clone_in_reach() {
    // Outside the checkout: CARGO_TARGET_TMPDIR would be hidden with it.
    let base = std::env::temp_dir().join(format!("kvc-newcomer-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let (bin_dir, work, home) = (base.join("bin"), base.join("work"), base.join("home"));
    for dir in [&bin_dir, &work, &home] {
        std::fs::create_dir_all(dir).expect("mkdir");
    }
    let installed = bin_dir.join("kvconform");
    std::fs::copy(env!("CARGO_BIN_EXE_kvconform"), &installed).expect("copy the binary");
    let checkout = root();
    // In the namespace: hide the checkout, prove it is gone, then run as a user would.
    let script = r#"mount -t tmpfs none "$1" && test ! -e "$1/Cargo.toml" && echo "checkout hidden" && cd "$2" && exec "$3" run"#;
    let hidden = Command::new("unshare")
        .args([
            "--mount",
            "--propagation",
            "private",
            "sh",
            "-c",
            script,
            "sh",
        ])
        .arg(&checkout)
        .arg(&work)
        .arg(&installed)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", &home)
        .output();
    let output = match hidden {
        Ok(output) if text(&output).contains("checkout hidden") => output,
        // No mount namespace here (not root): the same run, with the checkout in place.
        other => {
            eprintln!("note: cannot hide the checkout ({other:?}); running without hiding it");
            Command::new(&installed)
                .arg("run")
                .current_dir(&work)
                .env_clear()
                .env("PATH", "/usr/bin:/bin")
                .env("HOME", &home)
                .output()
                .expect("run")
        }
    };
    let console = text(&output);
    assert!(output.status.success(), "{console}");
    let builtin = kvconform::scenario::Suite::builtin().expect("built-in suite");
    let passed = format!("{} passed, 0 failed", builtin.set.scenarios.len());
    assert!(console.contains(&passed), "{console}");
    for dir in [&work, &home] {
        let left: Vec<PathBuf> = std::fs::read_dir(dir)
            .expect("readable")
            .flatten()
            .map(|e| e.path())
            .collect();
        assert!(left.is_empty(), "the run wrote {left:?}");
    }
    let _ = std::fs::remove_dir_all(&base);
}
