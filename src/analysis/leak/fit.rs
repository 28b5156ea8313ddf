//! Numbers for trends: least-squares lines, and the lower envelope of a
//! series (its "floor"), which sees through a garbage collector's sawtooth:
//! between collections a Go heap swings up to (1 + GOGC/100)× the live
//! heap, but right after each collection it returns to the live heap, so
//! the minimum of each short window tracks what is really retained.

use crate::sort::SortStable;

/// A fitted line `y = slope × x + intercept`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    pub slope: f64,
    pub intercept: f64,
    /// Coefficient of determination (1: the points lie on the line).
    pub r2: f64,
    pub n: usize,
}

impl Fit {
    pub fn at(&self, x: f64) -> f64 {
        self.slope * x + self.intercept
    }
}

/// Sums of a group of points about its means: (mean x, mean y, Sxx, Sxy, Syy).
fn centered(points: &[(f64, f64)]) -> (f64, f64, f64, f64, f64) {
    let n = points.len() as f64;
    let mx = points.iter().map(|p| p.0).sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    let (mut sxx, mut sxy, mut syy) = (0.0, 0.0, 0.0);
    for &(x, y) in points {
        let (dx, dy) = (x - mx, y - my);
        sxx += dx * dx;
        sxy += dx * dy;
        syy += dy * dy;
    }
    (mx, my, sxx, sxy, syy)
}

/// Slope and r² from pooled sums; `None` when x does not vary.
fn slope_and_r2(sxx: f64, sxy: f64, syy: f64) -> Option<(f64, f64)> {
    if sxx <= 0.0 {
        return None;
    }
    let r2 = if syy > 0.0 {
        (sxy * sxy) / (sxx * syy)
    } else {
        1.0
    };
    Some((sxy / sxx, r2))
}

/// Ordinary least squares; `None` with fewer than 2 distinct x.
pub fn least_squares(points: &[(f64, f64)]) -> Option<Fit> {
    if points.len() < 2 {
        return None;
    }
    let (mx, my, sxx, sxy, syy) = centered(points);
    let (slope, r2) = slope_and_r2(sxx, sxy, syy)?;
    Some(Fit {
        slope,
        intercept: my - slope * mx,
        r2,
        n: points.len(),
    })
}

/// Least squares with one slope shared by several groups, each with its
/// own intercept (a regression "within" groups): how y follows x inside
/// each segment, whatever each segment's level.
pub fn pooled_slope(groups: &[Vec<(f64, f64)>]) -> Option<Fit> {
    let (mut sxx, mut sxy, mut syy, mut n) = (0.0, 0.0, 0.0, 0);
    for g in groups.iter().filter(|g| g.len() >= 2) {
        let (_, _, gxx, gxy, gyy) = centered(g);
        sxx += gxx;
        sxy += gxy;
        syy += gyy;
        n += g.len();
    }
    let (slope, r2) = slope_and_r2(sxx, sxy, syy)?;
    Some(Fit {
        slope,
        intercept: 0.0,
        r2,
        n,
    })
}

/// The points right after each fall (`v[i] < v[i-1]` and `v[i] <= v[i+1]`):
/// for a heap, the values right after a garbage collection, which is what
/// is really retained. Between collections a heap also holds garbage.
pub fn troughs(times: &[f64], values: &[f64]) -> Vec<(f64, f64)> {
    (1..values.len().saturating_sub(1))
        .filter(|&i| values[i] < values[i - 1] && values[i] <= values[i + 1])
        .map(|i| (times[i], values[i]))
        .collect()
}

/// Least squares of y on two regressors with one intercept per group
/// (pooled within groups): y ≈ a·x1 + b·x2 + c_group. Returns (a, b, r²);
/// `None` when the regressors move in lockstep.
pub fn pooled_two(groups: &[Vec<(f64, f64, f64)>]) -> Option<(f64, f64, f64)> {
    let (mut s11, mut s12, mut s22, mut s1y, mut s2y, mut syy) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    for g in groups.iter().filter(|g| g.len() >= 3) {
        let k = g.len() as f64;
        let m1 = g.iter().map(|p| p.0).sum::<f64>() / k;
        let m2 = g.iter().map(|p| p.1).sum::<f64>() / k;
        let my = g.iter().map(|p| p.2).sum::<f64>() / k;
        for &(x1, x2, y) in g {
            let (d1, d2, dy) = (x1 - m1, x2 - m2, y - my);
            s11 += d1 * d1;
            s12 += d1 * d2;
            s22 += d2 * d2;
            s1y += d1 * dy;
            s2y += d2 * dy;
            syy += dy * dy;
        }
    }
    let det = s11 * s22 - s12 * s12;
    if s11 <= 0.0 || s22 <= 0.0 || det.abs() <= 1e-9 * s11 * s22 {
        return None;
    }
    let a = (s1y * s22 - s2y * s12) / det;
    let b = (s2y * s11 - s1y * s12) / det;
    let explained = a * s1y + b * s2y;
    let r2 = if syy > 0.0 {
        (explained / syy).clamp(0.0, 1.0)
    } else {
        1.0
    };
    Some((a, b, r2))
}

/// One window of a series: its lowest point and its spread.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    /// Time and value of the window's minimum.
    pub floor: (f64, f64),
    /// Max − min within the window (the sawtooth's swing).
    pub swing: f64,
}

/// Splits points `[start, end)` into windows of about `per_window`
/// points and returns each window's floor and swing.
pub fn windows(times: &[f64], values: &[f64], per_window: usize) -> Vec<Window> {
    let n = times.len();
    if n == 0 {
        return Vec::new();
    }
    let count = (n / per_window.max(1)).max(1);
    let mut out = Vec::with_capacity(count);
    for w in 0..count {
        let (a, b) = (w * n / count, (w + 1) * n / count);
        let mut lo = (times[a], values[a]);
        let mut hi = values[a];
        for i in a..b {
            if values[i] < lo.1 {
                lo = (times[i], values[i]);
            }
            hi = hi.max(values[i]);
        }
        out.push(Window {
            floor: lo,
            swing: hi - lo.1,
        });
    }
    out
}

/// The median of a list (NaN-free); 0 for an empty list.
pub fn median(mut xs: Vec<f64>) -> f64 {
    if xs.is_empty() {
        return 0.0;
    }
    xs.sort_stable_by(f64::total_cmp);
    let m = xs.len() / 2;
    if xs.len() % 2 == 1 {
        xs[m]
    } else {
        (xs[m - 1] + xs[m]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        let f = least_squares(&[(0.0, 1.0), (1.0, 3.0), (2.0, 5.0)]).unwrap();
        assert!((f.slope - 2.0).abs() < 1e-12 && (f.intercept - 1.0).abs() < 1e-12);
        assert!((f.r2 - 1.0).abs() < 1e-12);
        assert!(least_squares(&[(1.0, 1.0), (1.0, 2.0)]).is_none());
    }

    #[test]
    fn pooled() {
        // Same slope 3, different levels per group.
        let g = vec![
            vec![(0.0, 100.0), (1.0, 103.0), (2.0, 106.0)],
            vec![(10.0, 5.0), (11.0, 8.0)],
        ];
        let f = pooled_slope(&g).unwrap();
        assert!((f.slope - 3.0).abs() < 1e-12);
    }

    #[test]
    fn two_regressors() {
        // y = 2·x1 + 5·x2 + level, x1 and x2 not in lockstep.
        let g: Vec<(f64, f64, f64)> = (0..20)
            .map(|i| {
                let (x1, x2) = (i as f64, ((i * 7) % 11) as f64);
                (x1, x2, 2.0 * x1 + 5.0 * x2 + 100.0)
            })
            .collect();
        let (a, b, r2) = pooled_two(&[g]).unwrap();
        assert!((a - 2.0).abs() < 1e-9 && (b - 5.0).abs() < 1e-9 && (r2 - 1.0).abs() < 1e-9);
        let lockstep: Vec<(f64, f64, f64)> = (0..5)
            .map(|i| (i as f64, 2.0 * i as f64, i as f64))
            .collect();
        assert!(pooled_two(&[lockstep]).is_none());
    }

    #[test]
    fn floors_see_through_a_sawtooth() {
        // Live heap rising 1/s, garbage swinging 0..50 on top.
        let t: Vec<f64> = (0..100).map(|i| i as f64).collect();
        let v: Vec<f64> = t
            .iter()
            .map(|&x| x + (x as i64 % 10) as f64 * 5.0)
            .collect();
        let w = windows(&t, &v, 10);
        let floors: Vec<(f64, f64)> = w.iter().map(|w| w.floor).collect();
        let f = least_squares(&floors).unwrap();
        assert!((f.slope - 1.0).abs() < 1e-9, "{}", f.slope);
        assert_eq!(w[0].swing, 54.0);
    }
}
