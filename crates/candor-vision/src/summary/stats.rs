//! Streaming statistics with constant memory.

/// Running mean and standard deviation (Welford's algorithm).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Running {
    n: u64,
    mean: f64,
    m2: f64,
}

impl Running {
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }

    pub fn count(&self) -> u64 {
        self.n
    }

    pub fn mean(&self) -> f64 {
        self.mean
    }

    pub fn std(&self) -> f64 {
        if self.n > 1 {
            (self.m2 / self.n as f64).sqrt()
        } else {
            0.0
        }
    }
}

/// A fixed-bin histogram over `[lo, hi)` for medians of long streams
/// (values outside are clamped into the edge bins).
#[derive(Debug, Clone)]
pub(crate) struct Histogram {
    lo: f64,
    hi: f64,
    bins: Vec<u32>,
}

impl Histogram {
    pub fn new(lo: f64, hi: f64, bins: usize) -> Self {
        Histogram {
            lo,
            hi,
            bins: vec![0; bins],
        }
    }

    fn bin_width(&self) -> f64 {
        (self.hi - self.lo) / self.bins.len() as f64
    }

    pub fn push(&mut self, x: f64) {
        let i = ((x - self.lo) / self.bin_width()).floor();
        let i = i.clamp(0.0, (self.bins.len() - 1) as f64) as usize;
        self.bins[i] += 1;
    }

    /// The median, to the centre of its bin; None when empty.
    pub fn median(&self) -> Option<f64> {
        self.quantile(0.5)
    }

    /// The `q`-quantile (0–1), to the centre of its bin; None when empty.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let total: u64 = self.bins.iter().map(|&c| u64::from(c)).sum();
        if total == 0 {
            return None;
        }
        let mut seen = 0u64;
        for (i, &c) in self.bins.iter().enumerate() {
            seen += u64::from(c);
            if seen as f64 >= q * total as f64 {
                return Some(self.lo + (i as f64 + 0.5) * self.bin_width());
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn running_mean_and_std_match_the_textbook_values() {
        let mut r = Running::default();
        for x in [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0] {
            r.push(x);
        }
        assert!((r.mean() - 5.0).abs() < 1e-12 && (r.std() - 2.0).abs() < 1e-12);
    }

    #[test]
    fn the_histogram_median_is_within_one_bin() {
        let mut h = Histogram::new(0.0, 1.0, 100);
        for i in 0..1001 {
            h.push(f64::from(i) / 1000.0 * 0.5);
        }
        assert!((h.median().unwrap() - 0.25).abs() <= 0.01);
        assert!(Histogram::new(0.0, 1.0, 10).median().is_none());
    }
}
