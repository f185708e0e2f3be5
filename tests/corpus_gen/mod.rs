//! The hostile and unusual input corpus (issue 6), generated in code so every byte is
//! explained and nothing opaque is committed. Shared by `tests/corpus.rs` (engine) and
//! `tests/cli.rs` (the binary).
//!
//! Each [`Item`] carries its expected outcome: `Ok` with the upright working size (and
//! optional checks), or the exact [`DecodeError`] variant.

#![allow(dead_code)]

#[cfg(not(target_arch = "wasm32"))]
use image::codecs::gif::GifEncoder;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
#[cfg(not(target_arch = "wasm32"))]
use image::codecs::webp::WebPEncoder;
use image::{ExtendedColorType, Frame, ImageEncoder, RgbaImage};
use skin_preview::DecodeError;

/// What decoding an item must give.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Expect {
    /// Decodes to an upright working image of this size.
    Ok {
        /// Width after orientation and the working cap.
        width: u32,
        /// Height after orientation and the working cap.
        height: u32,
        /// Whether the analysis should find skin (`None`: not asserted).
        skin: Option<bool>,
    },
    /// Refused with this `DecodeError` variant.
    Err(Kind),
}

/// `DecodeError` variants by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Empty,
    TooLarge,
    UnsupportedPhotoFormat,
    Svg,
    NotAnImage,
    TooManyPixels,
    NoPixels,
    Corrupt,
}

/// The variant name of an error.
pub fn kind(e: &DecodeError) -> Option<Kind> {
    Some(match e {
        DecodeError::Empty => Kind::Empty,
        DecodeError::TooLarge { .. } => Kind::TooLarge,
        DecodeError::UnsupportedPhotoFormat(_) => Kind::UnsupportedPhotoFormat,
        DecodeError::Svg => Kind::Svg,
        DecodeError::NotAnImage => Kind::NotAnImage,
        DecodeError::TooManyPixels { .. } => Kind::TooManyPixels,
        DecodeError::NoPixels { .. } => Kind::NoPixels,
        DecodeError::Corrupt { .. } => Kind::Corrupt,
        _ => return None,
    })
}

/// One corpus entry.
pub struct Item {
    /// File name (the extension is what a user would see; it may lie).
    pub name: String,
    /// The encoded bytes.
    pub bytes: Vec<u8>,
    /// Expected outcome.
    pub expect: Expect,
    /// Upright RGBA pixels the decode must reproduce exactly (lossless items only).
    pub pixels: Option<Vec<u8>>,
    /// Large: engine and `info` only (analysis of a 16 MP working image is slow in tests).
    pub heavy: bool,
}

fn ok(name: &str, bytes: Vec<u8>, width: u32, height: u32) -> Item {
    Item {
        name: name.into(),
        bytes,
        expect: Expect::Ok {
            width,
            height,
            skin: None,
        },
        pixels: None,
        heavy: false,
    }
}

fn err(name: &str, bytes: Vec<u8>, kind: Kind) -> Item {
    Item {
        name: name.into(),
        bytes,
        expect: Expect::Err(kind),
        pixels: None,
        heavy: false,
    }
}

/// Deterministic xorshift bytes.
pub fn random_bytes(n: usize, mut seed: u64) -> Vec<u8> {
    (0..n)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 24) as u8
        })
        .collect()
}

/// A skin-like RGB image: warm gradient, a darker round spot, a reddish patch, grain.
pub fn skin_rgb(w: u32, h: u32) -> Vec<u8> {
    let noise = random_bytes((w * h) as usize, 0x5eed);
    let mut out = Vec::with_capacity((w * h * 3) as usize);
    for y in 0..h {
        for x in 0..w {
            let (fx, fy) = (x as f32 / w as f32, y as f32 / h as f32);
            let d = ((fx - 0.35).powi(2) + (fy - 0.4).powi(2)).sqrt();
            let spot = (1.0 - d / 0.08).clamp(0.0, 1.0);
            let r2 = ((fx - 0.7).powi(2) + (fy - 0.6).powi(2)).sqrt();
            let red = (1.0 - r2 / 0.12).clamp(0.0, 1.0);
            let n = noise[(y * w + x) as usize] as f32 / 255.0 * 6.0 - 3.0;
            let rgb = [
                215.0 - 30.0 * fy - 60.0 * spot + 10.0 * red + n,
                165.0 - 30.0 * fy - 60.0 * spot - 30.0 * red + n,
                140.0 - 25.0 * fy - 50.0 * spot - 20.0 * red + n,
            ];
            out.extend(rgb.map(|c| c.round().clamp(0.0, 255.0) as u8));
        }
    }
    out
}

/// A landscape with no skin: blue sky over green grass.
pub fn landscape_rgb(w: u32, h: u32) -> Vec<u8> {
    (0..w * h)
        .flat_map(|i| {
            let y = i / w;
            if y < h / 2 {
                [70, 130, 210]
            } else {
                [40, 140, 50]
            }
        })
        .collect()
}

pub fn rgb_to_rgba(rgb: &[u8]) -> Vec<u8> {
    rgb.chunks_exact(3)
        .flat_map(|p| [p[0], p[1], p[2], 255])
        .collect()
}

pub fn jpeg(rgb: &[u8], w: u32, h: u32, ct: ExtendedColorType) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, 90)
        .write_image(rgb, w, h, ct)
        .expect("jpeg encode");
    out
}

pub fn png(data: &[u8], w: u32, h: u32, ct: ExtendedColorType) -> Vec<u8> {
    png_exif(data, w, h, ct, None)
}

fn png_exif(data: &[u8], w: u32, h: u32, ct: ExtendedColorType, exif: Option<Vec<u8>>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = PngEncoder::new(&mut out);
    if let Some(exif) = exif {
        enc.set_exif_metadata(exif).expect("png exif");
    }
    enc.write_image(data, w, h, ct).expect("png encode");
    out
}

/// A big-endian TIFF block holding only the Orientation tag (0x0112).
pub fn exif_orientation(tag: u16) -> Vec<u8> {
    let mut t = b"MM\0\x2A\0\0\0\x08".to_vec();
    t.extend([0, 1]); // one entry
    t.extend([0x01, 0x12, 0, 3, 0, 0, 0, 1]); // tag, SHORT, count 1
    t.extend(tag.to_be_bytes());
    t.extend([0, 0]); // value padding
    t.extend([0, 0, 0, 0]); // no next IFD
    t
}

/// Inserts an APP1 Exif segment right after SOI.
pub fn jpeg_with_app1(jpeg: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut out = jpeg[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(((payload.len() + 2) as u16).to_be_bytes());
    out.extend(payload);
    out.extend(&jpeg[2..]);
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    out.extend(kind);
    out.extend(data);
    let mut c = kind.to_vec();
    c.extend(data);
    out.extend(crc32(&c).to_be_bytes());
    out
}

/// A PNG whose header claims `w`×`h` RGB pixels, followed by a few bytes of data.
pub fn png_claiming(w: u32, h: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend(h.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    out.extend(png_chunk(b"IHDR", &ihdr));
    // A valid zlib stream of zeros (a deflate bomb in miniature).
    out.extend(png_chunk(
        b"IDAT",
        &[0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01],
    ));
    out.extend(png_chunk(b"IEND", &[]));
    out
}

/// The upright pixels an EXIF orientation asks a viewer to show (stored is `w`×`h`).
pub fn orient(rgba: &[u8], w: u32, h: u32, tag: u16) -> (u32, u32, Vec<u8>) {
    let (w, h) = (w as usize, h as usize);
    let swap = tag >= 5;
    let (ow, oh) = if swap { (h, w) } else { (w, h) };
    let mut out = Vec::with_capacity(rgba.len());
    for y in 0..oh {
        for x in 0..ow {
            // Display (x, y) shows stored (sx, sy).
            let (sx, sy) = match tag {
                1 => (x, y),
                2 => (w - 1 - x, y),
                3 => (w - 1 - x, h - 1 - y),
                4 => (x, h - 1 - y),
                5 => (y, x),
                6 => (y, h - 1 - x),
                7 => (w - 1 - y, h - 1 - x),
                8 => (w - 1 - y, x),
                _ => unreachable!(),
            };
            let i = (sy * w + sx) * 4;
            out.extend_from_slice(&rgba[i..i + 4]);
        }
    }
    (ow as u32, oh as u32, out)
}

/// Splits a JPEG into (marker, segment bytes including marker) up to and including the
/// first SOS header; returns the rest (entropy data + EOI) separately.
fn jpeg_segments(j: &[u8]) -> (Vec<(u8, Vec<u8>)>, Vec<u8>) {
    let mut segs = Vec::new();
    let mut i = 2;
    loop {
        let m = j[i + 1];
        let len = u16::from_be_bytes([j[i + 2], j[i + 3]]) as usize;
        segs.push((m, j[i..i + 2 + len].to_vec()));
        i += 2 + len;
        if m == 0xDA {
            return (segs, j[i..].to_vec());
        }
    }
}

/// An Adobe CMYK JPEG made from a grayscale JPEG: four 1×1-sampled components sharing
/// its tables, each in its own (non-interleaved) baseline scan reusing the gray scan
/// data, so C = M = Y = K = the gray value (stored inverted, as Adobe does).
pub fn cmyk_jpeg(gray: &[u8], w: u32, h: u32) -> Vec<u8> {
    let j = jpeg(gray, w, h, ExtendedColorType::L8);
    let (segs, scan) = jpeg_segments(&j);
    let data = &scan[..scan.len() - 2]; // without EOI
    let mut out = vec![0xFF, 0xD8];
    // APP14 "Adobe", version 100, flags 0, 0, transform 0 (CMYK, no YCCK).
    let app14 = b"Adobe\x00\x64\x00\x00\x00\x00\x00";
    out.extend([0xFF, 0xEE, 0, (app14.len() + 2) as u8]);
    out.extend(app14);
    for (m, s) in &segs {
        match m {
            0xC0 => {
                // SOF0: precision, h, w, 4 components (ids 1..4, 1×1, table 0).
                let mut sof = vec![0xFF, 0xC0, 0, 8 + 3 * 4, 8];
                sof.extend((h as u16).to_be_bytes());
                sof.extend((w as u16).to_be_bytes());
                sof.push(4);
                for id in 1..=4 {
                    sof.extend([id, 0x11, 0]);
                }
                out.extend(sof);
            }
            0xDA => {
                for id in 1..=4 {
                    out.extend([0xFF, 0xDA, 0, 8, 1, id, 0x00, 0, 63, 0]);
                    out.extend(data);
                }
            }
            0xE0 => {} // JFIF says YCbCr/gray: drop it
            _ => out.extend(s),
        }
    }
    out.extend([0xFF, 0xD9]);
    out
}

/// A two-frame animated GIF: red, then blue.
#[cfg(not(target_arch = "wasm32"))]
pub fn animated_gif(w: u32, h: u32) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = GifEncoder::new(&mut out);
        let frames = [[220u8, 40, 40, 255], [40, 40, 220, 255]]
            .map(|c| Frame::new(RgbaImage::from_pixel(w, h, image::Rgba(c))));
        enc.encode_frames(frames).expect("gif encode");
    }
    out
}

/// The whole corpus. `big` adds the 60 MP JPEG (slow to encode: ~seconds).
pub fn corpus(big: bool) -> Vec<Item> {
    let mut items = Vec::new();
    let (w, h) = (96u32, 72u32);
    let skin = skin_rgb(w, h);
    let good_jpeg = jpeg(&skin, w, h, ExtendedColorType::Rgb8);

    // --- Not images at all.
    items.push(err("empty.jpg", vec![], Kind::Empty));
    items.push(err("random.jpg", random_bytes(4096, 42), Kind::NotAnImage));
    items.push(err(
        "text-named.jpg",
        b"Dear clinic, here is my photo.\nRegards\n".to_vec(),
        Kind::NotAnImage,
    ));
    items.push(err(
        "bmp-header.bmp",
        b"BM\x36\0\0\0\0\0\0\0\x36\0\0\0".to_vec(),
        Kind::NotAnImage,
    ));
    let mut svg = br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>"#.to_vec();
    items.push(err("drawing.svg", svg.clone(), Kind::Svg));
    svg.splice(0..0, b"\xEF\xBB\xBF".iter().copied()); // with a UTF-8 BOM
    items.push(err("drawing-bom.svg", svg, Kind::Svg));
    let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic\0\0\0\x08mdat".to_vec();
    items.push(err(
        "iphone.heic",
        heic.clone(),
        Kind::UnsupportedPhotoFormat,
    ));
    items.push(err(
        "iphone-renamed.jpg",
        heic,
        Kind::UnsupportedPhotoFormat,
    ));
    items.push(err(
        "photo.avif",
        b"\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf".to_vec(),
        Kind::UnsupportedPhotoFormat,
    ));

    // --- Broken files.
    for pct in [10usize, 50, 99] {
        let cut = good_jpeg.len() * pct / 100;
        items.push(err(
            &format!("truncated-{pct}pct.jpg"),
            good_jpeg[..cut].to_vec(),
            Kind::Corrupt,
        ));
    }
    let mut soi_random = vec![0xFF, 0xD8, 0xFF];
    soi_random.extend(random_bytes(2000, 7));
    items.push(err(
        "jpeg-header-then-random.jpg",
        soi_random,
        Kind::Corrupt,
    ));
    // A complete EXIF thumbnail (with its own EOI) must not hide a truncated main image.
    let thumb = jpeg(&skin_rgb(8, 8), 8, 8, ExtendedColorType::Rgb8);
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(exif_orientation(1));
    app1.extend(&thumb);
    let with_thumb = jpeg_with_app1(&good_jpeg, &app1);
    items.push(err(
        "truncated-with-thumbnail.jpg",
        with_thumb[..with_thumb.len() - 200].to_vec(),
        Kind::Corrupt,
    ));
    let mut trailing = good_jpeg.clone();
    trailing.extend(b"samsung trailer \xFF\x00 data");
    items.push(ok("trailing-bytes-after-eoi.jpg", trailing, w, h));

    let good_png = png(&skin, w, h, ExtendedColorType::Rgb8);
    let mut bad_crc = good_png.clone();
    let idat = bad_crc.windows(4).position(|x| x == b"IDAT").unwrap();
    let idat_len = u32::from_be_bytes(bad_crc[idat - 4..idat].try_into().unwrap()) as usize;
    bad_crc[idat + 4 + idat_len] ^= 0xFF; // first CRC byte of IDAT
    items.push(err("bad-crc.png", bad_crc, Kind::Corrupt));
    items.push(err(
        "truncated-50pct.png",
        good_png[..good_png.len() / 2].to_vec(),
        Kind::Corrupt,
    ));
    items.push(err(
        "png-signature-only.png",
        good_png[..8].to_vec(),
        Kind::Corrupt,
    ));
    items.push(err(
        "png-zero-width.png",
        png_claiming(0, 10),
        Kind::Corrupt,
    ));

    // --- Bombs: refused from the header, before any pixel buffer.
    items.push(err(
        "bomb-100000x100000.png",
        png_claiming(100_000, 100_000),
        Kind::TooManyPixels,
    ));
    let mut jpeg_bomb = good_jpeg.clone();
    let sof = jpeg_bomb
        .windows(2)
        .position(|x| x == [0xFF, 0xC0])
        .unwrap();
    jpeg_bomb[sof + 5..sof + 9].copy_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF]);
    items.push(err("bomb-65535x65535.jpg", jpeg_bomb, Kind::TooManyPixels));

    // --- Sizes and layouts that decode.
    let tiny = skin_rgb(1, 1);
    items.push(ok(
        "1x1.png",
        png(&tiny, 1, 1, ExtendedColorType::Rgb8),
        1,
        1,
    ));
    items.push(ok(
        "1x1.jpg",
        jpeg(&tiny, 1, 1, ExtendedColorType::Rgb8),
        1,
        1,
    ));
    let s32 = skin_rgb(3, 2);
    let mut i32 = ok("3x2.png", png(&s32, 3, 2, ExtendedColorType::Rgb8), 3, 2);
    i32.pixels = Some(rgb_to_rgba(&s32));
    items.push(i32);
    items.push(ok(
        "3x2.jpg",
        jpeg(&s32, 3, 2, ExtendedColorType::Rgb8),
        3,
        2,
    ));
    let pano = skin_rgb(10_000, 20);
    items.push(ok(
        "panorama-10000x20.png",
        png(&pano, 10_000, 20, ExtendedColorType::Rgb8),
        10_000,
        20,
    ));
    items.push(ok(
        "panorama-10000x20.jpg",
        jpeg(&pano, 10_000, 20, ExtendedColorType::Rgb8),
        10_000,
        20,
    ));

    let gray: Vec<u8> = skin.chunks_exact(3).map(|p| p[1]).collect();
    let mut g = ok(
        "grayscale.png",
        png(&gray, w, h, ExtendedColorType::L8),
        w,
        h,
    );
    g.pixels = Some(gray.iter().flat_map(|&v| [v, v, v, 255]).collect());
    items.push(g);
    items.push(ok(
        "grayscale.jpg",
        jpeg(&gray, w, h, ExtendedColorType::L8),
        w,
        h,
    ));
    let la: Vec<u8> = gray
        .iter()
        .enumerate()
        .flat_map(|(i, &v)| [v, (i % 256) as u8])
        .collect();
    let mut g = ok(
        "gray-alpha.png",
        png(&la, w, h, ExtendedColorType::La8),
        w,
        h,
    );
    g.pixels = Some(
        la.chunks_exact(2)
            .flat_map(|p| [p[0], p[0], p[0], p[1]])
            .collect(),
    );
    items.push(g);
    let rgba: Vec<u8> = skin
        .chunks_exact(3)
        .enumerate()
        .flat_map(|(i, p)| {
            let transparent = (i as u32 % w) < w / 3; // left third fully transparent
            [p[0], p[1], p[2], if transparent { 0 } else { 255 }]
        })
        .collect();
    let mut g = ok(
        "rgba-transparent.png",
        png(&rgba, w, h, ExtendedColorType::Rgba8),
        w,
        h,
    );
    g.pixels = Some(rgba.clone());
    items.push(g);
    let rgb16: Vec<u8> = skin
        .iter()
        .flat_map(|&v| (v as u16 * 257).to_be_bytes())
        .collect();
    let rgb16_native: Vec<u8> = skin
        .iter()
        .flat_map(|&v| (v as u16 * 257).to_ne_bytes())
        .collect();
    let mut g = ok(
        "rgb16.png",
        png(&rgb16_native, w, h, ExtendedColorType::Rgb16),
        w,
        h,
    );
    let _ = rgb16;
    g.pixels = Some(rgb_to_rgba(&skin));
    items.push(g);
    items.push(ok("cmyk-adobe.jpg", cmyk_jpeg(&gray, w, h), w, h));
    // WebP and GIF: decoded natively (CLI) only; in WASM the browser decodes them.
    #[cfg(not(target_arch = "wasm32"))]
    {
        let mut webp = Vec::new();
        WebPEncoder::new_lossless(&mut webp)
            .encode(&skin, w, h, ExtendedColorType::Rgb8)
            .unwrap();
        let mut g = ok("lossless.webp", webp, w, h);
        g.pixels = Some(rgb_to_rgba(&skin));
        items.push(g);
        let mut g = ok("animated.gif", animated_gif(16, 12), 16, 12);
        g.pixels = Some([220u8, 40, 40, 255].repeat(16 * 12)); // first frame
        items.push(g);
    }

    // --- EXIF orientations: an asymmetric 5×3 PNG (exact) and JPEG (size only).
    let (ow, oh) = (5u32, 3u32);
    let asym: Vec<u8> = (0..ow * oh)
        .flat_map(|i| [(i * 16) as u8, 255 - (i * 16) as u8, 100, 255])
        .collect();
    let asym_rgb: Vec<u8> = asym
        .chunks_exact(4)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect();
    let big_asym = skin_rgb(40, 24);
    let asym_jpeg = jpeg(&big_asym, 40, 24, ExtendedColorType::Rgb8);
    for tag in 1..=8u16 {
        let (dw, dh, want) = orient(&asym, ow, oh, tag);
        let bytes = png_exif(
            &asym_rgb,
            ow,
            oh,
            ExtendedColorType::Rgb8,
            Some(exif_orientation(tag)),
        );
        let mut g = ok(&format!("exif-orientation-{tag}.png"), bytes, dw, dh);
        g.pixels = Some(want);
        items.push(g);
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend(exif_orientation(tag));
        let (jw, jh) = if tag >= 5 { (24, 40) } else { (40, 24) };
        items.push(ok(
            &format!("exif-orientation-{tag}.jpg"),
            jpeg_with_app1(&asym_jpeg, &app1),
            jw,
            jh,
        ));
    }

    // --- Content that stresses the analysis maths.
    let mut g = ok(
        "landscape-no-skin.png",
        png(&landscape_rgb(w, h), w, h, ExtendedColorType::Rgb8),
        w,
        h,
    );
    g.expect = Expect::Ok {
        width: w,
        height: h,
        skin: Some(false),
    };
    items.push(g);
    let mut g = ok(
        "all-black.png",
        png(
            &vec![0; (w * h * 3) as usize],
            w,
            h,
            ExtendedColorType::Rgb8,
        ),
        w,
        h,
    );
    g.expect = Expect::Ok {
        width: w,
        height: h,
        skin: Some(false),
    };
    items.push(g);
    items.push(ok(
        "all-white.png",
        png(
            &vec![255; (w * h * 3) as usize],
            w,
            h,
            ExtendedColorType::Rgb8,
        ),
        w,
        h,
    ));
    let mut g = ok("skin.jpg", good_jpeg, w, h);
    g.expect = Expect::Ok {
        width: w,
        height: h,
        skin: Some(true),
    };
    items.push(g);

    if big {
        // 60 MP: over the 16 MP working cap, so downscaled (not refused).
        let (bw, bh) = (10_000u32, 6_000u32);
        let flat: Vec<u8> = [200u8, 150, 125].repeat((bw * bh) as usize);
        let scale = (16_000_000f64 / (bw as f64 * bh as f64)).sqrt();
        let mut g = ok(
            "60mp.jpg",
            jpeg(&flat, bw, bh, ExtendedColorType::Rgb8),
            (bw as f64 * scale).floor() as u32,
            (bh as f64 * scale).floor() as u32,
        );
        g.heavy = true;
        items.push(g);
    }
    items
}
