//! Storage: the only module that knows diesel and SQL. One code path for SQLite (default,
//! embedded) and PostgreSQL (production), through diesel's `MultiConnection`; on SQLite, an
//! upload's bulk inserts run through SQLite's C interface on the same connection (`raw_sqlite`).

pub mod assessment_body;
pub mod assessments;
pub mod audit;
pub mod idempotency;
pub mod keys;
pub mod orgs;
mod raw_sqlite;
pub mod schema;
pub mod screening;
mod stored_fields;
mod supplier_index;
pub mod suppliers;
pub mod uploads;
mod writeback;

#[cfg(test)]
#[path = "migration_tests.rs"]
mod migration_tests;

use crate::error::{Error, Result};
use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection, Pool, PooledConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use std::path::PathBuf;
use std::time::Duration;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// A connection to either backend. Backend-specific queries `match` on it.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Pg(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

/// Which database a URL names. Unknown schemes are refused, never guessed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DbUrl {
    pub fn parse(url: &str) -> Result<DbUrl, String> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(DbUrl::Postgres(url.to_string()))
        } else if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
            if path.is_empty() {
                return Err("DATABASE_URL sqlite:// needs a file path, e.g. sqlite://./data/manumit.db".into());
            }
            Ok(DbUrl::Sqlite(PathBuf::from(path)))
        } else {
            Err(format!(
                "DATABASE_URL must start with sqlite:// or postgres:// (got `{}`)",
                url.split("://").next().unwrap_or(url)
            ))
        }
    }

    pub fn is_sqlite(&self) -> bool {
        matches!(self, DbUrl::Sqlite(_))
    }
}

/// r2d2 manager that dispatches on the URL scheme and sets SQLite's pragmas on every connection.
#[derive(Debug, Clone)]
pub struct Manager {
    url: DbUrl,
}

impl ManageConnection for Manager {
    type Connection = DbConn;
    type Error = r2d2::Error;

    fn connect(&self) -> std::result::Result<DbConn, r2d2::Error> {
        match &self.url {
            DbUrl::Postgres(u) => {
                Ok(DbConn::Pg(diesel::PgConnection::establish(u).map_err(r2d2::Error::ConnectionError)?))
            }
            DbUrl::Sqlite(p) => {
                configure_sqlite_library();
                let mut c = raw_sqlite::open(&p.to_string_lossy())?;
                // WAL lets readers run beside the one writer; FULL makes every commit durable
                // across power loss; busy_timeout makes writers queue instead of failing.
                // batch_execute runs every statement (sql_query ran only the first, so the
                // file stayed in rollback-journal mode and "database is locked" reached clients).
                diesel::connection::SimpleConnection::batch_execute(
                    &mut c,
                    // Checkpoints run on a background thread (see `Store::open`), not inside the
                    // request whose commit crossed the threshold: a large upload otherwise wrote
                    // every page twice before answering.
                    // page_size first: it only takes effect on a database with no table yet
                    // (and never on one already in WAL mode), so it sets the page size of a new
                    // database and is a no-op for an existing one (see OPERATIONS.md). 64 KiB,
                    // SQLite's largest: a large upload writes a quarter of the pages and B-tree
                    // splits of 16 KiB (persisting 100,000 rows 6-12 % faster), for a small write
                    // about 0.3 ms more and 3.7 times the WAL bytes (OPERATIONS.md).
                    "PRAGMA page_size = 65536; PRAGMA busy_timeout = 15000; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA wal_autocheckpoint = 0; PRAGMA journal_size_limit = 67108864;",
                )
                .map_err(r2d2::Error::QueryError)?;
                Ok(DbConn::Sqlite(c))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConn) -> std::result::Result<(), r2d2::Error> {
        diesel::sql_query("SELECT 1").execute(conn).map(|_| ()).map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut DbConn) -> bool {
        false
    }
}

/// Process-wide SQLite settings, made once before the first connection opens (SQLite refuses
/// them after). Multi-thread mode: a connection is used by one thread at a time (the pool hands
/// it out), so SQLite's own per-call connection mutex is not needed. No memory statistics: they
/// take a global mutex on every allocation. Together these were 3 % of a large upload's time.
fn configure_sqlite_library() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        use libsqlite3_sys::{sqlite3_config, SQLITE_CONFIG_MEMSTATUS, SQLITE_CONFIG_MULTITHREAD};
        // SAFETY: sqlite3_config is called before any connection of this process opens (the
        // Once runs first on every path that opens one); after, it only returns SQLITE_MISUSE.
        unsafe {
            sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
            sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0 as std::ffi::c_int);
        }
        raw_sqlite::note_handles();
    });
}

pub type DbPool = Pool<Manager>;
pub type Conn = PooledConnection<Manager>;

/// The handle the shell uses: a pool plus helpers to run blocking work off the async threads.
#[derive(Clone)]
pub struct Store {
    pub pool: DbPool,
    pub url: DbUrl,
    /// Alive while any clone of the store is: the SQLite checkpointer stops when it is gone.
    _alive: std::sync::Arc<()>,
    /// One permit per pooled connection, handed out first come, first served (see [`Store::run`]).
    permits: std::sync::Arc<tokio::sync::Semaphore>,
}

impl Store {
    /// Opens (creating the SQLite file and folder if needed) and migrates the database.
    pub fn open(url: &str, max_connections: u32) -> anyhow::Result<Store> {
        let url = DbUrl::parse(url).map_err(anyhow::Error::msg)?;
        if let DbUrl::Sqlite(p) = &url {
            if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
        }
        let pool = Pool::builder()
            .max_size(max_connections)
            .connection_timeout(Duration::from_secs(30))
            .build(Manager { url: url.clone() })?;
        let permits = std::sync::Arc::new(tokio::sync::Semaphore::new(max_connections as usize));
        let store = Store { pool, url, _alive: std::sync::Arc::new(()), permits };
        store.migrate()?;
        if let DbUrl::Sqlite(p) = &store.url {
            spawn_checkpointer(p.clone(), std::sync::Arc::downgrade(&store._alive));
        }
        Ok(store)
    }

    /// Applies pending migrations. On PostgreSQL an advisory lock keeps two instances that
    /// start together from migrating at once.
    pub fn migrate(&self) -> anyhow::Result<()> {
        let mut conn = self.pool.get()?;
        match &mut *conn {
            DbConn::Sqlite(c) => {
                c.run_pending_migrations(SQLITE_MIGRATIONS).map_err(|e| anyhow::anyhow!("migration failed: {e}"))?;
            }
            DbConn::Pg(c) => {
                diesel::sql_query("SELECT pg_advisory_lock(727274)").execute(c)?;
                let r = c
                    .run_pending_migrations(PG_MIGRATIONS)
                    .map(|_| ())
                    .map_err(|e| anyhow::anyhow!("migration failed: {e}"));
                diesel::sql_query("SELECT pg_advisory_unlock(727274)").execute(c)?;
                r?;
            }
        }
        Ok(())
    }

    /// Runs `f` with a pooled connection on actix's blocking thread pool. Requests wait for a
    /// connection here, asynchronously and in arrival order (a fair semaphore), not inside the
    /// pool, whose wake-ups are not in order: with more requests in flight than connections,
    /// unlucky ones waited many times longer than the rest (PostgreSQL p99 40 ms at p50 3.6 ms).
    pub async fn run<T, F>(&self, f: F) -> Result<T>
    where
        F: FnOnce(&mut DbConn) -> Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| Error::internal(format!("connection permits: {e}")))?;
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let _permit = permit;
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await
        .map_err(|e| Error::internal(format!("blocking task: {e}")))?
    }

    /// A connection for synchronous callers (CLI).
    pub fn conn(&self) -> Result<Conn> {
        Ok(self.pool.get()?)
    }
}

/// Copies committed WAL pages into the SQLite database file in the background (PASSIVE: never
/// blocks readers or writers), and keeps the WAL file from growing without bound. Connections
/// have automatic checkpoints turned off; SQLite still checkpoints when the last one closes.
fn spawn_checkpointer(path: PathBuf, alive: std::sync::Weak<()>) {
    let run = move || {
        configure_sqlite_library();
        let Ok(mut c) = diesel::SqliteConnection::establish(&path.to_string_lossy()) else { return };
        let _ = diesel::connection::SimpleConnection::batch_execute(
            &mut c,
            "PRAGMA busy_timeout = 1000; PRAGMA journal_size_limit = 67108864;",
        );
        while alive.strong_count() > 0 {
            std::thread::sleep(CHECKPOINT_EVERY);
            if let Err(e) =
                diesel::connection::SimpleConnection::batch_execute(&mut c, "PRAGMA wal_checkpoint(PASSIVE);")
            {
                tracing::debug!("wal checkpoint: {e}");
            }
        }
    };
    if let Err(e) = std::thread::Builder::new().name("sqlite-checkpoint".into()).spawn(run) {
        tracing::warn!("no background WAL checkpoints ({e}); the WAL is checkpointed when the database closes");
    }
}

const CHECKPOINT_EVERY: Duration = Duration::from_millis(500);

/// One SQLite writer at a time per process (see [`write_tx`]).
static SQLITE_WRITER: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Runs `f` in one write transaction. On SQLite the transaction is `BEGIN IMMEDIATE`, so two
/// writers queue on the busy timeout instead of failing on a read-to-write lock upgrade; on
/// PostgreSQL writers queue on an advisory lock, so they never deadlock.
pub fn write_tx<T>(conn: &mut DbConn, f: impl FnOnce(&mut DbConn) -> Result<T>) -> Result<T> {
    if let DbConn::Sqlite(c) = conn {
        let depth =
            <AnsiTransactionManager as TransactionManager<diesel::SqliteConnection>>::transaction_manager_status_mut(c)
                .transaction_depth()
                .map_err(Error::from)?;
        if depth.is_some() {
            // Already inside a write transaction: nest as a savepoint.
            return conn.transaction(f);
        }
        // Writers of this process queue on a mutex (woken in turn) rather than on SQLite's
        // busy handler, which polls with sleeps: under 30+ concurrent writers an unlucky one
        // starved past busy_timeout and got "database is locked". Other processes still queue
        // on the file lock.
        let _writer = SQLITE_WRITER.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE").map_err(Error::from)?;
        let r = f(conn);
        let DbConn::Sqlite(c) = conn else { return Err(Error::internal("connection changed backend")) };
        match r {
            Ok(v) => {
                if let Err(e) = AnsiTransactionManager::commit_transaction(c) {
                    let _ = AnsiTransactionManager::rollback_transaction(c);
                    return Err(e.into());
                }
                Ok(v)
            }
            Err(e) => {
                let _ = AnsiTransactionManager::rollback_transaction(c);
                Err(e)
            }
        }
    } else {
        // PostgreSQL: writers queue on one transaction-scoped advisory lock, as SQLite's writers
        // do on BEGIN IMMEDIATE. Without it two uploads that upsert overlapping suppliers in
        // different orders deadlock (40P01 → 500) across instances; reads are not affected.
        conn.transaction(|c| {
            diesel::sql_query("SELECT pg_advisory_xact_lock(727275)").execute(c)?;
            f(c)
        })
    }
}

/// Runs a bulk write (an upload) with a larger SQLite page cache, so the index pages it keeps
/// revisiting stay in memory; the table pages of a large upload spill to the WAL either way.
/// 16 MiB measured best at 100k rows (cargo bench --bench upload): 4 MiB was 5 % slower, 64 MiB
/// no faster and 85 MB bigger. The cache shrinks back afterwards, so idle connections stay
/// small. While it runs, the WAL is written back as it grows (see `writeback`). PostgreSQL
/// needs nothing of the kind.
pub fn with_bulk_cache<T>(conn: &mut DbConn, f: impl FnOnce(&mut DbConn) -> Result<T>) -> Result<T> {
    use diesel::connection::SimpleConnection;
    let sqlite = matches!(conn, DbConn::Sqlite(_));
    if sqlite {
        // Every foreign key checked at commit, as those of suppliers and upload rows are
        // declared: a statement then cannot fail half-way on one, so SQLite keeps no statement
        // journal for it (with a journal, every page a multi-row insert touched was copied to a
        // temporary file first: a gigabyte for a list of 100,000 suppliers).
        conn.batch_execute(&format!("PRAGMA cache_size = -{BULK_CACHE_KIB}; PRAGMA defer_foreign_keys = ON"))?;
    }
    let writeback = writeback::Writeback::start(conn);
    // The bulk inserts' statements are prepared once for the whole write (see `raw_sqlite`).
    let r = raw_sqlite::keeping_statements(conn, f);
    drop(writeback);
    if sqlite {
        conn.batch_execute("PRAGMA cache_size = -2000")?;
    }
    r
}

/// The page cache of a bulk write, in KiB.
const BULK_CACHE_KIB: u32 = 16384;

/// True when a diesel error is a unique-constraint violation (a lost race with another writer).
pub fn is_unique_violation(e: &diesel::result::Error) -> bool {
    matches!(e, diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _))
}

/// Now, as stored: UTC without offset, microsecond precision on both backends.
pub fn now() -> chrono::NaiveDateTime {
    let n = chrono::Utc::now().naive_utc();
    chrono::DurationRound::duration_trunc(n, chrono::TimeDelta::microseconds(1)).unwrap_or(n)
}

/// A new time-ordered id (UUIDv7, as text).
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
