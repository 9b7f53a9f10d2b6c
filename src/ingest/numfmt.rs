//! Number formats that make a stored number a percentage: Excel and LibreOffice keep `35%` as
//! 0.35 and scale it by 100 only for display, when the format has a `%` of its own.

/// Built-in number format ids (ECMA-376 §18.8.30, MS-XLSB) that are percentages: `0%`, `0.00%`.
pub(crate) fn is_builtin_percent(id: u32) -> bool {
    matches!(id, 9 | 10)
}

/// True when a number format code scales the value by 100: its first section has a `%`
/// outside quotes (`0"%"`), escapes (`0\%`), fills/padding (`*%`, `_%`) and brackets (`[Red]`).
/// A `%` shown literally does not scale, so `0"%"` over 35 shows 35%, stored as 35.
pub(crate) fn is_percent_format(code: &str) -> bool {
    let mut chars = code.chars();
    let mut quoted = false;
    let mut bracket = false;
    while let Some(c) = chars.next() {
        match c {
            '"' => quoted = !quoted,
            _ if quoted => {}
            ']' if bracket => bracket = false,
            _ if bracket => {}
            '[' => bracket = true,
            '\\' | '_' | '*' => {
                chars.next();
            }
            ';' => return false,
            '%' => return true,
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_formats() {
        for code in ["0%", "0.00%", "0.0%", "#,##0.0%", "[Red]0%", "0%;[Red]-0%", "0.0 %", "[$-409]0%"] {
            assert!(is_percent_format(code), "{code}");
        }
        for code in
            ["General", "0", "0.00", r#"0"%""#, r"0\%", "0_%", "0*%", "[%]0", "0;0%", "dd/mm/yyyy", "@", "", "\"%"]
        {
            assert!(!is_percent_format(code), "{code}");
        }
        assert!(is_builtin_percent(9) && is_builtin_percent(10) && !is_builtin_percent(0) && !is_builtin_percent(14));
    }
}
