//! Server-rendered form fields for plain HTML forms (record forms that work without
//! JavaScript): a label, the control, and the field's message from the posted form.
use crate::core::error::FieldError;
use crate::ui::session::tr;
use leptos::prelude::*;

/// The currencies, for a select.
pub fn currency_options() -> Vec<(String, String)> {
    crate::core::money::CURRENCIES
        .iter()
        .map(|c| (c.to_string(), c.to_string()))
        .collect()
}

/// The message key posted back for `field` (empty when the field is fine).
pub fn message_for(errors: &[FieldError], field: &str) -> String {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| e.key.clone())
        .unwrap_or_default()
}

/// `(code, translated name)` pairs of a code list, for a select.
pub fn options_of<T: Copy + 'static>(
    all: &'static [T],
    code: fn(T) -> &'static str,
    key: fn(T) -> String,
) -> Vec<(String, String)> {
    all.iter()
        .map(|v| (code(*v).to_string(), tr(&key(*v))))
        .collect()
}

/// A labelled select with an empty first choice.
#[component]
pub fn Choice(
    name: &'static str,
    label: String,
    options: Vec<(String, String)>,
    selected: String,
    #[prop(optional)] error: Option<String>,
    #[prop(optional)] placeholder: Option<String>,
    #[prop(default = true)] blank: bool,
) -> impl IntoView {
    // An empty message means no error (callers pass `err(field).unwrap_or_default()`).
    let error = error.filter(|e| !e.is_empty());
    let error_id = format!("{name}-error");
    let described = error.as_ref().map(|_| error_id.clone());
    view! {
        <div class="field">
            <label for=name>{label}</label>
            <select id=name name=name aria-invalid=error.as_ref().map(|_| "true") aria-describedby=described>
                {blank.then(|| view! { <option value="">{placeholder.unwrap_or_else(|| tr("form.any"))}</option> })}
                {options.into_iter().map(|(code, text)| {
                    let is = code == selected;
                    view! { <option value=code selected=is>{text}</option> }
                }).collect_view()}
            </select>
            {error.map(|e| view! { <p class="field-error" id=error_id>{tr(&e)}</p> })}
        </div>
    }
}

/// A labelled text input showing its error, if any.
#[component]
pub fn Text(
    name: &'static str,
    label: String,
    value: String,
    #[prop(optional)] error: Option<String>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = false)] required: bool,
) -> impl IntoView {
    // An empty message means no error (callers pass `err(field).unwrap_or_default()`).
    let error = error.filter(|e| !e.is_empty());
    let error_id = format!("{name}-error");
    let described = error.as_ref().map(|_| error_id.clone());
    view! {
        <div class="field">
            <label for=name>{label}</label>
            <input id=name name=name type=kind value=value required=required
                aria-invalid=error.as_ref().map(|_| "true") aria-describedby=described />
            {error.map(|e| view! { <p class="field-error" id=error_id>{tr(&e)}</p> })}
        </div>
    }
}

#[component]
pub fn Check(
    name: &'static str,
    label: String,
    checked: bool,
    #[prop(optional)] value: Option<String>,
) -> impl IntoView {
    let id = format!("{name}-{}", value.clone().unwrap_or_default());
    let label_for = id.clone();
    view! {
        <label class="check" for=label_for>
            <input type="checkbox" id=id name=name value=value.unwrap_or_else(|| "on".into()) checked=checked />
            {label}
        </label>
    }
}

/// A labelled multi-line text box showing its error, if any.
#[component]
pub fn Area(
    name: &'static str,
    label: String,
    value: String,
    #[prop(optional)] error: Option<String>,
    #[prop(default = false)] required: bool,
) -> impl IntoView {
    let error = error.filter(|e| !e.is_empty());
    let error_id = format!("{name}-error");
    let described = error.as_ref().map(|_| error_id.clone());
    view! {
        <div class="field wide">
            <label for=name>{label}</label>
            <textarea id=name name=name rows="4" required=required
                aria-invalid=error.as_ref().map(|_| "true") aria-describedby=described>{value}</textarea>
            {error.map(|e| view! { <p class="field-error" id=error_id>{tr(&e)}</p> })}
        </div>
    }
}

/// `(id, name)` pairs as select options.
pub fn id_options(items: &[(i64, String)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(id, name)| (id.to_string(), name.clone()))
        .collect()
}
