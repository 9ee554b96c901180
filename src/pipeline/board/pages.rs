//! The deal pipeline page: eight columns of deal cards with their totals; each card has the
//! plain move form, and drag and drop fills it.
use super::api::load_pipeline;
use super::model::*;
use crate::pipeline::lifecycle::model::MoveFeedback;
use crate::pipeline::model::DealStage;
use crate::ui::board::{BoardDragDrop, BoardMessages, ColumnHead, MoveForm};
use crate::ui::fields::{Choice, currency_options};
use crate::ui::layout::ErrorPanel;
use crate::ui::session::{tr, use_lang};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn PipelinePage() -> impl IntoView {
    let params = use_query_map().get_untracked();
    let query = PipelineQuery::from_query(|k| params.get(k));
    let moved = params.get("moved").is_some();
    let feedback = use_context::<MoveFeedback>();
    let board = Resource::new(move || query.clone(), load_pipeline);
    view! {
        <Title text=tr("pipeline.title") />
        <div class="page-head">
            <h1>{tr("pipeline.title")}</h1>
            <a class="button" href="/deals">{tr("deals.title")}</a>
        </div>
        {moved.then(|| view! { <p class="alert alert-success" role="status">{tr("move.done")}</p> })}
        {feedback.map(|f| view! { <div class="alert alert-error" role="alert"><p>{tr(&f.message_key)}</p></div> })}
        <BoardMessages />
        <Suspense fallback=|| view! { <p class="muted">{tr("form.loading")}</p> }>
            {move || Suspend::new(async move {
                match board.await {
                    Ok(board) => view! { <PipelineFilters board=board.clone() /> <PipelineView board /> }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn PipelineFilters(board: PipelineBoard) -> impl IntoView {
    let f = board.query.filter.clone();
    let mut owners = vec![("all".to_string(), tr("lifecycle.everyone"))];
    owners.extend(
        board
            .owners
            .iter()
            .map(|(id, name)| (id.to_string(), name.clone())),
    );
    let owner = f
        .owner
        .map(|o| o.to_string())
        .unwrap_or_else(|| "all".into());
    view! {
        <form method="get" action="/pipeline" class="filters" role="search">
            {f.project.map(|p| view! { <input type="hidden" name="project" value=p /> })}
            {f.client.map(|c| view! { <input type="hidden" name="client" value=c /> })}
            <Choice name="owner" label=tr("clients.owner") options=owners selected=owner blank=false />
            <Choice name="currency" label=tr("clients.currency") options=currency_options() selected=f.currency.clone().unwrap_or_default() />
            <button type="submit" class="primary">{tr("clients.apply")}</button>
        </form>
    }
}

#[component]
fn PipelineView(board: PipelineBoard) -> impl IntoView {
    let back = board
        .query
        .to_query(board.query.column, board.query.after.as_deref());
    let mut request_ids = board.request_ids.clone().into_iter();
    let columns = board
        .columns
        .iter()
        .map(|column| {
            let stage = column.stage;
            let heading_id = format!("column-{}", stage.as_str());
            let labelled_by = heading_id.clone();
            let more = column.next.clone().map(|cursor| {
                format!("/pipeline{}", board.query.to_query(Some(stage), Some(&cursor)))
            });
            let stages: Vec<(String, String)> = DealStage::ALL
                .iter()
                .map(|s| (s.as_str().to_string(), tr(&s.i18n_key())))
                .collect();
            let cards = column
                .cards
                .iter()
                .map(|card| {
                    let request_id = request_ids.next().unwrap_or_default();
                    let r = card.row.clone();
                    let name = format!("{} · {}", r.client_name, r.project_name);
                    view! {
                        <li class="board-card" id=format!("card-{}", r.id) data-id=r.id data-version=card.version
                            draggable=card.can_move.then_some("true")>
                            <p class="board-card-title"><a href=format!("/deals/{}", r.id)>{r.client_name.clone()}</a></p>
                            <p class="small"><a href=format!("/projects/{}", r.project_id)>{r.project_name.clone()}</a>
                                {r.tranche_name.clone().map(|t| view! { <span class="muted">" · " {t}</span> })}</p>
                            <p class="small">{r.amount.clone()} " · " {format!("{}%", r.probability)}</p>
                            <p class="muted small">{r.owner_name.clone()}
                                {r.expected_close.clone().map(|d| view! { " · " {tr("deals.expected_close")} " " {d} })}</p>
                            {card.can_move.then(|| view! {
                                <MoveForm action="/pipeline/move" id=r.id version=card.version request_id back=back.clone() stages=stages.clone() current=stage.as_str().to_string() name />
                            })}
                        </li>
                    }
                })
                .collect_view();
            view! {
                <section class="board-column" data-stage=stage.as_str() aria-labelledby=labelled_by>
                    <ColumnHead heading_id name=tr(&stage.i18n_key()) figures=column.figures.clone() />
                    <ol class="board-cards">{cards}</ol>
                    {more.map(|href| view! { <p><a class="button" href=href>{tr("lifecycle.more")}</a></p> })}
                </section>
            }
        })
        .collect_view();
    view! {
        {board.query.column.is_some().then(|| view! { <p><a href=format!("/pipeline{}", board.query.to_query(None, None))>{tr("lifecycle.whole_board")}</a></p> })}
        <BoardDragDrop lang=use_lang() />
        <div class="board" data-board="pipeline">{columns}</div>
    }
}
