//! The `covenant` binary: everything lives in the library so tests can start the same app.

/// mimalloc instead of glibc's malloc: see Cargo.toml.
#[cfg(feature = "ssr")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    covenant::server::cli::main()
}
