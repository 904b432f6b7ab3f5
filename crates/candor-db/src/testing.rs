//! Test support for this crate and the crates built on it: a scratch
//! database per test, on SQLite (a temporary file) or on the MariaDB server
//! (`CANDOR_TEST_MYSQL_URL`, default `mysql://root@127.0.0.1:3306/`, as on
//! the development machines and CI). Not used by the service itself.

use std::future::Future;

use sqlx::{Connection, Executor};

use crate::{Backend, Db, DbOptions};

/// The MariaDB server tests run against unless `CANDOR_TEST_MYSQL_URL` says
/// otherwise.
const DEFAULT_MYSQL_URL: &str = "mysql://root@127.0.0.1:3306/";

fn mysql_server_url() -> String {
    std::env::var("CANDOR_TEST_MYSQL_URL").unwrap_or_else(|_| DEFAULT_MYSQL_URL.to_owned())
}

/// An empty database that exists until [`ScratchDatabase::destroy`].
pub struct ScratchDatabase {
    url: String,
    place: Place,
}

/// Where a test's database lives, and how to remove it.
enum Place {
    Sqlite(tempfile::TempDir),
    MariaDb { server: String, name: String },
}

impl Place {
    async fn create(backend: Backend) -> (Place, String) {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary directory");
                let url = format!("sqlite://{}/candor.db?mode=rwc", dir.path().display());
                (Place::Sqlite(dir), url)
            }
            Backend::MySql => {
                let server = mysql_server_url();
                // Random, so that concurrent test processes never share a database.
                let name = format!("candor_t_{}", uuid::Uuid::now_v7().simple());
                let mut admin = admin_connection(&server).await;
                admin
                    .execute(&*format!("CREATE DATABASE {name}"))
                    .await
                    .expect("CREATE DATABASE for the test");
                admin.close().await.ok();
                let url = format!("{}/{name}", server.trim_end_matches('/'));
                (Place::MariaDb { server, name }, url)
            }
        }
    }

    async fn destroy(self) {
        match self {
            Place::Sqlite(dir) => dir.close().expect("remove the temporary SQLite directory"),
            Place::MariaDb { server, name } => {
                let mut admin = admin_connection(&server).await;
                admin
                    .execute(&*format!("DROP DATABASE {name}"))
                    .await
                    .expect("DROP DATABASE after the test");
            }
        }
    }
}

async fn admin_connection(server: &str) -> sqlx::MySqlConnection {
    match sqlx::MySqlConnection::connect(server).await {
        Ok(connection) => connection,
        Err(error) => panic!(
            "MariaDB is not reachable at {server} ({error}). The conformance suite runs every \
             test on MariaDB as well as SQLite: start the server (e.g. `service mariadb start`) \
             or point CANDOR_TEST_MYSQL_URL at one."
        ),
    }
}

impl ScratchDatabase {
    /// A new empty database on `backend`; panics with what to do when the
    /// MariaDB server is not reachable (tests must fail, not skip).
    pub async fn create(backend: Backend) -> ScratchDatabase {
        let (place, url) = Place::create(backend).await;
        ScratchDatabase { url, place }
    }

    /// The URL to give `Db::connect` or a `DATABASE_URL`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Removes the database (and the SQLite file).
    pub async fn destroy(self) {
        self.place.destroy().await;
    }
}

/// Runs `test` on a fresh database of `backend`, connected with `options`
/// (the URL comes along for more pools), then closes and removes the
/// database whether the test passed or panicked.
pub async fn run_on_scratch<F, Fut>(backend: Backend, options: &DbOptions, test: F)
where
    F: FnOnce(Db, String) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let scratch = ScratchDatabase::create(backend).await;
    let url = scratch.url().to_owned();
    let db = Db::connect(&url, options)
        .await
        .expect("the test database connects and migrates");
    let outcome = tokio::spawn(test(db.clone(), url)).await;
    db.close().await;
    scratch.destroy().await;
    if let Err(error) = outcome {
        match error.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(error) => panic!("test task did not finish: {error}"),
        }
    }
}
