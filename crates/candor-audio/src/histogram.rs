//! A fixed-bin histogram: percentiles of an unbounded stream in bounded
//! memory, at the resolution of one bin.

pub(crate) struct Histogram {
    lo: f64,
    bin_width: f64,
    counts: Vec<u64>,
    total: u64,
}

impl Histogram {
    /// Bins of `bin_width` covering `lo..hi`; values outside land in the
    /// first or last bin.
    pub(crate) fn new(lo: f64, hi: f64, bin_width: f64) -> Self {
        let bins = ((hi - lo) / bin_width).ceil().max(1.0) as usize;
        Self {
            lo,
            bin_width,
            counts: vec![0; bins],
            total: 0,
        }
    }

    pub(crate) fn add(&mut self, value: f64) {
        let bin = ((value - self.lo) / self.bin_width).floor();
        let last = self.counts.len() - 1;
        // NaN never reaches here (samples are checked), but clamp anyway.
        let bin = if bin.is_nan() || bin < 0.0 {
            0
        } else {
            (bin as usize).min(last)
        };
        self.counts[bin] += 1;
        self.total += 1;
    }

    /// The centre of the bin holding the `p`-th percentile (0..=100), or
    /// `None` when nothing was added.
    pub(crate) fn percentile(&self, p: f64) -> Option<f64> {
        if self.total == 0 {
            return None;
        }
        let rank = ((p / 100.0) * (self.total - 1) as f64).round() as u64;
        let mut seen = 0;
        for (bin, &count) in self.counts.iter().enumerate() {
            seen += count;
            if seen > rank {
                return Some(self.lo + (bin as f64 + 0.5) * self.bin_width);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::Histogram;

    #[test]
    fn percentiles_of_a_uniform_ramp_fall_in_the_right_bins() {
        let mut h = Histogram::new(0.0, 100.0, 1.0);
        (0..1000).for_each(|i| h.add(i as f64 / 10.0));
        assert_eq!(h.percentile(50.0), Some(50.5));
        assert_eq!(h.percentile(10.0), Some(10.5));
        assert_eq!(h.percentile(100.0), Some(99.5));
        assert_eq!(Histogram::new(0.0, 1.0, 0.1).percentile(50.0), None);
    }
}
