//! The real-photo benchmark: licensed portraits (`tests/data/real/`), real skin tones
//! shifted across the ITA classes, spots and red patches injected in optical density along
//! directions drawn around the published vectors, each photo through its own JPEG 90.
//!
//! Measures per class: Dice of the pigment and redness maps (the CLI's `--maps` contract,
//! ≥ 128), the share of spots found against their contrast (ΔE00 where 50% and 90% are
//! found), new false-positive area on each untouched photo, each spot's residual after
//! `--pigment 1` (core − ring against the photo before injection), and pixels outside
//! every map unchanged. The tones of tan, brown and dark skin are simulated by tone
//! shifts of light-skinned photos (see `support::real`).

mod support;

use skin_preview::analysis::maps;
use skin_preview::analysis::{self, Analysis, AnalysisOptions};
use skin_preview::lesions::blobs::Direction;
use skin_preview::projection::render::{Fractions, Projector};
use skin_preview::Photo;
use support::real::{self, Injected, Kind, RealPhoto, CASES};
use support::real_truth::{self, Confidence, LesionTruth};
use support::synth::{ita_classes, ItaName, Rng};

/// Contrasts (ΔE00 at the centre) of the detection sweep.
const CONTRASTS: [f64; 6] = [2.0, 3.0, 4.0, 6.0, 8.0, 10.0];
/// Spot diameters as shares of the face width, cycled over the sites.
const SIZES: [f64; 4] = [0.02, 0.03, 0.045, 0.06];
/// A spot is found when the map covers at least this share of its outline.
const FOUND_COVER: f64 = 0.5;

/// What one analysed photo gives.
struct Run {
    analysis: Analysis,
    photo: Photo,
    pigment: Vec<bool>,
    redness: Vec<bool>,
}

fn analyse(rgba: Vec<u8>, w: usize, h: usize) -> Run {
    let photo = Photo::from_rgba(w as u32, h as u32, rgba).expect("photo");
    // As the page and the CLI do: the face mesh, when one is found, narrows the skin mask.
    let options = AnalysisOptions {
        face: skin_preview::skin::face::cli::find(&photo).0,
        ..AnalysisOptions::default()
    };
    let a = analysis::analyze(&photo, &options);
    let mask = |name| {
        maps::named_map(&a, name)
            .expect("map")
            .into_iter()
            .map(|v| v >= 128)
            .collect::<Vec<bool>>()
    };
    Run {
        pigment: mask("pigment"),
        redness: mask("redness"),
        analysis: a,
        photo,
    }
}

/// Spots at every site of a photo, sizes and directions cycled by site.
fn spots(photo: &RealPhoto, kind: Kind, de: f64, seed: u64) -> Vec<Injected> {
    let mut rng = Rng::new(seed);
    photo
        .sites
        .iter()
        .enumerate()
        .map(|(i, &centre)| {
            let (size, direction) = match kind {
                Kind::Spot => {
                    let (a, b) = if i % 2 == 0 {
                        (real::MELANIN_A, real::MELANIN_B)
                    } else {
                        (real::MELANIN_B, real::MELANIN_A)
                    };
                    (
                        SIZES[i % SIZES.len()],
                        real::spread_direction(&mut rng, a, b, 0.03),
                    )
                }
                Kind::Red => (
                    0.05 + 0.01 * (i % 3) as f64,
                    real::spread_direction(&mut rng, real::HEMOGLOBIN, real::HEMOGLOBIN, 0.03),
                ),
            };
            Injected {
                kind,
                centre,
                diameter: (size * photo.face_width).max(3.0),
                direction,
                delta_e: de,
                amplitude: 0.0,
            }
        })
        .collect()
}

/// Per-spot detection: (covered share of the outline, local Dice).
fn score_spot(mask: &[bool], w: usize, h: usize, l: &Injected) -> (f64, f64) {
    let r = 1.5 * l.diameter;
    let (x0, x1) = (
        (l.centre[0] - r).max(0.0) as usize,
        ((l.centre[0] + r) as usize).min(w - 1),
    );
    let (y0, y1) = (
        (l.centre[1] - r).max(0.0) as usize,
        ((l.centre[1] + r) as usize).min(h - 1),
    );
    let (mut both, mut truth, mut found) = (0usize, 0usize, 0usize);
    for y in y0..=y1 {
        for x in x0..=x1 {
            let t = l.inside(x as f64 + 0.5, y as f64 + 0.5);
            let m = mask[y * w + x];
            both += (t && m) as usize;
            truth += t as usize;
            found += m as usize;
        }
    }
    let cover = both as f64 / truth.max(1) as f64;
    let dice = 2.0 * both as f64 / (truth + found).max(1) as f64;
    (cover, dice)
}

/// The hand-marked real lesions of a case's photo, in its pixels.
fn real_truth_of(photo: &RealPhoto) -> Vec<LesionTruth> {
    let file = photo.case.file.rsplit('/').next().unwrap_or_default();
    real_truth::real_lesions()
        .into_iter()
        .find(|p| p.file == file)
        .map(|p| p.lesions)
        .unwrap_or_default()
}

/// Case pixel → source pixel.
fn to_source(photo: &RealPhoto, x: usize, y: usize) -> (f64, f64) {
    let [x0, y0, ..] = photo.case.crop.unwrap_or([0; 4]);
    let f = photo.case.downscale.max(1) as f64;
    (
        x0 as f64 + (x as f64 + 0.5) * f,
        y0 as f64 + (y as f64 + 0.5) * f,
    )
}

/// Pixels near a marked real lesion (its box grown by its own size on each side): a
/// detection there is the real lesion, not a false positive.
fn near_real_lesions(photo: &RealPhoto) -> Vec<bool> {
    let (w, h) = (photo.image.width, photo.image.height);
    let boxes: Vec<(f64, f64, f64, f64)> = real_truth_of(photo)
        .iter()
        .map(|l| {
            let (x0, y0, x1, y1) = l.bounds();
            let g = (x1 - x0).max(y1 - y0);
            (x0 - g, y0 - g, x1 + g, y1 + g)
        })
        .collect();
    (0..w * h)
        .map(|i| {
            let (x, y) = to_source(photo, i % w, i / w);
            boxes
                .iter()
                .any(|b| x >= b.0 && x <= b.2 && y >= b.1 && y <= b.3)
        })
        .collect()
}

/// Share of skin the maps mark on an untouched photo, away from its marked real lesions.
fn false_positive_percent(run: &Run, near_real: &[bool]) -> (f64, f64) {
    let skin = run.analysis.skin().area().max(1) as f64;
    let s2 = (run.analysis.scale() * run.analysis.scale()) as f64;
    let count =
        |m: &[bool]| m.iter().zip(near_real).filter(|(b, n)| **b && !**n).count() as f64 / s2;
    (
        100.0 * count(&run.pigment) / skin,
        100.0 * count(&run.redness) / skin,
    )
}

/// The clear real lesions found on an untouched photo: (found, marked) per kind.
fn real_lesions_found(photo: &RealPhoto, run: &Run) -> [(usize, usize); 2] {
    let (w, h) = (photo.image.width, photo.image.height);
    let mut out = [(0, 0); 2];
    for l in real_truth_of(photo)
        .iter()
        .filter(|l| l.confidence == Confidence::Clear)
    {
        let (k, map) = match l.kind {
            real_truth::Kind::Pigment => (0, &run.pigment),
            real_truth::Kind::Redness => (1, &run.redness),
        };
        let (mut inside, mut hit) = (0usize, 0usize);
        for (i, &m) in map.iter().enumerate().take(w * h) {
            let (x, y) = to_source(photo, i % w, i / w);
            if l.contains(x, y) {
                inside += 1;
                hit += m as usize;
            }
        }
        if inside > 0 {
            out[k].1 += 1;
            out[k].0 += (2 * hit >= inside) as usize;
        }
    }
    out
}

#[derive(Default, Clone)]
struct ClassStats {
    /// (contrast, found, total) for spots of ≥ 2% face width.
    found: Vec<(f64, usize, usize)>,
    /// Dice of spots with ΔE00 ≥ 4 and ≥ 2% face width.
    spot_dice: Vec<f64>,
    red_dice: Vec<f64>,
    residual: Vec<f64>,
    /// Residuals of the spots the map found.
    residual_found: Vec<f64>,
    fp_pigment: Vec<f64>,
    fp_redness: Vec<f64>,
    outside_changed: usize,
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

/// Runs every case in one ITA class.
fn run_class(photos: &[RealPhoto], class: ItaName, target: f64) -> ClassStats {
    let mut st = ClassStats::default();
    for (pi, photo) in photos.iter().enumerate() {
        let (toned, got) = real::shift_to_ita(photo, target);
        let (w, h) = (toned.width, toned.height);
        let base = analyse(toned.to_rgba(Some(90)), w, h);
        let (fp_p, fp_r) = false_positive_percent(&base, &near_real_lesions(photo));
        st.fp_pigment.push(fp_p);
        st.fp_redness.push(fp_r);
        let before = toned.to_rgba(None);
        for (ci, &de) in CONTRASTS.iter().enumerate() {
            let seed = 1000 * pi as u64 + ci as u64;
            let mut lesions = spots(photo, Kind::Spot, de, seed);
            let img = real::inject(&toned, &mut lesions);
            let run = analyse(img.to_rgba(Some(90)), w, h);
            let mut found = 0;
            for l in &lesions {
                let (cover, dice) = score_spot(&run.pigment, w, h, l);
                found += (cover >= FOUND_COVER) as usize;
                if de >= 4.0 {
                    st.spot_dice.push(dice);
                }
            }
            st.found.push((de, found, lesions.len()));
            if de == 10.0 && std::env::var("MISSES").is_ok() {
                let a = &run.analysis;
                let sc = a.scale() as f64;
                let sw = a.skin().soft.width;
                for (li, l) in lesions.iter().enumerate() {
                    let (cover, _) = score_spot(&run.pigment, w, h, l);
                    if cover < FOUND_COVER {
                        let j = (l.centre[1] / sc) as usize * sw + (l.centre[0] / sc) as usize;
                        println!(
                            "  MISS {:<16} {:<12} spot {li} d {:.1} px ({:.1} work) cover {cover:.2} skin {:.2}",
                            CASES[pi].name,
                            class.label(),
                            l.diameter,
                            l.diameter / sc,
                            a.skin().soft.data[j]
                        );
                    }
                }
            }
            if de == 8.0 {
                let name = CASES[pi].name;
                let (fw, s) = (run.analysis.report().face.as_ref(), run.analysis.scale());
                let face = fw.map_or(0.0, |f| f.width_work_px);
                println!(
                    "  {name:<16} {:<12} ΔE00 8: found {found}/{} (face {face:.0} working px, scale {s})",
                    class.label(),
                    lesions.len()
                );
            }
            if de == 8.0 {
                let projector = Projector::new(&run.analysis, &run.photo);
                let out = projector.render(
                    &run.photo,
                    Fractions {
                        pigment: 1.0,
                        redness: 0.0,
                        texture: 0.0,
                    },
                );
                for l in &lesions {
                    let r = real::spot_residual(&before, &out, w, l);
                    st.residual.push(r);
                    if score_spot(&run.pigment, w, h, l).0 >= FOUND_COVER {
                        st.residual_found.push(r);
                    }
                }
                st.outside_changed += outside_changed(&run, &out);
            }
        }
        let mut reds = spots(photo, Kind::Red, 6.0, 7000 + pi as u64);
        let img = real::inject(&toned, &mut reds);
        let run = analyse(img.to_rgba(Some(90)), w, h);
        for l in &reds {
            st.red_dice.push(score_spot(&run.redness, w, h, l).1);
        }
        eprintln!(
            "  {:<16} {:<12} ITA {:6.1}: fp pigment {:.2}%, redness {:.2}%",
            photo.case.name,
            class.label(),
            got,
            fp_p,
            fp_r
        );
    }
    st
}

/// Pixels that changed where every map's soft weight is zero (must be none).
fn outside_changed(run: &Run, out: &[u8]) -> usize {
    let a = &run.analysis;
    let (w, h) = (a.report().width as usize, a.report().height as usize);
    let up = |p: &skin_preview::maths::planes::Plane| p.upsample(a.scale(), w, h);
    let maps = [
        up(&a.pigment().soft),
        up(&a.redness().soft),
        up(&a.pits().soft),
        up(&a.raised().soft),
    ];
    (0..w * h)
        .filter(|&i| maps.iter().all(|m| m.data[i] == 0.0))
        .filter(|&i| out[i * 4..i * 4 + 3] != run.photo.rgba()[i * 4..i * 4 + 3])
        .count()
}

/// One printed row of the benchmark.
struct Row {
    class: ItaName,
    stats: ClassStats,
    rates: Vec<(f64, f64)>,
}

/// Regression floors of the real-photo benchmark, per class light → dark, set at today's
/// measured values minus a margin (tests/TARGETS.md has the figures). The targets
/// (Dice ≥ 0.85, 90% found from ΔE00 3, false positives ≤ 1%) are printed, not yet met.
const FOUND_AT_8_FLOOR: [f64; 6] = [0.50, 0.50, 0.50, 0.50, 0.50, 0.50];
/// Largest false-positive area on an untouched photo, % of skin, any class.
const FALSE_POSITIVE_CEILING: f64 = 4.0;

#[test]
fn real_photo_benchmark() {
    let photos: Vec<RealPhoto> = CASES.iter().map(real::load).collect();
    let only = std::env::var("CLASSES").ok();
    let classes: Vec<(ItaName, f64)> = ita_classes()
        .into_iter()
        .filter(|(c, _)| {
            only.as_deref()
                .is_none_or(|o| o.split(',').any(|x| x == c.label()))
        })
        .collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let rows = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let Some(&(class, target)) = classes.get(i) else {
                    break;
                };
                let stats = run_class(&photos, class, target);
                let rates = CONTRASTS
                    .iter()
                    .map(|&de| {
                        let (f, n) = stats
                            .found
                            .iter()
                            .filter(|r| r.0 == de)
                            .fold((0, 0), |(f, n), r| (f + r.1, n + r.2));
                        (de, f as f64 / n.max(1) as f64)
                    })
                    .filter(|r| r.1.is_finite())
                    .collect();
                rows.lock().unwrap().push((
                    i,
                    Row {
                        class,
                        stats,
                        rates,
                    },
                ));
            });
        }
    });
    let mut rows = rows.into_inner().unwrap();
    rows.sort_by_key(|r| r.0);
    println!("Real-photo benchmark: 6 photos of 5 people, spots ≥ 2% of the face width, JPEG 90");
    println!("(tan, brown and dark are light skin tone-shifted in optical density, not photos of darker skin)");
    println!(
        "{:<13} {:>8} {:>8} {:>8} {:>7} {:>7} {:>7} {:>7} {:>9} {:>9}  found % at ΔE00 {:?}",
        "class",
        "spotDice",
        "foundDice",
        "redDice",
        "ΔE@50%",
        "ΔE@90%",
        "fpPig%",
        "fpRed%",
        "residFound",
        "residAll",
        CONTRASTS
    );
    let fmt = |v: Option<f64>| v.map_or("never".to_string(), |v| format!("{v:.1}"));
    let mut failures = Vec::new();
    for (ci, row) in rows.iter() {
        let st = &row.stats;
        let found_dice: Vec<f64> = st.spot_dice.iter().copied().filter(|d| *d > 0.0).collect();
        let fp = st
            .fp_pigment
            .iter()
            .chain(&st.fp_redness)
            .cloned()
            .fold(0.0, f64::max);
        println!(
            "{:<13} {:>8.3} {:>8.3} {:>8.3} {:>7} {:>7} {:>7.2} {:>7.2} {:>9.2} {:>9.2}  {:?}",
            row.class.label(),
            mean(&st.spot_dice),
            mean(&found_dice),
            mean(&st.red_dice),
            fmt(real::contrast_at_rate(&row.rates, 0.5)),
            fmt(real::contrast_at_rate(&row.rates, 0.9)),
            st.fp_pigment.iter().cloned().fold(0.0, f64::max),
            st.fp_redness.iter().cloned().fold(0.0, f64::max),
            mean(&st.residual_found),
            mean(&st.residual),
            row.rates
                .iter()
                .map(|r| (r.1 * 100.0).round())
                .collect::<Vec<_>>(),
        );
        let at8 = row.rates.iter().find(|r| r.0 == 8.0).map_or(0.0, |r| r.1);
        if at8 < FOUND_AT_8_FLOOR[*ci] {
            failures.push(format!(
                "{}: found {at8:.2} at ΔE00 8 < floor {}",
                row.class.label(),
                FOUND_AT_8_FLOOR[*ci]
            ));
        }
        if fp > FALSE_POSITIVE_CEILING {
            failures.push(format!(
                "{}: false positives {fp:.2}% > {FALSE_POSITIVE_CEILING}%",
                row.class.label()
            ));
        }
        if st.outside_changed > 0 {
            failures.push(format!(
                "{}: {} pixels outside every map changed",
                row.class.label(),
                st.outside_changed
            ));
        }
    }
    println!("Targets (issue 14): Dice ≥ 0.85 per class, spread ≤ 0.05; 90% found from ΔE00 3; false positives ≤ 1% of skin; residual ≤ 1.5 ΔE00; red Dice ≥ 0.8.");
    assert!(failures.is_empty(), "{failures:#?}");
}

/// The hand-marked real lesions (papules, moles, red patches) the analysis finds on the
/// untouched photos, at their own tone.
#[test]
fn real_lesions_on_untouched_photos() {
    println!("Real lesions found (clear marks; cover >= 50% of the outline):");
    let mut total = [(0, 0); 2];
    for case in CASES.iter() {
        let photo = real::load(case);
        let (w, h) = (photo.image.width, photo.image.height);
        let run = analyse(photo.image.to_rgba(None), w, h);
        let [p, r] = real_lesions_found(&photo, &run);
        if p.1 + r.1 == 0 {
            continue;
        }
        println!(
            "  {:<16} pigment {}/{}  redness {}/{}",
            case.name, p.0, p.1, r.0, r.1
        );
        for k in 0..2 {
            total[k].0 += [p, r][k].0;
            total[k].1 += [p, r][k].1;
        }
    }
    println!(
        "  all              pigment {}/{}  redness {}/{}",
        total[0].0, total[0].1, total[1].0, total[1].1
    );
    assert!(
        total[0].1 + total[1].1 >= 8,
        "the truth set holds at least 8 clear lesions"
    );
}

/// Why spots are missed: per spot, the matched-filter peak and the map's cover (diagnostic,
/// prints only). Its scores are recomputed over the whole working frame, so with a face
/// (analysed in its own region) they approximate the analysis's rather than repeat them.
#[test]
#[ignore]
fn diagnose_spots() {
    let only = std::env::var("CASE").ok();
    let de: f64 = std::env::var("DE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(8.0);
    let kind = if std::env::var("RED").is_ok() {
        Kind::Red
    } else {
        Kind::Spot
    };
    for case in CASES
        .iter()
        .filter(|c| only.as_deref().is_none_or(|o| o == c.name))
    {
        let photo = real::load(case);
        let (w, h) = (photo.image.width, photo.image.height);
        let mut lesions = spots(&photo, kind, de, 1);
        let img = real::inject(&photo.image, &mut lesions);
        let run = analyse(img.to_rgba(Some(90)), w, h);
        let a = &run.analysis;
        let s = a.scale() as f64;
        let wp = a.skin().soft.width;
        let photo_w =
            skin_preview::Photo::from_rgba(w as u32, h as u32, img.to_rgba(Some(90))).unwrap();
        let work = if a.scale() > 1 {
            photo_w.downsample(a.scale() as u32)
        } else {
            photo_w
        };
        let z = skin_preview::lesions::blobs::matched_scores(
            &work,
            &a.skin().interior(),
            &a.skin().binary,
            &[
                Direction {
                    vector: skin_preview::lesions::blobs::MELANIN_MEAN,
                    local: true,
                },
                Direction {
                    vector: skin_preview::skin::chromophores::HEMOGLOBIN_PRIOR,
                    local: false,
                },
            ],
        );
        let zi = if kind == Kind::Red { 1 } else { 0 };
        let mask = if kind == Kind::Red {
            &run.redness
        } else {
            &run.pigment
        };
        if std::env::var("DUMP").is_ok() {
            let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/out");
            let _ = std::fs::create_dir_all(&out);
            let mut rgba = img.to_rgba(Some(90));
            for (i, &m) in mask.iter().enumerate() {
                if m {
                    rgba[i * 4 + 1] = 255;
                }
            }
            let _ = image::save_buffer(
                out.join(format!("diagnose-{}.png", case.name)),
                &rgba,
                w as u32,
                h as u32,
                image::ColorType::Rgba8,
            );
        }
        print!("{} scale {}:", case.name, a.scale());
        for l in &lesions {
            let (cx, cy) = ((l.centre[0] / s) as i64, (l.centre[1] / s) as i64);
            let r = (l.diameter / s / 2.0).ceil() as i64;
            let mut zmax = f32::NEG_INFINITY;
            let mut skin = 0;
            let mut n = 0;
            for dy in -r..=r {
                for dx in -r..=r {
                    let j = (cy + dy) as usize * wp + (cx + dx) as usize;
                    zmax = zmax.max(z[zi].data[j]);
                    skin += a.skin().binary[j] as usize;
                    n += 1;
                }
            }
            let (cover, dice) = score_spot(mask, w, h, l);
            let c = cy as usize * wp + cx as usize;
            let map = if kind == Kind::Red {
                &a.redness()
            } else {
                &a.pigment()
            };
            print!(
                "  [d {:.0} z {:.1} skin {:.0}% cover {:.2} dice {:.2} excess {:.3} soft {:.2}]",
                l.diameter,
                zmax,
                100.0 * skin as f64 / n as f64,
                cover,
                dice,
                map.excess.data[c],
                map.soft.data[c]
            );
        }
        println!();
    }
}
