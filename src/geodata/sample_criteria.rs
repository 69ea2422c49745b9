//! Sample criteria assessments 2021–2025 (`criteria.csv`): which criteria and target
//! indicators each xã and district meets of the set it is assessed on, deterministic and
//! consistent with the sample results.
//!
//! Steps:
//!   1. read the levels from the results rows as written ([`Unit`]): per xã the record in
//!      force at the end of each year (level, `criteria_met`), per district its level and
//!      the share of its xã at each level;
//!   2. per unit and set, what each year asks ([`Ask`]): nothing when the unit is not
//!      assessed on the set (below the level under it, or at its level before any row of
//!      it), a number of criteria met while the unit is at the level under the set's, and
//!      every item the year it reaches the set's level after rows of earlier years (so no
//!      "not met" row outlives a recognition). A chưa đạt xã meets its `criteria_met`; the
//!      others' numbers grow over the years ([`criteria_count`]);
//!   3. per target indicator ([`INDICATORS`]), the year each unit first meets it
//!      ([`calibrate`]): year by year, the units not yet meeting it are ranked by the
//!      results' own score (regions and districts) mixed with a hash of the code, and the
//!      best are added until the national share is reached (units recognised at the
//!      set's level count: they meet it by level); none is taken back;
//!   4. per unit and set, which criteria ([`criteria_order`]): an order fixed by hashes of
//!      the code, with a criterion moved last while one of its target indicators is not
//!      met; the first `count` of the order are met, so the met criteria only grow, and an
//!      indicator whose criterion is met is met;
//!   5. rows: every item of the set in the first year the unit is assessed on it, then only
//!      the items whose state changes (the state in force is the latest row); of the
//!      communes' nâng cao set, only the target indicators and their criteria ([`written`]).
//!      Units at or above a set's level before 2021 have no rows of it: their recognition
//!      certifies it.
//!
//! Values are given where the catalog's name says what is measured (online public
//! services: the share of dossiers handled online, in %), consistent with `met`.

use super::hash;
use super::reference::RefCommune;
use super::sample_results::{self, YEARS};
use crate::model::{CriteriaCatalog, CriteriaSet, ItemNumber, Level, UnitScope};
use anyhow::{anyhow, ensure, Context, Result};
use std::collections::BTreeMap;

/// A target indicator (Decision 924/QĐ-TTg) with the sample's national shares.
#[derive(Debug, Clone, Copy)]
pub struct IndicatorTarget {
    pub set: &'static str,
    pub criterion: u8,
    pub indicator: u8,
    /// Share of the units of the set's kind (xã, districts with xã) meeting it at the end
    /// of each year of [`YEARS`], units recognised at the set's level included.
    pub shares: [f64; 5],
    /// The value from which it is met, when the row carries a value (a share in %).
    pub value_from: Option<f64>,
}

impl IndicatorTarget {
    pub fn item(&self) -> ItemNumber {
        ItemNumber::indicator(self.criterion, self.indicator)
    }
}

/// The indicators that carry national targets, with sample shares rising to just below or
/// at the 2025 targets. A recognised unit meets its set's indicators by level, so a share
/// is never below the share of units recognised at the set's level (districts' 9.5 starts
/// from the 53% of districts recognised by 2021 in the sample results).
pub const INDICATORS: [IndicatorTarget; 6] = [
    IndicatorTarget { set: "xa_ntm_2021", criterion: 8, indicator: 4, shares: [0.85, 0.88, 0.91, 0.93, 0.95], value_from: None },
    IndicatorTarget { set: "xa_nang_cao_2021", criterion: 8, indicator: 4, shares: [0.30, 0.34, 0.39, 0.44, 0.48], value_from: None },
    IndicatorTarget { set: "xa_nang_cao_2021", criterion: 15, indicator: 2, shares: [0.30, 0.33, 0.37, 0.41, 0.45], value_from: None },
    IndicatorTarget { set: "huyen_ntm_2021", criterion: 9, indicator: 5, shares: [0.58, 0.63, 0.68, 0.72, 0.76], value_from: Some(80.0) },
    IndicatorTarget { set: "huyen_nang_cao_2021", criterion: 6, indicator: 5, shares: [0.15, 0.17, 0.20, 0.23, 0.26], value_from: None },
    IndicatorTarget { set: "huyen_nang_cao_2021", criterion: 9, indicator: 2, shares: [0.16, 0.18, 0.21, 0.24, 0.27], value_from: Some(80.0) },
];

/// The columns of `criteria.csv`, as the loader reads them.
pub use crate::load::CRITERIA_COLUMNS as COLUMNS;

/// What [`rows`] made: the rows and the share of units meeting each target indicator
/// each year, computed from the states written.
#[derive(Debug, Default)]
pub struct SampleCriteria {
    pub rows: Vec<[String; 9]>,
    /// (set, indicator, share per year of [`YEARS`]).
    pub shares: Vec<(String, ItemNumber, [f64; 5])>,
}

/// The order of the file: unit kind, code, year, set (catalog index), item.
type RowKey = (u8, String, u16, usize, ItemNumber);

/// A unit's result records, in year order: (year, level, criteria_met).
type Records = Vec<(u16, Level, Option<u8>)>;

/// A xã or a district, with its level each year.
#[derive(Debug)]
struct Unit {
    code: String,
    scope: UnitScope,
    score: f64,
    /// The level in force at the end of each year of [`YEARS`] (`None`: no record yet).
    level: [Option<Level>; 5],
    /// `criteria_met` of the record in force (xã).
    criteria_met: [Option<u8>; 5],
    /// Share of the district's xã at least đạt chuẩn, and at least nâng cao, each year.
    xa_share: [[f64; 5]; 2],
}

/// What a year asks of a unit on one set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ask {
    Skip,
    Count(usize),
    All,
}

/// The rows of `criteria.csv` from the reference communes, the results rows as written
/// (`results-communes.csv`, `results-districts.csv`) and the criteria catalog.
pub fn rows(communes: &[RefCommune], commune_results: &[[String; 6]], district_results: &[[String; 5]], catalog: &CriteriaCatalog) -> Result<SampleCriteria> {
    let targets = &INDICATORS;
    for t in targets {
        let set = catalog.get(t.set).ok_or_else(|| anyhow!("criteria catalog: no set {} (needed for the sample indicator {})", t.set, t.item()))?;
        ensure!(set.item(t.item()).is_some(), "criteria catalog: set {} has no indicator {}", t.set, t.item());
    }
    let units = units(communes, commune_results, district_results)?;
    let mut out = SampleCriteria::default();
    // Rows keyed for the file's order: communes then districts, by code, year, set, item.
    let mut keyed: Vec<(RowKey, [String; 9])> = Vec::new();
    for scope in [UnitScope::Commune, UnitScope::District] {
        let of_scope: Vec<&Unit> = units.iter().filter(|u| u.scope == scope).collect();
        let mut sets: Vec<(usize, &CriteriaSet)> =
            catalog.sets.iter().enumerate().filter(|(_, s)| s.unit == scope && YEARS.iter().all(|y| s.years().contains(y))).collect();
        sets.sort_by_key(|(_, s)| s.level);
        for (k, &(set_index, set)) in sets.iter().enumerate() {
            let below = k.checked_sub(1).map(|j| sets[j].1.level);
            let asks: Vec<[Ask; 5]> = of_scope.iter().map(|u| asks(u, set, below)).collect::<Result<_>>()?;
            let set_targets: Vec<&IndicatorTarget> = targets.iter().filter(|t| t.set == set.id).collect();
            let met_year: Vec<Vec<Option<usize>>> = set_targets.iter().map(|t| calibrate(&of_scope, &asks, set, t)).collect();
            let mut met_count = vec![[0usize; 5]; set_targets.len()];
            for (i, unit) in of_scope.iter().enumerate() {
                let indicator_years: Vec<(ItemNumber, Option<usize>)> = set_targets.iter().zip(&met_year).map(|(t, m)| (t.item(), m[i])).collect();
                let states = states(unit, set, &asks[i], &indicator_years);
                for (j, t) in set_targets.iter().enumerate() {
                    for (y, count) in met_count[j].iter_mut().enumerate() {
                        let by_level = unit.level[y].is_some_and(|l| l >= set.level);
                        if by_level || states[y].as_ref().is_some_and(|s| s[&t.item()]) {
                            *count += 1;
                        }
                    }
                }
                let mut previous: BTreeMap<ItemNumber, bool> = BTreeMap::new();
                for (y, state) in states.iter().enumerate() {
                    let Some(state) = state else { continue };
                    for (&item, &met) in state {
                        if previous.get(&item) == Some(&met) || !written(scope, set, &set_targets, item) {
                            continue;
                        }
                        previous.insert(item, met);
                        let value = set_targets.iter().find(|t| t.item() == item).and_then(|t| t.value_from).map(|from| value(&unit.code, item, YEARS[y], met, from));
                        let row = [
                            unit.code.clone(),
                            YEARS[y].to_string(),
                            set.id.clone(),
                            item.criterion.to_string(),
                            item.indicator.map(|i| i.to_string()).unwrap_or_default(),
                            met.to_string(),
                            value.unwrap_or_default(),
                            String::new(),
                            String::new(),
                        ];
                        keyed.push(((scope as u8, unit.code.clone(), YEARS[y], set_index, item), row));
                    }
                }
            }
            for (t, counts) in set_targets.iter().zip(met_count) {
                out.shares.push((set.id.clone(), t.item(), counts.map(|c| c as f64 / of_scope.len().max(1) as f64)));
            }
        }
    }
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    out.rows = keyed.into_iter().map(|(_, row)| row).collect();
    Ok(out)
}

/// Whether the file carries rows of `item`. The communes' nâng cao set is written only for
/// the indicators that carry targets and their criteria (8, 8.4, 15, 15.2): its other items
/// for every đạt chuẩn xã would be most of the file (over 130,000 rows) and feed no map,
/// statistic or target; the checklist shows them as no data.
fn written(scope: UnitScope, set: &CriteriaSet, targets: &[&IndicatorTarget], item: ItemNumber) -> bool {
    scope != UnitScope::Commune || set.level < Level::NangCao || targets.iter().any(|t| t.criterion == item.criterion)
}

/// Step 1: the xã (by code) and the districts with xã (by code), with their levels.
fn units(communes: &[RefCommune], commune_results: &[[String; 6]], district_results: &[[String; 5]]) -> Result<Vec<Unit>> {
    // The records of each code.
    fn records<const N: usize>(rows: &[[String; N]], what: &str) -> Result<BTreeMap<String, Records>> {
        let mut by_code: BTreeMap<String, Records> = BTreeMap::new();
        for r in rows {
            let year: u16 = r[1].parse().with_context(|| format!("{what} {}: year '{}'", r[0], r[1]))?;
            let level = Level::parse(&r[2]).map_err(|e| anyhow!("{what} {}: {e}", r[0]))?;
            let met = if N == 6 && !r[3].is_empty() { Some(r[3].parse::<u8>().with_context(|| format!("{what} {}: criteria_met '{}'", r[0], r[3]))?) } else { None };
            by_code.entry(r[0].clone()).or_default().push((year, level, met));
        }
        for rs in by_code.values_mut() {
            rs.sort_by_key(|r| r.0);
        }
        Ok(by_code)
    }
    let in_force = |rs: Option<&Records>, year: u16| rs.and_then(|rs| rs.iter().take_while(|r| r.0 <= year).last()).copied();
    let commune_records = records(commune_results, "commune result")?;
    let district_records = records(district_results, "district result")?;

    let mut units = Vec::new();
    let mut xa_of: BTreeMap<&str, (&RefCommune, Vec<usize>)> = BTreeMap::new();
    for c in communes.iter().filter(|c| c.is_xa()) {
        let rs = commune_records.get(&c.code);
        let mut unit = Unit { code: c.code.clone(), scope: UnitScope::Commune, score: sample_results::score(c), level: [None; 5], criteria_met: [None; 5], xa_share: [[0.0; 5]; 2] };
        for (y, &year) in YEARS.iter().enumerate() {
            let record = in_force(rs, year);
            unit.level[y] = record.map(|r| r.1);
            unit.criteria_met[y] = record.and_then(|r| r.2);
        }
        xa_of.entry(&c.district_code).or_insert((c, Vec::new())).1.push(units.len());
        units.push(unit);
    }
    let mut districts = Vec::new();
    for (district, (first, members)) in &xa_of {
        let rs = district_records.get(*district);
        let mut unit = Unit {
            code: district.to_string(),
            scope: UnitScope::District,
            score: sample_results::district_score(&first.province_code, district),
            level: [None; 5],
            criteria_met: [None; 5],
            xa_share: [[0.0; 5]; 2],
        };
        for (y, &year) in YEARS.iter().enumerate() {
            unit.level[y] = in_force(rs, year).map(|r| r.1);
            for (k, at_least) in [Level::DatChuan, Level::NangCao].into_iter().enumerate() {
                let at = members.iter().filter(|&&i| units[i].level[y].is_some_and(|l| l >= at_least)).count();
                unit.xa_share[k][y] = at as f64 / members.len() as f64;
            }
        }
        districts.push(unit);
    }
    units.extend(districts);
    Ok(units)
}

/// Step 2 for one unit and set; `below`: the level of the set under this one, if any.
fn asks(unit: &Unit, set: &CriteriaSet, below: Option<Level>) -> Result<[Ask; 5]> {
    let mut asks = [Ask::Skip; 5];
    let assessed = |y: usize| {
        let level = unit.level[y];
        level.is_none_or(|l| l < set.level) && below.is_none_or(|b| level.is_some_and(|l| l >= b))
    };
    let first = (0..5).find(|&y| assessed(y));
    let reached = first.and_then(|f| (f..5).find(|&y| unit.level[y].is_some_and(|l| l >= set.level)));
    for (y, ask) in asks.iter_mut().enumerate() {
        *ask = match first {
            Some(f) if y >= f && assessed(y) => Ask::Count(criteria_count(unit, set, y, f, reached)?),
            Some(f) if y > f && unit.level[y].is_some_and(|l| l >= set.level) => Ask::All,
            _ => Ask::Skip,
        };
    }
    Ok(asks)
}

/// How many criteria of `set` a unit assessed on it meets in year `y` (first assessed in
/// year `first`, at the set's level from `reached`). A chưa đạt xã: its `criteria_met`.
/// Otherwise a number that grows with the years, kept below the set's count less the
/// criteria that carry a target indicator, so those can stay unmet while their indicator is.
fn criteria_count(unit: &Unit, set: &CriteriaSet, y: usize, first: usize, reached: Option<usize>) -> Result<usize> {
    let total = set.criteria_count();
    if unit.scope == UnitScope::Commune && set.level == Level::DatChuan {
        let met = unit.criteria_met[y].ok_or_else(|| anyhow!("xã {} is chưa đạt in {} without criteria_met", unit.code, YEARS[y]))?;
        ensure!((met as usize) <= total, "xã {}: criteria_met {met} in {} is over {total}", unit.code, YEARS[y]);
        return Ok(met as usize);
    }
    let targeted = INDICATORS.iter().filter(|t| t.set == set.id).map(|t| t.criterion).collect::<std::collections::BTreeSet<_>>().len();
    let cap = total.saturating_sub(targeted);
    let count = match unit.scope {
        // Districts: with the share of their xã at the level under the set's next one.
        UnitScope::District => {
            let k = usize::from(set.level > Level::DatChuan);
            2 + (cap.saturating_sub(2) as f64 * unit.xa_share[k][y]).round() as usize
        }
        // Communes toward nâng cao: from 6–12 criteria, 1–2 more a year, and close to the
        // whole set in the years before their recognition.
        UnitScope::Commune => {
            let h = hash::hash(&unit.code, 31);
            let mut count = 6 + (h % 7) as usize + (1 + (h >> 8) as usize % 2) * (y - first);
            if let Some(r) = reached {
                count = count.max(cap.saturating_sub(2 * r.saturating_sub(y + 1)));
            }
            count
        }
    };
    Ok(count.min(cap))
}

/// Step 3: the year index from which each unit of `units` meets `target` by a row.
fn calibrate(units: &[&Unit], asks: &[[Ask; 5]], set: &CriteriaSet, target: &IndicatorTarget) -> Vec<Option<usize>> {
    let mut met_year: Vec<Option<usize>> = vec![None; units.len()];
    let salt = 40 + u64::from(target.criterion) * 10 + u64::from(target.indicator);
    let rank = |u: &Unit| 0.6 * u.score + 0.4 * hash::unit(&format!("{}/{}", set.id, u.code), salt);
    let mut order: Vec<usize> = (0..units.len()).collect();
    order.sort_by(|&a, &b| rank(units[b]).total_cmp(&rank(units[a])).then(units[a].code.cmp(&units[b].code)));
    for (y, share) in target.shares.iter().enumerate() {
        let met = (0..units.len()).filter(|&i| units[i].level[y].is_some_and(|l| l >= set.level) || met_year[i].is_some()).count();
        let mut need = ((share * units.len() as f64).round() as usize).saturating_sub(met);
        for &i in &order {
            if need == 0 {
                break;
            }
            if met_year[i].is_none() && matches!(asks[i][y], Ask::Count(_)) {
                met_year[i] = Some(y);
                need -= 1;
            }
        }
    }
    met_year
}

/// Step 4: the criteria of `set` in the order a unit meets them. A criterion with a target
/// indicator that is not met in the unit's first assessed year goes last.
fn criteria_order(unit: &Unit, set: &CriteriaSet, first: usize, indicator_years: &[(ItemNumber, Option<usize>)]) -> Vec<u8> {
    let key = format!("{}/{}", set.id, unit.code);
    let mut order: Vec<u8> = set.criteria().map(|c| c.number.criterion).collect();
    let late = |c: u8| indicator_years.iter().any(|(item, year)| item.criterion == c && year.is_none_or(|y| y > first));
    order.sort_by_key(|&c| (late(c), if late(c) { 0 } else { hash::hash(&key, u64::from(c)) }, c));
    order
}

/// Steps 4–5: the state of every item of `set` each year the unit is assessed on it.
fn states(unit: &Unit, set: &CriteriaSet, asks: &[Ask; 5], indicator_years: &[(ItemNumber, Option<usize>)]) -> [Option<BTreeMap<ItemNumber, bool>>; 5] {
    let mut states: [Option<BTreeMap<ItemNumber, bool>>; 5] = Default::default();
    let Some(first) = asks.iter().position(|a| *a != Ask::Skip) else { return states };
    let order = criteria_order(unit, set, first, indicator_years);
    for (y, ask) in asks.iter().enumerate() {
        let met_criteria: &[u8] = match *ask {
            Ask::Skip => continue,
            Ask::Count(n) => &order[..n.min(order.len())],
            Ask::All => &order,
        };
        let state = set
            .items
            .iter()
            .map(|item| {
                let criterion_met = met_criteria.contains(&item.number.criterion);
                let met = match item.number.indicator {
                    None => criterion_met,
                    // A criterion met brings its indicators; a target indicator may be met
                    // before its criterion.
                    Some(_) => criterion_met || indicator_years.iter().any(|(i, year)| *i == item.number && year.is_some_and(|m| m <= y)),
                };
                (item.number, met)
            })
            .collect();
        states[y] = Some(state);
    }
    states
}

/// A value consistent with `met`: from `from` to 100 when met, 50–95% of `from` when not.
fn value(code: &str, item: ItemNumber, year: u16, met: bool, from: f64) -> String {
    let u = hash::unit(&format!("{code}/{item}/{year}"), 39);
    let v = if met { from + (100.0 - from) * u } else { from * (0.5 + 0.45 * u) };
    format!("{v:.1}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    struct Built {
        communes: Vec<RefCommune>,
        results: Vec<[String; 6]>,
        sample: SampleCriteria,
        catalog: CriteriaCatalog,
    }

    fn build() -> Built {
        let communes = super::super::reference::read(Path::new(crate::config::REFERENCE_TABLES), 2024).unwrap();
        let progress = sample_results::progress(&communes);
        let results = sample_results::commune_rows(&progress);
        let (districts, _) = sample_results::unit_rows(&communes, &progress);
        let catalog = crate::load::read_criteria_sets(&Path::new(crate::config::EMBEDDED_GEODATA).join("criteria")).unwrap();
        let sample = rows(&communes, &results, &districts, &catalog).unwrap();
        Built { communes, results, sample, catalog }
    }

    /// The state in force of each (set, item) of one unit at the end of `year`, from its
    /// rows (in file order, which is year order).
    fn in_force(rows: &[&[String; 9]], year: u16) -> BTreeMap<(String, String), bool> {
        let mut state = BTreeMap::new();
        for r in rows.iter().filter(|r| r[1].parse::<u16>().unwrap() <= year) {
            let item = if r[4].is_empty() { r[3].clone() } else { format!("{}.{}", r[3], r[4]) };
            state.insert((r[2].clone(), item), r[5] == "true");
        }
        state
    }

    #[test]
    fn rows_agree_with_the_results_and_the_indicator_shares_are_calibrated() {
        let b = build();
        let xa: std::collections::BTreeSet<&str> = b.communes.iter().filter(|c| c.is_xa()).map(|c| c.code.as_str()).collect();
        let mut rows_of: BTreeMap<&str, Vec<&[String; 9]>> = BTreeMap::new();
        for r in &b.sample.rows {
            rows_of.entry(&r[0]).or_default().push(r);
        }
        assert!(rows_of.keys().all(|k| k.len() == 3 || xa.contains(k)), "only xã and districts are assessed");
        let mut results_of: BTreeMap<&str, Vec<&[String; 6]>> = BTreeMap::new();
        for r in &b.results {
            results_of.entry(&r[0]).or_default().push(r);
        }
        for (code, results) in &results_of {
            let rows = rows_of.get(code).map(Vec::as_slice).unwrap_or_default();
            for year in YEARS {
                let Some(r) = results.iter().rev().find(|r| r[1].parse::<u16>().unwrap() <= year) else { continue };
                let state = in_force(rows, year);
                let met = |set: &str, item: &str| state.get(&(set.to_string(), item.to_string())).copied();
                let ntm_met = (1..=19).filter(|n| met("xa_ntm_2021", &n.to_string()) == Some(true)).count();
                let ntm_rows = (1..=19).filter(|n| met("xa_ntm_2021", &n.to_string()).is_some()).count();
                let nang_cao: Vec<bool> = state.iter().filter(|(k, _)| k.0 == "xa_nang_cao_2021").map(|(_, &m)| m).collect();
                match r[2].as_str() {
                    "chua_dat" => {
                        assert_eq!(ntm_rows, 19, "{code} {year}: every criterion named");
                        assert_eq!(ntm_met.to_string(), r[3], "{code} {year}: criteria met in force");
                        assert!(nang_cao.is_empty(), "{code} {year}: nâng cao rows while chưa đạt");
                    }
                    "dat_chuan" => {
                        assert_eq!(ntm_met, ntm_rows, "{code} {year}: a row in force says an NTM criterion is not met");
                        assert_eq!(nang_cao.len(), 4, "{code} {year}: đạt chuẩn without 8, 8.4, 15 and 15.2 of the nâng cao set");
                    }
                    _ => assert!(ntm_met == ntm_rows && nang_cao.iter().all(|&m| m), "{code} {year}: recognised nâng cao with an item not met"),
                }
                // An indicator not met: its criterion is not met.
                for (set, c, i) in [("xa_ntm_2021", "8", "8.4"), ("xa_nang_cao_2021", "8", "8.4"), ("xa_nang_cao_2021", "15", "15.2")] {
                    if met(set, i) == Some(false) {
                        assert_eq!(met(set, c), Some(false), "{code} {year} {set}: {i} not met but {c} met");
                    }
                }
            }
        }
        for (set, item, shares) in &b.sample.shares {
            let target = INDICATORS.into_iter().find(|t| t.set == set && t.item() == *item).unwrap();
            for (y, (got, want)) in shares.iter().zip(target.shares).enumerate() {
                assert!((got - want).abs() < 0.02, "{set} {item} {}: {got:.3} vs {want}", YEARS[y]);
            }
            assert!(shares.windows(2).all(|w| w[0] <= w[1]), "{set} {item}: {shares:?}");
        }
        assert_eq!(b.sample.shares.len(), 6);
    }

    #[test]
    fn met_criteria_only_grow_and_every_row_reads_back() {
        let b = build();
        let mut last: BTreeMap<(String, String, String), (u16, bool)> = BTreeMap::new();
        for r in &b.sample.rows {
            let key = (r[0].clone(), r[2].clone(), format!("{}.{}", r[3], r[4]));
            let year: u16 = r[1].parse().unwrap();
            if let Some((y, met)) = last.insert(key.clone(), (year, r[5] == "true")) {
                assert!(y < year, "{key:?}: rows out of order or repeated");
                assert!(!met && r[5] == "true", "{key:?}: a row that changes nothing or takes back a criterion met");
            }
            if let Ok(v) = r[6].parse::<f64>() {
                assert_eq!(v >= 80.0, r[5] == "true", "{r:?}");
            }
        }
        // The loader reads the file as written.
        let path = std::env::temp_dir().join(format!("bando-sample-criteria-{}.csv", std::process::id()));
        let mut w = csv::Writer::from_path(&path).unwrap();
        w.write_record(COLUMNS).unwrap();
        for r in &b.sample.rows {
            w.write_record(r).unwrap();
        }
        w.flush().unwrap();
        let read = crate::load::read_criteria(&path, &b.catalog).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(read.len(), b.sample.rows.len());
        let _ = std::fs::remove_file(path);
    }
}
