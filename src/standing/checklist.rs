//! The checklist of the criteria set a unit is assessed on at a moment, with what is
//! still missing.
//!
//! Steps ([`commune_checklist`], [`district_checklist`]):
//!   1. the level in force at the moment (end of a year, or a day);
//!   2. the set that applies: the set of the next level up (a chưa đạt commune is assessed on
//!      the NTM set, a đạt chuẩn one on the nâng cao set), or the highest set of the
//!      catalog when the unit is already above every set's level;
//!   3. each criterion and indicator of that set: its latest row by then, else "met by
//!      level" when the unit's recognised level is at least the set's level (a recognition
//!      certifies every criterion of its set), else no data;
//!   4. what is missing: the criteria whose latest row says not met.
//!
//! Maps read the same statuses on any set, not only the applicable one
//! ([`commune_criteria`], [`district_criteria`], then [`UnitCriteria::items`], or
//! [`UnitCriteria::certified`] and [`UnitCriteria::in_force`] in one pass; an edition-2025
//! commune stands as the [`weakest`] of its former xã), without building labels or
//! allocating.

use super::level::{commune_level, district_level, LevelInForce};
use crate::atlas::criteria::{Assessment, Criteria};
use crate::atlas::Atlas;
use crate::model::{AsOf, Commune, CriteriaItem, CriteriaSet, DistrictCode, ItemNumber, Level, UnitScope};

/// How an item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    /// A row says it is met.
    Met,
    /// A row says it is not met.
    NotMet,
    /// No row, but the unit's recognised level certifies it.
    MetByLevel,
    /// No row and no recognition that covers it.
    NoData,
}

impl ItemStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemStatus::Met => "met",
            ItemStatus::NotMet => "not_met",
            ItemStatus::MetByLevel => "met_by_level",
            ItemStatus::NoData => "no_data",
        }
    }

    pub fn is_met(self) -> bool {
        matches!(self, ItemStatus::Met | ItemStatus::MetByLevel)
    }
}

/// One line of a checklist.
#[derive(Debug, Clone)]
pub struct ChecklistItem<'a> {
    pub item: &'a CriteriaItem,
    pub status: ItemStatus,
    /// The row the status comes from, when there is one.
    pub assessment: Option<&'a Assessment>,
}

/// A checklist line as JSON: `{"number","label_vi","label_en","status"[,"assessment"]}`.
#[derive(serde::Serialize)]
struct Line<'a> {
    number: ItemNumber,
    label_vi: &'a str,
    label_en: &'a str,
    status: ItemStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    assessment: Option<&'a Assessment>,
}

impl<'a> ChecklistItem<'a> {
    fn line(&self) -> Line<'a> {
        Line { number: self.item.number, label_vi: self.item.label_vi(), label_en: self.item.label_en(), status: self.status, assessment: self.assessment }
    }
}

/// A checklist line is the same on every answer that shows it, so its JSON is written once
/// and copied after: a rowless line (no data, or met by level) is kept with its item, a
/// line with a row is kept with the row (whose `met` decides the status). A point answer's
/// checklist is two thirds of its bytes, and copying costs a fraction of writing.
/// [`Line`] stays the one writer of a line: the copies are its output.
impl serde::Serialize for ChecklistItem<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.kept() {
            Some(json) => json.serialize(s),
            None => self.line().serialize(s),
        }
    }
}

impl<'a> ChecklistItem<'a> {
    /// The line's JSON as kept by its item or its row, written now if this is its first
    /// answer; `None` for a line no checklist builds (a row paired with another item or
    /// with a status its `met` does not give), which is written afresh.
    fn kept(&self) -> Option<&'a serde_json::value::RawValue> {
        let write = |line: Line<'_>| serde_json::value::to_raw_value(&line).expect("a checklist line is plain JSON");
        match (self.assessment, self.status) {
            (None, ItemStatus::NoData) => Some(&self.item.rendered.get_or_init(|| self.rowless_lines(write))[0]),
            (None, ItemStatus::MetByLevel) => Some(&self.item.rendered.get_or_init(|| self.rowless_lines(write))[1]),
            (Some(row), status) if row.item == self.item.number && status == item_status(Some(row), false) => {
                Some(row.line.get_or_init(|| write(self.line())))
            }
            _ => None,
        }
    }

    fn rowless_lines<T>(&self, write: impl Fn(Line<'_>) -> T) -> [T; 2] {
        [ItemStatus::NoData, ItemStatus::MetByLevel].map(|status| write(ChecklistItem { item: self.item, status, assessment: None }.line()))
    }
}

/// The checklist of a unit's applicable set.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Checklist<'a> {
    /// The set's id, e.g. `xa_ntm_2021`.
    pub set: &'a str,
    pub decision: &'a str,
    /// Criteria met (rows or level) of the set's criteria.
    pub criteria_met: usize,
    pub criteria_total: usize,
    /// Criteria whose latest row says not met, in number order.
    pub missing: Vec<ItemNumber>,
    /// Criteria and indicators in number order.
    pub items: Vec<ChecklistItem<'a>>,
}

/// The checklist of an edition-2024 xã; `None` for phường, thị trấn and đặc khu, or when no
/// set of the catalog covers that year.
pub fn commune_checklist<'a>(atlas: &'a Atlas, commune: &Commune, as_of: AsOf) -> Option<Checklist<'a>> {
    let level = commune_level(atlas, commune, as_of);
    if level == LevelInForce::NotApplicable {
        return None;
    }
    checklist(atlas, UnitScope::Commune, level.level(), atlas.criteria.communes.get(&commune.code), as_of)
}

/// The set an edition-2024 xã is assessed on at `as_of`, with its criteria to read the
/// items from; `None` as for [`commune_checklist`]. Readers that need only statuses (flat
/// columns) use this and skip the checklist's labels.
pub fn commune_assessment<'a>(atlas: &'a Atlas, commune: &Commune, as_of: AsOf) -> Option<(&'a CriteriaSet, UnitCriteria<'a>)> {
    let unit = commune_criteria(atlas, commune, as_of)?;
    let set = applicable_set(&atlas.criteria.catalog.sets, UnitScope::Commune, unit.level, as_of.year())?;
    Some((set, unit))
}

/// The checklist of an edition-2024 district.
pub fn district_checklist<'a>(atlas: &'a Atlas, district: DistrictCode, as_of: AsOf) -> Option<Checklist<'a>> {
    let level = district_level(atlas, district, as_of).level();
    checklist(atlas, UnitScope::District, level, atlas.criteria.districts.get(&district), as_of)
}

fn checklist<'a>(atlas: &'a Atlas, unit: UnitScope, level: Option<Level>, rows: Option<&'a Vec<Assessment>>, as_of: AsOf) -> Option<Checklist<'a>> {
    let criteria = &atlas.criteria;
    let set = applicable_set(&criteria.catalog.sets, unit, level, as_of.year())?;
    let standing = UnitCriteria::new(criteria, rows.map_or(&[][..], Vec::as_slice), level, as_of);
    let items: Vec<ChecklistItem<'a>> = standing
        .items(set)
        .zip(&set.items)
        .map(|(state, item)| ChecklistItem { item, status: state.status, assessment: state.assessment })
        .collect();
    let criteria_items = || items.iter().filter(|i| !i.item.number.is_indicator());
    Some(Checklist {
        set: &set.id,
        decision: &set.decision,
        criteria_met: criteria_items().filter(|i| i.status.is_met()).count(),
        criteria_total: criteria_items().count(),
        missing: criteria_items().filter(|i| i.status == ItemStatus::NotMet).map(|i| i.item.number).collect(),
        items,
    })
}

/// Step 3 of the module doc: an item's status from its row in force, if any, and whether
/// the unit's recognised level is at least the set's level (`certified`). Statistics by
/// criterion read it through [`UnitCriteria::items`].
fn item_status(assessment: Option<&Assessment>, certified: bool) -> ItemStatus {
    match assessment {
        Some(a) if a.met => ItemStatus::Met,
        Some(_) => ItemStatus::NotMet,
        None if certified => ItemStatus::MetByLevel,
        None => ItemStatus::NoData,
    }
}

/// How one item of a set stands for a unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ItemState<'a> {
    pub number: ItemNumber,
    pub status: ItemStatus,
    /// The row the status comes from, when there is one.
    pub assessment: Option<&'a Assessment>,
}

/// A unit's level and assessment rows at a moment, read once, to read any set from.
#[derive(Debug, Clone, Copy)]
pub struct UnitCriteria<'a> {
    criteria: &'a Criteria,
    rows: &'a [Assessment],
    level: Option<Level>,
    as_of: AsOf,
}

impl<'a> UnitCriteria<'a> {
    /// A unit's level and rows (sorted as the atlas keeps them) at `as_of`.
    pub(crate) fn new(criteria: &'a Criteria, rows: &'a [Assessment], level: Option<Level>, as_of: AsOf) -> Self {
        UnitCriteria { criteria, rows, level, as_of }
    }

    /// True when the unit's recognised level certifies every item of `set` that has no row
    /// (the level is at or above the set's).
    pub fn certified(self, set: &CriteriaSet) -> bool {
        self.level.is_some_and(|l| l >= set.level)
    }

    /// The row in force of each item of `set` that has one by the moment, in item order:
    /// with [`UnitCriteria::certified`], all that decides each item's status. One pass over
    /// the set's rows; maps read units this way, [`UnitCriteria::items`] spells it out.
    pub fn in_force(self, set: &CriteriaSet) -> impl Iterator<Item = &'a Assessment> + 'a {
        // A set of another catalog has no rows here.
        let (rows, index) = self.criteria.set_index(set).map_or((&[][..], 0), |index| (self.rows, index));
        crate::atlas::criteria::latest(rows, index, self.as_of)
    }

    /// Step 3 of the module doc: every item of `set` (of the catalog, whatever its level),
    /// in the set's order. Allocates nothing.
    pub fn items(self, set: &'a CriteriaSet) -> impl Iterator<Item = ItemState<'a>> + 'a {
        let certified = self.certified(set);
        // Both in item order: one walk pairs each item with its row.
        let mut latest = self.in_force(set).peekable();
        set.items.iter().map(move |item| {
            while latest.next_if(|a| a.item < item.number).is_some() {}
            let assessment = latest.next_if(|a| a.item == item.number);
            ItemState { number: item.number, status: item_status(assessment, certified), assessment }
        })
    }
}

/// True when the edition-2024 commune has assessment rows (any set, any year). Without
/// any, every item stands by its level alone: met by level when the level reaches the
/// set's, else no data; maps skip such units without reading each item.
pub fn commune_assessed(atlas: &Atlas, commune: &Commune) -> bool {
    atlas.criteria.communes.contains_key(&commune.code)
}

/// True when the district has assessment rows (any set, any year); see [`commune_assessed`].
pub fn district_assessed(atlas: &Atlas, district: DistrictCode) -> bool {
    atlas.criteria.districts.contains_key(&district)
}

/// An edition-2024 commune's criteria at `as_of`; `None` for phường, thị trấn and đặc khu.
pub fn commune_criteria<'a>(atlas: &'a Atlas, commune: &Commune, as_of: AsOf) -> Option<UnitCriteria<'a>> {
    let level = commune_level(atlas, commune, as_of);
    if level == LevelInForce::NotApplicable {
        return None;
    }
    let rows = atlas.criteria.communes.get(&commune.code).map_or(&[][..], Vec::as_slice);
    Some(UnitCriteria::new(&atlas.criteria, rows, level.level(), as_of))
}

/// An edition-2024 district's criteria at `as_of`.
pub fn district_criteria(atlas: &Atlas, district: DistrictCode, as_of: AsOf) -> UnitCriteria<'_> {
    let rows = atlas.criteria.districts.get(&district).map_or(&[][..], Vec::as_slice);
    UnitCriteria::new(&atlas.criteria, rows, district_level(atlas, district, as_of).level(), as_of)
}

/// The status of an item for an edition-2025 commune from two of its former xã, by the rule
/// of its level (the weakest former xã): not met when either does not meet it, no data when
/// either has no data, met when both meet it (met by level when both do so by level). Fold
/// it over the former xã (phường and thị trấn left out: they are not assessed).
pub fn weakest(a: ItemStatus, b: ItemStatus) -> ItemStatus {
    use ItemStatus::*;
    match (a, b) {
        (NotMet, _) | (_, NotMet) => NotMet,
        (NoData, _) | (_, NoData) => NoData,
        (MetByLevel, MetByLevel) => MetByLevel,
        _ => Met,
    }
}

/// Step 2 of the module doc.
fn applicable_set(sets: &[CriteriaSet], unit: UnitScope, level: Option<Level>, year: u16) -> Option<&CriteriaSet> {
    // Asked on every point answer: two walks over a handful of sets, nothing allocated.
    // On equal levels the first set of the catalog wins below, the last above.
    let in_year = || sets.iter().filter(|s| s.unit == unit && s.years().contains(&year));
    in_year().filter(|s| level.is_none_or(|l| l < s.level)).min_by_key(|s| s.level).or_else(|| in_year().max_by_key(|s| s.level))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(id: &str, level: Level) -> CriteriaSet {
        CriteriaSet {
            id: id.into(),
            unit: UnitScope::Commune,
            level,
            first_year: 2021,
            last_year: 2025,
            decision: "318/QĐ-TTg".into(),
            decision_date: String::new(),
            name_vi: String::new(),
            name_en: String::new(),
            items: Vec::new(),
        }
    }

    #[test]
    fn a_line_copied_from_its_first_writing_reads_as_one_written_afresh() {
        let named = CriteriaItem::new(ItemNumber::criterion(8), Some("Thông tin và \"Truyền thông\"".into()), Some("Information".into()));
        let bare = CriteriaItem::new(ItemNumber::indicator(15, 2), None, None);
        let row = Assessment { set: 0, item: ItemNumber::criterion(8), year: 2023, met: false, value: Some(40.5), assessed_on: None, note: Some("x".into()), line: Default::default() };
        for item in [&named, &bare] {
            for status in [ItemStatus::NoData, ItemStatus::MetByLevel, ItemStatus::NoData, ItemStatus::NotMet] {
                for assessment in [None, Some(&row)] {
                    let line = ChecklistItem { item, status, assessment };
                    let afresh = serde_json::to_value(line.line()).unwrap();
                    assert_eq!(serde_json::to_value(&line).unwrap(), afresh, "{status:?} {assessment:?}");
                    assert_eq!(serde_json::from_slice::<serde_json::Value>(&serde_json::to_vec(&line).unwrap()).unwrap(), afresh);
                }
            }
            assert!(item.rendered.get().is_some(), "rowless lines were kept");
        }
        let own = serde_json::to_string(&ChecklistItem { item: &named, status: ItemStatus::NotMet, assessment: Some(&row) }.line()).unwrap();
        assert_eq!(row.line.get().map(|l| l.get()), Some(own.as_str()), "the row keeps its line with its own item");
        assert_eq!(serde_json::to_value(ChecklistItem { item: &bare, status: ItemStatus::NoData, assessment: None }).unwrap()["label_en"], "Indicator 15.2");
    }

    #[test]
    fn a_merged_unit_stands_as_its_weakest_part() {
        use ItemStatus::*;
        let fold = |parts: &[ItemStatus]| parts.iter().copied().reduce(weakest).unwrap();
        assert_eq!(fold(&[Met, Met, MetByLevel]), Met);
        assert_eq!(fold(&[MetByLevel, MetByLevel]), MetByLevel, "every part certified by its level");
        assert_eq!(fold(&[Met, NoData, MetByLevel]), NoData, "one part unknown: unknown");
        assert_eq!(fold(&[NoData, NotMet, Met]), NotMet, "one part not met: not met, whatever else is unknown");
        assert_eq!(fold(&[NotMet, MetByLevel]), NotMet);
        for a in [Met, NotMet, MetByLevel, NoData] {
            for b in [Met, NotMet, MetByLevel, NoData] {
                assert_eq!(weakest(a, b), weakest(b, a), "the order of the parts does not matter");
            }
        }
    }

    #[test]
    fn a_unit_is_assessed_on_the_set_of_the_next_level_up() {
        let sets = [set("nang_cao", Level::NangCao), set("ntm", Level::DatChuan)];
        let pick = |level: Option<Level>, year: u16| applicable_set(&sets, UnitScope::Commune, level, year).map(|s| s.id.as_str());
        assert_eq!(pick(None, 2023), Some("ntm"));
        assert_eq!(pick(Some(Level::ChuaDat), 2023), Some("ntm"));
        assert_eq!(pick(Some(Level::DatChuan), 2023), Some("nang_cao"));
        assert_eq!(pick(Some(Level::KieuMau), 2023), Some("nang_cao"), "above every set: the highest");
        assert_eq!(pick(Some(Level::ChuaDat), 2026), None, "no set covers 2026");
        assert_eq!(applicable_set(&sets, UnitScope::District, None, 2023), None);
    }
}
