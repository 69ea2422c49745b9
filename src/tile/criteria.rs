//! Criteria attributes of the NTM map's `communes` and `districts` layers: for the view's
//! moment, how each unit stands on every criterion and on the indicators, compactly, so
//! that a client (or bando's own PNG tiles) can colour the map by any criterion without a
//! request per unit.
//!
//! Steps per unit, for each criteria set of the unit's kind that covers the view's year
//! ([`Fields::new`]):
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

use super::mvt::Value;
use crate::atlas::Atlas;
use crate::model::{AsOf, Commune, CriteriaCatalog, CriteriaSet, DistrictCode, ItemNumber, UnitScope};
use crate::standing::{self, ItemStatus};
use std::borrow::Cow;

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

/// The word of an indicator's status in the tiles.
pub fn status_word(status: ItemStatus) -> &'static str {
    match status {
        ItemStatus::Met | ItemStatus::MetByLevel => "met",
        ItemStatus::NotMet => "not_met",
        ItemStatus::NoData => "no_data",
    }
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

/// The criteria of one set as two bitmasks, bit n−1 for criterion n.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Mask {
    pub met: u64,
    pub known: u64,
}

impl Mask {
    /// Records criterion `criterion`'s status (criteria beyond [`MAX_MASK_CRITERION`] and
    /// indicators are not in masks).
    pub fn add(&mut self, item: ItemNumber, status: ItemStatus) {
        if item.is_indicator() || !(1..=MAX_MASK_CRITERION).contains(&item.criterion) {
            return;
        }
        let bit = 1u64 << (item.criterion - 1);
        match status {
            ItemStatus::Met | ItemStatus::MetByLevel => {
                self.met |= bit;
                self.known |= bit;
            }
            ItemStatus::NotMet => self.known |= bit,
            ItemStatus::NoData => {}
        }
    }

    /// Criterion `criterion` read back: `Some(true)` met, `Some(false)` not met, `None` no
    /// data (or out of the mask's range).
    pub fn get(self, criterion: u8) -> Option<bool> {
        if !(1..=MAX_MASK_CRITERION).contains(&criterion) {
            return None;
        }
        let bit = 1u64 << (criterion - 1);
        (self.known & bit != 0).then_some(self.met & bit != 0)
    }
}

/// The attribute names of one set.
struct SetFields<'c> {
    set: &'c CriteriaSet,
    mask: String,
    known: String,
    /// (indicator, status key, value key), in the set's order.
    indicators: Vec<(ItemNumber, String, String)>,
}

/// The criteria attribute names of one layer for one view, made once per tile.
pub struct Fields<'c> {
    sets: Vec<SetFields<'c>>,
}

/// A feature's attributes, keys borrowed from [`Fields`] or static.
pub type Attrs<'k, 'v> = Vec<(&'k str, Option<Value<'v>>)>;

impl<'c> Fields<'c> {
    /// The sets of `unit` that cover `year`, in catalog order.
    pub fn new(catalog: &'c CriteriaCatalog, unit: UnitScope, year: u16) -> Fields<'c> {
        let sets = catalog
            .sets
            .iter()
            .filter(|s| s.unit == unit && s.years().contains(&year))
            .map(|set| SetFields {
                set,
                mask: mask_key(&set.id),
                known: known_key(&set.id),
                indicators: set
                    .items
                    .iter()
                    .filter(|i| i.number.is_indicator())
                    .map(|i| (i.number, indicator_key(&set.id, i.number), indicator_value_key(&set.id, i.number)))
                    .collect(),
            })
            .collect();
        Fields { sets }
    }

    /// Steps 2–4 of the module doc for one set: `items` are (item, status, measured value).
    fn push<'k>(fields: &'k SetFields<'_>, items: impl Iterator<Item = (ItemNumber, ItemStatus, Option<f64>)>, attrs: &mut Attrs<'k, '_>) {
        let start = attrs.len();
        let mut mask = Mask::default();
        let mut indicators_known = false;
        let mut all_by_level = true;
        let mut indicators = fields.indicators.iter();
        for (number, status, value) in items {
            all_by_level &= status == ItemStatus::MetByLevel;
            if !number.is_indicator() {
                mask.add(number, status);
                continue;
            }
            // Items come in the set's order, as the indicator names were made.
            let Some((_, key, value_key)) = indicators.find(|(n, _, _)| *n == number) else { continue };
            indicators_known |= status != ItemStatus::NoData;
            attrs.push((key.as_str(), Some(Value::Str(Cow::Borrowed(status_word(status))))));
            if let Some(v) = value {
                attrs.push((value_key.as_str(), Some(number_value(v))));
            }
        }
        if all_by_level || (mask.known == 0 && !indicators_known) {
            attrs.truncate(start);
            return;
        }
        attrs.push((fields.mask.as_str(), Some(Value::Int(mask.met as i64))));
        attrs.push((fields.known.as_str(), Some(Value::Int(mask.known as i64))));
    }

    /// The attributes of an edition-2024 commune (none for phường, thị trấn and đặc khu).
    pub fn commune_2024<'k>(&'k self, atlas: &Atlas, commune: &Commune, as_of: AsOf, attrs: &mut Attrs<'k, '_>) {
        for f in &self.sets {
            if let Some(items) = standing::commune_items(atlas, commune, f.set, as_of) {
                Self::push(f, items.map(|s| (s.number, s.status, s.assessment.and_then(|a| a.value))), attrs);
            }
        }
    }

    /// The attributes of the edition-2025 commune at `position`: how its former xã stand
    /// together (no values: they belong to the former communes).
    pub fn commune_2025<'k>(&'k self, atlas: &Atlas, position: usize, as_of: AsOf, attrs: &mut Attrs<'k, '_>) {
        for f in &self.sets {
            if let Some(items) = standing::commune_2025_items(atlas, position, f.set, as_of) {
                Self::push(f, items.into_iter().map(|(n, s)| (n, s, None)), attrs);
            }
        }
    }

    /// The attributes of an edition-2024 district.
    pub fn district<'k>(&'k self, atlas: &Atlas, district: DistrictCode, as_of: AsOf, attrs: &mut Attrs<'k, '_>) {
        for f in &self.sets {
            let items = standing::district_items(atlas, district, f.set, as_of);
            Self::push(f, items.map(|s| (s.number, s.status, s.assessment.and_then(|a| a.value))), attrs);
        }
    }

    /// Field name → description of every attribute, for TileJSON's `vector_layers`.
    pub fn describe(&self, edition_2025: bool) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let how = if edition_2025 { " (every former xã; not met when any is not, no data when any has none)" } else { "" };
        for f in &self.sets {
            let id = &f.set.id;
            out.push((f.mask.clone(), format!("Number: criteria of {id} met{how}, bit n−1 for criterion n (met by a row or by the recognised level). The attributes of {id} are absent when nothing is known (no data) or when the unit meets the whole set by its recognised level alone (level at or above {})", f.set.level)));
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
