//! Criteria attributes of the NTM map's `communes` and `districts` layers: for the view's
//! moment, how each unit stands on every criterion and on the indicators, compactly, so
//! that a client (or bando's own PNG tiles) can colour the map by any criterion without a
//! request per unit.
//!
//! Steps per unit, for each criteria set of the unit's kind that covers the view's year
//! ([`Fields::new`]), done once per moment for every unit of an edition
//! ([`CriteriaTable::build`], kept by [`CriteriaTables`] with the edition's tiles) and
//! encoded as index pairs into one dictionary of names and values per moment ([`encode`],
//! [`super::mvt::Tags`]), so that a tile copies a few integers per unit
//! ([`CriteriaTable::commune`]):
//!   1. the status of every item of the set ([`crate::standing`]: the latest row by then,
//!      else met by the unit's recognised level, else no data; an edition-2025 commune
//!      stands as the weakest of its former xã);
//!   2. the criteria into two bitmasks ([`Mask`]), bit n−1 for criterion n:
//!      `crit_{set}` (met, by a row or by the level) and `crit_{set}_known` (met or not met;
//!      a bit clear there means no data);
//!   3. each indicator as text, `ind_{set}_{c}_{i}` = `met` | `not_met` | `no_data`, and its
//!      measured value `ind_{set}_{c}_{i}_value` when the row gives one;
//!   4. a set on which nothing is known adds no attribute at all, and neither does a set
//!      the unit meets wholly by its recognised level with no row of its own (most units of
//!      most sets, so tiles barely grow without assessments). Absent attributes of a set
//!      therefore read: met, when the unit's `level` is at or above the set's level (its
//!      recognition certifies every item of the set); no data otherwise.
//!
//! Names are lower-case letters, digits and `_` (set ids are, by the catalog's rule), so
//! they work as plain identifiers in MapLibre, OpenLayers and Leaflet filters. Masks are
//! whole numbers below 2^52, exact as JavaScript numbers; a client tests criterion n with
//! `floor(mask / 2^(n−1)) % 2 == 1` (MapLibre expressions have no bit operators).

use super::mvt::{Dictionary, Tags, Value};
use crate::atlas::Atlas;
use crate::model::{AsOf, CriteriaCatalog, DistrictCode, Edition, ItemNumber, UnitScope};
use crate::standing::{self, ItemStatus, UnitCriteria};
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

/// Criteria numbered above this are left out of the masks: a mask must stay exact as a
/// double (2^53), which is what JavaScript clients read it as.
pub const MAX_MASK_CRITERION: u8 = 52;

/// `crit_{set}`: the criteria met.
pub fn mask_key(set: &str) -> String {
    format!("crit_{set}")
}

/// `crit_{set}_known`: the criteria met or not met.
pub fn known_key(set: &str) -> String {
    format!("crit_{set}_known")
}

/// `ind_{set}_{criterion}_{indicator}`, e.g. `ind_xa_ntm_2021_8_4`.
pub fn indicator_key(set: &str, item: ItemNumber) -> String {
    format!("ind_{set}_{}_{}", item.criterion, item.indicator.unwrap_or(0))
}

/// `ind_{set}_{criterion}_{indicator}_value`: the indicator's measured value.
pub fn indicator_value_key(set: &str, item: ItemNumber) -> String {
    format!("{}_value", indicator_key(set, item))
}

/// A measured value: whole numbers as integers (a varint of a byte or two instead of a
/// double's nine); clients read both as numbers.
fn number_value(v: f64) -> Value<'static> {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        Value::Int(v as i64)
    } else {
        Value::Double(v)
    }
}

/// Statuses as two bitmasks, one bit per item: `met`, and `known` (met or not met; a bit
/// clear there is no data). Criteria use bit n−1 for criterion n.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Mask {
    pub met: u64,
    pub known: u64,
}

impl Mask {
    /// Every bit of `bits` met (what a recognition at the set's level certifies).
    fn all(bits: u64) -> Mask {
        Mask { met: bits, known: bits }
    }

    /// Bit `bit` becomes known, met or not.
    fn set(&mut self, bit: u32, met: bool) {
        let b = 1u64 << bit;
        self.known |= b;
        if met {
            self.met |= b;
        } else {
            self.met &= !b;
        }
    }

    /// Records criterion `item`'s status (criteria beyond [`MAX_MASK_CRITERION`] and
    /// indicators are not in criteria masks).
    pub fn add(&mut self, item: ItemNumber, status: ItemStatus) {
        if item.is_indicator() || !(1..=MAX_MASK_CRITERION).contains(&item.criterion) {
            return;
        }
        match status {
            ItemStatus::Met | ItemStatus::MetByLevel => self.set(u32::from(item.criterion) - 1, true),
            ItemStatus::NotMet => self.set(u32::from(item.criterion) - 1, false),
            ItemStatus::NoData => {}
        }
    }

    /// Criterion `criterion` read back: `Some(true)` met, `Some(false)` not met, `None` no
    /// data (or out of the mask's range).
    pub fn get(self, criterion: u8) -> Option<bool> {
        if !(1..=MAX_MASK_CRITERION).contains(&criterion) {
            return None;
        }
        self.bit(u32::from(criterion) - 1)
    }

    fn bit(self, bit: u32) -> Option<bool> {
        let b = 1u64 << bit;
        (self.known & b != 0).then_some(self.met & b != 0)
    }

    /// Two parts of a merged unit, every bit by [`standing::weakest`]: not met when either
    /// part does not meet it, no data when either has no data, else met.
    pub fn weakest(self, other: Mask) -> Mask {
        let not_met = (self.known & !self.met) | (other.known & !other.met);
        Mask { met: self.met & other.met & !not_met, known: not_met | (self.known & other.known) }
    }
}

/// Indicators past this position in a set are left out of the tiles (sets have a handful).
const MAX_INDICATORS: usize = 64;

/// A unit's standing on one set: criteria by bit n−1, indicators by their position in the
/// set's list; `rows` when any row is in force (without one, the unit stands by its level
/// alone and the set adds no attribute, step 4).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct SetState {
    criteria: Mask,
    indicators: Mask,
    rows: bool,
}

impl SetState {
    fn weakest(self, other: SetState) -> SetState {
        SetState { criteria: self.criteria.weakest(other.criteria), indicators: self.indicators.weakest(other.indicators), rows: self.rows || other.rows }
    }
}

/// The attribute names of one set.
struct SetFields {
    /// Index of the set in the catalog.
    set: usize,
    mask: String,
    known: String,
    /// Bits of the set's criteria (up to [`MAX_MASK_CRITERION`]).
    criteria_bits: u64,
    /// Bits of the set's indicators, by position.
    indicator_bits: u64,
    /// (indicator, status key, value key), in the set's order.
    indicators: Vec<(ItemNumber, String, String)>,
}

impl SetFields {
    /// Steps 1–2 in one pass over the unit's rows in force: the level's certification
    /// first, then each row (as [`standing::UnitCriteria::items`] decides, without walking
    /// every item).
    fn state(&self, catalog: &CriteriaCatalog, unit: UnitCriteria<'_>) -> SetState {
        let set = &catalog.sets[self.set];
        let mut s = SetState::default();
        if unit.certified(set) {
            s.criteria = Mask::all(self.criteria_bits);
            s.indicators = Mask::all(self.indicator_bits);
        }
        for a in unit.in_force(set) {
            s.rows = true;
            match a.item.indicator {
                None if (1..=MAX_MASK_CRITERION).contains(&a.item.criterion) => s.criteria.set(u32::from(a.item.criterion) - 1, a.met),
                None => {}
                Some(_) => {
                    if let Some(i) = self.indicators.iter().position(|(n, _, _)| *n == a.item) {
                        s.indicators.set(i as u32, a.met);
                    }
                }
            }
        }
        s
    }

    /// The measured value of each indicator (NaN: none), appended to `out`.
    fn values(&self, catalog: &CriteriaCatalog, unit: UnitCriteria<'_>, out: &mut Vec<f64>) {
        let start = out.len();
        out.resize(start + self.indicators.len(), f64::NAN);
        for a in unit.in_force(&catalog.sets[self.set]) {
            if let (Some(v), Some(i)) = (a.value, self.indicators.iter().position(|(n, _, _)| *n == a.item)) {
                out[start + i] = v;
            }
        }
    }

    /// Steps 2–4: the attributes of `state`, with the indicators' `values` (edition 2024).
    fn push<'k>(&'k self, state: &SetState, values: Option<&[f64]>, attrs: &mut Vec<(&'k str, Value<'static>)>) {
        if !state.rows {
            return;
        }
        for (i, (_, key, value_key)) in self.indicators.iter().enumerate() {
            let word = match state.indicators.bit(i as u32) {
                Some(true) => "met",
                Some(false) => "not_met",
                None => "no_data",
            };
            attrs.push((key.as_str(), Value::Str(Cow::Borrowed(word))));
            if let Some(v) = values.and_then(|vs| vs.get(i)).filter(|v| !v.is_nan()) {
                attrs.push((value_key.as_str(), number_value(*v)));
            }
        }
        attrs.push((self.mask.as_str(), Value::Int(state.criteria.met as i64)));
        attrs.push((self.known.as_str(), Value::Int(state.criteria.known as i64)));
    }
}

/// The criteria attribute names of one layer: the sets of its unit covering one year.
pub struct Fields {
    sets: Vec<SetFields>,
}

/// A feature's attributes, keys borrowed from [`Fields`] or static.
pub type Attrs<'k, 'v> = Vec<(&'k str, Option<Value<'v>>)>;

impl Fields {
    /// Every attribute name of the sets, each once.
    fn keys(&self) -> impl Iterator<Item = &str> {
        self.sets.iter().flat_map(|f| f.indicators.iter().flat_map(|(_, key, value_key)| [key.as_str(), value_key.as_str()]).chain([f.mask.as_str(), f.known.as_str()]))
    }
}

impl Fields {
    /// The sets of `unit` that cover `year`, in catalog order.
    pub fn new(catalog: &CriteriaCatalog, unit: UnitScope, year: u16) -> Fields {
        let sets = catalog
            .sets
            .iter()
            .enumerate()
            .filter(|(_, s)| s.unit == unit && s.years().contains(&year))
            .map(|(index, set)| {
                let indicators: Vec<(ItemNumber, String, String)> = set
                    .items
                    .iter()
                    .filter(|i| i.number.is_indicator())
                    .take(MAX_INDICATORS)
                    .map(|i| (i.number, indicator_key(&set.id, i.number), indicator_value_key(&set.id, i.number)))
                    .collect();
                let criteria_bits = set.criteria().filter(|c| (1..=MAX_MASK_CRITERION).contains(&c.number.criterion)).fold(0u64, |b, c| b | 1 << (c.number.criterion - 1));
                let indicator_bits = if indicators.len() == 64 { u64::MAX } else { (1u64 << indicators.len()) - 1 };
                SetFields { set: index, mask: mask_key(&set.id), known: known_key(&set.id), criteria_bits, indicator_bits, indicators }
            })
            .collect();
        Fields { sets }
    }

    fn value_count(&self) -> usize {
        self.sets.iter().map(|f| f.indicators.len()).sum()
    }

    /// Field name → description of every attribute, for TileJSON's `vector_layers`.
    pub fn describe(&self, catalog: &CriteriaCatalog, edition_2025: bool) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let how = if edition_2025 { " (every former xã; not met when any is not, no data when any has none)" } else { "" };
        for f in &self.sets {
            let set = &catalog.sets[f.set];
            let id = &set.id;
            out.push((f.mask.clone(), format!("Number: criteria of {id} met{how}, bit n−1 for criterion n (met by a row or by the recognised level). The attributes of {id} are absent when nothing is known (no data) or when the unit meets the whole set by its recognised level alone (level at or above {})", set.level)));
            out.push((f.known.clone(), format!("Number: criteria of {id} known (met or not met), bit n−1 for criterion n; a clear bit is no data")));
            for (number, key, value_key) in &f.indicators {
                out.push((key.clone(), format!("String: indicator {number} of {id}{how}: met | not_met | no_data")));
                if !edition_2025 {
                    out.push((value_key.clone(), format!("Number: the measured value of indicator {number} of {id}, when the row gives one")));
                }
            }
        }
        out
    }
}

/// No unit: a slot of [`CriteriaTable`] for a unit that writes no criteria.
const NONE: u32 = u32::MAX;

/// The criteria of every unit of one edition at one moment, as the tiles write them (steps
/// 1–4 done once for all units; a tile then copies a few integers per unit). Only units
/// with rows in force have an entry.
pub struct CriteriaTable {
    pub communes: Fields,
    pub districts: Fields,
    /// Per commune position, its entry in `commune_tags` (`NONE`: nothing to write).
    commune_entry: Vec<u32>,
    district_entry: HashMap<DistrictCode, u32>,
    commune_tags: EncodedTags,
    district_tags: EncodedTags,
}

/// Step 3–4's attributes of every entry, as index pairs into one [`Dictionary`]: entry `e`
/// is `pairs[starts[e] .. starts[e + 1]]`.
struct EncodedTags {
    dictionary: Dictionary,
    starts: Vec<u32>,
    pairs: Vec<[u32; 2]>,
}

impl EncodedTags {
    fn get(&self, entry: u32) -> Tags<'_> {
        let e = entry as usize;
        Tags { dictionary: &self.dictionary, pairs: &self.pairs[self.starts[e] as usize..self.starts[e + 1] as usize] }
    }
}

/// A value by identity (doubles by their bits), to number the dictionary's values.
#[derive(Hash, PartialEq, Eq)]
enum ValueKey {
    Str(String),
    Int(i64),
    Double(u64),
    Bool(bool),
}

impl ValueKey {
    fn of(v: &Value<'_>) -> ValueKey {
        match v {
            Value::Str(s) => ValueKey::Str(s.to_string()),
            Value::Int(i) => ValueKey::Int(*i),
            Value::Double(d) => ValueKey::Double(d.to_bits()),
            Value::Bool(b) => ValueKey::Bool(*b),
        }
    }
}

/// Steps 3–4 for every entry (`states` and `values` laid out as [`CriteriaTable::build`]
/// collects them), encoded: names numbered in the fields' order, values by how many
/// entries use them (the most used first, which a tile's layer maps by array).
fn encode(fields: &Fields, states: &[SetState], values: &[f64]) -> EncodedTags {
    let key_index: HashMap<&str, u32> = fields.keys().enumerate().map(|(i, k)| (k, i as u32)).collect();
    let n = fields.sets.len().max(1);
    let mut found: HashMap<ValueKey, (u32, usize, Value<'static>)> = HashMap::new();
    let mut starts = vec![0u32];
    let mut pairs: Vec<[u32; 2]> = Vec::new();
    let mut attrs = Vec::new();
    for entry in 0..states.len() / n {
        attrs.clear();
        push_entry(fields, states, values, entry, &mut attrs);
        for (key, value) in attrs.drain(..) {
            let next = found.len() as u32;
            let slot = found.entry(ValueKey::of(&value)).or_insert((next, 0, value));
            slot.1 += 1;
            pairs.push([key_index[key], slot.0]);
        }
        starts.push(pairs.len() as u32);
    }
    // Renumber the values, most used first (ties by first use, so the order is fixed).
    let mut by_use: Vec<(u32, usize, Value<'static>)> = found.into_values().collect();
    by_use.sort_by_key(|&(first, uses, _)| (std::cmp::Reverse(uses), first));
    let mut renumber = vec![0u32; by_use.len()];
    for (new, (old, _, _)) in by_use.iter().enumerate() {
        renumber[*old as usize] = new as u32;
    }
    for pair in &mut pairs {
        pair[1] = renumber[pair[1] as usize];
    }
    let dictionary = Dictionary { keys: fields.keys().map(str::to_string).collect(), values: by_use.into_iter().map(|(_, _, v)| v).collect() };
    EncodedTags { dictionary, starts, pairs }
}

impl CriteriaTable {
    /// The table of `edition` at `as_of`; `None` when no unit has a row (nothing to write).
    pub fn build(atlas: &Atlas, edition: Edition, as_of: AsOf) -> Option<CriteriaTable> {
        let criteria = &atlas.criteria;
        if criteria.communes.is_empty() && criteria.districts.is_empty() {
            return None;
        }
        let catalog = &criteria.catalog;
        let year = as_of.year();
        let communes = Fields::new(catalog, UnitScope::Commune, year);
        let districts = Fields::new(catalog, UnitScope::District, year);
        let mut commune_entry = vec![NONE; atlas.edition(edition).communes.len()];
        let mut district_entry = HashMap::new();
        // Entry `e` of the communes is `commune_states[e * sets .. (e + 1) * sets]`, its
        // indicators' measured values (edition 2024) `commune_values[e * count .. (e + 1) *
        // count]`, NaN where there is none.
        let (mut commune_states, mut district_states) = (Vec::new(), Vec::new());
        let (mut commune_values, mut district_values) = (Vec::new(), Vec::new());
        let e2024 = atlas.edition(Edition::E2024);
        let mut states: Vec<SetState> = Vec::new();
        match edition {
            Edition::E2024 => {
                for (position, commune) in e2024.communes.iter().enumerate() {
                    // Most units have no rows: they stand by their level alone (step 4).
                    if !standing::commune_assessed(atlas, commune) {
                        continue;
                    }
                    let Some(unit) = standing::commune_criteria(atlas, commune, as_of) else { continue };
                    states.clear();
                    states.extend(communes.sets.iter().map(|f| f.state(catalog, unit)));
                    if states.iter().any(|s| s.rows) {
                        commune_entry[position] = (commune_states.len() / communes.sets.len().max(1)) as u32;
                        commune_states.extend_from_slice(&states);
                        for f in &communes.sets {
                            f.values(catalog, unit, &mut commune_values);
                        }
                    }
                }
                for &code in criteria.districts.keys() {
                    let unit = standing::district_criteria(atlas, code, as_of);
                    states.clear();
                    states.extend(districts.sets.iter().map(|f| f.state(catalog, unit)));
                    if states.iter().any(|s| s.rows) {
                        district_entry.insert(code, (district_states.len() / districts.sets.len().max(1)) as u32);
                        district_states.extend_from_slice(&states);
                        for f in &districts.sets {
                            f.values(catalog, unit, &mut district_values);
                        }
                    }
                }
            }
            Edition::E2025 => {
                let e2025 = atlas.edition(Edition::E2025);
                for (position, commune) in e2025.communes.iter().enumerate() {
                    let former = &e2025.former[position];
                    // As for 2024: former xã without rows stand by their levels, which the
                    // commune's `level` (the weakest) already says.
                    if !commune.kind.ntm_eligible() || !former.iter().any(|&p| standing::commune_assessed(atlas, &e2024.communes[p as usize])) {
                        continue;
                    }
                    let mut combined: Option<Vec<SetState>> = None;
                    for &p in former {
                        // Phường and thị trấn are not assessed: they do not weaken the commune.
                        let Some(unit) = standing::commune_criteria(atlas, &e2024.communes[p as usize], as_of) else { continue };
                        let parts = communes.sets.iter().map(|f| f.state(catalog, unit));
                        match &mut combined {
                            None => combined = Some(parts.collect()),
                            Some(all) => all.iter_mut().zip(parts).for_each(|(c, s)| *c = c.weakest(s)),
                        }
                    }
                    if let Some(all) = combined.filter(|all| all.iter().any(|s| s.rows)) {
                        commune_entry[position] = (commune_states.len() / communes.sets.len().max(1)) as u32;
                        commune_states.extend(all);
                    }
                }
            }
        }
        let commune_tags = encode(&communes, &commune_states, &commune_values);
        let district_tags = encode(&districts, &district_states, &district_values);
        Some(CriteriaTable { communes, districts, commune_entry, district_entry, commune_tags, district_tags })
    }

    /// The criteria attributes of the commune at `position` of the table's edition, if it
    /// has any.
    pub fn commune(&self, position: usize) -> Option<Tags<'_>> {
        let &entry = self.commune_entry.get(position).filter(|&&e| e != NONE)?;
        Some(self.commune_tags.get(entry))
    }

    /// The criteria attributes of an edition-2024 district, if it has any.
    pub fn district(&self, code: DistrictCode) -> Option<Tags<'_>> {
        self.district_entry.get(&code).map(|&entry| self.district_tags.get(entry))
    }
}

fn push_entry<'k>(fields: &'k Fields, states: &[SetState], values: &[f64], entry: usize, attrs: &mut Vec<(&'k str, Value<'static>)>) {
    let n = fields.sets.len();
    let count = fields.value_count();
    let mut offset = entry * count;
    for (f, state) in fields.sets.iter().zip(&states[entry * n..(entry + 1) * n]) {
        let vs = values.get(offset..offset + f.indicators.len());
        f.push(state, vs, attrs);
        offset += f.indicators.len();
    }
}

/// The tables of the moments asked for lately, kept with an edition's tiles (the atlas
/// snapshot they were made from never changes): a few moments, the latest used first.
#[derive(Default)]
pub struct CriteriaTables(std::sync::Mutex<Vec<(AsOf, Option<Arc<CriteriaTable>>)>>);

/// Moments kept: the years of the data and a few days fit.
const TABLES_KEPT: usize = 8;

impl CriteriaTables {
    /// The moments kept, the latest used first.
    pub fn moments(&self) -> Vec<AsOf> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).iter().map(|(m, _)| *m).collect()
    }

    /// The table of `edition` at `as_of` for `atlas` (the atlas these tiles were built from).
    pub fn get(&self, atlas: &Atlas, edition: Edition, as_of: AsOf) -> Option<Arc<CriteriaTable>> {
        if atlas.criteria.communes.is_empty() && atlas.criteria.districts.is_empty() {
            return None;
        }
        let lock = || self.0.lock().unwrap_or_else(|e| e.into_inner());
        {
            let mut kept = lock();
            if let Some(i) = kept.iter().position(|(m, _)| *m == as_of) {
                let hit = kept.remove(i);
                let table = hit.1.clone();
                kept.insert(0, hit);
                return table;
            }
        }
        // Built outside the lock: tiles of other moments are not held up (two first
        // requests of one moment may both build it; the second result is dropped).
        let table = CriteriaTable::build(atlas, edition, as_of).map(Arc::new);
        let mut kept = lock();
        if !kept.iter().any(|(m, _)| *m == as_of) {
            kept.insert(0, (as_of, table.clone()));
            kept.truncate(TABLES_KEPT);
        }
        table
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn criterion_n_is_bit_n_minus_1_and_known_tells_not_met_from_no_data() {
        let mut m = Mask::default();
        m.add(ItemNumber::criterion(1), ItemStatus::Met);
        m.add(ItemNumber::criterion(8), ItemStatus::MetByLevel);
        m.add(ItemNumber::criterion(19), ItemStatus::NotMet);
        m.add(ItemNumber::criterion(5), ItemStatus::NoData);
        m.add(ItemNumber::indicator(8, 4), ItemStatus::NotMet);
        assert_eq!(m.met, 0b1000_0001);
        assert_eq!(m.known, 0b1000_0001 | 1 << 18);
        assert_eq!(m.get(1), Some(true));
        assert_eq!(m.get(8), Some(true));
        assert_eq!(m.get(19), Some(false));
        assert_eq!(m.get(5), None, "no data");
        assert_eq!(m.get(2), None);
        assert_eq!(m.get(0), None);
    }

    #[test]
    fn a_full_set_of_19_met_is_2_to_the_19_minus_1_and_the_largest_mask_is_exact_in_a_double() {
        let mut m = Mask::default();
        for n in 1..=19 {
            m.add(ItemNumber::criterion(n), ItemStatus::Met);
        }
        assert_eq!((m.met, m.known), ((1 << 19) - 1, (1 << 19) - 1));
        let mut wide = Mask::default();
        for n in 1..=99 {
            wide.add(ItemNumber::criterion(n), ItemStatus::Met);
        }
        assert_eq!(wide.met, (1u64 << MAX_MASK_CRITERION) - 1, "criteria past 52 are left out");
        assert_eq!(wide.met as f64 as u64, wide.met);
        assert_eq!(wide.get(53), None);
    }

    #[test]
    fn the_arithmetic_clients_use_reads_the_same_bits() {
        // floor(mask / 2^(n−1)) % 2, in doubles, as a MapLibre expression computes it.
        let mut m = Mask::default();
        for (n, status) in [(1, ItemStatus::Met), (3, ItemStatus::NotMet), (8, ItemStatus::Met), (19, ItemStatus::Met), (52, ItemStatus::Met)] {
            m.add(ItemNumber::criterion(n), status);
        }
        for n in 1..=MAX_MASK_CRITERION {
            let bit = |mask: u64| ((mask as f64) / 2f64.powi(i32::from(n) - 1)).floor() % 2.0 == 1.0;
            let expected = m.get(n);
            assert_eq!(bit(m.known).then(|| bit(m.met)), expected, "criterion {n}");
        }
    }

    #[test]
    fn merged_masks_follow_the_weakest_rule_bit_by_bit() {
        let all = [ItemStatus::Met, ItemStatus::NotMet, ItemStatus::MetByLevel, ItemStatus::NoData];
        let read = |s: ItemStatus| match s {
            ItemStatus::Met | ItemStatus::MetByLevel => Some(true),
            ItemStatus::NotMet => Some(false),
            ItemStatus::NoData => None,
        };
        // Criterion k of part a and part b take every pair of statuses at once.
        let (mut a, mut b) = (Mask::default(), Mask::default());
        let mut pairs = Vec::new();
        for (i, &x) in all.iter().enumerate() {
            for (j, &y) in all.iter().enumerate() {
                let n = (i * all.len() + j + 1) as u8;
                a.add(ItemNumber::criterion(n), x);
                b.add(ItemNumber::criterion(n), y);
                pairs.push((n, x, y));
            }
        }
        let merged = a.weakest(b);
        for (n, x, y) in pairs {
            assert_eq!(merged.get(n), read(standing::weakest(x, y)), "criterion {n}: {x:?} and {y:?}");
        }
    }

    fn catalog() -> CriteriaCatalog {
        let item = |number| crate::model::CriteriaItem::new(number, None, None);
        let (c, i) = (ItemNumber::criterion, ItemNumber::indicator);
        CriteriaCatalog {
            sets: vec![crate::model::CriteriaSet {
                id: "x".into(),
                unit: UnitScope::Commune,
                level: crate::model::Level::DatChuan,
                first_year: 2021,
                last_year: 2025,
                decision: String::new(),
                decision_date: String::new(),
                name_vi: String::new(),
                name_en: String::new(),
                items: vec![item(c(1)), item(c(2)), item(i(2, 1)), item(c(3)), item(c(4)), item(i(4, 2)), item(i(4, 5))],
            }],
        }
    }

    proptest::proptest! {
        // The one-pass state of the tiles says what the item-by-item checklist says.
        #[test]
        fn one_pass_state_reads_every_item_as_the_checklist_does(
            raw in proptest::collection::vec((0usize..7, 2021u16..2026, proptest::bool::ANY, proptest::option::of(1u8..29)), 0..20),
            level in proptest::option::of(0usize..4),
            year in 2021u16..2026,
        ) {
            use crate::atlas::criteria::{Assessment, Criteria};
            let criteria = Criteria::without_assessments(catalog());
            let set = &criteria.catalog.sets[0];
            let mut rows: Vec<Assessment> = raw
                .iter()
                .map(|&(k, y, met, day)| Assessment { set: 0, item: set.items[k].number, year: y, met, value: None, assessed_on: day.map(|d| format!("{y}-05-{d:02}")), note: None, line: Default::default() })
                .collect();
            rows.sort_by_key(|a| (a.item, a.assessed_on.clone().unwrap_or_else(|| format!("{}-12-31", a.year))));
            rows.dedup_by_key(|a| (a.item, a.year));
            let unit = UnitCriteria::new(&criteria, &rows, level.map(|l| crate::model::Level::ALL[l]), AsOf::Year(year));
            let fields = Fields::new(&criteria.catalog, UnitScope::Commune, year);
            let state = fields.sets[0].state(&criteria.catalog, unit);
            let mut indicator = 0u32;
            for item in unit.items(set) {
                let want = match item.status {
                    ItemStatus::Met | ItemStatus::MetByLevel => Some(true),
                    ItemStatus::NotMet => Some(false),
                    ItemStatus::NoData => None,
                };
                let got = if item.number.is_indicator() {
                    indicator += 1;
                    state.indicators.bit(indicator - 1)
                } else {
                    state.criteria.get(item.number.criterion)
                };
                proptest::prop_assert_eq!(got, want, "item {}", item.number);
            }
            proptest::prop_assert_eq!(state.rows, unit.in_force(set).next().is_some());
        }
    }

    #[test]
    fn names_are_identifiers() {
        let item = ItemNumber::indicator(15, 2);
        assert_eq!(mask_key("xa_ntm_2021"), "crit_xa_ntm_2021");
        assert_eq!(known_key("xa_ntm_2021"), "crit_xa_ntm_2021_known");
        assert_eq!(indicator_key("xa_nang_cao_2021", item), "ind_xa_nang_cao_2021_15_2");
        assert_eq!(indicator_value_key("xa_nang_cao_2021", item), "ind_xa_nang_cao_2021_15_2_value");
        for k in [mask_key("a_1"), indicator_value_key("a_1", item)] {
            assert!(k.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'), "{k}");
        }
    }
}
