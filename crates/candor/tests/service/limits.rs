//! What an unauthenticated client can hold open: connections are capped
//! below the file-descriptor limit (idle ones are reclaimed for newcomers and
//! a few extra connections serve health checks), request headers must arrive
//! within the header timeout, and an idle keep-alive connection is closed.
//! `candor serve` runs here with only 256 file descriptors, as a small
//! container might give it.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::stack::{Client, Process, Stack};
use crate::support::interview;

/// `candor serve` with at most `open_files` file descriptors
/// (RLIMIT_NOFILE), and `extra_env`.
///
/// A child inherits its parent's limits, and `Stack` spawns the process, so
/// this test process lowers its own soft limit for the moment of the spawn
/// and then restores it. The lock keeps the tests of this file from
/// overlapping there; nextest runs every test in a process of its own.
fn serve_with_open_files(stack: &Stack, open_files: u64, extra_env: &[(&str, &str)]) -> Process {
    static SPAWN: Mutex<()> = Mutex::new(());
    let _one_at_a_time = SPAWN
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut ours = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: plain system calls on a local struct.
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut ours), 0);
        let lowered = libc::rlimit {
            rlim_cur: open_files.min(ours.rlim_cur),
            rlim_max: ours.rlim_max,
        };
        assert_eq!(libc::setrlimit(libc::RLIMIT_NOFILE, &lowered), 0);
    }
    let process = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        stack.serve("serve", extra_env)
    }));
    // SAFETY: as above; raising the soft limit back to what it was is
    // always allowed (it stays under the hard limit).
    unsafe {
        assert_eq!(libc::setrlimit(libc::RLIMIT_NOFILE, &ours), 0);
    }
    process.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

fn address(service: &Process) -> SocketAddr {
    service
        .url
        .strip_prefix("http://")
        .unwrap()
        .parse()
        .unwrap()
}

/// The process listening on `address` (found through /proc: `Process`
/// keeps its child to itself).
fn pid_listening_on(address: SocketAddr) -> u32 {
    let tcp = std::fs::read_to_string("/proc/net/tcp").unwrap();
    let local = format!(":{:04X}", address.port());
    let inode = tcp
        .lines()
        .skip(1)
        .map(|line| line.split_whitespace().collect::<Vec<_>>())
        .find(|fields| fields[1].ends_with(&local) && fields[3] == "0A")
        .map(|fields| fields[9].to_owned())
        .expect("a listening socket");
    let socket = format!("socket:[{inode}]");
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .find(|pid| {
            std::fs::read_dir(format!("/proc/{pid}/fd")).is_ok_and(|fds| {
                fds.flatten().any(|fd| {
                    std::fs::read_link(fd.path())
                        .is_ok_and(|target| target.to_string_lossy() == socket)
                })
            })
        })
        .expect("the process holding the listening socket")
}

fn open_files(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, |fds| fds.count())
}

/// Connections that never send a byte, kept at `count`: every
/// `TOP_UP` the ones the server closed are opened again, as a patient
/// attacker would. Meanwhile it samples the server's open files.
struct SilentFlood {
    stop: Arc<AtomicBool>,
    closed_by_server: Arc<AtomicUsize>,
    peak_open_files: Arc<AtomicUsize>,
    thread: Option<JoinHandle<()>>,
}

impl SilentFlood {
    const TOP_UP: Duration = Duration::from_millis(250);

    /// Returns once all `count` connections are open.
    fn start(address: SocketAddr, count: usize, server: u32) -> SilentFlood {
        let open = move |_: usize| {
            let stream = TcpStream::connect_timeout(&address, Duration::from_secs(5))
                .expect("the kernel's backlog takes the connection");
            stream.set_nonblocking(true).unwrap();
            stream
        };
        let mut streams: Vec<TcpStream> = (0..count).map(open).collect();
        let stop = Arc::new(AtomicBool::new(false));
        let closed_by_server = Arc::new(AtomicUsize::new(0));
        let peak_open_files = Arc::new(AtomicUsize::new(open_files(server)));
        let thread = {
            let stop = stop.clone();
            let closed_by_server = closed_by_server.clone();
            let peak_open_files = peak_open_files.clone();
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    for _ in 0..10 {
                        peak_open_files.fetch_max(open_files(server), Ordering::Relaxed);
                        std::thread::sleep(Self::TOP_UP / 10);
                    }
                    for stream in &mut streams {
                        let closed = match stream.peek(&mut [0; 1]) {
                            Ok(0) => true,
                            Ok(_) => false,
                            Err(e) => e.kind() != ErrorKind::WouldBlock,
                        };
                        if closed {
                            closed_by_server.fetch_add(1, Ordering::Relaxed);
                            *stream = open(0);
                        }
                    }
                }
            })
        };
        SilentFlood {
            stop,
            closed_by_server,
            peak_open_files,
            thread: Some(thread),
        }
    }
}

impl Drop for SilentFlood {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// GET `path` on a fresh connection; the status, or why there was none.
fn get_fresh(base: &str, path: &str, limit: Duration) -> Result<(u16, serde_json::Value), String> {
    let http = reqwest::blocking::Client::builder()
        .timeout(limit)
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let response = http
        .get(format!("{base}{path}"))
        .send()
        .map_err(|e| format!("{e:?}"))?;
    let status = response.status().as_u16();
    Ok((status, response.json().unwrap_or_default()))
}

#[test]
fn silent_connections_beyond_the_file_limit_starve_neither_health_checks_nor_the_workers() {
    let (media, _) = interview("short.wav", &["--sentences", "3"]);
    let stack = Stack::new();
    let key = stack.key("acme", "submit,read");
    let service = serve_with_open_files(&stack, 256, &[]);
    let started = Instant::now();

    let server = pid_listening_on(address(&service));
    let flood = SilentFlood::start(address(&service), 300, server);

    let asked = Instant::now();
    let live = get_fresh(&service.url, "/health/live", Duration::from_secs(5));
    let live_took = asked.elapsed();
    assert!(
        matches!(live, Ok((200, _))),
        "/health/live under 300 silent connections: {live:?} after {live_took:?}\n{}",
        service.logs()
    );
    assert!(
        live_took < Duration::from_secs(1),
        "/health/live took {live_took:?}"
    );
    eprintln!("/health/live answered in {live_took:?} under 300 silent connections");
    // The cap comes from the limit: (256 − 72) / 2.
    let logs = service.logs();
    assert!(
        logs.lines()
            .any(|l| l.contains("API listening") && l.contains(r#""max_connections":92"#)),
        "{logs}"
    );

    let asked = Instant::now();
    let ready = get_fresh(&service.url, "/health/ready", Duration::from_secs(10));
    let ready_took = asked.elapsed();
    let Ok((status, readiness)) = ready else {
        panic!("/health/ready: {ready:?}\n{}", service.logs());
    };
    assert_eq!(status, 200, "{readiness}\n{}", service.logs());
    assert_eq!(readiness["database"], "ok", "{readiness}");
    eprintln!("/health/ready answered in {ready_took:?}");

    // An upload goes through, and the workers still reach the database to
    // claim and finish its job, while the flood keeps coming back.
    let client = Client::new(&service.url, &key);
    let (status, submitted) = client.upload(&media, &[]);
    assert_eq!(status, 202, "{submitted}\n{}", service.logs());
    let id = submitted["id"].as_str().unwrap();
    let done = client.wait_for(id, Duration::from_secs(120), |i| {
        i["status"] != "pending" && i["status"] != "processing"
    });
    assert_eq!(done["status"], "completed", "{done}\n{}", service.logs());
    let (status, _) = client.get(&format!("/api/v1/interviews/{id}/feedback"));
    assert_eq!(status, 200);

    let reclaimed = flood.closed_by_server.load(Ordering::Relaxed);
    let peak = flood.peak_open_files.load(Ordering::Relaxed);
    drop(flood);
    let elapsed = started.elapsed();
    eprintln!(
        "analysed in {elapsed:?}; the server reclaimed {reclaimed} silent connections; \
         its open files peaked at {peak} of 256"
    );
    // 92 client connections and the rest kept for the pool, pipes, logs.
    assert!(peak < 256 - 32, "{peak} open files");
    // The server made room by closing silent connections, not by failing
    // to accept them.
    assert!(reclaimed > 0);
    let logs = service.logs();
    assert!(
        !logs.contains("Too many open files"),
        "the process ran out of file descriptors:\n{logs}"
    );
    // Pressure is logged, at most once a second.
    let pressure: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("connection limit reached"))
        .collect();
    let pressure_lines = pressure.len();
    assert!(pressure_lines >= 1, "{logs}");
    eprintln!(
        "{pressure_lines} pressure lines, the first: {}",
        pressure[0]
    );
    assert!(
        pressure_lines as u64 <= elapsed.as_secs() + 1,
        "{pressure_lines} lines in {elapsed:?}"
    );
}

#[test]
fn a_request_whose_headers_trickle_in_is_cut_off_at_the_header_timeout() {
    let stack = Stack::new();
    let service = serve_with_open_files(&stack, 256, &[("CANDOR_HEADER_TIMEOUT", "2")]);
    let request = b"GET /health/live HTTP/1.1\r\nHost: candor\r\n\r\n";

    let mut stream = TcpStream::connect(address(&service)).unwrap();
    // Waiting for an answer between bytes paces them at one a second.
    stream
        .set_read_timeout(Some(Duration::from_secs(1)))
        .unwrap();
    let first_byte = Instant::now();
    let mut answer = Vec::new();
    let mut closed_after = None;
    for byte in request {
        if stream.write_all(&[*byte]).is_err() {
            closed_after = Some(first_byte.elapsed());
            break;
        }
        let mut buf = [0; 1024];
        match stream.read(&mut buf) {
            Ok(0) => {
                closed_after = Some(first_byte.elapsed());
                break;
            }
            Ok(n) => answer.extend_from_slice(&buf[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => {
                closed_after = Some(first_byte.elapsed());
                break;
            }
        }
    }
    if closed_after.is_none() {
        // Every byte was sent: give the server a moment to answer.
        stream
            .set_read_timeout(Some(Duration::from_secs(3)))
            .unwrap();
        let _ = stream.read_to_end(&mut answer);
    }
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        !answer.contains(" 200 "),
        "a request trickled over {:?} was served: {answer}",
        first_byte.elapsed()
    );
    let closed_after = closed_after.expect("the server closed the connection");
    eprintln!("a trickling request was cut off after {closed_after:?} (header timeout 2 s)");
    assert!(
        closed_after >= Duration::from_millis(1500) && closed_after < Duration::from_secs(5),
        "closed after {closed_after:?}"
    );

    // The server is fine.
    let live = get_fresh(&service.url, "/health/live", Duration::from_secs(5));
    assert!(matches!(live, Ok((200, _))), "{live:?}");
}

/// Sends a keep-alive `GET /health/live` on `stream` and reads its answer.
fn ask_live(stream: &mut TcpStream) {
    stream
        .write_all(b"GET /health/live HTTP/1.1\r\nHost: candor\r\n\r\n")
        .unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut answer = Vec::new();
    let mut buf = [0; 1024];
    // The head, then as many body bytes as content-length says.
    loop {
        let n = stream.read(&mut buf).expect("an answer");
        assert!(n > 0, "closed before answering");
        answer.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&answer).to_ascii_lowercase();
        if let Some(end) = text.find("\r\n\r\n") {
            let length: usize = text
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .expect("a content-length")
                .trim()
                .parse()
                .unwrap();
            if answer.len() >= end + 4 + length {
                assert!(text.starts_with("http/1.1 200"), "{text}");
                assert!(!text.contains("connection: close"), "{text}");
                return;
            }
        }
    }
}

#[test]
fn an_idle_keep_alive_connection_is_closed_after_the_idle_timeout() {
    let stack = Stack::new();
    let service = serve_with_open_files(&stack, 256, &[("CANDOR_IDLE_TIMEOUT", "2")]);
    let mut stream = TcpStream::connect(address(&service)).unwrap();

    ask_live(&mut stream);
    // Within the idle timeout the connection is reused...
    std::thread::sleep(Duration::from_secs(1));
    ask_live(&mut stream);
    let answered = Instant::now();

    // ...and after it, closed by the server.
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let read = stream.read(&mut [0; 64]);
    let closed_after = answered.elapsed();
    match read {
        Ok(0) => {}
        Err(e) if e.kind() == ErrorKind::ConnectionReset => {}
        other => panic!("the idle connection is still open after {closed_after:?}: {other:?}"),
    }
    eprintln!("an idle keep-alive connection was closed after {closed_after:?} (idle timeout 2 s)");
    assert!(
        closed_after >= Duration::from_millis(1500) && closed_after < Duration::from_secs(4),
        "closed after {closed_after:?}"
    );
}

#[test]
fn running_out_of_files_anyway_backs_off_logs_once_a_second_and_recovers() {
    let stack = Stack::new();
    // A cap set above what 256 files allow: accept() fails with EMFILE.
    let service = serve_with_open_files(
        &stack,
        256,
        &[
            ("CANDOR_MAX_CONNECTIONS", "1000"),
            ("CANDOR_HEADER_TIMEOUT", "2"),
        ],
    );
    let started = Instant::now();
    let silent: Vec<TcpStream> = (0..300)
        .map(|_| TcpStream::connect(address(&service)).unwrap())
        .collect();
    std::thread::sleep(Duration::from_secs(3));
    // The header timeout frees descriptors; the rest of the backlog is
    // accepted and timed out in turn.
    let live = get_fresh(&service.url, "/health/live", Duration::from_secs(10));
    assert!(matches!(live, Ok((200, _))), "{live:?}\n{}", service.logs());
    drop(silent);
    let elapsed = started.elapsed();
    let logs = service.logs();
    assert!(
        logs.contains("CANDOR_MAX_CONNECTIONS is more than the open-file limit"),
        "{logs}"
    );
    let failures: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("accept failed"))
        .collect();
    assert!(!failures.is_empty(), "{logs}");
    assert!(
        failures.len() as u64 <= elapsed.as_secs() + 1,
        "{} lines in {elapsed:?}",
        failures.len()
    );
    eprintln!(
        "{} accept-failure lines in {elapsed:?}, the first: {}",
        failures.len(),
        failures[0]
    );
}
