//! Progress across takes: a report compared with an earlier one of the same
//! candidate, dimension by dimension and measurement by measurement.

use crate::model::{Assessment, Dimension, DimensionChange, MetricChange, Progress, Report, Trend};
use crate::SCHEMA_VERSION;

/// A change of fewer score points than this is steady, not a trend: small
/// differences between takes are within what the measurements wobble.
pub const TREND_POINTS: i16 = 5;

/// Why a previous report cannot be compared.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("not a Candor report: {0}")]
    Invalid(#[from] serde_json::Error),
    #[error("report schema {found} cannot be compared with schema {SCHEMA_VERSION} (the major versions differ)")]
    Version { found: String },
}

/// Reads a report written by this or an earlier minor version of the schema.
pub fn read_report(json: &str) -> Result<Report, ReadError> {
    #[derive(serde::Deserialize)]
    struct Versioned {
        schema_version: String,
    }
    let Versioned { schema_version } = serde_json::from_str(json)?;
    let major = |v: &str| v.split('.').next().map(str::to_owned);
    if major(&schema_version) != major(SCHEMA_VERSION) {
        return Err(ReadError::Version {
            found: schema_version,
        });
    }
    Ok(serde_json::from_str(json)?)
}

/// What changed from `previous` to `current`.
pub fn compare(current: &Report, previous: &Report) -> Progress {
    let score = |d: &Dimension| match d.assessment {
        Assessment::Scored { score, .. } => Some(score),
        Assessment::NotScored { .. } => None,
    };
    let mut dimensions: Vec<DimensionChange> = current
        .dimensions
        .iter()
        .filter_map(|now| {
            let then = previous.dimensions.iter().find(|d| d.id == now.id)?;
            let (after, before) = (score(now)?, score(then)?);
            let change = i16::from(after) - i16::from(before);
            let metrics = now
                .metrics
                .iter()
                .filter_map(|m| {
                    let old = then
                        .metrics
                        .iter()
                        .find(|o| o.id == m.id && o.unit == m.unit)?;
                    Some(MetricChange {
                        id: m.id.clone(),
                        label: m.label.clone(),
                        unit: m.unit.clone(),
                        before: old.value,
                        after: m.value,
                    })
                })
                .collect();
            Some(DimensionChange {
                id: now.id.clone(),
                title: now.title.clone(),
                before,
                after,
                change,
                trend: trend(change),
                metrics,
            })
        })
        .collect();
    dimensions.sort_by_key(|d| std::cmp::Reverse(d.change));
    let (overall_before, overall_after) = (previous.overall.score, current.overall.score);
    let same_question = matches!(
        (&current.question, &previous.question),
        (Some(a), Some(b)) if a.question.eq_ignore_ascii_case(&b.question)
    );
    Progress {
        previous_source: previous.source.clone(),
        same_question,
        overall_before,
        overall_after,
        overall_change: overall_before
            .zip(overall_after)
            .map(|(b, a)| i16::from(a) - i16::from(b)),
        dimensions,
    }
}

fn trend(change: i16) -> Trend {
    if change >= TREND_POINTS {
        Trend::Improved
    } else if change <= -TREND_POINTS {
        Trend::Worse
    } else {
        Trend::Steady
    }
}

#[cfg(test)]
mod tests {
    use candor_domain::MediaInfo;

    use super::*;
    use crate::model::{Dimension, Measurements, Metric, Overall};

    /// A report with the given (dimension, score, metric value) rows; a
    /// score of None is a dimension not scored.
    fn report(overall: Option<u8>, rows: &[(&str, Option<u8>, f64)]) -> Report {
        Report {
            schema_version: SCHEMA_VERSION.into(),
            generator: "test".into(),
            source: "take.mp4".into(),
            media: MediaInfo {
                container: "mp4".into(),
                duration_s: 60.0,
                size_bytes: None,
                audio: None,
                video: None,
            },
            overall: Overall {
                score: overall,
                band: None,
                strengths: vec![],
                work_on: vec![],
            },
            dimensions: rows
                .iter()
                .map(|&(id, score, value)| Dimension {
                    id: id.into(),
                    title: id.into(),
                    assessment: match score {
                        Some(score) => Assessment::Scored {
                            score,
                            band: crate::band(score),
                            verdict: String::new(),
                            tip: String::new(),
                        },
                        None => Assessment::NotScored {
                            reason: "no video".into(),
                        },
                    },
                    metrics: vec![Metric {
                        id: format!("{id}_value"),
                        label: id.into(),
                        value,
                        unit: "count".into(),
                        reference: None,
                    }],
                    evidence: vec![],
                })
                .collect(),
            transcript: None,
            question: None,
            progress: None,
            measurements: Measurements {
                audio: None,
                content: None,
                video: None,
                vision: None,
            },
        }
    }

    #[test]
    fn changes_are_signed_sorted_and_split_into_trends_at_five_points() {
        let before = report(
            Some(60),
            &[
                ("pace", Some(50), 190.0),
                ("fillers", Some(90), 1.0),
                ("pauses", Some(70), 2.0),
                ("eye_contact", Some(40), 0.3),
            ],
        );
        let after = report(
            Some(71),
            &[
                ("pace", Some(95), 150.0),
                ("fillers", Some(84), 2.0),
                ("pauses", Some(74), 1.0),
                ("eye_contact", None, 0.0),
            ],
        );
        let p = compare(&after, &before);
        assert_eq!(
            (p.overall_before, p.overall_after, p.overall_change),
            (Some(60), Some(71), Some(11))
        );
        let rows: Vec<(&str, i16, Trend)> = p
            .dimensions
            .iter()
            .map(|d| (d.id.as_str(), d.change, d.trend))
            .collect();
        // Eye contact was not scored this time: left out, not a drop to 0.
        assert_eq!(
            rows,
            [
                ("pace", 45, Trend::Improved),
                ("pauses", 4, Trend::Steady),
                ("fillers", -6, Trend::Worse),
            ]
        );
        let pace = &p.dimensions[0].metrics[0];
        assert_eq!((pace.before, pace.after), (190.0, 150.0));
        assert!(!p.same_question);
    }

    #[test]
    fn a_report_reads_back_and_other_major_versions_are_refused() {
        let r = report(Some(50), &[("pace", Some(50), 120.0)]);
        let json = serde_json::to_string(&r).unwrap();
        let back = read_report(&json).unwrap();
        assert_eq!(back.dimensions[0].metrics[0].value, 120.0);

        let mut old: serde_json::Value = serde_json::from_str(&json).unwrap();
        old["schema_version"] = "1.0".into();
        // An older minor version lacks the newer fields; it still reads.
        old.as_object_mut().unwrap().remove("progress");
        assert!(read_report(&old.to_string()).is_ok());
        old["schema_version"] = "2.0".into();
        let e = read_report(&old.to_string()).unwrap_err();
        assert!(e.to_string().contains("schema 2.0"), "{e}");
        assert!(matches!(
            read_report("{\"hello\": 1}"),
            Err(ReadError::Invalid(_))
        ));
    }
}
