//! The `covenant` binary: everything lives in the library so tests can start the same app.
fn main() -> std::process::ExitCode {
    covenant::server::cli::main()
}
