//! Decoding JPEG, PNG and WebP into an upright 8-bit RGBA [`Photo`], with hard limits.
//!
//! Limits are enforced before the pixel buffer is allocated, so a decompression bomb
//! is refused cheaply. Photos above the working cap are downscaled with Lanczos3.

use super::header;
use crate::error::DecodeError;
use crate::photo::Photo;
use fast_image_resize as fr;
use image::ImageFormat;
#[cfg(feature = "engine-decode")]
use image::{DynamicImage, ImageDecoder, ImageReader};
use serde::Serialize;
#[cfg(feature = "engine-decode")]
use std::io::Cursor;

/// What decoding accepts and how large a working image may be.
#[derive(Debug, Clone, Copy)]
pub struct DecodeLimits {
    /// Largest encoded file, in bytes.
    pub max_input_bytes: usize,
    /// Largest decoded image, in pixels.
    pub max_pixels: u64,
    /// Images above this many pixels are downscaled to it.
    pub working_cap_pixels: u64,
}

impl Default for DecodeLimits {
    fn default() -> Self {
        Self {
            max_input_bytes: 64 << 20,
            max_pixels: 100_000_000,
            working_cap_pixels: 16_000_000,
        }
    }
}

/// A decoded photo plus what was done to it on the way in.
#[derive(Debug, Clone)]
pub struct Decoded {
    /// The upright, possibly downscaled photo.
    pub photo: Photo,
    /// Facts about the source file.
    pub info: DecodeInfo,
}

/// Facts about the source file, for display and for the CLI.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct DecodeInfo {
    /// "jpeg", "png", "webp" or "gif".
    pub format: &'static str,
    /// Stored width before orientation and scaling.
    pub source_width: u32,
    /// Stored height before orientation and scaling.
    pub source_height: u32,
    /// EXIF orientation tag value 1..8 that was applied (1 = already upright).
    pub orientation: u8,
    /// Whether the image was downscaled to the working cap.
    pub downscaled: bool,
}

/// Decodes encoded bytes with the default limits.
pub fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    decode_with(bytes, &DecodeLimits::default())
}

/// Without the `engine-decode` feature (the page's WASM build: the browser decodes),
/// a photo that passes the checks is refused as one the browser could not read.
#[cfg(not(feature = "engine-decode"))]
pub fn decode_with(bytes: &[u8], limits: &DecodeLimits) -> Result<Decoded, DecodeError> {
    let (_, name) = check_input(bytes, limits)?;
    Err(DecodeError::Corrupt {
        format: name,
        detail: "the browser could not decode it".into(),
    })
}

/// Decodes encoded bytes with the given limits.
#[cfg(feature = "engine-decode")]
pub fn decode_with(bytes: &[u8], limits: &DecodeLimits) -> Result<Decoded, DecodeError> {
    let (format, name) = check_input(bytes, limits)?;
    if format == ImageFormat::Avif {
        // Only the browser decodes AVIF; this decoder has no AVIF support.
        return Err(DecodeError::UnsupportedPhotoFormat("AVIF"));
    }
    let corrupt = |e: image::ImageError| match e {
        image::ImageError::Limits(_) => DecodeError::TooManyPixels {
            megapixels: limits.max_pixels.div_ceil(1_000_000),
            limit: limits.max_pixels / 1_000_000,
        },
        image::ImageError::Unsupported(u) => DecodeError::UnsupportedEncoding {
            format: name,
            detail: one_line(&u.to_string()),
        },
        other => DecodeError::Corrupt {
            format: name,
            detail: one_line(&other.to_string()),
        },
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut image_limits = image::Limits::default();
    // 16-bit RGBA is the widest layout: 8 bytes a pixel, plus headroom for decoder state.
    image_limits.max_alloc = Some(limits.max_pixels.saturating_mul(8) + (64 << 20));
    reader.limits(image_limits);
    let mut decoder = reader.into_decoder().map_err(corrupt)?;
    let (w, h) = decoder.dimensions();
    check_pixels(w, h, limits)?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(corrupt)?;
    image.apply_orientation(orientation);
    let rgba = image.into_rgba8();
    let (ow, oh) = rgba.dimensions();
    let photo = Photo::from_rgba(ow, oh, rgba.into_raw()).ok_or(DecodeError::NoPixels {
        width: ow,
        height: oh,
    })?;
    let (photo, downscaled) = cap_size(photo, limits.working_cap_pixels)?;
    Ok(Decoded {
        photo,
        info: DecodeInfo {
            format: name,
            source_width: w,
            source_height: h,
            orientation: orientation_tag(orientation),
            downscaled,
        },
    })
}

/// Wraps raw RGBA pixels (e.g. from the browser's decoder) and applies the working cap.
pub fn from_rgba(
    width: u32,
    height: u32,
    rgba: Vec<u8>,
    limits: &DecodeLimits,
) -> Result<Photo, DecodeError> {
    check_pixels(width, height, limits)?;
    let want = width as usize * height as usize * 4;
    let got = rgba.len();
    let photo = Photo::from_rgba(width, height, rgba).ok_or(DecodeError::BadPixelBuffer {
        width,
        height,
        got,
        want,
    })?;
    Ok(cap_size(photo, limits.working_cap_pixels)?.0)
}

fn check_pixels(w: u32, h: u32, limits: &DecodeLimits) -> Result<(), DecodeError> {
    if w == 0 || h == 0 {
        return Err(DecodeError::NoPixels {
            width: w,
            height: h,
        });
    }
    let pixels = w as u64 * h as u64;
    if pixels > limits.max_pixels {
        return Err(DecodeError::TooManyPixels {
            megapixels: pixels.div_ceil(1_000_000),
            limit: limits.max_pixels / 1_000_000,
        });
    }
    Ok(())
}

/// Identifies the container from magic bytes, naming formats we refuse on purpose.
fn sniff(bytes: &[u8]) -> Result<ImageFormat, DecodeError> {
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        // AVIF passes: the page's browser may decode it. HEIC (and other ISO media) not.
        return if header::is_avif(bytes) {
            Ok(ImageFormat::Avif)
        } else {
            Err(DecodeError::UnsupportedPhotoFormat("HEIC"))
        };
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).to_ascii_lowercase();
    if head.contains("<svg") {
        return Err(DecodeError::Svg);
    }
    match image::guess_format(bytes) {
        Ok(f @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP | ImageFormat::Gif)) => {
            Ok(f)
        }
        _ => Err(DecodeError::NotAnImage),
    }
}

/// Stored width and height from the header (the decoder's own reading).
#[cfg(feature = "engine-decode")]
fn stored_size(bytes: &[u8], format: ImageFormat) -> Result<(u32, u32), String> {
    ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(|e| one_line(&e.to_string()))
}

/// Stored width and height from the header, without a decoder.
#[cfg(not(feature = "engine-decode"))]
fn stored_size(bytes: &[u8], format: ImageFormat) -> Result<(u32, u32), String> {
    header::dimensions(bytes, format_name(format)).map_err(String::from)
}

/// Decoder messages go into one-line errors: collapse any line breaks.
#[cfg(feature = "engine-decode")]
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Refuses a JPEG that was cut off before its end-of-image marker.
///
/// zune-jpeg decodes a JPEG cut inside its entropy-coded data "successfully", filling
/// the missing blocks with grey; analysing such a photo would report the grey as skin
/// colour. Entropy-coded data never contains a bare `FF D9` (0xFF is always stuffed or
/// a restart marker), so an EOI after the first start-of-scan marks a complete file.
/// Bytes after the EOI (some phones append data) are allowed. An EOI inside an EXIF
/// thumbnail does not count: segments before the first scan are skipped by length.
fn check_complete(bytes: &[u8], format: ImageFormat) -> Result<(), DecodeError> {
    if format != ImageFormat::Jpeg {
        return Ok(());
    }
    let incomplete = |detail: &str| DecodeError::Corrupt {
        format: "jpeg",
        detail: detail.to_string(),
    };
    let mut i = 2; // after SOI
    let scan_start = loop {
        // Fill bytes (0xFF padding) may precede a marker.
        while bytes.get(i) == Some(&0xFF) && bytes.get(i + 1) == Some(&0xFF) {
            i += 1;
        }
        match (bytes.get(i), bytes.get(i + 1)) {
            (Some(0xFF), Some(0xDA)) => break i,
            (Some(0xFF), Some(0xD9)) => {
                return Err(incomplete("the file ends before any image data"))
            }
            // Standalone markers without a length.
            (Some(0xFF), Some(0x01 | 0xD0..=0xD7)) => i += 2,
            (Some(0xFF), Some(_)) => {
                let len = match (bytes.get(i + 2), bytes.get(i + 3)) {
                    (Some(&hi), Some(&lo)) => u16::from_be_bytes([hi, lo]) as usize,
                    _ => return Err(incomplete("the file is cut off in its header")),
                };
                i += 2 + len;
            }
            (Some(_), Some(_)) => return Ok(()), // malformed: leave it to the decoder's message
            _ => return Err(incomplete("the file is cut off in its header")),
        }
    };
    if bytes[scan_start..].windows(2).any(|w| w == [0xFF, 0xD9]) {
        Ok(())
    } else {
        Err(incomplete(
            "the image data is cut off before its end marker",
        ))
    }
}

fn format_name(format: ImageFormat) -> &'static str {
    match format {
        ImageFormat::Jpeg => "jpeg",
        ImageFormat::Png => "png",
        ImageFormat::WebP => "webp",
        ImageFormat::Gif => "gif",
        ImageFormat::Avif => "avif",
        _ => "image",
    }
}

#[cfg(feature = "engine-decode")]
fn orientation_tag(o: image::metadata::Orientation) -> u8 {
    use image::metadata::Orientation::*;
    match o {
        NoTransforms => 1,
        FlipHorizontal => 2,
        Rotate180 => 3,
        FlipVertical => 4,
        Rotate90FlipH => 5,
        Rotate90 => 6,
        Rotate270FlipH => 7,
        Rotate270 => 8,
    }
}

/// Downscales a photo above `cap` pixels, keeping its aspect ratio.
pub fn cap_size(photo: Photo, cap: u64) -> Result<(Photo, bool), DecodeError> {
    let (w, h) = (photo.width(), photo.height());
    let pixels = w as u64 * h as u64;
    if pixels <= cap {
        return Ok((photo, false));
    }
    let scale = (cap as f64 / pixels as f64).sqrt();
    let nw = ((w as f64 * scale).floor() as u32).max(1);
    let nh = ((h as f64 * scale).floor() as u32).max(1);
    Ok((resize(photo, nw, nh)?, true))
}

/// Resizes with Lanczos3 (fast_image_resize), ignoring alpha weighting.
pub fn resize(photo: Photo, nw: u32, nh: u32) -> Result<Photo, DecodeError> {
    let (w, h) = (photo.width(), photo.height());
    let err = |e: &dyn std::fmt::Display| DecodeError::Resize(e.to_string());
    let src = fr::images::Image::from_vec_u8(w, h, photo.into_rgba(), fr::PixelType::U8x4)
        .map_err(|e| err(&e))?;
    let mut dst = fr::images::Image::new(nw, nh, fr::PixelType::U8x4);
    let options = fr::ResizeOptions::new()
        .resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::Lanczos3))
        .use_alpha(false);
    fr::Resizer::new()
        .resize(&src, &mut dst, &options)
        .map_err(|e| err(&e))?;
    Photo::from_rgba(nw, nh, dst.into_vec()).ok_or(DecodeError::Resize("bad output size".into()))
}

/// Header facts read without decoding pixels.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct Probe {
    /// "jpeg", "png", "webp", "gif" or "avif".
    pub format: &'static str,
    /// Stored width.
    pub width: u32,
    /// Stored height.
    pub height: u32,
}

/// The checks every input passes before any decoder sees it: size, format, completeness.
fn check_input(
    bytes: &[u8],
    limits: &DecodeLimits,
) -> Result<(ImageFormat, &'static str), DecodeError> {
    if bytes.is_empty() {
        return Err(DecodeError::Empty);
    }
    if bytes.len() > limits.max_input_bytes {
        return Err(DecodeError::TooLarge {
            mib: (bytes.len() as u64).div_ceil(1 << 20),
            limit_mib: (limits.max_input_bytes as u64) >> 20,
        });
    }
    let format = sniff(bytes)?;
    check_complete(bytes, format)?;
    Ok((format, format_name(format)))
}

/// Reads format and size from the header and checks every limit, without decoding.
///
/// The page calls this before handing bytes to the browser's decoder, so a bomb or a
/// HEIC file gets our typed error instead of a stalled or crashed tab.
pub fn probe(bytes: &[u8], limits: &DecodeLimits) -> Result<Probe, DecodeError> {
    let (format, name) = check_input(bytes, limits)?;
    let corrupt = |detail: String| DecodeError::Corrupt {
        format: name,
        detail,
    };
    // Sizes come from the headers where this build has no decoder for the format (AVIF
    // always; every format in the page's build): the probe must not refuse what the
    // browser decodes.
    let (width, height) = match format {
        ImageFormat::Avif => {
            header::avif_size(bytes).ok_or(DecodeError::UnsupportedPhotoFormat("AVIF"))?
        }
        ImageFormat::WebP => header::webp_size(bytes)
            .ok_or_else(|| corrupt("no image size in the WebP header".into()))?,
        _ => stored_size(bytes, format).map_err(corrupt)?,
    };
    check_pixels(width, height, limits)?;
    Ok(Probe {
        format: name,
        width,
        height,
    })
}
