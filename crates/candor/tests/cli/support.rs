//! Running the binary and making fixtures.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The model `scripts/setup.sh` installs, unless CANDOR_WHISPER_MODEL names another.
pub fn model_dir() -> PathBuf {
    std::env::var_os("CANDOR_WHISPER_MODEL")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("models/faster-whisper-tiny.en"))
}

pub fn candor(args: &[&str]) -> Output {
    let model = model_dir();
    Command::new(env!("CARGO_BIN_EXE_candor"))
        .args(args)
        .arg("--model")
        .arg(&model)
        .output()
        .expect("the candor binary runs")
}

/// Runs `candor analyze FILE --format json` and parses the report.
pub fn analyze_json(file: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["analyze", file.to_str().unwrap(), "--format", "json"];
    args.extend_from_slice(extra);
    let out = candor(&args);
    assert!(
        out.status.success(),
        "candor analyze {} failed ({:?}): {}",
        file.display(),
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the report is JSON")
}

/// A directory shared by the tests of this run, removed at exit by the OS
/// temp cleaner at the latest; fixtures are made once per run.
pub fn fixtures() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("a temp dir"))
        .path()
}

/// Makes `name` with scripts/make-interview.py (once per run) and returns
/// its path and its truth.
pub fn interview(name: &str, args: &[&str]) -> (PathBuf, Value) {
    let path = fixtures().join(name);
    let truth_path = path.with_extension("truth.json");
    if !truth_path.exists() {
        let status = Command::new("python3")
            .arg(workspace().join("scripts/make-interview.py"))
            .arg(&path)
            .args(args)
            .status()
            .expect("python3 runs");
        assert!(status.success(), "make-interview.py {name} failed");
    }
    let truth = serde_json::from_str(&std::fs::read_to_string(&truth_path).unwrap()).unwrap();
    (path, truth)
}

/// Runs ffmpeg with `args` (quiet, overwrite) and returns the output path.
pub fn ffmpeg(output: &str, args: &[&str]) -> PathBuf {
    let path = fixtures().join(output);
    let status = Command::new("ffmpeg")
        .args(["-v", "error", "-y"])
        .args(args)
        .arg(&path)
        .status()
        .expect("ffmpeg runs");
    assert!(status.success(), "ffmpeg {output} failed");
    path
}

/// The dimension with this id in a JSON report.
pub fn dimension<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["dimensions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == id)
        .unwrap_or_else(|| panic!("no dimension {id}"))
}

/// Lower-case words without punctuation.
pub fn words(text: &str) -> Vec<String> {
    text.split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'')
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect()
}
