//! The `Content-Disposition` of every download: an ASCII `filename=` any client reads, and,
//! when the name has other characters, the exact name as `filename*=UTF-8''…` (RFC 6266,
//! percent-encoded as RFC 8187 says), which browsers prefer.

/// `attachment; filename="…"` with `name` in ASCII (other characters as `_`), plus
/// `filename*=UTF-8''…` with the whole name when the ASCII one differs from it.
pub fn attachment(name: &str) -> String {
    let ascii: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_ ".contains(c) { c } else { '_' }).collect();
    if ascii == name {
        return format!("attachment; filename=\"{ascii}\"");
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{}", percent_encode(name))
}

/// RFC 8187 `value-chars`: `attr-char`s as they are, every other byte of the UTF-8 as `%XX`.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_names_have_one_filename() {
        assert_eq!(attachment("suppliers 2026.xlsx"), "attachment; filename=\"suppliers 2026.xlsx\"");
    }

    #[test]
    fn other_names_add_the_exact_name_percent_encoded() {
        assert_eq!(
            attachment("Lieferanten Zürich \"Q1\".xlsx"),
            "attachment; filename=\"Lieferanten Z_rich _Q1_.xlsx\"; \
             filename*=UTF-8''Lieferanten%20Z%C3%BCrich%20%22Q1%22.xlsx"
        );
        assert_eq!(
            attachment("供应商.csv"),
            "attachment; filename=\"___.csv\"; filename*=UTF-8''%E4%BE%9B%E5%BA%94%E5%95%86.csv"
        );
    }
}
