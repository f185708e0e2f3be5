//! Native decode against the committed fixtures in `tests/data/`.
//!
//! The same fixtures and the same expected pixels are checked in the browser by
//! `tests/wasm_browser.rs`, so the native build and the WASM build answer to one truth.
//!
//! The fixtures are made by [`write_fixtures`] (run it with
//! `cargo test --test native_decode -- --ignored write_fixtures`); the other tests
//! check that the committed files are still what that code makes.

#![cfg(not(target_arch = "wasm32"))]

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::{ExtendedColorType, ImageEncoder};
use skin_preview::photo::decode::{self, DecodeLimits};
use skin_preview::DecodeError;
use std::path::PathBuf;

/// Stored size of the synthetic photo: odd on purpose, so JPEG edge blocks and
/// 4:2:0 chroma upsampling at the borders are exercised.
const W: u32 = 61;
const H: u32 = 43;

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(data(name)).unwrap_or_else(|e| panic!("cannot read tests/data/{name}: {e}"))
}

/// A skin-like synthetic RGB image: a warm gradient, two darker "spots", a reddish
/// patch and deterministic grain, so every 8×8 block has texture.
fn synthetic_rgb() -> Vec<u8> {
    let mut seed: u32 = 0x5eed_1234;
    let mut noise = move || {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        ((seed >> 24) as f64 / 255.0 - 0.5) * 10.0
    };
    let mut out = Vec::with_capacity((W * H * 3) as usize);
    for y in 0..H {
        for x in 0..W {
            let (fx, fy) = (x as f64 / W as f64, y as f64 / H as f64);
            let mut rgb = [
                212.0 - 40.0 * fy + 10.0 * fx,
                160.0 - 45.0 * fy - 8.0 * fx,
                136.0 - 40.0 * fy - 12.0 * fx,
            ];
            let spot = |cx: f64, cy: f64, r: f64| {
                let d2 = (x as f64 - cx).powi(2) + (y as f64 - cy).powi(2);
                (-d2 / (2.0 * r * r)).exp()
            };
            let brown = spot(18.0, 14.0, 3.0) + 0.7 * spot(44.0, 30.0, 2.0);
            let red = spot(40.0, 10.0, 6.0);
            rgb[0] -= 80.0 * brown - 20.0 * red;
            rgb[1] -= 85.0 * brown + 35.0 * red;
            rgb[2] -= 70.0 * brown + 25.0 * red;
            let n = noise();
            out.extend(rgb.map(|c| (c + n).round().clamp(0.0, 255.0) as u8));
        }
    }
    out
}

fn rgb_to_rgba(rgb: &[u8]) -> Vec<u8> {
    rgb.chunks_exact(3)
        .flat_map(|p| [p[0], p[1], p[2], 255])
        .collect()
}

/// Rotates RGBA pixels 90° clockwise: what EXIF orientation 6 asks a viewer to do.
fn rotate90_cw(rgba: &[u8], w: u32, h: u32) -> Vec<u8> {
    let (w, h) = (w as usize, h as usize);
    let mut out = vec![0; rgba.len()];
    // Output is h wide and w tall; out(x, y) = in(y, h - 1 - x).
    for y in 0..w {
        for x in 0..h {
            let src = ((h - 1 - x) * w + y) * 4;
            let dst = (y * h + x) * 4;
            out[dst..dst + 4].copy_from_slice(&rgba[src..src + 4]);
        }
    }
    out
}

/// Inserts a minimal EXIF APP1 segment (orientation tag only) right after SOI.
fn with_exif_orientation(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    assert_eq!(&jpeg[..2], [0xFF, 0xD8], "not a JPEG");
    let mut tiff = Vec::new();
    tiff.extend_from_slice(b"II*\0"); // little-endian TIFF header
    tiff.extend_from_slice(&8u32.to_le_bytes()); // IFD0 at offset 8
    tiff.extend_from_slice(&1u16.to_le_bytes()); // one entry
    tiff.extend_from_slice(&0x0112u16.to_le_bytes()); // Orientation
    tiff.extend_from_slice(&3u16.to_le_bytes()); // SHORT
    tiff.extend_from_slice(&1u32.to_le_bytes()); // count
    tiff.extend_from_slice(&orientation.to_le_bytes());
    tiff.extend_from_slice(&[0, 0]); // value padding
    tiff.extend_from_slice(&0u32.to_le_bytes()); // no next IFD
    let mut payload = b"Exif\0\0".to_vec();
    payload.extend_from_slice(&tiff);
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&payload);
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn encode_png(rgb: &[u8]) -> Vec<u8> {
    let mut png = Vec::new();
    PngEncoder::new(&mut png)
        .write_image(rgb, W, H, ExtendedColorType::Rgb8)
        .expect("PNG encode");
    png
}

fn encode_jpeg(rgb: &[u8]) -> Vec<u8> {
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, 90)
        .write_image(rgb, W, H, ExtendedColorType::Rgb8)
        .expect("JPEG encode");
    jpeg
}

/// The generated fixtures in `tests/data/` match their generator. Regenerate with
/// `SKIN_PREVIEW_REGENERATE=1 cargo test --test native_decode`, then review the diff.
#[test]
fn fixtures_match_their_generator() {
    let rgb = synthetic_rgb();
    let png = encode_png(&rgb);
    let jpeg = encode_jpeg(&rgb);
    let jpeg6 = with_exif_orientation(&jpeg, 6);
    let regenerate = std::env::var_os("SKIN_PREVIEW_REGENERATE").is_some();
    let write = |name: &str, bytes: &[u8]| {
        if regenerate {
            std::fs::write(data(name), bytes).unwrap();
        }
        let committed = std::fs::read(data(name)).unwrap();
        assert!(
            committed == bytes,
            "tests/data/{name} differs from its generator"
        );
    };
    write("gradient.png", &png);
    write("gradient.jpg", &jpeg);
    write("gradient-exif6.jpg", &jpeg6);
    // Expected pixels: what the native decoder makes of each file.
    write(
        "gradient.png.rgba",
        decode::decode(&png).unwrap().photo.rgba(),
    );
    write(
        "gradient.jpg.rgba",
        decode::decode(&jpeg).unwrap().photo.rgba(),
    );
    write(
        "not-an-image.txt",
        b"This is a plain text file, not a photo.\n",
    );
}

#[test]
fn png_fixture_is_the_synthetic_image() {
    let decoded = decode::decode(&read("gradient.png")).unwrap();
    assert_eq!((decoded.photo.width(), decoded.photo.height()), (W, H));
    assert_eq!(decoded.info.format, "png");
    assert_eq!(decoded.photo.rgba(), rgb_to_rgba(&synthetic_rgb()));
    assert_eq!(decoded.photo.rgba(), read("gradient.png.rgba"));
}

#[test]
fn jpeg_decode_matches_expected_pixels_exactly() {
    let decoded = decode::decode(&read("gradient.jpg")).unwrap();
    assert_eq!((decoded.photo.width(), decoded.photo.height()), (W, H));
    assert_eq!(decoded.info.format, "jpeg");
    assert_eq!(decoded.info.orientation, 1);
    let expected = read("gradient.jpg.rgba");
    assert_eq!(decoded.photo.rgba().len(), expected.len());
    let diff = decoded
        .photo
        .rgba()
        .iter()
        .zip(&expected)
        .filter(|(a, b)| a != b)
        .count();
    assert_eq!(
        diff, 0,
        "{diff} bytes differ from tests/data/gradient.jpg.rgba"
    );
}

#[test]
fn jpeg_expected_pixels_are_close_to_the_source() {
    // Guards the expected file itself: a lossy copy of the synthetic image, not junk.
    let source = rgb_to_rgba(&synthetic_rgb());
    let expected = read("gradient.jpg.rgba");
    let total: u64 = source
        .iter()
        .zip(&expected)
        .map(|(a, b)| a.abs_diff(*b) as u64)
        .sum();
    let mean = total as f64 / (W * H * 3) as f64;
    assert!(mean < 4.0, "mean absolute error {mean:.2} is too large");
}

#[test]
fn exif_orientation_6_is_applied() {
    let decoded = decode::decode(&read("gradient-exif6.jpg")).unwrap();
    assert_eq!(decoded.info.orientation, 6);
    assert_eq!(
        (decoded.info.source_width, decoded.info.source_height),
        (W, H)
    );
    assert_eq!((decoded.photo.width(), decoded.photo.height()), (H, W));
    let expected = rotate90_cw(&read("gradient.jpg.rgba"), W, H);
    assert!(decoded.photo.rgba() == expected, "rotated pixels differ");
}

#[test]
fn fixtures_match_what_the_generator_makes() {
    // The PNG encoder is deterministic and the EXIF insert is ours, so these hold
    // byte for byte; the JPEG itself is not re-encoded (encoder output may change
    // between `image` releases), only checked by its decoded pixels above.
    assert_eq!(read("gradient.png"), encode_png(&synthetic_rgb()));
    assert_eq!(
        read("gradient-exif6.jpg"),
        with_exif_orientation(&read("gradient.jpg"), 6)
    );
}

#[test]
fn probe_reads_the_header_only() {
    let p = decode::probe(&read("gradient-exif6.jpg"), &DecodeLimits::default()).unwrap();
    assert_eq!((p.format, p.width, p.height), ("jpeg", W, H));
    let p = decode::probe(&read("gradient.png"), &DecodeLimits::default()).unwrap();
    assert_eq!((p.format, p.width, p.height), ("png", W, H));
}

#[test]
fn bad_files_give_typed_errors() {
    let text = read("not-an-image.txt");
    let Err(err) = decode::decode(&text) else {
        panic!("text must be refused")
    };
    assert_eq!(err, DecodeError::NotAnImage);
    assert_eq!(
        err.to_string(),
        "This file is not a JPEG, PNG or WebP image."
    );

    // Cut inside the headers (before any scan data). A JPEG cut inside its scan data
    // decodes "successfully" with grey blocks: zune-jpeg is lenient there.
    let jpeg = read("gradient.jpg");
    let Err(err) = decode::decode(&jpeg[..100]) else {
        panic!("a cut header must fail")
    };
    assert!(
        matches!(err, DecodeError::Corrupt { format: "jpeg", .. }),
        "{err:?}"
    );

    let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic";
    let Err(err) = decode::decode(heic) else {
        panic!("HEIC must be refused")
    };
    assert_eq!(err, DecodeError::UnsupportedPhotoFormat("HEIC"));
}

#[test]
fn progressive_jpeg_decodes_close_to_the_source() {
    // Made from gradient.png with ImageMagick (`-quality 90 -interlace JPEG`): SOF2 marker.
    let bytes = include_bytes!("data/gradient-progressive.jpg");
    assert!(
        bytes.windows(2).any(|w| w == [0xFF, 0xC2]),
        "fixture must be progressive"
    );
    let jpeg = decode::decode(bytes).expect("progressive JPEG decodes");
    let png = decode::decode(include_bytes!("data/gradient.png")).unwrap();
    assert_eq!(
        (jpeg.photo.width(), jpeg.photo.height()),
        (png.photo.width(), png.photo.height())
    );
    let mean_diff = jpeg
        .photo
        .rgba()
        .iter()
        .zip(png.photo.rgba())
        .map(|(a, b)| a.abs_diff(*b) as f64)
        .sum::<f64>()
        / jpeg.photo.rgba().len() as f64;
    assert!(mean_diff < 4.0, "mean difference {mean_diff} levels");
}
