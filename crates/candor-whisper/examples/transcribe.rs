//! Transcribes a 16 kHz mono WAV as a stream and reports speed; when a
//! make-interview.py `.truth.json` lies beside it, also word coverage, filler
//! recall and timing against the truth.
//!
//!     cargo run --release -p candor-whisper --example transcribe -- FILE.wav \
//!         [--threads N] [--chunk SECONDS] [--no-disfluency-prompt] [--no-previous-text] [--max-prev TOKENS] [--beam N] [--print]
//!
//! The model is tiny.en from CANDOR_MODELS_DIR (`scripts/setup.sh` installs
//! it there). Peak memory: run it under `/usr/bin/time -v`.

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use candor_whisper::{ModelOptions, TranscribeOptions, Transcriber, WhisperModel};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| args.iter().any(|a| a == name);
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let file = PathBuf::from(args.first().ok_or("usage: transcribe FILE.wav [options]")?);
    let mut model_options = ModelOptions::default();
    if let Some(t) = value("--threads") {
        model_options.threads = t.parse()?;
    }
    let chunk_s: f64 = value("--chunk").map_or(Ok(1.0), |c| c.parse())?;
    let mut options = TranscribeOptions {
        disfluency_prompt: !flag("--no-disfluency-prompt"),
        ..Default::default()
    };
    options.condition_on_previous_text = !flag("--no-previous-text");
    if let Some(n) = value("--max-prev") {
        options.max_previous_tokens = n.parse()?;
    }
    if let Some(b) = value("--beam") {
        options.beam_size = b.parse()?;
    }

    let loaded = Instant::now();
    let model = Arc::new(WhisperModel::load(common::model_dir(), &model_options)?);
    let load_s = loaded.elapsed().as_secs_f64();
    let samples = common::read_wav(&file);
    let audio_s = samples.len() as f64 / 16_000.0;

    let started = Instant::now();
    let mut t = Transcriber::new(model, options)?;
    for chunk in samples.chunks((chunk_s * 16_000.0) as usize) {
        for s in t.push(chunk)? {
            if flag("--print") {
                println!("[{:7.2} → {:7.2}] {}", s.start, s.end, s.text.trim());
            }
        }
    }
    let transcript = t.finish()?;
    let took = started.elapsed().as_secs_f64();
    println!(
        "audio {audio_s:.1} s, transcribed in {took:.1} s on {} threads: real-time factor {:.3} (model load {load_s:.2} s), {} words",
        model_options.threads,
        took / audio_s,
        transcript.words().count()
    );
    let truth_path = file.with_extension("truth.json");
    if let Ok(text) = std::fs::read_to_string(&truth_path) {
        let truth: common::Truth = serde_json::from_str(&text)?;
        let s = common::score(&transcript, &truth);
        println!(
            "coverage {:.1} %, um/uh recall {:.1} % of {}, timing in span {:.1} %, sentences lost {}, longest speech without words {:.1} s",
            s.coverage * 100.0,
            s.filler_recall * 100.0,
            s.fillers,
            s.timing * 100.0,
            s.sentences_lost,
            s.longest_silent_speech
        );
    }
    Ok(())
}
