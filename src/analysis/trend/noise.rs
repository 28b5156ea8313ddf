//! How much a sampled heap profile's value can move by chance.
//!
//! Go samples allocations: an object of `s` bytes is recorded with
//! probability q = 1 − exp(−s/r) (r is the sampling rate, the profile's
//! `period`, 512 KiB by default) and then scaled by 1/q. For n objects of
//! s bytes the estimate's variance is n·s²·(1−q)/q, that is
//! V·s·(1−q)/q for a value of V bytes: about V·r for small objects, and
//! nothing for objects larger than several r (always sampled). So a site
//! holding 30 MB of 10 kB buffers reads 30 MB ± 4 MB from one snapshot to
//! the next with nothing changing, and a growth is only real when it
//! exceeds that.

/// The sampling model of a profile, when it has one (a Go heap profile:
/// period in bytes, and `X_space` / `X_objects` pairs of sample types).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sampling {
    /// Sampling period in bytes.
    pub rate: f64,
}

impl Sampling {
    /// The standard error of a site's space estimate, given its space and
    /// object count.
    pub fn space_error(&self, space: f64, objects: f64) -> f64 {
        if space <= 0.0 || objects <= 0.0 {
            return 0.0;
        }
        let size = space / objects;
        let q = 1.0 - (-size / self.rate).exp();
        if q <= 0.0 {
            return 0.0;
        }
        (space * size * (1.0 - q) / q).sqrt()
    }

    /// The standard error of a site's object count.
    pub fn objects_error(&self, space: f64, objects: f64) -> f64 {
        if objects <= 0.0 {
            return 0.0;
        }
        self.space_error(space, objects) / (space / objects)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_objects_are_noisy_large_ones_are_not() {
        let s = Sampling { rate: 524288.0 };
        // 30 MB of 10 kB buffers: about sqrt(V·r) ≈ 4 MB.
        let e = s.space_error(30e6, 3000.0);
        assert!((e - 3.93e6).abs() < 0.1e6, "{e}");
        // 30 MB of 8 MB objects: always sampled, (almost) no error.
        assert!(s.space_error(32e6, 4.0) < 0.01e6);
        assert_eq!(s.space_error(0.0, 0.0), 0.0);
        assert!((s.objects_error(30e6, 3000.0) - e / 10_000.0).abs() < 1e-6);
    }
}
