//! Sign-in sessions live in the database (table `sessions`, created by our migrations), so
//! any app server can serve any request. One `SessionStore` delegates to the SQLite or the
//! PostgreSQL store of tower-sessions-sqlx-store; on SQLite, loads use the read pool and
//! writes the single write connection.
use super::db::Db;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

const TABLE: &str = "sessions";

#[derive(Clone, Debug)]
pub enum Store {
    Sqlite {
        read: SqliteStore,
        write: SqliteStore,
    },
    Postgres(PostgresStore),
}

impl Store {
    pub fn new(db: &Db) -> Result<Store, String> {
        Ok(match db {
            Db::Sqlite { write, read } => Store::Sqlite {
                read: SqliteStore::new(read.clone()).with_table_name(TABLE)?,
                write: SqliteStore::new(write.clone()).with_table_name(TABLE)?,
            },
            Db::Postgres(pool) => Store::Postgres(
                PostgresStore::new(pool.clone())
                    .with_schema_name("public")?
                    .with_table_name(TABLE)?,
            ),
        })
    }
}

#[async_trait::async_trait]
impl SessionStore for Store {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            Store::Sqlite { write, .. } => write.create(record).await,
            Store::Postgres(store) => store.create(record).await,
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            Store::Sqlite { write, .. } => write.save(record).await,
            Store::Postgres(store) => store.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            Store::Sqlite { read, .. } => read.load(id).await,
            Store::Postgres(store) => store.load(id).await,
        }
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            Store::Sqlite { write, .. } => write.delete(id).await,
            Store::Postgres(store) => store.delete(id).await,
        }
    }
}

/// Removes sessions whose expiry has passed (run hourly by the job worker).
pub async fn delete_expired(db: &Db) -> Result<(), String> {
    let store = Store::new(db)?;
    let result = match &store {
        Store::Sqlite { write, .. } => write.delete_expired().await,
        Store::Postgres(store) => store.delete_expired().await,
    };
    result.map_err(|e| e.to_string())
}
