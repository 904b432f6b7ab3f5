use serde::{Deserialize, Serialize};

use crate::error::Limit;

/// What an upload may be. Checked by [`crate::probe`] before any decoding;
/// the duration limit is enforced again on the decoded media during the pass
/// (a header can state less than the file holds).
///
/// Defaults: two hours is far beyond any interview answer (typically 1–3
/// minutes) yet bounds the work a single upload can cause; 3840x2160 (4K UHD)
/// is the largest a consumer camera or phone records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MediaLimits {
    pub max_duration_s: f64,
    /// The width and height limits apply in either orientation: a portrait
    /// phone recording (1080x1920) is as acceptable as a landscape one.
    pub max_width: u32,
    pub max_height: u32,
    /// Largest input in bytes; `None` for no limit.
    pub max_bytes: Option<u64>,
}

impl Default for MediaLimits {
    fn default() -> Self {
        Self {
            max_duration_s: 7200.0,
            max_width: 3840,
            max_height: 2160,
            max_bytes: None,
        }
    }
}

impl MediaLimits {
    pub(crate) fn check_size(&self, bytes: u64) -> Result<(), Limit> {
        match self.max_bytes {
            Some(max) if bytes > max => Err(Limit::Size { bytes, max }),
            _ => Ok(()),
        }
    }

    pub(crate) fn check_duration(&self, seconds: f64) -> Result<(), Limit> {
        if seconds > self.max_duration_s {
            Err(Limit::Duration {
                seconds,
                max: self.max_duration_s,
            })
        } else {
            Ok(())
        }
    }

    pub(crate) fn check_resolution(&self, width: u32, height: u32) -> Result<(), Limit> {
        let (max_width, max_height) = (self.max_width, self.max_height);
        let landscape = width <= max_width && height <= max_height;
        let portrait = width <= max_height && height <= max_width;
        if landscape || portrait {
            Ok(())
        } else {
            Err(Limit::Resolution {
                width,
                height,
                max_width,
                max_height,
            })
        }
    }
}
