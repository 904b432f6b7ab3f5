use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(
    name = "candor",
    version,
    about = "Coaching feedback on a recorded interview answer"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Print nothing but the report and errors (no progress bar, no logs).
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// More log detail on stderr (-v info, -vv debug).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// A TOML file overriding the defaults (`candor config` prints them).
    #[arg(long, global = true, value_name = "FILE", env = "CANDOR_CONFIG")]
    pub config: Option<PathBuf>,
}

impl Cli {
    pub fn verbosity(&self) -> &'static str {
        match (self.quiet, self.verbose) {
            (true, _) => "error",
            (false, 0) => "warn",
            (false, 1) => "info",
            (false, _) => "debug",
        }
    }
}

#[derive(Subcommand)]
pub enum Command {
    /// Analyse one recording (video or audio) and print its feedback report.
    Analyze(AnalyzeArgs),
    /// Print the JSON Schema of the report document.
    Schema,
    /// Print every setting with its default, as TOML for `--config`.
    Config,
}

#[derive(Args)]
pub struct AnalyzeArgs {
    /// The recording: MP4, MOV, MKV, WebM, MP3, M4A, WAV, OGG or FLAC.
    pub file: PathBuf,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the report here instead of to standard output.
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// A faster-whisper model directory (model.bin, config.json, tokenizer.json).
    #[arg(long, value_name = "DIR", env = "CANDOR_WHISPER_MODEL")]
    pub model: Option<PathBuf>,
    /// Spoken language (ISO 639-1, e.g. "en"); detected when omitted and the model is multilingual.
    #[arg(long, value_name = "L")]
    pub language: Option<String>,
    /// Video frames sampled per second for the visual analysis [default: 5].
    #[arg(long, value_name = "N")]
    pub fps: Option<f64>,
    /// Listen only: skip decoding the video track.
    #[arg(long)]
    pub no_video: bool,
    /// Do not prompt Whisper to keep "um"/"uh" (fewer fillers found, sometimes more words kept).
    #[arg(long)]
    pub no_disfluency_prompt: bool,
    /// Longest recording accepted, in seconds [default: 7200].
    #[arg(long, value_name = "S")]
    pub max_duration: Option<f64>,
    /// A word-list TOML file replacing or extending the built-in lexicon.
    #[arg(long, value_name = "FILE")]
    pub lexicon: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Json,
    Md,
    Text,
}
