//! Shared types and pure rules of investor questions: a question (about a project or in
//! general) with a thread of messages, answered by staff from a queue.
use crate::core::error::FieldError;
use serde::{Deserialize, Serialize};

pub const MAX_SUBJECT_CHARS: usize = 200;
pub const MAX_MESSAGE_CHARS: usize = 5_000;

crate::code_enum!(QuestionStatus, "question_status", {
    Open => "open", Answered => "answered",
});

/// The ask form as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct QuestionForm {
    pub subject: String,
    pub body: String,
    /// A project id, or empty for a general question.
    pub project: String,
    /// The investor entity (client id) asking; empty when the investor acts for one only.
    pub entity: String,
    pub form_key: String,
}

impl QuestionForm {
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> QuestionForm {
        let mut form = QuestionForm::default();
        for (name, value) in pairs {
            let field = match name {
                "subject" => &mut form.subject,
                "body" => &mut form.body,
                "project" => &mut form.project,
                "entity" => &mut form.entity,
                "form_key" => &mut form.form_key,
                _ => continue,
            };
            *field = value.to_string();
        }
        form
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ValidQuestion {
    pub subject: String,
    pub body: String,
    pub project: Option<i64>,
    pub entity: Option<i64>,
}

fn bounded(value: &str, field: &str, max: usize, errors: &mut Vec<FieldError>) -> String {
    let text = value.trim();
    if text.is_empty() {
        errors.push(FieldError::new(field, "form.required"));
    } else if text.chars().count() > max {
        errors.push(FieldError::new(field, "form.too_long"));
    }
    text.to_string()
}

fn optional_id(value: &str, field: &str, errors: &mut Vec<FieldError>) -> Option<i64> {
    match value.trim() {
        "" => None,
        text => match text.parse::<i64>() {
            Ok(id) if id > 0 => Some(id),
            _ => {
                errors.push(FieldError::new(field, "form.choose_one"));
                None
            }
        },
    }
}

pub fn validate_question(form: &QuestionForm) -> Result<ValidQuestion, Vec<FieldError>> {
    let mut errors = Vec::new();
    let subject = bounded(&form.subject, "subject", MAX_SUBJECT_CHARS, &mut errors);
    let body = bounded(&form.body, "body", MAX_MESSAGE_CHARS, &mut errors);
    let project = optional_id(&form.project, "project", &mut errors);
    let entity = optional_id(&form.entity, "entity", &mut errors);
    if errors.is_empty() {
        Ok(ValidQuestion {
            subject,
            body,
            project,
            entity,
        })
    } else {
        Err(errors)
    }
}

/// A reply or an answer: its text, trimmed, 1 to 5,000 characters.
pub fn validate_message(body: &str) -> Result<String, Vec<FieldError>> {
    let mut errors = Vec::new();
    let text = bounded(body, "body", MAX_MESSAGE_CHARS, &mut errors);
    if errors.is_empty() {
        Ok(text)
    } else {
        Err(errors)
    }
}

/// A question in a list (the investor's own, or the staff queue).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuestionRow {
    pub id: i64,
    pub subject: String,
    pub project_name: Option<String>,
    pub status: Option<QuestionStatus>,
    /// Formatted in the viewer's time zone.
    pub asked_at: String,
    /// For the investor: an answer they have not opened yet.
    pub unread: bool,
    /// For staff: who asked, and for which entity.
    pub asker: Option<String>,
    pub entity: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuestionPage {
    pub items: Vec<QuestionRow>,
    pub next: Option<i64>,
}

/// One message of a thread.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MessageView {
    pub from_staff: bool,
    pub author: String,
    pub body: String,
    pub at: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuestionThread {
    pub id: i64,
    pub subject: String,
    pub project_name: Option<String>,
    pub entity: String,
    pub asker: String,
    pub status: Option<QuestionStatus>,
    pub messages: Vec<MessageView>,
    /// Staff: whether the viewer may answer (they may edit the entity's client).
    pub can_answer: bool,
}

/// What the ask form offers: the investor's projects and entities, and a fresh key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AskOptions {
    pub projects: Vec<(i64, String)>,
    pub entities: Vec<(i64, String)>,
    pub form_key: String,
}

/// A posted question or reply shown again with its messages.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SubmittedQuestion {
    pub form: QuestionForm,
    pub errors: Vec<FieldError>,
    pub error_key: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_question_needs_a_subject_and_a_text() {
        let errors = validate_question(&QuestionForm::default()).expect_err("empty");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["subject", "body"]);
        let form = QuestionForm {
            subject: " 分红时间 ".into(),
            body: "请问二期项目的首次分配预计在什么时候？".into(),
            project: "7".into(),
            entity: "x".into(),
            form_key: String::new(),
        };
        let errors = validate_question(&form).expect_err("bad entity");
        assert_eq!(errors[0].field, "entity");
        let valid = validate_question(&QuestionForm {
            entity: String::new(),
            ..form
        })
        .expect("valid");
        assert_eq!(valid.subject, "分红时间");
        assert_eq!(valid.project, Some(7));
        assert!(validate_message(&"长".repeat(MAX_MESSAGE_CHARS + 1)).is_err());
        assert_eq!(validate_message(" 好的 "), Ok("好的".to_string()));
    }
}
