//! Demo deals for `seed-demo`: investors matched to projects (and tranches), in every stage
//! of the pipeline, with a stage move for each and a few earlier moves.
use super::model::*;
use super::repo::{self, NewMove};
use crate::server::audit::{self, Actor, AuditEntry};
use crate::server::db::Db;
use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use rand::rngs::StdRng;
use std::collections::HashSet;

const TERMS: &[&str] = &[
    "按季付息，提前还款需提前 30 天通知。",
    "要求每季度提供项目建设进度与现金流覆盖率报告。",
    "Coupon step-up of 50 bps if the DSCR falls below 1.2x.",
    "Co-investment right on the second phase, pro rata.",
    "",
];

/// Adds `count` deals when there are none yet; returns how many were added.
pub async fn seed_deals(
    db: &Db,
    rng: &mut StdRng,
    count: usize,
    now: DateTime<Utc>,
) -> Result<usize, String> {
    let err = |e: sqlx::Error| e.to_string();
    let existing: i64 =
        crate::with_db!(db, c => sqlx::query_scalar("SELECT COUNT(*) FROM deals").fetch_one(c).await)
            .map_err(err)?;
    if existing > 0 {
        return Ok(0);
    }
    let investors: Vec<(i64, i64)> = crate::with_db!(db, c => sqlx::query_as(
        "SELECT id, owner_id FROM clients WHERE is_investor = TRUE AND archived_at IS NULL ORDER BY id",
    )
    .fetch_all(c)
    .await)
    .map_err(err)?;
    let tranches: Vec<(i64, i64, i64)> = crate::with_db!(db, c => sqlx::query_as(
        "SELECT t.project_id, t.id, t.size FROM tranches t JOIN projects p ON p.id = t.project_id
         WHERE p.archived_at IS NULL ORDER BY t.id",
    )
    .fetch_all(c)
    .await)
    .map_err(err)?;
    if investors.is_empty() || tranches.is_empty() {
        return Ok(0);
    }
    let mut taken = HashSet::new();
    let mut created = 0;
    while created < count {
        let mut tx = db.begin().await.map_err(err)?;
        let batch_end = (created + 500).min(count);
        let mut attempts = 0;
        while created < batch_end && attempts < count * 4 {
            attempts += 1;
            let (client_id, owner_id) = investors[rng.gen_range(0..investors.len())];
            let (project_id, tranche_id, tranche_size) = tranches[rng.gen_range(0..tranches.len())];
            if !taken.insert((client_id, tranche_id)) {
                continue;
            }
            // The first eight deals cover every stage; the rest lean to the early stages.
            let stage = if created < DealStage::ALL.len() {
                DealStage::ALL[created]
            } else {
                let weights = [22, 18, 15, 12, 9, 8, 9, 7];
                let mut pick = rng.gen_range(0..weights.iter().sum::<usize>());
                let mut index = 0;
                while pick >= weights[index] {
                    pick -= weights[index];
                    index += 1;
                }
                DealStage::ALL[index]
            };
            // Tickets of 1%–15% of the tranche, in whole 万.
            let share = rng.gen_range(1..=15);
            let indicated = (tranche_size / 100 * share / 1_000_000).max(1) * 1_000_000;
            let committed = stage
                .needs_committed_amount()
                .then(|| indicated / 100 * rng.gen_range(70..=100));
            let created_at = now - Duration::days(rng.gen_range(1..720));
            // Open deals close in the future; finished ones closed after they started.
            let expected_close = if stage.is_open() {
                now + Duration::days(rng.gen_range(30..400))
            } else {
                (created_at + Duration::days(rng.gen_range(30..240))).min(now)
            };
            // One deal in ten is in US dollars (a foreign investor's ticket), so totals
            // show per currency and converted.
            let (currency, indicated, committed) = if rng.gen_range(0..10) == 0 {
                let usd = |cny: i64| (cny / 72 * 10 / 1_000_000).max(1) * 1_000_000;
                ("USD", usd(indicated), committed.map(usd))
            } else {
                ("CNY", indicated, committed)
            };
            let deal = ValidDeal {
                client_id,
                project_id,
                tranche_id: Some(tranche_id),
                owner_id: Some(owner_id),
                stage,
                currency: currency.into(),
                indicated_amount: Some(indicated),
                committed_amount: committed,
                probability: stage.default_probability(),
                expected_close: Some(expected_close.date_naive()),
                terms: Some(TERMS[rng.gen_range(0..TERMS.len())].to_string())
                    .filter(|t| !t.is_empty()),
                reason: None,
            };
            let id = repo::insert(&mut tx, &deal, owner_id, created_at)
                .await
                .map_err(err)?;
            let first = NewMove {
                deal_id: id,
                from: None,
                to: stage,
                by: owner_id,
                at: created_at,
                reason: None,
                request_id: None,
            };
            repo::insert_move(&mut tx, &first).await.map_err(err)?;
            audit::record(
                &mut tx,
                created_at,
                AuditEntry::new(Actor::System, "deal.create", "deal", Some(id)),
            )
            .await
            .map_err(err)?;
            created += 1;
        }
        tx.commit().await.map_err(err)?;
        if attempts >= count * 4 {
            break;
        }
    }
    repo::refresh_all_commitments(db).await.map_err(err)?;
    Ok(created)
}
