//! `candor analyze FILE`: one recording to one report.

use std::path::Path;
use std::sync::Arc;

use candor_content::WordNet;
use candor_domain::Transcript;
use candor_media::{MediaError, MediaSource};
use candor_report::{build_report, compare, read_report, render, Analyses, Report};
use candor_whisper::{ModelOptions, WhisperModel};

use crate::cli::{AnalyzeArgs, Format, RenderArgs};
use crate::config::Config;
use crate::failure::Failure;
use crate::pipeline;
use crate::progress::Progress;

pub fn run(args: AnalyzeArgs, mut config: Config, quiet: bool) -> Result<(), Failure> {
    apply_flags(&args, &mut config)?;
    if !args.file.is_file() {
        return Err(Failure::bad_input(
            format!("{}: no such file", args.file.display()),
            "give the path of a recording (video or audio)",
        ));
    }
    let source_name = args.file.file_name().map_or_else(
        || args.file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let context = Context {
        question: args.question.clone(),
        previous: args.compare.as_deref().map(read_report_file).transpose()?,
    };
    let model_dir = config.model_dir(args.model.model.as_deref())?;
    let report = report_for(
        MediaSource::path(&args.file),
        &args.file.display().to_string(),
        &source_name,
        &context,
        &config,
        &model_dir,
        &|duration_s| Box::new(Progress::new(duration_s, quiet)),
    )?;
    let media = media_src(&args.file, args.out.as_deref());
    let rendered = rendering(&report, args.format, Some(media))?;
    write_output(args.out.as_deref(), &rendered)
}

/// `candor render`: a stored JSON report in another format.
pub fn render_again(args: &RenderArgs) -> Result<(), Failure> {
    let report = read_report_file(&args.report)?;
    let media = args
        .media
        .as_deref()
        .map(|m| media_src(m, args.out.as_deref()));
    let rendered = rendering(&report, args.format, media)?;
    write_output(args.out.as_deref(), &rendered)
}

fn rendering(
    report: &Report,
    format: Format,
    media_src: Option<String>,
) -> Result<String, Failure> {
    Ok(match format {
        Format::Json => {
            serde_json::to_string_pretty(report).map_err(|e| Failure::internal(e.to_string()))?
                + "\n"
        }
        Format::Md => render::markdown(report),
        Format::Text => render::text(report),
        Format::Html => render::html(report, &render::HtmlOptions { media_src }),
    })
}

/// How the HTML page finds the recording for its player: relative to the
/// page when the recording is in the page's folder or below it (the two can
/// be moved together), else by absolute path. Written to standard output,
/// the page is assumed to be saved in the current folder.
fn media_src(recording: &Path, page: Option<&Path>) -> String {
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let recording = absolute(recording);
    let page_dir = match page {
        Some(page) => absolute(page).parent().map(Path::to_path_buf),
        None => std::env::current_dir().ok(),
    };
    let path = page_dir
        .and_then(|dir| recording.strip_prefix(dir).ok().map(Path::to_path_buf))
        .unwrap_or(recording);
    // A URL path: each component percent-encoded, joined by "/".
    let encoded: Vec<String> = path
        .components()
        .map(|c| match c {
            std::path::Component::RootDir => String::new(),
            c => percent_encode(&c.as_os_str().to_string_lossy()),
        })
        .collect();
    encoded.join("/")
}

/// Percent-encodes everything but unreserved URL characters.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            b => format!("%{b:02X}"),
        })
        .collect()
}

/// What a recording is judged against, besides the reference ranges.
#[derive(Default)]
pub struct Context {
    /// The interview question it answers.
    pub question: Option<String>,
    /// The report of the candidate's previous take, to show progress.
    pub previous: Option<Report>,
}

/// Reads a JSON report an earlier `candor analyze` wrote (`--compare`,
/// `candor render`).
fn read_report_file(path: &Path) -> Result<Report, Failure> {
    let hint = "give a report written by `candor analyze --format json`";
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::bad_input(format!("cannot read {}: {e}", path.display()), hint))?;
    read_report(&text).map_err(|e| Failure::bad_input(format!("{}: {e}", path.display()), hint))
}

/// Follows one analysis: told where the slowest stage is, in seconds of
/// media, and when the analysis has ended.
pub trait ProgressSink: Sync {
    fn at(&self, media_seconds: f64);
    fn finish(&self);
}

/// Probes, analyses and scores one recording: the work `candor analyze` and
/// the service's job child share. `what` names the input in messages
/// (a path or an object key), `source_name` goes into the report;
/// `progress` is made once the duration is known.
pub fn report_for(
    source: MediaSource,
    what: &str,
    source_name: &str,
    context: &Context,
    config: &Config,
    model_dir: &Path,
    progress: &dyn Fn(f64) -> Box<dyn ProgressSink>,
) -> Result<Report, Failure> {
    let pipeline_config = config.pipeline()?;
    let media = candor_media::probe(source, &config.limits).map_err(|e| media_failure(what, e))?;
    let model = load_model(model_dir, &config.model)?;
    if let Some(language) = &config.transcribe.language {
        if !model.supports_language(language) {
            return Err(Failure::bad_input(
                format!(
                    "the Whisper model in {} does not transcribe language {language:?}",
                    model_dir.display()
                ),
                if model.is_multilingual() {
                    "give a language as its ISO 639-1 code, e.g. de or pt"
                } else {
                    "it knows English only: use --model base for other languages"
                },
            ));
        }
    }

    let progress = progress(media.info().duration_s);
    let result = pipeline::analyze(media, &model, &pipeline_config, &|t| progress.at(t));
    progress.finish();
    let analysis = result.map_err(|e| match e {
        // Over the duration limit by its decoded media: the same advice as
        // when the file states it.
        pipeline::PipelineError::Media(e @ MediaError::LimitExceeded(_)) => media_failure(what, e),
        e if e.is_bad_input() => Failure::bad_input(
            format!("{what}: {e}"),
            "the recording could not be decoded; check that it plays",
        ),
        e => Failure::internal(format!("{what}: {e}")),
    })?;
    warn_about_skips(what, &analysis);
    tracing::info!(
        "stage timings {}",
        serde_json::to_string(&analysis.timings).unwrap_or_default()
    );

    let question = context
        .question
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(|q| {
            let none = Transcript::default();
            let transcript = analysis.transcript.as_ref().unwrap_or(&none);
            let wordnet = (transcript.language == "en")
                .then(|| WordNet::open(&pipeline_config.content.wordnet_dir))
                .transpose()
                .unwrap_or_else(|e| {
                    tracing::warn!(error = %e, "key terms are matched by word form only");
                    None
                });
            candor_content::fit_question(
                q,
                transcript,
                &pipeline_config.lexicons.for_language(&transcript.language),
                &pipeline_config.content,
                wordnet.as_ref(),
            )
        });
    let mut report = build_report(
        Analyses {
            source: source_name.to_string(),
            media: analysis.media,
            audio: analysis.audio,
            transcript: analysis.transcript,
            content: analysis.content,
            video: analysis.video,
            vision: analysis.vision,
            question,
        },
        &config.report,
    );
    report.progress = context.previous.as_ref().map(|p| compare(&report, p));
    Ok(report)
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

/// What the analysis left out of the recording: long jumps in the audio
/// timestamps (left out, not filled with silence) and frames that could not
/// be converted or analysed. Warnings, so that a person reading the report
/// knows what it does not cover.
fn warn_about_skips(what: &str, analysis: &pipeline::Analysis) {
    let d = &analysis.decode;
    for gap in &d.audio_gaps {
        tracing::warn!(
            "{what}: the audio skips {:.1} s at {} (its timestamps jump); the gap was left out, \
             so the audio after it is placed {:.1} s earlier than its timestamps",
            gap.skipped_s,
            clock(gap.at_s),
            gap.skipped_s
        );
    }
    let unlisted = d.audio_gaps_collapsed - d.audio_gaps.len() as u64;
    if unlisted > 0 {
        tracing::warn!(
            "{what}: {unlisted} more jumps in the audio were left out ({:.1} s skipped in all)",
            d.audio_skipped_s
        );
    }
    if d.frames_failed > 0 {
        tracing::warn!(
            "{what}: {} sampled video frames could not be converted and were skipped",
            d.frames_failed
        );
    }
    if analysis.vision_frames_failed > 0 {
        tracing::warn!(
            "{what}: the visual analysis failed on {} frames and skipped them",
            analysis.vision_frames_failed
        );
    }
}

/// `m:ss.s` for a time in seconds.
fn clock(seconds: f64) -> String {
    let tenths = (seconds.max(0.0) * 10.0).round() as u64;
    format!("{}:{:02}.{}", tenths / 600, tenths / 10 % 60, tenths % 10)
}

/// Why a recording was refused (before decoding, or during it for a limit),
/// with what to do about it.
fn media_failure(what: &str, error: MediaError) -> Failure {
    let message = format!("{what}: {error}");
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

fn load_model(dir: &Path, options: &ModelOptions) -> Result<Arc<WhisperModel>, Failure> {
    WhisperModel::load(dir, options).map(Arc::new).map_err(|e| {
        Failure::bad_input(
            format!("cannot load the Whisper model from {}: {e}", dir.display()),
            "a model directory holds model.bin, config.json, tokenizer.json and vocabulary.txt or .json; `candor models list` shows the installed ones",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_player_finds_the_recording_relative_to_the_page_when_it_can() {
        let src = |rec: &str, page: &str| media_src(Path::new(rec), Some(Path::new(page)));
        assert_eq!(src("/data/takes/a.mp4", "/data/takes/a.html"), "a.mp4");
        assert_eq!(
            src("/data/takes/day 1/a#1.mp4", "/data/takes/report.html"),
            "day%201/a%231.mp4"
        );
        // Not below the page's folder: absolute.
        assert_eq!(src("/data/a.mp4", "/tmp/out/r.html"), "/data/a.mp4");
    }

    #[test]
    fn clock_times_read_as_minutes_and_seconds() {
        assert_eq!(clock(2.0), "0:02.0");
        assert_eq!(clock(59.96), "1:00.0");
        assert_eq!(clock(3001.25), "50:01.3");
    }
}
