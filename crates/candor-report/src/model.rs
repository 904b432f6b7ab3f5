//! The report document. Its JSON form is versioned ([`SCHEMA_VERSION`]) and
//! described by the schema in `schema/report.schema.json`.

use candor_domain::{MediaInfo, Span, Transcript, VideoSummary};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Bumped on any change to the JSON shape that a consumer could notice.
pub const SCHEMA_VERSION: &str = "1.0";

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Report {
    pub schema_version: String,
    /// The program that wrote the report, e.g. "candor 0.1.0".
    pub generator: String,
    /// The analysed file's name as given.
    pub source: String,
    pub media: MediaInfo,
    pub overall: Overall,
    pub dimensions: Vec<Dimension>,
    pub transcript: Option<Transcript>,
    /// Every raw measurement behind the scores.
    pub measurements: Measurements,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Overall {
    /// Mean of the scored dimensions' scores; none when nothing could be scored.
    pub score: Option<u8>,
    pub band: Option<Band>,
    /// Up to three best dimensions, best first.
    pub strengths: Vec<Highlight>,
    /// Up to three dimensions most worth working on, weakest first.
    pub work_on: Vec<Highlight>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Highlight {
    pub dimension: String,
    pub score: u8,
    /// What was found, in one line.
    pub verdict: String,
    /// What to do about it.
    pub tip: String,
}

/// One aspect of the answer (pace, fillers, ...), judged on its own.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Dimension {
    /// Stable identifier, e.g. "pace".
    pub id: String,
    pub title: String,
    pub assessment: Assessment,
    pub metrics: Vec<Metric>,
    /// Moments in the recording that show the finding.
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Assessment {
    Scored {
        /// 0..100.
        score: u8,
        band: Band,
        verdict: String,
        tip: String,
    },
    /// The input did not allow a fair judgement (no speech, too noisy, ...).
    NotScored { reason: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    Strong,
    Fine,
    WorkOnIt,
}

impl Band {
    pub fn label(self) -> &'static str {
        match self {
            Band::Strong => "strong",
            Band::Fine => "fine",
            Band::WorkOnIt => "work on it",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Metric {
    pub id: String,
    pub label: String,
    pub value: f64,
    pub unit: String,
    /// The range the value was judged against, when there is one.
    pub reference: Option<Reference>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Reference {
    /// The range in words, e.g. "130–160 wpm reads as clear".
    pub range: String,
    /// Where the range comes from.
    pub source: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Evidence {
    pub start: f64,
    pub end: f64,
    /// What happened there: the words, or a description.
    pub text: String,
}

impl Evidence {
    pub fn new(span: Span, text: impl Into<String>) -> Self {
        Self {
            start: span.start,
            end: span.end,
            text: text.into(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Measurements {
    pub audio: Option<candor_audio::AudioAnalysis>,
    pub content: Option<candor_content::ContentAnalysis>,
    pub video: Option<VideoSummary>,
    pub vision: Option<candor_domain::vision::VisionAnalysis>,
}
