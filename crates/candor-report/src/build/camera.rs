//! How it came across on camera: presence, eye contact, head movement,
//! framing, lighting, expressions.

use candor_domain::vision::{Exposure, FramingVerdict, VisionAnalysis};

use super::{dimension, metric, not_scored, referenced, scored, Analyses, ReportConfig};
use crate::model::{Dimension, Evidence};
use crate::render::number;

const EYE_CONTACT_SOURCE: &str = "Candor heuristic after common video-interview coaching advice; \
     the cone after Gamer & Hecht 2007, Chen 2002 and Horstmann & Linke 2021, widened to what a webcam can resolve";

/// The visual analysis, or why the camera cannot be judged.
fn watched(a: &Analyses) -> Result<&VisionAnalysis, String> {
    let v = a
        .vision
        .as_ref()
        .ok_or_else(|| "the recording has no video track".to_string())?;
    if v.motion.static_picture {
        return Err(
            "the picture does not move over the recording (a still photo or a frozen camera): \
             there is no live face to give feedback on"
                .to_string(),
        );
    }
    Ok(v)
}

/// Why a face-based dimension cannot be judged.
fn no_face_reason(v: &VisionAnalysis) -> String {
    format!(
        "no face was visible long enough to judge (a face in {}% of frames)",
        number(v.presence.face_visible_ratio * 100.0)
    )
}

/// Well-judged windows quoted as examples.
const EXAMPLES: usize = 3;

pub(super) fn presence(a: &Analyses, config: &ReportConfig) -> Dimension {
    const TITLE: &str = "On camera";
    let v = match watched(a) {
        Ok(v) => v,
        Err(reason) => return dimension("presence", TITLE, not_scored(reason)),
    };
    let p = &v.presence;
    let score = config.face_visible_ratio.score(p.face_visible_ratio);
    let visible = number(p.face_visible_ratio * 100.0);
    let (verdict, tip) = if p.face_visible_ratio >= 0.95 {
        (
            format!("Your face is in view {visible}% of the time."),
            "Keep the camera where it is.",
        )
    } else {
        (
            format!(
                "Your face is out of view for {}% of the answer.",
                number(100.0 - p.face_visible_ratio * 100.0)
            ),
            "Sit centred in front of the camera and stay in frame while you talk.",
        )
    };
    let mut d = dimension("presence", TITLE, scored(score, verdict, tip));
    d.metrics.push(metric(
        "face_visible",
        "Face in view",
        p.face_visible_ratio * 100.0,
        "%",
    ));
    d.metrics.push(metric(
        "cut_off",
        "Face cut by the frame edge",
        p.cut_off_ratio * 100.0,
        "%",
    ));
    d.evidence = p
        .no_face
        .iter()
        .map(|&s| Evidence::new(s, "no face in view"))
        .chain(
            p.multiple_faces
                .iter()
                .map(|&s| Evidence::new(s, "more than one face in view")),
        )
        .collect();
    d.evidence.sort_by(|x, y| x.start.total_cmp(&y.start));
    d
}

pub(super) fn eye_contact(a: &Analyses, config: &ReportConfig) -> Dimension {
    const TITLE: &str = "Eye contact";
    let v = match watched(a) {
        Ok(v) => v,
        Err(reason) => return dimension("eye_contact", TITLE, not_scored(reason)),
    };
    let Some(e) = &v.eye_contact else {
        return dimension("eye_contact", TITLE, not_scored(no_face_reason(v)));
    };
    if e.confidence < config.eye_contact_min_confidence {
        return dimension(
            "eye_contact",
            TITLE,
            not_scored(format!(
                "the eyes could be read in only {}% of the frames (the face is too small, too dark or too often lost)",
                number(e.confidence * 100.0)
            )),
        );
    }
    let score = config.eye_contact_ratio.score(e.ratio);
    let share = number(e.ratio * 100.0);
    let below = e.median_down_deg > e.cone_down_deg;
    let (verdict, tip) = if e.ratio >= 0.6 {
        (
            format!("You look towards the lens {share}% of the time."),
            "Keep looking into the lens when you make your key points.",
        )
    } else if below {
        (
            format!(
                "You look towards the lens only {share}% of the time, mostly {}° below it (a screen or notes); 60–70% reads as engaged.",
                number(e.median_down_deg)
            ),
            "Raise the camera to eye level or put your notes just under the lens, and look into it when you make a point.",
        )
    } else {
        (
            format!(
                "You look towards the lens only {share}% of the time; 60–70% reads as engaged."
            ),
            "Put your notes next to the camera lens and look into it when you make a point.",
        )
    };
    let mut d = dimension("eye_contact", TITLE, scored(score, verdict, tip));
    d.metrics.push(referenced(
        "eye_contact",
        "Looking towards the lens",
        e.ratio * 100.0,
        "%",
        "about 60–70% of the answer",
        EYE_CONTACT_SOURCE,
    ));
    d.metrics.extend([
        metric(
            "gaze_below_lens",
            "Usual gaze below the lens",
            e.median_down_deg,
            "°",
        ),
        metric(
            "face_lost",
            "Face lost (counted as looking away)",
            e.lost_ratio * 100.0,
            "%",
        ),
        metric(
            "confidence",
            "Frames where the eyes could be read",
            e.confidence * 100.0,
            "%",
        ),
    ]);
    if let Some(worst) = e.windows.iter().min_by(|x, y| x.ratio.total_cmp(&y.ratio)) {
        d.metrics.push(metric(
            "lowest_window",
            "Lowest 30-s window",
            worst.ratio * 100.0,
            "%",
        ));
    }
    let mut best: Vec<_> = e.windows.iter().filter(|w| w.ratio >= 0.7).collect();
    best.sort_by(|x, y| y.ratio.total_cmp(&x.ratio));
    d.evidence = e
        .looking_away
        .iter()
        .map(|&s| Evidence::new(s, format!("looking away for {} s", number(s.duration()))))
        .chain(best.into_iter().take(EXAMPLES).map(|w| {
            Evidence::example(
                w.span,
                format!(
                    "looking towards the lens {:.0}% of the time",
                    w.ratio * 100.0
                ),
            )
        }))
        .collect();
    d.evidence.sort_by(|x, y| x.start.total_cmp(&y.start));
    d
}

pub(super) fn head_movement(a: &Analyses, config: &ReportConfig) -> Dimension {
    const TITLE: &str = "Head movement";
    let v = match watched(a) {
        Ok(v) => v,
        Err(reason) => return dimension("head_movement", TITLE, not_scored(reason)),
    };
    let Some(h) = &v.head else {
        return dimension("head_movement", TITLE, not_scored(no_face_reason(v)));
    };
    let score = config.head_restless_deg_per_s.score(h.restless_deg_per_s);
    let turns = match h.turns.len() {
        0 => String::new(),
        1 => " You turned or nodded deliberately once.".to_string(),
        n => format!(" You turned or nodded deliberately {n} times."),
    };
    let (verdict, tip) = if h.restless_deg_per_s <= 3.0 {
        (
            format!("Calm and steady on camera.{turns}"),
            "Natural nods are fine; keep it this calm.",
        )
    } else {
        (
            format!(
                "Your head keeps moving back and forth, {} degrees a second on average: it reads as restless.{turns}",
                number(h.restless_deg_per_s)
            ),
            "Sit back against the chair and keep your hands away from your face.",
        )
    };
    let mut d = dimension("head_movement", TITLE, scored(score, verdict, tip));
    d.metrics.extend([
        metric("restless", "Restless movement", h.restless_deg_per_s, "°/s"),
        metric("movement", "All head movement", h.movement_deg_per_s, "°/s"),
    ]);
    d.metrics.push(metric(
        "yaw_std",
        "Turning left–right (std)",
        h.yaw_std,
        "°",
    ));
    d.metrics.push(metric(
        "pitch_std",
        "Nodding up–down (std)",
        h.pitch_std,
        "°",
    ));
    d.evidence = h
        .fidget_spans
        .iter()
        .map(|&s| Evidence::new(s, "restless movement"))
        .chain(
            h.turns
                .iter()
                .map(|&s| Evidence::example(s, "a deliberate turn or nod")),
        )
        .collect();
    d.evidence.sort_by(|x, y| x.start.total_cmp(&y.start));
    d
}

pub(super) fn framing(a: &Analyses) -> Dimension {
    const TITLE: &str = "Framing";
    let v = match watched(a) {
        Ok(v) => v,
        Err(reason) => return dimension("framing", TITLE, not_scored(reason)),
    };
    let Some(f) = &v.framing else {
        return dimension("framing", TITLE, not_scored(no_face_reason(v)));
    };
    let (score, verdict, tip) = match f.verdict {
        FramingVerdict::Good => (
            100,
            "Well framed: centred, at a comfortable distance.",
            "Keep this set-up.",
        ),
        FramingVerdict::OffCentre => (
            60,
            "You sit off-centre in the frame.",
            "Move the camera or your chair so that your face is in the middle.",
        ),
        FramingVerdict::TooFar => (
            50,
            "You are small in the frame: the interviewer cannot read your face.",
            "Move closer: head and shoulders should fill about half the frame.",
        ),
        FramingVerdict::TooClose => (
            50,
            "You are too close to the camera.",
            "Sit back so that your shoulders are in the frame.",
        ),
        FramingVerdict::CutOff => (
            30,
            "The frame cuts off part of your face.",
            "Raise or tilt the camera so that your whole head is in view.",
        ),
    };
    let mut d = dimension("framing", TITLE, scored(score, verdict.to_string(), tip));
    d.metrics.push(referenced(
        "face_height",
        "Face height",
        f.face_height_ratio * 100.0,
        "% of frame",
        "brows to chin about 13–45% of the frame height",
        "Candor heuristic after portrait-framing practice",
    ));
    d.metrics.push(metric(
        "offset_x",
        "Off-centre, horizontally",
        f.centre_offset_x * 100.0,
        "% of width",
    ));
    d.metrics.push(metric(
        "offset_y",
        "Off-centre, vertically",
        f.centre_offset_y * 100.0,
        "% of height",
    ));
    d
}

pub(super) fn lighting(a: &Analyses) -> Dimension {
    const TITLE: &str = "Lighting and image";
    let v = match watched(a) {
        Ok(v) => v,
        Err(reason) => return dimension("lighting", TITLE, not_scored(reason)),
    };
    let l = &v.lighting;
    // Each problem costs points: the worst (backlight) most.
    let penalty = [
        (l.backlit, 35),
        (l.exposure != Exposure::Good, 30),
        (l.blurry, 20),
        (l.colour_cast.is_some(), 15),
    ]
    .iter()
    .filter(|(problem, _)| *problem)
    .map(|(_, cost)| cost)
    .sum::<u8>();
    let score = 100u8.saturating_sub(penalty);
    let verdict = if l.advice.is_empty() {
        "Good light and a sharp picture.".to_string()
    } else {
        l.advice.join(" ")
    };
    let tip = l
        .advice
        .first()
        .map_or("Keep the light in front of you, as now.", String::as_str);
    let mut d = dimension("lighting", TITLE, scored(score, verdict, tip));
    d.metrics.push(metric(
        "brightness",
        "Brightness",
        l.mean_brightness,
        "of 255",
    ));
    if let (Some(face), Some(background)) = (l.face_brightness, l.background_brightness) {
        d.metrics
            .push(metric("face_brightness", "Face brightness", face, "of 255"));
        d.metrics.push(metric(
            "background_brightness",
            "Background brightness",
            background,
            "of 255",
        ));
    }
    d.metrics.push(metric(
        "contrast",
        "Contrast (luma std)",
        l.contrast,
        "of 255",
    ));
    d.metrics
        .push(metric("sharpness", "Sharpness", l.sharpness, ""));
    d
}

pub(super) fn expressions(a: &Analyses, config: &ReportConfig) -> Dimension {
    const TITLE: &str = "Expressions";
    let v = match watched(a) {
        Ok(v) => v,
        Err(reason) => return dimension("expressions", TITLE, not_scored(reason)),
    };
    let Some(s) = &v.smiles else {
        return dimension("expressions", TITLE, not_scored(no_face_reason(v)));
    };
    let score = config.smile_ratio.score(s.ratio);
    let (verdict, tip) = if s.ratio >= 0.1 {
        (
            format!(
                "You smile {}% of the time: warm and approachable.",
                number(s.ratio * 100.0)
            ),
            "Keep smiling when you greet and when you close.",
        )
    } else {
        ("You rarely smile: you may come across as tense.".to_string(), "Smile when you greet the interviewer and when you talk about results you are proud of.")
    };
    let mut d = dimension("expressions", TITLE, scored(score, verdict, tip));
    d.metrics
        .push(metric("smile", "Smiling", s.ratio * 100.0, "%"));
    d.evidence = s
        .moments
        .iter()
        .map(|&m| Evidence::example(m, "smile"))
        .collect();
    d
}

#[cfg(test)]
mod tests {
    use crate::model::{Assessment, Report};
    use crate::testing::analyses;
    use crate::{build_report, ReportConfig};

    fn assessment<'a>(report: &'a Report, id: &str) -> &'a Assessment {
        &report
            .dimensions
            .iter()
            .find(|d| d.id == id)
            .expect("a dimension")
            .assessment
    }

    const CAMERA: [&str; 6] = [
        "presence",
        "eye_contact",
        "head_movement",
        "framing",
        "lighting",
        "expressions",
    ];

    #[test]
    fn a_still_picture_is_not_scored_on_any_camera_dimension() {
        let mut a = analyses(1);
        let scored = build_report(a.clone(), &ReportConfig::default());
        for id in CAMERA {
            assert!(
                matches!(assessment(&scored, id), Assessment::Scored { .. }),
                "{id}"
            );
        }
        a.vision.as_mut().unwrap().motion.static_picture = true;
        let report = build_report(a, &ReportConfig::default());
        for id in CAMERA {
            match assessment(&report, id) {
                Assessment::NotScored { reason } => {
                    assert!(reason.contains("does not move"), "{id}: {reason}")
                }
                other => panic!("{id}: {other:?}"),
            }
        }
        // The camera no longer lifts (or lowers) the overall score.
        assert_ne!(report.overall.score, scored.overall.score);
    }

    #[test]
    fn eye_contact_says_where_the_candidate_looks_and_when_it_cannot_tell() {
        let mut a = analyses(1);
        let e = a.vision.as_mut().unwrap().eye_contact.as_mut().unwrap();
        e.ratio = 0.2;
        e.median_down_deg = 18.0;
        let report = build_report(a.clone(), &ReportConfig::default());
        match assessment(&report, "eye_contact") {
            Assessment::Scored { verdict, .. } => {
                assert!(
                    verdict.contains("towards the lens") && verdict.contains("18° below"),
                    "{verdict}"
                )
            }
            other => panic!("{other:?}"),
        }
        a.vision
            .as_mut()
            .unwrap()
            .eye_contact
            .as_mut()
            .unwrap()
            .confidence = 0.3;
        let report = build_report(a, &ReportConfig::default());
        match assessment(&report, "eye_contact") {
            Assessment::NotScored { reason } => assert!(reason.contains("30%"), "{reason}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn head_movement_is_judged_on_restlessness_not_on_deliberate_turns() {
        let mut a = analyses(1);
        let h = a.vision.as_mut().unwrap().head.as_mut().unwrap();
        h.movement_deg_per_s = 12.0;
        h.restless_deg_per_s = 0.5;
        let report = build_report(a, &ReportConfig::default());
        match assessment(&report, "head_movement") {
            Assessment::Scored { score, verdict, .. } => {
                assert_eq!(*score, 100, "{verdict}");
                assert!(verdict.contains("deliberately 2 times"), "{verdict}");
            }
            other => panic!("{other:?}"),
        }
    }
}
