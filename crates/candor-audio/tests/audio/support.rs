//! Fixtures made on the spot with espeak-ng, sox and ffmpeg, and helpers to
//! run the analyzer over them.

use std::path::{Path, PathBuf};
use std::process::Command;

use candor_audio::{AudioAnalysis, AudioAnalyzer, AudioConfig, SAMPLE_RATE_HZ};

/// Runs a tool, panicking with its output if it fails; returns stderr
/// (where sox and ffmpeg report).
pub fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{program} {args:?} failed: {stderr}");
    stderr
}

/// Reads a 16 kHz mono 16-bit WAV as samples in ±1.0.
pub fn read_wav(path: &Path) -> Vec<f32> {
    let mut reader = hound::WavReader::open(path).expect("readable wav");
    let spec = reader.spec();
    assert_eq!(
        (spec.sample_rate, spec.channels, spec.bits_per_sample),
        (SAMPLE_RATE_HZ, 1, 16)
    );
    reader
        .samples::<i16>()
        .map(|s| f32::from(s.expect("sample")) / 32768.0)
        .collect()
}

/// Converts any audio file to 16 kHz mono 16-bit, as the decoder delivers.
pub fn to_16k(input: &Path, output: &Path) -> Vec<f32> {
    run(
        "ffmpeg",
        &[
            "-v",
            "error",
            "-y",
            "-i",
            path(input),
            "-ar",
            "16000",
            "-ac",
            "1",
            "-c:a",
            "pcm_s16le",
            path(output),
        ],
    );
    read_wav(output)
}

/// Speaks `text` with espeak-ng and returns it at 16 kHz.
pub fn speak(dir: &Path, text: &str) -> Vec<f32> {
    espeak(dir, &[text])
}

/// Speaks SSML markup with espeak-ng and returns it at 16 kHz.
pub fn speak_ssml(dir: &Path, ssml: &str) -> Vec<f32> {
    espeak(dir, &["-m", ssml])
}

fn espeak(dir: &Path, input: &[&str]) -> Vec<f32> {
    let raw = dir.join("espeak.wav");
    let mut args = vec!["-v", "en-us", "-s", "150", "-w", path(&raw)];
    args.extend_from_slice(input);
    run("espeak-ng", &args);
    to_16k(&raw, &dir.join("espeak16k.wav"))
}

/// A file made by `sox -n` (synthesis), at 16 kHz, e.g. `["synth", "3", "sine", "220"]`.
pub fn sox_synth(dir: &Path, name: &str, effects: &[&str]) -> Vec<f32> {
    let out = dir.join(name);
    let mut args = vec!["-n", "-r", "16000", "-c", "1", "-b", "16", path(&out)];
    args.extend_from_slice(effects);
    run("sox", &args);
    read_wav(&out)
}

/// The interview answer of scripts/make-interview.py at 16 kHz, with its truth.
pub fn interview(dir: &Path) -> (Vec<f32>, serde_json::Value) {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/make-interview.py");
    let wav = dir.join("interview.wav");
    run("python3", &[path(&script), path(&wav)]);
    let truth = std::fs::read_to_string(dir.join("interview.truth.json")).expect("truth json");
    (
        to_16k(&wav, &dir.join("interview16k.wav")),
        serde_json::from_str(&truth).expect("truth parses"),
    )
}

/// Integrated loudness as `ffmpeg -af ebur128` reports it, LUFS.
pub fn ffmpeg_integrated_lufs(wav: &Path) -> f64 {
    let log = run(
        "ffmpeg",
        &[
            "-nostats",
            "-i",
            path(wav),
            "-af",
            "ebur128",
            "-f",
            "null",
            "-",
        ],
    );
    let line = log
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with("I:"))
        .expect("ffmpeg summary has I:");
    line.trim_start()["I:".len()..]
        .trim()
        .trim_end_matches("LUFS")
        .trim()
        .parse()
        .expect("a number")
}

/// Analyses `samples` pushed in chunks of `chunk` samples.
pub fn analyze_chunked(samples: &[f32], chunk: usize) -> AudioAnalysis {
    let mut analyzer = AudioAnalyzer::new(AudioConfig::default()).expect("default config is valid");
    for part in samples.chunks(chunk) {
        analyzer.push(part).expect("finite samples");
    }
    analyzer.finish().expect("analysis")
}

/// Analyses `samples` in one-second chunks, as the decoder delivers them.
pub fn analyze(samples: &[f32]) -> AudioAnalysis {
    analyze_chunked(samples, SAMPLE_RATE_HZ as usize)
}

pub fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

/// Mean power of `samples`.
pub fn power(samples: &[f32]) -> f64 {
    samples
        .iter()
        .map(|&s| f64::from(s) * f64::from(s))
        .sum::<f64>()
        / samples.len() as f64
}
