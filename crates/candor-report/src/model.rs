//! The report document. Its JSON form is versioned ([`SCHEMA_VERSION`]) and
//! described by the schema in `schema/report.schema.json`.

use candor_content::QuestionFit;
use candor_domain::{MediaInfo, Span, Transcript, VideoSummary};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Bumped on any change to the JSON shape that a consumer could notice.
/// A consumer may read any report of the same major version: minor versions
/// only add fields.
pub const SCHEMA_VERSION: &str = "1.1";

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
    /// The interview question, when it was given, and how the answer fits it.
    #[serde(default)]
    pub question: Option<QuestionFit>,
    /// What changed since the previous take, when one was compared.
    #[serde(default)]
    pub progress: Option<Progress>,
    /// Every raw measurement behind the scores.
    pub measurements: Measurements,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Overall {
    /// Weighted mean of the scored dimensions' scores (weights in the
    /// configuration, `ReportConfig::weights`); dimensions not scored are
    /// left out, not counted as zero. None when nothing could be scored.
    pub score: Option<u8>,
    pub band: Option<Band>,
    /// Up to three best dimensions, best first.
    pub strengths: Vec<Highlight>,
    /// Up to three dimensions most worth working on, weakest first.
    pub work_on: Vec<Highlight>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Highlight {
    /// The dimension's id, e.g. "pace".
    pub id: String,
    /// The dimension's title.
    pub dimension: String,
    pub score: u8,
    /// What was found, in one line.
    pub verdict: String,
    /// What to do about it.
    pub tip: String,
    /// Up to three moments that show it: examples of doing it well for a
    /// strength, the places it went wrong for something to work on.
    #[serde(default)]
    pub moments: Vec<Evidence>,
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
    #[serde(default)]
    pub kind: EvidenceKind,
}

/// Whether a moment shows the problem or an example to keep.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// Where the finding shows: a filler, a long pause, a look away.
    #[default]
    Issue,
    /// An example of doing it well: a STAR part, a quantified result.
    Example,
}

impl Evidence {
    /// A moment that shows a problem.
    pub fn new(span: Span, text: impl Into<String>) -> Self {
        Self {
            start: span.start,
            end: span.end,
            text: text.into(),
            kind: EvidenceKind::Issue,
        }
    }

    /// A moment that shows something done well.
    pub fn example(span: Span, text: impl Into<String>) -> Self {
        Self {
            kind: EvidenceKind::Example,
            ..Self::new(span, text)
        }
    }
}

/// The change since an earlier take of the same candidate (and question).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Progress {
    /// The earlier take's source name.
    pub previous_source: String,
    /// Whether both takes answered the same question (unknown counts as
    /// different).
    pub same_question: bool,
    pub overall_before: Option<u8>,
    pub overall_after: Option<u8>,
    /// After minus before, when both were scored.
    pub overall_change: Option<i16>,
    /// Every dimension scored in both takes, most improved first.
    pub dimensions: Vec<DimensionChange>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct DimensionChange {
    pub id: String,
    pub title: String,
    pub before: u8,
    pub after: u8,
    /// After minus before, in score points.
    pub change: i16,
    pub trend: Trend,
    /// The measurements behind it, before and after.
    pub metrics: Vec<MetricChange>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    Improved,
    Steady,
    Worse,
}

impl Trend {
    pub fn label(self) -> &'static str {
        match self {
            Trend::Improved => "improved",
            Trend::Steady => "steady",
            Trend::Worse => "worse",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct MetricChange {
    pub id: String,
    pub label: String,
    pub unit: String,
    pub before: f64,
    pub after: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Measurements {
    pub audio: Option<candor_audio::AudioAnalysis>,
    pub content: Option<candor_content::ContentAnalysis>,
    pub video: Option<VideoSummary>,
    pub vision: Option<candor_domain::vision::VisionAnalysis>,
}
