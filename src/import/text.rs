//! Bytes to text: UTF-8 (with or without BOM) and UTF-16 with a BOM (what
//! Grafana 11's Excel download writes). Invalid sequences are replaced and
//! reported, never fatal.

/// Decoded text and how it was encoded.
pub struct Decoded<'a> {
    /// Borrowed when the input is UTF-8 already (no copy of a big export).
    pub text: std::borrow::Cow<'a, str>,
    pub encoding: &'static str,
    pub warning: Option<String>,
}

pub fn decode(bytes: &[u8]) -> Decoded<'_> {
    if let Some(rest) = bytes.strip_prefix(&[0xff, 0xfe]) {
        return utf16(rest, u16::from_le_bytes, "utf-16le (BOM)");
    }
    if let Some(rest) = bytes.strip_prefix(&[0xfe, 0xff]) {
        return utf16(rest, u16::from_be_bytes, "utf-16be (BOM)");
    }
    let (rest, encoding) = match bytes.strip_prefix(&[0xef, 0xbb, 0xbf]) {
        Some(rest) => (rest, "utf-8 (BOM)"),
        None => (bytes, "utf-8"),
    };
    match std::str::from_utf8(rest) {
        Ok(s) => Decoded {
            text: s.into(),
            encoding,
            warning: None,
        },
        Err(e) => Decoded {
            text: String::from_utf8_lossy(rest),
            encoding,
            warning: Some(format!(
                "invalid UTF-8 from byte {} on was replaced by \u{fffd}",
                e.valid_up_to()
            )),
        },
    }
}

fn utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16, encoding: &'static str) -> Decoded<'static> {
    let units: Vec<u16> = bytes.chunks_exact(2).map(|c| unit([c[0], c[1]])).collect();
    let mut warning =
        (bytes.len() % 2 == 1).then(|| "the UTF-16 text ends in half a character".to_string());
    let text = String::from_utf16(&units).unwrap_or_else(|_| {
        warning = Some("invalid UTF-16 was replaced by \u{fffd}".into());
        String::from_utf16_lossy(&units)
    });
    Decoded {
        text: text.into(),
        encoding,
        warning,
    }
}

/// Whether bytes start like UTF-16 text (a BOM).
pub fn has_utf16_bom(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        let mut le = vec![0xff, 0xfe];
        for u in "Time\tx".encode_utf16() {
            le.extend(u.to_le_bytes());
        }
        let d = decode(&le);
        assert_eq!((&*d.text, d.encoding), ("Time\tx", "utf-16le (BOM)"));
        let d = decode(b"\xef\xbb\xbfTime");
        assert_eq!((&*d.text, d.encoding), ("Time", "utf-8 (BOM)"));
        let d = decode(b"ok\xff");
        assert!(d.warning.unwrap().contains("byte 2"));
    }
}
