//! Typo distance between two folded words: optimal-string-alignment Damerau–Levenshtein
//! (insert, delete, substitute, swap two neighbours), bounded and weighted for
//! Vietnamese.
//!
//! Steps: 1. reject at once when the lengths differ by more than the bound allows;
//! 2. fill the edit table row by row on the stack (no allocation), stopping as soon as
//!    a whole row exceeds the bound.
//!
//! Costs are in half edits. A substitution between letters that sound alike in some
//! dialect or are spelt interchangeably (s/x, d/r, d/v, i/y, c/k, l/n) costs one half,
//! so "duong sa" is nearer to "Dương Xá" than to "Dương Hà".

/// One edit, in half units.
pub const EDIT: u8 = 2;
/// Words longer than this are not compared (no commune name has such a syllable; the
/// compact form of a long name simply gets no typo match).
pub const MAX_LEN: usize = 24;

fn substitution(a: u8, b: u8) -> u8 {
    if a == b {
        return 0;
    }
    let pair = if a < b { (a, b) } else { (b, a) };
    match pair {
        (b's', b'x') | (b'd', b'r') | (b'd', b'v') | (b'i', b'y') | (b'c', b'k') | (b'l', b'n') => 1,
        _ => EDIT,
    }
}

/// The weighted distance in half edits, or `None` when it exceeds `bound` (half edits).
pub fn distance(a: &[u8], b: &[u8], bound: u8) -> Option<u8> {
    if a.len() > MAX_LEN || b.len() > MAX_LEN {
        return None;
    }
    let diff = a.len().abs_diff(b.len());
    if diff * EDIT as usize > bound as usize {
        return None;
    }
    // Rows i-2, i-1 and i of the table over b (length + 1).
    let mut rows = [[0u8; MAX_LEN + 1]; 3];
    // Row i of the table lives in slot i % 3.
    for (j, cell) in rows[0].iter_mut().enumerate().take(b.len() + 1) {
        *cell = (j as u8).saturating_mul(EDIT);
    }
    for i in 1..=a.len() {
        let (cur, prev, prev2) = (i % 3, (i + 2) % 3, (i + 1) % 3);
        rows[cur][0] = (i as u8).saturating_mul(EDIT);
        let mut row_min = rows[cur][0];
        for j in 1..=b.len() {
            let sub = rows[prev][j - 1].saturating_add(substitution(a[i - 1], b[j - 1]));
            let del = rows[prev][j].saturating_add(EDIT);
            let ins = rows[cur][j - 1].saturating_add(EDIT);
            let mut v = sub.min(del).min(ins);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && a[i - 1] != b[j - 1] {
                v = v.min(rows[prev2][j - 2].saturating_add(EDIT));
            }
            rows[cur][j] = v;
            row_min = row_min.min(v);
        }
        if row_min > bound {
            return None;
        }
    }
    let d = rows[a.len() % 3][b.len()];
    (d <= bound).then_some(d)
}

/// A word's letter counts, sound-alike letters counted together (s/x, d/r/v, i/y,
/// c/k, l/n), digits in one slot and anything else in another.
pub type Profile = [u8; 28];

pub fn profile(word: &[u8]) -> Profile {
    let mut p = [0u8; 28];
    for &b in word {
        let slot = match b {
            b'x' => b's' - b'a',
            b'r' | b'v' => b'd' - b'a',
            b'y' => b'i' - b'a',
            b'k' => b'c' - b'a',
            b'n' => b'l' - b'a',
            b'a'..=b'z' => b - b'a',
            b'0'..=b'9' => 26,
            _ => 27,
        };
        let slot = slot as usize;
        p[slot] = p[slot].saturating_add(1);
    }
    p
}

/// A lower bound of [`distance`] from the profiles alone: a substitution outside a
/// sound-alike group changes the counts by 2 and costs 2 half edits, an insertion or
/// deletion changes them by 1 and costs 2, a sound-alike substitution changes nothing.
/// Lets a scan skip most names without filling a table.
pub fn may_be_within(a: &Profile, b: &Profile, bound: u8) -> bool {
    let l1: u32 = a.iter().zip(b).map(|(x, y)| x.abs_diff(*y) as u32).sum();
    l1 <= bound as u32
}

/// How many half edits a word of this length may carry and still match: short words
/// only a sound-alike letter, longer ones one or two typos.
pub fn bound_for(len: usize) -> u8 {
    match len {
        0..=2 => 1,
        3..=5 => EDIT,
        _ => 2 * EDIT,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(a: &str, b: &str) -> Option<u8> {
        distance(a.as_bytes(), b.as_bytes(), 8)
    }

    #[test]
    fn plain_edits_cost_one_each() {
        assert_eq!(d("duong", "duong"), Some(0));
        assert_eq!(d("duong", "duon"), Some(EDIT));
        assert_eq!(d("duong", "duongg"), Some(EDIT));
        assert_eq!(d("phu", "phi"), Some(EDIT));
        assert_eq!(d("", "abc"), Some(3 * EDIT));
    }

    #[test]
    fn swapped_neighbours_cost_one() {
        assert_eq!(d("duogn", "duong"), Some(EDIT));
        assert_eq!(d("cta", "cat"), Some(EDIT));
    }

    #[test]
    fn sound_alike_letters_cost_half() {
        assert_eq!(d("sa", "xa"), Some(1));
        assert_eq!(d("duongsa", "duongxa"), Some(1));
        assert_eq!(d("sa", "ha"), Some(EDIT));
        assert_eq!(d("ky", "ki"), Some(1));
    }

    #[test]
    fn the_profile_bound_never_rejects_a_match() {
        let words = ["duong", "xa", "sa", "duongxa", "duongsa", "phucat", "phu", "cat", "cta", "gialam", "hanoi", "hnoi", "trang", "tarng", "9a", ""];
        for a in words {
            for b in words {
                for bound in 0..6 {
                    if distance(a.as_bytes(), b.as_bytes(), bound).is_some() {
                        assert!(may_be_within(&profile(a.as_bytes()), &profile(b.as_bytes()), bound), "{a} / {b} / {bound}");
                    }
                }
            }
        }
        assert!(!may_be_within(&profile(b"duongxa"), &profile(b"phucat"), 4));
    }

    #[test]
    fn bound_cuts_early_and_is_symmetric() {
        assert_eq!(distance(b"abcdef", b"uvwxyz", EDIT), None);
        assert_eq!(distance(b"ab", b"abcdef", EDIT), None);
        for (a, b) in [("phu cat", "phu cta"), ("gia lam", "gai lam"), ("bat trang", "bat tran")] {
            assert_eq!(distance(a.as_bytes(), b.as_bytes(), 8), distance(b.as_bytes(), a.as_bytes(), 8));
        }
    }

    #[test]
    fn agrees_with_a_plain_table_on_many_pairs() {
        // A straightforward full-table OSA with the same costs, for comparison.
        fn reference(a: &[u8], b: &[u8]) -> u8 {
            let mut t = vec![vec![0u8; b.len() + 1]; a.len() + 1];
            for (i, row) in t.iter_mut().enumerate() {
                row[0] = i as u8 * EDIT;
            }
            for (j, cell) in t[0].iter_mut().enumerate() {
                *cell = j as u8 * EDIT;
            }
            for i in 1..=a.len() {
                for j in 1..=b.len() {
                    let mut v = (t[i - 1][j - 1] + substitution(a[i - 1], b[j - 1]))
                        .min(t[i - 1][j] + EDIT)
                        .min(t[i][j - 1] + EDIT);
                    if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && a[i - 1] != b[j - 1] {
                        v = v.min(t[i - 2][j - 2] + EDIT);
                    }
                    t[i][j] = v;
                }
            }
            t[a.len()][b.len()]
        }
        let words = ["duong", "xa", "sa", "duongxa", "phucat", "phu", "cat", "cta", "gialam", "lam", "nam", "ha", "hanoi", "hnoi", "bat", "trang", "tarng", ""];
        for a in words {
            for b in words {
                let r = reference(a.as_bytes(), b.as_bytes());
                let got = distance(a.as_bytes(), b.as_bytes(), 40);
                assert_eq!(got, Some(r), "{a} / {b}");
                let bounded = distance(a.as_bytes(), b.as_bytes(), 2);
                assert_eq!(bounded, (r <= 2).then_some(r), "{a} / {b} bounded");
            }
        }
    }
}
