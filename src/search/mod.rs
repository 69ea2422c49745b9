//! Name search over communes, districts, provinces, pilot models and tourism sites.
//!
//! Built once per atlas snapshot ([`crate::atlas::Atlas::search_index`]), so a reload
//! rebuilds it with the data. Steps to build:
//!   1. collect every findable thing with what its hit shows ([`entries`]);
//!   2. fold each name (no diacritics, đ → d, lower case; [`names`]) and keep three
//!      forms: the full name, its core without the administrative prefix ("Xã",
//!      "Phường", "Huyện", "Thành phố", …) and the core with its spaces removed;
//!   3. split the cores into words, keep each distinct word once in a sorted
//!      vocabulary and each name as a list of word ids.
//!
//! Per query:
//!   1. fold the query the same way; find each query word's id in the vocabulary by
//!      binary search (exact), and for the last word the range of words it begins
//!      (prefix: results while typing);
//!   2. score every name: exact 1.0 (the full name, or the core when the query has
//!      no prefix); the same core under another prefix 0.985; exact without spaces
//!      ("duongxa") 0.97; name begins with the query 0.85–0.95; every query word is a
//!      word of the name 0.65–0.75;
//!   3. only if that gives fewer hits than asked: typo tolerance, every query word
//!      within a bounded Damerau–Levenshtein distance of a word of the name, or a
//!      one-word query near the name without spaces ([`fuzzy`]), 0.30–0.55.
//!      Typo scores are always below the others, so skipping this pass when it cannot
//!      reach the top `limit` changes nothing;
//!   4. when the query names parents ([`address`]: "phu cat quoc oai", "Dương Xá, Gia
//!      Lâm, Hà Nội"), its name part is scored the same way, and each hit keeps that score
//!      when it lies in every parent named ([`places`], through the crosswalk for the
//!      other edition) or loses 0.1 when not; a hit keeps the better of this and its
//!      score for the whole query, so a bare name ranks exactly as without parents;
//!   5. on edition 2025, every 2024 commune found brings the 2025 communes that took it
//!      (the crosswalk), just below it before the edition step, so old names keep working;
//!   6. things of another boundary edition than the one asked lose 0.02; equal scores
//!      are ordered by whether the query spells the name with its tone marks ("Phú Cát"
//!      before Phù Cát; [`names::spelled_words`]), then by kind (province, district,
//!      commune, pilot, tourism: the larger unit first), then code.
//!
//! Nothing is allocated per query in proportion to the index except, in the typo pass,
//! one byte per vocabulary word and query word and one bit per name.

mod address;
mod compact;
mod entries;
pub mod fuzzy;
mod names;
mod places;

pub use entries::{Entry, HitKind, Parent};
use places::Inside;

use crate::atlas::Atlas;
use crate::model::Edition;
use serde::ser::SerializeStruct;
use serde::Serialize;

/// The most hits one query may ask for.
pub const MAX_LIMIT: usize = 50;
pub const DEFAULT_LIMIT: usize = 10;

const EXACT: f32 = 1.0;
const EXACT_OTHER_PREFIX: f32 = 0.985;
const EXACT_COMPACT: f32 = 0.97;
const PREFIX: f32 = 0.85;
const WORDS: f32 = 0.65;
const TYPO: f32 = 0.55;
const TYPO_FLOOR: f32 = 0.30;
/// Lost per half edit of typo distance.
const TYPO_STEP: f32 = 0.025;
const OTHER_EDITION: f32 = 0.02;
/// Lost by a hit of a query's name part that lies outside a parent the query names.
const OUTSIDE_PARENT: f32 = 0.1;
/// Lost by a hit that lies in a parent named only through the crosswalk (a 2024
/// commune of a province that grew in 2025), below one that lies in it itself.
const THROUGH_CROSSWALK: f32 = 0.01;
/// Below the 2024 commune it took, and above that commune once it loses `OTHER_EDITION`.
const SUCCESSOR: f32 = 0.005;
/// Lost by a hit of another kind than the query's English type word asks for ("Gia Lam
/// District": the district before Xã Gia Lâm).
const OTHER_KIND: f32 = 0.01;

/// The search forms of one entry's name.
struct Forms {
    full: Box<str>,
    /// Byte offset of the core (name without prefix) in `full`.
    core_at: usize,
    compact: Box<str>,
    /// Letter counts of `compact` ([`fuzzy::profile`]), to skip typo tests cheaply.
    profile: fuzzy::Profile,
    /// Range of the ids of this name's core words in `SearchIndex::words`.
    words: (u32, u32),
}

impl Forms {
    fn core(&self) -> &str {
        &self.full[self.core_at..]
    }
}

pub struct SearchIndex {
    entries: Vec<Entry>,
    forms: Vec<Forms>,
    /// Distinct folded words, sorted.
    vocab: Vec<Box<str>>,
    /// Letter counts of each vocabulary word.
    vocab_profiles: Vec<fuzzy::Profile>,
    /// Word ids of every name, one after the other.
    words: Vec<u32>,
    /// Per entry, its core's words as written, tone marks included
    /// ([`names::spelled_words`]), space-separated: to put first, among equal scores, the
    /// names a query spells out. Apart from `forms`, which every query scans whole.
    spelled_cores: Vec<Box<str>>,
    /// Districts and provinces by name, where each entry lies, and the crosswalk.
    places: places::Places,
}

/// One answer: an entry and how well it matched (0–1).
#[derive(Debug, Clone, Copy)]
pub struct Hit<'a> {
    pub entry: &'a Entry,
    pub score: f32,
    /// The query writes the name's core with its tone marks ("Phú Cát", not "Phù Cát"
    /// nor "phu cat"): first among equal scores.
    pub as_written: bool,
}

impl Serialize for Hit<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let e = self.entry;
        let mut st = s.serialize_struct("Hit", 9)?;
        st.serialize_field("kind", &e.kind)?;
        st.serialize_field("code", &e.code)?;
        st.serialize_field("name", &e.name)?;
        st.serialize_field("label", &e.label)?;
        st.serialize_field("edition", &e.edition)?;
        st.serialize_field("parents", &e.parents)?;
        st.serialize_field("bbox", &e.bbox)?;
        st.serialize_field("point", &[e.point.lon, e.point.lat])?;
        // Three decimals: the score orders hits; more digits would only be noise.
        st.serialize_field("score", &((self.score as f64 * 1000.0).round() / 1000.0))?;
        st.end()
    }
}

/// Whether the words of `core` (space-separated) stand together in `query`.
fn spells(core: &str, query: &[String]) -> bool {
    let n = core.split(' ').count();
    !core.is_empty() && query.windows(n).any(|run| run.iter().map(String::as_str).eq(core.split(' ')))
}

/// How a query word matched a word of a name.
#[derive(Clone, Copy)]
enum WordMatch {
    Exact,
    Prefix,
    /// Typo distance in half edits.
    Typo(u8),
}

/// One query, folded and split.
struct Query {
    full: String,
    core_at: usize,
    compact: String,
    /// Per word of the query's core: the vocabulary range of words equal to it (at most one) or, for
    /// the last word, beginning with it.
    ranges: Vec<(u32, u32, bool)>,
    words: Vec<String>,
}

impl SearchIndex {
    pub fn build(atlas: &Atlas) -> SearchIndex {
        let (entries, crosswalk) = entries::collect(atlas);
        SearchIndex::from_entries(entries, &crosswalk)
    }

    /// `crosswalk`: (2024 commune, 2025 commune) pairs as positions in `entries`.
    fn from_entries(entries: Vec<Entry>, crosswalk: &[(u32, u32)]) -> SearchIndex {
        let places = places::Places::build(&entries, crosswalk);
        let fulls: Vec<String> = entries.iter().map(|e| names::normalise(&e.name)).collect();

        let mut vocab: Vec<Box<str>> =
            fulls.iter().flat_map(|f| names::core(f).split(' ')).filter(|w| !w.is_empty()).map(Box::from).collect();
        vocab.sort_unstable();
        vocab.dedup();
        let mut words = Vec::new();
        let forms: Vec<Forms> = fulls
            .into_iter()
            .map(|full| {
                let start = words.len() as u32;
                // Words of the core only: every xã has the word "xa", which would
                // otherwise match any query word near it.
                for w in names::core(&full).split(' ').filter(|w| !w.is_empty()) {
                    // Every word is in the vocabulary by construction.
                    if let Ok(id) = vocab.binary_search_by(|v| (**v).cmp(w)) {
                        words.push(id as u32);
                    }
                }
                let core = names::core(&full);
                let core_at = full.len() - core.len();
                let compact = names::compact(core).into_boxed_str();
                let profile = fuzzy::profile(compact.as_bytes());
                Forms { full: full.into_boxed_str(), core_at, compact, profile, words: (start, words.len() as u32) }
            })
            .collect();
        let vocab_profiles = vocab.iter().map(|w| fuzzy::profile(w.as_bytes())).collect();
        let spelled_cores = entries
            .iter()
            .zip(&forms)
            .map(|(e, f)| {
                let spelled = names::spelled_words(&e.name);
                spelled[spelled.len().saturating_sub(f.core().split(' ').count())..].join(" ").into_boxed_str()
            })
            .collect();
        SearchIndex { entries, forms, vocab, vocab_profiles, words, spelled_cores, places }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The best `limit` hits for `text`, best first; things of `edition` preferred.
    pub fn search(&self, text: &str, edition: Edition, limit: usize) -> Vec<Hit<'_>> {
        let limit = limit.clamp(1, MAX_LIMIT);
        let asked_kind = names::english_kind(text);
        let spelled = names::spelled_words(text);
        let text = &names::expand_query(text);
        let Some(q) = self.query(text) else { return Vec::new() };
        let mut found = self.scored(&q, limit);
        for reading in address::readings(text, &self.places) {
            let Some(name) = self.query(&reading.name) else { continue };
            // The weakest way the hit lies in the parents named.
            let inside = |i: u32| {
                let each = reading.parents.iter().map(|areas| areas.iter().map(|&a| self.places.lies_in(i, a)).max());
                each.map(|m| m.unwrap_or(Inside::No)).min().unwrap_or(Inside::No)
            };
            found.extend(self.scored(&name, limit).into_iter().map(|(s, i)| match inside(i) {
                Inside::Directly => (s, i),
                Inside::ThroughCrosswalk => (s - THROUGH_CROSSWALK, i),
                Inside::No => (s - OUTSIDE_PARENT, i),
            }));
        }
        if edition == Edition::E2025 {
            let taken: Vec<(f32, u32)> = found
                .iter()
                .flat_map(|&(s, i)| self.places.successors(i).iter().map(move |&j| (s - SUCCESSOR, j)))
                .collect();
            found.extend(taken);
        }
        // One hit per entry, its best score.
        found.sort_unstable_by(|a, b| a.1.cmp(&b.1).then(b.0.total_cmp(&a.0)));
        found.dedup_by_key(|f| f.1);
        for (s, i) in &mut found {
            let entry = &self.entries[*i as usize];
            let other = entry.edition.is_some_and(|e| e != edition);
            let other_kind = asked_kind.is_some_and(|k| k != entry.kind);
            *s = *s - if other { OTHER_EDITION } else { 0.0 } - if other_kind { OTHER_KIND } else { 0.0 };
        }
        // The spelling orders equal scores, so only hits that can reach the first `limit`
        // need it: a prefix query ("t") scores thousands.
        let cutoff = match found.len().checked_sub(limit) {
            Some(k) if k > 0 => found.select_nth_unstable_by(limit - 1, |a, b| b.0.total_cmp(&a.0)).1 .0,
            _ => f32::MIN,
        };
        let mut hits: Vec<Hit<'_>> = found
            .into_iter()
            .map(|(score, i)| Hit {
                entry: &self.entries[i as usize],
                score,
                as_written: score >= cutoff && spells(&self.spelled_cores[i as usize], &spelled),
            })
            .collect();
        let order = |a: &Hit<'_>, b: &Hit<'_>| {
            b.score
                .total_cmp(&a.score)
                .then(b.as_written.cmp(&a.as_written))
                .then(a.entry.kind.cmp(&b.entry.kind))
                .then(a.entry.edition.cmp(&b.entry.edition))
                .then_with(|| a.entry.code.cmp(&b.entry.code))
        };
        if hits.len() > limit {
            hits.select_nth_unstable_by(limit - 1, order);
            hits.truncate(limit);
        }
        hits.sort_unstable_by(order);
        hits
    }

    /// Every name matching `q` exactly, by prefix or by words, and when that gives fewer
    /// than `limit`, by typo tolerance too.
    fn scored(&self, q: &Query, limit: usize) -> Vec<(f32, u32)> {
        let mut found: Vec<(f32, u32)> = Vec::new();
        for (i, f) in self.forms.iter().enumerate() {
            if let Some(s) = self.score_plain(q, f) {
                found.push((s, i as u32));
            }
        }
        if found.len() < limit {
            self.typo_pass(q, &mut found);
        }
        found
    }

    fn query(&self, text: &str) -> Option<Query> {
        let full = names::normalise(text);
        if full.is_empty() {
            return None;
        }
        let core = names::core(&full);
        let core_at = full.len() - core.len();
        let compact = names::compact(core);
        let words: Vec<String> = core.split(' ').map(str::to_string).collect();
        let last = words.len() - 1;
        let ranges = words
            .iter()
            .enumerate()
            .map(|(k, w)| {
                let lo = self.vocab.partition_point(|v| **v < **w);
                let exact = self.vocab.get(lo).is_some_and(|v| **v == **w);
                let hi = if k == last {
                    lo + self.vocab[lo..].partition_point(|v| v.starts_with(w.as_str()))
                } else {
                    lo + exact as usize
                };
                (lo as u32, hi as u32, exact)
            })
            .collect();
        Some(Query { full, core_at, compact, ranges, words })
    }

    /// Exact, prefix and whole-word scores; `None` when the name needs typo tolerance.
    fn score_plain(&self, q: &Query, f: &Forms) -> Option<f32> {
        let qcore = &q.full[q.core_at..];
        let core = f.core();
        if *f.full == *q.full || (core == qcore && q.core_at == 0) {
            return Some(EXACT);
        }
        if core == &*q.full {
            // A name that begins with a prefix word ("Xã Phương Tiến" for "phuong tien").
            return Some(EXACT);
        }
        if core == qcore {
            // The query's prefix names another kind ("huyen gia lam" for Xã Gia Lâm).
            return Some(EXACT_OTHER_PREFIX);
        }
        if q.compact.len() >= 2 && *f.compact == *q.compact {
            return Some(EXACT_COMPACT);
        }
        let covered = |len: usize, of: usize| 0.1 * (len as f32 / of.max(1) as f32).min(1.0);
        if core.starts_with(qcore) {
            return Some(PREFIX + covered(qcore.len(), core.len()));
        }
        if f.full.starts_with(&*q.full) {
            return Some(PREFIX + covered(q.full.len(), f.full.len()));
        }
        if q.compact.len() >= 3 && f.compact.starts_with(&q.compact) {
            return Some(PREFIX + covered(q.compact.len(), f.compact.len()) - 0.01);
        }
        let name = &self.words[f.words.0 as usize..f.words.1 as usize];
        let mut exact_words = 0;
        for &(lo, hi, exact) in &q.ranges {
            let m = name.iter().find(|&&id| id >= lo && id < hi)?;
            if exact && *m == lo {
                exact_words += 1;
            }
        }
        Some(WORDS + covered(exact_words, name.len()))
    }

    /// Adds the names found only with typo tolerance.
    fn typo_pass(&self, q: &Query, found: &mut Vec<(f32, u32)>) {
        // Names already found, one bit each.
        let mut seen = vec![0u64; self.forms.len().div_ceil(64)];
        for &(_, i) in found.iter() {
            seen[i as usize / 64] |= 1 << (i % 64);
        }
        // Per query word, how each vocabulary word matches it (None: not at all).
        let tables: Vec<Vec<Option<WordMatch>>> = q
            .words
            .iter()
            .zip(&q.ranges)
            .map(|(w, &(lo, hi, exact))| {
                let bound = fuzzy::bound_for(w.len());
                let profile = fuzzy::profile(w.as_bytes());
                self.vocab
                    .iter()
                    .zip(&self.vocab_profiles)
                    .enumerate()
                    .map(|(id, (v, v_profile))| {
                        let id = id as u32;
                        if id >= lo && id < hi {
                            Some(if exact && id == lo { WordMatch::Exact } else { WordMatch::Prefix })
                        } else if fuzzy::may_be_within(&profile, v_profile, bound) {
                            fuzzy::distance(w.as_bytes(), v.as_bytes(), bound).map(WordMatch::Typo)
                        } else {
                            None
                        }
                    })
                    .collect()
            })
            .collect();
        let compact_bound = fuzzy::bound_for(q.compact.len());
        let compact_profile = fuzzy::profile(q.compact.as_bytes());
        let one_word = q.words.len() == 1;
        for (i, f) in self.forms.iter().enumerate() {
            if seen[i / 64] & (1 << (i % 64)) != 0 {
                continue;
            }
            let name = &self.words[f.words.0 as usize..f.words.1 as usize];
            let mut by_words: Option<u32> = Some(0);
            for table in &tables {
                let best = name
                    .iter()
                    .filter_map(|&id| table[id as usize])
                    .map(|m| match m {
                        WordMatch::Exact | WordMatch::Prefix => 0,
                        WordMatch::Typo(d) => d as u32,
                    })
                    .min();
                by_words = match (by_words, best) {
                    (Some(a), Some(b)) => Some(a + b),
                    _ => None,
                };
            }
            // Names typed without their spaces ("duongsa"): a one-word query against the
            // name without spaces. Queries with spaces are matched word by word above.
            let by_compact = if one_word && q.compact.len() >= 4 && fuzzy::may_be_within(&compact_profile, &f.profile, compact_bound) {
                fuzzy::distance(q.compact.as_bytes(), f.compact.as_bytes(), compact_bound).map(u32::from)
            } else {
                None
            };
            let cost = match (by_words, by_compact) {
                (Some(a), Some(b)) => a.min(b),
                (Some(a), None) | (None, Some(a)) => a,
                (None, None) => continue,
            };
            found.push(((TYPO - TYPO_STEP * cost as f32).max(TYPO_FLOOR), i as u32));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LonLat;

    fn entry(kind: HitKind, code: &str, name: &str, edition: Option<Edition>) -> Entry {
        Entry {
            kind,
            code: code.into(),
            name: name.into(),
            label: name.into(),
            edition,
            parents: Vec::new(),
            bbox: [0.0, 0.0, 1.0, 1.0],
            point: LonLat::new(0.5, 0.5),
        }
    }

    fn index() -> SearchIndex {
        let e24 = Some(Edition::E2024);
        SearchIndex::from_entries(vec![
            entry(HitKind::Commune, "00571", "Xã Dương Xá", e24),
            entry(HitKind::Commune, "02188", "Xã Dương Sơn", e24),
            entry(HitKind::Commune, "00001", "Xã Dương Hà", e24),
            entry(HitKind::Commune, "28237", "Xã Dương Xuân Hội", e24),
            entry(HitKind::Pilot, "HN-01", "Xã NTM thông minh Dương Xá", None),
            entry(HitKind::District, "548", "Huyện Phù Cát", e24),
            entry(HitKind::Commune, "09922", "Xã Phú Cát", e24),
            entry(HitKind::Commune, "09952", "Xã Phú Cát", Some(Edition::E2025)),
            entry(HitKind::Tourism, "T-0001", "Làng gốm Bát Tràng", None),
        ], &[])
    }

    fn codes(idx: &SearchIndex, q: &str) -> Vec<String> {
        idx.search(q, Edition::E2024, 10).iter().map(|h| h.entry.code.clone()).collect()
    }

    #[test]
    fn every_spelling_of_duong_xa_ranks_the_commune_first() {
        let idx = index();
        for q in ["duong xa", "Dương Xá", "DUONGXA", "duongxa", "duong sa", "Xã Dương Xá", "duong x", "dương  xá"] {
            let got = codes(&idx, q);
            assert_eq!(got.first().map(String::as_str), Some("00571"), "{q}: {got:?}");
            // The pilot named after it comes right behind (same score, later kind).
            assert!(got.contains(&"HN-01".to_string()), "{q}: {got:?}");
        }
        // A sound-alike typo is nearer than an ordinary one.
        let hits = idx.search("duong sa", Edition::E2024, 10);
        let score = |code: &str| hits.iter().find(|h| h.entry.code == code).map(|h| h.score);
        assert!(score("00571") > score("00001"), "{hits:?}");
    }

    #[test]
    fn requested_edition_then_spelling_then_kind_then_code_break_ties() {
        let idx = index();
        // Huyện Phù Cát and Xã Phú Cát fold alike: the larger unit first, unless the query
        // spells one of them with its tone marks.
        assert_eq!(codes(&idx, "phu cat")[..3], ["548", "09922", "09952"]);
        assert_eq!(codes(&idx, "Phú Cát")[..2], ["09922", "548"]);
        assert_eq!(codes(&idx, "Phù Cát")[0], "548");
        assert_eq!(codes(&idx, "huyen phu cat")[0], "548");
        let e25: Vec<String> = idx.search("phu cat", Edition::E2025, 3).iter().map(|h| h.entry.code.clone()).collect();
        // The two of 2024 lose the same for their edition, and keep their order.
        assert_eq!(e25, ["09952", "548", "09922"]);
    }

    #[test]
    fn prefix_and_words_rank_below_exact() {
        let idx = index();
        let hits = idx.search("bat trang", Edition::E2024, 5);
        assert_eq!(hits[0].entry.code, "T-0001");
        assert!(hits[0].score < EXACT && hits[0].score >= WORDS);
        let hits = idx.search("lang gom", Edition::E2024, 5);
        assert!(hits[0].score >= PREFIX, "{hits:?}");
        assert!(idx.search("   ", Edition::E2024, 5).is_empty());
        assert!(idx.search("zzzzzz", Edition::E2024, 5).is_empty());
    }

    #[test]
    fn limit_is_respected_and_results_are_the_best() {
        let idx = index();
        let all = idx.search("duong", Edition::E2024, 50);
        let two = idx.search("duong", Edition::E2024, 2);
        assert_eq!(two.len(), 2);
        assert_eq!(two.iter().map(|h| &h.entry.code).collect::<Vec<_>>(), all[..2].iter().map(|h| &h.entry.code).collect::<Vec<_>>());
    }
}
