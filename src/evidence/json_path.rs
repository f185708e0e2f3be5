//! The field path (`outcomes[2].points[0].week`) at a byte offset of a JSON text.
//!
//! A profile error names the field it is about. Tracking the path during
//! deserialisation doubles the generated deserialiser (about 85 KB of the `.wasm`), so
//! the path is recovered only when there is an error, by scanning the text up to where
//! serde stopped.

/// One open container while scanning.
enum Open {
    /// An object and the key last read in it.
    Object(Option<String>),
    /// An array and the index of the element being read.
    Array(usize),
}

/// The path of the value being read at byte `offset`; `"(top level)"` outside any field.
pub(crate) fn path_at(text: &str, offset: usize) -> String {
    let bytes = text.as_bytes();
    let end = offset.min(bytes.len());
    let mut stack: Vec<Open> = Vec::new();
    let mut i = 0;
    while i < end {
        match bytes[i] {
            b'{' => stack.push(Open::Object(None)),
            b'[' => stack.push(Open::Array(0)),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Open::Array(n)) => *n += 1,
                Some(Open::Object(key)) => *key = None,
                None => {}
            },
            b'"' => {
                let close = string_end(bytes, i + 1);
                if let Some(Open::Object(key @ None)) = stack.last_mut() {
                    *key = Some(String::from_utf8_lossy(&bytes[i + 1..close.min(end)]).into());
                }
                i = close;
            }
            _ => {}
        }
        i += 1;
    }
    let mut path = String::new();
    for open in &stack {
        match open {
            Open::Object(Some(key)) => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Open::Object(None) => {}
            Open::Array(n) => path.push_str(&format!("[{n}]")),
        }
    }
    if path.is_empty() {
        "(top level)".to_owned()
    } else {
        path
    }
}

/// Index of the quote that closes a string whose content starts at `start`.
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// Byte offset of a 1-based line and a column counted in bytes (serde_json's).
pub(crate) fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (start + column).min(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, marker: &str) -> String {
        path_at(text, text.find(marker).unwrap() + marker.len())
    }

    #[test]
    fn nested_objects_and_arrays() {
        let t = r#"{"a": 1, "outcomes": [{"x": 0}, {"points": [{"week": "twelve"}]}]}"#;
        assert_eq!(at(t, r#""twelve""#), "outcomes[1].points[0].week");
        assert_eq!(at(t, r#""x": 0"#), "outcomes[0].x");
        assert_eq!(at(t, r#""a": 1"#), "a");
        assert_eq!(path_at(t, 0), "(top level)");
    }

    #[test]
    fn escaped_quotes_and_unknown_keys() {
        let t = r#"{"about": "say \"hi\", [ok]", "texture": {"tipical": 0.2}}"#;
        assert_eq!(at(t, r#""tipical""#), "texture.tipical");
        assert_eq!(at(t, r#"[ok]""#), "about");
    }

    #[test]
    fn line_and_column_to_offset() {
        let t = "{\n  \"a\": x\n}";
        assert_eq!(&t[..offset_of(t, 2, 8)], "{\n  \"a\": x");
    }
}
