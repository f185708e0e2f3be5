//! Robust statistics on samples: median, quantiles, deviations from the median.

/// σ of a normal distribution per unit of its median absolute deviation (1 / Φ⁻¹(0.75)).
pub const MAD_TO_SIGMA: f32 = 1.4826;
/// σ of a normal distribution per unit of its 90th-percentile absolute deviation (Φ⁻¹(0.95)).
pub const P90_TO_SIGMA: f32 = 1.645;

/// Median (reorders the slice).
pub fn median(xs: &mut [f32]) -> f32 {
    let mid = xs.len() / 2;
    *xs.select_nth_unstable_by(mid, |a, b| a.total_cmp(b)).1
}

/// The `q` quantile (0..1) of the values, by selection (no full sort); 0 when empty.
pub fn quantile(mut values: Vec<f32>, q: f32) -> f32 {
    if values.is_empty() {
        return 0.0;
    }
    let k = ((values.len() - 1) as f32 * q).round() as usize;
    *values.select_nth_unstable_by(k, f32::total_cmp).1
}

/// The `rank(n)`-th smallest of the n values |x − median| (reorders `xs`; needs n ≥ 1).
pub fn deviation_rank(xs: &mut [f32], rank: fn(usize) -> usize) -> f32 {
    let med = median(xs);
    let mut dev: Vec<f32> = xs.iter().map(|x| (x - med).abs()).collect();
    let k = rank(dev.len());
    *dev.select_nth_unstable_by(k, f32::total_cmp).1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_quantile_and_deviation_pick_the_ranked_value() {
        let mut v = vec![5.0, 1.0, 4.0, 2.0, 3.0];
        assert_eq!(median(&mut v), 3.0);
        assert_eq!(quantile(vec![5.0, 1.0, 4.0, 2.0, 3.0], 0.25), 2.0);
        assert_eq!(quantile(vec![], 0.5), 0.0);
        // |x − 3| = 2, 2, 1, 1, 0: the median deviation is 1, the largest 2.
        let mut v = vec![5.0, 1.0, 4.0, 2.0, 3.0];
        assert_eq!(deviation_rank(&mut v, |n| n / 2), 1.0);
        assert_eq!(deviation_rank(&mut v, |n| n - 1), 2.0);
    }
}
