use serde::{Deserialize, Serialize};

/// One recognised word with its timing. `text` keeps the model's spelling and
/// punctuation (e.g. " Um,"); analyses normalise it themselves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Word {
    pub text: String,
    pub start: f64,
    pub end: f64,
    /// The model's probability for the word, 0..1.
    pub probability: f32,
}

/// A decoded stretch of text, as the model segmented it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Segment {
    pub start: f64,
    pub end: f64,
    pub text: String,
    pub words: Vec<Word>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Transcript {
    /// ISO 639-1 code, e.g. "en".
    pub language: String,
    /// How sure Whisper's language detection was, 0..1; absent when the
    /// language was given or the model knows only English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language_probability: Option<f32>,
    pub segments: Vec<Segment>,
}

impl Transcript {
    pub fn words(&self) -> impl Iterator<Item = &Word> {
        self.segments.iter().flat_map(|s| s.words.iter())
    }

    pub fn text(&self) -> String {
        self.segments
            .iter()
            .map(|s| s.text.trim())
            .collect::<Vec<_>>()
            .join(" ")
    }
}
