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

/// Gaze towards the camera lens over the recording.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct EyeContact {
    /// Share of the judged time looking towards the lens: the gaze (head
    /// and eye rotation combined) within the eye-contact cone around the
    /// direction of the lens. Frames where the face was lost count as
    /// looking away. About 60–70 % is the common guidance for video
    /// interviews.
    pub ratio: f64,
    /// Share of the frames from the first face on where the face was lost
    /// (a turn away from the camera, or out of the picture): counted as
    /// looking away in `ratio`.
    pub lost_ratio: f64,
    /// How far the measurement can be trusted, 0–1: the share of the frames
    /// from the first face on with a face large and bright enough to read
    /// the eyes.
    pub confidence: f64,
    /// The cone, degrees from the lens direction: to either side, above
    /// and below.
    pub cone_side_deg: f64,
    pub cone_up_deg: f64,
    pub cone_down_deg: f64,
    /// Median gaze relative to the lens, degrees (right and down positive):
    /// where the candidate habitually looks, e.g. at a screen below.
    pub median_right_deg: f64,
    pub median_down_deg: f64,
    /// The ratio per window (windows without a visible face are omitted).
    pub windows: Vec<WindowShare>,
    /// The longest stretches looking away, longest first.
    pub looking_away: Vec<Span>,
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

/// Head orientation (degrees, relative to facing the camera) and movement,
/// from the pose smoothed over time.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct HeadMovement {
    pub yaw_mean: f64,
    pub pitch_mean: f64,
    pub roll_mean: f64,
    pub yaw_std: f64,
    pub pitch_std: f64,
    pub roll_std: f64,
    /// All rotation beyond the noise floor, per second of face-visible time.
    pub movement_deg_per_s: f64,
    /// The part of it that is not a deliberate turn or nod: small
    /// back-and-forth motion, per second of face-visible time.
    pub restless_deg_per_s: f64,
    /// Pose changes smaller than this are measurement noise and ignored.
    pub noise_floor_deg: f64,
    /// Deliberate turns and nods: the head moved at least the configured
    /// angle away in at most one movement out and one back, in time order
    /// (the longest 20).
    pub turns: Vec<Span>,
    /// Stretches of sustained restless movement, in time order (at most 20).
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

/// Whether the picture moved at all over the recording.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Motion {
    /// Median change between consecutive sampled frames: mean absolute
    /// difference of a small grey thumbnail, 0–255.
    pub median_frame_change: f64,
    /// The picture does not move: a still photo or a frozen camera. Camera
    /// feedback is then not scored.
    pub static_picture: bool,
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
    pub motion: Motion,
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
