//! A throwaway PostgreSQL server for tests: the system's PostgreSQL binaries (Debian's
//! `postgresql` package; `SPEASY_PG_BIN` names another folder of them), `initdb` into a temporary
//! folder and a server that listens on a Unix socket in that folder only — no TCP port, so
//! parallel tests never collide. Stopped and removed on drop. PostgreSQL refuses to run as root:
//! as root (CI), the cluster belongs to the `postgres` system user and the server runs as it.

use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The client `TestPostgres::connect` returns.
pub use tokio_postgres::Client;

/// The socket's port number: it only names the socket file (`.s.PGSQL.5432`) in the folder.
pub const PG_PORT: u16 = 5432;

/// The superuser `initdb` creates (trusted on the socket, as every role is).
pub const PG_SUPERUSER: &str = "postgres";

/// A running throwaway cluster.
pub struct TestPostgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    run_as: Option<String>,
}

fn failed(what: &str, detail: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("{what}: {detail}"))
}

/// The folder with `initdb`, `pg_ctl` and `postgres`: `SPEASY_PG_BIN`, else the newest
/// `/usr/lib/postgresql/<version>/bin` (Debian and Ubuntu), else `pg_config --bindir`.
fn find_bin() -> io::Result<PathBuf> {
    if let Some(dir) = std::env::var_os("SPEASY_PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Ok(bin);
    }
    let out = Command::new("pg_config").arg("--bindir").output().map_err(|e| {
        failed("no PostgreSQL server found (install Debian's postgresql package)", e)
    })?;
    Ok(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()))
}

impl TestPostgres {
    /// Create and start a cluster (about a second).
    pub fn start() -> io::Result<Self> {
        let bin = find_bin()?;
        let dir = tempfile::Builder::new().prefix("speasy-pg-").tempdir()?;
        let root = std::fs::metadata("/proc/self")?.uid() == 0;
        let run_as = root.then(|| "postgres".to_owned());
        if let Some(user) = &run_as {
            let out = Command::new("id").args(["-u", user]).output()?;
            let uid: u32 = String::from_utf8_lossy(&out.stdout)
                .trim()
                .parse()
                .map_err(|e| failed(&format!("no system user {user} to run PostgreSQL as"), e))?;
            std::os::unix::fs::chown(dir.path(), Some(uid), None)?;
        }
        let pg = Self { dir, bin, run_as };
        let data = pg.dir.path().join("data");
        pg.run(
            "initdb",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-A".as_ref(),
                "trust".as_ref(),
                "-U".as_ref(),
                PG_SUPERUSER.as_ref(),
                "-E".as_ref(),
                "UTF8".as_ref(),
                "--no-sync".as_ref(),
                "--no-instructions".as_ref(),
            ],
        )?;
        let options = format!(
            "-k {} -p {PG_PORT} -c listen_addresses= -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off",
            pg.dir.path().display()
        );
        let log = pg.dir.path().join("server.log");
        pg.run(
            "pg_ctl",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-l".as_ref(),
                log.as_os_str(),
                "-o".as_ref(),
                options.as_ref(),
                "-w".as_ref(),
                "start".as_ref(),
            ],
        )?;
        Ok(pg)
    }

    fn run(&self, tool: &str, args: &[&std::ffi::OsStr]) -> io::Result<()> {
        let program = self.bin.join(tool);
        let mut cmd = match &self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&program);
                c
            }
            None => Command::new(&program),
        };
        let out = cmd.args(args).current_dir(self.dir.path()).output()?;
        if out.status.success() {
            Ok(())
        } else {
            let log =
                std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default();
            Err(failed(
                &format!("{} failed", program.display()),
                format!(
                    "{}{}{log}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                ),
            ))
        }
    }

    /// The folder holding the server's socket (libpq's `host`).
    pub fn socket_dir(&self) -> &Path {
        self.dir.path()
    }

    /// Connection settings for `user` on database `db`.
    pub fn config(&self, user: &str, db: &str) -> tokio_postgres::Config {
        let mut config = tokio_postgres::Config::new();
        config.host_path(self.socket_dir()).port(PG_PORT).user(user).dbname(db);
        config
    }

    /// Connect as `user` to `db`; the connection is driven on the current Tokio runtime.
    pub async fn connect(&self, user: &str, db: &str) -> io::Result<tokio_postgres::Client> {
        let (client, connection) = self
            .config(user, db)
            .connect(tokio_postgres::NoTls)
            .await
            .map_err(|e| failed(&format!("connecting to {db} as {user}"), e))?;
        tokio::spawn(async move {
            // Ends when the client is dropped; an error here shows in the client's next call.
            let _ = connection.await;
        });
        Ok(client)
    }

    /// Create database `name` and run `sql_files` in it, in order, as the superuser.
    pub async fn create_database(&self, name: &str, sql_files: &[PathBuf]) -> io::Result<()> {
        let admin = self.connect(PG_SUPERUSER, "postgres").await?;
        admin
            .batch_execute(&format!("create database \"{name}\""))
            .await
            .map_err(|e| failed(&format!("creating database {name}"), e))?;
        let db = self.connect(PG_SUPERUSER, name).await?;
        for file in sql_files {
            let sql = std::fs::read_to_string(file)
                .map_err(|e| failed(&format!("reading {}", file.display()), e))?;
            db.batch_execute(&sql)
                .await
                .map_err(|e| failed(&format!("applying {}", file.display()), describe(&e)))?;
        }
        Ok(())
    }
}

/// The repository's Supabase files: the test-only baseline (what every Supabase project has),
/// then every migration in `supabase/migrations`, oldest first.
pub fn supabase_sql_files() -> io::Result<Vec<PathBuf>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../supabase");
    let mut migrations: Vec<PathBuf> = std::fs::read_dir(root.join("migrations"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    migrations.sort();
    let mut files = vec![root.join("tests/00_supabase_baseline.sql")];
    files.extend(migrations);
    Ok(files)
}

/// A database `name` with the Supabase baseline and Speasy's sync schema, and the given people
/// in `auth.users` (ids and emails).
pub async fn create_sync_database(
    pg: &TestPostgres,
    name: &str,
    users: &[(&str, &str)],
) -> io::Result<()> {
    pg.create_database(name, &supabase_sql_files()?).await?;
    let admin = pg.connect(PG_SUPERUSER, name).await?;
    for (id, email) in users {
        admin
            .execute("insert into auth.users (id, email) values ($1::text::uuid, $2)", &[id, email])
            .await
            .map_err(|e| failed("adding a user", describe(&e)))?;
    }
    Ok(())
}

/// A database error with its SQLSTATE, message, detail and hint (tokio-postgres's `Display`
/// says only "db error").
pub fn describe(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!(
            "{} {}{}{}",
            db.code().code(),
            db.message(),
            db.detail().map(|d| format!(" ({d})")).unwrap_or_default(),
            db.hint().map(|h| format!(" hint: {h}")).unwrap_or_default()
        ),
        None => e.to_string(),
    }
}

impl Drop for TestPostgres {
    fn drop(&mut self) {
        let data = self.dir.path().join("data");
        // Immediate: a test cluster has nothing to flush. Then the folder goes with `dir`.
        let _ = self.run(
            "pg_ctl",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-m".as_ref(),
                "immediate".as_ref(),
                "stop".as_ref(),
            ],
        );
    }
}
