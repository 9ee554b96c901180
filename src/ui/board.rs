//! The parts both boards share: a column's head, a card's plain move form, the board's
//! message regions, and the island that moves cards without reloading the page.
//!
//! Moving is progressive enhancement: every card carries a plain move form (keyboard and
//! no-JavaScript users move cards with it, and it posts to the board's `/…/move` route).
//! With the island live, dropping a card on a column or submitting its form calls the
//! board's move server function instead; the card goes to the column the server answers
//! with (its new stage, or on a conflict the stage it really is in), the column heads take
//! the server's new figures, and the outcome is shown and announced. A move that needs a
//! reason opens the card's form at its reason field.
use crate::core::i18n::Lang;
use crate::pipeline::lifecycle::model::ColumnFigures;
use crate::ui::island::{Live, enter};
use crate::ui::session::tr;
use leptos::prelude::*;

/// The board's two message regions: moves made in place are announced politely in the
/// first; conflicts and refusals are alerts in the second. Both are empty (and the alert
/// hidden) until the island fills them.
#[component]
pub fn BoardMessages() -> impl IntoView {
    view! {
        <p id="board-live" class="board-live" role="status" aria-live="polite"></p>
        <p id="board-alert" class="alert alert-error board-alert" role="alert"></p>
    }
}

/// A column's head: its name and the figures over every card in it (the island replaces
/// the figures after a move).
#[component]
pub fn ColumnHead(heading_id: String, name: String, figures: ColumnFigures) -> impl IntoView {
    view! {
        <header class="board-column-head">
            <h2 id=heading_id>{name}</h2>
            <p class="muted small" data-count>{figures.count_text}</p>
            <p class="muted small" data-total>{figures.total}</p>
            <p class="muted small" data-weighted>{figures.weighted}</p>
        </header>
    }
}

/// A card's plain move form: the target stage (every stage, the card's own disabled), a
/// reason, and the card's version and request id. Keyboard and no-JavaScript users move
/// cards with it; the island submits it in place and drag and drop fills it.
#[component]
pub fn MoveForm(
    action: &'static str,
    id: i64,
    version: i64,
    request_id: String,
    back: String,
    /// Every stage of the board: (code, name).
    stages: Vec<(String, String)>,
    current: String,
    name: String,
) -> impl IntoView {
    let form_id = format!("move-{id}");
    let first_target = stages
        .iter()
        .map(|(code, _)| code.clone())
        .find(|code| *code != current);
    let options = stages
        .into_iter()
        .map(|(code, label)| {
            let disabled = code == current;
            let selected = Some(&code) == first_target.as_ref();
            view! { <option value=code disabled=disabled selected=selected>{label}</option> }
        })
        .collect_view();
    view! {
        <details class="move">
            <summary>{tr("lifecycle.move")}<span class="visually-hidden">{format!(" {name}")}</span></summary>
            <form method="post" action=action id=form_id.clone() class="move-form">
                <input type="hidden" name="id" value=id />
                <input type="hidden" name="version" value=version />
                <input type="hidden" name="request_id" value=request_id />
                <input type="hidden" name="back" value=back />
                <label for=format!("{form_id}-to")>{tr("lifecycle.move_to")}</label>
                <select id=format!("{form_id}-to") name="to">{options}</select>
                <label for=format!("{form_id}-reason")>{tr("lifecycle.reason")}</label>
                <input id=format!("{form_id}-reason") name="reason" type="text" />
                <button type="submit" class="primary">{tr("lifecycle.move_confirm")}</button>
            </form>
        </details>
    }
}

/// Makes the board on the page (`[data-board]`) move cards in place: drag and drop, and
/// move forms submitted without a page load.
#[island]
pub fn BoardDragDrop(lang: Lang) -> impl IntoView {
    enter(lang);
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        dom::attach(lang);
    });
    view! { <Live><p class="muted small">{tr("board.drag_hint")}</p></Live> }
}

#[cfg(feature = "hydrate")]
mod dom {
    use crate::core::error::AppError;
    use crate::core::i18n::{Lang, t, t_with};
    use crate::pipeline::lifecycle::model::{BoardMoveAnswer, ColumnFigures, MoveOutcome};
    use leptos::prelude::document;
    use leptos::task::spawn_local;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    use web_sys::{
        DragEvent, Element, Event, HtmlDetailsElement, HtmlElement, HtmlFormElement,
        HtmlInputElement, HtmlOptionElement, HtmlSelectElement,
    };

    /// Which board the page shows, which decides the server function a move calls.
    #[derive(Clone, Copy)]
    enum Kind {
        Lifecycle,
        Pipeline,
    }

    fn closest(target: Option<web_sys::EventTarget>, selector: &str) -> Option<Element> {
        target?
            .dyn_into::<Element>()
            .ok()?
            .closest(selector)
            .ok()
            .flatten()
    }

    fn listen<E: wasm_bindgen::convert::FromWasmAbi + 'static>(
        board: &Element,
        name: &str,
        handler: impl FnMut(E) + 'static,
    ) {
        let closure = Closure::<dyn FnMut(E)>::new(handler);
        let _ = board.add_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
        // The board lives as long as the page: the listener is never removed.
        closure.forget();
    }

    fn all(root: &Element, selector: &str) -> Vec<Element> {
        let Ok(list) = root.query_selector_all(selector) else {
            return Vec::new();
        };
        (0..list.length())
            .filter_map(|i| list.item(i)?.dyn_into::<Element>().ok())
            .collect()
    }

    fn clear_targets(board: &Element) {
        for el in all(board, ".drop-target") {
            let _ = el.class_list().remove_1("drop-target");
        }
    }

    fn by_id<T: JsCast>(id: &str) -> Option<T> {
        document().get_element_by_id(id)?.dyn_into::<T>().ok()
    }

    fn field<T: JsCast>(form: &HtmlFormElement, name: &str) -> Option<T> {
        form.query_selector(&format!("[name=\"{name}\"]"))
            .ok()
            .flatten()?
            .dyn_into::<T>()
            .ok()
    }

    fn value_of(form: &HtmlFormElement, name: &str) -> String {
        field::<HtmlInputElement>(form, name)
            .map(|i| i.value())
            .unwrap_or_default()
    }

    /// Says `text` in the polite region (`tone` colours it) and clears the alert.
    fn announce(text: &str, tone: &str) {
        if let Some(live) = by_id::<Element>("board-live") {
            live.set_class_name(&format!("board-live alert {tone}"));
            live.set_text_content(Some(text));
        }
        if let Some(alert) = by_id::<Element>("board-alert") {
            alert.set_text_content(None);
        }
    }

    /// Shows `text` as an alert (conflicts, refusals, failures).
    fn alert(text: &str) {
        if let Some(live) = by_id::<Element>("board-live") {
            live.set_class_name("board-live");
            live.set_text_content(None);
        }
        if let Some(alert) = by_id::<Element>("board-alert") {
            alert.set_text_content(Some(text));
        }
    }

    fn stage_of(card: &Element) -> String {
        card.closest(".board-column")
            .ok()
            .flatten()
            .and_then(|c| c.get_attribute("data-stage"))
            .unwrap_or_default()
    }

    fn open_form(form: &HtmlFormElement) {
        if let Some(details) = form
            .parent_element()
            .and_then(|p| p.dyn_into::<HtmlDetailsElement>().ok())
        {
            details.set_open(true);
        }
    }

    /// The prompt for a move that surely needs a reason (the server's rules decide; this
    /// only saves a round trip when the reason field is still empty).
    fn reason_prompt(kind: Kind, from: &str, to: &str) -> Option<&'static str> {
        match kind {
            Kind::Lifecycle if from == "lost" => Some("move.reason_reactivation"),
            Kind::Lifecycle if to == "decline" || to == "lost" => Some("move.reason_decline"),
            Kind::Pipeline if from == "declined" => Some("move.reason_reopen"),
            Kind::Pipeline if to == "declined" => Some("move.reason_declined"),
            _ => None,
        }
    }

    /// Asks for the reason in the card's own form instead of calling the server, when the
    /// move surely needs one and none is written yet.
    fn wants_reason(kind: Kind, form: &HtmlFormElement, from: &str, to: &str, lang: Lang) -> bool {
        let Some(reason) = field::<HtmlInputElement>(form, "reason") else {
            return false;
        };
        let Some(prompt) = reason_prompt(kind, from, to) else {
            return false;
        };
        if !reason.value().trim().is_empty() {
            return false;
        }
        open_form(form);
        let _ = reason.focus();
        announce(&t(lang, prompt), "alert-info");
        true
    }

    /// Puts the card in the column of `stage` with its new version and request id, and
    /// makes every other stage its form's choices. A column not on the page (one column
    /// paged on its own) takes the card off the page.
    fn place(card: &Element, form: &HtmlFormElement, stage: &str, version: i64, request: &str) {
        let _ = card.set_attribute("data-version", &version.to_string());
        if let Some(input) = field::<HtmlInputElement>(form, "version") {
            input.set_value(&version.to_string());
        }
        if let Some(input) = field::<HtmlInputElement>(form, "request_id") {
            input.set_value(request);
        }
        if let Some(select) = field::<HtmlSelectElement>(form, "to") {
            let options = select.options();
            let mut first = None;
            for i in 0..options.length() {
                if let Some(option) = options
                    .item(i)
                    .and_then(|o| o.dyn_into::<HtmlOptionElement>().ok())
                {
                    let here = option.value() == stage;
                    option.set_disabled(here);
                    if !here && first.is_none() {
                        first = Some(option.value());
                    }
                }
            }
            if select.value() == stage || select.value().is_empty() {
                select.set_value(&first.unwrap_or_default());
            }
        }
        if let Some(reason) = field::<HtmlInputElement>(form, "reason") {
            reason.set_value("");
        }
        if stage_of(card) == stage {
            return;
        }
        let target = document()
            .query_selector(&format!(
                "[data-board] .board-column[data-stage=\"{stage}\"] .board-cards"
            ))
            .ok()
            .flatten();
        match target {
            Some(list) => {
                let _ = list.prepend_with_node_1(card);
            }
            None => card.remove(),
        }
    }

    fn show_figures(figures: &[ColumnFigures]) {
        for f in figures {
            let selector = format!("[data-board] .board-column[data-stage=\"{}\"]", f.stage);
            let Some(column) = document().query_selector(&selector).ok().flatten() else {
                continue;
            };
            for (name, text) in [
                ("data-count", &f.count_text),
                ("data-total", &f.total),
                ("data-weighted", &f.weighted),
            ] {
                if let Some(el) = column.query_selector(&format!("[{name}]")).ok().flatten() {
                    el.set_text_content(Some(text));
                }
            }
        }
    }

    /// Leaves the keyboard where the card is now: on its move button, form closed.
    fn settle(card: &Element, form: &HtmlFormElement) {
        if let Some(details) = form
            .parent_element()
            .and_then(|p| p.dyn_into::<HtmlDetailsElement>().ok())
        {
            details.set_open(false);
        }
        if let Some(summary) = card
            .query_selector("summary")
            .ok()
            .flatten()
            .and_then(|s| s.dyn_into::<HtmlElement>().ok())
        {
            let _ = summary.focus();
        }
    }

    fn busy(card: &Element, on: bool) {
        let _ = card.set_attribute("aria-busy", if on { "true" } else { "false" });
    }

    /// A stage's name as its column's heading says it (the code if the column is not on
    /// the page).
    fn stage_name(stage: &str) -> String {
        document()
            .query_selector(&format!(
                "[data-board] .board-column[data-stage=\"{stage}\"] h2"
            ))
            .ok()
            .flatten()
            .and_then(|h| h.text_content())
            .unwrap_or_else(|| stage.to_string())
    }

    /// The card's name, for messages.
    fn name_of(card: &Element) -> String {
        card.query_selector(".board-card-title a")
            .ok()
            .flatten()
            .and_then(|a| a.text_content())
            .unwrap_or_default()
    }

    fn apply(
        card: &Element,
        form: &HtmlFormElement,
        answer: Result<BoardMoveAnswer, AppError>,
        lang: Lang,
    ) {
        busy(card, false);
        let answer = match answer {
            Ok(answer) => answer,
            Err(AppError::Request { .. }) => {
                // The server fn call itself failed (network, session gone): the plain form
                // still works and its answer is a whole page. The request id makes a move
                // that did reach the server count once.
                let _ = form.submit();
                return;
            }
            Err(error) => {
                alert(&t(lang, error.message_key()));
                return;
            }
        };
        show_figures(&answer.figures);
        match answer.outcome {
            MoveOutcome::Moved {
                stage,
                version,
                warning,
            } => {
                place(card, form, &stage, version, &answer.next_request_id);
                let mut text = t_with(
                    lang,
                    "move.done_named",
                    &[("name", &name_of(card)), ("stage", &stage_name(&stage))],
                );
                let tone = match warning {
                    Some(key) => {
                        text = format!("{text} {}", t(lang, &key));
                        "alert-warning"
                    }
                    None => "alert-success",
                };
                settle(card, form);
                announce(&text, tone);
            }
            MoveOutcome::Conflict { stage, version } => {
                place(card, form, &stage, version, &answer.next_request_id);
                settle(card, form);
                alert(&t_with(
                    lang,
                    "move.conflict_at",
                    &[("stage", &stage_name(&stage))],
                ));
            }
            MoveOutcome::NeedsReason(key) => {
                open_form(form);
                if let Some(reason) = field::<HtmlInputElement>(form, "reason") {
                    let _ = reason.focus();
                }
                alert(&t(lang, &key));
            }
            MoveOutcome::Refused(key) => alert(&t(lang, &key)),
        }
    }

    /// Sends the card's form to the board's move function and shows the answer in place.
    fn send(kind: Kind, form: HtmlFormElement, lang: Lang) {
        let id: i64 = value_of(&form, "id").parse().unwrap_or(0);
        let Some(card) = by_id::<Element>(&format!("card-{id}")) else {
            return;
        };
        let version: i64 = value_of(&form, "version").parse().unwrap_or(-1);
        let to = field::<HtmlSelectElement>(&form, "to")
            .map(|s| s.value())
            .unwrap_or_default();
        let reason = value_of(&form, "reason");
        let request_id = value_of(&form, "request_id");
        // The board's query as the page shows it, so the new figures use its filters.
        let back = Some(value_of(&form, "back"));
        busy(&card, true);
        spawn_local(async move {
            let answer = match kind {
                Kind::Lifecycle => {
                    crate::pipeline::lifecycle::api::move_card(
                        id, version, to, reason, request_id, back,
                    )
                    .await
                }
                Kind::Pipeline => {
                    crate::pipeline::board::api::move_deal_card(
                        id, version, to, reason, request_id, back,
                    )
                    .await
                }
            };
            apply(&card, &form, answer, lang);
        });
    }

    pub fn attach(lang: Lang) {
        let Some(board) = document().query_selector("[data-board]").ok().flatten() else {
            return;
        };
        let kind = match board.get_attribute("data-board").as_deref() {
            Some("pipeline") => Kind::Pipeline,
            _ => Kind::Lifecycle,
        };
        listen(&board, "dragstart", |event: DragEvent| {
            if let Some(card) = closest(event.target(), ".board-card") {
                let id = card.get_attribute("data-id").unwrap_or_default();
                if let Some(data) = event.data_transfer() {
                    let _ = data.set_data("text/plain", &id);
                    data.set_effect_allowed("move");
                }
                let _ = card.class_list().add_1("dragging");
            }
        });
        let board_for_over = board.clone();
        listen(&board, "dragover", move |event: DragEvent| {
            if let Some(column) = closest(event.target(), ".board-column") {
                event.prevent_default();
                if !column.class_list().contains("drop-target") {
                    clear_targets(&board_for_over);
                    let _ = column.class_list().add_1("drop-target");
                }
            }
        });
        let board_for_end = board.clone();
        listen(&board, "dragend", move |event: DragEvent| {
            if let Some(card) = closest(event.target(), ".board-card") {
                let _ = card.class_list().remove_1("dragging");
            }
            clear_targets(&board_for_end);
        });
        let board_for_drop = board.clone();
        listen(&board, "drop", move |event: DragEvent| {
            event.prevent_default();
            clear_targets(&board_for_drop);
            let Some(column) = closest(event.target(), ".board-column") else {
                return;
            };
            let id = event
                .data_transfer()
                .and_then(|d| d.get_data("text/plain").ok())
                .unwrap_or_default();
            let to = column.get_attribute("data-stage").unwrap_or_default();
            let Some(card) = by_id::<Element>(&format!("card-{id}")) else {
                return;
            };
            let from = stage_of(&card);
            let (Some(form), Some(select)) = (
                by_id::<HtmlFormElement>(&format!("move-{id}")),
                by_id::<HtmlSelectElement>(&format!("move-{id}-to")),
            ) else {
                return;
            };
            if to.is_empty() || from == to {
                return;
            }
            select.set_value(&to);
            if !wants_reason(kind, &form, &from, &to, lang) {
                send(kind, form, lang);
            }
        });
        listen(&board, "submit", move |event: Event| {
            let Some(form) = event
                .target()
                .and_then(|t| t.dyn_into::<HtmlFormElement>().ok())
                .filter(|f| f.class_list().contains("move-form"))
            else {
                return;
            };
            event.prevent_default();
            send(kind, form, lang);
        });
    }
}
