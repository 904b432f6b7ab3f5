//! Eye contact: head pose and gaze within cones around the candidate's own
//! dominant direction.
//!
//! The camera usually sits above the screen, so a candidate reading the
//! screen looks slightly down (DESIGN.md). Rather than assume where the
//! camera is, the baseline is the mode of the candidate's own head and gaze
//! directions, capped so that it cannot sit far from frontal: a candidate
//! who looks away most of the time is not declared "in contact".
//!
//! The baseline is known only at the end, so each face frame keeps a
//! 8-byte record (time, quantised head yaw/pitch and gaze): 144 KB per hour
//! at 5 fps, the one per-frame state of the analysis.

use candor_domain::vision::{EyeContact, WindowShare};
use candor_domain::Span;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::spans::SpanTracker;
use crate::tracker::TrackedFace;

/// Eye-contact cones and baseline limits (all heuristic unless noted).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct EyeContactConfig {
    /// Head yaw within ± this many degrees of the baseline (heuristic:
    /// roughly the width of a laptop screen seen from 60 cm is ±15°).
    pub head_yaw_cone_deg: f64,
    /// Head pitch within ± this many degrees of the baseline (heuristic).
    pub head_pitch_cone_deg: f64,
    /// Gaze (pupil position, in eye widths: ±1 at the corners) within ± this
    /// of the baseline horizontally (heuristic: a pupil a tenth of the eye
    /// width off centre is ~15° of eye rotation).
    pub gaze_horizontal_cone: f64,
    /// Same, vertically (the pupil's vertical reading is noisier: wider).
    pub gaze_vertical_cone: f64,
    /// How far the baseline may sit from frontal: yaw (either side).
    pub max_baseline_yaw_deg: f64,
    /// Baseline pitch at most this far down (camera above the screen; the
    /// brief's cap of 15°).
    pub max_baseline_pitch_down_deg: f64,
    /// Baseline pitch at most this far up.
    pub max_baseline_pitch_up_deg: f64,
    /// Gaze baseline limits (eye widths), horizontal and vertical.
    pub max_baseline_gaze: f64,
    /// Length of the windows the ratio is reported over.
    pub window_s: f64,
    /// Looking-away stretches shorter than this are glances, not reported.
    pub min_away_s: f64,
    /// Report at most this many looking-away stretches.
    pub max_away_spans: usize,
}

impl Default for EyeContactConfig {
    fn default() -> Self {
        EyeContactConfig {
            head_yaw_cone_deg: 15.0,
            head_pitch_cone_deg: 12.0,
            gaze_horizontal_cone: 0.25,
            gaze_vertical_cone: 0.3,
            max_baseline_yaw_deg: 10.0,
            max_baseline_pitch_down_deg: 15.0,
            max_baseline_pitch_up_deg: 5.0,
            max_baseline_gaze: 0.25,
            window_s: 30.0,
            min_away_s: 1.0,
            max_away_spans: 5,
        }
    }
}

/// One face frame, quantised: head yaw/pitch in whole degrees, gaze in
/// hundredths of an eye width.
#[derive(Debug, Clone, Copy)]
struct Record {
    t: f32,
    yaw: i8,
    pitch: i8,
    gaze_h: i8,
    gaze_v: i8,
}

fn quantise(x: f32, scale: f32) -> i8 {
    (x * scale).round().clamp(-127.0, 127.0) as i8
}

/// Collects face frames; classifies them at the end.
#[derive(Debug, Default)]
pub(crate) struct EyeContactTracker {
    /// (time, face visible) is implied: a record per face frame, and the
    /// times of face-less frames only matter as breaks (`breaks`).
    records: Vec<Record>,
    /// Times of frames without a face (bounded by merging: only the first
    /// frame of each face-less run is kept).
    breaks: Vec<f32>,
    last_had_face: bool,
}

impl EyeContactTracker {
    pub fn push(&mut self, t: f64, face: Option<&TrackedFace>) {
        match face {
            Some(f) => {
                self.records.push(Record {
                    t: t as f32,
                    yaw: quantise(f.pose.yaw, 1.0),
                    pitch: quantise(f.pose.pitch, 1.0),
                    gaze_h: quantise(f.eyes.gaze.horizontal, 100.0),
                    gaze_v: quantise(f.eyes.gaze.vertical, 100.0),
                });
                self.last_had_face = true;
            }
            None => {
                if self.last_had_face || self.breaks.is_empty() {
                    self.breaks.push(t as f32);
                }
                self.last_had_face = false;
            }
        }
    }

    pub fn finish(self, config: &EyeContactConfig, start_t: f64, end_t: f64) -> EyeContact {
        let head = baseline(
            self.records
                .iter()
                .map(|r| (f64::from(r.yaw), f64::from(r.pitch))),
            2.0,
            (
                -config.max_baseline_yaw_deg,
                config.max_baseline_yaw_deg,
                -config.max_baseline_pitch_up_deg,
                config.max_baseline_pitch_down_deg,
            ),
        );
        let gaze = baseline(
            self.records
                .iter()
                .map(|r| (f64::from(r.gaze_h) / 100.0, f64::from(r.gaze_v) / 100.0)),
            0.05,
            (
                -config.max_baseline_gaze,
                config.max_baseline_gaze,
                -config.max_baseline_gaze,
                config.max_baseline_gaze,
            ),
        );
        let in_contact = |r: &Record| {
            (f64::from(r.yaw) - head.0).abs() <= config.head_yaw_cone_deg
                && (f64::from(r.pitch) - head.1).abs() <= config.head_pitch_cone_deg
                && (f64::from(r.gaze_h) / 100.0 - gaze.0).abs() <= config.gaze_horizontal_cone
                && (f64::from(r.gaze_v) / 100.0 - gaze.1).abs() <= config.gaze_vertical_cone
        };

        let mut away = SpanTracker::new(config.min_away_s, 0.25, config.max_away_spans);
        let mut windows: Vec<(u32, u32)> = Vec::new();
        let mut contact = 0u64;
        let mut breaks = self.breaks.iter().peekable();
        for r in &self.records {
            while let Some(&&b) = breaks.peek() {
                if b > r.t {
                    break;
                }
                away.push(f64::from(b), false);
                breaks.next();
            }
            let looking = in_contact(r);
            away.push(f64::from(r.t), !looking);
            let w = ((f64::from(r.t) - start_t) / config.window_s)
                .floor()
                .max(0.0) as usize;
            if windows.len() <= w {
                windows.resize(w + 1, (0, 0));
            }
            windows[w].1 += 1;
            if looking {
                windows[w].0 += 1;
                contact += 1;
            }
        }
        for &b in breaks {
            away.push(f64::from(b), false);
        }
        EyeContact {
            ratio: contact as f64 / self.records.len().max(1) as f64,
            windows: windows
                .iter()
                .enumerate()
                .filter(|(_, (_, n))| *n > 0)
                .map(|(i, &(c, n))| {
                    let start = start_t + i as f64 * config.window_s;
                    WindowShare {
                        span: Span::new(start, (start + config.window_s).min(end_t)),
                        ratio: f64::from(c) / f64::from(n),
                    }
                })
                .collect(),
            looking_away: away.finish_longest_first(end_t),
            baseline_yaw: head.0,
            baseline_pitch: head.1,
        }
    }
}

/// The dominant direction of `points`: the 3x3-bin neighbourhood of a
/// `bin`-wide 2-D histogram holding the most points, refined to the mean of
/// the points inside it, then clamped to `(x_lo, x_hi, y_lo, y_hi)`.
fn baseline(
    points: impl Iterator<Item = (f64, f64)> + Clone,
    bin: f64,
    (x_lo, x_hi, y_lo, y_hi): (f64, f64, f64, f64),
) -> (f64, f64) {
    use std::collections::HashMap;
    let key = |(x, y): (f64, f64)| ((x / bin).round() as i32, (y / bin).round() as i32);
    let mut counts: HashMap<(i32, i32), u32> = HashMap::new();
    for p in points.clone() {
        *counts.entry(key(p)).or_default() += 1;
    }
    let neighbourhood = |(i, j): (i32, i32)| -> u32 {
        (-1..=1)
            .flat_map(|di| (-1..=1).map(move |dj| (i + di, j + dj)))
            .map(|k| counts.get(&k).copied().unwrap_or(0))
            .sum()
    };
    let Some(best) = counts
        .keys()
        .copied()
        .max_by_key(|&k| (neighbourhood(k), std::cmp::Reverse(k.0.abs() + k.1.abs())))
    else {
        return (0.0, 0.0);
    };
    let (mut sx, mut sy, mut n) = (0.0, 0.0, 0.0);
    for p in points {
        let k = key(p);
        if (k.0 - best.0).abs() <= 1 && (k.1 - best.1).abs() <= 1 {
            sx += p.0;
            sy += p.1;
            n += 1.0;
        }
    }
    ((sx / n).clamp(x_lo, x_hi), (sy / n).clamp(y_lo, y_hi))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::{FaceBox, Point};
    use crate::landmarks::Landmarks;
    use crate::pose::HeadPose;
    use crate::{EyeReading, Gaze};

    fn face(yaw: f32, pitch: f32, gaze_h: f32) -> TrackedFace {
        TrackedFace {
            face_box: FaceBox {
                x: 0.0,
                y: 0.0,
                width: 1.0,
                height: 1.0,
            },
            landmarks: Landmarks {
                points: [Point::default(); crate::dlib::LANDMARKS],
            },
            cut_off: false,
            pose: HeadPose {
                yaw,
                pitch,
                roll: 0.0,
            },
            eyes: EyeReading {
                pupils: [Point::default(); 2],
                gaze: Gaze {
                    horizontal: gaze_h,
                    vertical: 0.0,
                },
            },
        }
    }

    #[test]
    fn looking_away_is_measured_against_the_candidates_own_baseline() {
        // 60 s at 5 fps reading the screen below the camera (pitch 10°),
        // head turned away 10–14 s, eyes turned away 40–42 s, out of the
        // picture 50–52 s.
        let mut tracker = EyeContactTracker::default();
        for i in 0..300 {
            let t = f64::from(i) / 5.0;
            let f = if (10.0..14.0).contains(&t) {
                Some(face(35.0, 10.0, 0.0))
            } else if (40.0..42.0).contains(&t) {
                Some(face(1.0, 10.0, 0.6))
            } else if (50.0..52.0).contains(&t) {
                None
            } else {
                Some(face(1.0, 10.0, 0.0))
            };
            tracker.push(t, f.as_ref());
        }
        let e = tracker.finish(&EyeContactConfig::default(), 0.0, 60.0);
        assert!((e.baseline_pitch - 10.0).abs() < 1e-6 && (e.baseline_yaw - 1.0).abs() < 1e-6);
        assert!((e.ratio - 260.0 / 290.0).abs() < 1e-6, "{}", e.ratio);
        assert_eq!(e.looking_away.len(), 2, "{:?}", e.looking_away);
        assert_eq!(e.looking_away[0], Span::new(10.0, 14.0));
        assert_eq!(e.looking_away[1], Span::new(40.0, 42.0));
        assert_eq!(e.windows.len(), 2);
        assert!((e.windows[0].ratio - 130.0 / 150.0).abs() < 1e-6);
        assert!((e.windows[1].ratio - 130.0 / 140.0).abs() < 1e-6);
    }

    #[test]
    fn a_candidate_who_mostly_looks_away_is_not_in_contact() {
        let mut tracker = EyeContactTracker::default();
        for i in 0..100 {
            let yaw = if i < 70 { 40.0 } else { 0.0 };
            tracker.push(f64::from(i) / 5.0, Some(&face(yaw, 0.0, 0.0)));
        }
        let e = tracker.finish(&EyeContactConfig::default(), 0.0, 20.0);
        assert_eq!(e.baseline_yaw, 10.0);
        assert!((e.ratio - 0.3).abs() < 1e-6, "{}", e.ratio);
        assert_eq!(e.looking_away, vec![Span::new(0.0, 14.0)]);
    }

    #[test]
    fn the_baseline_is_the_dominant_direction_within_its_caps() {
        let mut points = vec![(2.0, 9.0); 60];
        points.extend(vec![(30.0, 0.0); 40]);
        let b = baseline(points.iter().copied(), 2.0, (-10.0, 10.0, -5.0, 15.0));
        assert!(
            (b.0 - 2.0).abs() < 1e-9 && (b.1 - 9.0).abs() < 1e-9,
            "{b:?}"
        );
        // Mostly looking far to the side: the baseline stops at the cap.
        let away = vec![(35.0, 25.0); 100];
        let b = baseline(away.iter().copied(), 2.0, (-10.0, 10.0, -5.0, 15.0));
        assert_eq!(b, (10.0, 15.0));
    }
}
