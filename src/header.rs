//! Image sizes read from file headers alone, for builds without the engine's decoders.

/// Stored width and height of a JPEG, PNG, GIF or WebP file (`format` as `decode` names
/// it), or a short reason why the header cannot be read.
pub fn dimensions(bytes: &[u8], format: &str) -> Result<(u32, u32), &'static str> {
    let size = match format {
        "jpeg" => jpeg(bytes),
        "png" => png(bytes),
        "gif" => gif(bytes),
        "webp" => webp(bytes),
        _ => None,
    };
    size.ok_or("its header could not be read")
}

fn be16(b: &[u8], at: usize) -> Option<u32> {
    Some(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?]) as u32)
}

fn le16(b: &[u8], at: usize) -> Option<u32> {
    Some(u16::from_le_bytes([*b.get(at)?, *b.get(at + 1)?]) as u32)
}

fn le24(b: &[u8], at: usize) -> Option<u32> {
    Some(le16(b, at)? | (*b.get(at + 2)? as u32) << 16)
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// The first frame header (SOF0..SOF15 except DHT, JPG and DAC), before the first scan.
fn jpeg(b: &[u8]) -> Option<(u32, u32)> {
    let mut i = 2;
    loop {
        while *b.get(i)? == 0xFF && *b.get(i + 1)? == 0xFF {
            i += 1;
        }
        if *b.get(i)? != 0xFF {
            return None;
        }
        match *b.get(i + 1)? {
            0x01 | 0xD0..=0xD7 => i += 2,
            0xDA | 0xD9 => return None,
            m @ 0xC0..=0xCF if !matches!(m, 0xC4 | 0xC8 | 0xCC) => {
                return Some((be16(b, i + 7)?, be16(b, i + 5)?));
            }
            _ => i += 2 + be16(b, i + 2)? as usize,
        }
    }
}

fn png(b: &[u8]) -> Option<(u32, u32)> {
    (b.get(12..16)? == b"IHDR").then_some(())?;
    Some((be32(b, 16)?, be32(b, 20)?))
}

fn gif(b: &[u8]) -> Option<(u32, u32)> {
    Some((le16(b, 6)?, le16(b, 8)?))
}

/// The lossy (VP8), lossless (VP8L) or extended (VP8X) header's canvas size.
fn webp(b: &[u8]) -> Option<(u32, u32)> {
    match b.get(12..16)? {
        b"VP8 " => {
            (b.get(23..26)? == [0x9D, 0x01, 0x2A]).then_some(())?;
            Some((le16(b, 26)? & 0x3FFF, le16(b, 28)? & 0x3FFF))
        }
        b"VP8L" => {
            (*b.get(20)? == 0x2F).then_some(())?;
            let bits = u32::from_le_bytes(b.get(21..25)?.try_into().ok()?);
            Some(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1))
        }
        b"VP8X" => Some((le24(b, 24)? + 1, le24(b, 27)? + 1)),
        _ => None,
    }
}
