//! Query text as people type it, written here independently of the service's own
//! folding: lower case without diacritics (đ → d), as on a keyboard without Telex, a
//! name without its administrative prefix, and the percent-encoding of a query parameter.

/// Lower case without diacritics, đ → d.
pub fn fold(text: &str) -> String {
    const GROUPS: [(&str, char); 7] = [
        ("àáảãạăằắẳẵặâầấẩẫậ", 'a'),
        ("èéẻẽẹêềếểễệ", 'e'),
        ("ìíỉĩị", 'i'),
        ("òóỏõọôồốổỗộơờớởỡợ", 'o'),
        ("ùúủũụưừứửữự", 'u'),
        ("ỳýỷỹỵ", 'y'),
        ("đ", 'd'),
    ];
    text.to_lowercase().chars().map(|c| GROUPS.iter().find(|(g, _)| g.contains(c)).map_or(c, |(_, plain)| *plain)).collect()
}

/// `text` as a query parameter's value: every byte but ASCII letters and digits
/// percent-encoded.
pub fn url_encode(text: &str) -> String {
    text.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

/// The name without its administrative prefix ("Xã Tân Lập" → "Tân Lập").
pub fn core<'a>(name: &'a str, prefixes: &[&str]) -> &'a str {
    prefixes.iter().find_map(|p| name.strip_prefix(p)).map_or(name, str::trim_start)
}

pub const COMMUNE_PREFIXES: [&str; 3] = ["Xã ", "Phường ", "Thị trấn "];
pub const DISTRICT_PREFIXES: [&str; 4] = ["Huyện ", "Quận ", "Thị xã ", "Thành phố "];
pub const PROVINCE_PREFIXES: [&str; 2] = ["Tỉnh ", "Thành phố "];
