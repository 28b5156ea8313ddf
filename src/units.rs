//! Units and number formatting with pprof's exact rules (its
//! `internal/measurement` package): scaling between units of one kind
//! (bytes, time, GCU), automatic unit choice, `408.97MB`-style labels and
//! `98.60%`-style percentages. Reports must print the same strings as
//! `go tool pprof`, so these rules are followed to the digit.

/// A unit within a family, with the factor to the family's base unit.
struct Unit {
    canonical: &'static str,
    aliases: &'static [&'static str],
    factor: f64,
}

struct UnitFamily {
    default_unit: Unit,
    units: &'static [Unit],
}

const NS: f64 = 1.0;
static FAMILIES: [UnitFamily; 3] = [
    UnitFamily {
        default_unit: Unit {
            canonical: "B",
            aliases: &["b", "byte"],
            factor: 1.0,
        },
        units: &[
            Unit {
                canonical: "B",
                aliases: &["b", "byte"],
                factor: 1.0,
            },
            Unit {
                canonical: "kB",
                aliases: &["kb", "kbyte", "kilobyte"],
                factor: (1u64 << 10) as f64,
            },
            Unit {
                canonical: "MB",
                aliases: &["mb", "mbyte", "megabyte"],
                factor: (1u64 << 20) as f64,
            },
            Unit {
                canonical: "GB",
                aliases: &["gb", "gbyte", "gigabyte"],
                factor: (1u64 << 30) as f64,
            },
            Unit {
                canonical: "TB",
                aliases: &["tb", "tbyte", "terabyte"],
                factor: (1u64 << 40) as f64,
            },
            Unit {
                canonical: "PB",
                aliases: &["pb", "pbyte", "petabyte"],
                factor: (1u64 << 50) as f64,
            },
        ],
    },
    UnitFamily {
        default_unit: Unit {
            canonical: "s",
            aliases: &[],
            factor: 1e9 * NS,
        },
        units: &[
            Unit {
                canonical: "ns",
                aliases: &["ns", "nanosecond"],
                factor: NS,
            },
            Unit {
                canonical: "us",
                aliases: &["μs", "us", "microsecond"],
                factor: 1e3 * NS,
            },
            Unit {
                canonical: "ms",
                aliases: &["ms", "millisecond"],
                factor: 1e6 * NS,
            },
            Unit {
                canonical: "s",
                aliases: &["s", "sec", "second"],
                factor: 1e9 * NS,
            },
            Unit {
                canonical: "hrs",
                aliases: &["hour", "hr"],
                factor: 3600e9 * NS,
            },
        ],
    },
    UnitFamily {
        default_unit: Unit {
            canonical: "GCU",
            aliases: &[],
            factor: 1.0,
        },
        units: &[
            Unit {
                canonical: "n*GCU",
                aliases: &["nanogcu"],
                factor: 1e-9,
            },
            Unit {
                canonical: "u*GCU",
                aliases: &["microgcu"],
                factor: 1e-6,
            },
            Unit {
                canonical: "m*GCU",
                aliases: &["milligcu"],
                factor: 1e-3,
            },
            Unit {
                canonical: "GCU",
                aliases: &["gcu"],
                factor: 1.0,
            },
            Unit {
                canonical: "k*GCU",
                aliases: &["kilogcu"],
                factor: 1e3,
            },
            Unit {
                canonical: "M*GCU",
                aliases: &["megagcu"],
                factor: 1e6,
            },
            Unit {
                canonical: "G*GCU",
                aliases: &["gigagcu"],
                factor: 1e9,
            },
            Unit {
                canonical: "T*GCU",
                aliases: &["teragcu"],
                factor: 1e12,
            },
            Unit {
                canonical: "P*GCU",
                aliases: &["petagcu"],
                factor: 1e15,
            },
        ],
    },
];

impl UnitFamily {
    /// Finds a unit by alias after lower-casing and dropping a plural `s`.
    fn sniff(&self, unit: &str) -> Option<&Unit> {
        let lower = unit.to_lowercase();
        let name = if lower.chars().count() > 2 {
            lower.strip_suffix('s').unwrap_or(&lower)
        } else {
            &lower
        };
        self.units.iter().find(|u| u.aliases.contains(&name))
    }

    fn auto_scale(&self, value: f64) -> Option<(f64, &'static str)> {
        let mut factor = 0.0;
        let mut unit = "";
        for u in self.units {
            if u.factor >= factor && value / u.factor >= 1.0 {
                factor = u.factor;
                unit = u.canonical;
            }
        }
        (factor != 0.0).then(|| (value / factor, unit))
    }

    fn convert(&self, value: i64, from: &str, to: &str) -> Option<(f64, &'static str)> {
        let from = self.sniff(from)?;
        let v = value as f64 * from.factor;
        if to == "minimum" || to == "auto" {
            return Some(
                self.auto_scale(v)
                    .unwrap_or((v / self.default_unit.factor, self.default_unit.canonical)),
            );
        }
        Some(match self.sniff(to) {
            Some(t) => (v / t.factor, t.canonical),
            None => (v / self.default_unit.factor, self.default_unit.canonical),
        })
    }
}

/// Scales `value` from `from_unit` to `to_unit` ("minimum"/"auto" pick the
/// largest unit keeping the value ≥ 1), returning the scaled value and the
/// unit's canonical name, or `""` for uninteresting units (counts).
pub fn scale(value: i64, from_unit: &str, to_unit: &str) -> (f64, String) {
    if value < 0 && value != i64::MIN {
        let (v, u) = scale(-value, from_unit, to_unit);
        return (-v, u);
    }
    for family in &FAMILIES {
        if let Some((v, u)) = family.convert(value, from_unit, to_unit) {
            return (v, u.to_string());
        }
    }
    match to_unit {
        "count" | "sample" | "unit" | "minimum" | "auto" => (value as f64, String::new()),
        _ => (value as f64, to_unit.to_string()),
    }
}

/// Whether two units are of the same family (both bytes, both time...).
pub fn same_family(a: &str, b: &str) -> bool {
    FAMILIES
        .iter()
        .any(|f| f.sniff(a).is_some() && f.sniff(b).is_some())
}

/// A value with its unit, scaled for reading: `408.97MB`, `7s`, `1234`.
pub fn label(value: i64, unit: &str) -> String {
    scaled_label(value, unit, "auto")
}

/// A value scaled to `to_unit`, two decimals at most, trailing `.00` cut.
pub fn scaled_label(value: i64, from_unit: &str, to_unit: &str) -> String {
    let (v, u) = scale(value, from_unit, to_unit);
    let s = format!("{v:.2}");
    let s = s.strip_suffix(".00").unwrap_or(&s);
    if s == "0" || s == "-0" {
        return "0".to_string();
    }
    format!("{s}{u}")
}

/// `value` as a share of `total`, as pprof prints it: `98.60%`, `  100%`,
/// ` 0.31%`, `0.0042%` — always at least five characters before the `%`.
pub fn percentage(value: i64, total: i64) -> String {
    let ratio = if total != 0 {
        (value as f64 / total as f64).abs() * 100.0
    } else {
        0.0
    };
    if (99.95..=100.05).contains(&ratio) {
        "  100%".to_string()
    } else if ratio >= 1.0 {
        format!("{ratio:5.2}%")
    } else {
        format!("{:>5}%", format_g(ratio, 2))
    }
}

/// pprof's `abs64`: |v| in int64, where |MinInt64| wraps to MinInt64
/// itself, a negative number. pprof compares, sorts and cuts nodes, edges
/// and tags by it, so a value of MinInt64 sorts last and falls under every
/// cutoff (Rust's `unsigned_abs` would make it the largest of all).
pub fn abs64(v: i64) -> i64 {
    v.wrapping_abs()
}

/// Go's `int64(f)` on amd64, where pprof runs: truncation toward zero,
/// and for NaN or a value out of range the "integer indefinite"
/// `math.MinInt64` (Rust's `as` saturates instead, so `-(MinInt64)` would
/// become MaxInt64 and a sum with MinInt64 -1, where pprof has 0).
pub fn go_int64(f: f64) -> i64 {
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if f.is_nan() || !(-TWO_63..TWO_63).contains(&f) {
        return i64::MIN;
    }
    f as i64
}

/// Go's `%.<precision>g` for a finite non-negative number: `precision`
/// significant digits, trailing zeros dropped, exponent form (`1.9e-08`)
/// when the exponent is below -4 or at least the precision.
pub fn format_g(value: f64, precision: usize) -> String {
    if value == 0.0 {
        return "0".to_string();
    }
    // Rust's `{:e}` rounds exactly (ties to even on the binary value), as Go does.
    let sci = format!("{:.*e}", precision.saturating_sub(1), value.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    let nd = digits.len() as i32;
    let dp = exp + 1; // position of the decimal point within the digits
    let sign = if value < 0.0 { "-" } else { "" };
    let mut eprec = precision as i32;
    if eprec > nd && nd >= dp {
        eprec = nd;
    }
    if exp < -4 || exp >= eprec {
        // %e with (digits - 1) decimals
        let mut s = String::from(sign);
        s.push_str(&digits[..1]);
        if nd > 1 {
            s.push('.');
            s.push_str(&digits[1..]);
        }
        s.push('e');
        s.push(if exp < 0 { '-' } else { '+' });
        s.push_str(&format!("{:02}", exp.abs()));
        return s;
    }
    // %f with max(precision' - dp, 0) decimals
    let prec = if precision as i32 > dp {
        nd
    } else {
        precision as i32
    };
    let decimals = (prec - dp).max(0) as usize;
    let mut s = String::from(sign);
    if dp <= 0 {
        s.push('0');
    } else {
        for i in 0..dp {
            s.push(
                digits
                    .as_bytes()
                    .get(i as usize)
                    .map_or('0', |&b| b as char),
            );
        }
    }
    if decimals > 0 {
        s.push('.');
        for i in 0..decimals as i32 {
            let pos = dp + i;
            let c = if pos < 0 {
                '0'
            } else {
                digits
                    .as_bytes()
                    .get(pos as usize)
                    .map_or('0', |&b| b as char)
            };
            s.push(c);
        }
    }
    s
}

/// Parses a size like `120MiB`, `128Mi`, `1.5GB`, `512k` or `125829120`
/// (also a Kubernetes memory quantity) into bytes: IEC `Ki/Mi/Gi` and
/// pprof-style `kB/MB/GB` are powers of 1024, as in pprof; `k/M/G` alone
/// are powers of 1000, as in Kubernetes.
pub fn parse_bytes(text: &str) -> Option<f64> {
    let s = text.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (number, suffix) = s.split_at(split);
    let value: f64 = number.parse().ok()?;
    let k = 1024f64;
    let factor = match suffix.trim().trim_end_matches(['B', 'b']).trim() {
        "" => 1.0,
        "Ki" | "KiB" => k,
        "Mi" => k * k,
        "Gi" => k * k * k,
        "Ti" => k * k * k * k,
        "K" | "k" if suffix.ends_with(['B', 'b']) => k,
        "M" if suffix.ends_with(['B', 'b']) => k * k,
        "G" if suffix.ends_with(['B', 'b']) => k * k * k,
        "T" if suffix.ends_with(['B', 'b']) => k * k * k * k,
        "K" | "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        _ => return None,
    };
    Some(value * factor)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_int64_is_gos_conversion_on_amd64() {
        assert_eq!(go_int64(-1.9), -1);
        assert_eq!(go_int64(i64::MIN as f64), i64::MIN);
        // -(MinInt64) is out of range: MinInt64 again, as pprof's Scale(-1) has.
        assert_eq!(go_int64(-(i64::MIN as f64)), i64::MIN);
        assert_eq!(go_int64(1e30), i64::MIN);
        assert_eq!(go_int64(f64::NAN), i64::MIN);
    }

    #[test]
    fn byte_sizes() {
        assert_eq!(parse_bytes("120MiB"), Some(125829120.0));
        assert_eq!(parse_bytes("128Mi"), Some(134217728.0));
        assert_eq!(parse_bytes("1MB"), Some(1048576.0));
        assert_eq!(parse_bytes("500M"), Some(5e8));
        assert_eq!(parse_bytes("4096"), Some(4096.0));
        assert_eq!(parse_bytes("lots"), None);
    }

    #[test]
    fn labels_match_pprof() {
        assert_eq!(scaled_label(428833979, "bytes", "minimum"), "408.97MB");
        assert_eq!(scaled_label(428833979, "bytes", "bytes"), "428833979B");
        assert_eq!(scaled_label(0, "bytes", "MB"), "0");
        assert_eq!(scaled_label(524312, "bytes", "MB"), "0.50MB");
        assert_eq!(
            scaled_label(7120000000, "nanoseconds", "ns"),
            "7120000000ns"
        );
        assert_eq!(scaled_label(16500, "count", "minimum"), "16500");
        assert_eq!(label(16_488_000_000_000, "nanoseconds"), "4.58hrs");
        assert_eq!(scaled_label(-924248, "bytes", "bytes"), "-924248B");
    }

    #[test]
    fn percentages_match_pprof() {
        assert_eq!(percentage(428833979, 434912793), "98.60%");
        assert_eq!(percentage(1345653, 434912793), " 0.31%");
        assert_eq!(percentage(434912793, 434912793), "  100%");
        assert_eq!(percentage(0, 10), "    0%");
        assert_eq!(percentage(55065, 1), "5506500.00%");
        assert_eq!(percentage(-924248, 435837041), " 0.21%");
    }

    #[test]
    fn format_g_matches_go() {
        // Values checked against Go's fmt.Sprintf("%.2g", x).
        for (x, want) in [
            (0.0042, "0.0042"),
            (1.9e-08, "1.9e-08"),
            (0.00001, "1e-05"),
            (0.5, "0.5"),
            (0.099999, "0.1"),
            (0.31, "0.31"),
            (0.125, "0.12"),
            (0.015625, "0.016"),
        ] {
            assert_eq!(format_g(x, 2), want, "{x}");
        }
    }
}
