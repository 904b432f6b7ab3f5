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
    /// Byte-level character of each byte (GPT-2's `bytes_to_unicode`).
    byte_chars: [char; 256],
    /// Byte for each byte-level character (the table above inverted).
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
        let byte_chars = byte_chars();
        Ok(Self {
            tokens,
            ids,
            char_bytes: (0..=255u8).map(|b| (byte_chars[b as usize], b)).collect(),
            byte_chars,
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

    /// Token ids of plain text (no special tokens), as the model's own
    /// tokenizer splits it: GPT-2's pre-tokenizer, then byte-level BPE.
    pub fn encode(&self, text: &str) -> Vec<usize> {
        pre_tokens(text)
            .into_iter()
            .flat_map(|piece| self.encode_piece(piece))
            .collect()
    }

    /// BPE on one pre-token: start from its bytes and keep joining the
    /// adjacent pair whose joined token has the lowest id.
    fn encode_piece(&self, piece: &str) -> Vec<usize> {
        let mut parts: Vec<String> = piece
            .bytes()
            .map(|b| self.byte_chars[b as usize].to_string())
            .collect();
        loop {
            let best = parts
                .windows(2)
                .enumerate()
                .filter_map(|(i, pair)| Some((self.id(&(pair[0].clone() + &pair[1]))?, i)))
                .min();
            let Some((_, i)) = best else { break };
            let right = parts.remove(i + 1);
            parts[i].push_str(&right);
        }
        // Every single byte-level character is a token of every Whisper
        // vocabulary, so nothing is lost here.
        parts.iter().filter_map(|p| self.id(p)).collect()
    }

    pub fn is_timestamp(&self, id: usize) -> bool {
        id >= self.specials.timestamp_begin
    }

    /// Seconds a timestamp token stands for, relative to its window.
    pub fn timestamp_seconds(&self, id: usize) -> f64 {
        (id - self.specials.timestamp_begin) as f64 * 0.02
    }
}

/// GPT-2's reversible byte → printable character table: printable Latin-1
/// bytes stand for themselves, the rest are moved to code points from 256 up.
fn byte_chars() -> [char; 256] {
    let printable = |b: u8| {
        (b'!'..=b'~').contains(&b) || (0xA1..=0xAC).contains(&b) || (0xAE..=0xFF).contains(&b)
    };
    let mut next = 256u32;
    std::array::from_fn(|b| {
        let b = b as u8;
        if printable(b) {
            char::from(b)
        } else {
            let c = char::from_u32(next).expect("code points 256..512 are valid");
            next += 1;
            c
        }
    })
}

/// Splits text as GPT-2's pre-tokenizer regex does, written out because
/// its `\s+(?!\S)` needs a look-ahead: the contractions 's 't 're 've 'm
/// 'll 'd; a run of letters, of digits or of other non-space characters,
/// each taking one space before it; and whitespace, whose last space is left
/// to the word that follows it.
fn pre_tokens(text: &str) -> Vec<&str> {
    #[derive(PartialEq)]
    enum Class {
        Letter,
        Digit,
        Other,
        Space,
    }
    let class = |c: char| {
        if c.is_whitespace() {
            Class::Space
        } else if c.is_alphabetic() {
            Class::Letter
        } else if c.is_numeric() {
            Class::Digit
        } else {
            Class::Other
        }
    };
    let run_end = |from: usize, kind: &Class| {
        text[from..]
            .char_indices()
            .find(|&(_, c)| class(c) != *kind)
            .map_or(text.len(), |(i, _)| from + i)
    };
    let mut pieces = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let rest = &text[start..];
        let contraction = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d"]
            .into_iter()
            .find(|c| rest.starts_with(c));
        let mut chars = rest.chars();
        let first = chars.next().expect("rest is not empty");
        let end = if let Some(c) = contraction {
            start + c.len()
        } else if class(first) != Class::Space {
            run_end(start, &class(first))
        } else if first == ' ' && chars.next().is_some_and(|c| class(c) != Class::Space) {
            let word = start + 1;
            run_end(
                word,
                &class(text[word..].chars().next().expect("a word follows")),
            )
        } else {
            let end = run_end(start, &Class::Space);
            // Whitespace before a word leaves its last character to the
            // next piece: a space joins the word, anything else stands alone.
            let last = text[..end].chars().next_back().expect("a space run");
            if end < text.len() && end - start > last.len_utf8() {
                end - last.len_utf8()
            } else {
                end
            }
        };
        pieces.push(&text[start..end]);
        start = end;
    }
    pieces
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
        assert_eq!(t[b' ' as usize], 'Ġ');
        assert_eq!(t[b'\n' as usize], 'Ċ');
        assert_eq!(t[b'a' as usize], 'a');
        let distinct: std::collections::HashSet<char> = t.iter().copied().collect();
        assert_eq!(distinct.len(), 256);
    }

    #[test]
    fn pre_tokens_split_as_gpt2s_regex_does() {
        assert_eq!(
            pre_tokens("It's 80%!  Twice:\n\tdone  "),
            ["It", "'s", " 80", "%!", " ", " Twice", ":", "\n", "\t", "done", "  "]
        );
        assert_eq!(
            pre_tokens("THEY'LL c'était x²"),
            ["THEY", "'", "LL", " c", "'", "était", " x", "²"]
        );
    }

    /// Ids that the `tokenizers` crate (0.22, the models' own tokenizer.json)
    /// gave for these texts: the disfluency prompts and awkward cases.
    #[test]
    fn text_encodes_to_the_ids_of_the_models_own_tokenizer() {
        let cases: [(&str, &str, &[usize]); 8] = [
            (
                "base",
                "Umm, let me think like, hmm... Okay, here's what I'm, like, thinking.",
                &[
                    52, 2174, 11, 718, 385, 519, 411, 11, 16478, 485, 1033, 11, 510, 311, 437, 286,
                    478, 11, 411, 11, 1953, 13,
                ],
            ),
            (
                "base",
                "Ähm, also, äh... das war halt, hm, sozusagen der Anfang, ne.",
                &[
                    127, 226, 8587, 11, 611, 11, 3078, 71, 485, 1482, 1516, 12479, 11, 35481, 11,
                    33762, 1163, 25856, 11, 408, 13,
                ],
            ),
            (
                "base",
                "Euh, bon, alors... du coup, hum, en fait, c'était ça, quoi.",
                &[
                    36, 3232, 11, 4428, 11, 11246, 485, 1581, 8682, 11, 1484, 11, 465, 3887, 11,
                    269, 6, 9743, 2788, 11, 11714, 13,
                ],
            ),
            (
                "base",
                "Hã, bom, então... tipo, ahn, né, na verdade foi isso, hum.",
                &[
                    39, 1046, 11, 7957, 11, 9071, 485, 9746, 11, 3716, 77, 11, 7024, 11, 1667,
                    15203, 6901, 4616, 11, 1484, 13,
                ],
            ),
            (
                "base",
                "We saved $40,000 in 2024 -- that's 80%!  Twice:\n\tdone  ",
                &[
                    4360, 6624, 1848, 5254, 11, 1360, 294, 45237, 1350, 300, 311, 4688, 4, 0, 220,
                    46964, 25, 198, 197, 45939, 220, 220,
                ],
            ),
            (
                "base",
                "It's THEY'LL we'd 日本語 🙂 x²",
                &[
                    3522, 311, 34970, 6, 24010, 321, 1116, 220, 27311, 31348, 7385, 247, 224, 2031,
                    27643,
                ],
            ),
            (
                "tiny.en",
                "Umm, let me think like, hmm... Okay, here's what I'm, like, thinking.",
                &[
                    52, 3020, 11, 1309, 502, 892, 588, 11, 289, 3020, 986, 16805, 11, 994, 338,
                    644, 314, 1101, 11, 588, 11, 3612, 13,
                ],
            ),
            (
                "tiny.en",
                "Eh, bueno, a ver... este, o sea, mmm, lo que pasó fue eso.",
                &[
                    43894, 11, 809, 23397, 11, 257, 3326, 986, 43577, 11, 267, 5417, 11, 285, 3020,
                    11, 2376, 8358, 38836, 10205, 37911, 1658, 78, 13,
                ],
            ),
        ];
        let models = std::env::var_os("CANDOR_MODELS_DIR")
            .map(PathBuf::from)
            .expect("CANDOR_MODELS_DIR names the models directory: source scripts/setup.sh");
        for (model, text, ids) in cases {
            let vocab = Vocabulary::load(&models.join(model)).unwrap();
            assert_eq!(vocab.encode(text), ids, "{model}: {text:?}");
            assert_eq!(vocab.decode(ids), text, "{model}");
        }
    }
}
