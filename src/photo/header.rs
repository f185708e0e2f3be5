//! Stored width and height read from file headers alone (JPEG, PNG, GIF, WebP, AVIF), so
//! the size limits hold for formats the browser decodes and for the page's build, which
//! has no decoder of its own.

/// Stored width and height of a JPEG, PNG, GIF or WebP file (`format` as `decode` names
/// it), or a short reason why the header cannot be read.
pub fn dimensions(bytes: &[u8], format: &str) -> Result<(u32, u32), &'static str> {
    let size = match format {
        "jpeg" => jpeg(bytes),
        "png" => png(bytes),
        "gif" => gif(bytes),
        "webp" => webp_size(bytes),
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

fn be32_at(b: &[u8], at: usize) -> Option<u32> {
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
    Some((be32_at(b, 16)?, be32_at(b, 20)?))
}

fn gif(b: &[u8]) -> Option<(u32, u32)> {
    Some((le16(b, 6)?, le16(b, 8)?))
}

/// WebP canvas size from the first chunk (`VP8 `, `VP8L` or `VP8X`), if readable.
pub fn webp_size(b: &[u8]) -> Option<(u32, u32)> {
    if b.len() < 30 || &b[0..4] != b"RIFF" || &b[8..12] != b"WEBP" {
        return None;
    }
    let le16 = |i: usize| u16::from_le_bytes([b[i], b[i + 1]]) as u32;
    let le24 = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], 0]);
    match &b[12..16] {
        // Lossy: a 3-byte frame tag, the start code, then 14-bit sizes.
        b"VP8 " if b[23..26] == [0x9d, 0x01, 0x2a] => Some((le16(26) & 0x3fff, le16(28) & 0x3fff)),
        // Lossless: a signature byte, then width−1 and height−1 in 14 bits each.
        b"VP8L" if b[20] == 0x2f => {
            let bits = u32::from_le_bytes([b[21], b[22], b[23], b[24]]);
            Some(((bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1))
        }
        // Extended: flags and reserved bytes, then canvas width−1 and height−1 in 24 bits.
        b"VP8X" => Some((le24(24) + 1, le24(27) + 1)),
        _ => None,
    }
}

/// Whether an ISO-BMFF `ftyp` box names AVIF as its major or a compatible brand.
pub fn is_avif(b: &[u8]) -> bool {
    if b.len() < 16 || &b[4..8] != b"ftyp" {
        return false;
    }
    let len = (be32(b, 0) as usize).clamp(16, b.len());
    let brands = std::iter::once(&b[8..12]).chain(b[16..len].chunks_exact(4));
    brands
        .into_iter()
        .any(|brand| brand == b"avif" || brand == b"avis")
}

/// The largest image size in an AVIF's `meta/iprp/ipco/ispe` boxes, if any.
pub fn avif_size(b: &[u8]) -> Option<(u32, u32)> {
    let mut best: Option<(u32, u32)> = None;
    walk(b, 0, &mut |kind, body| {
        if kind == b"ispe" && body.len() >= 12 {
            let size = (be32(body, 4), be32(body, 8));
            if best.is_none_or(|(w, h)| (size.0 as u64 * size.1 as u64) > w as u64 * h as u64) {
                best = Some(size);
            }
        }
    });
    best
}

fn be32(b: &[u8], i: usize) -> u32 {
    u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]])
}

/// Visits boxes, descending into the containers that lead to `ispe`.
fn walk(b: &[u8], depth: usize, visit: &mut dyn FnMut(&[u8], &[u8])) {
    let mut i = 0;
    while depth < 4 && i + 8 <= b.len() {
        let size = be32(b, i) as usize;
        let kind = &b[i + 4..i + 8];
        let (start, end) = match size {
            0 => (i + 8, b.len()),
            1 if i + 16 <= b.len() => {
                let large = u64::from_be_bytes(b[i + 8..i + 16].try_into().unwrap_or([0; 8]));
                (i + 16, i.saturating_add(large.min(b.len() as u64) as usize))
            }
            s if s >= 8 => (i + 8, i.saturating_add(s)),
            _ => return,
        };
        if end > b.len() || end < start {
            return;
        }
        let body = &b[start..end];
        match kind {
            // `meta` is a full box: 4 bytes of version and flags before its children.
            b"meta" if body.len() >= 4 => walk(&body[4..], depth + 1, visit),
            b"iprp" | b"ipco" => walk(body, depth + 1, visit),
            _ => visit(kind, body),
        }
        i = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bmff(kind: &[u8], body: &[u8]) -> Vec<u8> {
        let mut v = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        v.extend_from_slice(kind);
        v.extend_from_slice(body);
        v
    }

    fn ispe(w: u32, h: u32) -> Vec<u8> {
        let mut body = vec![0; 4];
        body.extend_from_slice(&w.to_be_bytes());
        body.extend_from_slice(&h.to_be_bytes());
        bmff(b"ispe", &body)
    }

    #[test]
    fn avif_size_is_the_largest_ispe_under_meta() {
        let ipco = bmff(b"ipco", &[ispe(320, 240), ispe(4032, 3024)].concat());
        let meta = bmff(b"meta", &[vec![0; 4], bmff(b"iprp", &ipco)].concat());
        let ftyp = bmff(b"ftyp", b"mif1\0\0\0\0mif1avif");
        let file = [ftyp, meta].concat();
        assert!(is_avif(&file));
        assert_eq!(avif_size(&file), Some((4032, 3024)));
        assert_eq!(
            avif_size(&file[..file.len() - 6]),
            None,
            "cut off inside ispe"
        );
        let heic = bmff(b"ftyp", b"heic\0\0\0\0mif1heic");
        assert!(!is_avif(&heic));
    }

    #[test]
    fn webp_sizes_from_each_chunk_kind() {
        let mut lossy = b"RIFF\0\0\0\0WEBPVP8 \0\0\0\0\0\0\0\x9d\x01\x2a".to_vec();
        lossy.extend_from_slice(&[0x40, 0x01, 0xf0, 0x00, 0, 0]);
        assert_eq!(webp_size(&lossy), Some((320, 240)));
        let mut lossless = b"RIFF\0\0\0\0WEBPVP8L\0\0\0\0\x2f".to_vec();
        let bits: u32 = (320 - 1) | ((240 - 1) << 14);
        lossless.extend_from_slice(&bits.to_le_bytes());
        lossless.extend_from_slice(&[0; 5]);
        assert_eq!(webp_size(&lossless), Some((320, 240)));
        let mut extended = b"RIFF\0\0\0\0WEBPVP8X\0\0\0\0\0\0\0\0".to_vec();
        extended.extend_from_slice(&[0x3f, 0x1f, 0x00, 0xef, 0x0b, 0x00]);
        assert_eq!(webp_size(&extended), Some((8000, 3056)));
        assert_eq!(webp_size(b"RIFF\0\0\0\0WEBPVP8 "), None);
    }
}
