//! The hostile/unusual corpus (issue 6) through the engine: decode → analyse → project.
//!
//! Every item's expected outcome is written in `tests/corpus_gen/mod.rs`. All items are
//! checked before failing, so one run lists every mismatch.

#![cfg(not(target_arch = "wasm32"))]

mod corpus_gen;

use corpus_gen::{kind, Expect, Item};
use skin_preview::analysis::{self, AnalysisOptions};
use skin_preview::decode::{self, DecodeLimits};
use skin_preview::render::{Fractions, Projector};
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
    let r = &a.report;
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

/// Crash inputs found by fuzzing (tests/data/corpus/fuzz/*): each must decode or give a
/// typed error, and analyse/project without panicking.
#[test]
fn fuzz_regressions_do_not_panic() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/corpus/fuzz");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    let limits = DecodeLimits {
        max_input_bytes: 1 << 20,
        max_pixels: 4_000_000,
        working_cap_pixels: 16_384,
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "md") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let _ = decode::probe(&bytes, &limits);
        if let Ok(d) = decode::decode_with(&bytes, &limits) {
            let a = analysis::analyze(&d.photo, &AnalysisOptions::default());
            let _ = Projector::new(&a, &d.photo).render(
                &d.photo,
                Fractions {
                    pigment: 1.0,
                    redness: 0.5,
                    texture: 0.5,
                },
            );
        }
    }
}
