//! Statistics for a scope (the nation, a province or a district) in a given year:
//! communes by NTM level with shares, districts and provinces completed, pilot models,
//! tourism sites, the 2021–2025 series and progress against the 2025 targets.
//!
//! Steps:
//!   1. resolve the scope to the edition-2024 communes it covers. Results were
//!      recognised on those communes, so edition 2025 is counted through the crosswalk:
//!      a 2025 province covers the former communes its communes took in whole or for
//!      the most part (each former commune counted once, in one 2025 commune); a
//!      former district or province belongs to the 2025 province that took most of its
//!      communes;
//!   2. count the level in force at the end of the year of each covered commune (only
//!      xã are eligible; phường, thị trấn and đặc khu are not applicable), and the same
//!      for each year 2021–2025;
//!   3. edition 2025 also counts its own communes by the level the map shows (the
//!      weakest level among their former xã, [`crate::query::FormerLevels::weakest_key`]);
//!   4. count districts, provinces, pilots (approved by the year, or undated) and
//!      tourism sites of the scope;
//!   5. count the scope's units by criterion and indicator ([`criteria`]);
//!   6. compare with the targets: those of Decision 263 ([`regions`]) and those of the
//!      targets table ([`progress`]): met when the actual value is at least the target,
//!      on track when it is at least the straight line from the first year with data.

pub mod criteria;
pub mod progress;
pub mod regions;
mod rows;

pub use criteria::CriterionStats;
pub use progress::{Label, Target, Trajectory};
pub use regions::Region;
pub use rows::{rows, to_csv};

use crate::atlas::Atlas;
use crate::model::{DistrictCode, Edition, Level, PilotKind, ProvinceCode, TargetSource, TourismCategory};
use crate::model::AsOf;
use crate::standing::{self, LevelCounts};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone, Copy)]
pub struct StatsQuery {
    pub edition: Edition,
    /// The year: of the series' highlight and of the targets (read at its end).
    pub year: u16,
    /// A day of `year` to read the counts and criteria on, instead of the year's end.
    pub day: Option<crate::model::Day>,
    pub province: Option<ProvinceCode>,
    pub district: Option<DistrictCode>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatsError {
    #[error("no province has the code {code} in edition {edition}")]
    UnknownProvince { code: ProvinceCode, edition: Edition },
    #[error("no district has the code {0}")]
    UnknownDistrict(DistrictCode),
    #[error("edition 2025 has no districts; ask for district {0} with edition=2024")]
    DistrictIn2025(DistrictCode),
    #[error("district {district} is in province {actual}, not in province {asked}")]
    DistrictOutsideProvince { district: DistrictCode, asked: ProvinceCode, actual: ProvinceCode },
}

impl StatsError {
    /// The query parameter at fault.
    pub fn parameter(&self) -> &'static str {
        match self {
            StatsError::UnknownProvince { .. } => "province",
            _ => "district",
        }
    }

    /// True when the scope names a unit that does not exist (rather than a bad request).
    pub fn is_unknown(&self) -> bool {
        matches!(self, StatsError::UnknownProvince { .. } | StatsError::UnknownDistrict(_))
    }
}

#[derive(Debug, Serialize)]
pub struct Stats {
    pub scope: Scope,
    pub communes: CommuneCounts,
    /// Edition 2025: its own communes in the scope by the level the map shows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub communes_2025: Option<Communes2025>,
    pub districts: DistrictCounts,
    pub provinces: ProvinceCounts,
    pub pilots: PilotCounts,
    pub tourism: TourismCounts,
    pub series: Vec<SeriesPoint>,
    /// Each criterion and indicator of the sets in force that year: the scope's units
    /// meeting it.
    pub criteria: Vec<CriterionStats>,
    pub targets: Vec<Target>,
}

#[derive(Debug, Serialize)]
pub struct Scope {
    pub edition: Edition,
    pub year: u16,
    /// "nation", "province" or "district".
    pub level: &'static str,
    pub province: Option<UnitRef>,
    pub district: Option<UnitRef>,
    pub region: Option<RegionRef>,
    /// What `communes` counts: always the communes of edition 2024, on which results
    /// were recognised ("former" ones in edition 2025).
    pub counted: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitRef {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RegionRef {
    pub id: &'static str,
    pub name_vi: &'static str,
    pub name_en: &'static str,
}

impl From<Region> for RegionRef {
    fn from(r: Region) -> Self {
        RegionRef { id: r.id(), name_vi: r.name_vi(), name_en: r.name_en() }
    }
}

/// Communes by the level in force at the end of the year. `nang_cao` and `kieu_mau`
/// count communes whose current level is exactly that; the shares of NTM count "at
/// least" (a kiểu mẫu commune is also nâng cao), as official reports do.
#[derive(Debug, Default, Clone, Copy, Serialize, PartialEq)]
pub struct CommuneCounts {
    /// `total` and the communes at each level key (`not_applicable`, `no_data`, `chua_dat`, …).
    #[serde(flatten)]
    pub levels: LevelCounts,
    pub eligible: usize,
    pub ntm: usize,
    /// NTM communes / eligible (xã); null without eligible communes.
    pub ntm_share: Option<f64>,
    /// (nâng cao + kiểu mẫu) / NTM.
    pub nang_cao_share_of_ntm: Option<f64>,
    /// kiểu mẫu / NTM.
    pub kieu_mau_share_of_ntm: Option<f64>,
}

#[derive(Debug, Serialize)]
pub struct Communes2025 {
    pub total: usize,
    pub by_level: BTreeMap<&'static str, usize>,
}

#[derive(Debug, Default, Serialize)]
pub struct DistrictCounts {
    pub total: usize,
    /// Districts with at least one xã (the others have no NTM task).
    pub eligible: usize,
    /// Đạt chuẩn / hoàn thành nhiệm vụ or above.
    pub completed: usize,
    pub completed_share: Option<f64>,
    pub by_level: BTreeMap<&'static str, usize>,
}

#[derive(Debug, Default, Serialize)]
pub struct ProvinceCounts {
    /// Provinces of the 63-province structure, on which completion was recognised.
    pub total: usize,
    pub completed: usize,
}

#[derive(Debug, Default, Serialize)]
pub struct PilotCounts {
    pub total: usize,
    pub by_kind: BTreeMap<&'static str, usize>,
    pub by_field: BTreeMap<String, usize>,
}

#[derive(Debug, Default, Serialize)]
pub struct TourismCounts {
    pub total: usize,
    pub by_category: BTreeMap<&'static str, usize>,
}

#[derive(Debug, Serialize)]
pub struct SeriesPoint {
    pub year: u16,
    pub eligible: usize,
    pub ntm: usize,
    pub ntm_share: Option<f64>,
    pub nang_cao: usize,
    pub kieu_mau: usize,
    pub nang_cao_share_of_ntm: Option<f64>,
    pub kieu_mau_share_of_ntm: Option<f64>,
}

/// Decision 263/QĐ-TTg's targets are for the end of the 2021–2025 programme.
const DEADLINE_263: &str = "2025-12-31";

fn source_263() -> TargetSource {
    TargetSource {
        document: "Quyết định 263/QĐ-TTg ngày 22/02/2022 của Thủ tướng Chính phủ (Chương trình MTQG xây dựng NTM giai đoạn 2021–2025)".into(),
        article: "Điều 1, mục II.2 (Mục tiêu cụ thể đến năm 2025)".into(),
    }
}

fn share(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Where the scope's units are, in edition-2024 terms.
struct Resolved {
    scope: Scope,
    /// Edition-2024 commune positions covered.
    communes: Vec<usize>,
    /// Edition-2025 commune positions covered (edition 2025 only).
    communes_2025: Option<Vec<usize>>,
    districts: Vec<DistrictCode>,
    provinces: Vec<ProvinceCode>,
    region: Option<Region>,
}

/// Edition 2025's view of the former units.
struct Crosswalk {
    /// 2024 commune position → the 2025 commune that took it.
    new_of_old: Vec<Option<usize>>,
    /// Former district / province → the 2025 province that took most of its communes.
    district_to: HashMap<DistrictCode, ProvinceCode>,
    province_to: HashMap<ProvinceCode, ProvinceCode>,
}

impl Crosswalk {
    fn of(atlas: &Atlas) -> Crosswalk {
        let (old, new) = (atlas.edition(Edition::E2024), atlas.edition(Edition::E2025));
        let mut new_of_old = vec![None; old.communes.len()];
        for (n, list) in new.former.iter().enumerate() {
            for &o in list {
                new_of_old[o as usize] = Some(n);
            }
        }
        let mut d_votes: HashMap<DistrictCode, BTreeMap<ProvinceCode, usize>> = HashMap::new();
        let mut p_votes: HashMap<ProvinceCode, BTreeMap<ProvinceCode, usize>> = HashMap::new();
        for (o, c) in old.communes.iter().enumerate() {
            let Some(n) = new_of_old[o] else { continue };
            let to = new.communes[n].province;
            if let Some(d) = c.district {
                *d_votes.entry(d).or_default().entry(to).or_default() += 1;
            }
            *p_votes.entry(c.province).or_default().entry(to).or_default() += 1;
        }
        // Most communes wins; on a tie the lowest code (BTreeMap order, first max kept).
        fn winner<K: Copy + Eq + std::hash::Hash>(votes: HashMap<K, BTreeMap<ProvinceCode, usize>>) -> HashMap<K, ProvinceCode> {
            votes
                .into_iter()
                .filter_map(|(k, v)| {
                    let best = v.iter().fold(None::<(ProvinceCode, usize)>, |b, (&p, &n)| match b {
                        Some((_, bn)) if bn >= n => b,
                        _ => Some((p, n)),
                    });
                    best.map(|(p, _)| (k, p))
                })
                .collect()
        }
        Crosswalk { new_of_old, district_to: winner(d_votes), province_to: winner(p_votes) }
    }
}

/// The statistics as the JSON document clients read, with the atlas's `meta` as its last
/// member: `/api/v1/stats` answers it and a static publication writes it as a file, from
/// this one place, so the two cannot drift.
pub fn document(atlas: &Atlas, q: StatsQuery) -> Result<serde_json::Value, StatsError> {
    let stats = compute(atlas, q)?;
    // Every map of `Stats` has string keys, and serde_json writes a share of nothing (NaN)
    // as null: serialising into a `Value` cannot fail.
    let mut body = serde_json::to_value(&stats).expect("statistics serialise to JSON");
    body["meta"] = serde_json::json!(crate::atlas::documents::Meta::of(atlas));
    Ok(body)
}

pub fn compute(atlas: &Atlas, q: StatsQuery) -> Result<Stats, StatsError> {
    let cross = (q.edition == Edition::E2025).then(|| Crosswalk::of(atlas));
    let r = resolve(atlas, q, cross.as_ref())?;
    let old = atlas.edition(Edition::E2024);
    let as_of = q.day.map_or(AsOf::Year(q.year), AsOf::Day);
    let communes = count_communes(atlas, &r.communes, as_of);
    let communes_2025 = r.communes_2025.as_ref().map(|list| {
        let new = atlas.edition(Edition::E2025);
        let mut counts = LevelCounts::default();
        for &n in list {
            counts.add(standing::commune_key(atlas, new, n, as_of));
        }
        Communes2025 { total: list.len(), by_level: counts.by_key() }
    });
    let districts = count_districts(atlas, &r.districts, as_of);
    let provinces = ProvinceCounts {
        total: r.provinces.len(),
        completed: r.provinces.iter().filter(|&&p| standing::province_completed(atlas, p, as_of).is_some()).count(),
    };
    let covered: std::collections::HashSet<usize> = r.communes.iter().copied().collect();
    let in_scope = |code| old.position(code).is_some_and(|i| covered.contains(&i));
    let mut pilots = PilotCounts { by_kind: PilotKind::ALL.iter().map(|k| (k.as_str(), 0)).collect(), ..Default::default() };
    for p in atlas.pilots.iter().filter(|p| p.approved_year.is_none_or(|y| y <= q.year) && in_scope(p.commune)) {
        pilots.total += 1;
        *pilots.by_kind.entry(p.kind.as_str()).or_default() += 1;
        *pilots.by_field.entry(p.field.clone()).or_default() += 1;
    }
    let mut tourism = TourismCounts { by_category: TourismCategory::ALL.iter().map(|c| (c.as_str(), 0)).collect(), ..Default::default() };
    for t in atlas.tourism.iter().filter(|t| in_scope(t.commune)) {
        tourism.total += 1;
        *tourism.by_category.entry(t.category.as_str()).or_default() += 1;
    }
    let series = atlas
        .years()
        .map(|year| {
            let c = count_communes(atlas, &r.communes, AsOf::Year(year));
            SeriesPoint {
                year,
                eligible: c.eligible,
                ntm: c.ntm,
                ntm_share: c.ntm_share,
                nang_cao: c.levels.nang_cao,
                kieu_mau: c.levels.kieu_mau,
                nang_cao_share_of_ntm: c.nang_cao_share_of_ntm,
                kieu_mau_share_of_ntm: c.kieu_mau_share_of_ntm,
            }
        })
        .collect();
    let criteria = criteria::by_criterion(atlas, &r.communes, &r.districts, as_of);
    // Targets are read at the end of the year (their deadlines and on-track lines are by year).
    let mut targets = match q.day {
        Some(_) => targets_in(atlas, q, &r, cross.as_ref()),
        None => {
            let mut out = targets(atlas, q, &r, &communes, &districts, &provinces);
            out.extend(progress::from_table(atlas, q, &r, cross.as_ref()));
            out
        }
    };
    progress::track(&mut targets, *atlas.years().start(), q.year, |year| targets_in(atlas, StatsQuery { year, day: None, ..q }, &r, cross.as_ref()));
    Ok(Stats { scope: r.scope, communes, communes_2025, districts, provinces, pilots, tourism, series, criteria, targets })
}

/// Every target computed at the end of `q.year` (for the start of the on-track line).
fn targets_in(atlas: &Atlas, q: StatsQuery, r: &Resolved, cross: Option<&Crosswalk>) -> Vec<Target> {
    let at = AsOf::Year(q.year);
    let communes = count_communes(atlas, &r.communes, at);
    let districts = count_districts(atlas, &r.districts, at);
    let provinces = ProvinceCounts {
        total: r.provinces.len(),
        completed: r.provinces.iter().filter(|&&p| standing::province_completed(atlas, p, at).is_some()).count(),
    };
    let mut out = targets(atlas, q, r, &communes, &districts, &provinces);
    out.extend(progress::from_table(atlas, q, r, cross));
    out
}

fn resolve(atlas: &Atlas, q: StatsQuery, cross: Option<&Crosswalk>) -> Result<Resolved, StatsError> {
    let old = atlas.edition(Edition::E2024);
    let edition = atlas.edition(q.edition);
    let unit = |code: String, name: &str| UnitRef { code, name: name.to_string() };
    let mut province = None;
    if let Some(code) = q.province {
        let p = edition.provinces.get(&code).ok_or(StatsError::UnknownProvince { code, edition: q.edition })?;
        province = Some(unit(code.to_string(), &p.name));
    }
    let counted = match q.edition {
        Edition::E2024 => "communes_2024",
        Edition::E2025 => "former_communes_2024",
    };
    if let Some(code) = q.district {
        if q.edition == Edition::E2025 {
            return Err(StatsError::DistrictIn2025(code));
        }
        let d = old.districts.get(&code).ok_or(StatsError::UnknownDistrict(code))?;
        if let Some(asked) = q.province.filter(|&p| p != d.province) {
            return Err(StatsError::DistrictOutsideProvince { district: code, asked, actual: d.province });
        }
        let p = old.provinces.get(&d.province);
        let region = Region::of_province_2024(d.province);
        return Ok(Resolved {
            scope: Scope {
                edition: q.edition,
                year: q.year,
                level: "district",
                province: Some(unit(d.province.to_string(), p.map_or("", |p| p.name.as_str()))),
                district: Some(unit(code.to_string(), &d.name)),
                region: region.map(RegionRef::from),
                counted,
            },
            communes: (0..old.communes.len()).filter(|&i| old.communes[i].district == Some(code)).collect(),
            communes_2025: None,
            districts: vec![code],
            provinces: vec![d.province],
            region,
        });
    }
    let (communes, communes_2025, districts, provinces, region) = match (q.edition, q.province, cross) {
        (Edition::E2024, None, _) => {
            (all(old.communes.len()), None, old.districts.keys().copied().collect(), old.provinces.keys().copied().collect(), None)
        }
        (Edition::E2024, Some(p), _) => (
            (0..old.communes.len()).filter(|&i| old.communes[i].province == p).collect(),
            None,
            old.districts.values().filter(|d| d.province == p).map(|d| d.code).collect(),
            vec![p],
            Region::of_province_2024(p),
        ),
        (Edition::E2025, None, _) | (Edition::E2025, Some(_), None) => (
            all(old.communes.len()),
            Some(all(edition.communes.len())),
            old.districts.keys().copied().collect(),
            old.provinces.keys().copied().collect(),
            None,
        ),
        (Edition::E2025, Some(p), Some(x)) => {
            let news: Vec<usize> = (0..edition.communes.len()).filter(|&n| edition.communes[n].province == p).collect();
            let mut olds: Vec<usize> = news.iter().flat_map(|&n| edition.former[n].iter().map(|&o| o as usize)).collect();
            olds.sort_unstable();
            // The region most of the former communes were in.
            let mut votes: BTreeMap<Region, usize> = BTreeMap::new();
            for &o in &olds {
                if let Some(r) = Region::of_province_2024(old.communes[o].province) {
                    *votes.entry(r).or_default() += 1;
                }
            }
            let region = votes.iter().fold(None::<(Region, usize)>, |b, (&r, &n)| match b {
                Some((_, bn)) if bn >= n => b,
                _ => Some((r, n)),
            });
            let mut districts: Vec<DistrictCode> = x.district_to.iter().filter(|(_, &to)| to == p).map(|(&d, _)| d).collect();
            districts.sort_unstable();
            let mut provinces: Vec<ProvinceCode> = x.province_to.iter().filter(|(_, &to)| to == p).map(|(&o, _)| o).collect();
            provinces.sort_unstable();
            (olds, Some(news), districts, provinces, region.map(|(r, _)| r))
        }
    };
    Ok(Resolved {
        scope: Scope {
            edition: q.edition,
            year: q.year,
            level: if province.is_some() { "province" } else { "nation" },
            province,
            district: None,
            region: region.map(RegionRef::from),
            counted,
        },
        communes,
        communes_2025,
        districts,
        provinces,
        region,
    })
}

fn all(n: usize) -> Vec<usize> {
    (0..n).collect()
}

/// Counts edition-2024 communes (by position) by their level in force in `year`.
pub fn count_communes(atlas: &Atlas, positions: &[usize], as_of: AsOf) -> CommuneCounts {
    let levels = LevelCounts::of_communes(atlas, positions.iter().copied(), as_of);
    let (eligible, ntm) = (levels.eligible(), levels.ntm());
    CommuneCounts {
        levels,
        eligible,
        ntm,
        ntm_share: share(ntm, eligible),
        nang_cao_share_of_ntm: share(levels.at_least(Level::NangCao), ntm),
        kieu_mau_share_of_ntm: share(levels.kieu_mau, ntm),
    }
}

fn count_districts(atlas: &Atlas, districts: &[DistrictCode], as_of: AsOf) -> DistrictCounts {
    let mut d = DistrictCounts { total: districts.len(), ..Default::default() };
    let mut by_level = LevelCounts::default();
    for &code in districts {
        let level = standing::district_level(atlas, code, as_of);
        by_level.add(level.key());
        let level = level.level();
        if standing::district_has_ntm_task(atlas, code) {
            d.eligible += 1;
            if level.is_some_and(Level::is_ntm) {
                d.completed += 1;
            }
        }
    }
    d.completed_share = share(d.completed, d.eligible);
    d.by_level = by_level.by_key();
    d
}

/// A Decision 263 target set for `scope` (`nation`, `region:ID`), computed for
/// `computed_for` (its own scope in the national view, else the statistics' scope).
#[allow(clippy::too_many_arguments)]
fn target(id: impl Into<String>, scope: String, computed_for: &str, vi: String, en: String, unit: &'static str, target: f64, actual: Option<f64>) -> Target {
    let computed_for = if computed_for == "nation" { scope.clone() } else { computed_for.to_string() };
    let measured = actual.ok_or_else(|| "the scope has nothing to measure (no xã, or no district with a xã)".to_string());
    Target::new(id.into(), scope, computed_for, DEADLINE_263.into(), source_263(), Label { vi, en }, unit, target, measured)
}

#[allow(clippy::too_many_arguments)]
fn targets(
    atlas: &Atlas,
    q: StatsQuery,
    r: &Resolved,
    communes: &CommuneCounts,
    districts: &DistrictCounts,
    provinces: &ProvinceCounts,
) -> Vec<Target> {
    let national = r.scope.level == "nation";
    let view = progress::scope_key(&q);
    let nation = || "nation".to_string();
    let applied = if national { "" } else { " (national target, applied to this scope)" };
    let applied_vi = if national { "" } else { " (chỉ tiêu cả nước, áp dụng cho phạm vi này)" };
    let mut out = vec![
        target("ntm_share", nation(), &view, format!("Tỷ lệ xã đạt chuẩn NTM ≥ 80%{applied_vi}"), format!("Share of communes meeting the NTM standard ≥ 80%{applied}"), "share", regions::NATIONAL_NTM_SHARE, communes.ntm_share),
        target("nang_cao_share_of_ntm", nation(), &view, format!("Tỷ lệ xã NTM nâng cao ≥ 40% số xã NTM{applied_vi}"), format!("Advanced NTM communes ≥ 40% of NTM communes{applied}"), "share", regions::NATIONAL_NANG_CAO_SHARE_OF_NTM, communes.nang_cao_share_of_ntm),
        target("kieu_mau_share_of_ntm", nation(), &view, format!("Tỷ lệ xã NTM kiểu mẫu ≥ 10% số xã NTM{applied_vi}"), format!("Model NTM communes ≥ 10% of NTM communes{applied}"), "share", regions::NATIONAL_KIEU_MAU_SHARE_OF_NTM, communes.kieu_mau_share_of_ntm),
    ];
    let old = atlas.edition(Edition::E2024);
    if national {
        out.push(target("district_share", nation(), &view, "Tỷ lệ huyện đạt chuẩn / hoàn thành nhiệm vụ NTM ≥ 50%".into(), "Share of districts meeting the standard or completing the task ≥ 50%".into(), "share", regions::NATIONAL_DISTRICT_SHARE, districts.completed_share));
        out.push(target("provinces_completed", nation(), &view, "Số tỉnh hoàn thành nhiệm vụ xây dựng NTM ≥ 17".into(), "Provinces completing the NTM task ≥ 17".into(), "count", regions::NATIONAL_PROVINCES_COMPLETED, Some(provinces.completed as f64)));
        // Each region's share, over all edition-2024 communes and districts.
        let mut by_region: BTreeMap<Region, Vec<usize>> = BTreeMap::new();
        for (i, c) in old.communes.iter().enumerate() {
            if let Some(reg) = Region::of_province_2024(c.province) {
                by_region.entry(reg).or_default().push(i);
            }
        }
        for reg in Region::ALL {
            let c = count_communes(atlas, by_region.get(&reg).map_or(&[][..], Vec::as_slice), AsOf::Year(q.year));
            out.push(region_commune_target(reg, c.ntm_share, "", &view));
            let ds: Vec<DistrictCode> = old.districts.values().filter(|d| Region::of_province_2024(d.province) == Some(reg)).map(|d| d.code).collect();
            out.push(region_district_target(reg, count_districts(atlas, &ds, AsOf::Year(q.year)).completed_share, "", &view));
        }
    } else {
        let scope = if r.scope.level == "province" { "province" } else { "district" };
        if let Some(reg) = r.region {
            out.push(region_commune_target(reg, communes.ntm_share, scope, &view));
            if scope == "province" {
                out.push(region_district_target(reg, districts.completed_share, scope, &view));
            }
        }
    }
    out
}

fn region_commune_target(reg: Region, actual: Option<f64>, applied_to: &str, view: &str) -> Target {
    let pct = (reg.commune_target() * 100.0).round();
    let (vi, en) = if applied_to.is_empty() {
        (String::new(), String::new())
    } else {
        (" (chỉ tiêu vùng, áp dụng cho phạm vi này)".to_string(), format!(" (regional target, applied to this {applied_to})"))
    };
    target(
        format!("region_ntm_share.{}", reg.id()),
        format!("region:{}", reg.id()),
        view,
        format!("{}: tỷ lệ xã đạt chuẩn NTM ≥ {pct}%{vi}", reg.name_vi()),
        format!("{}: share of communes meeting the NTM standard ≥ {pct}%{en}", reg.name_en()),
        "share",
        reg.commune_target(),
        actual,
    )
}

fn region_district_target(reg: Region, actual: Option<f64>, applied_to: &str, view: &str) -> Target {
    let pct = (reg.district_target() * 100.0).round();
    let (vi, en) = if applied_to.is_empty() {
        (String::new(), String::new())
    } else {
        (" (chỉ tiêu vùng, áp dụng cho phạm vi này)".to_string(), format!(" (regional target, applied to this {applied_to})"))
    };
    target(
        format!("region_district_share.{}", reg.id()),
        format!("region:{}", reg.id()),
        view,
        format!("{}: tỷ lệ huyện đạt chuẩn / hoàn thành nhiệm vụ NTM ≥ {pct}%{vi}", reg.name_vi()),
        format!("{}: share of districts meeting the standard or completing the task ≥ {pct}%{en}", reg.name_en()),
        "share",
        reg.district_target(),
        actual,
    )
}
