//! The SQLite and PostgreSQL migrations must define the same tables and columns, with types
//! that decode the same way (DESIGN §3), so the two engines cannot drift apart.
use crate::helpers::*;
use covenant::server::db::Db;
use covenant::server::sqlx;
use std::collections::BTreeMap;

/// (table, column) → (type family, nullable)
type Columns = BTreeMap<(String, String), (String, bool)>;

fn family_of_sqlite(declared: &str) -> String {
    match declared.to_uppercase().as_str() {
        "INTEGER" | "BIGINT" => "bigint",
        "BOOLEAN" => "boolean",
        "TEXT" => "text",
        "BLOB" => "bytes",
        other => return format!("unexpected sqlite type {other}"),
    }
    .to_string()
}

fn family_of_postgres(declared: &str) -> String {
    match declared {
        "bigint" => "bigint",
        "boolean" => "boolean",
        "text" => "text",
        "timestamp with time zone" => "timestamp",
        "bytea" => "bytes",
        "date" => "date",
        other => return format!("unexpected postgres type {other}"),
    }
    .to_string()
}

async fn sqlite_columns(db: &Db) -> Columns {
    let Db::Sqlite { read, .. } = db else {
        panic!("sqlite expected")
    };
    let rows: Vec<(String, String, String, bool, i64)> = sqlx::query_as(
        "SELECT m.name, p.name, p.type, p.\"notnull\", p.pk
         FROM sqlite_master m JOIN pragma_table_info(m.name) p
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '_sqlx_migrations'",
    )
    .fetch_all(read)
    .await
    .expect("sqlite schema");
    rows.into_iter()
        .map(|(t, c, ty, notnull, pk)| ((t, c), (family_of_sqlite(&ty), !(notnull || pk > 0))))
        .collect()
}

async fn postgres_columns(db: &Db) -> Columns {
    let Db::Postgres(pool) = db else {
        panic!("postgres expected")
    };
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text
         FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations'",
    )
    .fetch_all(pool)
    .await
    .expect("postgres schema");
    rows.into_iter()
        .map(|(t, c, ty, nullable)| ((t, c), (family_of_postgres(&ty), nullable == "YES")))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_engines_have_the_same_tables_columns_and_types() {
    let Some(pg_engine) = postgres() else { return };
    let (lite, _a) = TestApp::spawn(&Engine::Sqlite).await;
    let (pg, _b) = TestApp::spawn(&pg_engine).await;
    let lite = sqlite_columns(&lite.db).await;
    let pg = postgres_columns(&pg.db).await;
    assert!(!lite.is_empty() && !pg.is_empty());

    let lite_keys: Vec<_> = lite.keys().collect();
    let pg_keys: Vec<_> = pg.keys().collect();
    assert_eq!(
        lite_keys, pg_keys,
        "the same tables and columns on both engines"
    );

    for (column, (pg_family, pg_nullable)) in &pg {
        let (lite_family, lite_nullable) = &lite[column];
        assert!(
            !pg_family.starts_with("unexpected") && !lite_family.starts_with("unexpected"),
            "{column:?}: {pg_family} / {lite_family}"
        );
        // Timestamps are TIMESTAMPTZ on PostgreSQL and RFC 3339 TEXT on SQLite (the sessions
        // store writes its expiry as text into a column it declares INTEGER).
        let compatible = pg_family == lite_family
            || (pg_family == "timestamp" && (lite_family == "text" || column.0 == "sessions"))
            || (pg_family == "date" && lite_family == "text");
        assert!(
            compatible,
            "{column:?}: postgres {pg_family}, sqlite {lite_family}"
        );
        assert_eq!(
            pg_nullable, lite_nullable,
            "{column:?}: nullability differs"
        );
    }
}
