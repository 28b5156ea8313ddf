//! Calendar arithmetic (proleptic Gregorian, UTC): days since 1970 to and
//! from dates. Shared by the importers (reading dates) and the renderers
//! (printing them).

/// Days since 1970-01-01 of a date.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date (year, month 1-12, day 1-31) of a day since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// The year of a unix time.
pub fn year_of(unix_seconds: f64) -> i64 {
    // (Clamped to ±100 000 years: no calendar arithmetic overflows.)
    let days = (unix_seconds / 86_400.0).floor().clamp(-3.6e7, 3.6e7);
    civil_from_days(if days.is_nan() { 0 } else { days as i64 }).0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for days in [-1000, 0, 59, 60, 20_000, 20_415] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        // The demo corpus starts at 2026-11-23 20:26:07 UTC = unix 1795465567.
        assert_eq!(days_from_civil(2026, 11, 23), 1_795_465_567 / 86_400);
        assert_eq!(year_of(1_795_465_567.0), 2026);
    }
}
