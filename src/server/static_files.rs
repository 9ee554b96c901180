//! The site's static files (the browser bundle, its script, the style sheet, icons).
//!
//! The release build (`cargo leptos build --release --precompress`) leaves a brotli (`.br`,
//! quality 11) and a gzip (`.gz`) copy beside each file; they are served as they are, so a
//! browser downloads the bundle at the size the bundle budget measures, and no request
//! compresses it again. Without them, the compression layer compressed the 700 KB bundle on
//! every fresh load at its on-the-fly quality (brotli 4): 255 KB instead of 207 KB, and
//! about 25 ms of the server's CPU each time.
//!
//! A copy older than its file (a later build without `--precompress`, e.g. `cargo leptos
//! watch`) would serve the old bundle to browsers that accept it, beside the new script: so
//! copies are used only when none is stale, and otherwise every file is served as it is
//! (the compression layer then compresses it).
use std::path::Path;
use std::time::SystemTime;
use tower_http::services::ServeDir;

/// The extensions of the copies the release build writes.
const COPIES: [&str; 2] = ["br", "gz"];

/// Serves the files under `root`, with their precompressed copies when all are fresh.
pub fn site_files(root: &str) -> ServeDir {
    let files = ServeDir::new(root);
    if copies_are_fresh(Path::new(root)) {
        files.precompressed_br().precompressed_gzip()
    } else {
        tracing::warn!(
            root,
            "precompressed copies older than their files: serving the files as they are"
        );
        files
    }
}

/// Whether no `.br` or `.gz` copy under `dir` is older than the file it copies (or copies
/// a file that is gone). A directory that cannot be read holds nothing ServeDir could serve.
pub fn copies_are_fresh(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return true;
    };
    entries.flatten().all(|entry| {
        let path = entry.path();
        if path.is_dir() {
            return copies_are_fresh(&path);
        }
        let is_copy = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| COPIES.contains(&e));
        !is_copy || copy_is_fresh(&path, &path.with_extension(""))
    })
}

/// Whether `copy` changed no earlier than `file`, which must exist.
fn copy_is_fresh(copy: &Path, file: &Path) -> bool {
    match (modified(copy), modified(file)) {
        (Some(copy), Some(file)) => copy >= file,
        _ => false,
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::{Request, header};
    use std::fs::{File, FileTimes};
    use std::time::Duration;
    use tower::ServiceExt;

    fn write(path: &Path, text: &str, at: SystemTime) {
        std::fs::write(path, text).expect("writes a test file");
        let file = File::options()
            .write(true)
            .open(path)
            .expect("opens a test file");
        file.set_times(FileTimes::new().set_modified(at))
            .expect("sets a test file's time");
    }

    /// A site with a style sheet and its brotli copy, the copy `copy_age` older than it.
    fn site(copy_age: Duration) -> tempfile::TempDir {
        let root = tempfile::tempdir().expect("a temporary site");
        let pkg = root.path().join("pkg");
        std::fs::create_dir(&pkg).expect("a pkg folder");
        let now = SystemTime::now();
        write(&pkg.join("app.css"), "body { color: navy }", now);
        write(&pkg.join("app.css.br"), "brotli bytes", now - copy_age);
        root
    }

    async fn fetch(root: &Path) -> (Option<String>, String) {
        let request = Request::get("/pkg/app.css")
            .header(header::ACCEPT_ENCODING, "gzip, deflate, br")
            .body(Body::empty())
            .expect("a request");
        let root = root.to_str().expect("a UTF-8 path");
        let Ok(response) = site_files(root).oneshot(request).await;
        let encoding = response
            .headers()
            .get(header::CONTENT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = axum::body::to_bytes(Body::new(response.into_body()), usize::MAX)
            .await
            .expect("a body");
        (encoding, String::from_utf8_lossy(&body).into_owned())
    }

    #[tokio::test]
    async fn a_fresh_copy_is_served_to_a_browser_that_accepts_it() {
        let root = site(Duration::ZERO);
        assert!(copies_are_fresh(root.path()));
        assert_eq!(
            fetch(root.path()).await,
            (Some("br".to_string()), "brotli bytes".to_string())
        );
    }

    #[tokio::test]
    async fn a_stale_copy_is_never_served() {
        let root = site(Duration::from_secs(60));
        assert!(!copies_are_fresh(root.path()));
        assert_eq!(
            fetch(root.path()).await,
            (None, "body { color: navy }".to_string())
        );
    }

    #[test]
    fn a_copy_of_a_file_that_is_gone_is_stale() {
        let root = site(Duration::ZERO);
        std::fs::remove_file(root.path().join("pkg/app.css")).expect("removes the file");
        assert!(!copies_are_fresh(root.path()));
    }
}
