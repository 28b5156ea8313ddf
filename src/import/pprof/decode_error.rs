//! prost's decode errors in a person's words.
//!
//! prost names the Rust structs and fields it was filling
//! (`ValueType.r#type: Profile.sample_type: invalid wire type: ...`), which
//! means nothing to someone who dropped a file. This turns that text into
//! the proto's own field names, outermost last ("type of sample_type"),
//! and the reason into plain words.

/// Describes prost's error merging one top-level field of `Profile`;
/// `field` names it ("duration_nanos (field 10)") and replaces prost's
/// outermost path item, which is that same field in Rust's spelling.
pub fn in_field(e: &prost::DecodeError, field: &str) -> String {
    describe(e, field, true)
}

/// Describes prost's error decoding the body of a message that `what`
/// names ("sample 3"); prost's path starts inside it.
pub fn in_message(e: &prost::DecodeError, what: &str) -> String {
    describe(e, what, false)
}

/// prost's reason alone, for errors outside any message (a field's key).
pub fn plain(e: &prost::DecodeError) -> String {
    let text = e.to_string();
    reason(
        text.strip_prefix("failed to decode Protobuf message: ")
            .unwrap_or(&text),
    )
}

fn describe(e: &prost::DecodeError, outer: &str, replaces_outermost: bool) -> String {
    let text = e.to_string();
    let text = text
        .strip_prefix("failed to decode Protobuf message: ")
        .unwrap_or(&text);
    // The path comes first, innermost first: `Message.field: ` items.
    let mut path = Vec::new();
    let mut rest = text;
    while let Some((item, tail)) = rest.split_once(": ") {
        match item.split_once('.') {
            Some((message, field))
                if is_identifier(message) && is_identifier(field.trim_start_matches("r#")) =>
            {
                path.push(field.trim_start_matches("r#"));
                rest = tail;
            }
            _ => break,
        }
    }
    if replaces_outermost {
        path.pop();
    }
    path.push(outer);
    format!("{} is malformed: {}", path.join(" of "), reason(rest))
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// prost's reasons, in words.
fn reason(r: &str) -> String {
    if let Some(types) = r.strip_prefix("invalid wire type: ") {
        // "LengthDelimited (expected Varint)"
        let (found, expected) = types
            .split_once(" (expected ")
            .map_or((types, ""), |(f, e)| (f, e.trim_end_matches(')')));
        return format!(
            "it holds {} where {} belongs",
            wire_type(found),
            wire_type(expected)
        );
    }
    if let Some(value) = r.strip_prefix("invalid wire type value: ") {
        return format!("wire type {value} does not exist");
    }
    match r {
        "buffer underflow" => "the data ends inside it (truncated?)".to_string(),
        "invalid varint" => "a number in it is not a valid varint".to_string(),
        "delimited length exceeded" => "a length in it runs past its end".to_string(),
        "recursion limit reached" => "it is nested too deeply".to_string(),
        _ if r.starts_with("invalid tag value: 0") => {
            "it holds field number 0, which no message has".to_string()
        }
        _ if r.starts_with("invalid string value") => "a text in it is not UTF-8".to_string(),
        // Anything else prost says is already plain words; keep it free of
        // Rust paths all the same.
        _ => r.replace("::", " ").replace("r#", ""),
    }
}

fn wire_type(name: &str) -> &str {
    match name {
        "Varint" => "a number",
        "LengthDelimited" => "length-prefixed bytes",
        "ThirtyTwoBit" => "a 32-bit value",
        "SixtyFourBit" => "a 64-bit value",
        "StartGroup" | "EndGroup" => "a group",
        "" => "another type",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::pprof::wire;
    use prost::Message;

    fn decode_err(bytes: &[u8]) -> prost::DecodeError {
        wire::Profile::decode(bytes).unwrap_err()
    }

    #[test]
    fn rust_names_become_proto_fields() {
        // sample_type { type: <bytes> }: the type must be a number.
        let e = decode_err(&[0x0a, 0x03, 0x0a, 0x01, 0x00]);
        assert!(e.to_string().contains("r#type"), "prost changed: {e}");
        let s = in_field(&e, "sample_type (field 1)");
        assert_eq!(
            s,
            "type of sample_type (field 1) is malformed: it holds length-prefixed bytes where a number belongs"
        );
    }

    #[test]
    fn truncation_is_said_plainly() {
        let e = decode_err(&[0x0a, 0x05, 0x08]);
        let s = in_field(&e, "sample_type (field 1)");
        assert!(!s.contains("DecodeError") && !s.contains("Profile."), "{s}");
        assert!(s.ends_with("(truncated?)"), "{s}");
    }

    #[test]
    fn a_sample_names_its_own_field() {
        // Sample { location_id: <a 64-bit value> } cannot be ids.
        let e = wire::Sample::decode(&[0x09, 1, 2, 3, 4, 5, 6, 7, 8][..]).unwrap_err();
        let s = in_message(&e, "sample 3");
        assert!(
            s.starts_with("location_id of sample 3 is malformed: it holds a 64-bit value"),
            "{s}"
        );
    }
}
