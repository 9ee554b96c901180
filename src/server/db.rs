//! One binary, two engines. `Db` and `Tx` wrap the SQLite and PostgreSQL pools; the
//! `with_db!` / `with_tx!` macros run the same SQL text on whichever is configured
//! (`sqlx::Any` cannot carry chrono types, so we dispatch ourselves).
//!
//! Type rules for every table (see DESIGN §3): BIGINT, BOOLEAN, TEXT, and timestamps as
//! TIMESTAMPTZ (PostgreSQL) / TEXT (SQLite); `$n` placeholders; no time defaults in SQL;
//! `CAST(COALESCE(SUM(x), 0) AS BIGINT)` for sums.
use super::config::SqliteSync;
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Postgres, Sqlite, Transaction};
use std::str::FromStr;
use std::time::Duration;

/// An exhausted pool answers quickly (503) instead of hanging a request for 30 s.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Clone, Debug)]
pub enum Db {
    /// Writes go through one connection (they queue in the process and begin IMMEDIATE);
    /// reads use a pool of their own, which WAL lets run beside the writer.
    Sqlite {
        write: SqlitePool,
        read: SqlitePool,
    },
    Postgres(PgPool),
}

/// A write transaction on either engine.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Runs `$body` with `$conn` bound to the read pool of whichever engine `$db` is.
#[macro_export]
macro_rules! with_db {
    ($db:expr, $conn:ident => $body:expr) => {
        match $db {
            $crate::server::db::Db::Sqlite { read: $conn, .. } => $body,
            $crate::server::db::Db::Postgres($conn) => $body,
        }
    };
}

/// Runs `$body` with `$conn` bound to the connection of the transaction `$tx`.
#[macro_export]
macro_rules! with_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx {
            $crate::server::db::Tx::Sqlite(t) => {
                let $conn = &mut **t;
                $body
            }
            $crate::server::db::Tx::Postgres(t) => {
                let $conn = &mut **t;
                $body
            }
        }
    };
}

impl Db {
    /// Connects to `url` (`sqlite://…` or `postgres://…`), creating a missing SQLite file.
    pub async fn connect(url: &str, sync: SqliteSync) -> Result<Db, sqlx::Error> {
        if url.starts_with("sqlite:") {
            Self::connect_sqlite(url, sync).await
        } else {
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(ACQUIRE_TIMEOUT)
                .connect(url)
                .await?;
            Ok(Db::Postgres(pool))
        }
    }

    async fn connect_sqlite(url: &str, sync: SqliteSync) -> Result<Db, sqlx::Error> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(match sync {
                SqliteSync::Normal => SqliteSynchronous::Normal,
                SqliteSync::Full => SqliteSynchronous::Full,
            })
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5))
            // Reads through a memory map instead of a read() per page: board figures scan
            // indexes of every client, and the copies cost more than the scans (25 ms of
            // system time per lifecycle count on the large demo set). Mapping the whole file
            // (2 GiB) was tried: no faster in the server, and every page read stayed
            // resident in the process (RSS 1 GB after a survey benchmark instead of 0.3).
            .pragma("mmap_size", "268435456")
            // Sorts and materialised subqueries (a search's matching clients) stay in
            // memory instead of temporary files.
            .pragma("temp_store", "memory");
        if let Some(dir) = options.get_filename().parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(sqlx::Error::Io)?;
        }
        // No ping before each acquire: a connection to a local file does not go stale, and
        // each ping is one more round trip to the connection's worker thread (a survey
        // submission acquired five times; the thread hand-offs were a third of its CPU).
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .test_before_acquire(false)
            .connect_with(options.clone())
            .await?;
        let read = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .test_before_acquire(false)
            .connect_with(options)
            .await?;
        Ok(Db::Sqlite { write, read })
    }

    /// `"sqlite"` or `"postgres"`, as `/healthz` reports it.
    pub fn engine(&self) -> &'static str {
        match self {
            Db::Sqlite { .. } => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    /// Applies the embedded migrations of this engine; a failure stops the server.
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self {
            Db::Sqlite { write, .. } => sqlx::migrate!("migrations/sqlite").run(write).await,
            Db::Postgres(pool) => sqlx::migrate!("migrations/postgres").run(pool).await,
        }
    }

    /// Starts a write transaction (`BEGIN IMMEDIATE` on SQLite, so a read-then-write never
    /// fails with "database is locked").
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        match self {
            Db::Sqlite { write, .. } => match write.begin_with("BEGIN IMMEDIATE").await {
                Ok(tx) => Ok(Tx::Sqlite(tx)),
                // The write connection came back still inside a transaction that was never
                // finished. Never nest into it: close that connection and start afresh.
                Err(sqlx::Error::InvalidSavePointStatement) => {
                    tracing::error!("write connection was left inside a transaction; replacing it");
                    write.acquire().await?.close().await?;
                    Ok(Tx::Sqlite(write.begin_with("BEGIN IMMEDIATE").await?))
                }
                Err(other) => Err(other),
            },
            Db::Postgres(pool) => Ok(Tx::Postgres(pool.begin().await?)),
        }
    }

    /// Refreshes the query planner's statistics. Without them SQLite answers a term search by
    /// scanning every term (seen: 1 s instead of 1 ms on the large demo set). SQLite's own
    /// `PRAGMA optimize` only analyses tables whose statistics are stale; PostgreSQL's
    /// autovacuum does this by itself, so there it matters only right after a bulk load.
    /// `thorough` is for right after a bulk load.
    pub async fn optimize(&self, thorough: bool) -> Result<(), sqlx::Error> {
        match self {
            Db::Sqlite { write, .. } => {
                let sql = if thorough {
                    "ANALYZE"
                } else {
                    "PRAGMA optimize=0x10002"
                };
                sqlx::query(sql).execute(write).await.map(|_| ())
            }
            Db::Postgres(pool) => {
                // After a bulk load, VACUUM also marks the new pages all-visible, so term
                // searches are index-only scans before autovacuum gets round to it.
                let sql = if thorough {
                    "VACUUM (ANALYZE)"
                } else {
                    "ANALYZE"
                };
                sqlx::query(sql).execute(pool).await.map(|_| ())
            }
        }
    }

    /// Readies the write connection for a bulk load (the demo seed): SQLite's default 2 MB
    /// page cache makes every insert into the 5-million-row search index a disk read once the
    /// index outgrows it (145 s for the large seed instead of well under a minute). Only the
    /// seeding process does this; the server keeps the default.
    pub async fn prepare_bulk_load(&self) -> Result<(), sqlx::Error> {
        match self {
            Db::Sqlite { write, .. } => sqlx::query("PRAGMA cache_size = -262144")
                .execute(write)
                .await
                .map(|_| ()),
            Db::Postgres(_) => Ok(()),
        }
    }

    /// Leaves checkpoints to `checkpoint` in the background: the writer checkpoints the log
    /// itself only once it has grown far (20,000 pages, 80 MB), since a checkpoint on the
    /// writer holds every write behind the copy and its fsync.
    pub async fn leave_checkpoints_to_background(&self) -> Result<(), sqlx::Error> {
        match self {
            Db::Sqlite { write, .. } => sqlx::query("PRAGMA wal_autocheckpoint = 20000")
                .execute(write)
                .await
                .map(|_| ()),
            Db::Postgres(_) => Ok(()),
        }
    }

    /// Copies what it can of SQLite's write-ahead log into the database file without
    /// waiting for readers or the writer (a PASSIVE checkpoint, on a reader connection);
    /// nothing to do on PostgreSQL.
    pub async fn checkpoint(&self) -> Result<(), sqlx::Error> {
        match self {
            Db::Sqlite { read, .. } => sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(read)
                .await
                .map(|_| ()),
            Db::Postgres(_) => Ok(()),
        }
    }

    /// The condition "`column` is one of the ids of the JSON array bound as `$n`" (bind it
    /// as text, e.g. `[3,5,8]`). One statement text for any number of ids, so the prepared
    /// statement is reused; the engines spell the array's expansion differently.
    pub fn id_in_json(&self, column: &str, n: usize) -> String {
        format!("{column} IN ({})", self.ids_in_json(n))
    }

    /// `ids` as the JSON array text that [`Db::id_in_json`] and [`Db::ids_in_json`] read.
    pub fn json_ids(ids: &[i64]) -> String {
        let listed: Vec<String> = ids.iter().map(i64::to_string).collect();
        format!("[{}]", listed.join(","))
    }

    /// The ids of the JSON array bound as `$n`, as a subquery with one column, `id`.
    pub fn ids_in_json(&self, n: usize) -> String {
        match self {
            Db::Sqlite { .. } => format!("SELECT value AS id FROM json_each(${n})"),
            Db::Postgres(_) => format!(
                "SELECT CAST(value AS BIGINT) AS id FROM json_array_elements_text(CAST(${n} AS JSON))"
            ),
        }
    }

    /// A cheap round trip, for the health check.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        with_db!(self, c => sqlx::query("SELECT 1").execute(c).await.map(|r| r.rows_affected()))
            .map(|_| ())
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite { write, read } => {
                read.close().await;
                write.close().await;
            }
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

impl Tx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(t) => t.commit().await,
            Tx::Postgres(t) => t.commit().await,
        }
    }
}

/// Is this error a unique-constraint violation (e.g. an e-mail already taken)?
pub fn is_unique_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(e) if e.is_unique_violation())
}
