//! Idempotency keys: a form carries a key minted when it was rendered; the first result of a
//! key is stored with the change (same transaction) and a repeat gets that result back.
use super::db::Tx;
use crate::with_tx;
use chrono::{DateTime, Utc};
use serde::{Serialize, de::DeserializeOwned};

/// A fresh key for a form (256 random bits, hex).
pub fn new_key() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Keys are short opaque strings; anything else is refused before it reaches the database.
pub fn is_well_formed(key: &str) -> bool {
    (16..=128).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// The stored key of `key` used for `purpose`: a key replays only the kind of change it
/// was first used for, never another form's result.
fn scoped(purpose: &str, key: &str) -> String {
    format!("{purpose}:{key}")
}

/// The stored first result of `key` for `user_id` and `purpose`, if it was used before.
pub async fn replay<T: DeserializeOwned>(
    tx: &mut Tx,
    user_id: i64,
    purpose: &str,
    key: &str,
) -> Result<Option<T>, sqlx::Error> {
    let key = scoped(purpose, key);
    let stored: Option<String> = with_tx!(tx, c => sqlx::query_scalar(
        "SELECT response FROM idempotency_keys WHERE user_id = $1 AND key = $2",
    )
    .bind(user_id)
    .bind(&key)
    .fetch_optional(c)
    .await)?;
    Ok(stored.and_then(|json| serde_json::from_str(&json).ok()))
}

/// Stores the first result of `key` for `purpose`, in the transaction that made the change.
pub async fn remember<T: Serialize>(
    tx: &mut Tx,
    user_id: i64,
    purpose: &str,
    key: &str,
    response: &T,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let key = scoped(purpose, key);
    let json = serde_json::to_string(response).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    with_tx!(tx, c => sqlx::query(
        "INSERT INTO idempotency_keys (user_id, key, response, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(user_id)
    .bind(&key)
    .bind(json)
    .bind(now)
    .execute(c)
    .await.map(|r| r.rows_affected()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minted_keys_are_well_formed_and_distinct() {
        let a = new_key();
        assert!(is_well_formed(&a));
        assert_ne!(a, new_key());
        assert!(!is_well_formed("short"));
        assert!(!is_well_formed("'; DROP TABLE users; --aaaaaaaaaa"));
    }
}
