//! `candor analyze FILE`: one recording to one report.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use candor_media::{MediaError, MediaLimits, MediaSource};
use candor_report::{build_report, render, Analyses, ReportConfig};
use candor_whisper::{ModelOptions, TranscribeOptions, WhisperModel};

use crate::cli::{AnalyzeArgs, Format};
use crate::failure::Failure;
use crate::pipeline::{self, PipelineConfig};
use crate::progress::Progress;

/// Where `scripts/setup.sh` puts the Whisper model, relative to the checkout.
const DEFAULT_MODEL_DIR: &str = "models/faster-whisper-tiny.en";

pub fn run(args: AnalyzeArgs, quiet: bool) -> Result<(), Failure> {
    let config = pipeline_config(&args)?;
    if !args.file.is_file() {
        return Err(Failure::bad_input(
            format!("{}: no such file", args.file.display()),
            "give the path of a recording (video or audio)",
        ));
    }
    let limits = MediaLimits {
        max_duration_s: args.max_duration,
        ..MediaLimits::default()
    };
    let media = candor_media::probe(MediaSource::path(&args.file), &limits).map_err(|e| {
        let message = format!("{}: {e}", args.file.display());
        match e {
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
    })?;
    let model = load_model(args.model.as_deref())?;

    let progress = Progress::new(media.info().duration_s, quiet);
    progress.stage("analysing");
    let result = pipeline::analyze(media, &model, &config, &|t| progress.at(t));
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
        },
        &ReportConfig::default(),
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

fn pipeline_config(args: &AnalyzeArgs) -> Result<PipelineConfig, Failure> {
    if !(args.fps > 0.0 && args.fps <= 60.0) {
        return Err(Failure::bad_input(
            format!("--fps {} is out of range", args.fps),
            "use a rate between 0 and 60 frames per second",
        ));
    }
    let mut config = PipelineConfig::default();
    config.decode.fps = args.fps;
    config.transcribe = TranscribeOptions {
        language: args.language.clone(),
        disfluency_prompt: !args.no_disfluency_prompt,
        ..TranscribeOptions::default()
    };
    Ok(config)
}

fn load_model(dir: Option<&Path>) -> Result<Arc<WhisperModel>, Failure> {
    let dir = dir.map_or_else(|| PathBuf::from(DEFAULT_MODEL_DIR), Path::to_path_buf);
    WhisperModel::load(&dir, &ModelOptions::default()).map(Arc::new).map_err(|e| {
        Failure::bad_input(
            format!("cannot load the Whisper model from {}: {e}", dir.display()),
            "pass --model DIR (a faster-whisper model directory) or set CANDOR_WHISPER_MODEL; scripts/setup.sh installs tiny.en into models/",
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
