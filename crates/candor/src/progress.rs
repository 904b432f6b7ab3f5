//! The progress bar on stderr. It follows the transcriber, the slowest
//! stage, in seconds of the recording; hidden when stderr is not a terminal
//! or with `--quiet`.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::analyze::ProgressSink;

pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    pub fn new(duration_s: f64, quiet: bool) -> Self {
        let bar = ProgressBar::new(duration_s.ceil().max(1.0) as u64);
        if quiet || !std::io::stderr().is_terminal() {
            bar.set_draw_target(ProgressDrawTarget::hidden());
        }
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} analysing [{bar:30}] {pos}/{len} s of media ({eta} left)",
            )
            .expect("static template")
            .progress_chars("=> "),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
        Self { bar }
    }
}

impl ProgressSink for Progress {
    fn at(&self, media_seconds: f64) {
        self.bar.set_position(media_seconds as u64);
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
