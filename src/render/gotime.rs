//! Go's time and duration formats, as pprof prints them (always in UTC:
//! the core reads no clock and no time zone).

struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: i64,
    minute: i64,
    second: i64,
    nanos: i64,
}

fn civil(unix_nanos: i64) -> Civil {
    let secs = unix_nanos.div_euclid(1_000_000_000);
    let nanos = unix_nanos.rem_euclid(1_000_000_000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (year, month, day) = crate::civil::civil_from_days(days);
    Civil {
        year,
        month,
        day,
        hour: rem / 3600,
        minute: rem % 3600 / 60,
        second: rem % 60,
        nanos,
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// pprof's report header time: `Jul 30, 2018 at 6:11pm (UTC)`.
pub fn report_time(unix_nanos: i64) -> String {
    let c = civil(unix_nanos);
    let (h12, ampm) = match c.hour {
        0 => (12, "am"),
        1..=11 => (c.hour, "am"),
        12 => (12, "pm"),
        h => (h - 12, "pm"),
    };
    format!(
        "{} {}, {} at {}:{:02}{} (UTC)",
        MONTHS[(c.month - 1) as usize],
        c.day,
        c.year,
        h12,
        c.minute,
        ampm
    )
}

/// Go's `time.Time.String()` in UTC: `2018-07-30 18:11:35.635786076 +0000 UTC`.
pub fn time_string(unix_nanos: i64) -> String {
    let c = civil(unix_nanos);
    let mut s = format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    );
    if c.nanos != 0 {
        let frac = format!("{:09}", c.nanos);
        s.push('.');
        s.push_str(frac.trim_end_matches('0'));
    }
    s.push_str(" +0000 UTC");
    s
}

/// An ISO 8601 UTC timestamp, for JSON.
pub fn iso8601(unix_nanos: i64) -> String {
    let c = civil(unix_nanos);
    let mut s = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    );
    if c.nanos != 0 {
        s.push_str(format!(".{:09}", c.nanos).trim_end_matches('0'));
    }
    s.push('Z');
    s
}

/// A moment for prose: `2026-11-23 22:49:08 UTC` (unix seconds in).
pub fn moment(unix_seconds: f64) -> String {
    let c = civil((unix_seconds.floor() as i64).saturating_mul(1_000_000_000));
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

/// A stretch of time for prose: `2026-11-23 22:48:30–22:54:12 UTC`, the
/// date said once when both ends fall on one day.
pub fn span(from: f64, to: f64) -> String {
    let (a, b) = (moment(from), moment(to));
    if a[..10] == b[..10] {
        format!("{}–{}", &a[..19], &b[11..])
    } else {
        format!("{}–{}", &a[..19], b)
    }
}

/// Go's `time.Duration.String()`: `4h34m54.5s`, `1.5ms`, `0s`.
pub fn duration_string(nanos: i64) -> String {
    let neg = nanos < 0;
    let mut u = nanos.unsigned_abs();
    let mut out = String::new();
    if u < 1_000_000_000 {
        if u == 0 {
            return "0s".to_string();
        }
        let (prec, unit) = if u < 1_000 {
            (0, "ns")
        } else if u < 1_000_000 {
            (3, "µs")
        } else {
            (6, "ms")
        };
        let (frac, int) = fraction(u, prec);
        out.push_str(&int.to_string());
        out.push_str(&frac);
        out.push_str(unit);
    } else {
        let (frac, secs) = fraction(u, 9);
        u = secs;
        let s = u % 60;
        u /= 60;
        if u > 0 {
            let m = u % 60;
            u /= 60;
            if u > 0 {
                out.push_str(&format!("{u}h"));
            }
            out.push_str(&format!("{m}m"));
        }
        out.push_str(&format!("{s}{frac}s"));
    }
    if neg {
        out.insert(0, '-');
    }
    out
}

/// Splits `v / 10^prec` into its fraction (".25", trailing zeros and the
/// point dropped when zero) and integer part.
fn fraction(v: u64, prec: u32) -> (String, u64) {
    let scale = 10u64.pow(prec);
    let frac = v % scale;
    if frac == 0 {
        return (String::new(), v / scale);
    }
    let digits = format!("{:0width$}", frac, width = prec as usize);
    (format!(".{}", digits.trim_end_matches('0')), v / scale)
}

/// Go's `fmt.Sprintf("%.4v", duration)`: the duration string cut to four
/// characters (pprof's `raw` output does this).
pub fn duration_4v(nanos: i64) -> String {
    duration_string(nanos).chars().take(4).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        assert_eq!(
            report_time(1532974295635786076),
            "Jul 30, 2018 at 6:11pm (UTC)"
        );
        assert_eq!(
            time_string(1532974295635786076),
            "2018-07-30 18:11:35.635786076 +0000 UTC"
        );
        assert_eq!(time_string(0), "1970-01-01 00:00:00 +0000 UTC");
        assert_eq!(
            report_time(43_200_000_000_000),
            "Jan 1, 1970 at 12:00pm (UTC)"
        );
        assert_eq!(iso8601(1_500_000_000), "1970-01-01T00:00:01.5Z");
    }

    #[test]
    fn durations() {
        assert_eq!(duration_string(16_488_000_000_000), "4h34m48s");
        assert_eq!(duration_string(1_500_000), "1.5ms");
        assert_eq!(duration_string(1_500), "1.5µs");
        assert_eq!(duration_string(10_000_000_000), "10s");
        assert_eq!(duration_string(61_250_000_000), "1m1.25s");
        assert_eq!(duration_4v(16_488_000_000_000), "4h34");
    }
}
