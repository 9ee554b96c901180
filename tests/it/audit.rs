//! The audit log is append-only on both engines.
use crate::helpers::*;
use covenant::server::audit::{self, Actor, AuditEntry};
use covenant::server::sqlx;
use covenant::{with_db, with_tx};

crate::on_both_engines!(the_audit_log_refuses_update_and_delete);

async fn the_audit_log_refuses_update_and_delete(engine: Engine) {
    let (app, _db) = TestApp::spawn(&engine).await;
    let mut tx = app.db.begin().await.expect("begin");
    let entry = AuditEntry::new(Actor::System, "test.record", "user", Some(1))
        .after(&serde_json::json!({"name": "王伟"}));
    audit::record(&mut tx, chrono::Utc::now(), entry)
        .await
        .expect("append");
    tx.commit().await.expect("commit");

    for sql in [
        "UPDATE audit_log SET action = 'forged'",
        "DELETE FROM audit_log",
    ] {
        let mut tx = app.db.begin().await.expect("begin");
        let result = with_tx!(&mut tx, c => sqlx::query(sql).execute(c).await.map(|_| ()));
        assert!(result.is_err(), "{sql} must be refused");
        drop(tx);
    }
    let actions: Vec<String> = with_db!(&app.db, c => sqlx::query_scalar("SELECT action FROM audit_log WHERE action LIKE 'test.%'").fetch_all(c).await).expect("read");
    assert_eq!(actions, vec!["test.record".to_string()]);
}
