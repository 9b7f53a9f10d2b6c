//! Settings from flags and environment (12-factor): every setting is a flag and an env var.

use clap::Args;

#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Address to listen on.
    #[arg(long, env = "MANUMIT_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// Database: sqlite://PATH or postgres://...
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://./data/manumit.db")]
    pub database_url: String,
    /// Largest accepted upload, in bytes (413 above).
    #[arg(long, env = "MANUMIT_MAX_UPLOAD_BYTES", default_value_t = 50 * 1024 * 1024)]
    pub max_upload_bytes: usize,
    /// Largest accepted JSON body, in bytes.
    #[arg(long, env = "MANUMIT_MAX_JSON_BYTES", default_value_t = 1024 * 1024)]
    pub max_json_bytes: usize,
    /// Database connections per process (default: 4 per CPU core, at least 4, at most 32).
    /// More connections than the cores can run only queue inside the database: on 2 cores, 16
    /// PostgreSQL backends raised the risk lookup's p99 from 5 ms to 27 ms at 5,000 requests/s.
    #[arg(long, env = "MANUMIT_DB_POOL")]
    pub db_pool: Option<u32>,
    /// Uploads parsed at once per process; more get 503 with Retry-After.
    #[arg(long, env = "MANUMIT_UPLOAD_CONCURRENCY", default_value_t = 4)]
    pub upload_concurrency: usize,
    /// Compliance workbooks built at once per process (one organisation builds one at a time);
    /// more get 503 with Retry-After. A 100k-supplier workbook holds hundreds of MB while built.
    #[arg(long, env = "MANUMIT_WORKBOOK_CONCURRENCY", default_value_t = 2)]
    pub workbook_concurrency: usize,
    /// Requests per minute per API key (0 = unlimited); over it, 429 with Retry-After.
    #[arg(long, env = "MANUMIT_RATE_LIMIT", default_value_t = 0)]
    pub rate_limit_per_minute: u32,
    /// Seconds a request may take before it is answered 503.
    #[arg(long, env = "MANUMIT_REQUEST_TIMEOUT", default_value_t = 300)]
    pub request_timeout_secs: u64,
    /// Seconds a verified API key is remembered by a process (0 = look it up every request).
    /// A revoked key stops at once on the instance that revoked it, within this on the others.
    #[arg(long, env = "MANUMIT_KEY_CACHE_SECS", default_value_t = 5)]
    pub key_cache_secs: u64,
    /// Requests with a wrong or malformed API key one client address may make per minute (0 =
    /// unlimited); over it, 429 `too_many_auth_failures` with Retry-After. A valid key from the same
    /// address is still served. Counted per process.
    #[arg(long, env = "MANUMIT_AUTH_FAILURE_LIMIT", default_value_t = 20)]
    pub auth_failure_limit: u32,
    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "MANUMIT_WORKERS")]
    pub workers: Option<usize>,
}

impl Settings {
    /// The connection pool size: the setting, else 4 per CPU core (4 to 32).
    pub fn db_pool_size(&self) -> u32 {
        self.db_pool.unwrap_or_else(|| {
            let cores = std::thread::available_parallelism().map(|n| n.get() as u32).unwrap_or(2);
            (cores * 4).clamp(4, 32)
        })
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            bind: "127.0.0.1:8080".into(),
            database_url: "sqlite://./data/manumit.db".into(),
            max_upload_bytes: 50 * 1024 * 1024,
            max_json_bytes: 1024 * 1024,
            db_pool: None,
            upload_concurrency: 4,
            workbook_concurrency: 2,
            rate_limit_per_minute: 0,
            request_timeout_secs: 300,
            key_cache_secs: 5,
            auth_failure_limit: 20,
            workers: None,
        }
    }
}
