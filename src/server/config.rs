//! How the workbench runs (`govtrust serve`'s flags) and its clock.

use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, NaiveDate, Utc};

/// How the workbench runs (`govtrust serve`'s flags).
#[derive(Debug, Clone)]
pub struct Config {
    pub scheme: PathBuf,
    pub data: PathBuf,
    /// Each run writes `RUNS/ID/objections.csv` and `RUNS/ID/report/`.
    pub runs: PathBuf,
    /// Write the charts, the bulletin and the feedback forms too (off:
    /// the tables only, as `assess --no-bulletin`).
    pub documents: bool,
    /// A session ends this long after login.
    pub session_hours: i64,
    /// The session cookie carries `Secure` (behind TLS).
    pub secure_cookie: bool,
}

impl Config {
    pub fn new(scheme: PathBuf, data: PathBuf, runs: PathBuf) -> Config {
        Config {
            scheme,
            data,
            runs,
            documents: true,
            session_hours: 8,
            secure_cookie: false,
        }
    }
}

/// The server's clock: the system's, shifted by an offset that tests
/// advance to reach deadlines and session expiry.
#[derive(Debug, Default)]
pub struct Clock {
    offset_secs: AtomicI64,
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + chrono::Duration::seconds(self.offset_secs.load(Ordering::Relaxed))
    }

    /// Today in the office's time zone (China Standard Time, UTC+8):
    /// filing days and deadlines are calendar days there.
    pub fn today(&self) -> NaiveDate {
        (self.now() + chrono::Duration::hours(8)).date_naive()
    }

    pub fn advance(&self, by: chrono::Duration) {
        self.offset_secs
            .fetch_add(by.num_seconds(), Ordering::Relaxed);
    }
}
