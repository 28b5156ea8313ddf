//! Files packed into a link: the `#data=` fragment the page's "Copy link"
//! writes and reads, and `leakscope link` prints.
//!
//! The text is base64url (no padding) of a version byte followed by raw
//! DEFLATE of the files, each as `varint name length, name (UTF-8), varint
//! data length, data`. A fragment never reaches a server, so the link
//! carries the files themselves; typical Go heap profiles (2–50 KB,
//! already gzipped) make links of a few tens of KB.

use std::io::{Read, Write};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use flate2::Compression;

use crate::{Error, Result};

/// The format written today; a link with a later one names the problem.
const FORMAT: u8 = 1;

/// How much a link may unpack to. DEFLATE expands up to ~1000:1, so a
/// crafted 2 MB link could unpack to 1.5 GB; real links carry a few MB.
pub const MAX_UNPACKED: u64 = 256 << 20;

/// The longest link worth making (browsers and chat tools cope with 2 MB);
/// www/share.js's LINK_BUDGET is the same figure. Past it, a report.
pub const LINK_BUDGET: usize = 2_000_000;

/// The single-file page (`dist/leakscope.html`) with files inside: a report
/// that opens on `hash` (the view, `""` for the Overview) anywhere, even
/// offline, as the page's "Download report" writes it (www/assets.js).
/// The data is base64url and the hash is escaped, so nothing can close
/// the element.
pub fn report_html(page: &str, hash: &str, data: &str) -> Result<String> {
    const OPEN: &str = r#"<script type="application/json" id="leakscope-data">"#;
    let at = page.find(OPEN).ok_or_else(|| {
        Error::invalid_option("the single-file page has no place for data: is it dist/leakscope.html, as scripts/build-dist makes it?")
    })?;
    let body = at + OPEN.len();
    let end = body
        + page[body..].find("</script>").ok_or_else(|| {
            Error::invalid_option("the single-file page's data element is not closed")
        })?;
    let json = format!(
        r#"{{"hash":"{}","data":"{data}"}}"#,
        hash.replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('<', "\\u003c")
    );
    Ok(format!("{}{json}{}", &page[..body], &page[end..]))
}

/// A file carried in a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Packs files into the text of a `#data=` fragment.
pub fn pack(files: &[SharedFile]) -> String {
    let mut raw = Vec::new();
    for f in files {
        put_varint(&mut raw, f.name.len() as u64);
        raw.extend_from_slice(f.name.as_bytes());
        put_varint(&mut raw, f.bytes.len() as u64);
        raw.extend_from_slice(&f.bytes);
    }
    let mut out = vec![FORMAT];
    let mut encoder = DeflateEncoder::new(&mut out, Compression::best());
    // Writing into a Vec cannot fail.
    encoder.write_all(&raw).expect("deflate into memory");
    encoder.finish().expect("deflate into memory");
    URL_SAFE_NO_PAD.encode(out)
}

/// The files in the text of a `#data=` fragment, at most [`MAX_UNPACKED`].
pub fn unpack(text: &str) -> Result<Vec<SharedFile>> {
    unpack_with_limit(text, MAX_UNPACKED)
}

/// [`unpack`] with another limit on the unpacked size, in bytes.
pub fn unpack_with_limit(text: &str, limit: u64) -> Result<Vec<SharedFile>> {
    let packed = URL_SAFE_NO_PAD.decode(text.trim()).map_err(|e| {
        Error::malformed(format!(
            "the link's data is not base64url ({e}); was the link cut short when it was copied?"
        ))
    })?;
    let (&format, deflated) = packed
        .split_first()
        .ok_or_else(|| Error::malformed("the link's data is empty"))?;
    if format != FORMAT {
        return Err(Error::malformed(format!(
            "the link's data is in format {format}, which this version of leakscope does not read (it reads format {FORMAT})"
        )));
    }
    let mut raw = Vec::new();
    DeflateDecoder::new(deflated)
        .take(limit + 1)
        .read_to_end(&mut raw)
        .map_err(|e| {
            Error::malformed(format!(
                "the link's data is damaged ({e}); was the link cut short when it was copied?"
            ))
        })?;
    if raw.len() as u64 > limit {
        return Err(Error::limit(format!(
            "the link's data unpacks to more than {limit} bytes, the most a link may carry"
        )));
    }
    let mut files = Vec::new();
    let mut rest = &raw[..];
    while !rest.is_empty() {
        let which = files.len() + 1;
        let name = take_field(&mut rest, which, "name")?;
        let name = String::from_utf8(name.to_vec()).map_err(|_| {
            Error::malformed(format!(
                "the link's file {which} has a name that is not UTF-8"
            ))
        })?;
        let bytes = take_field(&mut rest, which, "content")?.to_vec();
        files.push(SharedFile { name, bytes });
    }
    Ok(files)
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// A length-prefixed field, advancing `rest` past it.
fn take_field<'a>(rest: &mut &'a [u8], which: usize, what: &str) -> Result<&'a [u8]> {
    let truncated =
        || Error::malformed(format!("the link's file {which} is cut short (its {what})"));
    let mut len: u64 = 0;
    let mut shift = 0;
    loop {
        let (&b, tail) = rest.split_first().ok_or_else(truncated)?;
        *rest = tail;
        if shift > 63 {
            return Err(truncated());
        }
        len |= u64::from(b & 0x7f) << shift;
        shift += 7;
        if b < 0x80 {
            break;
        }
    }
    if len > rest.len() as u64 {
        return Err(truncated());
    }
    let (field, tail) = rest.split_at(len as usize);
    *rest = tail;
    Ok(field)
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_report_is_the_page_with_the_files_inside() {
        let page = r#"<html><script type="application/json" id="leakscope-data">null</script><p>x</p></html>"#;
        let data = pack(&[SharedFile {
            name: "heap.0.pb.gz".into(),
            bytes: vec![1, 2, 3],
        }]);
        let html = report_html(page, "view=top&f=</script>", &data).unwrap();
        assert_eq!(
            html,
            format!(
                r#"<html><script type="application/json" id="leakscope-data">{{"hash":"view=top&f=\u003c/script>","data":"{data}"}}</script><p>x</p></html>"#
            )
        );
        assert!(report_html("<html></html>", "", &data)
            .unwrap_err()
            .message
            .contains("no place for data"));
    }

    use super::*;

    fn file(name: &str, bytes: &[u8]) -> SharedFile {
        SharedFile {
            name: name.into(),
            bytes: bytes.into(),
        }
    }

    #[test]
    fn files_survive_the_round_trip() {
        let files = vec![
            file("heap.0.pprof", &[0x1f, 0x8b, 0, 1, 2, 255]),
            file("<img src=x onerror=alert(1)>.csv", b"Time,value\n1,2\n"),
            file("empty", b""),
            file(&"n".repeat(300), &vec![7; 100_000]),
        ];
        let text = pack(&files);
        assert!(text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(unpack(&text).unwrap(), files);
        assert!(
            text.len() < 1000,
            "100 kB of one byte compresses: {}",
            text.len()
        );
        assert_eq!(unpack(&pack(&[])).unwrap(), vec![]);
    }

    #[test]
    fn damaged_links_say_what_is_wrong() {
        let text = pack(&[file("a.txt", &b"hello world ".repeat(50))]);
        let err = unpack(&text[..text.len() / 2]).unwrap_err();
        assert!(err.message.contains("cut short"), "{}", err.message);
        let err = unpack("not base64!").unwrap_err();
        assert!(err.message.contains("not base64url"), "{}", err.message);
        assert!(unpack("").unwrap_err().message.contains("empty"));
        let mut future = URL_SAFE_NO_PAD.decode(&text).unwrap();
        future[0] = 9;
        let err = unpack(&URL_SAFE_NO_PAD.encode(future)).unwrap_err();
        assert!(err.message.contains("format 9"), "{}", err.message);
    }

    #[test]
    fn a_length_past_the_end_is_an_error_not_a_panic() {
        let mut raw = Vec::new();
        put_varint(&mut raw, 1);
        raw.push(b'a');
        put_varint(&mut raw, u64::MAX);
        let mut out = vec![FORMAT];
        let mut e = DeflateEncoder::new(&mut out, Compression::fast());
        e.write_all(&raw).unwrap();
        e.finish().unwrap();
        let err = unpack(&URL_SAFE_NO_PAD.encode(out)).unwrap_err();
        assert!(
            err.message.contains("file 1 is cut short (its content)"),
            "{}",
            err.message
        );
    }

    #[test]
    fn a_bomb_hits_the_limit() {
        // 4 MiB of zeros deflate to ~4 kB.
        let text = pack(&[file("zeros", &vec![0u8; 4 << 20])]);
        assert!(text.len() < 10_000);
        let err = unpack_with_limit(&text, 1 << 20).unwrap_err();
        assert_eq!(err.kind, crate::ErrorKind::Limit);
        assert!(
            err.message.contains("more than 1048576 bytes"),
            "{}",
            err.message
        );
        assert_eq!(
            unpack_with_limit(&text, 8 << 20).unwrap()[0].bytes.len(),
            4 << 20
        );
    }
}
