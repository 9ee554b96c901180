//! Demo interactions for `seed-demo`: two years of meetings, calls, e-mails, notes and site
//! visits with each client, with contacts and the owner taking part.
use super::model::{InteractionKind, ValidInteraction};
use super::repo;
use crate::server::db::Db;
use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use rand::rngs::StdRng;
use std::collections::HashMap;

const SUMMARIES: &[(InteractionKind, &str)] = &[
    (
        InteractionKind::Meeting,
        "季度回顾会议：讨论投资组合表现与下一期配置意向。",
    ),
    (
        InteractionKind::Meeting,
        "Portfolio review: discussed appetite for senior debt in renewables.",
    ),
    (
        InteractionKind::Call,
        "电话沟通尽调资料清单，对方将于下周提供财务报表。",
    ),
    (
        InteractionKind::Call,
        "Call on term sheet comments; pricing gap of about 25 bps remains.",
    ),
    (InteractionKind::Email, "发送项目进展月报及风险评估更新。"),
    (
        InteractionKind::Email,
        "Sent the monthly progress update and covenant compliance report.",
    ),
    (
        InteractionKind::Note,
        "客户对 ESG 披露要求较高，后续材料需附环境影响评估。",
    ),
    (
        InteractionKind::Note,
        "Investment committee moved to the second week of next month.",
    ),
    (
        InteractionKind::SiteVisit,
        "陪同客户实地考察项目现场，施工进度符合计划。",
    ),
    (
        InteractionKind::Event,
        "Attended the annual investor day; strong interest in phase II.",
    ),
];

/// Adds about `per_client` interactions to each client when there are none yet, spread
/// over the two years before `now`; returns how many were added.
pub async fn seed_interactions(
    db: &Db,
    rng: &mut StdRng,
    per_client: usize,
    now: DateTime<Utc>,
) -> Result<usize, String> {
    let err = |e: sqlx::Error| e.to_string();
    let existing: i64 = crate::with_db!(db, c => sqlx::query_scalar("SELECT COUNT(*) FROM interactions").fetch_one(c).await)
        .map_err(err)?;
    if existing > 0 {
        return Ok(0);
    }
    let clients: Vec<(i64, i64)> = crate::with_db!(db, c => sqlx::query_as(
        "SELECT id, owner_id FROM clients WHERE archived_at IS NULL ORDER BY id",
    )
    .fetch_all(c)
    .await)
    .map_err(err)?;
    let mut contacts: HashMap<i64, Vec<i64>> = HashMap::new();
    let rows: Vec<(i64, i64)> = crate::with_db!(db, c => sqlx::query_as(
        "SELECT client_id, id FROM contacts ORDER BY id",
    )
    .fetch_all(c)
    .await)
    .map_err(err)?;
    for (client_id, id) in rows {
        contacts.entry(client_id).or_default().push(id);
    }
    let mut projects: HashMap<i64, Vec<i64>> = HashMap::new();
    let rows: Vec<(i64, i64)> = crate::with_db!(db, c => sqlx::query_as(
        "SELECT client_id, project_id FROM deals UNION SELECT sponsor_id, id FROM projects",
    )
    .fetch_all(c)
    .await)
    .map_err(err)?;
    for (client_id, project_id) in rows {
        projects.entry(client_id).or_default().push(project_id);
    }
    let mut created = 0;
    for chunk in clients.chunks(400) {
        let mut tx = db.begin().await.map_err(err)?;
        for (client_id, owner_id) in chunk {
            let n = rng.gen_range(per_client / 2..=per_client * 3 / 2);
            for _ in 0..n {
                let (kind, summary) = SUMMARIES[rng.gen_range(0..SUMMARIES.len())];
                // Office hours in China (01:00–10:00 UTC is 09:00–18:00 in Shanghai).
                let day = (now - Duration::days(rng.gen_range(1..730))).date_naive();
                let Some(at) = day.and_hms_opt(rng.gen_range(1..10), rng.gen_range(0..60), 0)
                else {
                    continue;
                };
                let at = at.and_utc();
                let people = contacts.get(client_id).cloned().unwrap_or_default();
                let mut contact_ids: Vec<i64> = people
                    .iter()
                    .copied()
                    .filter(|_| rng.gen_range(0..3) == 0)
                    .collect();
                if contact_ids.is_empty() && !people.is_empty() {
                    contact_ids.push(people[0]);
                }
                let project_id = projects
                    .get(client_id)
                    .filter(|_| rng.gen_range(0..2) == 0)
                    .map(|list| list[rng.gen_range(0..list.len())]);
                let interaction = ValidInteraction {
                    kind,
                    occurred_local: at.naive_utc(),
                    project_id,
                    contact_ids,
                    staff_ids: vec![*owner_id],
                    summary: summary.to_string(),
                };
                repo::insert(&mut tx, *client_id, &interaction, at, *owner_id, at)
                    .await
                    .map_err(err)?;
                created += 1;
            }
        }
        tx.commit().await.map_err(err)?;
    }
    Ok(created)
}
