//! Search forms of a name: folded (lower case, no diacritics, đ → d, see
//! [`crate::text::fold`]), with single spaces, with and without its administrative
//! prefix, and with the spaces removed.

use super::entries::HitKind;

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

/// English words for a kind of unit, written after the name ("Gia Lam District", "Ho Chi
/// Minh City"), with the kind of hit they ask for ("city" may be a province or a
/// district): left out of the name when they follow a name word, and the first of them
/// tells the search which kind to put first. No unit's name has one of them as a word (a
/// test checks).
pub const TYPE_WORDS_EN: [(&str, Option<HitKind>); 8] = [
    ("city", None),
    ("province", Some(HitKind::Province)),
    ("district", Some(HitKind::District)),
    ("town", Some(HitKind::Commune)),
    ("township", Some(HitKind::Commune)),
    ("commune", Some(HitKind::Commune)),
    ("ward", Some(HitKind::Commune)),
    ("village", Some(HitKind::Commune)),
];

/// The kind of hit the query's first English type word asks for, if any ("Gia Lam
/// District" → `district`).
pub fn english_kind(text: &str) -> Option<HitKind> {
    text.split([',', ';']).find_map(|part| {
        let normalised = normalise(part);
        normalised.split(' ').skip(1).find_map(|w| TYPE_WORDS_EN.iter().find(|(t, _)| *t == w).map(|(_, kind)| *kind))
    })?
}

/// The query as the index spells names, normalised part by part, its comma parts kept
/// apart for the address reading: abbreviations written out ("P1, Q3, TP HCM" → "phuong
/// 1, quan 3, thanh pho ho chi minh") and English type words after a name left out
/// ("Gia Lam District, Hanoi" → "gia lam, hanoi").
pub fn expand_query(text: &str) -> String {
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
                } else if k > 0 && TYPE_WORDS_EN.iter().any(|(t, _)| *t == word) {
                    continue;
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

/// Vietnamese tone marks in decomposed form: huyền, sắc, ngã, hỏi, nặng.
const TONE_MARKS: [char; 5] = ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'];

/// The words of `text` as written, tone marks included, split where [`normalise`] splits:
/// lower case, decomposed (NFD), each word's tone mark moved to its end, so that a tone
/// placed on either vowel ("thủy" and "thuỷ", "hòa" and "hoà") and composed or decomposed
/// input give the same word, while "phú" and "phù" differ.
pub fn spelled_words(text: &str) -> Vec<String> {
    use unicode_normalization::UnicodeNormalization;
    let mut words = Vec::new();
    let (mut word, mut tone) = (String::new(), None);
    let mut end = |word: &mut String, tone: &mut Option<char>| {
        if !word.is_empty() {
            word.extend(tone.take());
            words.push(std::mem::take(word));
        }
        *tone = None;
    };
    for c in text.to_lowercase().nfd() {
        if TONE_MARKS.contains(&c) {
            tone = Some(c);
        } else if c.is_alphanumeric() || ('\u{300}'..='\u{36F}').contains(&c) {
            word.push(c);
        } else {
            end(&mut word, &mut tone);
        }
    }
    end(&mut word, &mut tone);
    words
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
    fn spelled_words_keep_tones_wherever_they_are_placed() {
        assert_eq!(spelled_words("Mỹ Thủy"), spelled_words("mỹ thuỷ"));
        assert_eq!(spelled_words("Hòa Bình"), spelled_words("HOÀ BÌNH"));
        // Decomposed input (base letters and combining marks) reads as composed.
        assert_eq!(spelled_words("Du\u{031B}o\u{031B}ng Xa\u{0301}"), spelled_words("Dương Xá"));
        assert_ne!(spelled_words("Phú Cát"), spelled_words("Phù Cát"));
        assert_ne!(spelled_words("phu cat"), spelled_words("Phú Cát"));
        // Split where the folded forms split, so word counts agree.
        assert_eq!(spelled_words("Ea H'Leo, Đắk Lắk").len(), normalise("Ea H'Leo, Đắk Lắk").split(' ').count());
    }

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
        assert_eq!(expand_query("Phường 1, Quận 3, TP HCM"), "phuong 1, quan 3, thanh pho ho chi minh");
        assert_eq!(expand_query("p1 q3 tp.hcm"), "phuong 1 quan 3 thanh pho ho chi minh");
        assert_eq!(expand_query("P. Bến Thành, Q. 1, TPHCM"), "phuong ben thanh, quan 1, thanh pho ho chi minh");
        assert_eq!(expand_query("TX Sa Pa"), "thi xa sa pa");
        assert_eq!(expand_query("TT Thạch Hà, H. Thạch Hà"), "thi tran thach ha, huyen thach ha");
        // A single letter inside a name, or alone, stays as it is.
        assert_eq!(expand_query("Ea H'Leo"), "ea h leo");
        assert_eq!(expand_query("h"), "h");
        assert_eq!(expand_query("Xã Pa ủ"), "xa pa u");
        // English type words after a name.
        assert_eq!(expand_query("Phu Cat Commune, Quoc Oai District, Hanoi"), "phu cat, quoc oai, hanoi");
        assert_eq!(expand_query("Ho Chi Minh City"), "ho chi minh");
        assert_eq!(expand_query("ward"), "ward");
        assert_eq!(english_kind("Phu Cat Commune, Quoc Oai District"), Some(HitKind::Commune));
        assert_eq!(english_kind("Gia Lam District, Hanoi"), Some(HitKind::District));
        assert_eq!(english_kind("Ho Chi Minh City"), None);
        assert_eq!(english_kind("District 1"), None);
    }
}
