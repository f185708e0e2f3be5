//! The header-only size reader (the page's WASM build has no decoder) agrees with the
//! decoder's own reading on the fixtures, the real photos and the hostile corpus.

#![cfg(not(target_arch = "wasm32"))]

mod corpus_gen;

use skin_preview::photo::decode::{self, DecodeLimits};
use skin_preview::photo::header;
use std::path::PathBuf;

fn data(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn header_sizes_match_the_decoders_probe() {
    let mut files: Vec<(String, Vec<u8>)> = [
        "gradient.jpg",
        "gradient.png",
        "gradient-exif6.jpg",
        "gradient-progressive.jpg",
        "synthetic-face.png",
        "real/henner.jpg",
        "real/hopper.jpg",
    ]
    .iter()
    .map(|n| (n.to_string(), data(n)))
    .collect();
    files.extend(
        corpus_gen::corpus(false)
            .into_iter()
            .map(|i| (i.name, i.bytes)),
    );
    let mut compared = 0;
    for (name, bytes) in &files {
        // Only files the probe accepts have a size to agree on.
        let Ok(p) = decode::probe(bytes, &DecodeLimits::default()) else {
            continue;
        };
        assert_eq!(
            header::dimensions(bytes, p.format),
            Ok((p.width, p.height)),
            "{name}"
        );
        compared += 1;
    }
    assert!(compared >= 10, "only {compared} files compared");
}

#[test]
fn broken_headers_are_refused_not_read() {
    assert!(header::dimensions(b"\xFF\xD8\xFF\xDA", "jpeg").is_err());
    assert!(header::dimensions(b"\xFF\xD8", "jpeg").is_err());
    assert!(header::dimensions(b"\x89PNG\r\n\x1a\n", "png").is_err());
    assert!(header::dimensions(b"RIFF\0\0\0\0WEBPVP8 ", "webp").is_err());
    assert!(header::dimensions(b"GIF8", "gif").is_err());
}
