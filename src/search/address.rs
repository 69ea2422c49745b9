//! Reads a query the way an address is written: a name, then the district and province
//! it lies in, with or without commas and administrative prefixes ("phu cat quoc oai",
//! "Dương Xá, Gia Lâm, Hà Nội", "xa tan lap huyen dan phuong", "Tân Lập, H. Đan Phượng").
//!
//! Steps: 1. split on commas; from the last part backwards, every part that is a district
//! or province name (after an optional prefix such as "huyện", "thành phố", "h.") is a parent,
//! and the part before them is the name (earlier parts, a house number or a hamlet, are
//! dropped); 2. within that name part, peel parents off the end: the longest run of last
//! words that is a district or province name, then a prefix word before it, while at
//! least one word of name is left. A query with no parent gives no reading, and the
//! search scores it as a plain name.

use super::names;
use super::places::Places;

/// Parents at most (a district and a province, or a province of each edition).
const MAX_PARENTS: usize = 3;
/// Words of the longest district or province core name ("ba ria vung tau").
const MAX_NAME_WORDS: usize = 5;

/// Words written before a parent's name, long forms first, then the one-letter forms
/// people write ("Tân Lập H. Đan Phượng"; the search has written out "TP", "TX" and a
/// part's first letter already, [`names::expand_query`]).
const PARENT_PREFIXES: [&[&str]; 7] = [&["thanh", "pho"], &["thi", "xa"], &["huyen"], &["quan"], &["tinh"], &["h"], &["q"]];

/// At most this many readings of one query (each costs one pass over the names).
const MAX_READINGS: usize = 8;

/// One way to read a query as a name and its parents.
#[derive(Debug, PartialEq)]
pub(super) struct Reading {
    /// The name part, normalised.
    pub name: String,
    /// Per parent written, the district or province entries of that name (a name may be
    /// a district of one province and a province of its own: any of them will do).
    pub parents: Vec<Vec<u32>>,
}

/// Every reading of `text` that names at least one parent. Word runs are ambiguous
/// ("quang vinh trung khanh": Vinh is a city too; "thuong quan": "quan" may be the prefix
/// of a district), so every way to peel parents off the end is a reading, and the search
/// keeps each hit's best.
pub(super) fn readings(text: &str, places: &Places) -> Vec<Reading> {
    let parts: Vec<String> = text.split([',', ';']).map(names::normalise).filter(|p| !p.is_empty()).collect();
    let Some(mut name_part) = parts.len().checked_sub(1) else { return Vec::new() };
    let mut parents = Vec::new();
    while name_part > 0 && parents.len() < MAX_PARENTS {
        let words: Vec<&str> = parts[name_part].split(' ').collect();
        let Some(found) = places.named(&words[prefix_len(&words)..].join(" ")) else { break };
        parents.push(found.to_vec());
        name_part -= 1;
    }
    let words: Vec<&str> = parts[name_part].split(' ').collect();
    let mut out = Vec::new();
    peel(&words, parents, places, &mut out);
    out
}

/// Adds the reading of `words` with `parents` (when it has any), then every reading with
/// one more parent peeled off the end of `words`.
fn peel(words: &[&str], parents: Vec<Vec<u32>>, places: &Places, out: &mut Vec<Reading>) {
    if out.len() >= MAX_READINGS {
        return;
    }
    if parents.len() < MAX_PARENTS {
        for len in (1..=MAX_NAME_WORDS.min(words.len().saturating_sub(1))).rev() {
            let Some(found) = places.named(&words[words.len() - len..].join(" ")) else { continue };
            let rest = &words[..words.len() - len];
            let mut more = parents.clone();
            more.push(found.to_vec());
            // With and without a prefix word before the parent's name ("huyen", but also
            // "quan", which ends "Thượng Quan").
            if let Some(prefix) = PARENT_PREFIXES.iter().find(|p| rest.ends_with(p) && rest.len() > p.len()) {
                let shorter = &rest[..rest.len() - prefix.len()];
                if !names::is_prefix(&shorter.join(" ")) {
                    peel(shorter, more.clone(), places, out);
                }
            }
            if !names::is_prefix(&rest.join(" ")) {
                peel(rest, more, places, out);
            }
        }
    }
    if !parents.is_empty() && out.len() < MAX_READINGS {
        out.push(Reading { name: words.join(" "), parents });
    }
}

/// How many of the first words are a parent prefix ("huyen dan phuong" → 1).
fn prefix_len(words: &[&str]) -> usize {
    PARENT_PREFIXES.iter().find(|p| words.starts_with(p) && words.len() > p.len()).map_or(0, |p| p.len())
}
