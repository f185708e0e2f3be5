//! Colour core against published ground truth: Sharma CIEDE2000 table, sRGB round trips.
#![cfg(not(target_arch = "wasm32"))]

use skin_preview::photo::colour::{self, Lab};

fn sharma_pairs() -> Vec<(Lab, Lab, f64)> {
    let text = include_str!("data/ciede2000_sharma.csv");
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let v: Vec<f64> = line.split(',').map(|x| x.trim().parse().unwrap()).collect();
            let lab = |i: usize| Lab {
                l: v[i],
                a: v[i + 1],
                b: v[i + 2],
            };
            (lab(0), lab(3), v[6])
        })
        .collect()
}

#[test]
fn ciede2000_matches_all_34_sharma_pairs_both_orders() {
    let pairs = sharma_pairs();
    assert_eq!(pairs.len(), 34);
    for (i, (x, y, want)) in pairs.iter().enumerate() {
        let ab = colour::delta_e2000(*x, *y);
        let ba = colour::delta_e2000(*y, *x);
        assert!(
            (ab - want).abs() < 1e-4,
            "pair {}: got {ab}, want {want}",
            i + 1
        );
        assert!(
            (ba - want).abs() < 1e-4,
            "pair {} reversed: got {ba}, want {want}",
            i + 1
        );
    }
}

#[test]
fn srgb_lab_round_trip_is_exact_on_a_dense_sample() {
    // Every 3rd level on each axis plus the extremes: 87^3 ≈ 660k colours.
    let levels: Vec<u8> = (0..=255u8).step_by(3).chain([254, 255]).collect();
    for &r in &levels {
        for &g in &levels {
            for &b in &levels {
                let lab = colour::srgb8_to_lab([r, g, b]);
                assert_eq!(colour::lab_to_srgb8(lab), [r, g, b], "{lab:?}");
            }
        }
    }
}

#[test]
fn lut_decode_matches_exact_formula() {
    let lut = colour::srgb8_to_linear_lut();
    for v in 0..=255u8 {
        let exact = colour::srgb_to_linear(v as f64 / 255.0);
        assert!((lut[v as usize] as f64 - exact).abs() < 1e-7);
    }
}

#[test]
fn fast_encoder_maps_each_decision_interval_to_its_code() {
    let lut = colour::srgb8_to_linear_lut();
    for v in 0..=255usize {
        assert_eq!(colour::linear_to_srgb8(lut[v]), v as u8);
        // 1% inside the midpoints to each neighbour still gives v.
        if v > 0 {
            assert_eq!(
                colour::linear_to_srgb8(0.51 * lut[v] + 0.49 * lut[v - 1]),
                v as u8
            );
        }
        if v < 255 {
            assert_eq!(
                colour::linear_to_srgb8(0.51 * lut[v] + 0.49 * lut[v + 1]),
                v as u8
            );
        }
    }
    assert_eq!(colour::linear_to_srgb8(-1.0), 0);
    assert_eq!(colour::linear_to_srgb8(f32::NAN), 0);
    assert_eq!(colour::linear_to_srgb8(2.0), 255);
}

#[test]
fn lab_check_value_and_white() {
    let red = colour::srgb8_to_lab([255, 0, 0]);
    assert!(
        (red.l - 53.241).abs() < 1e-3
            && (red.a - 80.092).abs() < 1e-3
            && (red.b - 67.203).abs() < 1e-3
    );
    let white = colour::srgb8_to_lab([255, 255, 255]);
    assert!((white.l - 100.0).abs() < 1e-3 && white.a.abs() < 1e-2 && white.b.abs() < 1e-2);
}

#[test]
fn ita_of_uniform_patches_matches_formula() {
    for rgb in [
        [230u8, 190, 170],
        [200, 150, 120],
        [140, 95, 70],
        [80, 55, 40],
        [45, 30, 25],
    ] {
        let lab = colour::srgb8_to_lab(rgb);
        let want = ((lab.l - 50.0) / lab.b).atan().to_degrees();
        assert!((colour::ita_degrees(lab) - want).abs() < 1e-9);
    }
}
