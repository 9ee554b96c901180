//! A survey's results for staff: the response rate, per question the score and the spread
//! of answers, scores by segment and lifecycle stage as recorded with each response, and
//! the trend over waves (or months, for answers through the open link) drawn as SVG. The
//! arithmetic is in `scoring`.
use super::model::{QuestionKind, QuestionResult, SegmentScore, SurveyResults, TrendPoint, lines};
use super::repo::{self, AnswerRecord, QuestionRecord};
use super::scoring;
use super::service::{found, title_in};
use crate::auth::backend::StaffUser;
use crate::core::error::AppError;
use crate::core::i18n::{self, Lang};
use crate::core::roles::Permission;
use crate::server::errors::db;
use crate::server::state::AppState;
use std::collections::BTreeMap;

/// Free-text answers shown per question (the CSV export has them all).
const TEXTS_SHOWN: usize = 20;

pub async fn results(
    state: &AppState,
    me: &StaffUser,
    survey: i64,
    wave: Option<i64>,
) -> Result<SurveyResults, AppError> {
    let s = found(state, survey).await?;
    let lang = Lang::parse(&me.0.locale).unwrap_or_default();
    let waves = repo::waves(&state.db, survey).await.map_err(db)?;
    let wave = wave.filter(|w| waves.iter().any(|x| x.id == *w));
    let questions = repo::answered_questions(&state.db, survey)
        .await
        .map_err(db)?;
    let answers = repo::answers(&state.db, survey, wave).await.map_err(db)?;
    let (responses, invited) = repo::response_counts(&state.db, survey, wave)
        .await
        .map_err(db)?;
    let kinds: BTreeMap<i64, QuestionKind> = questions
        .iter()
        .filter_map(|(q, _)| QuestionKind::parse(&q.kind).map(|k| (q.id, k)))
        .collect();
    let all_answers = match wave {
        None => answers.clone(),
        Some(_) => repo::answers(&state.db, survey, None).await.map_err(db)?,
    };
    let wave_numbers: BTreeMap<i64, i64> = waves.iter().map(|w| (w.id, w.number)).collect();
    let trend = trend(&all_answers, &kinds, &wave_numbers, lang, &me.0.time_zone);
    let trend_svg = trend_chart(&trend, lang);
    Ok(SurveyResults {
        id: survey,
        title: title_in(&s, lang),
        status: super::model::SurveyStatus::parse(&s.status),
        waves: waves.iter().rev().map(|w| (w.id, w.number)).collect(),
        wave,
        responses,
        invited,
        response_rate: scoring::percent(responses as usize, invited as usize),
        questions: questions
            .iter()
            .map(|(q, retired)| question_result(q, *retired, &answers, lang))
            .collect(),
        by_risk: segments(&answers, &kinds, |a| {
            a.risk_appetite.as_ref().map(|r| format!("risk.{r}"))
        }),
        by_stage: segments(&answers, &kinds, |a| {
            a.lifecycle_stage.as_ref().map(|s| format!("stage.{s}"))
        }),
        trend,
        trend_svg,
        may_export: me.me().can(Permission::Export),
    })
}

fn question_result(
    q: &QuestionRecord,
    retired: bool,
    answers: &[AnswerRecord],
    lang: Lang,
) -> QuestionResult {
    let kind = QuestionKind::parse(&q.kind);
    let mine: Vec<&AnswerRecord> = answers.iter().filter(|a| a.question_id == q.id).collect();
    let scores: Vec<i64> = mine.iter().filter_map(|a| a.score).collect();
    let (prompt, choices) = match lang {
        Lang::Zh => (q.prompt_zh.clone(), lines(&q.choices_zh)),
        Lang::En => (q.prompt_en.clone(), lines(&q.choices_en)),
    };
    let distribution = match kind {
        Some(k) if k.scale().is_some() => scoring::distribution(k, &scores)
            .into_iter()
            .map(|(v, n)| (v.to_string(), n))
            .collect(),
        Some(k) if k.has_choices() => choice_counts(&choices, &mine),
        _ => Vec::new(),
    };
    QuestionResult {
        id: q.id,
        kind,
        prompt,
        retired,
        answers: mine.len() as u64,
        nps: (kind == Some(QuestionKind::Nps))
            .then(|| scoring::nps(&scores))
            .flatten(),
        csat: (kind == Some(QuestionKind::Csat))
            .then(|| scoring::csat(&scores))
            .flatten(),
        ces: (kind == Some(QuestionKind::Ces))
            .then(|| scoring::ces(&scores))
            .flatten(),
        mean: scoring::mean(&scores),
        distribution,
        texts: mine
            .iter()
            .rev()
            .filter_map(|a| a.body.clone())
            .take(TEXTS_SHOWN)
            .collect(),
    }
}

fn choice_counts(choices: &[String], answers: &[&AnswerRecord]) -> Vec<(String, u64)> {
    let mut counts = vec![0u64; choices.len()];
    for a in answers {
        for at in a.choices.as_deref().unwrap_or_default().split(',') {
            if let Some(n) = at
                .trim()
                .parse::<usize>()
                .ok()
                .and_then(|i| counts.get_mut(i))
            {
                *n += 1;
            }
        }
    }
    choices.iter().cloned().zip(counts).collect()
}

/// The scores of a set of answers: (NPS, CSAT, CES) over every question of each kind.
fn scores_of<'a>(
    answers: impl Iterator<Item = &'a AnswerRecord>,
    kinds: &BTreeMap<i64, QuestionKind>,
) -> (Option<i64>, Option<f64>, Option<f64>) {
    let (mut nps, mut csat, mut ces) = (Vec::new(), Vec::new(), Vec::new());
    for a in answers {
        let Some(score) = a.score else { continue };
        match kinds.get(&a.question_id) {
            Some(QuestionKind::Nps) => nps.push(score),
            Some(QuestionKind::Csat) => csat.push(score),
            Some(QuestionKind::Ces) => ces.push(score),
            _ => {}
        }
    }
    (
        scoring::nps(&nps).map(|n| n.score),
        scoring::csat(&csat),
        scoring::ces(&ces),
    )
}

fn responses_in<'a>(answers: impl Iterator<Item = &'a AnswerRecord>) -> u64 {
    let mut ids: Vec<i64> = answers.map(|a| a.response_id).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.len() as u64
}

/// Scores per segment named by `segment_of` (responses without one are left out).
fn segments(
    answers: &[AnswerRecord],
    kinds: &BTreeMap<i64, QuestionKind>,
    segment_of: impl Fn(&AnswerRecord) -> Option<String>,
) -> Vec<SegmentScore> {
    let mut groups: BTreeMap<String, Vec<&AnswerRecord>> = BTreeMap::new();
    for a in answers {
        if let Some(key) = segment_of(a) {
            groups.entry(key).or_default().push(a);
        }
    }
    groups
        .into_iter()
        .map(|(label_key, group)| {
            let (nps, csat, ces) = scores_of(group.iter().copied(), kinds);
            SegmentScore {
                label_key,
                responses: responses_in(group.iter().copied()),
                nps,
                csat,
                ces,
            }
        })
        .collect()
}

/// Scores per wave in wave order, then per month for answers outside any wave.
fn trend(
    answers: &[AnswerRecord],
    kinds: &BTreeMap<i64, QuestionKind>,
    wave_numbers: &BTreeMap<i64, i64>,
    lang: Lang,
    tz: &str,
) -> Vec<TrendPoint> {
    let mut by_wave: BTreeMap<i64, Vec<&AnswerRecord>> = BTreeMap::new();
    let mut by_month: BTreeMap<String, Vec<&AnswerRecord>> = BTreeMap::new();
    for a in answers {
        match a.wave_id.and_then(|w| wave_numbers.get(&w)) {
            Some(number) => by_wave.entry(*number).or_default().push(a),
            None => by_month
                .entry(crate::server::format::month(a.submitted_at, tz))
                .or_default()
                .push(a),
        }
    }
    let point = |label: String, group: &[&AnswerRecord]| {
        let (nps, csat, ces) = scores_of(group.iter().copied(), kinds);
        TrendPoint {
            label,
            responses: responses_in(group.iter().copied()),
            nps,
            csat,
            ces,
        }
    };
    let waves = by_wave.iter().map(|(n, group)| {
        point(
            i18n::t_with(lang, "survey.wave_n", &[("n", &n.to_string())]),
            group,
        )
    });
    let months = by_month.iter().map(|(m, group)| point(m.clone(), group));
    waves.chain(months).collect()
}

/// The trend chart: NPS when the survey asks it, else CSAT, else CES.
fn trend_chart(trend: &[TrendPoint], lang: Lang) -> String {
    let series = |f: fn(&TrendPoint) -> Option<f64>| -> Vec<(String, Option<f64>)> {
        trend.iter().map(|p| (p.label.clone(), f(p))).collect()
    };
    if trend.iter().any(|p| p.nps.is_some()) {
        let points = series(|p| p.nps.map(|n| n as f64));
        crate::ui::chart::line_chart(&i18n::t(lang, "survey.trend_nps"), &points, -100.0, 100.0)
    } else if trend.iter().any(|p| p.csat.is_some()) {
        crate::ui::chart::line_chart(
            &i18n::t(lang, "survey.trend_csat"),
            &series(|p| p.csat),
            0.0,
            100.0,
        )
    } else if trend.iter().any(|p| p.ces.is_some()) {
        crate::ui::chart::line_chart(
            &i18n::t(lang, "survey.trend_ces"),
            &series(|p| p.ces),
            1.0,
            7.0,
        )
    } else {
        String::new()
    }
}
