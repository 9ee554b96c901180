//! The lifecycle board page. Every card carries a plain move form (works without
//! JavaScript); the board island adds drag and drop and keyboard moves on top of it.
use super::api::{load_at_risk, load_board, load_client_risk, load_lifecycle_history};
use super::model::*;
use crate::clients::model::{ClientKind, LifecycleStage, RiskAppetite, Sector, TicketBand};
use crate::core::i18n;
use crate::core::roles::Department;
use crate::ui::board::{BoardDragDrop, BoardMessages, ColumnHead, MoveForm};
use crate::ui::fields::{Choice, Text, options_of};
use crate::ui::layout::ErrorPanel;
use crate::ui::session::{tr, use_lang};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LifecyclePage() -> impl IntoView {
    let params = use_query_map().get_untracked();
    let query = BoardQuery::from_query(|k| params.get(k));
    let moved = params.get("moved").and_then(|v| v.parse::<i64>().ok());
    // Only move messages are shown from the URL (never arbitrary text).
    let warning = params
        .get("warning")
        .filter(|w| w.starts_with("move.warn_"));
    let feedback = use_context::<MoveFeedback>();
    let board = Resource::new(move || query.clone(), load_board);
    view! {
        <Title text=tr("lifecycle.title") />
        <div class="page-head">
            <h1>{tr("lifecycle.title")}</h1>
            <a class="button" href="/clients">{tr("nav.clients")}</a>
        </div>
        {moved.map(|_| view! { <p class="alert alert-success" role="status">{tr("move.done")}</p> })}
        {warning.map(|w| view! { <p class="alert alert-warning" role="status">{tr(&w)}</p> })}
        {feedback.map(|f| view! { <div class="alert alert-error" role="alert"><p>{tr(&f.message_key)}</p></div> })}
        <BoardMessages />
        <Suspense fallback=|| view! { <p class="muted">{tr("form.loading")}</p> }>
            {move || Suspend::new(async move {
                match board.await {
                    Ok(board) => view! { <BoardFilters board=board.clone() /> <BoardView board /> }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn BoardFilters(board: Board) -> impl IntoView {
    let f = board.query.filter.clone();
    let code = |v: Option<&'static str>| v.map(str::to_string).unwrap_or_default();
    let mut owners = vec![("all".to_string(), tr("lifecycle.everyone"))];
    owners.extend(
        board
            .owners
            .iter()
            .map(|(id, name)| (id.to_string(), name.clone())),
    );
    let owner = match f.owner {
        Some(id) => id.to_string(),
        None => "all".to_string(),
    };
    view! {
        <form method="get" action="/lifecycle" class="filters" role="search">
            <div class="field grow">
                <label for="q">{tr("clients.search")}</label>
                <input id="q" name="q" type="search" value=f.q.clone() placeholder=tr("clients.search_hint") />
            </div>
            <Choice name="kind" label=tr("clients.kind") options=options_of(ClientKind::ALL, ClientKind::as_str, ClientKind::i18n_key) selected=code(f.kind.map(ClientKind::as_str)) />
            <Choice name="owner" label=tr("clients.owner") options=owners selected=owner blank=false />
            <Choice name="department" label=tr("admin.users.department") options=options_of(&Department::ALL, Department::as_str, Department::i18n_key) selected=code(f.department.map(Department::as_str)) />
            <Choice name="sector" label=tr("clients.sector") options=options_of(Sector::ALL, Sector::as_str, Sector::i18n_key) selected=code(f.sector.map(Sector::as_str)) />
            <Choice name="risk" label=tr("clients.risk") options=options_of(RiskAppetite::ALL, RiskAppetite::as_str, RiskAppetite::i18n_key) selected=code(f.risk.map(RiskAppetite::as_str)) />
            <Choice name="band" label=tr("clients.band") options=options_of(TicketBand::ALL, TicketBand::as_str, TicketBand::i18n_key) selected=code(f.band.map(TicketBand::as_str)) />
            <Text name="country" label=tr("clients.country") value=f.country.clone() />
            <button type="submit" class="primary">{tr("clients.apply")}</button>
        </form>
    }
}

#[component]
fn BoardView(board: Board) -> impl IntoView {
    let back = board
        .query
        .to_query(board.query.column, board.query.after.as_deref());
    let mut request_ids = board.request_ids.clone().into_iter();
    let single = board.query.column.is_some();
    let columns = board
        .columns
        .iter()
        .map(|column| {
            let ids: Vec<String> = column
                .cards
                .iter()
                .map(|_| request_ids.next().unwrap_or_default())
                .collect();
            let more = column.next.clone().map(|cursor| {
                format!(
                    "/lifecycle{}",
                    board.query.to_query(Some(column.stage), Some(&cursor))
                )
            });
            view! { <BoardColumn column=column.clone() request_ids=ids back=back.clone() more /> }
        })
        .collect_view();
    view! {
        {single.then(|| view! { <p><a href=format!("/lifecycle{}", board.query.to_query(None, None))>{tr("lifecycle.whole_board")}</a></p> })}
        <BoardDragDrop lang=use_lang() />
        <div class="board" data-board="lifecycle">{columns}</div>
    }
}

#[component]
fn BoardColumn(
    column: Column,
    request_ids: Vec<String>,
    back: String,
    more: Option<String>,
) -> impl IntoView {
    let stage = column.stage;
    let heading_id = format!("column-{}", stage.as_str());
    let labelled_by = heading_id.clone();
    let cards = column
        .cards
        .iter()
        .zip(request_ids)
        .map(|(card, request_id)| view! { <CardView card=card.clone() request_id back=back.clone() /> })
        .collect_view();
    view! {
        <section class="board-column" data-stage=stage.as_str() aria-labelledby=labelled_by>
            <ColumnHead heading_id name=tr(&stage.i18n_key()) figures=column.figures.clone() />
            <ol class="board-cards">{cards}</ol>
            {more.map(|href| view! { <p><a class="button" href=href>{tr("lifecycle.more")}</a></p> })}
        </section>
    }
}

#[component]
fn CardView(card: Card, request_id: String, back: String) -> impl IntoView {
    let lang = use_lang();
    let kind = match (card.is_investor, card.is_borrower) {
        (true, true) => tr("kind.both"),
        (true, false) => tr("kind.investor"),
        _ => tr("kind.borrower"),
    };
    let quiet = card
        .days_since_interaction
        .map(|d| i18n::t_with(lang, "lifecycle.days_since", &[("days", &d.to_string())]));
    let stages: Vec<(String, String)> = LifecycleStage::ALL
        .iter()
        .map(|s| (s.as_str().to_string(), tr(&s.i18n_key())))
        .collect();
    view! {
        <li class="board-card" id=format!("card-{}", card.id) data-id=card.id data-version=card.version
            draggable=card.can_move.then_some("true")>
            <p class="board-card-title">
                <a href=format!("/clients/{}", card.id)>{card.name.clone()}</a>
                {card.risk.map(|severity| view! { " " <span class="flag flag-risk" title=tr("lifecycle.at_risk")>{tr("lifecycle.at_risk")} " " {severity}</span> })}
            </p>
            <p class="muted small">{kind} " · " {card.owner_name.clone()}</p>
            {(!card.value.is_empty()).then(|| view! { <p class="small">{tr("lifecycle.value")} ": " {card.value.clone()}</p> })}
            <p class="muted small">{quiet.unwrap_or_else(|| tr("lifecycle.no_interaction"))}</p>
            {card.can_move.then(|| view! {
                <MoveForm action="/lifecycle/move" id=card.id version=card.version request_id back stages current=card.stage.as_str().to_string() name=card.name.clone() />
            })}
        </li>
    }
}

/// The client's lifecycle history, for the client's page.
#[component]
pub fn LifecycleHistory(client_id: i64) -> impl IntoView {
    let history = Resource::new(move || client_id, load_lifecycle_history);
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match history.await {
                    Ok(moves) if moves.is_empty() => view! { <p class="muted small">{tr("lifecycle.no_moves")}</p> }.into_any(),
                    Ok(moves) => view! {
                        <ol class="history" aria-label=tr("lifecycle.history")>
                            {moves.into_iter().map(|m| view! {
                                <li><time>{m.at.clone()}</time> " " {m.from_key.as_deref().map(tr).unwrap_or_else(|| tr("deals.move_start"))} " → " {tr(&m.to_key)}
                                    " · " {m.by.clone().unwrap_or_else(|| tr("audit.system"))}
                                    {m.reason.clone().map(|r| view! { <br /><span class="muted">{r}</span> })}</li>
                            }).collect_view()}
                        </ol>
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A list of clients at risk with the reasons in words (the home page's first few, or the
/// whole list page).
#[component]
pub fn RiskList(page: crate::pipeline::signals::RiskPage) -> impl IntoView {
    if page.rows.is_empty() {
        return view! { <p class="empty">{tr("risk.none")}</p> }.into_any();
    }
    view! {
        <ol class="risk-list">
            {page.rows.into_iter().map(|r| view! {
                <li>
                    <a href=format!("/clients/{}", r.client_id)>{r.client_name.clone()}</a>
                    " " <span class="flag flag-risk">{tr("lifecycle.at_risk")} " " {r.severity}</span>
                    <span class="muted small">" · " {r.owner_name.clone()}</span>
                    <ul class="small">{r.reasons.iter().map(|t| view! { <li>{t.clone()}</li> }).collect_view()}</ul>
                </li>
            }).collect_view()}
        </ol>
    }
    .into_any()
}

/// `/lifecycle/at-risk`: every client at risk (the viewer's own with `?mine=1`), most
/// severe first, paged.
#[component]
pub fn AtRiskPage() -> impl IntoView {
    let params = use_query_map().get_untracked();
    let after = params.get("after");
    let mine = params.get("mine").is_some_and(|v| v == "1");
    let page = Resource::new(
        move || (after.clone(), mine),
        |(after, mine)| load_at_risk(!mine, after, 50),
    );
    view! {
        <Title text=tr("risk.title") />
        <div class="page-head">
            <h1>{tr("risk.title")}</h1>
            <a class="button" href=if mine { "/lifecycle/at-risk" } else { "/lifecycle/at-risk?mine=1" }>
                {if mine { tr("risk.everyone") } else { tr("risk.mine") }}</a>
        </div>
        <p class="muted">{tr("risk.explained")}</p>
        <Suspense fallback=|| view! { <p class="muted">{tr("form.loading")}</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => {
                        let next = page.next.clone().map(|n| format!("/lifecycle/at-risk?after={}{}", crate::core::url::encode(&n), if mine { "&mine=1" } else { "" }));
                        view! {
                            <section class="card"><RiskList page /></section>
                            {next.map(|href| view! { <p><a class="button" href=href>{tr("list.next_page")}</a></p> })}
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The client page's decline warning, explained.
#[component]
pub fn RiskNotice(client_id: i64) -> impl IntoView {
    let risk = Resource::new(move || client_id, load_client_risk);
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                risk.await.ok().flatten().map(|r| view! {
                    <div class="alert alert-warning" role="status">
                        <p><strong>{tr("risk.on_client")}</strong></p>
                        <ul>{r.reasons.iter().map(|t| view! { <li>{t.clone()}</li> }).collect_view()}</ul>
                    </div>
                })
            })}
        </Suspense>
    }
}

/// The home page's queue of the viewer's clients at risk.
#[component]
pub fn MyClientsAtRisk() -> impl IntoView {
    let page = Resource::new(|| (), |_| load_at_risk(false, None, 5));
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) => view! {
                        <h3 class="small-heading">{tr("risk.title")}</h3>
                        <RiskList page />
                        <p><a href="/lifecycle/at-risk?mine=1">{tr("risk.see_all")}</a></p>
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
