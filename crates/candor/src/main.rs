//! `candor`: interview feedback from one recording (`candor analyze FILE`).

mod admin;
mod analyze;
mod cli;
mod config;
mod failure;
mod job;
mod models;
mod pipeline;
mod progress;
mod quantize;
mod service;

use std::process::ExitCode;

use clap::Parser;

/// The service's model: `--model`, `CANDOR_WHISPER_MODEL` or the config
/// file's `whisper_model`.
fn model_dir(
    config: Option<&std::path::Path>,
    model: cli::ModelArg,
) -> Result<std::path::PathBuf, failure::Failure> {
    config::Config::load(config)?.model_dir(model.model.as_deref())
}

fn main() -> ExitCode {
    limit_heap_caching();
    let cli = cli::Cli::parse();
    // The service's logs are JSON lines for log collectors; the CLI's are
    // for people.
    let json_logs = matches!(
        cli.command,
        cli::Command::Serve(_) | cli::Command::Worker(_) | cli::Command::JobRun(_)
    );
    let level = if json_logs && cli.verbose == 0 && !cli.quiet {
        "info"
    } else {
        cli.verbosity()
    };
    init_logging(level, json_logs);
    let result = match cli.command {
        cli::Command::Analyze(args) => config::Config::load(cli.config.as_deref())
            .and_then(|config| analyze::run(args, config, cli.quiet)),
        cli::Command::Render(args) => analyze::render_again(&args),
        cli::Command::Schema => {
            println!("{}", candor_report::json_schema_string());
            Ok(())
        }
        cli::Command::Config => {
            print!("{}", config::Config::defaults_toml());
            Ok(())
        }
        cli::Command::Serve(args) => model_dir(cli.config.as_deref(), args.model)
            .and_then(|dir| service::run(service::Role::ApiAndWorkers, args.bind, &dir)),
        cli::Command::Worker(args) => model_dir(cli.config.as_deref(), args)
            .and_then(|dir| service::run(service::Role::WorkersOnly, None, &dir)),
        cli::Command::Keys(command) => admin::keys(command),
        cli::Command::Media(command) => admin::media(command),
        cli::Command::Webhooks(command) => admin::webhooks(command),
        cli::Command::JobRun(args) => {
            return match config::Config::load(cli.config.as_deref()).and_then(|config| {
                let dir = config.model_dir(args.model.as_deref())?;
                Ok((config, dir))
            }) {
                Ok((config, dir)) => job::run(config, &dir),
                Err(failure) => failure.report(),
            };
        }
        cli::Command::Models(command) => match command {
            cli::ModelsCommand::List => {
                models::list();
                Ok(())
            }
            cli::ModelsCommand::Install { names } => models::install(&names),
            cli::ModelsCommand::Path { name } => models::resolve(&name).map(|dir| {
                println!("{}", dir.display());
            }),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(),
    }
}

/// CTranslate2 allocates and frees multi-megabyte tensors for every layer;
/// glibc's default (a mmap threshold that adapts upwards to 32 MB) keeps them
/// in the heap, ~50 MB more resident memory for a ~10 % speed gain. A fixed
/// 4 MB threshold returns the largest buffers to the system at once.
/// CTranslate2's wheel allocates through MKL, whose own buffer cache held
/// another ~6 MB at peak on the 10-minute benchmark, at no measurable speed
/// gain; `MKL_DISABLE_FAST_MM` turns that cache off (unless the user set it).
fn limit_heap_caching() {
    #[cfg(target_env = "gnu")]
    // SAFETY: mallopt only changes allocator tuning; called before any thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 4 << 20);
    }
    if std::env::var_os("MKL_DISABLE_FAST_MM").is_none() {
        // Safe to set here: no other thread exists yet to read the environment.
        std::env::set_var("MKL_DISABLE_FAST_MM", "1");
    }
}

/// Logs go to stderr; `RUST_LOG` overrides the level the flags chose.
fn init_logging(default_level: &str, json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    if json {
        logs.json().with_current_span(true).init();
    } else {
        logs.init();
    }
}
