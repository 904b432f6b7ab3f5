//! The model's vocabulary: token ids ↔ token strings, the special tokens,
//! and byte-level decoding of text tokens.
//!
//! CTranslate2 takes prompts as token *strings* and returns ids, so we keep
//! the model directory's vocabulary: `vocabulary.txt` (one token per line,
//! line number = id) or, as some converted models ship it and CTranslate2
//! also reads, `vocabulary.json` (a JSON array of the tokens in id order). Whisper's tokens are GPT-2 byte-level BPE: every byte is written as a
//! printable character, so decoding maps characters back to bytes. Special
//! tokens are looked up by name, never by number: English-only and
//! multilingual vocabularies number them differently.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::error::{read_model_file, WhisperError};

/// Special token ids of one model.
#[derive(Debug, Clone)]
pub struct Specials {
    pub eot: usize,
    pub sot: usize,
    pub sot_prev: usize,
    pub sot_lm: usize,
    pub transcribe: usize,
    pub translate: usize,
    /// `<|0.00|>`; every id from here up is a timestamp, 20 ms apart.
    pub timestamp_begin: usize,
}

pub struct Vocabulary {
    tokens: Vec<String>,
    ids: HashMap<String, usize>,
    /// Byte for each byte-level character (GPT-2's `bytes_to_unicode` inverted).
    char_bytes: HashMap<char, u8>,
    pub specials: Specials,
}

/// The tokens of `dir`'s `vocabulary.txt` or, without one, its
/// `vocabulary.json`, and the file they came from.
fn read_tokens(dir: &Path) -> Result<(PathBuf, Vec<String>), WhisperError> {
    let txt = dir.join("vocabulary.txt");
    if txt.exists() {
        let tokens = read_model_file(&txt)?.lines().map(str::to_owned).collect();
        return Ok((txt, tokens));
    }
    let json = dir.join("vocabulary.json");
    if !json.exists() {
        return Err(WhisperError::ModelFile {
            path: txt,
            reason: "neither vocabulary.txt nor vocabulary.json is in the model directory".into(),
        });
    }
    let tokens =
        serde_json::from_str(&read_model_file(&json)?).map_err(|e| WhisperError::ModelFile {
            path: json.clone(),
            reason: format!("not a JSON array of token strings: {e}"),
        })?;
    Ok((json, tokens))
}

impl Vocabulary {
    pub fn load(dir: &Path) -> Result<Self, WhisperError> {
        let (path, tokens) = read_tokens(dir)?;
        let ids: HashMap<String, usize> = tokens
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), i))
            .collect();
        let find = |name: &str| {
            ids.get(name)
                .copied()
                .ok_or_else(|| WhisperError::ModelFile {
                    path: path.clone(),
                    reason: format!("it has no {name} token; is this a Whisper vocabulary?"),
                })
        };
        let specials = Specials {
            eot: find("<|endoftext|>")?,
            sot: find("<|startoftranscript|>")?,
            sot_prev: find("<|startofprev|>")?,
            sot_lm: find("<|startoflm|>")?,
            transcribe: find("<|transcribe|>")?,
            translate: find("<|translate|>")?,
            timestamp_begin: find("<|0.00|>")?,
        };
        Ok(Self {
            tokens,
            ids,
            char_bytes: byte_chars(),
            specials,
        })
    }

    pub fn token(&self, id: usize) -> Option<&str> {
        self.tokens.get(id).map(String::as_str)
    }

    pub fn id(&self, token: &str) -> Option<usize> {
        self.ids.get(token).copied()
    }

    /// Raw bytes of a text token (empty for special tokens).
    pub fn bytes(&self, id: usize) -> Vec<u8> {
        if id >= self.specials.eot {
            return Vec::new();
        }
        self.token(id)
            .map(|t| {
                t.chars()
                    .filter_map(|c| self.char_bytes.get(&c).copied())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Text of a run of tokens; special tokens contribute nothing.
    pub fn decode(&self, ids: &[usize]) -> String {
        let bytes: Vec<u8> = ids.iter().flat_map(|&id| self.bytes(id)).collect();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    pub fn is_timestamp(&self, id: usize) -> bool {
        id >= self.specials.timestamp_begin
    }

    /// Seconds a timestamp token stands for, relative to its window.
    pub fn timestamp_seconds(&self, id: usize) -> f64 {
        (id - self.specials.timestamp_begin) as f64 * 0.02
    }
}

/// GPT-2's reversible byte ↔ printable character table: printable Latin-1
/// bytes stand for themselves, the rest are moved to code points from 256 up.
fn byte_chars() -> HashMap<char, u8> {
    let printable = |b: u8| {
        (b'!'..=b'~').contains(&b) || (0xA1..=0xAC).contains(&b) || (0xAE..=0xFF).contains(&b)
    };
    let mut next = 256u32;
    (0..=255u8)
        .map(|b| {
            let c = if printable(b) {
                char::from(b)
            } else {
                let c = char::from_u32(next).expect("code points 256..512 are valid");
                next += 1;
                c
            };
            (c, b)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A model directory with a vocabulary of the special tokens and two
    /// text tokens, written as `file`.
    fn dir_with(file: &str) -> PathBuf {
        let tokens = [
            "hello",
            "Ġworld",
            "<|endoftext|>",
            "<|startoftranscript|>",
            "<|startofprev|>",
            "<|startoflm|>",
            "<|transcribe|>",
            "<|translate|>",
            "<|0.00|>",
        ];
        let dir = std::env::temp_dir().join(format!("candor-vocab-{file}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let text = if file.ends_with(".json") {
            serde_json::to_string(&tokens).unwrap()
        } else {
            tokens.join("\n")
        };
        std::fs::write(dir.join(file), text).unwrap();
        dir
    }

    #[test]
    fn the_vocabulary_is_read_from_a_txt_or_a_json_file() {
        for file in ["vocabulary.txt", "vocabulary.json"] {
            let dir = dir_with(file);
            let v = Vocabulary::load(&dir).unwrap();
            assert_eq!(v.id("Ġworld"), Some(1), "{file}");
            assert_eq!(v.specials.eot, 2, "{file}");
            assert_eq!(v.specials.timestamp_begin, 8, "{file}");
            std::fs::remove_dir_all(dir).unwrap();
        }
    }

    #[test]
    fn a_directory_without_a_vocabulary_or_with_a_broken_one_is_a_clear_error() {
        let dir = dir_with("vocabulary.json");
        std::fs::write(dir.join("vocabulary.json"), "{\"not\": \"a list\"}").unwrap();
        let err = Vocabulary::load(&dir).err().unwrap().to_string();
        assert!(
            err.contains("vocabulary.json") && err.contains("JSON array"),
            "{err}"
        );
        std::fs::remove_file(dir.join("vocabulary.json")).unwrap();
        let err = Vocabulary::load(&dir).err().unwrap().to_string();
        assert!(
            err.contains("neither vocabulary.txt nor vocabulary.json"),
            "{err}"
        );
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn byte_level_characters_map_back_to_bytes() {
        let t = byte_chars();
        assert_eq!(t.len(), 256);
        assert_eq!(t[&'Ġ'], b' ');
        assert_eq!(t[&'Ċ'], b'\n');
        assert_eq!(t[&'a'], b'a');
    }
}
