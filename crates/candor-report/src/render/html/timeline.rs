//! The whole recording on one time axis, as inline SVG: a lane per series
//! that the report has data for. Each lane is a nested `svg` whose user
//! units are seconds (x) and 0–100 (y), stretched to the lane's box, so the
//! paths carry plain times; strokes keep their width with
//! `vector-effect=non-scaling-stroke`, and the labels live in the outer,
//! unstretched SVG so that text is never distorted.

use std::fmt::Write;

use candor_audio::{AudioAnalysis, PauseKind};
use candor_content::{ContentAnalysis, ContentConfig, QuestionFit, StarPart};
use candor_domain::vision::VisionAnalysis;
use candor_domain::Span;
use maud::{html, Markup};

use super::seconds;
use crate::model::Report;
use crate::render::{as_loud, clock, count_of, number};

/// At most this many points per curve, so that an hour stays small.
const MAX_POINTS: usize = 600;
/// Pixel layout: a label row above each lane, then the lane, then a gap.
const LABEL_H: u32 = 16;
const LANE_H: u32 = 32;
const GAP_H: u32 = 10;
const AXIS_H: u32 = 20;
/// The pace lane's vertical range.
const WPM_RANGE: (f64, f64) = (60.0, 220.0);
/// The loudness lane's range around the speaker's own level, dB.
const LOUDNESS_RANGE: (f64, f64) = (-20.0, 20.0);
/// Seconds the timeline moves per arrow key, and per Page Up or Down.
const KEY_STEP_S: f64 = 5.0;
const PAGE_STEP_S: f64 = 30.0;
/// Eye contact guidance drawn as a line across its lane (share of time).
const EYE_CONTACT_GUIDE: f64 = 0.6;

struct Lane {
    /// `data-lane`, for styling and tests.
    id: &'static str,
    label: String,
    /// Paths in the lane's units.
    body: Markup,
    /// One sentence for the text summary under the timeline.
    note: String,
}

/// The timeline section; `None` when the report has no series to draw.
/// `has_player` picks the hint: clicks play, or find the transcript's words.
pub(super) fn timeline(report: &Report, has_player: bool) -> Option<Markup> {
    let m = &report.measurements;
    let duration = duration(report)?;
    let mut lanes = Vec::new();
    if let Some(a) = &m.audio {
        lanes.push(speech(a));
    }
    if let Some(c) = &m.content {
        lanes.extend(star(c));
    }
    lanes.extend(report.question.as_ref().and_then(key_terms));
    if let Some(c) = &m.content {
        lanes.extend(fillers(c));
        lanes.extend(hedges(c));
        lanes.extend(pace(c, duration));
    }
    if let Some(a) = &m.audio {
        lanes.extend(loudness(a, duration));
    }
    if let Some(v) = &m.vision {
        lanes.extend(eye_contact(v));
        lanes.push(no_face(v));
    }
    if lanes.is_empty() {
        return None;
    }
    let step = LABEL_H + LANE_H + GAP_H;
    let lanes_h = step * lanes.len() as u32;
    let height = lanes_h + AXIS_H;
    let view = format!("0 0 {} 100", seconds(duration));
    let ticks = tick_step(duration);
    let mut grid = String::new();
    let mut minute = 60.0;
    while minute < duration {
        let _ = write!(grid, "M{} 0V100", seconds(minute));
        minute += 60.0;
    }
    let labels = (0..)
        .map(|i| f64::from(i) * ticks)
        .take_while(|t| *t <= duration);
    let summary = format!(
        "Timeline of the {} recording: {}",
        clock(duration),
        lanes
            .iter()
            .map(|l| l.label.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Some(html! {
        section #timeline aria-labelledby="timeline-h" {
            h2 #timeline-h { "Timeline" }
            p.hint #timeline-hint {
                @if has_player { "Select a point on the timeline to play from there" }
                @else { "Select a point on the timeline to find that moment in the transcript" }
                ", or focus it and use the arrow keys ("
                (number(KEY_STEP_S)) " s), Page Up and Down (" (number(PAGE_STEP_S)) " s), Home and End"
                @if has_player { "; Enter or Space plays from there" }
                "."
            }
            // A slider over the picture, so that the keyboard can move
            // through the recording as a pointer can.
            div.scrub role="slider" tabindex="0" aria-labelledby="timeline-h"
                aria-describedby="timeline-hint" aria-valuemin="0" aria-valuemax=(seconds(duration))
                aria-valuenow="0" aria-valuetext="0:00"
                data-step=(KEY_STEP_S) data-page=(PAGE_STEP_S) {
            svg.timeline role="img" aria-labelledby="timeline-title" width="100%" height=(height)
                data-duration=(seconds(duration)) {
                title #timeline-title { (summary) }
                svg y="0" width="100%" height=(lanes_h) viewBox=(view) preserveAspectRatio="none" {
                    path.grid d=(grid) vector-effect="non-scaling-stroke" {}
                }
                @for (i, lane) in lanes.iter().enumerate() {
                    g.lane data-lane=(lane.id) {
                        text.label x="0" y=(step * i as u32 + LABEL_H - 4) { (lane.label) }
                        svg y=(step * i as u32 + LABEL_H) width="100%" height=(LANE_H) viewBox=(view)
                            preserveAspectRatio="none" {
                            rect.track x="0" y="0" width=(seconds(duration)) height="100" {}
                            (lane.body)
                        }
                    }
                }
                @for t in labels {
                    text.tick x={ (number(100.0 * t / duration)) "%" } y=(lanes_h + AXIS_H - 5)
                        text-anchor=(if t == 0.0 { "start" } else if duration - t < ticks / 2.0 { "end" } else { "middle" }) {
                        (clock(t))
                    }
                }
                line #playhead x1="0" x2="0" y1="0" y2=(lanes_h) {}
            }
            }
            ul.timeline-notes {
                @for lane in &lanes { li { strong { (lane.label) ": " } (lane.note) } }
            }
        }
    })
}

/// The recording's length: the media's, else the longest analysis.
fn duration(report: &Report) -> Option<f64> {
    let m = &report.measurements;
    let candidates = [
        Some(report.media.duration_s),
        m.audio.as_ref().map(|a| a.duration_s),
        m.vision.as_ref().map(|v| v.duration_s),
        report
            .transcript
            .as_ref()
            .and_then(|t| t.words().last().map(|w| w.end)),
    ];
    let d = candidates
        .into_iter()
        .flatten()
        .filter(|d| d.is_finite())
        .fold(0.0, f64::max);
    (d > 0.0).then_some(d)
}

/// Seconds between axis labels: a round step that gives at most six, so
/// that "1:00:00"-wide labels fit side by side on a phone.
fn tick_step(duration: f64) -> f64 {
    const STEPS: [f64; 9] = [10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0];
    STEPS
        .into_iter()
        .find(|s| duration / s <= 5.0)
        .unwrap_or(3600.0)
}

/// A rectangle over `span`, from `top` to `bottom` in lane units.
fn rect(d: &mut String, span: Span, top: f64, bottom: f64) {
    let _ = write!(
        d,
        "M{} {top}H{}V{bottom}H{}z",
        seconds(span.start),
        seconds(span.end),
        seconds(span.start)
    );
}

fn speech(a: &AudioAnalysis) -> Lane {
    let s = &a.speech;
    let mut talk = String::new();
    for seg in &s.segments {
        rect(&mut talk, *seg, 30.0, 70.0);
    }
    let long: Vec<_> = s
        .pauses
        .iter()
        .filter(|p| p.kind == PauseKind::Long)
        .collect();
    let mut pauses = String::new();
    for p in &long {
        rect(&mut pauses, p.span, 0.0, 100.0);
    }
    let longest = long
        .iter()
        .max_by(|a, b| a.duration_s.total_cmp(&b.duration_s));
    let note = format!(
        "{} of speech in {}; {}{}.",
        clock(s.talk_time_s),
        count_of(s.segments.len(), "stretch", "stretches"),
        count_of(long.len(), "long pause", "long pauses"),
        longest.map_or(String::new(), |p| format!(
            ", the longest {} s at {}",
            number(p.duration_s),
            clock(p.span.start)
        ))
    );
    Lane {
        id: "speech",
        label: "Speech (bars) and long pauses (full-height blocks)".into(),
        body: html! {
            path.speech d=(talk) {}
            path.long-pause d=(pauses) {}
        },
        note,
    }
}

fn fillers(c: &ContentAnalysis) -> Option<Lane> {
    let f = &c.fillers;
    (c.word_count > 0).then(|| {
        ticks(
            "fillers",
            "Fillers such as “um” (ticks)",
            f.hits.iter().map(|h| h.span.start),
            per_minute(f.hits.len(), "filler", "fillers", f.per_minute),
        )
    })
}

fn hedges(c: &ContentAnalysis) -> Option<Lane> {
    let h = &c.hedges;
    (c.word_count > 0).then(|| {
        ticks(
            "hedges",
            "Hedges such as “I think” (ticks)",
            h.hits.iter().map(|h| h.span.start),
            per_minute(h.hits.len(), "hedge", "hedges", h.per_minute),
        )
    })
}

fn per_minute(n: usize, one: &str, many: &str, rate: f64) -> String {
    format!("{}, {} per minute.", count_of(n, one, many), number(rate))
}

/// A lane of ticks at `starts`; its `id` is also the ticks' class.
fn ticks(id: &'static str, label: &str, starts: impl Iterator<Item = f64>, note: String) -> Lane {
    let mut d = String::new();
    for t in starts {
        let _ = write!(d, "M{} 10V90", seconds(t));
    }
    Lane {
        id,
        label: label.into(),
        body: html! { path class=(id) d=(d) vector-effect="non-scaling-stroke" {} },
        note,
    }
}

/// Where each part of a Situation–Task–Action–Result story is cued: a row
/// per part, top to bottom, a tick per cue.
fn star(c: &ContentAnalysis) -> Option<Lane> {
    let star = &c.star;
    if c.word_count == 0 {
        return None;
    }
    let rows = StarPart::ALL.len() as f64;
    let mut d = String::new();
    for cue in &star.cues {
        let row = StarPart::ALL
            .iter()
            .position(|p| *p == cue.part)
            .unwrap_or(0) as f64;
        let (top, bottom) = (100.0 * row / rows, 100.0 * (row + 1.0) / rows);
        let _ = write!(
            d,
            "M{} {}V{}",
            seconds(cue.span.start),
            number(top + 3.0),
            number(bottom - 3.0)
        );
    }
    let found = star
        .parts
        .iter()
        .map(|p| format!("{} at {}", p.part.name(), clock(p.first.start)))
        .collect::<Vec<_>>();
    let missing = star.missing.iter().map(|p| p.name()).collect::<Vec<_>>();
    let note = match (found.is_empty(), missing.is_empty()) {
        (true, _) => "no part of a Situation, Task, Action, Result story was cued.".to_string(),
        (false, true) => format!("{}; all four parts are there.", found.join(", ")),
        (false, false) => format!("{}; not heard: {}.", found.join(", "), missing.join(", ")),
    };
    Some(Lane {
        id: "star",
        label: "Story: Situation, Task, Action, Result (rows top to bottom; ticks are cues)".into(),
        body: html! { path.star d=(d) vector-effect="non-scaling-stroke" {} },
        note,
    })
}

/// Where the answer first says each of the question's key terms.
fn key_terms(q: &QuestionFit) -> Option<Lane> {
    if q.key_terms.is_empty() {
        return None;
    }
    let said: Vec<_> = q
        .key_terms
        .iter()
        .filter_map(|k| Some((k, k.said_at?.start)))
        .collect();
    let unsaid: Vec<_> = q
        .key_terms
        .iter()
        .filter(|k| k.said_at.is_none())
        .map(|k| format!("“{}”", k.term))
        .collect();
    let mut note = if said.is_empty() {
        "none of the question's key terms was said".to_string()
    } else {
        let list: Vec<_> = said
            .iter()
            .map(|(k, t)| format!("“{}” at {}", k.term, clock(*t)))
            .collect();
        format!("said {}", list.join(", "))
    };
    if !said.is_empty() && !unsaid.is_empty() {
        let _ = write!(note, "; not said: {}", unsaid.join(", "));
    }
    note.push('.');
    Some(ticks(
        "key-terms",
        "The question's key terms, first said (ticks)",
        said.iter().map(|(_, t)| *t),
        note,
    ))
}

fn pace(c: &ContentAnalysis, duration: f64) -> Option<Lane> {
    let windows = &c.pace.windows;
    if windows.is_empty() {
        return None;
    }
    let lo = windows.iter().map(|w| w.wpm).fold(f64::INFINITY, f64::min);
    let hi = windows.iter().map(|w| w.wpm).fold(0.0, f64::max);
    let config = ContentConfig::default();
    let factor = c.language.pace_wpm_factor.unwrap_or(1.0);
    let (clear_min, clear_max) = (
        config.pace_clear_min_wpm * factor,
        config.pace_clear_max_wpm * factor,
    );
    let y = |wpm: f64| scale(wpm, WPM_RANGE);
    // The clear range's edges are lines, which show against the lane; the
    // shading between them only helps.
    let mut band = String::new();
    rect(
        &mut band,
        Span::new(0.0, duration),
        y(clear_max),
        y(clear_min),
    );
    let edges = format!(
        "M0 {top}H{end}M0 {bottom}H{end}",
        top = number(y(clear_max)),
        bottom = number(y(clear_min)),
        end = seconds(duration)
    );
    // Each window's pace stands for its middle; the first and the last
    // also hold to the recording's ends, so the curve spans the answer.
    let (first, last) = (&windows[0], &windows[windows.len() - 1]);
    let points = std::iter::once((first.span.start, Some(first.wpm)))
        .chain(
            windows
                .iter()
                .map(|w| ((w.span.start + w.span.end) / 2.0, Some(w.wpm))),
        )
        .chain(std::iter::once((last.span.end, Some(last.wpm))));
    let curve = curve(&downsample(points, duration, MAX_POINTS), y);
    Some(Lane {
        id: "pace",
        label: format!(
            "Pace, words per minute (clear between the lines: {}–{})",
            number(clear_min),
            number(clear_max)
        ),
        body: html! {
            path.band d=(band) {}
            path.band-edge d=(edges) vector-effect="non-scaling-stroke" {}
            path.curve d=(curve) vector-effect="non-scaling-stroke" {}
        },
        note: format!(
            "from {} to {} words a minute across the recording, {} overall; {}–{} reads as clear.",
            number(lo),
            number(hi),
            number(c.pace.overall_wpm),
            number(clear_min),
            number(clear_max)
        ),
    })
}

/// Loudness against the speaker's own level (the recording's integrated
/// loudness), in plain words: a change of 10 dB is heard as about twice or
/// half as loud (Stevens's sone scale).
fn loudness(a: &AudioAnalysis, duration: f64) -> Option<Lane> {
    let usual = a.loudness.integrated_lufs?;
    let series = &a.loudness.short_term;
    // Each value covers the second before its time; only speech counts
    // for the quietest and loudest moments, silence is a gap.
    let spoken = series.iter().filter_map(|p| {
        let t = p.t_s - 0.5;
        let segments = &a.speech.segments;
        let after = segments.partition_point(|s| s.start <= t);
        let speaking = after > 0 && t < segments[after - 1].end;
        Some((t, p.lufs? - usual)).filter(|_| speaking)
    });
    let (quietest, loudest) = spoken.fold(None, |acc: Option<((f64, f64), (f64, f64))>, p| {
        Some(match acc {
            None => (p, p),
            Some((q, l)) => (if p.1 < q.1 { p } else { q }, if p.1 > l.1 { p } else { l }),
        })
    })?;
    let points = series.iter().map(|p| (p.t_s, p.lufs.map(|l| l - usual)));
    let curve = curve(&downsample(points, duration, MAX_POINTS), |v| {
        scale(v, LOUDNESS_RANGE)
    });
    let usual_line = format!("M0 50H{}", seconds(duration));
    Some(Lane {
        id: "loudness",
        label: "Loudness against your usual level (dashed line; up is louder)".into(),
        body: html! {
            path.guide d=(usual_line) vector-effect="non-scaling-stroke" {}
            path.curve d=(curve) vector-effect="non-scaling-stroke" {}
        },
        note: format!(
            "quietest speech at {}, {} as your usual level; loudest at {}, {} as it; \
             gaps are silence.",
            clock(quietest.0),
            as_loud(quietest.1),
            clock(loudest.0),
            as_loud(loudest.1)
        ),
    })
}

fn eye_contact(v: &VisionAnalysis) -> Option<Lane> {
    let e = v.eye_contact.as_ref()?;
    let first = e.windows.first()?;
    let mut bars = String::new();
    for w in &e.windows {
        rect(
            &mut bars,
            w.span,
            100.0 - 100.0 * w.ratio.clamp(0.0, 1.0),
            100.0,
        );
    }
    let guide_y = 100.0 - 100.0 * EYE_CONTACT_GUIDE;
    let guide = format!("M0 {guide_y}H{}", seconds(v.duration_s.max(first.span.end)));
    let lowest = e
        .windows
        .iter()
        .min_by(|a, b| a.ratio.total_cmp(&b.ratio))
        .unwrap_or(first);
    let percent = |r: f64| number((r * 100.0).round());
    Some(Lane {
        id: "eye-contact",
        label: format!(
            "Looking towards the lens per {} s (bar height; line at {} %)",
            number(first.span.duration().round()),
            percent(EYE_CONTACT_GUIDE)
        ),
        body: html! {
            path.eye d=(bars) {}
            path.guide d=(guide) vector-effect="non-scaling-stroke" {}
        },
        note: format!(
            "{} % of the time overall; lowest {} % at {}.",
            percent(e.ratio),
            percent(lowest.ratio),
            clock(lowest.span.start)
        ),
    })
}

fn no_face(v: &VisionAnalysis) -> Lane {
    let gone = &v.presence.no_face;
    let mut d = String::new();
    for s in gone {
        rect(&mut d, *s, 0.0, 100.0);
    }
    let total: f64 = gone.iter().map(Span::duration).sum();
    Lane {
        id: "no-face",
        label: "Face not visible (blocks)".into(),
        body: html! { path.no-face d=(d) {} },
        note: if gone.is_empty() {
            "the face was visible throughout.".into()
        } else {
            format!(
                "{} without a face, {} s in all.",
                count_of(gone.len(), "stretch", "stretches"),
                number(total)
            )
        },
    }
}

/// `value` on a lane's 0 (top) to 100 (bottom) scale, `range` low to high.
fn scale(value: f64, (lo, hi): (f64, f64)) -> f64 {
    (100.0 * (hi - value) / (hi - lo)).clamp(0.0, 100.0)
}

/// Means of `points` over at most `buckets` equal stretches of `duration`.
/// A stretch whose points are all `None` is a gap (`None`); a stretch with
/// no points at all is left out, so sparse series pass through unchanged.
fn downsample(
    points: impl Iterator<Item = (f64, Option<f64>)>,
    duration: f64,
    buckets: usize,
) -> Vec<(f64, Option<f64>)> {
    let width = duration / buckets as f64;
    // Per bucket: points seen, sum of times and values of the valued ones.
    let mut acc = vec![(0usize, 0usize, 0.0, 0.0); buckets];
    for (t, v) in points.filter(|(t, _)| t.is_finite()) {
        let b = ((t / width) as usize).min(buckets - 1);
        let a = &mut acc[b];
        a.0 += 1;
        if let Some(v) = v.filter(|v| v.is_finite()) {
            a.1 += 1;
            a.2 += t;
            a.3 += v;
        }
    }
    acc.into_iter()
        .enumerate()
        .filter(|(_, a)| a.0 > 0)
        .map(|(b, (_, n, ts, vs))| {
            if n == 0 {
                ((b as f64 + 0.5) * width, None)
            } else {
                (ts / n as f64, Some(vs / n as f64))
            }
        })
        .collect()
}

/// One path through the points, broken at gaps; `y` maps a value to lane units.
fn curve(points: &[(f64, Option<f64>)], y: impl Fn(f64) -> f64) -> String {
    let mut d = String::new();
    let mut pen_down = false;
    for &(t, v) in points {
        match v {
            Some(v) => {
                let cmd = if pen_down { "L" } else { "M" };
                let _ = write!(d, "{cmd}{} {}", seconds(t), number(y(v)));
                pen_down = true;
            }
            None => pen_down = false,
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::interview;

    /// The `d` of the first path with `class` in `lane`'s markup.
    fn path(lane: &Lane, class: &str) -> String {
        let body = lane.body.clone().into_string();
        let at = body.find(&format!("class=\"{class}\"")).unwrap();
        let d = &body[at..][body[at..].find(" d=\"").unwrap() + 4..];
        d[..d.find('"').unwrap()].to_string()
    }

    #[test]
    fn the_story_terms_and_hedges_lanes_tick_where_they_were_said() {
        let report = interview(2);
        let c = report.measurements.content.as_ref().unwrap();
        let q = report.question.as_ref().unwrap();

        let star = star(c).unwrap();
        assert!(!c.star.cues.is_empty(), "the fixture cues a story");
        assert_eq!(path(&star, "star").matches('M').count(), c.star.cues.len());
        let first = &c.star.parts[0];
        assert!(
            star.note.starts_with(&format!(
                "{} at {}",
                first.part.name(),
                clock(first.first.start)
            )),
            "{}",
            star.note
        );

        let said: Vec<_> = q.key_terms.iter().filter_map(|k| k.said_at).collect();
        assert!(
            !said.is_empty() && said.len() < q.key_terms.len(),
            "some said, some not"
        );
        let terms = key_terms(q).unwrap();
        let d = path(&terms, "key-terms");
        assert_eq!(d.matches('M').count(), said.len());
        assert!(
            d.starts_with(&format!("M{} ", seconds(said[0].start))),
            "{d}"
        );
        assert!(terms.note.contains("; not said: "), "{}", terms.note);

        let hedges = hedges(c).unwrap();
        assert!(c.hedges.hits.len() > 1);
        assert_eq!(
            path(&hedges, "hedges").matches('M').count(),
            c.hedges.hits.len()
        );
    }

    #[test]
    fn the_pace_curve_spans_the_first_window_to_the_last() {
        let report = interview(2);
        let c = report.measurements.content.as_ref().unwrap();
        let windows = &c.pace.windows;
        let d = path(&pace(c, 120.0).unwrap(), "curve");
        assert!(
            d.starts_with(&format!("M{} ", seconds(windows[0].span.start))),
            "{d}"
        );
        let last = d.rsplit('L').next().unwrap();
        assert!(
            last.starts_with(&format!("{} ", seconds(windows.last().unwrap().span.end))),
            "{d}"
        );
    }

    #[test]
    fn loudness_is_told_against_the_usual_level_and_silence_is_left_out() {
        let mut report = interview(1);
        let audio = report.measurements.audio.as_mut().unwrap();
        let segment = audio.speech.segments[2];
        let pause = audio.speech.pauses[0].span;
        audio.loudness.integrated_lufs = Some(-20.0);
        for p in &mut audio.loudness.short_term {
            let t = p.t_s - 0.5;
            p.lufs = Some(if (t - segment.start - 1.0).abs() < 0.5 {
                -30.0 // 10 dB down: about half as loud
            } else if (t - segment.start - 2.0).abs() < 0.5 {
                -10.0 // 10 dB up: about twice as loud
            } else if pause.start < t && t < pause.end {
                -70.0 // silence, quieter still, but not speech
            } else {
                -20.0
            });
        }
        let lane = loudness(audio, 60.0).unwrap();
        assert_eq!(
            lane.note,
            format!(
                "quietest speech at {}, about 50 % as loud as your usual level; \
                 loudest at {}, about 2 times as loud as it; gaps are silence.",
                clock(segment.start + 1.0),
                clock(segment.start + 2.0)
            )
        );
        assert!(path(&lane, "guide").starts_with("M0 50H"));
    }

    #[test]
    fn an_hour_of_loudness_is_averaged_to_at_most_the_bucket_count_and_keeps_its_gaps() {
        // One point a second; minute 30 is silent.
        let points = (0..3600).map(|s| {
            let t = f64::from(s);
            (
                t,
                (!(1800.0..1860.0).contains(&t)).then_some(-20.0 - t / 3600.0),
            )
        });
        let out = downsample(points, 3600.0, 600);
        assert_eq!(out.len(), 600);
        let gaps = out.iter().filter(|(_, v)| v.is_none()).count();
        assert_eq!(gaps, 10, "60 silent seconds are ten 6-s buckets");
        let (t, v) = out[0];
        assert!((t - 2.5).abs() < 1e-9, "{t}");
        assert!((v.unwrap() - (-20.0 - 2.5 / 3600.0)).abs() < 1e-9);
        let path = curve(&out, |v| scale(v, LOUDNESS_RANGE));
        assert_eq!(path.matches('M').count(), 2, "one break at the silence");
        assert_eq!(path.matches('L').count(), 590 - 2);
    }

    #[test]
    fn a_sparse_series_passes_through_unchanged() {
        let points = [(2.5, Some(140.0)), (7.5, Some(150.0)), (12.5, Some(120.0))];
        let out = downsample(points.into_iter(), 15.0, 600);
        assert_eq!(out, points);
    }

    #[test]
    fn axis_labels_stay_few_and_round() {
        assert_eq!(tick_step(45.0), 10.0);
        assert_eq!(tick_step(90.0), 30.0);
        assert_eq!(tick_step(3600.0), 900.0);
        assert_eq!(tick_step(4.0 * 3600.0), 3600.0);
    }

    #[test]
    fn values_map_onto_the_lane_top_down_and_clamp() {
        assert_eq!(scale(220.0, WPM_RANGE), 0.0);
        assert_eq!(scale(60.0, WPM_RANGE), 100.0);
        assert_eq!(scale(140.0, WPM_RANGE), 50.0);
        assert_eq!(scale(400.0, WPM_RANGE), 0.0);
    }
}
