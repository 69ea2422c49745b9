//! Progress against the targets: the targets of the targets table computed for a
//! statistics scope, and whether each target is on track.
//!
//! Steps:
//!   1. choose the table's targets the scope shows ([`from_table`]): the national view
//!      shows every target, each computed on its own scope (Hà Tĩnh's on Hà Tĩnh, Vệ
//!      Giang's on Vệ Giang); a province shows its own targets and those of its communes,
//!      and the national targets computed for the province (marked `applied`); a district
//!      shows the national targets computed for it (except the share of provinces with a
//!      pilot, which a district cannot have) and its communes' targets;
//!   2. compute each target's measure at the end of the year on its units: the share of
//!      eligible units meeting a criterion or indicator ([`super::criteria`]), a number of
//!      pilots, the share of provinces with a pilot; a target the data cannot measure has
//!      a null actual and says why;
//!   3. `met` when the actual is at least the target;
//!   4. `on_track` ([`track`]): the actual is at least the straight line from the first
//!      year with data (its actual then) to the target at the deadline, read at the end of
//!      the year; a met target is on track, and from the deadline on only a met one is.

use super::{criteria, Crosswalk, Resolved, StatsQuery};
use crate::atlas::Atlas;
use crate::model::{AsOf, DistrictCode, Edition, Measure, PilotFilter, PilotModel, ProvinceCode, TargetDef, TargetScope, TargetSource};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, Serialize)]
pub struct Label {
    pub vi: String,
    pub en: String,
}

/// A target with its actual value for the statistics' scope and year.
#[derive(Debug, Clone, Serialize)]
pub struct Target {
    pub id: String,
    /// Who the target is set for: `nation`, `region:ID`, `province:NN` (63-province
    /// structure), `commune:NNNNN` (edition 2024) or `commune:NNNNN@2025`.
    pub scope: String,
    /// The units `actual` is computed on: the target's own scope, or the statistics'
    /// scope (`province:NN`, `province:NN@2025`, `district:NNN`) when a target of a wider
    /// scope is applied to it.
    pub computed_for: String,
    /// True when `computed_for` is the statistics' scope rather than the target's own.
    pub applied: bool,
    /// ISO date by which the target is to be reached.
    pub deadline: String,
    pub source: TargetSource,
    pub label: Label,
    /// "share" (0–1) or "count".
    pub unit: &'static str,
    pub target: f64,
    /// Null when the data cannot measure it, or the scope has nothing to measure.
    pub actual: Option<f64>,
    /// actual ≥ target; null with a null actual.
    pub met: Option<bool>,
    /// The actual is at least the straight line from the first year with data to the
    /// target at the deadline; null with a null actual.
    pub on_track: Option<bool>,
    /// The line `on_track` compares with.
    pub trajectory: Option<Trajectory>,
    /// Why `actual` is null.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The straight line from the first year with data to the target at the deadline.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Trajectory {
    pub from_year: u16,
    pub from_actual: f64,
    /// The line's value at the end of the statistics' year.
    pub expected: f64,
}

impl Target {
    /// A target whose actual is `measured` (or the reason it is not).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn new(
        id: String,
        scope: String,
        computed_for: String,
        deadline: String,
        source: TargetSource,
        label: Label,
        unit: &'static str,
        target: f64,
        measured: Result<f64, String>,
    ) -> Target {
        let (actual, reason) = match measured {
            Ok(a) => (Some(a), None),
            Err(why) => (None, Some(why)),
        };
        Target {
            id,
            applied: scope != computed_for,
            scope,
            computed_for,
            deadline,
            source,
            label,
            unit,
            target,
            actual,
            met: actual.map(|a| a >= target),
            on_track: None,
            trajectory: None,
            reason,
        }
    }
}

/// The statistics' scope as a key: `nation`, `province:NN`, `province:NN@2025`, `district:NNN`.
pub(super) fn scope_key(q: &StatsQuery) -> String {
    match (q.district, q.province, q.edition) {
        (Some(d), _, _) => format!("district:{d}"),
        (None, Some(p), Edition::E2024) => format!("province:{p}"),
        (None, Some(p), e) => format!("province:{p}@{e}"),
        (None, None, _) => "nation".to_string(),
    }
}

/// The units a target's measure is computed on.
struct Units<'a> {
    /// Edition-2024 commune positions.
    communes: std::borrow::Cow<'a, [usize]>,
    districts: std::borrow::Cow<'a, [DistrictCode]>,
    /// The whole nation (the share of provinces counts the edition's provinces).
    nation: bool,
}

/// Step 1 and 2 of the module doc: the table's targets for the scope, in table order.
pub(super) fn from_table(atlas: &Atlas, q: StatsQuery, r: &Resolved, cross: Option<&Crosswalk>) -> Vec<Target> {
    let view = scope_key(&q);
    let covered: HashSet<usize> = r.communes.iter().copied().collect();
    let scope_units = || Units { communes: (&r.communes[..]).into(), districts: (&r.districts[..]).into(), nation: q.province.is_none() && q.district.is_none() };
    let mut out = Vec::new();
    for def in &atlas.targets {
        let own = own_units(atlas, def.scope);
        let (units, computed_for) = match def.scope {
            TargetScope::Nation if view == "nation" => (scope_units(), "nation".to_string()),
            TargetScope::Nation => {
                if q.district.is_some() && matches!(def.measure, Measure::ProvincesWithPilot(_)) {
                    continue;
                }
                (scope_units(), view.clone())
            }
            _ if view == "nation" => (own, def.scope.to_string()),
            TargetScope::Province(p) => {
                let shown = match (q.district, q.province, cross) {
                    (None, Some(asked), None) => p == asked,
                    (None, Some(asked), Some(x)) => x.province_to.get(&p) == Some(&asked),
                    _ => false,
                };
                if !shown {
                    continue;
                }
                (own, def.scope.to_string())
            }
            TargetScope::Commune(..) => {
                if !own.communes.iter().any(|o| covered.contains(o)) {
                    continue;
                }
                (own, def.scope.to_string())
            }
        };
        out.push(table_target(atlas, q, def, &units, computed_for, q.year, cross));
    }
    out
}

fn table_target(atlas: &Atlas, q: StatsQuery, def: &TargetDef, units: &Units<'_>, computed_for: String, year: u16, cross: Option<&Crosswalk>) -> Target {
    let applied = def.scope.to_string() != computed_for;
    let (vi, en) = if applied {
        (format!("{} (chỉ tiêu của phạm vi rộng hơn, áp dụng cho phạm vi này)", def.label_vi), format!("{} (applied to this scope)", def.label_en))
    } else {
        (def.label_vi.clone(), def.label_en.clone())
    };
    Target::new(
        def.id.clone(),
        def.scope.to_string(),
        computed_for,
        def.deadline.clone(),
        def.source.clone(),
        Label { vi, en },
        def.unit.as_str(),
        def.target,
        measure(atlas, q.edition, &def.measure, units, year, cross),
    )
}

/// The units of a target's own scope.
fn own_units(atlas: &Atlas, scope: TargetScope) -> Units<'static> {
    let old = atlas.edition(Edition::E2024);
    let (communes, districts) = match scope {
        TargetScope::Nation => ((0..old.communes.len()).collect(), old.districts.keys().copied().collect()),
        TargetScope::Province(p) => (
            (0..old.communes.len()).filter(|&i| old.communes[i].province == p).collect(),
            old.districts.values().filter(|d| d.province == p).map(|d| d.code).collect(),
        ),
        TargetScope::Commune(c, Edition::E2024) => (old.position(c).into_iter().collect(), Vec::new()),
        TargetScope::Commune(c, e) => {
            let new = atlas.edition(e);
            (new.position(c).map(|n| new.former[n].iter().map(|&o| o as usize).collect()).unwrap_or_default(), Vec::new())
        }
    };
    Units { communes: std::borrow::Cow::Owned(communes), districts: std::borrow::Cow::Owned(districts), nation: scope == TargetScope::Nation }
}

/// Step 2: a measure's value on `units` at the end of `year`, or why there is none.
fn measure(atlas: &Atlas, edition: Edition, m: &Measure, units: &Units<'_>, year: u16, cross: Option<&Crosswalk>) -> Result<f64, String> {
    match m {
        Measure::CriterionShare { set, item } => {
            let set = &atlas.criteria.catalog.sets[*set];
            let stats = criteria::item_stats(atlas, set, *item, &units.communes, &units.districts, AsOf::Year(year))
                .ok_or_else(|| format!("set {} does not apply in {year}", set.id))?;
            let units = match set.unit {
                crate::model::UnitScope::Commune => "xã",
                crate::model::UnitScope::District => "district with a xã",
            };
            stats.share.ok_or_else(|| format!("the scope has no {units} to assess on {}", set.id))
        }
        Measure::PilotCount(filter) => {
            let inside: HashSet<usize> = units.communes.iter().copied().collect();
            let old = atlas.edition(Edition::E2024);
            Ok(pilots(atlas, filter, year).filter(|p| old.position(p.commune).is_some_and(|o| inside.contains(&o))).count() as f64)
        }
        Measure::ProvincesWithPilot(filter) if units.nation => {
            // The provinces of the edition in view; a pilot (on an edition-2024 commune)
            // belongs to the province that took its commune.
            let old = atlas.edition(Edition::E2024);
            let view = atlas.edition(edition);
            let with: HashSet<ProvinceCode> = pilots(atlas, filter, year)
                .filter_map(|p| {
                    let o = old.position(p.commune)?;
                    match cross {
                        None => Some(old.communes[o].province),
                        Some(x) => x.new_of_old[o].map(|n| view.communes[n].province),
                    }
                })
                .collect();
            let total = view.provinces.len();
            super::share(view.provinces.keys().filter(|p| with.contains(p)).count(), total).ok_or_else(|| "no provinces".to_string())
        }
        Measure::ProvincesWithPilot(filter) => {
            // One province (or the province a target is applied to): 1 with a pilot, else 0.
            let inside: HashSet<usize> = units.communes.iter().copied().collect();
            let old = atlas.edition(Edition::E2024);
            let any = pilots(atlas, filter, year).any(|p| old.position(p.commune).is_some_and(|o| inside.contains(&o)));
            Ok(if any { 1.0 } else { 0.0 })
        }
        Measure::Unmeasured { reason } => Err(reason.clone()),
    }
}

/// The pilots a filter counts, approved by the end of `year` (or undated), as the pilot
/// counts of the statistics do.
fn pilots<'a>(atlas: &'a Atlas, filter: &'a PilotFilter, year: u16) -> impl Iterator<Item = &'a PilotModel> + 'a {
    atlas.pilots.iter().filter(move |p| {
        p.approved_year.is_none_or(|y| y <= year)
            && filter.kind.is_none_or(|k| p.kind == k)
            && filter.stage.is_none_or(|s| p.provenance.stage == Some(s))
            && filter.decision.as_deref().is_none_or(|d| p.provenance.decision.as_deref().map(str::trim) == Some(d))
    })
}

/// Step 4: sets `trajectory` and `on_track` of each target with an actual. `earlier(year)`
/// gives the same targets computed at the end of an earlier year; the first year of the
/// data (`first_year` on) in which a target has an actual is its start.
pub(super) fn track(targets: &mut [Target], first_year: u16, year: u16, earlier: impl Fn(u16) -> Vec<Target>) {
    let mut start: HashMap<String, (u16, f64)> = HashMap::new();
    for y in first_year..year {
        if targets.iter().all(|t| t.actual.is_none() || start.contains_key(&t.id)) {
            break;
        }
        for t in earlier(y) {
            if let Some(a) = t.actual {
                start.entry(t.id).or_insert((y, a));
            }
        }
    }
    for t in targets.iter_mut() {
        let Some(actual) = t.actual else { continue };
        let (from_year, from_actual) = start.get(&t.id).copied().unwrap_or((year, actual));
        let expected = expected_at(from_year, from_actual, t.target, &t.deadline, year);
        t.trajectory = Some(Trajectory { from_year, from_actual, expected });
        t.on_track = Some(t.met == Some(true) || actual >= expected);
    }
}

/// The straight line from `from_actual` at the end of `from_year` to `target` on the
/// deadline, read at the end of `year` (and held at the target after the deadline).
fn expected_at(from_year: u16, from_actual: f64, target: f64, deadline: &str, year: u16) -> f64 {
    let start = day_number(&format!("{from_year}-12-31"));
    let now = day_number(&format!("{year}-12-31"));
    let end = day_number(deadline);
    let fraction = if end <= start { 1.0 } else { ((now - start) as f64 / (end - start) as f64).clamp(0.0, 1.0) };
    from_actual + (target - from_actual) * fraction
}

/// Days since 1970-01-01 of an ISO date already checked by the loader.
fn day_number(date: &str) -> i64 {
    let part = |r: std::ops::Range<usize>| date.get(r).and_then(|t| t.parse::<i64>().ok()).unwrap_or(1);
    let (y, m, d) = (part(0..4), part(5..7), part(8..10));
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_count_real_days() {
        assert_eq!(day_number("1970-01-01"), 0);
        assert_eq!(day_number("2000-03-01") - day_number("2000-02-28"), 2, "2000 is a leap year");
        assert_eq!(day_number("2025-12-31") - day_number("2024-12-31"), 365);
        assert_eq!(day_number("2024-12-31") - day_number("2023-12-31"), 366);
    }

    #[test]
    fn the_line_runs_from_the_start_to_the_target_at_the_deadline() {
        // From 0.5 at the end of 2021 to 0.9 at the end of 2025: half way at the end of 2023.
        let mid = expected_at(2021, 0.5, 0.9, "2025-12-31", 2023);
        let half = (day_number("2023-12-31") - day_number("2021-12-31")) as f64 / (day_number("2025-12-31") - day_number("2021-12-31")) as f64;
        assert!((mid - (0.5 + 0.4 * half)).abs() < 1e-12, "{mid}");
        assert_eq!(expected_at(2021, 0.5, 0.9, "2025-12-31", 2021), 0.5);
        assert_eq!(expected_at(2021, 0.5, 0.9, "2025-12-31", 2025), 0.9);
        assert_eq!(expected_at(2023, 2.0, 4.0, "2023-12-31", 2025), 4.0, "after the deadline: the target");
    }

    fn t(id: &str, target: f64, actual: Option<f64>) -> Target {
        let source = TargetSource { document: "d".into(), article: "a".into() };
        let label = Label { vi: String::new(), en: String::new() };
        let measured = actual.ok_or_else(|| "no data".to_string());
        Target::new(id.into(), "nation".into(), "nation".into(), "2025-12-31".into(), source, label, "share", target, measured)
    }

    #[test]
    fn on_track_compares_with_the_line_from_the_first_year_with_data() {
        let mut now = vec![t("a", 0.9, Some(0.7)), t("b", 0.9, Some(0.6)), t("c", 0.9, None), t("d", 0.5, Some(0.6))];
        // "a" has data from 2021 (0.5), "b" only from 2022 (0.6: no progress since).
        let earlier = |y: u16| vec![t("a", 0.9, Some(0.5)), t("b", 0.9, if y >= 2022 { Some(0.6) } else { None }), t("d", 0.5, Some(0.7))];
        track(&mut now, 2021, 2023, earlier);
        let a = now[0].trajectory.unwrap();
        assert_eq!((a.from_year, a.from_actual), (2021, 0.5));
        assert!(a.expected < 0.7 && now[0].on_track == Some(true), "{a:?}");
        let b = now[1].trajectory.unwrap();
        assert_eq!((b.from_year, b.from_actual), (2022, 0.6));
        assert!(b.expected > 0.6 && now[1].on_track == Some(false), "{b:?}");
        assert_eq!((now[2].on_track, now[2].met, now[2].reason.as_deref()), (None, None, Some("no data")));
        assert_eq!(now[3].on_track, Some(true), "a met target is on track");
    }
}
