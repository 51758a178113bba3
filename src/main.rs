//! The `kvconform` binary: everything lives in the library.

fn main() -> std::process::ExitCode {
    kvconform::app::main()
}
