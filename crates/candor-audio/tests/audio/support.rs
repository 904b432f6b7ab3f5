//! Fixtures made on the spot with espeak-ng, sox and ffmpeg, and helpers to
//! run the analyzer over them.

use std::path::{Path, PathBuf};
use std::process::Command;

use candor_audio::{AudioAnalysis, AudioAnalyzer, AudioConfig, Pause, SAMPLE_RATE_HZ};
use candor_domain::Span;

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

/// The pauses the interview script inserted, from its truth file.
pub fn truth_pauses(truth: &serde_json::Value) -> Vec<Span> {
    let pauses = truth["pauses"].as_array().expect("pauses");
    let at = |p: &serde_json::Value, key: &str| p[key].as_f64().expect("seconds");
    pauses
        .iter()
        .map(|p| Span::new(at(p, "start"), at(p, "end")))
        .collect()
}

/// The truth pauses that no found pause matches within ±150 ms at both ends.
pub fn missed_pauses(found: &[Pause], truth: &[Span]) -> Vec<Span> {
    let matches = |p: &Pause, want: &Span| {
        (p.span.start - want.start).abs() <= 0.15 && (p.span.end - want.end).abs() <= 0.15
    };
    truth
        .iter()
        .filter(|want| !found.iter().any(|p| matches(p, want)))
        .copied()
        .collect()
}

/// Speech power over the truth's sentences: the active speech level.
pub fn sentence_power(samples: &[f32], truth: &serde_json::Value) -> f64 {
    let mut speech = Vec::new();
    for s in truth["sentences"].as_array().expect("sentences") {
        let at = |key: &str| (s[key].as_f64().unwrap() * f64::from(SAMPLE_RATE_HZ)) as usize;
        speech.extend_from_slice(&samples[at("start")..at("end").min(samples.len())]);
    }
    power(&speech)
}

/// Adds deterministic white noise (a linear congruential generator) to
/// `clean` so that its sentences stand `snr_db` above it; returns the mix
/// and the noise level, dBFS.
pub fn add_white_noise(clean: &[f32], truth: &serde_json::Value, snr_db: f64) -> (Vec<f32>, f64) {
    let noise_power = sentence_power(clean, truth) / 10f64.powf(snr_db / 10.0);
    // Uniform on ±0.5 has power 1/12.
    let gain = (noise_power * 12.0).sqrt() as f32;
    let mut state = 0x1234_5678u32;
    let mix = clean
        .iter()
        .map(|s| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            s + gain * ((state >> 8) as f32 / (1 << 24) as f32 - 0.5)
        })
        .collect();
    (mix, 10.0 * noise_power.log10())
}
