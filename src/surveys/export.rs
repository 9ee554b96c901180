//! The CSV export of a survey's responses: UTF-8 with a byte-order mark so spreadsheet
//! programs read Chinese, one row per response and a column per question, and every cell
//! that a spreadsheet would run as a formula (starting with = + - @) made plain text.
use super::repo;
use crate::auth::backend::AuthSession;
use crate::core::error::AppError;
use crate::core::i18n::{self, Lang};
use crate::core::roles::Permission;
use crate::server::errors::db;
use crate::server::forms::{query_lookup, render_error_page, sign_in_first};
use crate::server::state::AppState;
use axum::extract::{Path, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use std::collections::BTreeMap;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A cell as a spreadsheet shows it, never as a formula: a leading = + - @ (or a tab or
/// carriage return, which some programs skip first) gets a leading apostrophe.
pub fn spreadsheet_safe(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_string(),
    }
}

/// The CSV text of `header` and `rows`, BOM first, every cell made safe.
pub fn csv_bytes(header: &[String], rows: &[Vec<String>]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::Writer::from_writer(BOM.to_vec());
    writer.write_record(header.iter().map(|c| spreadsheet_safe(c)))?;
    for row in rows {
        writer.write_record(row.iter().map(|c| spreadsheet_safe(c)))?;
    }
    writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}

/// The text of one answer: its score, its chosen choices, or what was written.
fn answer_text(a: &repo::AnswerRecord, choices: &[String]) -> String {
    if let Some(score) = a.score {
        return score.to_string();
    }
    if let Some(body) = &a.body {
        return body.clone();
    }
    a.choices
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .filter_map(|i| i.trim().parse::<usize>().ok())
        .filter_map(|i| choices.get(i).cloned())
        .collect::<Vec<_>>()
        .join("; ")
}

async fn export(
    state: &AppState,
    survey: i64,
    wave: Option<i64>,
    lang: Lang,
    tz: &str,
) -> Result<Vec<u8>, AppError> {
    super::service::found(state, survey).await?;
    let questions = repo::answered_questions(&state.db, survey)
        .await
        .map_err(db)?;
    let rows = repo::export_rows(&state.db, survey, wave)
        .await
        .map_err(db)?;
    let answers = repo::answers(&state.db, survey, wave).await.map_err(db)?;
    let mut header: Vec<String> = [
        "survey.csv.response",
        "survey.wave",
        "survey.csv.submitted",
        "survey.csv.language",
        "survey.csv.client",
        "survey.csv.contact",
        "clients.risk",
        "clients.band",
        "clients.stage",
    ]
    .iter()
    .map(|k| i18n::t(lang, k))
    .collect();
    let prompts_and_choices: Vec<(i64, Vec<String>)> = questions
        .iter()
        .map(|(q, _)| {
            let (prompt, choices) = match lang {
                Lang::Zh => (&q.prompt_zh, &q.choices_zh),
                Lang::En => (&q.prompt_en, &q.choices_en),
            };
            header.push(prompt.clone());
            (q.id, super::model::lines(choices))
        })
        .collect();
    let mut by_response: BTreeMap<(i64, i64), &repo::AnswerRecord> = BTreeMap::new();
    for a in &answers {
        by_response.insert((a.response_id, a.question_id), a);
    }
    let code = |prefix: &str, v: &Option<String>| {
        v.as_ref()
            .map(|v| i18n::t(lang, &format!("{prefix}.{v}")))
            .unwrap_or_default()
    };
    let lines: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut line = vec![
                r.id.to_string(),
                r.wave.map(|w| w.to_string()).unwrap_or_default(),
                crate::server::format::date_time(r.submitted_at, tz),
                r.language.clone(),
                r.client.clone().unwrap_or_default(),
                r.contact.clone().unwrap_or_default(),
                code("risk", &r.risk_appetite),
                code("band", &r.ticket_band),
                code("stage", &r.lifecycle_stage),
            ];
            for (question, choices) in &prompts_and_choices {
                line.push(
                    by_response
                        .get(&(r.id, *question))
                        .map(|a| answer_text(a, choices))
                        .unwrap_or_default(),
                );
            }
            line
        })
        .collect();
    csv_bytes(&header, &lines).map_err(|e| {
        tracing::error!(error = %e, "could not write the survey export");
        AppError::Internal {
            reference: crate::server::idempotency::new_key(),
        }
    })
}

/// GET `/surveys/{id}/responses.csv` (`?wave=` for one wave): for staff who may export.
pub async fn responses_csv(
    State(state): State<AppState>,
    auth: AuthSession,
    Path(survey): Path<i64>,
    parts: Parts,
) -> Response {
    let Some(me) = auth.user else {
        return sign_in_first(&parts);
    };
    if !me.me().can(Permission::Export) {
        return render_error_page(&state, parts, AppError::Forbidden).await;
    }
    let wave = query_lookup(parts.uri.query().unwrap_or_default())("wave")
        .and_then(|w| w.parse::<i64>().ok());
    let lang = Lang::parse(&me.0.locale).unwrap_or_default();
    match export(&state, survey, wave, lang, &me.0.time_zone).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"survey-{survey}-responses.csv\""),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(error) => render_error_page(&state, parts, error).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_made_plain_text() {
        assert_eq!(spreadsheet_safe("=SUM(A1:A9)"), "'=SUM(A1:A9)");
        assert_eq!(spreadsheet_safe("+86 10 1234"), "'+86 10 1234");
        assert_eq!(spreadsheet_safe("-5"), "'-5");
        assert_eq!(spreadsheet_safe("@cmd"), "'@cmd");
        assert_eq!(spreadsheet_safe("很好"), "很好");
        assert_eq!(spreadsheet_safe(""), "");
    }

    #[test]
    fn the_file_starts_with_a_bom_and_quotes_what_needs_it() {
        let bytes = csv_bytes(
            &["编号".to_string(), "意见".to_string()],
            &[vec!["1".to_string(), "报告\"太晚\", =1+1".to_string()]],
        )
        .expect("csv");
        assert!(bytes.starts_with(BOM));
        let text = String::from_utf8(bytes[3..].to_vec()).expect("utf-8");
        assert_eq!(text, "编号,意见\n1,\"报告\"\"太晚\"\", =1+1\"\n");
    }
}
