//! Link tokens (portal invitation, password reset, survey links): 256 random bits sent in
//! the link, of which the database keeps only the SHA-256, so a copy of it opens nothing.
use sha2::{Digest, Sha256};

/// A new token: the text for the link and the hash to store.
pub fn mint() -> (String, String) {
    let text = crate::server::idempotency::new_key();
    let hash = hash_of(&text);
    (text, hash)
}

/// The stored form of a token taken from a link.
pub fn hash_of(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// A link's token is 64 hex digits; anything else is unknown without asking the database.
pub fn is_well_formed(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_256_bits_and_only_its_hash_is_kept() {
        let (text, hash) = mint();
        assert!(is_well_formed(&text), "{text}");
        assert_eq!(hash, hash_of(&text));
        assert_ne!(hash, text);
        let (other, _) = mint();
        assert_ne!(text, other);
        assert!(!is_well_formed(&text[..63]));
        assert!(!is_well_formed(&format!("{}g", &text[..63])));
    }
}
