//! Money: integer minor units plus a currency code (DESIGN §3). Parsing what people type
//! ("5000万", "1.5亿", "50,000,000") and formatting in Chinese (万/亿) or English.
use crate::core::i18n::Lang;

/// Currencies Covenant accepts; all have two decimal places.
pub const CURRENCIES: &[&str] = &["CNY", "USD", "EUR", "HKD", "SGD", "GBP", "JPY"];

/// The currency totals are converted into unless a setting says otherwise.
pub const REPORTING_CURRENCY: &str = "CNY";

pub fn is_currency(code: &str) -> bool {
    CURRENCIES.contains(&code)
}

/// Parses an amount in major units into minor units (×100). Accepts thousands separators,
/// up to two decimals, and a trailing 万 (10⁴) or 亿 (10⁸). The error is a translation key.
pub fn parse_amount(input: &str) -> Result<i64, &'static str> {
    let cleaned: String = input
        .trim()
        .chars()
        .filter(|c| !matches!(c, ',' | '，' | ' ' | '_'))
        .collect();
    if cleaned.is_empty() {
        return Err("form.amount_invalid");
    }
    let (number, scale) = if let Some(n) = cleaned.strip_suffix('亿') {
        (n, 100_000_000i128)
    } else if let Some(n) = cleaned.strip_suffix('万') {
        (n, 10_000i128)
    } else {
        (cleaned.as_str(), 1i128)
    };
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    let digits_only = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || !digits_only(whole) || !digits_only(fraction) || whole.len() > 18 {
        return Err("form.amount_invalid");
    }
    // Fractions finer than a cent (after scaling) are not money.
    let fraction_digits = fraction.len() as u32;
    let whole_value: i128 = whole.parse().map_err(|_| "form.amount_invalid")?;
    let fraction_value: i128 = if fraction.is_empty() {
        0
    } else {
        fraction.parse().map_err(|_| "form.amount_invalid")?
    };
    let denominator = 10i128.pow(fraction_digits);
    let minor_numerator = (whole_value * denominator + fraction_value) * scale * 100;
    if minor_numerator % denominator != 0 {
        return Err("form.amount_too_precise");
    }
    i64::try_from(minor_numerator / denominator).map_err(|_| "form.amount_too_large")
}

/// Groups the digits of a whole number in threes: 1234567 → "1,234,567".
fn grouped(n: i128) -> String {
    let digits = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// "CNY 5,000万", "CNY 1.5亿" in Chinese; "CNY 50,000,000" in English. Whole units only
/// above 10,000, cents below.
pub fn format_amount(minor: i64, currency: &str, lang: Lang) -> String {
    let major = minor as i128 / 100;
    let cents = (minor as i128 % 100).abs();
    let body = match lang {
        Lang::Zh if major.abs() >= 100_000_000 => {
            format!("{}亿", trim_decimal(minor as i128, 10_000_000_000))
        }
        Lang::Zh if major.abs() >= 10_000 => {
            format!("{}万", trim_decimal(minor as i128, 1_000_000))
        }
        _ if major.abs() >= 10_000 || cents == 0 => grouped(major),
        _ => format!("{}.{cents:02}", grouped(major)),
    };
    format!("{currency} {body}")
}

/// `value / unit` with up to two decimals, trailing zeros dropped.
fn trim_decimal(value: i128, unit: i128) -> String {
    let hundredths = (value * 100 + unit / 2 * value.signum()) / unit;
    let whole = hundredths / 100;
    let rest = (hundredths % 100).abs();
    match rest {
        0 => grouped(whole),
        r if r % 10 == 0 => format!("{}.{}", grouped(whole), r / 10),
        r => format!("{}.{r:02}", grouped(whole)),
    }
}

/// Converts minor units of `currency` into the reporting currency with a rate in micros
/// (reporting units per unit × 1,000,000).
pub fn convert(minor: i64, rate_micros: i64) -> i64 {
    let value = minor as i128 * rate_micros as i128 / 1_000_000;
    value.clamp(i64::MIN as i128, i64::MAX as i128) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_people_type() {
        assert_eq!(parse_amount("50,000,000"), Ok(5_000_000_000));
        assert_eq!(parse_amount("5000万"), Ok(5_000_000_000));
        assert_eq!(parse_amount("1.5亿"), Ok(15_000_000_000));
        assert_eq!(parse_amount(" 12345.67 "), Ok(1_234_567));
        assert_eq!(parse_amount("0.5"), Ok(50));
        assert_eq!(parse_amount("1.005"), Err("form.amount_too_precise"));
        for bad in ["", "abc", "-5", "1e6", "万", "1.2.3"] {
            assert_eq!(parse_amount(bad), Err("form.amount_invalid"), "{bad}");
        }
        assert_eq!(
            parse_amount("999999999999999999亿"),
            Err("form.amount_too_large")
        );
    }

    #[test]
    fn formats_in_each_language() {
        assert_eq!(format_amount(5_000_000_000, "CNY", Lang::Zh), "CNY 5,000万");
        assert_eq!(format_amount(15_000_000_000, "CNY", Lang::Zh), "CNY 1.5亿");
        assert_eq!(
            format_amount(5_000_000_000, "CNY", Lang::En),
            "CNY 50,000,000"
        );
        assert_eq!(format_amount(1_234_567, "USD", Lang::En), "USD 12,345");
        assert_eq!(format_amount(12_345, "USD", Lang::En), "USD 123.45");
        assert_eq!(format_amount(99_900, "USD", Lang::Zh), "USD 999");
        assert_eq!(format_amount(0, "EUR", Lang::En), "EUR 0");
    }

    #[test]
    fn converts_with_micro_rates() {
        // 1 USD = 7.1234 CNY
        assert_eq!(convert(10_000, 7_123_400), 71_234);
    }
}
