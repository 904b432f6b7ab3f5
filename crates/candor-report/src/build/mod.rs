//! Judging the analyses: one builder per dimension, then the overall summary.

mod answer;
mod camera;
mod language;
mod speech;

use std::collections::BTreeMap;

use candor_audio::AudioAnalysis;
use candor_content::{ContentAnalysis, QuestionFit};
use candor_domain::vision::VisionAnalysis;
use candor_domain::{MediaInfo, Span, Transcript, VideoSummary};
use serde::{Deserialize, Serialize};

use crate::model::{
    Assessment, Dimension, Evidence, EvidenceKind, Highlight, Measurements, Metric, Overall,
    Reference, Report,
};
use crate::scoring::{band, Curve};
use crate::SCHEMA_VERSION;

/// Everything measured about one recording.
#[derive(Debug, Clone)]
pub struct Analyses {
    /// The file name (or object key) as the user knows it.
    pub source: String,
    pub media: MediaInfo,
    /// None when the recording has no audio.
    pub audio: Option<AudioAnalysis>,
    pub transcript: Option<Transcript>,
    pub content: Option<ContentAnalysis>,
    /// None when the recording has no video.
    pub video: Option<VideoSummary>,
    /// None when the recording has no video (or it was not analysed).
    pub vision: Option<VisionAnalysis>,
    /// How the answer fits its question, when the question was given.
    pub question: Option<QuestionFit>,
}

/// The score curves: (measured value, score) points. Each field names the
/// published source of its default or says it is a Candor heuristic. A deployment
/// can override any of them (TOML/JSON `[[x, score], ...]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReportConfig {
    /// Words per minute. 130–160 wpm reads as clear, under ~100 drags, over
    /// ~180 rushes (Griffiths 1990; Tauroza & Allison 1990).
    pub pace_wpm: Curve,
    /// Fillers per minute. ~1.2/min is fluent, ~4.8/min hesitant (Götz 2013;
    /// Corley & Stewart 2008).
    pub fillers_per_minute: Curve,
    /// Pauses of 1.2 s or more per minute of talk. A mid-clause pause over
    /// ~1.2 s reads as uncertainty, over ~2.5 s as long; these bounds and how
    /// many a minute are too many are Candor heuristics.
    pub hesitations_per_minute: Curve,
    /// Speech-to-noise ratio, dB. Heuristic after speech-intelligibility
    /// practice: 15 dB is serviceable, 25 dB and more is clean.
    pub snr_db: Curve,
    /// Standard deviation of pitch, semitones. Heuristic informed by work on
    /// pitch variation in presentation speech (Hincks 2005): under ~2
    /// semitones sounds flat, 3–4 and more lively.
    pub pitch_std_semitones: Curve,
    /// Hedges ("I think", "maybe", "probably") per minute. Heuristic.
    pub hedges_per_minute: Curve,
    /// Fewer words than this cannot be judged for pace, fillers or language.
    pub min_words: usize,
    /// Share of sampled frames with a visible face. Heuristic: a face missing
    /// for more than a few seconds in a minute is noticed by an interviewer.
    pub face_visible_ratio: Curve,
    /// Share of the answer looking towards the lens. Candor heuristic after
    /// common video-interview coaching advice: about 60–70 % of the answer.
    pub eye_contact_ratio: Curve,
    /// Below this confidence (share of frames where the eyes could be read)
    /// eye contact is not scored (Candor heuristic).
    pub eye_contact_min_confidence: f64,
    /// Restless head movement (not counting deliberate turns and nods),
    /// degrees per second beyond the noise floor. Candor heuristic: a slow
    /// natural sway of a few degrees stays under ~2 °/s.
    pub head_restless_deg_per_s: Curve,
    /// Share of face-visible time smiling. Heuristic: an occasional smile
    /// (10–20 % of the time) reads as warm; none reads as tense.
    pub smile_ratio: Curve,
    /// Share of the question's key terms the answer says. Heuristic: an
    /// answer that never names what was asked reads as off the point.
    pub question_coverage: Curve,
    /// Answer length over the shortest that suits the question's kind
    /// (`ContentConfig::answer_seconds`), for answers under it. Heuristic.
    pub answer_short_ratio: Curve,
    /// Answer length over the longest that suits the kind, for answers over
    /// it. Heuristic: interviewers lose the thread of long answers.
    pub answer_long_ratio: Curve,
    /// Weight of each dimension (by id) in the overall score; a dimension not
    /// listed weighs 1. By default what the answer says weighs most (an
    /// interviewer judges the answer first), delivery next, and the camera
    /// set-up least: it is the easiest thing to fix and says little about
    /// the candidate.
    pub weights: BTreeMap<String, f64>,
}

impl Default for ReportConfig {
    fn default() -> Self {
        Self {
            pace_wpm: Curve(vec![
                (80.0, 20.0),
                (100.0, 50.0),
                (130.0, 100.0),
                (160.0, 100.0),
                (180.0, 60.0),
                (220.0, 20.0),
            ]),
            fillers_per_minute: Curve(vec![(1.2, 100.0), (3.0, 70.0), (4.8, 40.0), (8.0, 10.0)]),
            hesitations_per_minute: Curve(vec![
                (0.5, 100.0),
                (1.5, 75.0),
                (3.0, 45.0),
                (6.0, 15.0),
            ]),
            snr_db: Curve(vec![(10.0, 20.0), (15.0, 55.0), (25.0, 100.0)]),
            pitch_std_semitones: Curve(vec![(1.0, 20.0), (2.0, 55.0), (3.0, 85.0), (4.0, 100.0)]),
            hedges_per_minute: Curve(vec![(1.0, 100.0), (3.0, 70.0), (6.0, 35.0), (10.0, 15.0)]),
            min_words: 20,
            face_visible_ratio: Curve(vec![(0.5, 20.0), (0.8, 60.0), (0.95, 100.0)]),
            eye_contact_ratio: Curve(vec![(0.3, 20.0), (0.5, 55.0), (0.6, 85.0), (0.7, 100.0)]),
            eye_contact_min_confidence: 0.5,
            head_restless_deg_per_s: Curve(vec![(3.0, 100.0), (6.0, 70.0), (12.0, 30.0)]),
            smile_ratio: Curve(vec![(0.0, 45.0), (0.1, 80.0), (0.2, 100.0)]),
            question_coverage: Curve(vec![(0.0, 10.0), (0.5, 60.0), (0.8, 100.0)]),
            answer_short_ratio: Curve(vec![(0.25, 10.0), (0.5, 40.0), (1.0, 100.0)]),
            answer_long_ratio: Curve(vec![(1.0, 100.0), (1.5, 60.0), (2.5, 20.0)]),
            weights: [
                ("relevance", 2.0),
                ("structure", 1.5),
                ("language", 1.0),
                ("pace", 1.0),
                ("pauses", 1.0),
                ("fillers", 1.0),
                ("clarity", 1.0),
                ("vocal_variety", 0.75),
                ("presence", 1.0),
                ("eye_contact", 1.0),
                ("expressions", 0.75),
                ("head_movement", 0.5),
                ("framing", 0.5),
                ("lighting", 0.5),
            ]
            .into_iter()
            .map(|(id, w)| (id.to_string(), w))
            .collect(),
        }
    }
}

/// Scores every dimension the analyses allow and summarises them.
pub fn build_report(analyses: Analyses, config: &ReportConfig) -> Report {
    let dimensions = vec![
        answer::relevance(&analyses, config),
        speech::pace(&analyses, config),
        speech::pauses(&analyses, config),
        speech::fillers(&analyses, config),
        speech::clarity(&analyses, config),
        speech::vocal_variety(&analyses, config),
        language::language(&analyses, config),
        answer::structure(&analyses, config),
        camera::presence(&analyses, config),
        camera::eye_contact(&analyses, config),
        camera::head_movement(&analyses, config),
        camera::framing(&analyses),
        camera::lighting(&analyses),
        camera::expressions(&analyses, config),
    ];
    let Analyses {
        source,
        media,
        audio,
        transcript,
        content,
        video,
        vision,
        question,
    } = analyses;
    let overall = overall(&dimensions, &config.weights, media.duration_s);
    Report {
        schema_version: SCHEMA_VERSION.to_string(),
        generator: concat!("candor ", env!("CARGO_PKG_VERSION")).to_string(),
        source,
        media,
        overall,
        dimensions,
        transcript,
        question,
        progress: None,
        measurements: Measurements {
            audio,
            content,
            video,
            vision,
        },
    }
}

/// How many strengths, things to work on, and moments for each, the
/// summary lists.
const HIGHLIGHTS: usize = 3;

fn overall(dimensions: &[Dimension], weights: &BTreeMap<String, f64>, duration_s: f64) -> Overall {
    let mut scored: Vec<(Highlight, &Dimension)> = dimensions
        .iter()
        .filter_map(|d| match &d.assessment {
            Assessment::Scored {
                score,
                verdict,
                tip,
                ..
            } => Some((
                Highlight {
                    id: d.id.clone(),
                    dimension: d.title.clone(),
                    score: *score,
                    verdict: verdict.clone(),
                    tip: tip.clone(),
                    moments: vec![],
                },
                d,
            )),
            Assessment::NotScored { .. } => None,
        })
        .collect();
    let weight = |id: &str| weights.get(id).copied().unwrap_or(1.0).max(0.0);
    let total: f64 = scored.iter().map(|(h, _)| weight(&h.id)).sum();
    if total <= 0.0 {
        return Overall {
            score: None,
            band: None,
            strengths: vec![],
            work_on: vec![],
        };
    }
    let mean = scored
        .iter()
        .map(|(h, _)| weight(&h.id) * f64::from(h.score))
        .sum::<f64>()
        / total;
    let score = mean.round() as u8;
    scored.sort_by_key(|(h, _)| std::cmp::Reverse(h.score));
    // A finding about the whole answer (a flat voice, good lighting) has no
    // moment of its own: it points at the whole recording.
    let with_moments = |(h, d): &(Highlight, &Dimension), kind: EvidenceKind| {
        let mut moments: Vec<Evidence> = d
            .evidence
            .iter()
            .filter(|e| e.kind == kind)
            .take(HIGHLIGHTS)
            .cloned()
            .collect();
        if moments.is_empty() {
            moments.push(Evidence {
                kind,
                ..Evidence::new(Span::new(0.0, duration_s), "throughout the answer")
            });
        }
        Highlight {
            moments,
            ..h.clone()
        }
    };
    let strengths = scored
        .iter()
        .filter(|(h, _)| h.score >= 80)
        .take(HIGHLIGHTS)
        .map(|s| with_moments(s, EvidenceKind::Example))
        .collect();
    let work_on = scored
        .iter()
        .rev()
        .filter(|(h, _)| h.score < 80)
        .take(HIGHLIGHTS)
        .map(|s| with_moments(s, EvidenceKind::Issue))
        .collect();
    Overall {
        score: Some(score),
        band: Some(band(score)),
        strengths,
        work_on,
    }
}

/// A scored assessment; the tip is chosen by the caller for the finding.
fn scored(score: u8, verdict: String, tip: &str) -> Assessment {
    Assessment::Scored {
        score,
        band: band(score),
        verdict,
        tip: tip.to_string(),
    }
}

fn not_scored(reason: impl Into<String>) -> Assessment {
    Assessment::NotScored {
        reason: reason.into(),
    }
}

fn metric(id: &str, label: &str, value: f64, unit: &str) -> Metric {
    Metric {
        id: id.into(),
        label: label.into(),
        value,
        unit: unit.into(),
        reference: None,
    }
}

fn referenced(id: &str, label: &str, value: f64, unit: &str, range: &str, source: &str) -> Metric {
    Metric {
        reference: Some(Reference {
            range: range.into(),
            source: source.into(),
        }),
        ..metric(id, label, value, unit)
    }
}

fn dimension(id: &str, title: &str, assessment: Assessment) -> Dimension {
    Dimension {
        id: id.into(),
        title: title.into(),
        assessment,
        metrics: vec![],
        evidence: vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scored_dimension(id: &str, score: u8) -> Dimension {
        dimension(id, id, scored(score, format!("{id} verdict"), "tip"))
    }

    #[test]
    fn overall_averages_scored_dimensions_and_leaves_out_the_not_scored() {
        let dims = [
            scored_dimension("pace", 90),
            scored_dimension("fillers", 40),
            dimension("pauses", "pauses", not_scored("no speech")),
        ];
        let o = overall(&dims, &BTreeMap::new(), 60.0);
        assert_eq!(o.score, Some(65));
        assert_eq!(
            o.strengths
                .iter()
                .map(|h| h.dimension.as_str())
                .collect::<Vec<_>>(),
            ["pace"]
        );
        assert_eq!(
            o.work_on
                .iter()
                .map(|h| h.dimension.as_str())
                .collect::<Vec<_>>(),
            ["fillers"]
        );
    }

    #[test]
    fn overall_weights_dimensions_and_points_at_their_moments() {
        let mut structure = scored_dimension("structure", 90);
        structure.evidence = vec![
            Evidence::new(Span::new(5.0, 6.0), "a problem"),
            Evidence::example(Span::new(10.0, 11.0), "situation starts"),
        ];
        let mut fillers = scored_dimension("fillers", 30);
        fillers.evidence = (0..5)
            .map(|i| Evidence::new(Span::new(f64::from(i), f64::from(i) + 0.5), "um"))
            .collect();
        let weights = [("structure".to_string(), 3.0)].into();
        let o = overall(&[structure, fillers], &weights, 60.0);
        // (3 × 90 + 1 × 30) / 4
        assert_eq!(o.score, Some(75));
        let texts = |h: &Highlight| h.moments.iter().map(|e| e.text.clone()).collect::<Vec<_>>();
        assert_eq!(texts(&o.strengths[0]), ["situation starts"]);
        assert_eq!(texts(&o.work_on[0]), ["um", "um", "um"]);
        // Without a moment of the right kind, the whole recording.
        let flat = overall(
            &[scored_dimension("vocal_variety", 40)],
            &BTreeMap::new(),
            60.0,
        );
        let moment = &flat.work_on[0].moments[0];
        assert_eq!(
            (moment.start, moment.end, moment.kind),
            (0.0, 60.0, EvidenceKind::Issue)
        );
        // A dimension weighted 0 counts for nothing; all weights 0 is no score.
        let zero = [("structure".to_string(), 0.0)].into();
        assert_eq!(
            overall(&[scored_dimension("structure", 90)], &zero, 60.0).score,
            None
        );
    }

    #[test]
    fn overall_lists_at_most_three_of_each_weakest_first() {
        let dims: Vec<Dimension> = [95, 30, 50, 85, 20, 88, 99, 60]
            .iter()
            .enumerate()
            .map(|(i, &s)| scored_dimension(&format!("d{i}"), s))
            .collect();
        let o = overall(&dims, &BTreeMap::new(), 60.0);
        assert_eq!(
            o.strengths.iter().map(|h| h.score).collect::<Vec<_>>(),
            [99, 95, 88]
        );
        assert_eq!(
            o.work_on.iter().map(|h| h.score).collect::<Vec<_>>(),
            [20, 30, 50]
        );
    }

    #[test]
    fn a_recording_without_audio_or_video_is_not_scored_rather_than_scored_low() {
        let media = MediaInfo {
            container: "mp4".into(),
            duration_s: 4.0,
            size_bytes: None,
            audio: None,
            video: None,
        };
        let analyses = Analyses {
            source: "x.mp4".into(),
            media,
            audio: None,
            transcript: None,
            content: None,
            video: None,
            vision: None,
            question: None,
        };
        let report = build_report(analyses, &ReportConfig::default());
        assert_eq!(report.overall.score, None);
        for d in &report.dimensions {
            match &d.assessment {
                Assessment::NotScored { reason } => {
                    assert!(
                        reason.contains("no audio") || reason.contains("no video"),
                        "{}: {reason}",
                        d.id
                    )
                }
                other => panic!("{} was scored: {other:?}", d.id),
            }
        }
    }

    #[test]
    fn score_curves_can_be_overridden_from_toml_like_data() {
        let config: ReportConfig =
            serde_json::from_str(r#"{"pace_wpm": [[100, 0], [150, 100]], "min_words": 5}"#)
                .unwrap();
        assert_eq!(config.pace_wpm.score(125.0), 50);
        assert_eq!(config.min_words, 5);
        assert_eq!(
            config.fillers_per_minute,
            ReportConfig::default().fillers_per_minute
        );
    }
}
