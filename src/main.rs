//! The `kvconform` binary: everything lives in the library.

fn main() -> std::process::ExitCode {
    restore_sigpipe();
    kvconform::cmd::main()
}

/// Rust ignores SIGPIPE, so `kvconform list | head` would make libtest's printer panic on
/// the closed pipe; a command-line tool should just stop, as `cat` does.
fn restore_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in `main`, before any thread exists; SIG_DFL is a valid
    // disposition for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
