//! Demo investors for `seed-demo`: the primary contacts of the three investor clients with
//! the most participations get portal access with a seeded password, and each project they
//! take part in gets a published progress update, a covenant report to acknowledge and a
//! term summary document shared with its investors.
//! Runs once: nothing is added when portal users exist.
use crate::auth::password;
use crate::portal::access::repo as access;
use crate::portal::repo::INVESTOR_STAGES;
use crate::projects::updates::model::{UpdateKind, ValidUpdate, hashed_content};
use crate::projects::updates::repo as updates;
use crate::server::audit::{self, Actor, AuditEntry};
use crate::server::db::Db;
use crate::with_db;
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

/// A demo investor's sign-in: e-mail, password, the entity they act for.
pub struct DemoInvestor {
    pub email: String,
    pub password: String,
    pub entity: String,
}

/// (client, client name, owner, contact, contact name, e-mail, language)
type Candidate = (i64, String, i64, i64, String, String, String);

pub async fn seed_portal(
    db: &Db,
    passwords: impl Fn() -> String,
    now: DateTime<Utc>,
) -> Result<Vec<DemoInvestor>, String> {
    let err = |e: sqlx::Error| e.to_string();
    let existing: i64 =
        with_db!(db, c => sqlx::query_scalar("SELECT COUNT(*) FROM portal_users").fetch_one(c).await)
            .map_err(err)?;
    if existing > 0 {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT c.id, c.display_name, c.owner_id, k.id, k.name, k.email, k.language
         FROM clients c
         JOIN contacts k ON k.id = (SELECT MIN(k2.id) FROM contacts k2
                                    WHERE k2.client_id = c.id AND k2.removed_at IS NULL
                                      AND k2.email IS NOT NULL AND k2.email <> '')
         WHERE c.is_investor = TRUE AND c.archived_at IS NULL
         ORDER BY (SELECT COUNT(*) FROM deals d WHERE d.client_id = c.id
                     AND d.archived_at IS NULL AND d.stage IN {INVESTOR_STAGES}) DESC, c.id
         LIMIT 3"
    );
    let candidates: Vec<Candidate> =
        with_db!(db, c => sqlx::query_as(&sql).fetch_all(c).await).map_err(err)?;
    let mut investors = Vec::new();
    for (client, entity, owner, contact, name, email, language) in candidates {
        let secret = passwords();
        let hash = password::hash(secret.clone()).await?;
        let email = email.to_lowercase();
        let mut tx = db.begin().await.map_err(err)?;
        let user = access::insert(
            &mut tx,
            &access::NewPortalUser {
                contact_id: contact,
                email: &email,
                name: &name,
                locale: &language,
                invited_by: owner,
            },
            now,
        )
        .await
        .map_err(err)?;
        access::set_password(&mut tx, user, &hash.0, now)
            .await
            .map_err(err)?;
        access::link_client(&mut tx, user, client, owner, now)
            .await
            .map_err(err)?;
        let entry = AuditEntry::new(Actor::System, "portal.invite", "portal_user", Some(user));
        audit::record(&mut tx, now, entry).await.map_err(err)?;
        tx.commit().await.map_err(err)?;
        investors.push(DemoInvestor {
            email,
            password: secret,
            entity,
        });
    }
    publish_demo_updates(db, now).await?;
    Ok(investors)
}

/// A progress update and a covenant report, published, for each project a demo investor
/// takes part in.
async fn publish_demo_updates(db: &Db, now: DateTime<Utc>) -> Result<(), String> {
    let err = |e: sqlx::Error| e.to_string();
    let sql = format!(
        "SELECT DISTINCT p.id, p.name, p.owner_id FROM projects p
         JOIN deals d ON d.project_id = p.id AND d.archived_at IS NULL
                     AND d.stage IN {INVESTOR_STAGES}
         JOIN portal_user_clients pa ON pa.client_id = d.client_id
         WHERE p.archived_at IS NULL ORDER BY p.id LIMIT 20"
    );
    let projects: Vec<(i64, String, i64)> =
        with_db!(db, c => sqlx::query_as(&sql).fetch_all(c).await).map_err(err)?;
    for (n, (project, name, owner)) in projects.into_iter().enumerate() {
        let items = [
            ValidUpdate {
                kind: UpdateKind::Progress,
                title: format!("{name}：本季度建设进展"),
                body: "主体工程按计划推进，累计完成投资约 62%。关键设备已到场，预计下季度完成安装调试。\n\n本季度未发生安全事故，环境监测指标均在许可范围内。".into(),
            },
            ValidUpdate {
                kind: UpdateKind::CovenantReport,
                title: format!("{name}：季度契约合规报告"),
                body: "偿债覆盖率（DSCR）1.38 倍，高于 1.20 倍的契约要求；资产负债率 64%，低于 70% 的上限。\n\n本期无违约事件，储备账户余额满足六个月偿债要求。".into(),
            },
        ];
        share_term_summary(db, project, &name, owner, now - Duration::days(40)).await?;
        for (i, update) in items.iter().enumerate() {
            let at = now - Duration::days(30 - (n as i64 % 20)) + Duration::hours(i as i64);
            let hash = hex::encode(Sha256::digest(hashed_content(
                update.kind,
                &update.title,
                &update.body,
            )));
            let mut tx = db.begin().await.map_err(err)?;
            let id = updates::insert_draft(&mut tx, project, owner, update, None, at)
                .await
                .map_err(err)?;
            updates::publish(&mut tx, id, 1, &hash, owner, at)
                .await
                .map_err(err)?;
            tx.commit().await.map_err(err)?;
        }
    }
    Ok(())
}

/// A short text document shared with every investor of `project`, stored like an upload.
async fn share_term_summary(
    db: &Db,
    project: i64,
    name: &str,
    owner: i64,
    at: DateTime<Utc>,
) -> Result<(), String> {
    use crate::projects::documents::model::{ValidUpload, Visibility};
    use crate::projects::documents::repo as documents;
    let err = |e: sqlx::Error| e.to_string();
    let text = format!(
        "{name} 融资条款摘要\n\n本文件概述本项目各档融资的主要条款：金额、期限、定价与担保安排。\n\
         所有数字以签署的融资文件为准。\n"
    );
    let file_name = format!("{name}-融资条款摘要.txt");
    let id = documents::insert_uploading(db, project, &file_name, "text/plain", owner, at)
        .await
        .map_err(err)?;
    documents::insert_chunk(db, id, 0, text.as_bytes())
        .await
        .map_err(err)?;
    let upload = ValidUpload {
        title: format!("{name}：融资条款摘要"),
        visibility: Visibility::Project,
        client_id: None,
    };
    let sha256 = hex::encode(Sha256::digest(text.as_bytes()));
    let done = documents::Finished {
        upload: &upload,
        size: text.len() as i64,
        chunks: 1,
        sha256: &sha256,
    };
    let mut tx = db.begin().await.map_err(err)?;
    documents::finish(&mut tx, id, &done).await.map_err(err)?;
    tx.commit().await.map_err(err)
}
