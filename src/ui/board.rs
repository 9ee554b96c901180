//! Drag and drop for the boards, as progressive enhancement: every card already carries a
//! plain move form (keyboard and no-JavaScript users move cards with it). Dropping a card on
//! a column fills that form's target stage and submits it; a move that needs a reason opens
//! the form at its reason field instead and says so in the board's live region.
use crate::core::i18n::Lang;
use crate::ui::island::{Live, enter};
use crate::ui::session::tr;
use leptos::prelude::*;

/// Attaches drag and drop to the board on the page (`[data-board]`).
#[island]
pub fn BoardDragDrop(lang: Lang) -> impl IntoView {
    enter(lang);
    let needs_reason = tr("move.reason_decline");
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        dom::attach(needs_reason.clone());
        #[cfg(not(feature = "hydrate"))]
        let _ = &needs_reason;
    });
    view! { <Live><p class="muted small">{tr("board.drag_hint")}</p></Live> }
}

#[cfg(feature = "hydrate")]
mod dom {
    use leptos::prelude::document;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    use web_sys::{
        DragEvent, Element, HtmlDetailsElement, HtmlFormElement, HtmlInputElement,
        HtmlSelectElement,
    };

    /// Stages a card reaches only with a reason.
    const REASON_STAGES: &[&str] = &["decline", "lost"];

    fn closest(event: &DragEvent, selector: &str) -> Option<Element> {
        event
            .target()?
            .dyn_into::<Element>()
            .ok()?
            .closest(selector)
            .ok()
            .flatten()
    }

    fn listen(board: &Element, name: &str, handler: impl FnMut(DragEvent) + 'static) {
        let closure = Closure::<dyn FnMut(DragEvent)>::new(handler);
        let _ = board.add_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
        // The board lives as long as the page: the listener is never removed.
        closure.forget();
    }

    fn clear_targets(board: &Element) {
        if let Ok(columns) = board.query_selector_all(".drop-target") {
            for i in 0..columns.length() {
                if let Some(el) = columns.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                    let _ = el.class_list().remove_1("drop-target");
                }
            }
        }
    }

    fn by_id<T: JsCast>(id: &str) -> Option<T> {
        document().get_element_by_id(id)?.dyn_into::<T>().ok()
    }

    fn announce(text: &str) {
        if let Some(live) = document().get_element_by_id("board-live") {
            live.set_text_content(Some(text));
        }
    }

    /// Moves card `id` from column `from` to `to` through its own move form.
    fn move_by_form(id: &str, from: &str, to: &str, needs_reason: &str) {
        let form_id = format!("move-{id}");
        let (Some(form), Some(select), Some(reason)) = (
            by_id::<HtmlFormElement>(&form_id),
            by_id::<HtmlSelectElement>(&format!("{form_id}-to")),
            by_id::<HtmlInputElement>(&format!("{form_id}-reason")),
        ) else {
            return;
        };
        select.set_value(to);
        let wants_reason = REASON_STAGES.contains(&to) || from == "lost";
        if wants_reason && reason.value().trim().is_empty() {
            if let Some(details) = form
                .parent_element()
                .and_then(|p| p.dyn_into::<HtmlDetailsElement>().ok())
            {
                details.set_open(true);
            }
            let _ = reason.focus();
            announce(needs_reason);
            return;
        }
        let _ = form.request_submit();
    }

    pub fn attach(needs_reason: String) {
        let Some(board) = document().query_selector("[data-board]").ok().flatten() else {
            return;
        };
        listen(&board, "dragstart", |event| {
            if let Some(card) = closest(&event, ".board-card") {
                let id = card.get_attribute("data-id").unwrap_or_default();
                if let Some(data) = event.data_transfer() {
                    let _ = data.set_data("text/plain", &id);
                    data.set_effect_allowed("move");
                }
                let _ = card.class_list().add_1("dragging");
            }
        });
        let board_for_over = board.clone();
        listen(&board, "dragover", move |event| {
            if let Some(column) = closest(&event, ".board-column") {
                event.prevent_default();
                if !column.class_list().contains("drop-target") {
                    clear_targets(&board_for_over);
                    let _ = column.class_list().add_1("drop-target");
                }
            }
        });
        let board_for_end = board.clone();
        listen(&board, "dragend", move |event| {
            if let Some(card) = closest(&event, ".board-card") {
                let _ = card.class_list().remove_1("dragging");
            }
            clear_targets(&board_for_end);
        });
        let board_for_drop = board.clone();
        listen(&board, "drop", move |event| {
            event.prevent_default();
            clear_targets(&board_for_drop);
            let Some(column) = closest(&event, ".board-column") else {
                return;
            };
            let id = event
                .data_transfer()
                .and_then(|d| d.get_data("text/plain").ok())
                .unwrap_or_default();
            let to = column.get_attribute("data-stage").unwrap_or_default();
            let from = by_id::<Element>(&format!("card-{id}"))
                .and_then(|card| card.closest(".board-column").ok().flatten())
                .and_then(|c| c.get_attribute("data-stage"))
                .unwrap_or_default();
            if !id.is_empty() && !to.is_empty() && from != to {
                move_by_form(&id, &from, &to, &needs_reason);
            }
        });
    }
}
