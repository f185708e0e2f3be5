//! Native pipeline benchmark: `cargo bench --bench pipeline` (release profile).
//!
//! Generates a deterministic photo-like image (skin-coloured smooth field with pigment
//! spots, red patches, pore texture, an illumination gradient and a non-skin background;
//! the same recipe as `www/bench/image.js`), at 2 MP and 12 MP, and times each stage
//! with `std::time::Instant` over `BENCH_RUNS` (default 7) runs after one warm-up run.
//! Prints the median and min–max per stage, per size, as a Markdown table.
//!
//! Environment: `BENCH_RUNS=N` (≥ 1), `BENCH_SIZES=2,12` (megapixel presets to run),
//! `BENCH_WRITE_JPEG=DIR` (also writes `bench-<size>.jpg` there, e.g. for timing the CLI),
//! `BENCH_REAL=0` (skips the real photo: `tests/data/real/henner.jpg` resized to 2 MP,
//! analysed with its face as the page does), `BENCH_PROFILE=real|gen:N` (only runs that
//! analysis N times, for `perf record` or callgrind).

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::{ExtendedColorType, ImageEncoder};
use skin_preview::analysis::{analyze, AnalysisOptions};
use skin_preview::photo::decode;
use skin_preview::projection::render::{Fractions, Projector};
use skin_preview::skin::chromophores::{decompose, Vectors};
use skin_preview::skin::face::{find_face, FaceModels};
use skin_preview::skin::mask::skin_mask;
use skin_preview::Photo;
use std::hint::black_box;
use std::time::Instant;

/// (label, width, height): 2 MP and 12 MP, 3:2 like a phone photo.
const SIZES: [(&str, u32, u32); 2] = [("2 MP", 1728, 1152), ("12 MP", 4240, 2832)];

// ---------------------------------------------------------------------------------------
// The generated image (keep in step with www/bench/image.js)
// ---------------------------------------------------------------------------------------

fn hash32(x: u32, y: u32, seed: u32) -> u32 {
    let mut h = seed ^ x.wrapping_mul(0x27d4_eb2d) ^ y.wrapping_mul(0x1656_67b1);
    h = (h ^ (h >> 15)).wrapping_mul(0x85eb_ca6b);
    h = (h ^ (h >> 13)).wrapping_mul(0xc2b2_ae35);
    h ^ (h >> 16)
}

/// Uniform in [0, 1) from a hash.
fn unit(h: u32) -> f32 {
    (h >> 8) as f32 / 16_777_216.0
}

/// Optical density along melanin, hemoglobin and (1,1,1); bias per channel.
const MEL: [f32; 3] = [0.2203, 0.4788, 0.8499];
const HEM: [f32; 3] = [0.4350, 0.6929, 0.5750];
const BIAS: [f32; 3] = [0.12, 0.34, 0.425];

fn srgb_encode(l: f32) -> u8 {
    let l = l.clamp(0.0, 1.0);
    let v = if l <= 0.003_130_8 {
        12.92 * l
    } else {
        1.055 * l.powf(1.0 / 2.4) - 0.055
    };
    (v * 255.0 + 0.5) as u8
}

/// A photo-like RGBA image, deterministic in (w, h).
pub fn generate(w: u32, h: u32) -> Photo {
    let (wu, hu) = (w as usize, h as usize);
    let short = w.min(h) as f32;
    let mut mel = vec![0f32; wu * hu];
    let mut hem = vec![0f32; wu * hu];
    // Spots (melanin) and patches (hemoglobin): Gaussian blobs drawn in their boxes.
    for k in 0..40u32 {
        let cx = unit(hash32(k, 1, 77)) * w as f32;
        let cy = unit(hash32(k, 2, 77)) * h as f32;
        let r = (0.008 + 0.025 * unit(hash32(k, 3, 77))) * short;
        let red = k % 4 == 3;
        let amp = if red {
            0.5
        } else {
            0.6 + 0.6 * unit(hash32(k, 4, 77))
        };
        let target = if red { &mut hem } else { &mut mel };
        let x0 = (cx - 3.0 * r).max(0.0) as usize;
        let x1 = ((cx + 3.0 * r) as usize).min(wu - 1);
        let y0 = (cy - 3.0 * r).max(0.0) as usize;
        let y1 = ((cy + 3.0 * r) as usize).min(hu - 1);
        let inv = 1.0 / (2.0 * r * r);
        for y in y0..=y1 {
            let dy = y as f32 - cy;
            for x in x0..=x1 {
                let dx = x as f32 - cx;
                target[y * wu + x] += amp * (-(dx * dx + dy * dy) * inv).exp();
            }
        }
    }
    let mut rgba = vec![0u8; wu * hu * 4];
    let (ex, ey, rx, ry) = (
        0.5 * w as f32,
        0.5 * h as f32,
        0.44 * w as f32,
        0.46 * h as f32,
    );
    for y in 0..hu {
        let v = y as f32 / h as f32;
        for x in 0..wu {
            let u = x as f32 / w as f32;
            let i = y * wu + x;
            let o = i * 4;
            let n1 = unit(hash32(x as u32, y as u32, 1)) - 0.5;
            let (dx, dy) = ((x as f32 - ex) / rx, (y as f32 - ey) / ry);
            if dx * dx + dy * dy > 1.0 {
                // Background: blue-grey wall with a gradient and sensor noise.
                let g = 60.0 + 60.0 * u + 10.0 * n1;
                rgba[o] = (g * 0.8) as u8;
                rgba[o + 1] = (g * 0.95) as u8;
                rgba[o + 2] = (g * 1.2).min(255.0) as u8;
                rgba[o + 3] = 255;
                continue;
            }
            // Pore texture: coarse cell hash (4 px cells) plus fine noise; shading gradient.
            let pore = unit(hash32(x as u32 / 4, y as u32 / 4, 2)) - 0.5;
            let s = 0.36 - 0.15 + 0.25 * u + 0.1 * v + 0.04 * pore + 0.01 * n1;
            let cm = 0.5 + mel[i];
            let ch = 0.3 + hem[i];
            for c in 0..3 {
                let d = cm * MEL[c] + ch * HEM[c] + s + BIAS[c];
                rgba[o + c] = srgb_encode((-d).exp());
            }
            rgba[o + 3] = 255;
        }
    }
    Photo::from_rgba(w, h, rgba).expect("size matches")
}

// ---------------------------------------------------------------------------------------
// Timing
// ---------------------------------------------------------------------------------------

struct Stat {
    median: f64,
    min: f64,
    max: f64,
}

fn measure<T>(runs: usize, mut f: impl FnMut() -> T) -> Stat {
    black_box(f()); // warm-up
    let mut ms: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            black_box(f());
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    ms.sort_by(|a, b| a.total_cmp(b));
    let n = ms.len();
    let median = if n % 2 == 1 {
        ms[n / 2]
    } else {
        0.5 * (ms[n / 2 - 1] + ms[n / 2])
    };
    Stat {
        median,
        min: ms[0],
        max: ms[n - 1],
    }
}

fn encode_jpeg(p: &Photo) -> Vec<u8> {
    let rgb: Vec<u8> = p
        .rgba()
        .chunks_exact(4)
        .flat_map(|px| [px[0], px[1], px[2]])
        .collect();
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 90)
        .write_image(&rgb, p.width(), p.height(), ExtendedColorType::Rgb8)
        .expect("jpeg encode");
    out
}

fn encode_png(rgba: &[u8], w: u32, h: u32) -> Vec<u8> {
    let mut out = Vec::new();
    PngEncoder::new(&mut out)
        .write_image(rgba, w, h, ExtendedColorType::Rgba8)
        .expect("png encode");
    out
}

/// The photo with the bundled sample portrait (astronaut.png) scaled to its height and
/// pasted in the middle, so the face pass has a face to find.
fn with_face(photo: &Photo) -> Photo {
    let root = env!("CARGO_MANIFEST_DIR");
    let bytes = std::fs::read(format!("{root}/www/sample/astronaut.png")).expect("sample");
    let h = photo.height();
    let face = decode::resize(decode::decode(&bytes).expect("sample").photo, h, h).expect("resize");
    let (w, x0) = (photo.width() as usize, (photo.width() - h) as usize / 2);
    let mut rgba = photo.rgba().to_vec();
    for (y, row) in face.rgba().chunks_exact(h as usize * 4).enumerate() {
        rgba[(y * w + x0) * 4..][..row.len()].copy_from_slice(row);
    }
    Photo::from_rgba(photo.width(), h, rgba).expect("photo")
}

/// The face models from www/models/.
fn face_models() -> FaceModels {
    let root = env!("CARGO_MANIFEST_DIR");
    let read = |f: &str| std::fs::read(format!("{root}/www/models/{f}")).expect("www/models");
    FaceModels::from_bytes(
        &read("face_detection_short_range.tflite"),
        &read("face_landmark.tflite"),
    )
    .expect("models")
}

/// `tests/data/real/henner.jpg` resized to 1732×1155 (the page bench's `real2`).
fn real_2mp() -> Photo {
    let root = env!("CARGO_MANIFEST_DIR");
    let bytes = std::fs::read(format!("{root}/tests/data/real/henner.jpg")).expect("henner.jpg");
    decode::resize(decode::decode(&bytes).expect("decode").photo, 1732, 1155).expect("resize")
}

/// Analysis options with the photo's face, as the page and the CLI analyse.
fn with_found_face(models: &FaceModels, photo: &Photo) -> AnalysisOptions {
    AnalysisOptions {
        face: find_face(models, photo),
        ..AnalysisOptions::default()
    }
}

/// `BENCH_PROFILE=real:N` or `gen:N`: N analyses of one photo and nothing else.
fn profile_loop(spec: &str) {
    let (which, n) = spec.split_once(':').unwrap_or((spec, "20"));
    let n: usize = n.parse().unwrap_or(20);
    let (photo, options) = if which == "real" {
        let photo = real_2mp();
        let options = with_found_face(&face_models(), &photo);
        (photo, options)
    } else {
        (generate(1728, 1152), AnalysisOptions::default())
    };
    let a = analyze(&photo, &options);
    eprintln!("profile {which}: output digest {:016x}", digest(&a));
    let t = Instant::now();
    for _ in 0..n {
        black_box(analyze(&photo, &options));
    }
    eprintln!(
        "profile {which}: {n} analyses, {:.1} ms each",
        t.elapsed().as_secs_f64() * 1e3 / n as f64
    );
}

/// FNV-1a over every plane, mask and the report of an analysis: equal digests mean
/// bit-identical outputs (a speed change must keep them).
fn digest(a: &skin_preview::analysis::Analysis) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    let mut eat = |bytes: &[u8]| {
        for &b in bytes {
            h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        }
    };
    let c = a.chrom();
    let planes = [&c.melanin, &c.hemoglobin, &c.shading, &a.skin().soft];
    let maps = [a.pigment(), a.redness(), a.pits(), a.raised()];
    let map_planes = maps.iter().flat_map(|m| [&m.excess, &m.soft, &m.baseline]);
    for p in planes.into_iter().chain(map_planes) {
        p.data.iter().for_each(|v| eat(&v.to_bits().to_le_bytes()));
    }
    let masks = [&a.skin().binary, &a.skin().core];
    let map_masks = maps.iter().map(|m| &m.mask);
    for m in masks.into_iter().chain(map_masks) {
        m.iter().for_each(|&b| eat(&[b as u8]));
    }
    eat(a.zones().unwrap_or(&[]));
    eat(serde_json::to_string(a.report())
        .expect("report")
        .as_bytes());
    eat(format!("{:?}", a.removal_directions()).as_bytes());
    h
}

/// The real photo at 2 MP: the face pass, and the analysis with and without its face.
fn real_rows(runs: usize) {
    let photo = real_2mp();
    let models = face_models();
    let label = "2 MP real (henner.jpg, 1732×1155)";
    let n = photo.pixel_count() as f64;
    let row = |stage: &str, s: Stat| {
        println!(
            "| {label} | {stage} | {:.1} | {:.1}–{:.1} | {:.1} |",
            s.median,
            s.min,
            s.max,
            s.median * 1e6 / n
        );
    };
    row(
        "face pass (find_face: detector + mesh)",
        measure(runs, || find_face(&models, &photo)),
    );
    let options = with_found_face(&models, &photo);
    assert!(options.face.is_some(), "bench: no face in henner.jpg");
    row(
        "analysis::analyze with the face (the page's analysis)",
        measure(runs, || analyze(&photo, &options)),
    );
    row(
        "analysis::analyze without a face (whole photo)",
        measure(runs, || analyze(&photo, &AnalysisOptions::default())),
    );
    let a = analyze(&photo, &options);
    eprintln!(
        "{label}: scale {}, skin {:.1}%, lesions {}",
        a.scale(),
        a.report().skin_area_percent,
        a.report().lesions.len()
    );
}

fn main() {
    if let Ok(spec) = std::env::var("BENCH_PROFILE") {
        profile_loop(&spec);
        return;
    }
    // `cargo bench` passes `--bench`. Without it (`cargo test --all-targets` runs bench
    // targets too) only a tiny smoke run checks that every stage still works.
    if !std::env::args().any(|a| a == "--bench") {
        let photo = generate(96, 64);
        let a = analyze(&photo, &AnalysisOptions::default());
        let mut out = photo.rgba().to_vec();
        Projector::new(&a, &photo).render_into(&photo, &mut out, Fractions::default());
        decode::decode(&encode_jpeg(&photo)).expect("decode");
        println!("bench pipeline: smoke run ok (use `cargo bench --bench pipeline`)");
        return;
    }
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(7)
        .max(1);
    let wanted: Vec<String> = std::env::var("BENCH_SIZES")
        .unwrap_or_else(|_| "2,12".into())
        .split(',')
        .map(|s| format!("{} MP", s.trim()))
        .collect();
    let write_dir = std::env::var("BENCH_WRITE_JPEG").ok();

    println!("# skin-preview native pipeline benchmark");
    println!("runs: {runs} after 1 warm-up; threads: 1; median and min–max in ms; fractions 0.5\n");
    println!("| size | stage | median ms | min–max ms | ns/pixel |");
    println!("|---|---|---:|---:|---:|");
    for (label, w, h) in SIZES {
        if !wanted.iter().any(|s| s == label) {
            continue;
        }
        let photo = generate(w, h);
        let n = photo.pixel_count() as f64;
        let jpeg = encode_jpeg(&photo);
        if let Some(dir) = &write_dir {
            let name = format!("{dir}/bench-{}.jpg", label.replace(' ', "").to_lowercase());
            std::fs::write(&name, &jpeg).expect("write jpeg");
            eprintln!("wrote {name} ({} bytes)", jpeg.len());
        }
        let row = |stage: &str, s: Stat| {
            println!(
                "| {label} ({w}×{h}) | {stage} | {:.1} | {:.1}–{:.1} | {:.1} |",
                s.median,
                s.min,
                s.max,
                s.median * 1e6 / n
            );
        };
        row(
            "decode JPEG q90 (image crate)",
            measure(runs, || decode::decode(&jpeg).expect("decode")),
        );
        row(
            "chromophores::decompose",
            measure(runs, || decompose(&photo, Vectors::default())),
        );
        let chrom = decompose(&photo, Vectors::default());
        let work = skin_preview::analysis::work_scale(w, h);
        let mut plane = chrom.melanin.downsample(work);
        row(
            "Plane::blur σ 3 at the working resolution",
            measure(runs, || plane.blur(3.0)),
        );
        row(
            "skin_mask::skin_mask",
            measure(runs, || skin_mask(&photo, &chrom, None)),
        );
        let models = face_models();
        let portrait = with_face(&photo);
        assert!(
            find_face(&models, &portrait).is_some(),
            "bench: no face found"
        );
        row(
            "face pass (find_face: detector + mesh)",
            measure(runs, || find_face(&models, &portrait)),
        );
        row(
            "analysis::analyze (full)",
            measure(runs, || analyze(&photo, &AnalysisOptions::default())),
        );
        let analysis = analyze(&photo, &AnalysisOptions::default());
        row(
            "render::Projector::new",
            measure(runs, || Projector::new(&analysis, &photo)),
        );
        let scale = skin_preview::projection::render::preview_scale(w, h);
        row(
            "preview for the slider (downsample + Projector::new)",
            measure(runs, || {
                let small = photo.downsample(scale);
                Projector::new(&analysis, &small)
            }),
        );
        let projector = Projector::new(&analysis, &photo);
        let mut out = photo.rgba().to_vec();
        let half = Fractions {
            pigment: 0.5,
            redness: 0.5,
            texture: 0.5,
        };
        row(
            "render_into (one frame, full res)",
            measure(runs, || projector.render_into(&photo, &mut out, half)),
        );
        row(
            "PNG export (image crate encode)",
            measure(runs, || encode_png(&out, w, h)),
        );
        eprintln!(
            "{label}: active pixels {} of {} ({:.1}%), skin {:.1}%, lesions {}",
            projector.active_pixels(),
            photo.pixel_count(),
            100.0 * projector.active_pixels() as f64 / n,
            analysis.report().skin_area_percent,
            analysis.report().lesions.len()
        );
    }
    if std::env::var("BENCH_REAL").map_or(true, |v| v != "0") {
        real_rows(runs);
    }
}
