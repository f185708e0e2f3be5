#![cfg(not(target_arch = "wasm32"))]
//! Self-checks of the synthetic ground truth (tests/support/synth.rs): the renderer must be
//! right before the engine is measured against it.

mod support;

use std::time::Instant;

use support::synth::*;

/// Median of a vector (sorted copy).
fn median(mut v: Vec<f64>) -> f64 {
    assert!(!v.is_empty());
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn px(rgba: &[u8], i: usize) -> [u8; 3] {
    [rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2]]
}

/// Median Lab (per channel) and median per-pixel ITA over skin pixels away from any lesion.
fn skin_stats(scene: &Scene, rgba: &[u8]) -> ([f64; 3], f64) {
    let mut l = Vec::new();
    let mut a = Vec::new();
    let mut b = Vec::new();
    let mut ita = Vec::new();
    for i in 0..scene.len() {
        if scene.skin_mask[i] && scene.lesion_label[i] == 0 {
            let lab = srgb8_to_lab(px(rgba, i));
            l.push(lab[0]);
            a.push(lab[1]);
            b.push(lab[2]);
            ita.push(ita_of_lab(lab));
        }
    }
    ([median(l), median(a), median(b)], median(ita))
}

#[test]
fn lab_reference_value() {
    let lab = srgb8_to_lab([255, 0, 0]);
    assert!((lab[0] - 53.241).abs() < 2e-3, "{lab:?}");
    assert!((lab[1] - 80.092).abs() < 2e-3, "{lab:?}");
    assert!((lab[2] - 67.203).abs() < 2e-3, "{lab:?}");
    let white = srgb8_to_lab([255, 255, 255]);
    assert!((white[0] - 100.0).abs() < 1e-3 && white[1].abs() < 1e-2 && white[2].abs() < 1e-2);
}

#[test]
fn delta_e00_matches_sharma_rows() {
    // Rows of Sharma, Wu & Dalal (2005), Table 1: pairs 1, 7, 10, 13, 14, 17, 25, 34.
    let rows: [([f64; 3], [f64; 3], f64); 8] = [
        ([50.0, 2.6772, -79.7751], [50.0, 0.0, -82.7485], 2.0425),
        ([50.0, 0.0, 0.0], [50.0, -1.0, 2.0], 2.3669),
        ([50.0, 2.49, -0.001], [50.0, -2.49, 0.0009], 7.1792),
        ([50.0, -0.001, 2.49], [50.0, 0.0009, -2.49], 4.8045),
        ([50.0, -0.001, 2.49], [50.0, 0.001, -2.49], 4.8045),
        ([50.0, 2.5, 0.0], [73.0, 25.0, -18.0], 27.1492),
        (
            [60.2574, -34.0099, 36.2677],
            [60.4626, -34.1751, 39.4387],
            1.2644,
        ),
        ([2.0776, 0.0795, -1.135], [0.9033, -0.0636, -0.5514], 0.9082),
    ];
    for (a, b, want) in rows {
        let got = delta_e00(a, b);
        assert!((got - want).abs() < 1e-4, "{a:?} {b:?}: {got} vs {want}");
        assert!((delta_e00(b, a) - want).abs() < 1e-4, "symmetry");
    }
    // If the full shared table is present, check every pair.
    if let Ok(text) = std::fs::read_to_string("/work/shared/data/ciede2000_sharma.csv") {
        let mut n = 0;
        for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
            let v: Vec<f64> = line.split(',').map(|s| s.trim().parse().unwrap()).collect();
            let got = delta_e00([v[0], v[1], v[2]], [v[3], v[4], v[5]]);
            assert!((got - v[6]).abs() < 1e-4, "{line}: {got}");
            n += 1;
        }
        assert_eq!(n, 34);
    }
}

#[test]
fn tone_calibration_hits_target_ita() {
    let mut last_l = f64::INFINITY;
    for (name, ita) in ita_classes() {
        let (cm, ch, s) = calibrate_tone(ita);
        let lab = model_lab(cm, ch, s);
        let got = ita_of_lab(lab);
        assert!((got - ita).abs() < 1e-6, "{name:?}: {got} vs {ita}");
        assert_eq!(ItaName::from_ita(got), name);
        let rgb = linear_to_srgb8(model_linear(cm, ch, s));
        println!(
            "{:<13} ITA {ita:>6.1}  melanin {cm:.3} hemoglobin {ch:.2} tone-shading {s:.3}  Lab ({:.1}, {:.1}, {:.1})  sRGB {rgb:?}",
            name.label(),
            lab[0],
            lab[1],
            lab[2]
        );
        // Realistic skin: L* 25..75, a* 5..16, b* 8..24, L* falling with ITA.
        assert!((25.0..75.0).contains(&lab[0]), "{name:?} L {lab:?}");
        assert!((5.0..16.0).contains(&lab[1]), "{name:?} a {lab:?}");
        assert!((8.0..24.0).contains(&lab[2]), "{name:?} b {lab:?}");
        assert!(lab[0] < last_l);
        last_l = lab[0];
    }
    let (vl, dk) = (calibrate_tone(62.0), calibrate_tone(-45.0));
    assert!((model_lab(vl.0, vl.1, vl.2)[0] - 70.0).abs() < 3.0);
    assert!((model_lab(dk.0, dk.1, dk.2)[0] - 31.0).abs() < 3.0);
}

#[test]
fn each_ita_class_lands_in_its_class() {
    for (k, (name, ita)) in ita_classes().into_iter().enumerate() {
        let t = Instant::now();
        let scene = SceneSpec::face(ita, 100 + k as u64).render();
        let ms = t.elapsed().as_secs_f64() * 1e3;
        let (lab, med_ita) = skin_stats(&scene, &scene.clean_rgba);
        let (_, med_ita_final) = skin_stats(&scene, &scene.rgba);
        println!(
            "{:<13} target {ita:>6.1}  clean median ITA {med_ita:>6.1}  final {med_ita_final:>6.1}  Lab ({:.1}, {:.1}, {:.1})  skin {:.2}  {ms:.0} ms",
            name.label(),
            lab[0],
            lab[1],
            lab[2],
            scene.skin_fraction()
        );
        assert_eq!(
            ItaName::from_ita(med_ita),
            name,
            "clean median ITA {med_ita}"
        );
        assert_eq!(
            ItaName::from_ita(med_ita_final),
            name,
            "final median ITA {med_ita_final}"
        );
        assert!((med_ita - ita).abs() < 5.0, "{name:?}: {med_ita} vs {ita}");
        assert!(
            (25.0..78.0).contains(&lab[0])
                && (4.0..18.0).contains(&lab[1])
                && (6.0..26.0).contains(&lab[2])
        );
        let file = format!("synth_{}.png", name.label());
        save_png(&file, scene.width, scene.height, &scene.rgba);
    }
}

#[test]
fn close_up_scenes_land_in_class_without_composition() {
    for (name, ita) in ita_classes() {
        let scene = SceneSpec::skin(ita, 7).render();
        assert!(scene.skin_mask.iter().all(|&s| s));
        let (_, med) = skin_stats(&scene, &scene.clean_rgba);
        assert_eq!(ItaName::from_ita(med), name, "{med}");
    }
}

fn assert_disjoint(a: &[bool], b: &[bool], what: &str) {
    assert!(a.iter().zip(b).all(|(&x, &y)| !(x && y)), "{what} overlap");
}

#[test]
fn masks_non_empty_disjoint_and_inside_skin() {
    for seed in 0..4u64 {
        for &(_, ita) in ita_classes().iter().step_by(2) {
            let spec = SceneSpec::face(ita, seed);
            let s = spec.render();
            assert_eq!(s.spots.len(), spec.spots, "seed {seed}");
            assert_eq!(s.red_scars.len(), spec.red_scars);
            assert_eq!(s.pits.len(), spec.pits);
            assert_eq!(s.raised_scars.len(), spec.raised_scars);
            let masks = [
                ("spot", &s.spot_mask),
                ("red", &s.red_mask),
                ("pit", &s.pit_mask),
                ("raised", &s.raised_mask),
            ];
            for (i, (na, ma)) in masks.iter().enumerate() {
                assert!(ma.iter().any(|&v| v), "{na} empty");
                for (nb, mb) in &masks[i + 1..] {
                    assert_disjoint(ma, mb, &format!("{na}/{nb}"));
                }
            }
            for l in s.lesions() {
                assert!(l.area > 10, "{l:?}");
                let (x0, y0, x1, y1) = l.support_bbox;
                for y in y0..y1 {
                    for x in x0..x1 {
                        assert!(
                            s.skin_mask[s.idx(x, y)],
                            "lesion {} support touches non-skin",
                            l.label
                        );
                    }
                }
                // Mask pixels carry the lesion's label and lie inside its bbox.
                let (bx0, by0, bx1, by1) = l.bbox;
                assert!(bx0 >= x0 && by0 >= y0 && bx1 <= x1 && by1 <= y1);
                assert!(l.centre.0 >= bx0 as f64 && l.centre.0 < bx1 as f64);
            }
            // Each mask pixel has exactly one owning lesion of the right kind.
            for i in 0..s.len() {
                let lab = s.lesion_label[i];
                let any = s.spot_mask[i] || s.red_mask[i] || s.pit_mask[i] || s.raised_mask[i];
                if any {
                    assert!(lab > 0);
                }
            }
            // Ground-truth planes carry the lesions.
            for l in &s.spots {
                let (cx, cy) = (l.centre.0.round() as u32, l.centre.1.round() as u32);
                let i = s.idx(cx, cy);
                if s.spot_mask[i] {
                    assert!(s.melanin[i] as f64 > s.base_melanin + 0.3 * l.peak);
                }
            }
        }
    }
}

#[test]
fn lesion_contrast_in_range() {
    let mut all = Vec::new();
    for (k, (_, ita)) in ita_classes().into_iter().enumerate() {
        for seed in 0..2u64 {
            let s = SceneSpec::face(ita, 1000 * k as u64 + seed)
                .spots(6)
                .render();
            for l in s.spots.iter().chain(&s.red_scars) {
                all.push((ita, l.kind, l.delta_e00_rendered, l.peak));
                assert!(
                    (3.0..=12.0).contains(&l.delta_e00_rendered),
                    "ITA {ita} {:?} dE00 {} peak {}",
                    l.kind,
                    l.delta_e00_rendered,
                    l.peak
                );
            }
            for l in &s.pits {
                assert!(
                    (0.15..=0.35).contains(&l.peak) && l.delta_e00_rendered > 1.0,
                    "{l:?}"
                );
            }
            for l in &s.raised_scars {
                assert!(
                    (-0.25..=-0.10).contains(&l.peak) && l.delta_e00_rendered > 1.0,
                    "{l:?}"
                );
            }
        }
    }
    let des: Vec<f64> = all.iter().map(|a| a.2).collect();
    println!(
        "spot/red dE00: n {} min {:.2} median {:.2} max {:.2}",
        des.len(),
        des.iter().cloned().fold(f64::INFINITY, f64::min),
        median(des.clone()),
        des.iter().cloned().fold(0.0, f64::max)
    );
}

/// Pixels of `a` and `b` that differ, as a mask.
fn diff_mask(a: &[u8], b: &[u8]) -> Vec<bool> {
    a.chunks_exact(4)
        .zip(b.chunks_exact(4))
        .map(|(p, q)| p != q)
        .collect()
}

/// Mask of the lesions' support bboxes of the given kinds, grown to the 8×8 JPEG block grid.
fn near_mask(s: &Scene, kinds: &[LesionKind], block: u32) -> Vec<bool> {
    let mut m = vec![false; s.len()];
    for l in s.lesions().filter(|l| kinds.contains(&l.kind)) {
        let (x0, y0, x1, y1) = l.support_bbox;
        let (x0, y0) = (x0 / block * block, y0 / block * block);
        let x1 = x1.div_ceil(block) * block;
        let y1 = y1.div_ceil(block) * block;
        for y in y0..y1.min(s.height) {
            for x in x0..x1.min(s.width) {
                m[s.idx(x, y)] = true;
            }
        }
    }
    m
}

fn check_variant(
    s: &Scene,
    variant: &[u8],
    kinds: &[LesionKind],
    mask: &[bool],
    block: u32,
    what: &str,
) {
    let diff = diff_mask(&s.rgba, variant);
    let near = near_mask(s, kinds, block);
    let outside = diff.iter().zip(&near).filter(|(&d, &n)| d && !n).count();
    assert_eq!(
        outside, 0,
        "{what}: {outside} pixels differ away from the lesions"
    );
    let n_mask = mask.iter().filter(|&&m| m).count();
    let changed = diff.iter().zip(mask).filter(|(&d, &m)| d && m).count();
    assert!(n_mask > 0, "{what}: no lesion");
    assert!(
        changed as f64 > 0.7 * n_mask as f64,
        "{what}: only {changed}/{n_mask} mask pixels change"
    );
}

#[test]
fn lesion_free_variants_differ_only_near_lesions() {
    for (jpeg, block) in [(Some(85), 8), (None, 1)] {
        let s = SceneSpec::face(35.0, 5).jpeg_quality(jpeg).render();
        check_variant(
            &s,
            &s.spot_free_rgba,
            &[LesionKind::Spot],
            &s.spot_mask,
            block,
            "spot_free",
        );
        check_variant(
            &s,
            &s.red_free_rgba,
            &[LesionKind::RedScar],
            &s.red_mask,
            block,
            "red_free",
        );
        let relief: Vec<bool> = s
            .pit_mask
            .iter()
            .zip(&s.raised_mask)
            .map(|(a, b)| *a || *b)
            .collect();
        check_variant(
            &s,
            &s.relief_free_rgba,
            &[LesionKind::Pit, LesionKind::RaisedScar],
            &relief,
            block,
            "relief_free",
        );
    }
    // A kind with no lesions gives the identical image.
    let s = SceneSpec::skin(48.0, 9).render();
    assert_eq!(s.red_free_rgba, s.rgba);
    assert_eq!(s.relief_free_rgba, s.rgba);
    assert_ne!(s.spot_free_rgba, s.rgba);
}

#[test]
fn same_seed_same_bytes() {
    let spec = SceneSpec::face(19.0, 42);
    let (a, b) = (spec.render(), spec.render());
    assert_eq!(a.rgba, b.rgba);
    assert_eq!(a.clean_rgba, b.clean_rgba);
    assert_eq!(a.spot_free_rgba, b.spot_free_rgba);
    assert_eq!(a.red_free_rgba, b.red_free_rgba);
    assert_eq!(a.relief_free_rgba, b.relief_free_rgba);
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&a.melanin), bits(&b.melanin));
    assert_eq!(bits(&a.hemoglobin), bits(&b.hemoglobin));
    assert_eq!(bits(&a.shading), bits(&b.shading));
    assert_eq!(a.skin_mask, b.skin_mask);
    assert_eq!(a.spot_mask, b.spot_mask);
    let c = spec.clone().seed(43).render();
    assert_ne!(a.rgba, c.rgba);
    // The camera-noise stream does not depend on the lesions: two scenes differing only in
    // spot count have identical noise residuals away from lesions.
    let d = spec.clone().spots(1).jpeg_quality(None).render();
    let e = spec.clone().spots(5).jpeg_quality(None).render();
    let far = |i: usize| d.lesion_label[i] == 0 && e.lesion_label[i] == 0;
    for i in (0..d.len()).filter(|&i| far(i)) {
        assert_eq!(px(&d.rgba, i), px(&e.rgba, i));
    }
}

#[test]
fn composed_non_skin_fraction_and_regions() {
    let mut fr = Vec::new();
    for seed in 0..8u64 {
        let ita = ita_classes()[(seed % 6) as usize].1;
        let s = SceneSpec::face(ita, seed).render();
        let non_skin = 1.0 - s.skin_fraction();
        fr.push(non_skin);
        assert!(
            (0.35..=0.55).contains(&non_skin),
            "seed {seed}: non-skin {non_skin}"
        );
        for r in [
            Region::Background,
            Region::Hair,
            Region::Cloth,
            Region::Lips,
            Region::Eye,
        ] {
            let n = s.regions.iter().filter(|&&x| x == r).count();
            assert!(n > 100, "seed {seed}: region {r:?} has {n} px");
        }
        for (m, r) in s.skin_mask.iter().zip(&s.regions) {
            assert_eq!(*m, *r == Region::Skin);
        }
    }
    println!("non-skin fractions: {fr:.3?}");
    let s = SceneSpec::face(48.0, 3).render();
    let (w, h) = (s.width, s.height);
    save_png(
        "synth_mask_light.png",
        w,
        h,
        &plane_to_rgba(
            &s.skin_mask
                .iter()
                .map(|&b| b as u8 as f32)
                .collect::<Vec<_>>(),
            0.0,
            1.0,
        ),
    );
}

/// True where the pixel and its 8 neighbours share one region (no anti-aliased mixtures).
fn interior(s: &Scene, i: usize) -> bool {
    let (w, h) = (s.width as usize, s.height as usize);
    let (x, y) = (i % w, i / w);
    if x == 0 || y == 0 || x + 1 >= w || y + 1 >= h {
        return false;
    }
    let r = s.regions[i];
    (y - 1..=y + 1).all(|yy| (x - 1..=x + 1).all(|xx| s.regions[yy * w + xx] == r))
}

#[test]
fn non_skin_colours_are_outside_the_skin_model() {
    let inside = |c: [f64; 3]| {
        c.iter()
            .zip(PLAUSIBLE_SKIN_BOX)
            .all(|(v, (lo, hi))| (lo..=hi).contains(v))
    };
    for (k, (name, ita)) in ita_classes().into_iter().enumerate() {
        let s = SceneSpec::face(ita, 200 + k as u64).render();
        let mut counts = std::collections::HashMap::<Region, (usize, usize)>::new();
        for i in (0..s.len()).filter(|&i| interior(&s, i)) {
            let c = s
                .camera
                .decompose_linear(srgb8_to_linear(px(&s.clean_rgba, i)));
            let e = counts.entry(s.regions[i]).or_default();
            e.0 += inside(c) as usize;
            e.1 += 1;
        }
        let frac = |r: Region| {
            let (a, n) = counts[&r];
            a as f64 / n as f64
        };
        println!(
            "{:<13} interior pixels inside the plausible skin box: skin {:.3} lips {:.3} hair {:.3} background {:.3} cloth {:.3} eye {:.3}",
            name.label(),
            frac(Region::Skin),
            frac(Region::Lips),
            frac(Region::Hair),
            frac(Region::Background),
            frac(Region::Cloth),
            frac(Region::Eye)
        );
        assert!(frac(Region::Skin) > 0.98, "{name:?}: skin box too tight");
        // Lips are rendered with the skin model on purpose (hard case).
        assert!(frac(Region::Lips) > 0.9);
        for r in [Region::Hair, Region::Background, Region::Cloth, Region::Eye] {
            assert!(
                frac(r) < 0.01,
                "{name:?}: {r:?} looks like skin ({})",
                frac(r)
            );
        }
    }
}

#[test]
fn jpeg_crops_equal_full_image_round_trip() {
    // The lesion-free variants JPEG-encode only block-aligned crops; that must equal a full-image
    // round trip in those pixels (4:4:4 baseline codes 8x8 blocks independently).
    for (w, h) in [(256u32, 256u32), (300, 262)] {
        let s = SceneSpec::face(19.0, 4)
            .size(w, h)
            .jpeg_quality(None)
            .render();
        let rgb: Vec<u8> = s
            .rgba
            .chunks_exact(4)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect();
        let full = jpeg_roundtrip_rgb(&rgb, w, h, 85);
        for rect in [
            (0, 0, 17, 9),
            (37, 41, 90, 77),
            (w - 30, h - 20, w, h),
            (100, 3, 101, 4),
        ] {
            let mut out = vec![0u8; full.len()];
            jpeg_roundtrip_crop_into(&rgb, w, h, 85, rect, &mut out);
            let (x0, y0, x1, y1) = jpeg_aligned(rect, w, h);
            for y in y0..y1 {
                for x in x0..x1 {
                    let i = 4 * (y * w + x) as usize;
                    assert_eq!(
                        out[i..i + 4],
                        full[i..i + 4],
                        "{w}x{h} rect {rect:?} at ({x},{y})"
                    );
                }
            }
        }
    }
}

#[test]
fn odd_sizes_render_and_cache_works() {
    let spec = SceneSpec::face(35.0, 8).size(300, 262);
    let s = spec.render_cached();
    assert_eq!(s.rgba.len(), 4 * 300 * 262);
    assert_eq!(s.spot_free_rgba.len(), s.rgba.len());
    let (_, med) = skin_stats(&s, &s.clean_rgba);
    assert_eq!(ItaName::from_ita(med), ItaName::Intermediate);
    let again = spec.render_cached();
    assert!(std::sync::Arc::ptr_eq(&s, &again));
    for kind in [
        LesionKind::Spot,
        LesionKind::RedScar,
        LesionKind::Pit,
        LesionKind::RaisedScar,
    ] {
        if !s.truths(kind).is_empty() {
            assert!(s.mask(kind).iter().any(|&m| m), "{kind:?}");
        }
        assert_eq!(s.lesion_free_rgba(kind).len(), s.rgba.len());
    }
}

#[test]
fn truth_planes_reproduce_the_clean_render() {
    let s = SceneSpec::skin(35.0, 11)
        .pits(2)
        .raised_scars(1)
        .red_scars(1)
        .render();
    let r = render_planes(
        &s.camera,
        &s.melanin,
        &s.hemoglobin,
        &s.shading,
        s.width,
        s.height,
    );
    let mut off = 0;
    for (a, b) in r.iter().zip(&s.clean_rgba) {
        let d = (*a as i32 - *b as i32).abs();
        assert!(d <= 1);
        off += (d > 0) as usize;
    }
    assert!(off * 1000 < r.len(), "{off} bytes off by one");
    // The planes span realistic ranges.
    let (mn, mx) = s
        .shading
        .iter()
        .fold((f32::MAX, f32::MIN), |(a, b), &v| (a.min(v), b.max(v)));
    println!(
        "shading range {mn:.3}..{mx:.3} (base {:.3})",
        s.base_shading
    );
    assert!(mx - mn < 1.2);
}

#[test]
fn shading_texture_statistics() {
    // Only the fine texture: std ~0.015 OD, correlated over ~1-2 px, mean = tone shading.
    let s = SceneSpec::skin(35.0, 21)
        .illumination(false)
        .pores(false)
        .no_lesions()
        .render();
    let n = s.len() as f64;
    let mean = s.shading.iter().map(|&v| v as f64).sum::<f64>() / n;
    let sd = (s
        .shading
        .iter()
        .map(|&v| (v as f64 - mean).powi(2))
        .sum::<f64>()
        / n)
        .sqrt();
    assert!(
        (mean - s.base_shading).abs() < 0.002,
        "{mean} vs {}",
        s.base_shading
    );
    assert!((0.0135..0.0165).contains(&sd), "texture sd {sd}");
    let w = s.width as usize;
    let lag = |d: usize| {
        let a: Vec<f32> = (0..s.len() - d).map(|i| s.shading[i]).collect();
        let b: Vec<f32> = (d..s.len()).map(|i| s.shading[i]).collect();
        pearson(&a, &b, None)
    };
    let (r1, r4) = (lag(1), lag(4));
    assert!(r1 > 0.5 && r4.abs() < 0.1, "lag-1 {r1} lag-4 {r4}");
    assert!(lag(w) > 0.5, "vertical correlation");
    // With illumination and pores: total spread within ~0.6 OD plus texture and pores.
    let s = SceneSpec::skin(35.0, 22).no_lesions().render();
    let (mn, mx) = s
        .shading
        .iter()
        .fold((f32::MAX, f32::MIN), |(a, b), &v| (a.min(v), b.max(v)));
    assert!(mx - mn < 0.8 && mx - mn > 0.1, "{mn}..{mx}");
    // An estimator ignoring the bias reads these offsets.
    let b = bias_as_concentrations();
    assert!((b[0] - 0.379).abs() < 0.01 && (b[1] - 0.473).abs() < 0.01);
}

#[test]
fn camera_noise_is_present_and_sized() {
    let s = SceneSpec::skin(48.0, 3)
        .jpeg_quality(None)
        .noise_sigma(2.0)
        .render();
    let mut acc = 0.0;
    let mut n = 0.0;
    for (a, b) in s.rgba.chunks_exact(4).zip(s.clean_rgba.chunks_exact(4)) {
        for k in 0..3 {
            let d = a[k] as f64 - b[k] as f64;
            acc += d * d;
            n += 1.0;
        }
    }
    let sd = (acc / n).sqrt();
    assert!((1.8..2.3).contains(&sd), "noise sd {sd}");
    let j = SceneSpec::skin(48.0, 3).render();
    assert_ne!(j.rgba, s.rgba);
}

#[test]
fn helpers_behave() {
    // Exposure: +1 EV doubles linear light.
    let grey = [60u8, 60, 60, 255];
    let up = apply_exposure(&grey, 1.0);
    let r = srgb8_to_linear([up[0], up[1], up[2]])[0] / srgb8_to_linear([60, 60, 60])[0];
    assert!((r - 2.0).abs() < 0.05, "{r}");
    assert_eq!(
        apply_exposure(&[250, 250, 250, 7], 2.0),
        vec![255, 255, 255, 7]
    );
    // Colour cast: +1000 K is bluer, -1000 K warmer, a few percent to ~20 %.
    let gp = colour_cast_gains(1000.0);
    let gm = colour_cast_gains(-1000.0);
    println!("cast gains +1000 K {gp:.3?}  -1000 K {gm:.3?}");
    assert!(gp[0] < 1.0 && gp[2] > 1.0 && gm[0] > 1.0 && gm[2] < 1.0);
    for g in [gp, gm] {
        assert!(g.iter().all(|v| (0.75..1.3).contains(v)));
    }
    assert_eq!(colour_cast_gains(0.0), [1.0, 1.0, 1.0]);
    let c = apply_colour_cast(&[128, 128, 128, 255], 1000.0);
    assert!(c[2] > c[0]);
    // Overlap metrics.
    let a = [true, true, false, false];
    let b = [true, false, true, false];
    assert!((dice(&a, &b) - 0.5).abs() < 1e-12);
    assert!((iou(&a, &b) - 1.0 / 3.0).abs() < 1e-12);
    assert_eq!(dice(&[false; 3], &[false; 3]), 1.0);
    let x = [1.0f32, 2.0, 3.0, 4.0];
    let y = [2.0f32, 4.0, 6.0, 9.0];
    assert!(pearson(&x, &y, None) > 0.98);
    assert!((pearson(&x, &y, Some(&[true, true, true, false])) - 1.0).abs() < 1e-9);
    assert!((pearson(&x, &x.map(|v| -v), None) + 1.0).abs() < 1e-9);
}

#[test]
fn render_speed() {
    // The first scene of a process also builds the shared tables (Gaussian table, LUTs).
    let t = Instant::now();
    SceneSpec::skin(35.0, 1).size(64, 64).render();
    println!(
        "one-time table set-up: {:.1} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    // Budget for a debug build under test-harness load; the brief's target is < 100 ms.
    for spec in [
        SceneSpec::skin(35.0, 1),
        SceneSpec::face(35.0, 1),
        SceneSpec::skin(35.0, 1).size(384, 384),
        SceneSpec::face(35.0, 1).size(384, 384),
        SceneSpec::face(35.0, 1).size(512, 512),
    ] {
        let mut best = f64::INFINITY;
        let mut lesions = 0;
        for _ in 0..3 {
            let t = Instant::now();
            let s = spec.render();
            best = best.min(t.elapsed().as_secs_f64() * 1e3);
            lesions = s.lesions().count();
        }
        println!(
            "{}x{} compose={} lesions={lesions}: {best:.1} ms",
            spec.width, spec.height, spec.compose
        );
        assert!(best < 1500.0, "{best} ms");
    }
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 6, failure_persistence: None, ..ProptestConfig::default() })]
        #[test]
        fn invariants_hold_for_any_seed(seed in any::<u64>(), class in 0usize..6, compose in any::<bool>()) {
            let ita = ita_classes()[class].1;
            let s = SceneSpec::skin(ita, seed).size(256, 256).compose(compose).pits(2).red_scars(1).raised_scars(1).render();
            let masks = [&s.spot_mask, &s.red_mask, &s.pit_mask, &s.raised_mask];
            for (i, a) in masks.iter().enumerate() {
                for b in &masks[i + 1..] {
                    prop_assert!(a.iter().zip(b.iter()).all(|(&x, &y)| !(x && y)));
                }
                prop_assert!(a.iter().zip(&s.skin_mask).all(|(&m, &k)| !m || k));
            }
            prop_assert!((ita_of_lab(s.base_lab) - ita).abs() < 1e-6);
            prop_assert_eq!(s.rgba.len(), 4 * 256 * 256);
        }
    }
}

#[test]
fn cameras_spread_around_both_published_melanin_vectors() {
    let angle = |a: [f64; 3], b: [f64; 3]| {
        let d: f64 = (0..3).map(|k| a[k] * b[k]).sum();
        d.clamp(-1.0, 1.0).acos().to_degrees()
    };
    let [tsumura, ica] = PUBLISHED_MELANIN;
    let (mut near_t, mut near_i) = (0, 0);
    for seed in 0..64u64 {
        let c = Camera::for_seed(seed);
        assert_eq!(c, Camera::for_seed(seed), "deterministic");
        let (at, ai) = (angle(c.melanin, tsumura), angle(c.melanin, ica));
        assert!(
            at.min(ai) < 8.0 && at.max(ai) < 20.0,
            "seed {seed}: {at:.1}° / {ai:.1}°"
        );
        near_t += (at < ai) as usize;
        near_i += (ai <= at) as usize;
        assert!(angle(c.hemoglobin, SYNTH_HEMOGLOBIN) < 10.0, "seed {seed}");
        for (r, row) in c.crosstalk.iter().enumerate() {
            assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            for (k, v) in row.iter().enumerate() {
                if k != r {
                    assert!((0.03..0.08).contains(v), "seed {seed}: crosstalk {v}");
                }
            }
        }
    }
    assert!(
        near_t >= 16 && near_i >= 16,
        "{near_t} near Tsumura's, {near_i} near the ICA vector"
    );
    // A scene's camera undoes: decomposing its clean render gives the truth planes back.
    let s = SceneSpec::skin(35.0, 12).clean().render();
    for i in (0..s.len()).step_by(997) {
        let p = [
            s.clean_rgba[4 * i],
            s.clean_rgba[4 * i + 1],
            s.clean_rgba[4 * i + 2],
        ];
        let c = s.camera.decompose_linear(srgb8_to_linear(p));
        assert!((c[0] - s.melanin[i] as f64).abs() < 0.05, "melanin {c:?}");
    }
}

/// Held-out seeds are for measuring only: no other test file may name one.
#[test]
fn held_out_seeds_are_used_by_no_test() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests");
    let mut files = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(dir)];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs" || x == "mjs") {
                files.push(p);
            }
        }
    }
    for f in files {
        if f.ends_with("support/synth.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&f).unwrap();
        for seed in HELD_OUT_SEEDS {
            let n = seed.to_string();
            let used = text.match_indices(&n).any(|(i, _)| {
                let b = text.as_bytes();
                let before = i
                    .checked_sub(1)
                    .map(|j| b[j].is_ascii_digit())
                    .unwrap_or(false);
                let after = b.get(i + n.len()).is_some_and(|c| c.is_ascii_digit());
                !before && !after
            });
            assert!(!used, "{} uses held-out seed {seed}", f.display());
        }
    }
}
