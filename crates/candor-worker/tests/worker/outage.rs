//! A database outage: the pool reaches MariaDB through a TCP proxy that the
//! test stops (refusing and cutting every connection) and restarts.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use candor_db::{Db, DbOptions, JobState};
use candor_worker::{WorkerConfig, WorkerPool};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::{JoinHandle, JoinSet};

use crate::harness::{config, idle_status, spec, wait_until, TestDb, TENANT};

/// Forwards connections from a loopback port to `target`.
struct Proxy {
    port: u16,
    target: SocketAddr,
    accepting: Option<JoinHandle<()>>,
}

impl Proxy {
    async fn start(target: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        Proxy {
            port,
            target,
            accepting: Some(tokio::spawn(forward(listener, target))),
        }
    }

    /// Refuses new connections and cuts the open ones: the connection
    /// tasks live in the accept task's JoinSet and die with it.
    fn stop(&mut self) {
        if let Some(task) = self.accepting.take() {
            task.abort();
        }
    }

    async fn restart(&mut self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port))
            .await
            .expect("the proxy port can be bound again");
        self.accepting = Some(tokio::spawn(forward(listener, self.target)));
    }
}

async fn forward(listener: TcpListener, target: SocketAddr) {
    let mut connections = JoinSet::new();
    while let Ok((mut inbound, _)) = listener.accept().await {
        connections.spawn(async move {
            if let Ok(mut outbound) = TcpStream::connect(target).await {
                let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
            }
        });
    }
}

/// `mysql://user@host:port/db` → (host:port, the same URL through `port`).
async fn through_proxy(url: &str) -> (SocketAddr, impl Fn(u16) -> String + '_) {
    let after_scheme = url.find("://").unwrap() + 3;
    let authority_start = url[after_scheme..]
        .find('@')
        .map_or(after_scheme, |at| after_scheme + at + 1);
    let authority_end = authority_start + url[authority_start..].find('/').unwrap();
    let server = &url[authority_start..authority_end];
    let target = tokio::net::lookup_host(server)
        .await
        .unwrap()
        .next()
        .unwrap();
    let rewrite = move |port: u16| {
        format!(
            "{}127.0.0.1:{port}{}",
            &url[..authority_start],
            &url[authority_end..]
        )
    };
    (target, rewrite)
}

pub async fn the_pool_survives_an_outage(t: TestDb) {
    let (target, rewrite) = through_proxy(&t.url).await;
    let mut proxy = Proxy::start(target).await;
    let options = DbOptions {
        acquire_timeout: Duration::from_secs(1),
        ..crate::harness::options()
    };
    let proxied = Db::connect(&rewrite(proxy.port), &options).await.unwrap();

    let (interview, job_id) = t.submit("succeed:6:250", &spec(3)).await;
    let wake = Arc::new(Notify::new());
    let config = WorkerConfig {
        heartbeat_interval: Duration::from_millis(300),
        lease: Duration::from_secs(30),
        ..config()
    };
    let pool = WorkerPool::start(proxied, config, t.child_runner(&[]), wake.clone());
    wake.notify_one();
    wait_until(Duration::from_secs(10), "the child starts", || async {
        t.runs(&interview).first().copied()
    })
    .await;

    // The database goes away while the child works, and stays away after
    // it has finished.
    proxy.stop();
    let finished = wait_until(Duration::from_secs(10), "the child finishes", || async {
        t.runs(&interview).first().and_then(|run| run.end_ns)
    })
    .await;
    assert!(finished > 0);
    tokio::time::sleep(Duration::from_secs(2)).await;
    let during = pool.status();
    assert!(during.counters.db_errors >= 2, "{:?}", during.counters);
    assert_eq!(
        during.running.len(),
        1,
        "the finished job waits to be written"
    );
    assert_eq!(t.job(job_id).await.state, JobState::Running);

    proxy.restart().await;
    let job = t
        .wait_for_job(job_id, Duration::from_secs(30), |job| {
            job.state.is_terminal()
        })
        .await;
    assert_eq!((job.state, job.attempt), (JobState::Completed, 1));
    assert!(t
        .db
        .feedback(TENANT, &interview.id)
        .await
        .unwrap()
        .is_some());

    // Still serving: a new job is claimed and run.
    let (_, next_job) = t.submit("succeed:0:0", &spec(1)).await;
    wake.notify_one();
    let next = t
        .wait_for_job(next_job, Duration::from_secs(30), |job| {
            job.state.is_terminal()
        })
        .await;
    assert_eq!(next.state, JobState::Completed);
    assert_eq!(idle_status(&pool).await.counters.completed, 2);
    pool.shutdown(Duration::from_secs(5)).await;
    proxy.stop();
}
