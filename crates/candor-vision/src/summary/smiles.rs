//! Smiles from the mouth landmarks: a smile widens the mouth and lifts its
//! corners above the lips' mid-line.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::landmarks::Landmarks;

/// Smile thresholds, calibrated on scikit-image's astronaut photo (smiling:
/// width 1.02, lift 0.20; 0.13 blurred) against the neutral proportions of
/// Farkas (1994): mouth width ≈ 0.8 of the inter-pupil distance, corners on
/// the lips' mid-line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SmileConfig {
    /// Mouth width over inter-ocular distance at least this.
    pub min_width_ratio: f64,
    /// Corner lift over inter-ocular distance at least this.
    pub min_corner_lift: f64,
    /// Smiles shorter than this are not reported as moments.
    pub min_moment_s: f64,
}

impl Default for SmileConfig {
    fn default() -> Self {
        SmileConfig {
            min_width_ratio: 0.9,
            min_corner_lift: 0.08,
            min_moment_s: 0.4,
        }
    }
}

impl SmileConfig {
    /// Whether the mouth of `landmarks` smiles.
    pub fn is_smile(&self, landmarks: &Landmarks) -> bool {
        f64::from(landmarks.mouth_width_ratio()) >= self.min_width_ratio
            && f64::from(landmarks.mouth_corner_lift()) >= self.min_corner_lift
    }
}
