//! The built-in suite (`scenarios/`, `snapshots/`, `schemas/`) is embedded with `include_dir!`
//! (see `src/builtin.rs`). That macro reads each file through `include_bytes!`, so cargo sees
//! an edited file, but on stable Rust it cannot tell cargo about a file that was *added*:
//! watching the three folders here makes a new scenario or snapshot rebuild the binary, with
//! no list of files to maintain.

fn main() {
    for dir in ["scenarios", "snapshots", "schemas"] {
        println!("cargo:rerun-if-changed={dir}");
    }
}
