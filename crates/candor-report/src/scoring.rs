//! Scores from measurements: piecewise-linear curves over reference ranges.

use serde::{Deserialize, Serialize};

use crate::model::Band;

/// A score curve: (measured value, score) points in increasing value order;
/// linear in between, flat beyond the ends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Curve(pub Vec<(f64, f64)>);

impl Curve {
    pub fn score(&self, value: f64) -> u8 {
        let points = &self.0;
        let raw = match points.iter().position(|&(x, _)| value < x) {
            _ if !value.is_finite() || points.is_empty() => 0.0,
            Some(0) => points[0].1,
            None => points[points.len() - 1].1,
            Some(i) => {
                let (x0, y0) = points[i - 1];
                let (x1, y1) = points[i];
                y0 + (y1 - y0) * (value - x0) / (x1 - x0)
            }
        };
        raw.round().clamp(0.0, 100.0) as u8
    }
}

/// Bands from scores: 80 and above is a strength, under 55 is worth work.
pub fn band(score: u8) -> Band {
    match score {
        80.. => Band::Strong,
        55.. => Band::Fine,
        _ => Band::WorkOnIt,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curve_interpolates_between_points_and_is_flat_beyond_the_ends() {
        let c = Curve(vec![
            (100.0, 40.0),
            (130.0, 100.0),
            (160.0, 100.0),
            (200.0, 20.0),
        ]);
        assert_eq!(c.score(50.0), 40);
        assert_eq!(c.score(115.0), 70);
        assert_eq!(c.score(145.0), 100);
        assert_eq!(c.score(180.0), 60);
        assert_eq!(c.score(400.0), 20);
        assert_eq!(c.score(f64::NAN), 0);
    }

    #[test]
    fn bands_split_at_80_and_55() {
        assert_eq!(band(80), Band::Strong);
        assert_eq!(band(79), Band::Fine);
        assert_eq!(band(55), Band::Fine);
        assert_eq!(band(54), Band::WorkOnIt);
    }
}
