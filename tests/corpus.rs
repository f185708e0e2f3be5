//! The hostile/unusual corpus (issue 6) through the engine: decode → analyse → project.
//!
//! Every item's expected outcome is written in `tests/corpus_gen/mod.rs`. All items are
//! checked before failing, so one run lists every mismatch.

#![cfg(not(target_arch = "wasm32"))]

mod corpus_gen;

use corpus_gen::{kind, Expect, Item};
use skin_preview::analysis::{self, AnalysisOptions};
use skin_preview::photo::decode::{self, DecodeLimits};
use skin_preview::projection::render::{Fractions, Projector};
use std::path::PathBuf;

fn finite(x: f64) -> bool {
    x.is_finite()
}

/// Analyses and projects a decoded photo; returns a problem description if any.
fn analyse_and_project(
    item: &Item,
    photo: &skin_preview::Photo,
    skin: Option<bool>,
) -> Option<String> {
    let a = analysis::analyze(photo, &AnalysisOptions::default());
    let r = &a.report();
    let mut nums = vec![
        r.skin_area_percent,
        r.affected_percent.pigment,
        r.affected_percent.redness,
        r.affected_percent.texture,
        r.a_masi_like,
        r.lighting.clipped_percent,
    ];
    nums.extend(r.ita);
    if let Some(lab) = r.skin_lab {
        nums.extend([lab.l, lab.a, lab.b]);
    }
    for l in &r.lesions {
        nums.extend([
            l.area_percent,
            l.centroid[0],
            l.centroid[1],
            l.delta_e00,
            l.delta_l,
        ]);
    }
    if let Some(bad) = nums.iter().find(|x| !finite(**x)) {
        return Some(format!(
            "{}: non-finite number {bad} in the report",
            item.name
        ));
    }
    if let Some(want) = skin {
        if r.skin_found != want {
            return Some(format!(
                "{}: skin_found {} (expected {want})",
                item.name, r.skin_found
            ));
        }
    }
    let p = Projector::new(&a, photo);
    let zero = p.render(photo, Fractions::default());
    if zero != photo.rgba() {
        return Some(format!(
            "{}: projection at fraction 0 changed the photo",
            item.name
        ));
    }
    let full = p.render(
        photo,
        Fractions {
            pigment: 1.0,
            redness: 1.0,
            texture: 1.0,
        },
    );
    if full.len() != photo.rgba().len() {
        return Some(format!("{}: projection has the wrong size", item.name));
    }
    if !r.skin_found && full != photo.rgba() {
        return Some(format!(
            "{}: no skin, but the projection changed pixels",
            item.name
        ));
    }
    None
}

fn check(item: &Item) -> Option<String> {
    let got = decode::decode(&item.bytes);
    // The header probe (used by the page before the browser decodes) must refuse
    // whatever the decoder refuses from the header, with the same kind of error.
    let probed = decode::probe(&item.bytes, &DecodeLimits::default());
    match (item.expect, got) {
        (Expect::Err(want), Err(e)) => {
            let msg = e.to_string();
            if kind(&e) != Some(want) {
                return Some(format!("{}: got {e:?}, expected {want:?}", item.name));
            }
            if msg.contains('\n') || msg.is_empty() {
                return Some(format!("{}: message not one line: {msg:?}", item.name));
            }
            if let Ok(p) = probed {
                // A probe may pass a file whose data (not header) is broken; never a bomb.
                if matches!(
                    want,
                    corpus_gen::Kind::TooManyPixels
                        | corpus_gen::Kind::Empty
                        | corpus_gen::Kind::NotAnImage
                        | corpus_gen::Kind::Svg
                        | corpus_gen::Kind::UnsupportedPhotoFormat
                ) {
                    return Some(format!("{}: probe accepted it ({p:?})", item.name));
                }
            }
            None
        }
        (Expect::Err(want), Ok(d)) => Some(format!(
            "{}: decoded {}×{}, expected {want:?}",
            item.name,
            d.photo.width(),
            d.photo.height()
        )),
        (Expect::Ok { .. }, Err(e)) => Some(format!("{}: expected Ok, got {e:?}", item.name)),
        (
            Expect::Ok {
                width,
                height,
                skin,
            },
            Ok(d),
        ) => {
            let (w, h) = (d.photo.width(), d.photo.height());
            if (w, h) != (width, height) {
                return Some(format!("{}: {w}×{h}, expected {width}×{height}", item.name));
            }
            if let Err(e) = probed {
                return Some(format!("{}: decodes but probe refused: {e:?}", item.name));
            }
            if let Some(want) = &item.pixels {
                if d.photo.rgba() != want.as_slice() {
                    return Some(format!(
                        "{}: pixels differ from the expected upright image",
                        item.name
                    ));
                }
            }
            if item.heavy {
                if !d.info.downscaled {
                    return Some(format!("{}: not marked downscaled", item.name));
                }
                return None;
            }
            analyse_and_project(item, &d.photo, skin)
        }
    }
}

#[test]
fn corpus_gives_the_expected_outcome() {
    let items = corpus_gen::corpus(false);
    assert!(
        items.len() >= 30,
        "the corpus has only {} items",
        items.len()
    );
    let failures: Vec<String> = items.iter().filter_map(check).collect();
    eprintln!(
        "corpus: {} items, {} as expected",
        items.len(),
        items.len() - failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// 60 MP JPEG: above the 16 MP working cap, downscaled (not refused).
#[test]
fn sixty_megapixel_jpeg_is_downscaled() {
    let items = corpus_gen::corpus(true);
    let big = items.iter().find(|i| i.heavy).expect("the 60 MP item");
    if let Some(problem) = check(big) {
        panic!("{problem}");
    }
}

/// The regression directory of the fuzz targets, committed: the seeds below plus every
/// crash input found by fuzzing (README, "Fuzzing").
fn fuzz_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/corpus/fuzz")
}

/// Seeds: the corpus items up to this size, written as files so the fuzzer starts from them.
const SEED_MAX_BYTES: usize = 8 * 1024;

/// The seed files the regression directory must hold (name, bytes).
fn seeds() -> Vec<(String, Vec<u8>)> {
    corpus_gen::corpus(false)
        .into_iter()
        .filter(|i| i.bytes.len() <= SEED_MAX_BYTES)
        .map(|i| (i.name, i.bytes))
        .collect()
}

/// Crash inputs found by fuzzing and the corpus seeds (tests/data/corpus/fuzz/*): each must
/// decode or give a one-line typed error, and analyse/project without panicking, fraction
/// 0 leaving the photo unchanged. A missing directory or seed fails: the test must have
/// something to check. Rewrite the seeds with `SKIN_PREVIEW_REGENERATE=1`.
#[test]
fn fuzz_regressions_do_not_panic() {
    let dir = fuzz_dir();
    if std::env::var_os("SKIN_PREVIEW_REGENERATE").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        for (name, bytes) in seeds() {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
    }
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; the fuzz regression directory must be committed \
             (SKIN_PREVIEW_REGENERATE=1 cargo test --test corpus writes its seeds)",
            dir.display()
        )
    });
    let mut names: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    names.sort();
    let missing: Vec<String> = seeds()
        .into_iter()
        .map(|(name, _)| name)
        .filter(|name| !dir.join(name).is_file())
        .collect();
    assert!(
        missing.is_empty(),
        "seeds missing from {}: {missing:?}",
        dir.display()
    );
    let limits = DecodeLimits {
        max_input_bytes: 1 << 20,
        max_pixels: 4_000_000,
        working_cap_pixels: 16_384,
    };
    let mut checked = 0;
    for path in names {
        if path.extension().is_some_and(|e| e == "md") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy();
        let _ = decode::probe(&bytes, &limits);
        match decode::decode_with(&bytes, &limits) {
            Ok(d) => {
                let a = analysis::analyze(&d.photo, &AnalysisOptions::default());
                let p = Projector::new(&a, &d.photo);
                assert!(
                    p.render(&d.photo, Fractions::default()) == d.photo.rgba(),
                    "{name}: fraction 0 changed the photo"
                );
                let _ = p.render(
                    &d.photo,
                    Fractions {
                        pigment: 1.0,
                        redness: 0.5,
                        texture: 0.5,
                    },
                );
            }
            Err(e) => {
                let message = e.to_string();
                assert!(
                    kind(&e).is_some() && !message.is_empty() && !message.contains('\n'),
                    "{name}: untyped or unreadable error {e:?}"
                );
            }
        }
        checked += 1;
    }
    eprintln!("fuzz regressions: {checked} files checked");
    assert!(checked >= seeds().len(), "only {checked} files checked");
}
