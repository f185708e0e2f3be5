//! The face pass inside WebAssembly (simd128), in headless Chromium: the same points as
//! natively, and its time. Models and photos are built into the test, not the library.
//!
//! Run: `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
//! CHROMEDRIVER=/usr/bin/chromedriver cargo test --release --target wasm32-unknown-unknown
//! --test wasm_face` (prints the median ms per photo in the browser console output).

#![cfg(target_arch = "wasm32")]

use skin_preview::photo::decode;
use skin_preview::skin::face::{find_face, FaceModels};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const DETECTOR: &[u8] = include_bytes!("../www/models/face_detection_short_range.tflite");
const MESH: &[u8] = include_bytes!("../www/models/face_landmark.tflite");
const ASTRONAUT: &[u8] = include_bytes!("../www/sample/astronaut.png");
const PAUMIER: &[u8] = include_bytes!("data/real/paumier.jpg");

fn median_ms(mut f: impl FnMut(), runs: usize) -> f64 {
    f();
    let mut ms: Vec<f64> = (0..runs)
        .map(|_| {
            let t = js_sys::Date::now();
            f();
            js_sys::Date::now() - t
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    ms[runs / 2]
}

#[wasm_bindgen_test]
fn face_pass_in_the_browser() {
    let t = js_sys::Date::now();
    let models = FaceModels::from_bytes(DETECTOR, MESH).expect("models");
    console_log!("FaceModels::from_bytes: {:.0} ms", js_sys::Date::now() - t);
    for (name, bytes) in [("astronaut.png", ASTRONAUT), ("paumier.jpg", PAUMIER)] {
        let photo = decode::decode(bytes).expect("decode").photo;
        let face = find_face(&models, &photo).expect("face");
        // The sample's nose tip (point 1), as the native engine finds it.
        console_log!(
            "{name}: width {:.1} px, nose tip {:?}",
            face.width_px,
            face.points[1]
        );
        let ms = median_ms(|| drop(find_face(&models, &photo)), 9);
        console_log!(
            "{name} ({}×{}): face pass median {ms:.1} ms (9 runs)",
            photo.width(),
            photo.height()
        );
    }
}
