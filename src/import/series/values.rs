//! Times and numbers as exports write them.

/// How a file writes times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeFormat {
    EpochSeconds,
    EpochMillis,
    EpochMicros,
    EpochNanos,
    /// `YYYY-MM-DD HH:mm:ss`, no zone (Grafana "Formatted data").
    Local,
    /// ISO 8601 / RFC 3339 with a zone.
    Iso,
    /// ISO 8601 without a zone.
    IsoNoZone,
}

impl TimeFormat {
    pub fn describe(self) -> &'static str {
        match self {
            TimeFormat::EpochSeconds => "epoch-s",
            TimeFormat::EpochMillis => "epoch-ms",
            TimeFormat::EpochMicros => "epoch-us",
            TimeFormat::EpochNanos => "epoch-ns",
            TimeFormat::Local => "YYYY-MM-DD HH:mm:ss",
            TimeFormat::Iso => "ISO 8601",
            TimeFormat::IsoNoZone => "ISO 8601 without zone",
        }
    }

    /// Whether times in this format carry no zone (so UTC is assumed).
    pub fn zoneless(self) -> bool {
        matches!(self, TimeFormat::Local | TimeFormat::IsoNoZone)
    }
}

/// The offset from UTC of times written without a zone (a Grafana CSV's
/// "formatted" times are in the dashboard's zone; `dmesg -T` and syslog
/// print the host's local time). UTC unless the caller gives one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Zone {
    /// Seconds east of UTC.
    pub offset: i32,
    /// Whether the caller gave it (else UTC is assumed).
    pub given: bool,
}

impl Zone {
    pub fn given(offset_seconds: i32) -> Zone {
        Zone {
            offset: offset_seconds,
            given: true,
        }
    }

    /// A zoneless time read as if UTC, moved to real UTC.
    pub fn to_utc(self, seconds: f64) -> f64 {
        seconds - self.offset as f64
    }

    /// For the input report: `UTC (assumed: ...)` or `UTC+01:00 (given)`.
    pub fn describe(self) -> String {
        if !self.given {
            return "UTC (assumed: the file gives no zone)".into();
        }
        let sign = if self.offset < 0 { '-' } else { '+' };
        let m = self.offset.unsigned_abs() / 60;
        format!("UTC{sign}{:02}:{:02} (given)", m / 60, m % 60)
    }
}

/// Parses `+01:00`, `-0500`, `+5`, `Z` or `UTC` into seconds east of UTC.
pub fn parse_utc_offset(text: &str) -> Option<i32> {
    let s = text.trim();
    if s.eq_ignore_ascii_case("z") || s.eq_ignore_ascii_case("utc") {
        return Some(0);
    }
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() > 4 {
        return None;
    }
    let (h, m) = match digits.len() {
        1 | 2 => (digits.parse::<i32>().ok()?, 0),
        3 => (
            digits[..1].parse::<i32>().ok()?,
            digits[1..].parse::<i32>().ok()?,
        ),
        _ => (
            digits[..2].parse::<i32>().ok()?,
            digits[2..].parse::<i32>().ok()?,
        ),
    };
    (h <= 14 && m < 60).then_some(sign * (h * 3600 + m * 60))
}

/// Whether `t` (unix seconds) can be a time of a measurement: within
/// 1e11 s of 1970, from 1199 BC to the year 5138. Past that a number is a
/// glitch (a corrupt row, a mutated export), and drawing or dividing by
/// spans of 1e80 s makes nonsense of the charts and sentences.
pub fn plausible_time(t: f64) -> bool {
    t.is_finite() && t.abs() < 1e11
}

/// Parses a time cell to unix seconds. Zoneless times are read as UTC
/// (the caller moves them with its [`Zone`]).
pub fn parse_time(cell: &str) -> Option<(f64, TimeFormat)> {
    let s = cell.trim();
    if s.is_empty() {
        return None;
    }
    if s.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        let v: f64 = s.parse().ok()?;
        // Epoch values by magnitude: seconds are ~1e9 today, ms ~1e12.
        let time = if v < 1e11 {
            (v, TimeFormat::EpochSeconds)
        } else if v < 1e14 {
            (v / 1e3, TimeFormat::EpochMillis)
        } else if v < 1e17 {
            (v / 1e6, TimeFormat::EpochMicros)
        } else {
            (v / 1e9, TimeFormat::EpochNanos)
        };
        return Some(time).filter(|&(t, _)| plausible_time(t));
    }
    parse_civil(s)
}

/// `YYYY-MM-DD[ T]HH:MM[:SS[.fff]][Z|±HH:MM|±HHMM]`.
fn parse_civil(s: &str) -> Option<(f64, TimeFormat)> {
    let b = s.as_bytes();
    if b.len() < 16
        || b[4] != b'-'
        || b[7] != b'-'
        || !(b[10] == b' ' || b[10] == b'T')
        || b[13] != b':'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = s.get(r)?;
        t.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| t.parse().ok())?
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute) = (num(11..13)?, num(14..16)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return None;
    }
    let mut i = 16;
    let mut second = 0.0;
    if b.get(i) == Some(&b':') {
        let end = s[i + 1..]
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .map_or(s.len(), |e| i + 1 + e);
        second = s[i + 1..end].parse().ok()?;
        if !(0.0..61.0).contains(&second) {
            return None;
        }
        i = end;
    }
    let rest = &s[i..];
    let (offset, zoned) = match rest {
        "" => (0, false),
        "Z" | "z" => (0, true),
        _ => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let digits: String = rest[1..].chars().filter(|c| *c != ':').collect();
            if digits.len() != 4 || !digits.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let (h, m): (i64, i64) = (digits[..2].parse().ok()?, digits[2..].parse().ok()?);
            (sign * (h * 3600 + m * 60), true)
        }
    };
    let days = days_from_civil(year, month as u32, day as u32);
    let t = (days * 86_400 + hour * 3600 + minute * 60 - offset) as f64 + second;
    let format = match (zoned, b[10]) {
        (true, _) => TimeFormat::Iso,
        (false, b'T') => TimeFormat::IsoNoZone,
        (false, _) => TimeFormat::Local,
    };
    Some((t, format))
}

pub use crate::civil::days_from_civil;

/// The month number of an English month abbreviation (`Nov` → 11).
pub fn month_number(name: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let lower = name.get(..3)?.to_ascii_lowercase();
    MONTHS
        .iter()
        .position(|m| *m == lower)
        .map(|i| i as u32 + 1)
}

/// A value cell: a number, or a gap (`None`) for empty, `null`, `NaN`.
pub enum Cell {
    Number(f64),
    Gap,
    Bad,
}

/// Parses a plain number cell (Prometheus writes `NaN`, `+Inf`; JavaScript
/// `Infinity`).
pub fn parse_value(cell: &str) -> Cell {
    let s = cell.trim();
    match s {
        "" | "null" | "NaN" | "nan" | "undefined" => return Cell::Gap,
        "+Inf" | "Inf" | "Infinity" | "∞" => return Cell::Number(f64::INFINITY),
        "-Inf" | "-Infinity" | "-∞" => return Cell::Number(f64::NEG_INFINITY),
        _ => {}
    }
    match s.parse::<f64>() {
        Ok(v) => Cell::Number(v),
        Err(_) => Cell::Bad,
    }
}

/// How numbers group digits, for exports written with `toLocaleString`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberStyle {
    /// `1234.5`
    Plain,
    /// `1,234.5` (en-US)
    CommaGroups,
    /// `1.234,5` (de-DE)
    DotGroups,
}

/// Decides the number style of a column of cells; the flag says the choice
/// was not certain (only `1,234`-like values, which either style reads).
pub fn detect_style<'a>(cells: impl Iterator<Item = &'a str>) -> (NumberStyle, bool) {
    let (mut comma, mut dot, mut comma_not_group, mut dots_many) = (false, false, false, false);
    for c in cells {
        let c = c.trim();
        let (has_comma, has_dot) = (c.contains(','), c.contains('.'));
        if has_comma && has_dot {
            let decimal_is_dot = c.rfind('.') > c.rfind(',');
            return (
                if decimal_is_dot {
                    NumberStyle::CommaGroups
                } else {
                    NumberStyle::DotGroups
                },
                false,
            );
        }
        comma |= has_comma;
        dot |= has_dot;
        if has_comma && !groups_of_three(c, ',') {
            comma_not_group = true;
        }
        if c.matches('.').count() > 1 {
            dots_many = true;
        }
    }
    match (comma, dot) {
        (true, _) if comma_not_group => (NumberStyle::DotGroups, false),
        (true, _) => (NumberStyle::CommaGroups, true),
        (false, true) if dots_many => (NumberStyle::DotGroups, false),
        _ => (NumberStyle::Plain, false),
    }
}

fn groups_of_three(s: &str, sep: char) -> bool {
    let s = s.trim_start_matches(['-', '+']);
    let mut parts = s.split(sep);
    let first = parts.next().unwrap_or("");
    !first.is_empty()
        && first.len() <= 3
        && parts.all(|p| p.len() == 3 && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Parses a number written in a style.
pub fn parse_styled(cell: &str, style: NumberStyle) -> Cell {
    match style {
        NumberStyle::Plain => parse_value(cell),
        NumberStyle::CommaGroups => parse_value(&cell.replace(',', "")),
        NumberStyle::DotGroups => parse_value(&cell.replace('.', "").replace(',', ".")),
    }
}

/// Parses a value Grafana formatted with a unit (`9.65 MiB`, `1.2 GB`,
/// `150 req/s`): the number times the unit's factor, and whether a unit
/// was recognized.
pub fn parse_with_unit(cell: &str) -> Option<(f64, bool)> {
    let s = cell.trim();
    let split = s
        .find(|c: char| {
            !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E')
        })
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let v: f64 = num.trim().parse().ok()?;
    let unit = unit.trim();
    let factor = match unit {
        "" => return Some((v, false)),
        "B" => 1.0,
        "KiB" => 1024.0,
        "MiB" => 1024f64.powi(2),
        "GiB" => 1024f64.powi(3),
        "TiB" => 1024f64.powi(4),
        "kB" | "KB" => 1e3,
        "MB" => 1e6,
        "GB" => 1e9,
        "TB" => 1e12,
        "ns" => 1e-9,
        "µs" | "us" => 1e-6,
        "ms" => 1e-3,
        "s" => 1.0,
        "min" => 60.0,
        "h" => 3600.0,
        "%" => 0.01,
        "K" => 1e3,
        "Mil" | "M" => 1e6,
        "Bil" => 1e9,
        _ if unit.contains('/') || unit.starts_with("req") || unit.starts_with("ops") => 1.0,
        _ => return None,
    };
    Some((v * factor, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_offsets() {
        assert_eq!(parse_utc_offset("+01:00"), Some(3600));
        assert_eq!(parse_utc_offset("-0530"), Some(-(5 * 3600 + 30 * 60)));
        assert_eq!(parse_utc_offset("+5"), Some(5 * 3600));
        assert_eq!(parse_utc_offset("Z"), Some(0));
        assert_eq!(parse_utc_offset("Europe/Berlin"), None);
        assert_eq!(parse_utc_offset("+25:00"), None);
        assert_eq!(Zone::given(-18_000).describe(), "UTC-05:00 (given)");
    }

    #[test]
    fn times() {
        assert_eq!(
            parse_time("1795465567000"),
            Some((1795465567.0, TimeFormat::EpochMillis))
        );
        assert_eq!(
            parse_time("1795465567.5"),
            Some((1795465567.5, TimeFormat::EpochSeconds))
        );
        assert_eq!(
            parse_time("2026-11-23 20:26:07"),
            Some((1795465567.0, TimeFormat::Local))
        );
        assert_eq!(
            parse_time("2026-11-23T21:26:07+01:00"),
            Some((1795465567.0, TimeFormat::Iso))
        );
        assert_eq!(
            parse_time("2026-11-23T20:26:07.250Z"),
            Some((1795465567.25, TimeFormat::Iso))
        );
        assert_eq!(
            parse_time("2026-11-23T20:26:07+0000").map(|t| t.0),
            Some(1795465567.0)
        );
        assert_eq!(
            parse_time("1795465567000000000"),
            Some((1795465567.0, TimeFormat::EpochNanos))
        );
        // Past any epoch unit's plausible range (a fuzzer's row: 1.8e89).
        assert!(parse_time(&format!("1795{}", "5".repeat(80))).is_none());
        assert!(parse_time("23/11/2026 20:26").is_none());
        assert!(parse_time("2026-13-01 00:00:00").is_none());
    }

    #[test]
    fn number_styles() {
        let en = ["10,117,120", "1,234.5", "7"];
        assert_eq!(detect_style(en.iter().copied()).0, NumberStyle::CommaGroups);
        let de = ["1,5", "10.117.120"];
        assert_eq!(detect_style(de.iter().copied()).0, NumberStyle::DotGroups);
        assert!(
            matches!(parse_styled("10,117,120", NumberStyle::CommaGroups), Cell::Number(v) if v == 10117120.0)
        );
        assert!(
            matches!(parse_styled("1.234,5", NumberStyle::DotGroups), Cell::Number(v) if v == 1234.5)
        );
        let (style, unsure) = detect_style(["1,234"].iter().copied());
        assert_eq!((style, unsure), (NumberStyle::CommaGroups, true));
    }

    #[test]
    fn formatted_values() {
        assert_eq!(parse_with_unit("9.5 MiB"), Some((9.5 * 1048576.0, true)));
        assert_eq!(parse_with_unit("150 req/s"), Some((150.0, true)));
        assert_eq!(parse_with_unit("12"), Some((12.0, false)));
        assert_eq!(parse_with_unit("12 apples"), None);
    }
}
