//! English words related by meaning, from Princeton WordNet 3.0's database
//! files (Debian `wordnet-base`, `/usr/share/wordnet`): base forms
//! ("ran" → "run"), and for a word's commonest senses its synonyms,
//! derivations ("decide" ↔ "decision"), antonyms ("unreliable" ↔
//! "reliable") and pertainyms. Read in place: the index files are binary
//! searched in memory, synsets are read at their byte offsets in the data
//! files, so a lookup costs no more than a few page reads.
//!
//! The file format is documented in WordNet's wndb(5WN) and morphy(7WN).

use std::collections::{BTreeSet, HashMap};
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;

use crate::ContentError;

/// Where Debian's `wordnet-base` installs the database.
pub const DEFAULT_WORDNET_DIR: &str = "/usr/share/wordnet";

/// Relations followed from a sense: antonym, derivationally related form,
/// pertainym, similar to, participle, attribute (wndb(5WN) pointer symbols).
const RELATED: [&str; 6] = ["!", "+", "\\", "&", "<", "="];

/// One part of speech: its sorted index, its exceptions and its data file.
struct Part {
    index: Vec<u8>,
    /// Offsets of the index's entry lines (the licence header left out).
    lines: Vec<usize>,
    exceptions: HashMap<String, Vec<String>>,
    /// Read at offsets, never as a stream.
    data: File,
    /// morphy(7WN)'s detachment rules: (suffix, replacement).
    rules: &'static [(&'static str, &'static str)],
}

pub struct WordNet {
    parts: Vec<Part>,
}

impl std::fmt::Debug for WordNet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WordNet").finish_non_exhaustive()
    }
}

impl WordNet {
    /// Opens the database in `dir` (noun, verb, adj and adv files).
    pub fn open(dir: impl AsRef<Path>) -> Result<Self, ContentError> {
        let dir = dir.as_ref();
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read(&path).map_err(|source| ContentError::ReadWordNet { path, source })
        };
        let mut parts = Vec::new();
        for (name, rules) in [
            ("noun", NOUN_RULES),
            ("verb", VERB_RULES),
            ("adj", ADJ_RULES),
            ("adv", &[][..]),
        ] {
            let index = read(&format!("index.{name}"))?;
            let mut lines = Vec::new();
            let mut at = 0;
            while at < index.len() {
                if index[at] != b' ' {
                    lines.push(at);
                }
                at = index[at..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(index.len(), |n| at + n + 1);
            }
            let exceptions = String::from_utf8_lossy(&read(&format!("{name}.exc"))?)
                .lines()
                .filter_map(|line| {
                    let mut words = line.split_whitespace();
                    let form = words.next()?.to_owned();
                    Some((form, words.map(str::to_owned).collect()))
                })
                .collect();
            let path = dir.join(format!("data.{name}"));
            let data =
                File::open(&path).map_err(|source| ContentError::ReadWordNet { path, source })?;
            parts.push(Part {
                index,
                lines,
                exceptions,
                data,
                rules,
            });
        }
        Ok(Self { parts })
    }

    /// Base forms of `word` in any part of speech ("ran" → "run", "teams"
    /// → "team"), the word itself included when WordNet has it.
    pub fn base_forms(&self, word: &str) -> BTreeSet<String> {
        let word = as_lemma(word);
        self.parts
            .iter()
            .flat_map(|part| part.base_forms(&word))
            .collect()
    }

    /// Words close in meaning to `word` through its `senses` commonest senses
    /// in each part of speech: its base forms, their synonyms, and the words
    /// one relation away (antonyms, derivations, pertainyms, similar words).
    /// Multi-word entries keep WordNet's underscores ("set_up").
    pub fn related(&self, word: &str, senses: usize) -> BTreeSet<String> {
        let word = as_lemma(word);
        let mut related = BTreeSet::new();
        for part in &self.parts {
            for lemma in part.base_forms(&word) {
                for offset in part.senses(&lemma).into_iter().take(senses) {
                    let Some(synset) = self.synset(part, offset) else {
                        continue;
                    };
                    related.extend(synset.words.iter().cloned());
                    for (symbol, pos, target) in &synset.pointers {
                        if !RELATED.contains(&symbol.as_str()) {
                            continue;
                        }
                        if let Some(other) =
                            self.part_of(*pos).and_then(|p| self.synset(p, *target))
                        {
                            related.extend(other.words);
                        }
                    }
                }
                related.insert(lemma);
            }
        }
        related
    }

    fn part_of(&self, pos: char) -> Option<&Part> {
        match pos {
            'n' => self.parts.first(),
            'v' => self.parts.get(1),
            'a' | 's' => self.parts.get(2),
            'r' => self.parts.get(3),
            _ => None,
        }
    }

    /// The synset whose line starts at byte `offset` of the data file.
    fn synset(&self, part: &Part, offset: u64) -> Option<Synset> {
        let mut line = Vec::new();
        let mut chunk = [0u8; 4096];
        let mut at = offset;
        loop {
            let n = part.data.read_at(&mut chunk, at).ok()?;
            match chunk[..n].iter().position(|&b| b == b'\n') {
                Some(end) => {
                    line.extend_from_slice(&chunk[..end]);
                    break;
                }
                None if n == 0 => break,
                None => line.extend_from_slice(&chunk[..n]),
            }
            at += n as u64;
        }
        Synset::parse(&String::from_utf8_lossy(&line))
    }
}

/// A word as WordNet files it: lower case, spaces as underscores.
fn as_lemma(word: &str) -> String {
    word.to_lowercase().replace(' ', "_")
}

impl Part {
    /// The index entry of `lemma`: its synset offsets, commonest sense first.
    fn senses(&self, lemma: &str) -> Vec<u64> {
        let line_at = |start: usize| {
            let end = self.index[start..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(self.index.len(), |n| start + n);
            &self.index[start..end]
        };
        let lemma_of = |line: &'_ [u8]| -> usize {
            line.iter().position(|&b| b == b' ').unwrap_or(line.len())
        };
        let found = self.lines.binary_search_by(|&start| {
            let line = line_at(start);
            line[..lemma_of(line)].cmp(lemma.as_bytes())
        });
        let Ok(i) = found else {
            return Vec::new();
        };
        let line = String::from_utf8_lossy(line_at(self.lines[i]));
        let fields: Vec<&str> = line.split_whitespace().collect();
        // lemma pos synset_cnt p_cnt [ptr_symbol...] sense_cnt tagsense_cnt offsets...
        let Some(pointers) = fields.get(3).and_then(|n| n.parse::<usize>().ok()) else {
            return Vec::new();
        };
        fields
            .iter()
            .skip(4 + pointers + 2)
            .filter_map(|o| o.parse().ok())
            .collect()
    }

    fn has(&self, lemma: &str) -> bool {
        !self.senses(lemma).is_empty()
    }

    /// morphy(7WN): the exceptions, the word itself, then each detachment
    /// rule, keeping the forms this part of speech has.
    fn base_forms(&self, word: &str) -> Vec<String> {
        let mut forms: Vec<String> = self.exceptions.get(word).cloned().unwrap_or_default();
        if self.has(word) {
            forms.push(word.to_owned());
        }
        for (suffix, replacement) in self.rules {
            if let Some(stem) = word.strip_suffix(suffix) {
                let form = format!("{stem}{replacement}");
                if !form.is_empty() && self.has(&form) {
                    forms.push(form);
                }
            }
        }
        forms.sort();
        forms.dedup();
        forms
    }
}

const NOUN_RULES: &[(&str, &str)] = &[
    ("s", ""),
    ("ses", "s"),
    ("xes", "x"),
    ("zes", "z"),
    ("ches", "ch"),
    ("shes", "sh"),
    ("men", "man"),
    ("ies", "y"),
];
const VERB_RULES: &[(&str, &str)] = &[
    ("s", ""),
    ("ies", "y"),
    ("es", "e"),
    ("es", ""),
    ("ed", "e"),
    ("ed", ""),
    ("ing", "e"),
    ("ing", ""),
];
const ADJ_RULES: &[(&str, &str)] = &[("er", ""), ("est", ""), ("er", "e"), ("est", "e")];

/// The parts of a data-file line Candor uses.
struct Synset {
    words: Vec<String>,
    /// (symbol, part of speech, offset) of each pointer.
    pointers: Vec<(String, char, u64)>,
}

impl Synset {
    /// `offset lex_filenum ss_type w_cnt word lex_id [word lex_id]... p_cnt
    /// [symbol offset pos source/target]... | gloss` (w_cnt in hex).
    fn parse(line: &str) -> Option<Self> {
        let fields: Vec<&str> = line.split(" | ").next()?.split_whitespace().collect();
        let count = usize::from_str_radix(fields.get(3)?, 16).ok()?;
        let words = (0..count)
            .filter_map(|i| fields.get(4 + 2 * i))
            // Adjectives may carry a syntactic marker: "galore(ip)".
            .map(|w| w.split('(').next().unwrap_or(w).to_lowercase())
            .collect();
        let at = 4 + 2 * count;
        let pointer_count: usize = fields.get(at)?.parse().ok()?;
        let pointers = (0..pointer_count)
            .filter_map(|i| {
                let p = at + 1 + 4 * i;
                let symbol = (*fields.get(p)?).to_owned();
                let offset = fields.get(p + 1)?.parse().ok()?;
                let pos = fields.get(p + 2)?.chars().next()?;
                Some((symbol, pos, offset))
            })
            .collect();
        Some(Self { words, pointers })
    }
}
