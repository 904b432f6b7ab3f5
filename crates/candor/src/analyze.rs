//! `candor analyze FILE`: one recording to one report.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use candor_media::{MediaError, MediaSource};
use candor_report::{build_report, render, Analyses};
use candor_whisper::{ModelOptions, WhisperModel};

use crate::cli::{AnalyzeArgs, Format};
use crate::config::Config;
use crate::failure::Failure;
use crate::pipeline;
use crate::progress::Progress;

/// Where `scripts/setup.sh` puts the Whisper model, relative to the checkout.
const DEFAULT_MODEL_DIR: &str = "models/faster-whisper-tiny.en";

pub fn run(args: AnalyzeArgs, mut config: Config, quiet: bool) -> Result<(), Failure> {
    apply_flags(&args, &mut config)?;
    let pipeline_config = config.pipeline()?;
    if !args.file.is_file() {
        return Err(Failure::bad_input(
            format!("{}: no such file", args.file.display()),
            "give the path of a recording (video or audio)",
        ));
    }
    let media = candor_media::probe(MediaSource::path(&args.file), &config.limits)
        .map_err(|e| probe_failure(&args.file, e))?;
    let model = load_model(args.model.as_deref(), &config.model)?;

    let progress = Progress::new(media.info().duration_s, quiet);
    let result = pipeline::analyze(media, &model, &pipeline_config, &|t| progress.at(t));
    progress.finish();
    let analysis = result.map_err(|e| {
        let message = format!("{}: {e}", args.file.display());
        if e.is_bad_input() {
            Failure::bad_input(
                message,
                "the recording could not be decoded; check that it plays",
            )
        } else {
            Failure::internal(message)
        }
    })?;
    tracing::info!(
        "stage timings {}",
        serde_json::to_string(&analysis.timings).unwrap_or_default()
    );

    let report = build_report(
        Analyses {
            source: args.file.file_name().map_or_else(
                || args.file.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            ),
            media: analysis.media,
            audio: analysis.audio,
            transcript: analysis.transcript,
            content: analysis.content,
            video: analysis.video,
            vision: analysis.vision,
        },
        &config.report,
    );
    let rendered = match args.format {
        Format::Json => {
            serde_json::to_string_pretty(&report).map_err(|e| Failure::internal(e.to_string()))?
                + "\n"
        }
        Format::Md => render::markdown(&report),
        Format::Text => render::text(&report),
    };
    write_output(args.out.as_deref(), &rendered)
}

/// Flags win over the config file.
fn apply_flags(args: &AnalyzeArgs, config: &mut Config) -> Result<(), Failure> {
    if let Some(fps) = args.fps {
        if !(fps > 0.0 && fps <= 60.0) {
            return Err(Failure::bad_input(
                format!("--fps {fps} is out of range"),
                "use a rate between 0 and 60 frames per second",
            ));
        }
        config.decode.fps = fps;
    }
    if let Some(max) = args.max_duration {
        config.limits.max_duration_s = max;
    }
    if args.language.is_some() {
        config.transcribe.language.clone_from(&args.language);
    }
    if args.no_video {
        config.decode.video = false;
    }
    if args.no_disfluency_prompt {
        config.transcribe.disfluency_prompt = false;
    }
    if args.lexicon.is_some() {
        config.lexicon.clone_from(&args.lexicon);
    }
    Ok(())
}

/// Why a recording was refused before decoding, with what to do about it.
fn probe_failure(file: &Path, error: MediaError) -> Failure {
    let message = format!("{}: {error}", file.display());
    match error {
        MediaError::LimitExceeded(_) => Failure::bad_input(
            message,
            "trim the recording, or raise the limit (--max-duration) if you trust the input",
        ),
        e if e.is_bad_input() => Failure::bad_input(
            message,
            "Candor reads MP4, MOV, MKV, WebM, MP3, M4A, WAV, OGG and FLAC recordings",
        ),
        _ => Failure::internal(message),
    }
}

fn load_model(dir: Option<&Path>, options: &ModelOptions) -> Result<Arc<WhisperModel>, Failure> {
    let dir = dir.map_or_else(|| PathBuf::from(DEFAULT_MODEL_DIR), Path::to_path_buf);
    WhisperModel::load(&dir, options).map(Arc::new).map_err(|e| {
        Failure::bad_input(
            format!("cannot load the Whisper model from {}: {e}", dir.display()),
            "set CANDOR_WHISPER_MODEL, or run scripts/setup.sh, which installs tiny.en into models/",
        )
    })
}

fn write_output(out: Option<&Path>, text: &str) -> Result<(), Failure> {
    match out {
        None => {
            use std::io::Write;
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`candor analyze f | head`) is not a failure.
            match stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
            {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    Err(Failure::internal(format!("cannot write the report: {e}")))
                }
                _ => Ok(()),
            }
        }
        Some(path) => std::fs::write(path, text).map_err(|e| {
            Failure::bad_input(
                format!("cannot write {}: {e}", path.display()),
                "check that the directory exists and is writable",
            )
        }),
    }
}
