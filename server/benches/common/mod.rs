//! What the server benches share: a scratch folder for the SQLite file and the databases
//! to run on.

pub mod receiver;

use std::path::PathBuf;

/// A temporary directory for the SQLite file, removed when dropped, also when a panic unwinds.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(bench: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("kexie-{bench}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A fresh SQLite file, and PostgreSQL if KEXIE_BENCH_POSTGRES_URL names one. Arguments, like
/// criterion's, keep only the databases whose name contains one of them (`sqlite`,
/// `postgres`); cargo adds `--bench`.
pub fn databases(sqlite: PathBuf) -> Vec<(&'static str, String)> {
    let mut dbs = vec![("SQLite", format!("sqlite://{}", sqlite.display()))];
    if let Ok(url) = std::env::var("KEXIE_BENCH_POSTGRES_URL") {
        dbs.push(("PostgreSQL", url));
    }
    let filters: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    dbs.retain(|(name, _)| {
        filters.is_empty() || filters.iter().any(|f| name.to_lowercase().contains(&f.to_lowercase()))
    });
    dbs
}
