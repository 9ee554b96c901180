//! Small pure helpers shared by the validation rules of every area's forms. Field messages
//! are collected (not returned one at a time) so a form shows all its problems at once.
use crate::core::error::FieldError;

/// The trimmed text, or `None` when nothing was typed.
pub fn optional(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// A code from a closed list; an unknown one is "choose one of the options" at `field`.
pub fn code<T>(
    value: &str,
    parse: fn(&str) -> Option<T>,
    field: &str,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    let parsed = parse(value.trim());
    if parsed.is_none() {
        errors.push(FieldError::new(field, "form.choose_one"));
    }
    parsed
}

/// An optional code from a closed list: nothing typed is `None`; anything else must be
/// one of the codes (as `code`).
pub fn optional_code<T>(
    value: &str,
    parse: fn(&str) -> Option<T>,
    field: &str,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    if value.trim().is_empty() {
        None
    } else {
        code(value, parse, field, errors)
    }
}

/// An optional tenor in months (1–600).
pub fn months(value: &str, field: &str, errors: &mut Vec<FieldError>) -> Option<i64> {
    match value.trim() {
        "" => None,
        t => match t.parse::<i64>() {
            Ok(m) if (1..=600).contains(&m) => Some(m),
            _ => {
                errors.push(FieldError::new(field, "client.tenor_invalid"));
                None
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers_collect_messages() {
        let mut errors = Vec::new();
        assert_eq!(optional("  x "), Some("x".to_string()));
        assert_eq!(optional("   "), None);
        assert_eq!(
            code("b", |c| (c == "a").then_some(1), "f", &mut errors),
            None
        );
        assert_eq!(months("720", "tenor", &mut errors), None);
        assert_eq!(months("", "tenor", &mut errors), None);
        assert_eq!(months("60", "tenor", &mut errors), Some(60));
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["f", "tenor"]);
    }
}
