//! A minimal, bounds-checked FlatBuffers reader: tables, vtables, scalars, vectors and
//! strings, just what reading a `.tflite` model needs. Every read returns `None` when
//! an offset points outside the buffer, so a damaged file cannot panic.

/// A table inside a flatbuffer: the buffer and the table's absolute position.
#[derive(Clone, Copy)]
pub(crate) struct Table<'a> {
    buf: &'a [u8],
    pos: usize,
}

fn read<const N: usize>(buf: &[u8], pos: usize) -> Option<[u8; N]> {
    buf.get(pos..pos.checked_add(N)?)?.try_into().ok()
}

fn u32_at(buf: &[u8], pos: usize) -> Option<u32> {
    read::<4>(buf, pos).map(u32::from_le_bytes)
}

/// Follows the unsigned offset stored at `pos` (relative to `pos`).
fn deref(buf: &[u8], pos: usize) -> Option<usize> {
    pos.checked_add(u32_at(buf, pos)? as usize)
}

/// A vector: the position of its first element and its length.
#[derive(Clone, Copy)]
pub(crate) struct Vector<'a> {
    buf: &'a [u8],
    start: usize,
    len: usize,
}

impl<'a> Vector<'a> {
    /// Number of elements.
    pub fn len(&self) -> usize {
        self.len
    }

    /// The `i`-th element as a table (vectors of tables store offsets).
    pub fn table(&self, i: usize) -> Option<Table<'a>> {
        (i < self.len).then_some(())?;
        let pos = deref(self.buf, self.start + 4 * i)?;
        Table::at(self.buf, pos)
    }

    /// The elements as `i32` (4 bytes each).
    pub fn i32s(&self) -> Option<Vec<i32>> {
        (0..self.len)
            .map(|i| read::<4>(self.buf, self.start + 4 * i).map(i32::from_le_bytes))
            .collect()
    }

    /// The elements as raw bytes (a `[ubyte]` vector).
    pub fn bytes(&self) -> Option<&'a [u8]> {
        self.buf.get(self.start..self.start.checked_add(self.len)?)
    }
}

impl<'a> Table<'a> {
    /// The root table of a buffer.
    pub fn root(buf: &'a [u8]) -> Option<Table<'a>> {
        Table::at(buf, deref(buf, 0)?)
    }

    fn at(buf: &'a [u8], pos: usize) -> Option<Table<'a>> {
        // The vtable must be readable; `field` checks each entry.
        let t = Table { buf, pos };
        t.vtable()?;
        Some(t)
    }

    /// (vtable position, vtable length in bytes).
    fn vtable(&self) -> Option<(usize, usize)> {
        let soff = i32::from_le_bytes(read::<4>(self.buf, self.pos)?);
        let vt = usize::try_from(self.pos as i64 - soff as i64).ok()?;
        let len = u16::from_le_bytes(read::<2>(self.buf, vt)?) as usize;
        Some((vt, len))
    }

    /// Absolute position of field `id`, or `None` if absent (default value).
    fn field(&self, id: usize) -> Option<usize> {
        let (vt, len) = self.vtable()?;
        let entry = 4 + 2 * id;
        if entry + 2 > len {
            return None;
        }
        let off = u16::from_le_bytes(read::<2>(self.buf, vt + entry)?) as usize;
        (off != 0).then_some(self.pos + off)
    }

    /// A `u8`/`i8`-sized field (enums, bools) or `default`.
    pub fn u8(&self, id: usize, default: u8) -> u8 {
        self.field(id)
            .and_then(|p| self.buf.get(p).copied())
            .unwrap_or(default)
    }

    /// A 4-byte integer field or `default`.
    pub fn i32(&self, id: usize, default: i32) -> i32 {
        self.field(id)
            .and_then(|p| read::<4>(self.buf, p))
            .map_or(default, i32::from_le_bytes)
    }

    /// An 8-byte unsigned field or `default`.
    pub fn u64(&self, id: usize, default: u64) -> u64 {
        self.field(id)
            .and_then(|p| read::<8>(self.buf, p))
            .map_or(default, u64::from_le_bytes)
    }

    /// A sub-table field.
    pub fn table(&self, id: usize) -> Option<Table<'a>> {
        Table::at(self.buf, deref(self.buf, self.field(id)?)?)
    }

    /// A vector field.
    pub fn vector(&self, id: usize) -> Option<Vector<'a>> {
        let start = deref(self.buf, self.field(id)?)?;
        let len = u32_at(self.buf, start)? as usize;
        Some(Vector {
            buf: self.buf,
            start: start + 4,
            len,
        })
    }

    /// The whole buffer (for `Buffer.offset`-style absolute data).
    pub fn buffer(&self) -> &'a [u8] {
        self.buf
    }
}
