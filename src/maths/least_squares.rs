//! Least squares: the weights that cancel one signal's noise with others'.

/// Weights `w` minimizing Σ (target + Σₖ wₖ·predictorₖ)² over the pixels `keep` selects:
/// how much of each predictor cancels the target's noise when their errors share a source
/// (camera noise through one unmixing). `None` when the system is degenerate.
pub fn cancelling_weights<const N: usize>(
    target: &[f32],
    predictors: [&[f32]; N],
    keep: impl Fn(usize) -> bool,
) -> Option<[f32; N]> {
    // Normal equations A·w = −b, A = Σ p pᵀ, b = Σ p·target, by Gaussian elimination.
    let mut a = [[0f64; N]; N];
    let mut b = [0f64; N];
    for i in (0..target.len()).filter(|&i| keep(i)) {
        let p: [f64; N] = std::array::from_fn(|k| predictors[k][i] as f64);
        for r in 0..N {
            b[r] -= p[r] * target[i] as f64;
            for c in 0..N {
                a[r][c] += p[r] * p[c];
            }
        }
    }
    for col in 0..N {
        let pivot = a[col][col];
        if pivot.abs() < 1e-12 || !pivot.is_finite() {
            return None;
        }
        let pivot_row = a[col];
        for r in (0..N).filter(|&r| r != col) {
            let f = a[r][col] / pivot;
            for (v, p) in a[r].iter_mut().zip(pivot_row) {
                *v -= f * p;
            }
            b[r] -= f * b[col];
        }
    }
    Some(std::array::from_fn(|k| (b[k] / a[k][k]) as f32))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancelling_weights_recover_a_known_mixture() {
        // target = 0.4·x − 1.5·y + small independent part: weights −0.4 and +1.5.
        let mut seed = 11u32;
        let mut next = || {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (seed >> 8) as f32 / (1 << 24) as f32 - 0.5
        };
        let (x, y, e): (Vec<f32>, Vec<f32>, Vec<f32>) =
            (0..5000).map(|_| (next(), next(), 0.01 * next())).fold(
                (vec![], vec![], vec![]),
                |(mut a, mut b, mut c), (p, q, r)| {
                    a.push(p);
                    b.push(q);
                    c.push(r);
                    (a, b, c)
                },
            );
        let t: Vec<f32> = (0..x.len())
            .map(|i| 0.4 * x[i] - 1.5 * y[i] + e[i])
            .collect();
        let [wx, wy] = cancelling_weights(&t, [&x, &y], |_| true).unwrap();
        assert!(
            (wx + 0.4).abs() < 0.01 && (wy - 1.5).abs() < 0.01,
            "{wx} {wy}"
        );
        let [w] = cancelling_weights(&t, [&x], |i| i % 2 == 0).unwrap();
        assert!((w + 0.4).abs() < 0.05, "{w}");
        assert!(cancelling_weights(&t, [&vec![0.0; t.len()]], |_| true).is_none());
    }
}
