//! What the visual analysis (`candor-vision`) found, as plain data: the
//! report and the service read it without linking OpenCV or dlib.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::Span;

/// Blinks seen: a lower bound at 5 sampled frames per second, where many
/// short blinks fall between samples.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Blinks {
    pub count: u32,
    /// Per minute of face-visible time.
    pub per_minute: f64,
}

/// Eye contact over the recording.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct EyeContact {
    /// Share of face-visible frames looking at the camera (frames without a
    /// face are reported under presence, not counted here). About 60–70 %
    /// is the common guidance for video interviews.
    pub ratio: f64,
    /// The ratio per window (windows without a visible face are omitted).
    pub windows: Vec<WindowShare>,
    /// The longest stretches looking away, longest first.
    pub looking_away: Vec<Span>,
    /// The head direction taken as "at the camera", degrees.
    pub baseline_yaw: f64,
    pub baseline_pitch: f64,
}

/// Eye contact within one window of the recording.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct WindowShare {
    pub span: Span,
    pub ratio: f64,
}

/// The framing verdict, most important first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FramingVerdict {
    TooClose,
    TooFar,
    OffCentre,
    CutOff,
    Good,
}

/// How the face sits in the frame (medians over face frames).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Framing {
    /// Median face-box height over frame height.
    pub face_height_ratio: f64,
    /// Median face centre minus frame centre, in frame widths / heights
    /// (-0.5..0.5; negative = left / above).
    pub centre_offset_x: f64,
    pub centre_offset_y: f64,
    pub verdict: FramingVerdict,
    /// Mean speed of the face centre between consecutive face frames, in
    /// frame pixels per second.
    pub stability_px_per_s: f64,
}

/// Head orientation (degrees) and movement.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct HeadMovement {
    pub yaw_mean: f64,
    pub pitch_mean: f64,
    pub roll_mean: f64,
    pub yaw_std: f64,
    pub pitch_std: f64,
    pub roll_std: f64,
    /// Mean rotation speed between consecutive face frames.
    pub movement_deg_per_s: f64,
    /// Stretches of sustained fast movement, in time order (at most 20).
    pub fidget_spans: Vec<Span>,
}

/// Exposure of the image as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Exposure {
    Under,
    Good,
    Over,
}

/// Lighting and image quality over the recording (means over frames).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Lighting {
    /// Mean luma, 0–255.
    pub mean_brightness: f64,
    /// Mean luma of the face box, when a face was visible.
    pub face_brightness: Option<f64>,
    /// Mean luma around the face (outside the head and body), when a face
    /// was visible.
    pub background_brightness: Option<f64>,
    pub backlit: bool,
    pub exposure: Exposure,
    /// Mean per-frame luma standard deviation.
    pub contrast: f64,
    /// The colour of a cast, e.g. "blue", "yellow"; None when neutral.
    pub colour_cast: Option<String>,
    /// Variance of the Laplacian on the face (or the frame without one).
    pub sharpness: f64,
    pub blurry: bool,
    /// What to change, one sentence each.
    pub advice: Vec<String>,
}

/// Whether and how the candidate was in the picture.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Presence {
    /// Share of frames with a face.
    pub face_visible_ratio: f64,
    /// Stretches without a face, in time order.
    pub no_face: Vec<Span>,
    /// Stretches with more than one face, in time order.
    pub multiple_faces: Vec<Span>,
    /// Share of face frames where part of the face is outside the frame.
    pub cut_off_ratio: f64,
}

/// The summary of a recording's frames. Face-derived parts are None ("not
/// scored") when the face was visible in too few frames (the vision
/// configuration's `presence.min_face_visible_ratio`).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct VisionAnalysis {
    pub frames: u64,
    /// Last frame time − first frame time + one frame interval.
    pub duration_s: f64,
    pub presence: Presence,
    pub eye_contact: Option<EyeContact>,
    pub head: Option<HeadMovement>,
    pub blinks: Option<Blinks>,
    pub framing: Option<Framing>,
    pub lighting: Lighting,
    pub smiles: Option<Smiles>,
}

/// Smiling over the recording.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Smiles {
    /// Share of face-visible frames smiling.
    pub ratio: f64,
    /// Stretches of smiling, in time order (at most 20, the longest).
    pub moments: Vec<Span>,
}
