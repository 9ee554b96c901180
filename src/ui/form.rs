//! Form parts: a labelled field with its error message, tied together for screen readers.
use super::session::use_lang;
use crate::core::error::AppError;
use crate::core::i18n;
use leptos::prelude::*;

/// The message for `field` in the latest result of an action, if it has one.
pub fn field_error<T: Clone + Send + Sync + 'static>(
    result: Signal<Option<Result<T, AppError>>>,
    field: &'static str,
) -> Signal<Option<String>> {
    let lang = use_lang();
    Signal::derive(move || {
        result
            .get()
            .and_then(|r| r.err())
            .and_then(|e| e.field_key(field))
            .map(|key| i18n::t(lang, &key))
    })
}

/// A label, an input and its error. `id` is also the input's `name`.
#[component]
pub fn Field(
    id: &'static str,
    label: String,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional, into)] value: String,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(default = false)] required: bool,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let described = error_id.clone();
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input
                id=id
                name=id
                type=kind
                value=value
                autocomplete=autocomplete
                required=required
                aria-invalid=move || error.get().map(|_| "true")
                aria-describedby=move || error.get().map(|_| described.clone())
            />
            {move || error.get().map(|e| view! { <p class="field-error" id=error_id.clone()>{e}</p> })}
        </div>
    }
}

/// The general message of a failed action, unless the fields already say what is wrong.
pub fn general_error<T: Clone + Send + Sync + 'static>(
    result: Signal<Option<Result<T, AppError>>>,
) -> impl IntoView {
    move || {
        result
            .get()
            .and_then(|r| r.err())
            .filter(|e| !matches!(e, AppError::Invalid(_)))
            .map(|error| view! { <crate::ui::layout::ErrorPanel error /> })
    }
}
