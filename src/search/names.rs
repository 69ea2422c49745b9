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

/// Abbreviations people write for a prefix or a place, folded, with what they stand for;
/// written out wherever they stand ("TP Huế", "TX Sa Pa", "TP.HCM"). No unit's name has
/// one of them as a word (a test checks the reference tables).
pub const ABBREVIATIONS: [(&str, &str); 7] = [
    ("tp", "thanh pho"),
    ("tx", "thi xa"),
    ("tt", "thi tran"),
    ("tphcm", "thanh pho ho chi minh"),
    ("hcm", "ho chi minh"),
    ("hn", "ha noi"),
    ("brvt", "ba ria vung tau"),
];

/// One-letter prefixes ("P. Bến Thành, Q. 1", "X. Tân Lập"), written out only as the
/// first word of a comma part with more after it, or glued to a number ("P1", "Q3"): inside
/// a name a single letter belongs to it ("Ea H'Leo").
pub const INITIALS: [(&str, &str); 4] = [("p", "phuong"), ("q", "quan"), ("h", "huyen"), ("x", "xa")];

/// The query with its abbreviations written out, normalised part by part, its comma
/// parts kept apart for the address reading: "P1, Q3, TP HCM" → "phuong 1, quan 3,
/// thanh pho ho chi minh".
pub fn expand_abbreviations(text: &str) -> String {
    let parts: Vec<String> = text
        .split([',', ';'])
        .map(|part| {
            let normalised = normalise(part);
            let words: Vec<&str> = normalised.split(' ').filter(|w| !w.is_empty()).collect();
            let mut out: Vec<&str> = Vec::with_capacity(words.len() + 2);
            for (k, &word) in words.iter().enumerate() {
                if let Some((_, full)) = ABBREVIATIONS.iter().find(|(a, _)| *a == word) {
                    out.push(full);
                } else if let Some(full) = initial(word).filter(|_| k == 0 && words.len() > 1) {
                    out.push(full);
                } else if let Some((full, number)) = glued(word) {
                    out.extend([full, number]);
                } else {
                    out.push(word);
                }
            }
            out.join(" ")
        })
        .collect();
    parts.join(", ")
}

fn initial(word: &str) -> Option<&'static str> {
    INITIALS.iter().find(|(a, _)| *a == word).map(|(_, full)| *full)
}

/// "p1" → ("phuong", "1"), "q10" → ("quan", "10").
fn glued(word: &str) -> Option<(&'static str, &str)> {
    let (letter, number) = word.split_at_checked(1)?;
    if !matches!(letter, "p" | "q") || number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((initial(letter)?, number))
}

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

    #[test]
    fn abbreviations_are_written_out_where_people_write_them() {
        assert_eq!(expand_abbreviations("Phường 1, Quận 3, TP HCM"), "phuong 1, quan 3, thanh pho ho chi minh");
        assert_eq!(expand_abbreviations("p1 q3 tp.hcm"), "phuong 1 quan 3 thanh pho ho chi minh");
        assert_eq!(expand_abbreviations("P. Bến Thành, Q. 1, TPHCM"), "phuong ben thanh, quan 1, thanh pho ho chi minh");
        assert_eq!(expand_abbreviations("TX Sa Pa"), "thi xa sa pa");
        assert_eq!(expand_abbreviations("TT Thạch Hà, H. Thạch Hà"), "thi tran thach ha, huyen thach ha");
        // A single letter inside a name, or alone, stays as it is.
        assert_eq!(expand_abbreviations("Ea H'Leo"), "ea h leo");
        assert_eq!(expand_abbreviations("h"), "h");
        assert_eq!(expand_abbreviations("Xã Pa ủ"), "xa pa u");
    }
}
