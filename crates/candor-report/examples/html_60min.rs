//! Writes the HTML report of a realistic 60-minute interview to the path
//! given, for timing the page in a browser:
//!
//! ```sh
//! cargo run --release -p candor-report --features testing --example html_60min -- /tmp/60min.html [recording.mp4]
//! ```
//!
//! The optional second argument becomes the player's `src`.

use candor_report::render::{html, HtmlOptions};
use candor_report::testing::sixty_minute_report;

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: html_60min OUT.html [MEDIA_SRC]");
        return std::process::ExitCode::from(2);
    };
    let options = HtmlOptions {
        media_src: args.next(),
    };
    let page = html(&sixty_minute_report(), &options);
    match std::fs::write(&path, &page) {
        Ok(()) => {
            println!("{path}: {} bytes", page.len());
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cannot write {path}: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
