//! Lighting and image quality: exposure from the luma histogram, face
//! against background (backlight), contrast, colour cast, focus.

use candor_domain::vision::{Exposure, Lighting};
use opencv::core::{Mat, Rect, Size, ToInputArray, Vec3b, CV_64F};
use opencv::imgproc;
use opencv::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::stats::Running;
use crate::frame::Frame;
use crate::geometry::FaceBox;
use crate::VisionError;

/// Lighting thresholds (8-bit luma unless noted; heuristic unless noted).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct LightingConfig {
    /// Luma at or below this is clipped shadow.
    pub shadow_luma: u8,
    /// Luma at or above this is clipped highlight.
    pub highlight_luma: u8,
    /// Under-exposed when the mean luma is below this, or when more than
    /// `max_clipped_shadows` of the pixels are clipped shadow.
    pub min_mean: f64,
    pub max_clipped_shadows: f64,
    /// Over-exposed when the mean luma is above this, or when more than
    /// `max_clipped_highlights` of the pixels are clipped highlight.
    pub max_mean: f64,
    pub max_clipped_highlights: f64,
    /// Backlit when the background is this many luma levels brighter than
    /// the face (about 1.5x at a typical face luma of 100–120) ...
    pub backlit_difference: f64,
    /// ... or when at least this share of the background is clipped
    /// highlight (a window or lamp in the shot behind the candidate).
    pub backlit_bright_share: f64,
    /// A luma standard deviation under this is a flat, washed-out image.
    pub min_contrast: f64,
    /// Colour cast when the mean chroma (CIELAB a*, b*) sits at least this
    /// many spreads of the chroma away from neutral: the cast factor of
    /// Gasparini & Schettini (2004, "Color balancing of digital photos using
    /// simple image statistics").
    pub cast_factor: f64,
    /// ... and at least this far from neutral in a*b* units (a faint tint
    /// of a colourless scene is not worth advice).
    pub min_cast_chroma: f64,
    /// The face (or, without one, the frame) is resampled to this width
    /// before measuring focus, so that the measure does not depend on the
    /// face's size.
    pub focus_width: u32,
    /// Blurry when the variance of the Laplacian (Pech-Pacheco et al. 2000)
    /// of the resampled face is below this (calibrated: the astronaut's
    /// face, 65 px wide in a 640x360 frame, reads ~245 sharp and ~75 after a
    /// Gaussian blur of σ 4 px; the threshold sits near their geometric
    /// mean, leaning to "sharp").
    pub min_sharpness: f64,
}

impl Default for LightingConfig {
    fn default() -> Self {
        LightingConfig {
            shadow_luma: 16,
            highlight_luma: 240,
            min_mean: 70.0,
            max_clipped_shadows: 0.4,
            max_mean: 190.0,
            max_clipped_highlights: 0.3,
            backlit_difference: 50.0,
            backlit_bright_share: 0.3,
            min_contrast: 20.0,
            cast_factor: 1.0,
            min_cast_chroma: 8.0,
            focus_width: 128,
            min_sharpness: 120.0,
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct LightingTracker {
    histogram: Vec<u64>,
    contrast: Running,
    face: Running,
    background: Running,
    background_bright: Running,
    chroma_a: Running,
    chroma_b: Running,
    chroma_spread: Running,
    face_sharpness: Running,
    frame_sharpness: Running,
}

/// What one frame contributes to the lighting summary, measured before any
/// of it is counted: a frame whose measurement fails adds nothing.
pub(crate) struct LightingSample {
    histogram: [u64; 256],
    contrast: f64,
    face: Option<FaceLight>,
    /// Sharpness of the whole frame, when no face is visible.
    frame_sharpness: Option<f64>,
    chroma_a: f64,
    chroma_b: f64,
    chroma_spread: f64,
}

/// The face-relative part of a [`LightingSample`].
struct FaceLight {
    brightness: f64,
    /// Mean luma and clipped-highlight share outside the head and body,
    /// when some of the frame is outside them.
    background: Option<(f64, f64)>,
    sharpness: f64,
}

impl LightingSample {
    pub fn measure(
        config: &LightingConfig,
        frame: &Frame,
        grey: &Mat,
        face: Option<FaceBox>,
    ) -> Result<LightingSample, VisionError> {
        let (w, h) = (frame.width as usize, frame.height as usize);
        let data = grey.data_bytes()?;
        let mut histogram = [0u64; 256];
        for &v in data {
            histogram[usize::from(v)] += 1;
        }
        let n = data.len() as f64;
        let mean = histogram
            .iter()
            .enumerate()
            .map(|(v, &c)| v as f64 * c as f64)
            .sum::<f64>()
            / n;
        let var = histogram
            .iter()
            .enumerate()
            .map(|(v, &c)| (v as f64 - mean).powi(2) * c as f64)
            .sum::<f64>()
            / n;

        let face_rect = face.and_then(|b| b.clip(w, h));
        let (face_light, frame_sharpness) =
            if let (Some(b), Some((x0, y0, x1, y1))) = (face, face_rect) {
                let highlight = config.highlight_luma;
                let (face_sum, _) = region_sum(data, w, (x0, y0, x1, y1), highlight);
                // Head and body: wider than the face, from above the brows to
                // the bottom of the frame.
                let body = FaceBox {
                    x: b.x - b.width * 0.6,
                    y: b.y - b.height * 0.6,
                    width: b.width * 2.2,
                    height: f32::MAX / 4.0,
                };
                let (bx0, by0, bx1, by1) = body.clip(w, h).unwrap_or((0, 0, 0, 0));
                let (body_sum, body_bright) = region_sum(data, w, (bx0, by0, bx1, by1), highlight);
                let rest = (w * h - (bx1 - bx0) * (by1 - by0)) as f64;
                let background = (rest > 0.0).then(|| {
                    let total: u64 = (0u64..).zip(histogram).map(|(v, c)| v * c).sum();
                    let bright: u64 = histogram[usize::from(highlight)..].iter().sum();
                    (
                        (total - body_sum) as f64 / rest,
                        (bright - body_bright) as f64 / rest,
                    )
                });
                let roi = Mat::roi(
                    grey,
                    Rect::new(x0 as i32, y0 as i32, (x1 - x0) as i32, (y1 - y0) as i32),
                )?;
                let light = FaceLight {
                    brightness: face_sum as f64 / ((x1 - x0) * (y1 - y0)) as f64,
                    background,
                    sharpness: sharpness(&roi, config.focus_width)?,
                };
                (Some(light), None)
            } else {
                (None, Some(sharpness(grey, config.focus_width)?))
            };
        let (chroma_a, chroma_b, chroma_spread) = chroma(frame)?;
        Ok(LightingSample {
            histogram,
            contrast: var.sqrt(),
            face: face_light,
            frame_sharpness,
            chroma_a,
            chroma_b,
            chroma_spread,
        })
    }
}

/// Mean CIELAB chroma (a*, b*) and its spread on a thumbnail of the frame.
fn chroma(frame: &Frame) -> Result<(f64, f64, f64), VisionError> {
    let bgr =
        Mat::new_rows_cols_with_bytes::<Vec3b>(frame.height as i32, frame.width as i32, frame.bgr)?;
    let tw = 64.min(frame.width as i32);
    let th = ((frame.height as i64 * tw as i64) / frame.width as i64).max(1) as i32;
    let mut thumb = Mat::default();
    imgproc::resize(
        &bgr,
        &mut thumb,
        Size::new(tw, th),
        0.0,
        0.0,
        imgproc::INTER_AREA,
    )?;
    let mut lab = Mat::default();
    imgproc::cvt_color_def(&thumb, &mut lab, imgproc::COLOR_BGR2Lab)?;
    let (mut a, mut b) = (Running::default(), Running::default());
    for px in lab.data_typed::<Vec3b>()? {
        a.push(f64::from(px[1]) - 128.0);
        b.push(f64::from(px[2]) - 128.0);
    }
    Ok((
        a.mean(),
        b.mean(),
        (a.std().powi(2) + b.std().powi(2)).sqrt(),
    ))
}

impl LightingTracker {
    /// Counts one frame's measurements.
    pub fn add(&mut self, sample: LightingSample) {
        self.histogram.resize(256, 0);
        for (total, c) in self.histogram.iter_mut().zip(sample.histogram) {
            *total += c;
        }
        self.contrast.push(sample.contrast);
        if let Some(face) = sample.face {
            self.face.push(face.brightness);
            if let Some((mean, bright)) = face.background {
                self.background.push(mean);
                self.background_bright.push(bright);
            }
            self.face_sharpness.push(face.sharpness);
        }
        if let Some(s) = sample.frame_sharpness {
            self.frame_sharpness.push(s);
        }
        self.chroma_a.push(sample.chroma_a);
        self.chroma_b.push(sample.chroma_b);
        self.chroma_spread.push(sample.chroma_spread);
    }

    /// `with_face`: whether face-relative measures are reported (the face
    /// was visible often enough).
    pub fn finish(self, config: &LightingConfig, with_face: bool) -> Lighting {
        let total: u64 = self.histogram.iter().sum::<u64>().max(1);
        let share = |range: std::ops::RangeInclusive<usize>| {
            self.histogram
                .get(range)
                .map_or(0, |s| s.iter().sum::<u64>()) as f64
                / total as f64
        };
        let mean_brightness = self
            .histogram
            .iter()
            .enumerate()
            .map(|(v, &c)| v as f64 * c as f64)
            .sum::<f64>()
            / total as f64;
        let shadows = share(0..=usize::from(config.shadow_luma));
        let highlights = share(usize::from(config.highlight_luma)..=255);
        let exposure = if mean_brightness < config.min_mean || shadows > config.max_clipped_shadows
        {
            Exposure::Under
        } else if mean_brightness > config.max_mean || highlights > config.max_clipped_highlights {
            Exposure::Over
        } else {
            Exposure::Good
        };
        let with_face = with_face && self.face.count() > 0;
        let face_brightness = with_face.then(|| self.face.mean());
        let background_brightness =
            (with_face && self.background.count() > 0).then(|| self.background.mean());
        let backlit = matches!(
            (face_brightness, background_brightness),
            (Some(f), Some(b)) if b - f >= config.backlit_difference
                || self.background_bright.mean() >= config.backlit_bright_share
        );
        let (a, b) = (self.chroma_a.mean(), self.chroma_b.mean());
        let chroma = (a * a + b * b).sqrt();
        let colour_cast = (self.chroma_a.count() > 0
            && chroma >= config.min_cast_chroma
            && chroma >= config.cast_factor * self.chroma_spread.mean())
        .then(|| cast_name(a, b).to_string());
        let sharpness = if with_face {
            self.face_sharpness.mean()
        } else {
            self.frame_sharpness.mean()
        };
        let blurry = self.contrast.count() > 0 && sharpness < config.min_sharpness;
        let contrast = self.contrast.mean();

        let mut advice = Vec::new();
        if backlit {
            advice.push("Light source behind you: face a window or lamp instead, or move the light in front of you.".to_string());
        }
        match exposure {
            Exposure::Under => advice.push("The picture is too dark: add a lamp in front of you at eye level, or sit facing a window.".to_string()),
            Exposure::Over => advice.push("The picture is overexposed: move out of direct light, dim the lamp, or keep bright windows out of the shot.".to_string()),
            Exposure::Good => {}
        }
        if contrast < config.min_contrast && exposure == Exposure::Good {
            advice.push("The picture looks flat and washed out: use one main light from the front and side rather than diffuse light from everywhere.".to_string());
        }
        if let Some(c) = &colour_cast {
            advice.push(format!("The picture has a {c} cast: use light of one kind (daylight or one type of lamp) or set the camera's white balance."));
        }
        if blurry {
            advice.push("The picture is out of focus: clean the lens, let the camera focus on your face, or sit a little farther from it.".to_string());
        }
        Lighting {
            mean_brightness,
            face_brightness,
            background_brightness,
            backlit,
            exposure,
            contrast,
            colour_cast,
            sharpness,
            blurry,
            advice,
        }
    }
}

/// Sum of the grey values in `[x0, x1) x [y0, y1)` and how many of them
/// are at least `bright`.
fn region_sum(
    data: &[u8],
    width: usize,
    (x0, y0, x1, y1): (usize, usize, usize, usize),
    bright: u8,
) -> (u64, u64) {
    let (mut sum, mut count) = (0u64, 0u64);
    for y in y0..y1 {
        for &v in &data[y * width + x0..y * width + x1] {
            sum += u64::from(v);
            count += u64::from(v >= bright);
        }
    }
    (sum, count)
}

/// Variance of the Laplacian of `grey` resampled to `width` pixels wide.
fn sharpness(grey: &(impl MatTraitConst + ToInputArray), width: u32) -> Result<f64, VisionError> {
    let (w, h) = (grey.cols().max(1), grey.rows().max(1));
    let tw = width as i32;
    let th = ((i64::from(h) * i64::from(tw)) / i64::from(w)).max(1) as i32;
    let mut resized = Mat::default();
    imgproc::resize(
        grey,
        &mut resized,
        Size::new(tw, th),
        0.0,
        0.0,
        imgproc::INTER_AREA,
    )?;
    let mut lap = Mat::default();
    imgproc::laplacian_def(&resized, &mut lap, CV_64F)?;
    let (mut mean, mut std) = (Mat::default(), Mat::default());
    opencv::core::mean_std_dev_def(&lap, &mut mean, &mut std)?;
    let s = *std.at::<f64>(0)?;
    Ok(s * s)
}

/// The name of the hue of a CIELAB chroma (a*: green–red, b*: blue–yellow).
fn cast_name(a: f64, b: f64) -> &'static str {
    let angle = b.atan2(a).to_degrees().rem_euclid(360.0);
    match angle {
        x if !(45.0..315.0).contains(&x) => "red",
        x if x < 135.0 => "yellow",
        x if x < 225.0 => "green",
        _ => "blue",
    }
}
