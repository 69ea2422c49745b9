//! Vietnamese text folding: lower case without diacritics, "đ" as "d", so that
//! "Dương Xá", "duong xa" and "DUONG XA" compare equal.

/// Folds a string to lower-case ASCII-ish text: strips Vietnamese diacritics and
/// maps đ/Đ to d. Characters outside Latin letters pass through lower-cased.
pub fn fold(text: &str) -> String {
    text.chars()
        // Decomposed input (NFD) carries its marks as combining characters: drop them.
        .filter(|c| !('\u{0300}'..='\u{036F}').contains(c))
        .flat_map(|c| fold_char(c).to_lowercase())
        .collect()
}

fn fold_char(c: char) -> char {
    const GROUPS: [(&str, char); 14] = [
        ("àáảãạăằắẳẵặâầấẩẫậ", 'a'),
        ("ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ", 'a'),
        ("èéẻẽẹêềếểễệ", 'e'),
        ("ÈÉẺẼẸÊỀẾỂỄỆ", 'e'),
        ("ìíỉĩị", 'i'),
        ("ÌÍỈĨỊ", 'i'),
        ("òóỏõọôồốổỗộơờớởỡợ", 'o'),
        ("ÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ", 'o'),
        ("ùúủũụưừứửữự", 'u'),
        ("ÙÚỦŨỤƯỪỨỬỮỰ", 'u'),
        ("ỳýỷỹỵ", 'y'),
        ("ỲÝỶỸỴ", 'y'),
        ("đ", 'd'),
        ("Đ", 'd'),
    ];
    if c.is_ascii() {
        return c;
    }
    GROUPS
        .iter()
        .find(|(set, _)| set.contains(c))
        .map(|&(_, base)| base)
        .unwrap_or(c)
}

#[cfg(test)]
mod tests {
    use super::fold;

    #[test]
    fn folds_vietnamese_diacritics() {
        assert_eq!(fold("Xã Dương Xá"), "xa duong xa");
        assert_eq!(fold("ĐẶC KHU Trường Sa"), "dac khu truong sa");
        assert_eq!(fold("Thị trấn Đông Anh"), "thi tran dong anh");
        // The same name in decomposed form (base letters + combining marks).
        assert_eq!(fold("Du\u{031B}o\u{031B}\u{0300}ng"), "duong");
    }
}
