//! USD amounts as the JSON reports print them: decimal strings rounded to
//! the micro-dollar, so a sum of floats never shows as
//! `0.41100000000000003` and nothing shows as `-0.0`.

/// `usd` rounded to 6 decimals, with trailing zeros trimmed down to cents:
/// `4.5` → `"4.50"`, `0.411` → `"0.411"`, `0.000125` → `"0.000125"`.
/// Anything that is not a finite number prints as `"0.00"`.
pub fn usd_decimal(usd: f64) -> String {
    let micros = if usd.is_finite() {
        (usd * 1_000_000.0).round()
    } else {
        0.0
    };
    // Adding 0.0 turns -0.0 into 0.0.
    let text = format!("{:.6}", micros / 1_000_000.0 + 0.0);
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let trimmed = fraction.trim_end_matches('0');
    let fraction = if trimmed.len() < 2 {
        &fraction[..2.min(fraction.len())]
    } else {
        trimmed
    };
    let whole = if whole == "-0" { "0" } else { whole };
    format!("{whole}.{fraction}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_print_as_short_exact_decimals() {
        let cases = [
            (0.41100000000000003, "0.411"),
            (-0.0, "0.00"),
            (-0.0000001, "0.00"),
            (4.5, "4.50"),
            (12.0, "12.00"),
            (0.000125, "0.000125"),
            (0.0000004, "0.00"),
            (1234.5678915, "1234.567892"),
            (-2.5, "-2.50"),
            (f64::NAN, "0.00"),
        ];
        for (usd, text) in cases {
            assert_eq!(usd_decimal(usd), text, "{usd}");
        }
    }
}
