//! Headless Chromium driven over WebDriver: a `chromedriver` on a free
//! loopback port, started in its own process group so that dropping the
//! [`Browser`] ends it and the Chromium it started, even after a failed
//! assertion.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Map, Value};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

pub struct Browser {
    pub client: Client,
    _driver: Driver,
    _profile: tempfile::TempDir,
}

/// The chromedriver process; dropped, its whole process group (it and the
/// Chromium it started) is killed.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        // SAFETY: kill(2) on the process group made for this child alone.
        unsafe { libc::kill(-(self.0.id() as i32), libc::SIGKILL) };
        let _ = self.0.wait();
    }
}

impl Browser {
    /// A fresh browser (empty profile) with a `width`×`height` viewport.
    pub async fn start(width: u32, height: u32) -> Browser {
        Browser::start_with(width, height, &[]).await
    }

    /// As [`Browser::start`], with more Chromium flags (fake capture
    /// devices, say).
    pub async fn start_with(width: u32, height: u32, flags: &[String]) -> Browser {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let mut command = Command::new(CHROMEDRIVER);
        command
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0);
        let driver = Driver(command.spawn().expect("chromedriver starts"));
        let profile = tempfile::tempdir().unwrap();
        let mut args = vec![
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            format!("--window-size={width},{height}"),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        args.extend_from_slice(flags);
        let options = json!({ "binary": CHROMIUM, "args": args });
        let mut capabilities = Map::new();
        capabilities.insert("goog:chromeOptions".into(), options);
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        let client = loop {
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities.clone())
                .connect(&url)
                .await
            {
                Ok(client) => break client,
                // The driver is still starting.
                Err(_) if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(100)).await
                }
                Err(error) => panic!("no WebDriver session: {error}"),
            }
        };
        let browser = Browser {
            client,
            _driver: driver,
            _profile: profile,
        };
        browser.resize(width, height).await;
        browser
    }

    /// Opens a page written to disk, as a `file://` URL.
    pub async fn open_file(&self, page: &std::path::Path) {
        self.client
            .goto(&format!("file://{}", page.display()))
            .await
            .unwrap();
    }

    /// Makes the viewport `width`×`height` CSS pixels (the window's size
    /// minus whatever the window adds). The viewport may lag a resize, and
    /// a resize may be refused, so it is measured again, a few times.
    pub async fn resize(&self, width: u32, height: u32) {
        let (mut outer_w, mut outer_h) = (i64::from(width), i64::from(height));
        for _ in 0..5 {
            // A refused size is tried again below, measured afresh.
            let _ = self
                .client
                .set_window_size(outer_w as u32, outer_h as u32)
                .await;
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            let inner = self
                .eval("return [window.innerWidth, window.innerHeight]")
                .await;
            let (w, h) = (inner[0].as_i64().unwrap(), inner[1].as_i64().unwrap());
            if (w, h) == (i64::from(width), i64::from(height)) {
                return;
            }
            let (now_w, now_h) = self.client.get_window_size().await.unwrap();
            outer_w = (now_w as i64 + i64::from(width) - w).clamp(100, 4000);
            outer_h = (now_h as i64 + i64::from(height) - h).clamp(100, 4000);
        }
        // Some sizes are never met exactly (a window's minimum width, a
        // scroll bar): the pages' tests then see the nearest one.
    }

    /// Clicks the element `css` selects, as a person would.
    pub async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css} to click: {e}"))
            .click()
            .await
            .unwrap();
    }

    /// Runs `script` (a function body) in the page and returns its value.
    pub async fn eval(&self, script: &str) -> Value {
        self.client.execute(script, Vec::new()).await.unwrap()
    }

    /// Waits until `script` returns something truthy, and returns it.
    pub async fn wait_until(&self, what: &str, limit: Duration, script: &str) -> Value {
        let deadline = Instant::now() + limit;
        loop {
            // A script fails while the page navigates; that is no answer.
            if let Ok(value) = self.client.execute(script, Vec::new()).await {
                if !matches!(&value, Value::Null | Value::Bool(false)) && value != json!("") {
                    return value;
                }
            }
            if Instant::now() > deadline {
                let text = self
                    .eval("return document.body && document.body.innerText")
                    .await;
                panic!("gave up waiting for {what}; the page says: {text}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Runs axe-core (`CANDOR_AXE_JS`, installed by scripts/setup.sh) on
    /// the page and asserts it finds no violation of its default rules
    /// (WCAG 2 A and AA, and best practices).
    pub async fn assert_accessible(&self, page: &str) {
        let path = std::env::var("CANDOR_AXE_JS")
            .expect("CANDOR_AXE_JS names axe.min.js (source scripts/setup.sh)");
        let axe =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("axe-core at {path}: {e}"));
        self.client
            .execute(&format!("{axe}\nreturn true;"), Vec::new())
            .await
            .expect("axe-core loads into the page");
        let violations = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document).then(
                   (result) => done(result.violations.map((v) => ({
                     rule: v.id, impact: v.impact, help: v.help,
                     nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
                   }))),
                   (error) => done([{ rule: 'axe failed', help: String(error) }]));",
                Vec::new(),
            )
            .await
            .expect("axe-core runs");
        assert_eq!(
            violations,
            json!([]),
            "{page}: axe-core finds accessibility violations"
        );
    }

    /// Ends the WebDriver session (Chromium quits), then the driver.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}
