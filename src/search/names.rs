//! Search forms of a name: folded (lower case, no diacritics, đ → d, see
//! [`crate::text::fold`]), with single spaces, with and without its administrative
//! prefix, and with the spaces removed.

/// Administrative prefixes, folded, longest first so "thi xa" wins over "thi".
pub const PREFIXES: [&str; 13] = [
    "xa ntm thong minh ",
    "xa thuong mai dien tu ",
    "thon thong minh ",
    "thanh pho ",
    "thi tran ",
    "dac khu ",
    "thi xa ",
    "phuong ",
    "huyen ",
    "quan ",
    "tinh ",
    "thon ",
    "xa ",
];

/// Folds and normalises spacing: punctuation (hyphens, dashes, commas, brackets)
/// becomes a space, runs of spaces become one.
pub fn normalise(text: &str) -> String {
    let folded = crate::text::fold(text);
    let mut out = String::with_capacity(folded.len());
    for word in folded.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The name without its administrative prefix ("xa duong xa" → "duong xa"); the name
/// itself when it has none or is nothing but the prefix.
pub fn core(normalised: &str) -> &str {
    PREFIXES
        .iter()
        .find_map(|p| normalised.strip_prefix(p))
        .filter(|rest| !rest.is_empty())
        .unwrap_or(normalised)
}

/// Whether `normalised` is nothing but an administrative prefix ("xa", "thi tran").
pub fn is_prefix(normalised: &str) -> bool {
    PREFIXES.iter().any(|p| p.strip_suffix(' ') == Some(normalised))
}

/// The name with its spaces removed ("duong xa" → "duongxa").
pub fn compact(normalised: &str) -> String {
    normalised.chars().filter(|c| *c != ' ').collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_of_commune_and_place_names() {
        assert_eq!(normalise("Xã Dương Xá"), "xa duong xa");
        assert_eq!(normalise("  DƯƠNG   xá "), "duong xa");
        assert_eq!(normalise("Điểm du lịch (mẫu) – Xã Tiền Yên"), "diem du lich mau xa tien yen");
        assert_eq!(core("xa duong xa"), "duong xa");
        assert_eq!(core("thi xa son tay"), "son tay");
        assert_eq!(core("thanh pho ha noi"), "ha noi");
        assert_eq!(core("xa ntm thong minh duong xa"), "duong xa");
        assert_eq!(core("lang gom bat trang"), "lang gom bat trang");
        assert_eq!(core("xa"), "xa");
        assert_eq!(compact("duong xa"), "duongxa");
    }
}
