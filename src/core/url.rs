//! Building query strings for links (filters live in the URL, DESIGN §3).

/// Percent-encodes everything but the unreserved characters of RFC 3986.
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

/// `?a=1&b=x%20y` from the non-empty pairs, or an empty string when there are none.
pub fn query(pairs: &[(&str, String)]) -> String {
    let parts: Vec<String> = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_chinese_and_reserved_characters() {
        assert_eq!(encode("王 伟&x=1"), "%E7%8E%8B%20%E4%BC%9F%26x%3D1");
        assert_eq!(
            query(&[
                ("q", "a b".into()),
                ("stage", String::new()),
                ("kind", "investor".into())
            ]),
            "?q=a%20b&kind=investor"
        );
        assert_eq!(query(&[("q", String::new())]), "");
    }
}
