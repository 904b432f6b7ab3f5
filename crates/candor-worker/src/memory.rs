//! How much of the machine's memory is in use, from `/proc/meminfo`.

/// `1 − MemAvailable / MemTotal` of this machine, or `None` where
/// `/proc/meminfo` cannot be read (not Linux), in which case the pool never
/// throttles.
///
/// MemAvailable, not MemFree: the kernel's estimate of what can be given to
/// a new process without swapping, page cache included.
pub fn used_fraction() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    used_fraction_of(&text)
}

fn used_fraction_of(meminfo: &str) -> Option<f64> {
    let field = |name: &str| -> Option<f64> {
        meminfo
            .lines()
            .find_map(|line| line.strip_prefix(name)?.strip_prefix(':'))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kib| kib.parse::<f64>().ok())
    };
    let total = field("MemTotal")?;
    let available = field("MemAvailable")?;
    (total > 0.0).then(|| (1.0 - available / total).clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_fraction_in_use() {
        let meminfo = "MemTotal:        8000000 kB\nMemFree:          100000 kB\n\
                       MemAvailable:    2000000 kB\nBuffers:           1000 kB\n";
        assert_eq!(used_fraction_of(meminfo), Some(0.75));
        assert_eq!(
            used_fraction_of("MemTotal: 0 kB\nMemAvailable: 0 kB\n"),
            None
        );
        assert_eq!(used_fraction_of("MemTotal: 100 kB\n"), None);
    }

    #[test]
    fn this_machine_reports_a_fraction() {
        let fraction = used_fraction().expect("the tests run on Linux");
        assert!(fraction > 0.0 && fraction < 1.0, "{fraction}");
    }
}
