//! argon2id hashing, always off the async runtime (a hash takes tens of milliseconds of CPU).
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use std::sync::OnceLock;

/// A password hash. Deliberately not `Serialize`, so it can never be sent to a browser.
#[derive(Clone)]
pub struct PasswordHashString(pub String);

impl std::fmt::Debug for PasswordHashString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHashString(…)")
    }
}

fn hash_blocking(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

fn verify_blocking(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Hashes `password` with argon2id on a blocking thread.
pub async fn hash(password: String) -> Result<PasswordHashString, String> {
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || span.in_scope(|| hash_blocking(&password)))
        .await
        .map_err(|e| e.to_string())?
        .map(PasswordHashString)
}

/// Checks `password` against `hash` on a blocking thread. With no hash (unknown user) it
/// still spends the same time on a dummy hash, so response times do not reveal accounts.
pub async fn verify(password: String, hash: Option<String>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || {
        span.in_scope(|| match hash {
            Some(hash) => verify_blocking(&password, &hash),
            None => {
                let dummy =
                    DUMMY.get_or_init(|| hash_blocking("dummy password").unwrap_or_default());
                let _ = verify_blocking(&password, dummy);
                false
            }
        })
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let hash = hash("长城-项目融资-2026".into()).await.expect("hashes");
        assert!(hash.0.starts_with("$argon2id$"));
        assert!(verify("长城-项目融资-2026".into(), Some(hash.0.clone())).await);
        assert!(!verify("wrong password".into(), Some(hash.0)).await);
        assert!(!verify("anything".into(), None).await);
    }
}
