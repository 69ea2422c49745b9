//! What a map colours its units by: the communes' NTM level (the default, `theme=level`),
//! the districts' (`theme=level:districts`), the provinces' completion of the NTM task
//! (`theme=level:provinces`), or one criterion or indicator of the catalog
//! (`theme=criterion:8.4`), each unit then met, not met, not applicable or without data.
//!
//! Steps:
//!   1. read the theme ([`Theme::parse`]) against the catalog and the view: the district and
//!      province themes need the 2024 boundaries (the 2025 ones have no districts, and
//!      completion was recognised on the 63 former provinces); `criterion:N` or
//!      `criterion:N.M` takes the first set of the view's year that has the item, commune
//!      sets before district sets and the NTM set before the nâng cao set (so `8.4` is the
//!      commune NTM set's, `15.2` the commune nâng cao set's, `9.5` the district NTM set's);
//!      `criterion:SET:N.M` names the set. Every refusal says why, for a 400 naming `theme`;
//!   2. pair it with a style ([`Themed::new`]): its classes and the layer it fills
//!      (`communes` for the level and a commune set, `districts` for the districts' level
//!      and a district set, `provinces` for completion, drawn in the style's chưa đạt and
//!      đạt chuẩn colours);
//!   3. classify units from their tile attributes ([`crate::tile::criteria`]), once as a
//!      MapLibre expression ([`Themed::fill_expression`]) and once in Rust for the PNG tiles
//!      ([`Themed::class_index`]); the two sit side by side below so they stay the same rule:
//!      a province has completed when it carries `completed_year`; for the others, a ward,
//!      township or special zone, or a district without a xã (`level` =
//!      `not_applicable`), is not applicable;
//!      then the unit's own attributes of the set, when present; else met when its `level`
//!      is at or above the set's level (recognition certifies every item), else no data.
//!
//! Vector tiles carry every criterion whatever the theme; only styles and pictures differ.

use super::{Class, Label, Style};
use crate::model::{CriteriaCatalog, CriteriaItem, CriteriaSet, ItemNumber, Level, UnitScope};
use crate::tile::criteria::{indicator_key, known_key, mask_key, MAX_MASK_CRITERION};
use crate::tile::{MapKind, TileView};
use serde_json::{json, Value};

/// A theme, resolved against one catalog (the set is its index there). Small and `Copy`,
/// so it can sit in cache keys next to the data version that fixes the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Theme {
    #[default]
    Level,
    /// Districts by their NTM level (edition 2024).
    DistrictLevel,
    /// Provinces by whether they completed the NTM task (edition 2024).
    ProvinceCompletion,
    Criterion { set: u16, item: ItemNumber },
}

/// Why a theme is refused (the API answers 400 naming `theme`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ThemeError(pub String);

fn fail<T>(message: impl Into<String>) -> Result<T, ThemeError> {
    Err(ThemeError(message.into()))
}

const FORMS: &str = "level, level:districts, level:provinces, criterion:N, criterion:N.M or criterion:SET:N.M (e.g. criterion:8.4)";

impl Theme {
    /// Step 1 of the module doc. `None` or an empty text is the level theme.
    pub fn parse(text: Option<&str>, catalog: &CriteriaCatalog, view: TileView) -> Result<Theme, ThemeError> {
        let text = text.map(str::trim).unwrap_or("");
        if text.is_empty() || text == "level" {
            return Ok(Theme::Level);
        }
        if let Some(units) = text.strip_prefix("level:") {
            let theme = match units {
                "districts" => Theme::DistrictLevel,
                "provinces" => Theme::ProvinceCompletion,
                _ => return fail(format!("'{text}' is not a theme: {FORMS}")),
            };
            if view.map != MapKind::Ntm {
                return fail(format!("'{text}': the {units}' levels are drawn on the ntm map"));
            }
            if !view.edition.has_districts() {
                return fail(format!("'{text}': the {units}' levels were recognised on the 2024 boundaries (use edition=2024)"));
            }
            return Ok(theme);
        }
        let Some(rest) = text.strip_prefix("criterion:") else {
            return fail(format!("'{text}' is not a theme: {FORMS}"));
        };
        if view.map != MapKind::Ntm {
            return fail(format!("'{text}': criterion themes are drawn on the ntm map (the {} map's tiles carry no criteria)", view.map.as_str()));
        }
        let year = view.as_of.year();
        let (set_id, number) = match rest.rsplit_once(':') {
            Some((set, number)) => (Some(set.trim()), number),
            None => (None, rest),
        };
        let item = ItemNumber::parse(number).map_err(|e| ThemeError(format!("'{text}': {e}")))?;
        let set = match set_id {
            Some(id) => {
                let Some(set) = catalog.get(id) else {
                    let known: Vec<&str> = catalog.sets.iter().map(|s| s.id.as_str()).collect();
                    return fail(format!("'{text}': no criteria set '{id}' (sets: {})", known.join(", ")));
                };
                if !set.years().contains(&year) {
                    return fail(format!("'{text}': set {id} covers {}–{}, not {year} (the year of the view)", set.first_year, set.last_year));
                }
                if set.item(item).is_none() {
                    return fail(format!("'{text}': set {id} has no {} {item} ({})", word(item), items_of(set)));
                }
                set
            }
            None => {
                let mut in_year: Vec<&CriteriaSet> = catalog.sets.iter().filter(|s| s.years().contains(&year)).collect();
                in_year.sort_by_key(|s| (s.unit, s.level));
                let Some(set) = in_year.iter().find(|s| s.item(item).is_some()).copied() else {
                    let sets: Vec<String> = in_year.iter().map(|s| format!("{}: {}", s.id, items_of(s))).collect();
                    return fail(format!("'{text}': no criteria set of {year} has {} {item} ({})", word(item), sets.join("; ")));
                };
                set
            }
        };
        if !item.is_indicator() && item.criterion > MAX_MASK_CRITERION {
            return fail(format!("'{text}': criteria above {MAX_MASK_CRITERION} are not in the tiles' masks"));
        }
        if set.unit == UnitScope::District && !view.edition.has_districts() {
            return fail(format!("'{text}': set {} assesses districts, which the 2025 boundaries do not have (use edition=2024)", set.id));
        }
        let index = catalog.sets.iter().position(|s| s.id == set.id).unwrap_or(0);
        Ok(Theme::Criterion { set: index as u16, item })
    }

    /// The theme as a URL would write it in full: `level` or `criterion:xa_ntm_2021:8.4`.
    pub fn key(self, catalog: &CriteriaCatalog) -> String {
        match self {
            Theme::Level => "level".into(),
            Theme::DistrictLevel => "level:districts".into(),
            Theme::ProvinceCompletion => "level:provinces".into(),
            Theme::Criterion { set, item } => {
                let id = catalog.sets.get(usize::from(set)).map_or("?", |s| s.id.as_str());
                format!("criterion:{id}:{item}")
            }
        }
    }
}

fn word(item: ItemNumber) -> &'static str {
    if item.is_indicator() {
        "indicator"
    } else {
        "criterion"
    }
}

/// "criteria 1–19, indicators 8.4, 15.2" for messages.
fn items_of(set: &CriteriaSet) -> String {
    let indicators: Vec<String> = set.items.iter().filter(|i| i.number.is_indicator()).map(|i| i.number.to_string()).collect();
    let n = set.criteria_count();
    if indicators.is_empty() {
        format!("criteria 1–{n}")
    } else {
        format!("criteria 1–{n}, indicators {}", indicators.join(", "))
    }
}

/// A feature property as the classifier reads it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Prop<'v> {
    Str(&'v str),
    Number(f64),
}

/// The criterion of a criterion theme, with the tile attributes it is read from.
#[derive(Debug, Clone)]
pub struct ThemeCriterion<'a> {
    pub set: &'a CriteriaSet,
    pub item: &'a CriteriaItem,
    /// `crit_{set}_known` and `crit_{set}` for a criterion; `ind_{set}_{c}_{i}` for an
    /// indicator.
    attributes: Vec<String>,
}

/// A style with a theme: what to fill, how, and the legend's words.
#[derive(Debug, Clone)]
pub struct Themed<'a> {
    pub style: &'a Style,
    pub theme: Theme,
    /// The theme in full ([`Theme::key`]): for legends, styles and cache keys.
    pub key: String,
    pub criterion: Option<ThemeCriterion<'a>>,
    /// The fill classes, in legend order.
    classes: Vec<&'a Class>,
}

/// The classes of the provinces' completion, in legend (and class index) order: not yet,
/// then completed, in the style's chưa đạt and đạt chuẩn colours.
const COMPLETION_KEYS: [&str; 2] = ["chua_dat", "dat_chuan"];

/// The class indexes of a criterion theme (the order of `CRITERION_KEYS`).
const MET: usize = 0;
const NOT_MET: usize = 1;
const NOT_APPLICABLE: usize = 2;
const NO_DATA: usize = 3;

impl<'a> Themed<'a> {
    /// The level theme, which every style can draw.
    pub fn level(style: &'a Style) -> Themed<'a> {
        Themed { style, theme: Theme::Level, key: "level".into(), criterion: None, classes: style.classes.iter().collect() }
    }

    /// Step 2 of the module doc; refused when the style has no criterion classes.
    pub fn new(style: &'a Style, theme: Theme, catalog: &'a CriteriaCatalog) -> Result<Themed<'a>, ThemeError> {
        let (set, item) = match theme {
            Theme::Level => return Ok(Themed::level(style)),
            Theme::DistrictLevel => return Ok(Themed { theme, key: theme.key(catalog), ..Themed::level(style) }),
            Theme::ProvinceCompletion => {
                let classes = COMPLETION_KEYS.iter().map(|&k| style.class(k)).collect();
                return Ok(Themed { style, theme, key: theme.key(catalog), criterion: None, classes });
            }
            Theme::Criterion { set, item } => (set, item),
        };
        let Some(classes) = &style.criterion_classes else {
            return fail(format!("the style of the {} map ({}) has no `criterion` classes to draw criterion themes with", style.map.as_str(), style.file));
        };
        let Some((set, item)) = catalog.sets.get(usize::from(set)).and_then(|s| Some((s, s.item(item)?))) else {
            return fail("the theme does not belong to the data in force (it was read against another catalog)");
        };
        let attributes = match item.number.indicator {
            Some(_) => vec![indicator_key(&set.id, item.number)],
            None => vec![known_key(&set.id), mask_key(&set.id)],
        };
        let classes = classes.iter().collect();
        Ok(Themed { style, theme, key: theme.key(catalog), criterion: Some(ThemeCriterion { set, item, attributes }), classes })
    }

    /// The fill classes in legend order.
    pub fn classes(&self) -> &[&'a Class] {
        &self.classes
    }

    /// A class's legend label: the style's, except `not_applicable` in a theme that fills
    /// districts, where the units left out are the districts without a xã, not the
    /// style's wards and townships.
    pub fn label(&self, class: &Class) -> Label {
        let label = |vi: &str, en: &str| Label { vi: vi.into(), en: en.into() };
        match (self.fill_layer(), class.key) {
            ("districts", "not_applicable") => label("Quận, thành phố không có xã (không xét)", "Urban districts and cities without communes (not assessed)"),
            ("provinces", "dat_chuan") => label("Hoàn thành nhiệm vụ xây dựng NTM", "Completed the NTM task"),
            ("provinces", "chua_dat") => label("Chưa hoàn thành", "Not yet completed"),
            _ => class.label.clone(),
        }
    }

    /// The tile layer the theme fills: `districts` for the districts' level and a district
    /// set, `provinces` for completion, else `communes`.
    pub fn fill_layer(&self) -> &'static str {
        match (self.theme, &self.criterion) {
            (Theme::DistrictLevel, _) => "districts",
            (Theme::ProvinceCompletion, _) => "provinces",
            (_, Some(c)) if c.set.unit == UnitScope::District => "districts",
            _ => "communes",
        }
    }

    /// The legend's title: the map's, or the criterion with its Vietnamese name (and, for an
    /// indicator, its criterion's).
    pub fn title(&self) -> Label {
        let Some(c) = &self.criterion else {
            return match self.theme {
                Theme::DistrictLevel => Label { vi: "Huyện theo mức nông thôn mới".into(), en: "Districts by NTM level".into() },
                Theme::ProvinceCompletion => Label {
                    vi: "Tỉnh hoàn thành nhiệm vụ xây dựng nông thôn mới".into(),
                    en: "Provinces that completed the NTM task".into(),
                },
                _ => self.style.title.clone(),
            };
        };
        let n = c.item.number;
        let parent = n.indicator.and_then(|_| c.set.item(ItemNumber::criterion(n.criterion)));
        let named = |name: &Option<String>| name.as_ref().map_or(String::new(), |t| format!(": {t}"));
        match parent {
            None => Label { vi: format!("Tiêu chí {n}{}", named(&c.item.name_vi)), en: format!("Criterion {n}{}", named(&c.item.name_en)) },
            Some(p) => Label {
                vi: format!("Chỉ tiêu {n}{} (tiêu chí {}{})", named(&c.item.name_vi), p.number, named(&p.name_vi)),
                en: format!("Indicator {n}{} (criterion {}{})", named(&c.item.name_en), p.number, named(&p.name_en)),
            },
        }
    }

    /// The set a criterion theme reads, with its decision; `None` for the level theme.
    pub fn subtitle(&self) -> Option<Label> {
        let c = self.criterion.as_ref()?;
        Some(Label { vi: format!("{} ({})", c.set.name_vi, c.set.decision), en: format!("{} ({})", c.set.name_en, c.set.decision) })
    }

    /// The properties [`Themed::class_index`] reads, in its order: `level`, then the
    /// criterion's attributes.
    pub fn property_keys(&self) -> Vec<&str> {
        if self.theme == Theme::ProvinceCompletion {
            return vec!["completed_year"];
        }
        let mut keys = vec!["level"];
        if let Some(c) = &self.criterion {
            keys.extend(c.attributes.iter().map(String::as_str));
        }
        keys
    }

    /// Step 3 in Rust: the class (index into [`Themed::classes`]) of a feature whose
    /// properties, in [`Themed::property_keys`] order, are `props`.
    pub fn class_index(&self, props: &[Option<Prop>]) -> usize {
        if self.theme == Theme::ProvinceCompletion {
            return usize::from(props.first().copied().flatten().is_some());
        }
        let level = props.first().copied().flatten().and_then(|p| match p {
            Prop::Str(s) => Some(s),
            Prop::Number(_) => None,
        });
        let Some(c) = &self.criterion else {
            let key = self.style.class(level.unwrap_or("no_data")).key;
            return self.classes.iter().position(|k| k.key == key).unwrap_or(0);
        };
        let class = if level == Some("not_applicable") {
            NOT_APPLICABLE
        } else if let Some(met) = c.own_attributes(&props[1..]) {
            if met {
                MET
            } else {
                NOT_MET
            }
        } else if props[1..].iter().any(Option::is_some) {
            NO_DATA
        } else if level.is_some_and(|l| certifying_levels(c.set).contains(&l)) {
            MET
        } else {
            NO_DATA
        };
        let key = super::CRITERION_KEYS[class];
        self.classes.iter().position(|k| k.key == key).unwrap_or(0)
    }

    /// Step 3 as a MapLibre expression for `fill-color`.
    pub fn fill_expression(&self) -> Value {
        if self.theme == Theme::ProvinceCompletion {
            let [not_yet, completed] = [0, 1].map(|i| json!(self.classes[i].fill.hex()));
            return json!(["case", ["has", "completed_year"], completed, not_yet]);
        }
        let Some(c) = &self.criterion else {
            let mut m = vec![json!("match"), json!(["get", "level"])];
            for class in &self.style.classes[..self.style.classes.len() - 1] {
                m.push(json!(class.key));
                m.push(json!(class.fill.hex()));
            }
            m.push(json!(self.style.class("no_data").fill.hex()));
            return Value::Array(m);
        };
        let fill = |key: &str| self.classes.iter().find(|k| k.key == key).map_or_else(|| json!("#000000"), |k| json!(k.fill.hex()));
        let (met, not_met, no_data) = (fill("met"), fill("not_met"), fill("no_data"));
        let mut e = vec![json!("case"), json!(["==", ["get", "level"], "not_applicable"]), fill("not_applicable")];
        match c.item.number.indicator {
            Some(_) => {
                let key = &c.attributes[0];
                e.extend([json!(["has", key]), json!(["match", ["get", key], "met", met, "not_met", not_met, no_data])]);
            }
            None => {
                let (known, mask) = (&c.attributes[0], &c.attributes[1]);
                // floor(mask / 2^(n−1)) % 2 == 1: bit n−1, in doubles (no bit operators).
                let weight = 2f64.powi(i32::from(c.item.number.criterion) - 1);
                let bit = |key: &str| json!(["==", ["%", ["floor", ["/", ["to-number", ["get", key], 0], weight]], 2], 1]);
                e.extend([json!(["has", known]), json!(["case", bit(known), json!(["case", bit(mask), met, not_met]), no_data])]);
            }
        }
        e.extend([json!(["in", ["get", "level"], ["literal", certifying_levels(c.set)]]), met, no_data]);
        Value::Array(e)
    }
}

impl ThemeCriterion<'_> {
    /// The unit's own attributes of the set: `Some(met)` when they say met or not met.
    fn own_attributes(&self, props: &[Option<Prop>]) -> Option<bool> {
        match self.item.number.indicator {
            Some(_) => match props.first().copied().flatten() {
                Some(Prop::Str("met")) => Some(true),
                Some(Prop::Str("not_met")) => Some(false),
                _ => None,
            },
            None => {
                let number = |i: usize| match props.get(i).copied().flatten() {
                    Some(Prop::Number(v)) => v,
                    _ => 0.0,
                };
                let weight = 2f64.powi(i32::from(self.item.number.criterion) - 1);
                let bit = |v: f64| (v / weight).floor() % 2.0 == 1.0;
                bit(number(0)).then(|| bit(number(1)))
            }
        }
    }
}

/// The `level` values whose recognition certifies every item of `set`.
fn certifying_levels(set: &CriteriaSet) -> Vec<&'static str> {
    Level::ALL.into_iter().filter(|&l| l >= set.level).map(Level::as_str).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AsOf, CriteriaItem, Edition};
    use crate::style::Styles;

    fn set(id: &str, unit: UnitScope, level: Level, items: &[ItemNumber]) -> CriteriaSet {
        CriteriaSet {
            id: id.into(),
            unit,
            level,
            first_year: 2021,
            last_year: 2025,
            decision: "318/QĐ-TTg".into(),
            decision_date: String::new(),
            name_vi: format!("Bộ {id}"),
            name_en: format!("Set {id}"),
            items: items.iter().map(|&number| CriteriaItem::new(number, None, None)).collect(),
        }
    }

    fn catalog() -> CriteriaCatalog {
        let c = ItemNumber::criterion;
        let i = ItemNumber::indicator;
        CriteriaCatalog {
            sets: vec![
                set("huyen_ntm", UnitScope::District, Level::DatChuan, &[c(8), c(9), i(9, 5)]),
                set("xa_nang_cao", UnitScope::Commune, Level::NangCao, &[c(8), i(8, 4), c(15), i(15, 2)]),
                set("xa_ntm", UnitScope::Commune, Level::DatChuan, &[c(8), i(8, 4), c(9)]),
            ],
        }
    }

    fn view(edition: Edition, year: u16) -> TileView {
        TileView { map: MapKind::Ntm, edition, as_of: AsOf::Year(year) }
    }

    fn parsed(text: &str) -> Result<String, String> {
        let cat = catalog();
        Theme::parse(Some(text), &cat, view(Edition::E2024, 2024)).map(|t| t.key(&cat)).map_err(|e| e.0)
    }

    #[test]
    fn a_bare_number_takes_the_commune_ntm_set_first_then_higher_sets_then_districts() {
        assert_eq!(parsed("level"), Ok("level".into()));
        assert_eq!(parsed(""), Ok("level".into()));
        assert_eq!(parsed("criterion:8.4"), Ok("criterion:xa_ntm:8.4".into()));
        assert_eq!(parsed("criterion:8"), Ok("criterion:xa_ntm:8".into()));
        assert_eq!(parsed("criterion:15.2"), Ok("criterion:xa_nang_cao:15.2".into()));
        assert_eq!(parsed("criterion:9.5"), Ok("criterion:huyen_ntm:9.5".into()));
        assert_eq!(parsed("criterion:huyen_ntm:8"), Ok("criterion:huyen_ntm:8".into()));
        assert_eq!(parsed("criterion:xa_nang_cao:8.4"), Ok("criterion:xa_nang_cao:8.4".into()));
    }

    #[test]
    fn refusals_say_why() {
        for (text, says) in [
            ("criterion:99", "no criteria set of 2024 has criterion 99"),
            ("criterion:8.7", "indicator 8.7"),
            ("criterion:x", "not a criterion or indicator number"),
            ("criterion:nope:8", "no criteria set 'nope'"),
            ("criterion:xa_ntm:15", "set xa_ntm has no criterion 15"),
            ("levels", "is not a theme"),
        ] {
            let e = parsed(text).unwrap_err();
            assert!(e.contains(says), "{text}: {e}");
        }
        let cat = catalog();
        let e = Theme::parse(Some("criterion:8.4"), &cat, view(Edition::E2024, 2026)).unwrap_err().0;
        assert!(e.contains("no criteria set of 2026"), "{e}");
        let e = Theme::parse(Some("criterion:xa_ntm:8"), &cat, view(Edition::E2024, 2026)).unwrap_err().0;
        assert!(e.contains("covers 2021–2025"), "{e}");
        let e = Theme::parse(Some("criterion:9.5"), &cat, view(Edition::E2025, 2024)).unwrap_err().0;
        assert!(e.contains("edition=2024"), "{e}");
        let tourism = TileView { map: MapKind::Tourism, ..view(Edition::E2024, 2024) };
        assert!(Theme::parse(Some("criterion:8"), &cat, tourism).unwrap_err().0.contains("ntm map"));
        assert_eq!(Theme::parse(Some("level"), &cat, tourism), Ok(Theme::Level));
    }

    #[test]
    fn districts_by_level_and_provinces_by_completion_fill_their_own_layers_on_the_2024_boundaries() {
        let styles = Styles::embedded();
        let cat = catalog();
        assert_eq!(parsed("level:districts"), Ok("level:districts".into()));
        assert_eq!(parsed("level:provinces"), Ok("level:provinces".into()));
        assert!(parsed("level:communes").unwrap_err().contains("level:districts"));
        let on_2025 = Theme::parse(Some("level:districts"), &cat, view(Edition::E2025, 2024)).unwrap_err();
        assert!(on_2025.0.contains("edition=2024"), "{on_2025}");
        let tourism = TileView { map: MapKind::Tourism, ..view(Edition::E2024, 2024) };
        assert!(Theme::parse(Some("level:provinces"), &cat, tourism).is_err());

        let districts = Themed::new(&styles.ntm, Theme::DistrictLevel, &cat).unwrap();
        assert_eq!((districts.fill_layer(), districts.property_keys()), ("districts", vec!["level"]));
        let key = |t: &Themed, props: &[Option<Prop>]| t.classes()[t.class_index(props)].key;
        for level in ["nang_cao", "not_applicable", "no_data"] {
            assert_eq!(key(&districts, &[Some(Prop::Str(level))]), level);
        }
        assert_eq!(districts.fill_expression(), Themed::level(&styles.ntm).fill_expression());

        let provinces = Themed::new(&styles.ntm, Theme::ProvinceCompletion, &cat).unwrap();
        assert_eq!((provinces.fill_layer(), provinces.property_keys()), ("provinces", vec!["completed_year"]));
        assert_eq!(key(&provinces, &[Some(Prop::Number(2020.0))]), "dat_chuan");
        assert_eq!(key(&provinces, &[None]), "chua_dat");
        let labels: Vec<String> = provinces.classes().iter().map(|c| provinces.label(c).en).collect();
        assert_eq!(labels, ["Not yet completed", "Completed the NTM task"]);
        let completed = styles.ntm.class("dat_chuan").fill.hex();
        assert_eq!(provinces.fill_expression(), json!(["case", ["has", "completed_year"], completed, styles.ntm.class("chua_dat").fill.hex()]));
        assert!(provinces.title().vi.starts_with("Tỉnh"));
    }

    #[test]
    fn units_are_classified_by_their_own_attributes_then_their_level() {
        let styles = Styles::embedded();
        let cat = catalog();
        let theme = Theme::parse(Some("criterion:8"), &cat, view(Edition::E2024, 2024)).unwrap();
        let themed = Themed::new(&styles.ntm, theme, &cat).unwrap();
        assert_eq!(themed.property_keys(), ["level", "crit_xa_ntm_known", "crit_xa_ntm"]);
        let key = |props: &[Option<Prop>]| themed.classes()[themed.class_index(props)].key;
        let n = |v: f64| Some(Prop::Number(v));
        let bit8 = f64::from(1u32 << 7);
        assert_eq!(key(&[Some(Prop::Str("chua_dat")), n(bit8), n(bit8)]), "met");
        assert_eq!(key(&[Some(Prop::Str("chua_dat")), n(bit8 + 1.0), n(1.0)]), "not_met");
        assert_eq!(key(&[Some(Prop::Str("chua_dat")), n(1.0), n(1.0)]), "no_data", "other criteria known, not 8");
        assert_eq!(key(&[Some(Prop::Str("dat_chuan")), None, None]), "met", "certified by recognition");
        assert_eq!(key(&[Some(Prop::Str("chua_dat")), None, None]), "no_data");
        assert_eq!(key(&[Some(Prop::Str("not_applicable")), None, None]), "not_applicable");
        // Rows override the level: a đạt chuẩn commune whose row says not met.
        assert_eq!(key(&[Some(Prop::Str("nang_cao")), n(bit8), n(0.0)]), "not_met");

        let theme = Theme::parse(Some("criterion:15.2"), &cat, view(Edition::E2024, 2024)).unwrap();
        let themed = Themed::new(&styles.ntm, theme, &cat).unwrap();
        let key = |props: &[Option<Prop>]| themed.classes()[themed.class_index(props)].key;
        assert_eq!(key(&[Some(Prop::Str("dat_chuan")), Some(Prop::Str("met"))]), "met");
        assert_eq!(key(&[Some(Prop::Str("dat_chuan")), Some(Prop::Str("not_met"))]), "not_met");
        assert_eq!(key(&[Some(Prop::Str("dat_chuan")), Some(Prop::Str("no_data"))]), "no_data");
        assert_eq!(key(&[Some(Prop::Str("dat_chuan")), None]), "no_data", "below the nâng cao set's level");
        assert_eq!(key(&[Some(Prop::Str("kieu_mau")), None]), "met");

        let theme = Theme::parse(Some("criterion:9.5"), &cat, view(Edition::E2024, 2024)).unwrap();
        let themed = Themed::new(&styles.ntm, theme, &cat).unwrap();
        assert_eq!(themed.fill_layer(), "districts");
        // A district without a xã has no NTM task, and the legend says which districts those are.
        let key = |props: &[Option<Prop>]| themed.classes()[themed.class_index(props)].key;
        assert_eq!(key(&[Some(Prop::Str("not_applicable")), None]), "not_applicable");
        assert_eq!(key(&[Some(Prop::Str("no_data")), None]), "no_data");
        assert_eq!(key(&[Some(Prop::Str("dat_chuan")), None]), "met");
        let not_applicable = themed.classes().iter().find(|c| c.key == "not_applicable").expect("a not-applicable class");
        assert!(themed.label(not_applicable).vi.starts_with("Quận"), "{:?}", themed.label(not_applicable));
        assert_eq!(themed.fill_expression()[1], json!(["==", ["get", "level"], "not_applicable"]));
    }

    #[test]
    fn titles_name_the_item_and_its_criterion() {
        let styles = Styles::embedded();
        let mut cat = catalog();
        cat.sets[2].items[0].name_vi = Some("Thông tin và Truyền thông".into());
        let theme = Theme::parse(Some("criterion:8.4"), &cat, view(Edition::E2024, 2024)).unwrap();
        let themed = Themed::new(&styles.ntm, theme, &cat).unwrap();
        assert_eq!(themed.title().vi, "Chỉ tiêu 8.4 (tiêu chí 8: Thông tin và Truyền thông)");
        assert_eq!(themed.subtitle().unwrap().vi, "Bộ xa_ntm (318/QĐ-TTg)");
        assert_eq!(Themed::level(&styles.ntm).title(), styles.ntm.title);
    }
}
