//! Naming the files we do not read, from their first bytes.
//!
//! When decoding fails, the decoder's complaint ("field 10 is malformed")
//! says nothing useful about a perf.data or a screenshot: the person needs
//! to hear what the file is and what to do with it instead. This module
//! only recognises; it is consulted after every reader has refused the
//! input (`import::read_uncompressed`), so a signature here can never turn
//! away a file that some reader accepts.

use prost::encoding::{decode_key, decode_varint, WireType};

use crate::error::Error;

/// A format we recognise but do not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Foreign {
    /// What the file is ("Linux perf.data (perf record output)").
    pub what: &'static str,
    /// What is wrong with it here and what to do instead.
    pub advice: &'static str,
}

impl Foreign {
    /// The error for this file: one line saying what it is, that it is not
    /// something we read, and what to do.
    pub fn error(&self) -> Error {
        Error::unknown_format(format!("{}, {}", self.what, self.advice))
    }
}

/// Names the format of `head` (the first few KiB of the input, already
/// gunzipped), if it is one we know of but do not read.
pub fn foreign(head: &[u8]) -> Option<Foreign> {
    magic(head)
        .or_else(|| protobuf_shape(head))
        .or_else(|| text(head))
}

fn found(what: &'static str, advice: &'static str) -> Option<Foreign> {
    Some(Foreign { what, advice })
}

/// Fixed magic numbers at the start of the file.
fn magic(b: &[u8]) -> Option<Foreign> {
    let decompress = "which leakscope does not inflate: decompress it first and open the result";
    let picture = "not a profile: open the profile itself, not a picture of one";
    if b.starts_with(b"PERFILE2") || b.starts_with(b"PERFFILE") {
        return found(
            "Linux perf.data (perf record output)",
            "not a pprof profile: convert it with perf_to_profile (github.com/google/perf_data_converter)",
        );
    }
    if b.starts_with(b"FLR\0") {
        return found(
            "a Java Flight Recorder (JFR) recording",
            "not a pprof profile: convert it with jfr2pprof or async-profiler's converter (jfrconv --pprof)",
        );
    }
    if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        return found("a PNG image", picture);
    }
    if b.starts_with(&[0xff, 0xd8, 0xff]) {
        return found("a JPEG image", picture);
    }
    if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        return found("a GIF image", picture);
    }
    if b.len() >= 12 && b.starts_with(b"RIFF") && &b[8..12] == b"WEBP" {
        return found("a WebP image", picture);
    }
    if b.starts_with(b"%PDF-") {
        return found("a PDF document", picture);
    }
    if b.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        return found("zstd-compressed data", decompress);
    }
    if b.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
        return found("xz-compressed data", decompress);
    }
    if b.len() >= 4 && b.starts_with(b"BZh") && (b'1'..=b'9').contains(&b[3]) {
        return found("bzip2-compressed data", decompress);
    }
    if b.starts_with(&[0x04, 0x22, 0x4d, 0x18]) {
        return found("LZ4-compressed data", decompress);
    }
    if b.starts_with(&[b'7', b'z', 0xbc, 0xaf, 0x27, 0x1c]) {
        return found(
            "a 7z archive",
            "which leakscope does not unpack: extract it, or pack the files as .zip or .tar.gz",
        );
    }
    if b.starts_with(b"Rar!\x1a\x07") {
        return found(
            "a RAR archive",
            "which leakscope does not unpack: extract it, or pack the files as .zip or .tar.gz",
        );
    }
    // zlib: a deflate header (method 8, a window of at most 32 KiB) whose
    // two bytes are a multiple of 31, without a preset dictionary.
    if b.len() >= 2
        && b[0] & 0x0f == 8
        && b[0] >> 4 <= 7
        && b[1] & 0x20 == 0
        && (u16::from(b[0]) << 8 | u16::from(b[1])) % 31 == 0
    {
        return found("zlib-compressed data", decompress);
    }
    // Pyroscope's storage (segments, trees): a version byte, then the
    // length of a JSON metadata object Pyroscope writes first.
    if b.len() > 4 && (1..=4).contains(&b[0]) {
        let mut rest = &b[1..];
        if decode_varint(&mut rest).is_ok()
            && rest.starts_with(b"{\"")
            && contains(rest, b"\"spyName\"")
        {
            return found(
                "Pyroscope storage data (a segment from its database)",
                "not a profile: export the profile from Pyroscope as pprof instead",
            );
        }
    }
    None
}

/// Protobuf messages that are not `profile.proto`, told apart by the
/// shape of their first fields. A pprof `Profile` starts with
/// `sample_type` entries holding two numbers; each shape below puts a
/// nested message or text where those numbers would be.
fn protobuf_shape(b: &[u8]) -> Option<Foreign> {
    // The head is cut at a few KiB, so its last field may be cut short:
    // read the complete fields only.
    let top = fields_lenient(b);
    let (first_tag, first) = top.first()?;
    if *first_tag != 1 {
        return None;
    }
    let Value::Bytes(first) = first else {
        return None;
    };
    if is_perf_file_attr(first) {
        return found(
            "PerfDataProto (perf.data converted to protobuf by perf_data_converter)",
            "not a pprof profile: convert the perf.data with perf_to_profile instead",
        );
    }
    if is_otlp_resource_profiles(first) {
        return found(
            "an OTLP (OpenTelemetry) profiles protobuf",
            "not a pprof profile: export pprof from the collector or profiler instead",
        );
    }
    if top.len() >= 2 && top.iter().all(|(tag, v)| pyroscope_label_entry(*tag, v)) {
        return found(
            "a Pyroscope labels snapshot (the label table of its JFR converter)",
            "not a profile: it holds label names only",
        );
    }
    let traces: Vec<&Value> = top
        .iter()
        .take_while(|(tag, _)| *tag == 1)
        .map(|(_, v)| v)
        .collect();
    if traces.len() >= 2 && traces.iter().all(|v| is_pyroscope_stacktrace(v)) {
        return found(
            "a Pyroscope stack-trace protobuf (its internal query format)",
            "not a pprof profile: export the profile from Pyroscope as pprof instead",
        );
    }
    None
}

/// perf_data_converter's `PerfFileAttr { PerfEventAttr attr = 1; ... }`,
/// whose attr holds only numbers, among them the kernel's
/// `perf_event_attr` size (a multiple of 8, 64 to 136 bytes so far).
fn is_perf_file_attr(b: &[u8]) -> bool {
    let Some(file_attr) = fields_strict(b) else {
        return false;
    };
    let Some((1, Value::Bytes(attr))) = file_attr.first() else {
        return false;
    };
    let Some(attr) = fields_strict(attr) else {
        return false;
    };
    let size = attr.iter().find_map(|(tag, v)| match (tag, v) {
        (2, Value::Varint(n)) => Some(*n),
        _ => None,
    });
    attr.len() >= 8
        && attr.iter().all(|(_, v)| matches!(v, Value::Varint(_)))
        && size.is_some_and(|s| (64..=136).contains(&s) && s % 8 == 0)
}

/// OTLP's `ResourceProfiles { Resource resource = 1; ... }`, whose first
/// attribute has a text key such as `process.pid` or `service.name`.
fn is_otlp_resource_profiles(b: &[u8]) -> bool {
    let rp = fields_lenient(b);
    let Some((1, Value::Bytes(resource))) = rp.first() else {
        return false;
    };
    let Some(resource) = fields_strict(resource) else {
        return false;
    };
    let Some((1, Value::Bytes(kv))) = resource.first() else {
        return false;
    };
    let Some(kv) = fields_strict(kv) else {
        return false;
    };
    match kv.as_slice() {
        [(1, Value::Bytes(key)), (2, Value::Bytes(_)), ..] => {
            !key.is_empty()
                && key.contains(&b'.')
                && key
                    .iter()
                    .all(|c| c.is_ascii_lowercase() || matches!(c, b'.' | b'_' | b'-'))
        }
        _ => false,
    }
}

/// Pyroscope's `LabelsSnapshot`: map entries `1: {id, {1: {k, v}}}` and
/// `2: {id, "text"}`.
fn pyroscope_label_entry(tag: u32, v: &Value) -> bool {
    let Value::Bytes(entry) = v else {
        return false;
    };
    let Some(entry) = fields_strict(entry) else {
        return false;
    };
    match (tag, entry.as_slice()) {
        (1, [(1, Value::Varint(_)), (2, Value::Bytes(context))]) => fields_strict(context)
            .is_some_and(|labels| {
                labels.iter().all(|(t, l)| {
                    *t == 1
                        && matches!(l, Value::Bytes(pair) if fields_strict(pair).is_some_and(|p|
                            p.iter().all(|(_, x)| matches!(x, Value::Varint(_)))))
                })
            }),
        (2, [(1, Value::Varint(_)), (2, Value::Bytes(text))]) => std::str::from_utf8(text).is_ok(),
        _ => false,
    }
}

/// Pyroscope's stack traces: `{ repeated ids = 1 (packed); value = 2 }`.
fn is_pyroscope_stacktrace(v: &Value) -> bool {
    let Value::Bytes(b) = v else {
        return false;
    };
    matches!(
        fields_strict(b).as_deref(),
        Some([(1, Value::Bytes(ids)), (2, Value::Varint(_))]) if packed_varints(ids)
    )
}

fn packed_varints(mut b: &[u8]) -> bool {
    while !b.is_empty() {
        if decode_varint(&mut b).is_err() {
            return false;
        }
    }
    true
}

/// Text formats: other tools' reports and exchange formats.
fn text(b: &[u8]) -> Option<Foreign> {
    let head = String::from_utf8_lossy(b);
    let head = head.trim_start_matches('\u{feff}').trim_start();
    let lines: Vec<&str> = head
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .take(12)
        .collect();
    let first = *lines.first()?;
    let has_line = |p: &str| lines.iter().any(|l| l.starts_with(p));
    let pprof_text = "not a profile: give leakscope the profile pprof read (the .pb.gz, or the /debug/pprof URL's output)";
    if (first.starts_with("PeriodType:") || first.starts_with("Period:")) && has_line("Samples:") {
        return found("pprof -raw output (text)", pprof_text);
    }
    if (first.starts_with("File:") || first.starts_with("Type:")) && has_line("-----------+-------")
    {
        return found("pprof -traces output (text)", pprof_text);
    }
    if head.contains("Showing nodes accounting for") && head.contains("flat  flat%   sum%") {
        return found("pprof -top/-text output (a report)", pprof_text);
    }
    if first.starts_with("heap_v2/") {
        return found(
            "a jemalloc heap profile (heap_v2)",
            "which pprof and leakscope do not read: open it with jeprof",
        );
    }
    if first == "go test fuzz v1" {
        return found(
            "a Go fuzz corpus file (go test fuzz v1)",
            "not a profile: it holds a fuzz test's input values",
        );
    }
    let lower: String = head
        .chars()
        .take(512)
        .collect::<String>()
        .to_ascii_lowercase();
    if lower.starts_with("<!doctype html") || lower.starts_with("<html") {
        return found(
            "an HTML page",
            "not a profile: was a login or error page saved instead of the file?",
        );
    }
    if lower.starts_with("<svg") || (lower.starts_with("<?xml") && lower.contains("<svg")) {
        return found(
            "an SVG image",
            "not a profile: open the profile itself, not a picture of one",
        );
    }
    if head.starts_with('{') || head.starts_with('[') {
        return json(head);
    }
    // The last line may be cut short by the head's end. A ';' is required:
    // `name 12` alone is also a Prometheus scrape line.
    let complete = &lines[..lines.len() - 1];
    if complete.len() >= 2
        && complete.iter().all(|l| is_folded(l))
        && complete.iter().any(|l| l.contains(';'))
    {
        return found(
            "collapsed (folded) stacks, as flamegraph.pl and Pyroscope write",
            "not a pprof profile: convert them with pprofutils (folded to pprof), or open them in speedscope",
        );
    }
    None
}

/// JSON that other profilers write, by the keys near its start.
fn json(head: &str) -> Option<Foreign> {
    if head.contains("speedscope.app/file-format-schema") {
        return found(
            "a speedscope JSON profile",
            "not a pprof profile: open it in speedscope (speedscope.app)",
        );
    }
    if head.contains("\"resourceProfiles\"") {
        return found(
            "an OTLP (OpenTelemetry) profiles JSON",
            "not a pprof profile: export pprof from the collector or profiler instead",
        );
    }
    if head.contains("\"flamebearer\"")
        || (head.contains("\"numTicks\"") && head.contains("\"levels\""))
    {
        return found(
            "Pyroscope flamebearer JSON (a flame graph export)",
            "not a pprof profile: export the profile from Pyroscope as pprof instead",
        );
    }
    if head.contains("\"snapshot\"") && head.contains("\"node_fields\"") {
        return found(
            "a V8/Chrome heap snapshot (.heapsnapshot)",
            "not a pprof profile: open it in Chrome DevTools' Memory tab",
        );
    }
    if head.contains("\"nodes\"") && head.contains("\"callFrame\"") {
        return found(
            "a Chrome/V8 CPU profile (.cpuprofile)",
            "not a pprof profile: open it in Chrome DevTools or speedscope",
        );
    }
    if head.contains("\"traceEvents\"") || (head.starts_with('[') && head.contains("\"ph\"")) {
        return found(
            "a Chrome trace (trace event JSON)",
            "not a pprof profile: open it in Perfetto (ui.perfetto.dev) or chrome://tracing",
        );
    }
    None
}

/// A folded-stack line: frames joined by `;`, a space, a count.
fn is_folded(line: &str) -> bool {
    match line.rsplit_once(' ') {
        Some((stack, count)) => {
            !stack.trim().is_empty()
                && !count.is_empty()
                && count.bytes().all(|c| c.is_ascii_digit())
                && (stack.contains(';') || !stack.contains(' '))
        }
        None => false,
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// A protobuf field's value, as the wire gives it.
#[derive(Debug)]
enum Value<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    Fixed,
}

/// One protobuf field, through prost's own wire decoding (the pprof
/// decoder's), or `None` where the bytes are not one.
fn field<'a>(b: &mut &'a [u8]) -> Option<(u32, Value<'a>)> {
    let (tag, wire) = decode_key(b).ok()?;
    let value = match wire {
        WireType::Varint => Value::Varint(decode_varint(b).ok()?),
        WireType::SixtyFourBit | WireType::ThirtyTwoBit => {
            let n = if wire == WireType::SixtyFourBit { 8 } else { 4 };
            *b = b.get(n..)?;
            Value::Fixed
        }
        WireType::LengthDelimited => {
            let n = usize::try_from(decode_varint(b).ok()?).ok()?;
            let body = b.get(..n)?;
            *b = &b[n..];
            Value::Bytes(body)
        }
        WireType::StartGroup | WireType::EndGroup => return None,
    };
    Some((tag, value))
}

/// Every field of a complete message, or `None` if it is not one.
fn fields_strict(mut b: &[u8]) -> Option<Vec<(u32, Value<'_>)>> {
    let mut out = Vec::new();
    while !b.is_empty() {
        out.push(field(&mut b)?);
    }
    Some(out)
}

/// The fields up to the first that is cut short or broken.
fn fields_lenient(mut b: &[u8]) -> Vec<(u32, Value<'_>)> {
    std::iter::from_fn(|| field(&mut b)).take(64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn what(b: &[u8]) -> &'static str {
        foreign(b).map_or("", |f| f.what)
    }

    /// A protobuf field with a length-delimited body.
    fn msg(tag: u8, body: &[u8]) -> Vec<u8> {
        let mut out = vec![tag << 3 | 2, body.len() as u8];
        out.extend_from_slice(body);
        out
    }

    #[test]
    fn binary_magics_are_named() {
        assert!(what(b"PERFILE2h\0\0\0").contains("perf.data"));
        assert!(what(b"FLR\0\0\x02\0\x01").contains("JFR"));
        assert!(what(b"\x89PNG\r\n\x1a\n\0\0").contains("PNG"));
        assert!(what(&[0xff, 0xd8, 0xff, 0xe0]).contains("JPEG"));
        assert!(what(b"GIF89a\x01\0").contains("GIF"));
        assert!(what(b"RIFF\x10\0\0\0WEBPVP8 ").contains("WebP"));
        assert!(what(b"%PDF-1.7\n").contains("PDF"));
        assert!(what(&[0x28, 0xb5, 0x2f, 0xfd, 0x24]).contains("zstd"));
        assert!(what(&[0xfd, b'7', b'z', b'X', b'Z', 0, 0]).contains("xz"));
        assert!(what(b"BZh91AY&SY").contains("bzip2"));
        assert!(what(&[0x04, 0x22, 0x4d, 0x18, 0x64]).contains("LZ4"));
        assert!(what(&[b'7', b'z', 0xbc, 0xaf, 0x27, 0x1c, 0]).contains("7z"));
        assert!(what(b"Rar!\x1a\x07\x01\x00").contains("RAR"));
        assert!(what(&[0x78, 0x9c, 0x03, 0x00]).contains("zlib"));
        assert!(what(&[0x78, 0xda, 0x03, 0x00]).contains("zlib"));
        // 0x78 0x9d is not a multiple of 31: not zlib.
        assert!(!what(&[0x78, 0x9d, 0x03, 0x00]).contains("zlib"));
        let mut segment = vec![3u8, 20];
        segment.extend_from_slice(b"{\"spyName\":\"gospy\"}");
        assert!(what(&segment).contains("Pyroscope storage"));
    }

    #[test]
    fn protobuf_shapes_are_named() {
        // PerfFileAttr { attr { type: 1, size: 96, and more numbers } }.
        let attr: Vec<u8> = [
            0x08, 1, 0x10, 96, 0x18, 0, 0x20, 1, 0x28, 0, 0x30, 1, 0x38, 4, 0x40, 1,
        ]
        .to_vec();
        let perf = msg(1, &msg(1, &attr));
        assert!(what(&perf).contains("PerfDataProto"), "{}", what(&perf));
        // A size that no perf_event_attr has is not taken for one.
        let mut odd = attr.clone();
        odd[3] = 95;
        assert!(!what(&msg(1, &msg(1, &odd))).contains("PerfDataProto"));

        // ResourceProfiles { resource { attributes { "service.name", {..} } } }.
        let mut kv = msg(1, b"service.name");
        kv.extend(msg(2, &msg(1, b"api")));
        let otlp = msg(1, &msg(1, &msg(1, &kv)));
        assert!(what(&otlp).contains("OTLP"), "{}", what(&otlp));

        // Two stack traces: packed ids and a value each.
        let mut st = msg(1, &[1, 2, 3]);
        st.extend([0x10, 7]);
        let mut traces = msg(1, &st);
        traces.extend(msg(1, &st));
        assert!(what(&traces).contains("Pyroscope stack-trace"));

        // LabelsSnapshot { contexts {1: {labels {1: 3}}}, strings {3: "x"} }.
        let mut context = vec![0x08, 1];
        context.extend(msg(2, &msg(1, &[0x08, 1, 0x10, 3])));
        let mut labels = msg(1, &context);
        let mut string = vec![0x08, 3];
        string.extend(msg(2, b"thread_name"));
        labels.extend(msg(2, &string));
        assert!(
            what(&labels).contains("Pyroscope labels"),
            "{}",
            what(&labels)
        );

        // A real pprof start (sample_type {type: 1, unit: 2}) is none of these.
        assert_eq!(what(&msg(1, &[0x08, 1, 0x10, 2])), "");
    }

    #[test]
    fn text_formats_are_named() {
        assert!(
            what(b"PeriodType: cpu nanoseconds\nPeriod: 10000000\nSamples:\nsamples/count\n")
                .contains("pprof -raw")
        );
        assert!(what(
            b"File: server\nType: inuse_space\n-----------+-------------------------------------------------------\n"
        )
        .contains("pprof -traces"));
        assert!(what(
            b"Type: cpu\nShowing nodes accounting for 10ms, 100% of 10ms total\n      flat  flat%   sum%        cum   cum%\n"
        )
        .contains("pprof -top"));
        assert!(what(b"heap_v2/524288\n  t*: 1: 2 [0: 0]\n").contains("jemalloc"));
        assert!(what(b"go test fuzz v1\n[]byte(\"x\")\n").contains("Go fuzz corpus"));
        assert!(what(b"main;work;alloc 12\nmain;idle 3\nmain;gc 1\n").contains("collapsed"));
        assert!(what(b"<!DOCTYPE html>\n<html>").contains("HTML"));
        assert!(what(b"<?xml version=\"1.0\"?>\n<svg xmlns=").contains("SVG"));
        assert!(what(
            br#"{"$schema": "https://www.speedscope.app/file-format-schema.json", "profiles": []}"#
        )
        .contains("speedscope"));
        assert!(what(br#"{"resourceProfiles":[{"resource":{}}]}"#).contains("OTLP"));
        assert!(
            what(br#"{"version":1,"flamebearer":{"names":["total"],"levels":[[0,1,0,0]]}}"#)
                .contains("flamebearer")
        );
        assert!(what(br#"{"nodes":[{"id":1,"callFrame":{"functionName":"(root)"}}],"samples":[1],"timeDeltas":[0]}"#)
            .contains(".cpuprofile"));
        assert!(what(br#"{"traceEvents":[{"name":"a","ph":"X"}]}"#).contains("Chrome trace"));
        assert!(
            what(br#"{"snapshot":{"meta":{"node_fields":["type"]}}}"#).contains("heap snapshot")
        );
        // A Grafana CSV with ';' separators is not taken for folded stacks.
        assert_eq!(
            what(b"Time;value\n2024-01-01 10:00:00;12\n2024-01-01 10:00:01;13\n"),
            ""
        );
    }

    #[test]
    fn text_cut_inside_a_character_does_not_panic() {
        let mut b = vec![b'a'; 511];
        b.extend("é€".as_bytes());
        assert_eq!(what(&b), "");
    }

    #[test]
    fn messages_are_one_short_line() {
        for head in [&b"PERFILE2"[..], b"FLR\0", b"heap_v2/1\n", b"%PDF-1.4"] {
            let e = foreign(head).unwrap().error();
            assert!(
                e.message.len() < 200 && !e.message.contains('\n'),
                "{}",
                e.message
            );
        }
    }
}
