//! Shared types of the investor profile and the rules of its two forms.
use crate::clients::model::{RiskAppetite, is_plausible_phone};
use crate::core::error::FieldError;
use crate::core::form::optional;
use crate::core::i18n::Lang;
use serde::{Deserialize, Serialize};

crate::code_enum!(
    /// What an investor may ask to change.
    ChangeField, "profile.field", {
    RiskAppetite => "risk_appetite", TicketSize => "ticket_size",
});

/// The profile form as posted (an unticked box is not posted at all).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProfileForm {
    pub phone: String,
    pub language: String,
    pub notify_updates: bool,
    pub notify_answers: bool,
}

impl ProfileForm {
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> ProfileForm {
        let mut form = ProfileForm::default();
        for (name, value) in pairs {
            match name {
                "phone" => form.phone = value.to_string(),
                "language" => form.language = value.to_string(),
                "notify_updates" => form.notify_updates = true,
                "notify_answers" => form.notify_answers = true,
                _ => {}
            }
        }
        form
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ValidProfile {
    pub phone: Option<String>,
    pub language: Lang,
    pub notify_updates: bool,
    pub notify_answers: bool,
}

pub fn validate_profile(form: &ProfileForm) -> Result<ValidProfile, Vec<FieldError>> {
    let mut errors = Vec::new();
    let phone = optional(&form.phone);
    if phone
        .as_deref()
        .is_some_and(|p| !is_plausible_phone(p) || p.chars().count() > 40)
    {
        errors.push(FieldError::new("phone", "client.phone_invalid"));
    }
    let language = Lang::parse(form.language.trim());
    if language.is_none() {
        errors.push(FieldError::new("language", "form.choose_one"));
    }
    match language {
        Some(language) if errors.is_empty() => Ok(ValidProfile {
            phone,
            language,
            notify_updates: form.notify_updates,
            notify_answers: form.notify_answers,
        }),
        _ => Err(errors),
    }
}

/// A request to change what the firm records about one of the investor's entities.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ChangeRequestForm {
    pub client: String,
    pub field: String,
    pub risk_appetite: String,
    pub ticket_size: String,
    pub note: String,
    pub form_key: String,
}

impl ChangeRequestForm {
    pub fn from_pairs<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> ChangeRequestForm {
        let mut form = ChangeRequestForm::default();
        for (name, value) in pairs {
            let value = value.to_string();
            match name {
                "client" => form.client = value,
                "field" => form.field = value,
                "risk_appetite" => form.risk_appetite = value,
                "ticket_size" => form.ticket_size = value,
                "note" => form.note = value,
                "form_key" => form.form_key = value,
                _ => {}
            }
        }
        form
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ValidChangeRequest {
    pub client_id: i64,
    pub field: ChangeField,
    /// A risk appetite code, or the ticket size as the investor wrote it.
    pub requested: String,
    pub note: Option<String>,
}

pub fn validate_change_request(
    form: &ChangeRequestForm,
) -> Result<ValidChangeRequest, Vec<FieldError>> {
    let mut errors = Vec::new();
    let client_id = form.client.trim().parse::<i64>().ok().filter(|id| *id > 0);
    if client_id.is_none() {
        errors.push(FieldError::new("client", "form.choose_one"));
    }
    let field = ChangeField::parse(form.field.trim());
    let requested = match field {
        Some(ChangeField::RiskAppetite) => match RiskAppetite::parse(form.risk_appetite.trim()) {
            Some(r) => r.as_str().to_string(),
            None => {
                errors.push(FieldError::new("risk_appetite", "form.choose_one"));
                String::new()
            }
        },
        Some(ChangeField::TicketSize) => {
            let t = form.ticket_size.trim();
            if t.is_empty() || t.chars().count() > 100 {
                errors.push(FieldError::new("ticket_size", "profile.ticket_required"));
            }
            t.to_string()
        }
        None => {
            errors.push(FieldError::new("field", "form.choose_one"));
            String::new()
        }
    };
    let note = optional(&form.note);
    if note.as_ref().is_some_and(|n| n.chars().count() > 1000) {
        errors.push(FieldError::new("note", "profile.note_too_long"));
    }
    match (client_id, field) {
        (Some(client_id), Some(field)) if errors.is_empty() => Ok(ValidChangeRequest {
            client_id,
            field,
            requested,
            note,
        }),
        _ => Err(errors),
    }
}

/// A recorded value as people read it: the translation key of a risk appetite code, or
/// `None` for text shown as written.
pub fn value_key(field: Option<ChangeField>, value: &str) -> Option<String> {
    match field {
        Some(ChangeField::RiskAppetite) => RiskAppetite::parse(value).map(|r| r.i18n_key()),
        _ => None,
    }
}

/// What the firm records about one entity the investor acts for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EntityProfile {
    pub client_id: i64,
    pub name: String,
    pub risk_appetite: Option<RiskAppetite>,
    /// The stated ticket range, formatted.
    pub ticket: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChangeRequestView {
    pub id: i64,
    pub entity: String,
    pub requester: String,
    pub field: Option<ChangeField>,
    pub current: String,
    pub requested: String,
    pub note: Option<String>,
    pub open: bool,
    pub created_at: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PortalProfile {
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub language: String,
    pub notify_updates: bool,
    pub notify_answers: bool,
    pub entities: Vec<EntityProfile>,
    pub requests: Vec<ChangeRequestView>,
    pub form_key: String,
}

/// A client's change requests, for its page on the staff side.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StaffChangeRequests {
    pub items: Vec<ChangeRequestView>,
    pub can_handle: bool,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct SubmittedProfile {
    pub form: ProfileForm,
    pub errors: Vec<FieldError>,
    pub error_key: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct SubmittedChangeRequest {
    pub form: ChangeRequestForm,
    pub errors: Vec<FieldError>,
    pub error_key: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(errors: Vec<FieldError>) -> Vec<String> {
        errors
            .into_iter()
            .map(|e| format!("{}:{}", e.field, e.key))
            .collect()
    }

    #[test]
    fn unticked_boxes_turn_e_mails_off() {
        let form = ProfileForm::from_pairs([
            ("phone", "+86 21 6888 0000"),
            ("language", "en"),
            ("notify_answers", "on"),
        ]);
        let valid = validate_profile(&form).expect("valid");
        assert!(!valid.notify_updates && valid.notify_answers);
        assert_eq!(valid.language, Lang::En);
        let bad = ProfileForm::from_pairs([("phone", "12ab"), ("language", "fr")]);
        assert_eq!(
            keys(validate_profile(&bad).unwrap_err()),
            vec!["phone:client.phone_invalid", "language:form.choose_one"]
        );
        let blank = ProfileForm::from_pairs([("phone", " "), ("language", "zh")]);
        assert_eq!(validate_profile(&blank).map(|v| v.phone), Ok(None));
    }

    #[test]
    fn a_change_request_names_an_entity_a_field_and_a_value() {
        let risk = ChangeRequestForm::from_pairs([
            ("client", "7"),
            ("field", "risk_appetite"),
            ("risk_appetite", "growth"),
            ("note", " 新的投资政策 "),
        ]);
        assert_eq!(
            validate_change_request(&risk),
            Ok(ValidChangeRequest {
                client_id: 7,
                field: ChangeField::RiskAppetite,
                requested: "growth".into(),
                note: Some("新的投资政策".into())
            })
        );
        let ticket = ChangeRequestForm::from_pairs([
            ("client", "7"),
            ("field", "ticket_size"),
            ("ticket_size", "1亿–3亿元"),
        ]);
        assert_eq!(
            validate_change_request(&ticket).map(|v| v.requested),
            Ok("1亿–3亿元".into())
        );
        let empty = ChangeRequestForm::from_pairs([("client", "x"), ("field", "ticket_size")]);
        assert_eq!(
            keys(validate_change_request(&empty).unwrap_err()),
            vec![
                "client:form.choose_one",
                "ticket_size:profile.ticket_required"
            ]
        );
        let unknown = ChangeRequestForm::from_pairs([
            ("client", "7"),
            ("field", "risk_appetite"),
            ("risk_appetite", "reckless"),
        ]);
        assert_eq!(
            keys(validate_change_request(&unknown).unwrap_err()),
            vec!["risk_appetite:form.choose_one"]
        );
        assert_eq!(
            value_key(Some(ChangeField::RiskAppetite), "growth"),
            Some("risk.growth".into())
        );
        assert_eq!(value_key(Some(ChangeField::TicketSize), "1亿"), None);
    }
}
