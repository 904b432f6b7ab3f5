//! Test support for this crate and the crates built on it: a real
//! S3-compatible server (moto, from PyPI, installed by `scripts/setup.sh`)
//! on loopback, one per test process. Not used by the service itself.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener as StdListener, TcpStream as StdStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The moto S3 server shared by this test process. It exits when the
/// process does: it watches its stdin, whose other end this process holds.
pub struct Moto {
    port: u16,
    _child: Child,
    buckets: AtomicUsize,
}

static MOTO: OnceLock<Moto> = OnceLock::new();

/// The moto server of this test process, started on first use.
pub fn moto() -> &'static Moto {
    MOTO.get_or_init(Moto::start)
}

const MOTO_WRAPPER: &str = r#"
import os, runpy, sys, threading
def exit_with_parent():
    sys.stdin.read()
    os._exit(0)
threading.Thread(target=exit_with_parent, daemon=True).start()
sys.argv = ["moto.server", "-H", "127.0.0.1", "-p", sys.argv[1]]
runpy.run_module("moto.server", run_name="__main__")
"#;

impl Moto {
    fn start() -> Moto {
        let installed = Command::new("python3")
            .args(["-c", "import moto.server"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            installed,
            "moto (an S3-compatible server) is not installed: run scripts/setup.sh"
        );
        let port = StdListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = tempfile::tempfile().unwrap();
        let mut child = Command::new("python3")
            .args(["-c", MOTO_WRAPPER, &port.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(log.try_clone().unwrap())
            .spawn()
            .expect("python3 runs");
        let deadline = Instant::now() + Duration::from_secs(60);
        let moto = loop {
            if let Some(status) = child.try_wait().unwrap() {
                panic!("moto exited at start ({status}): {}", read_all(log));
            }
            if StdStream::connect(("127.0.0.1", port)).is_ok() {
                break Moto {
                    port,
                    _child: child,
                    buckets: AtomicUsize::new(0),
                };
            }
            assert!(
                Instant::now() < deadline,
                "moto did not start: {}",
                read_all(log)
            );
            std::thread::sleep(Duration::from_millis(100));
        };
        assert_eq!(moto.request("GET", "/").0, 200, "moto answers");
        moto
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// A new bucket, named after this process so that runs never share one.
    pub fn create_bucket(&self) -> String {
        let n = self.buckets.fetch_add(1, Ordering::Relaxed);
        let bucket = format!("candor-test-{}-{n}", std::process::id());
        let (status, body) = self.request("PUT", &format!("/{bucket}"));
        assert_eq!(status, 200, "creating {bucket}: {body}");
        bucket
    }

    /// One unsigned HTTP/1.0 request (moto does not check signatures):
    /// the status and the body.
    pub fn request(&self, method: &str, target: &str) -> (u16, String) {
        let mut stream = StdStream::connect(self.addr()).unwrap();
        write!(
            stream,
            "{method} {target} HTTP/1.0\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\n\r\n",
            self.port
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let status = response
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("not an HTTP response: {response:?}"));
        let body = response
            .split_once("\r\n\r\n")
            .map_or("", |(_, body)| body)
            .to_string();
        (status, body)
    }
}

fn read_all(mut file: std::fs::File) -> String {
    use std::io::Seek;
    let mut text = String::new();
    file.rewind().unwrap();
    file.read_to_string(&mut text).unwrap();
    text
}
