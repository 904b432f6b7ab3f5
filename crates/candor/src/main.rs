//! `candor`: interview feedback from one recording (`candor analyze FILE`).

mod admin;
mod analyze;
mod cli;
mod config;
mod failure;
mod job;
mod pipeline;
mod progress;
mod service;

use std::process::ExitCode;

use clap::Parser;

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
        cli::Command::Serve(args) => service::run(
            service::Role::ApiAndWorkers,
            args.bind,
            &service::absolute_model_dir(args.model.model),
        ),
        cli::Command::Worker(args) => service::run(
            service::Role::WorkersOnly,
            None,
            &service::absolute_model_dir(args.model),
        ),
        cli::Command::Keys(command) => admin::keys(command),
        cli::Command::Media(command) => admin::media(command),
        cli::Command::Webhooks(command) => admin::webhooks(command),
        cli::Command::JobRun(args) => {
            let model_dir = args.model.unwrap_or_else(analyze::default_model_dir);
            return match config::Config::load(cli.config.as_deref()) {
                Ok(config) => job::run(config, &model_dir),
                Err(failure) => failure.report(),
            };
        }
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
