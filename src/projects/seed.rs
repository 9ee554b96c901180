//! Demo projects for `seed-demo`: a project (with one to three tranches) for many of the
//! borrower clients, in several sectors, countries and stages.
use super::model::*;
use super::repo;
use crate::clients::model::{Instrument, RiskAppetite, Sector};
use crate::server::audit::{self, Actor, AuditEntry};
use crate::server::db::Db;
use chrono::{DateTime, Utc};
use rand::Rng;
use rand::rngs::StdRng;

const KINDS: &[(&str, &str, Sector)] = &[
    ("海上风电", "Offshore Wind", Sector::Renewables),
    ("光伏电站", "Solar Park", Sector::Renewables),
    ("城际铁路", "Intercity Rail", Sector::Transport),
    ("高速公路", "Expressway", Sector::Transport),
    ("污水处理厂", "Wastewater Plant", Sector::Water),
    ("数据中心", "Data Centre", Sector::Telecom),
    ("医院", "Hospital", Sector::SocialInfrastructure),
    ("天然气电厂", "Gas-fired Plant", Sector::Energy),
];
const COUNTRIES: &[&str] = &["CN", "CN", "CN", "ID", "VN", "MY", "SG", "TH"];
const PHASES: &[(&str, &str)] = &[
    ("一期", "Phase I"),
    ("二期", "Phase II"),
    ("扩建", "Expansion"),
];

/// Adds up to `count` projects for borrower clients that have none; returns how many.
pub async fn seed_projects(
    db: &Db,
    rng: &mut StdRng,
    count: usize,
    now: DateTime<Utc>,
) -> Result<usize, String> {
    let err = |e: sqlx::Error| e.to_string();
    let sponsors: Vec<(i64, String, i64)> = crate::with_db!(db, c => sqlx::query_as(
        "SELECT c.id, c.display_name, c.owner_id FROM clients c
         WHERE c.is_borrower = TRUE AND c.archived_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM projects p WHERE p.sponsor_id = c.id)
         ORDER BY c.id LIMIT $1",
    )
    .bind(count as i64)
    .fetch_all(c)
    .await)
    .map_err(err)?;
    let mut created = 0;
    for chunk in sponsors.chunks(500) {
        let mut tx = db.begin().await.map_err(err)?;
        for (sponsor_id, sponsor_name, owner_id) in chunk {
            let (kind, kind_en, sector) = KINDS[rng.gen_range(0..KINDS.len())];
            let (phase, phase_en) = PHASES[rng.gen_range(0..PHASES.len())];
            let place: String = sponsor_name.chars().take(2).collect();
            let size_yi = rng.gen_range(5..120);
            let project = ValidProject {
                sponsor_id: *sponsor_id,
                name: format!("{place}{kind}{phase}"),
                latin_name: Some(format!("{kind_en} {phase_en} #{sponsor_id}")),
                sector,
                country: COUNTRIES[rng.gen_range(0..COUNTRIES.len())].to_string(),
                total_size: size_yi * 100_000_000 * 100,
                currency: "CNY".into(),
                stage: ProjectStage::ALL[rng.gen_range(0..ProjectStage::ALL.len())],
                risk_rating: RiskRating::ALL[rng.gen_range(0..RiskRating::ALL.len())],
                expected_return_bps: Some(rng.gen_range(450..1200)),
                tenor_months: Some([120, 180, 240, 300][rng.gen_range(0..4)]),
                esg_category: EsgCategory::ALL[rng.gen_range(0..EsgCategory::ALL.len())],
                showcase: rng.gen_range(0..10) == 0,
                description: None,
            };
            let id = repo::insert(&mut tx, &project, *owner_id, now)
                .await
                .map_err(err)?;
            let layers = [
                (
                    "A 档优先级",
                    Instrument::SeniorDebt,
                    60,
                    380,
                    RiskAppetite::Conservative,
                ),
                (
                    "B 档夹层",
                    Instrument::Mezzanine,
                    25,
                    750,
                    RiskAppetite::Growth,
                ),
                (
                    "股权",
                    Instrument::Equity,
                    15,
                    1400,
                    RiskAppetite::Aggressive,
                ),
            ];
            for (name, instrument, share, pricing, band) in layers.iter().take(rng.gen_range(1..=3))
            {
                let tranche = ValidTranche {
                    name: name.to_string(),
                    instrument: *instrument,
                    size: project.total_size / 100 * share,
                    currency: "CNY".into(),
                    pricing_bps: Some(*pricing + rng.gen_range(0..60)),
                    tenor_months: project.tenor_months,
                    risk_band: *band,
                };
                repo::insert_tranche(&mut tx, id, &tranche, now)
                    .await
                    .map_err(err)?;
            }
            audit::record(
                &mut tx,
                now,
                AuditEntry::new(Actor::System, "project.create", "project", Some(id)),
            )
            .await
            .map_err(err)?;
            created += 1;
        }
        tx.commit().await.map_err(err)?;
    }
    Ok(created)
}
