//! Builds an [`Atlas`] from its input files (see the module doc of `atlas` for the steps).

use super::{criteria, Atlas, DataSource, EditionAtlas, Inputs, Sources};
use crate::index::{AreaIndex, PointIndex, PreparedArea};
use crate::load::{self, BoundaryFile, CrosswalkRelation, LoadError, Location, Problem};
use crate::model::{
    Commune, CommuneCode, CommuneKind, District, DistrictCode, Edition, LevelRecord, LonLat, PilotModel,
    Province, ProvinceCode, TourismSite, UnitCode,
};
use std::collections::{BTreeMap, HashMap};
use std::hash::Hasher;
use std::path::{Path, PathBuf};

/// What a build read, for the log and `bando validate`.
#[derive(Debug, Clone, Default)]
pub struct BuildSummary {
    pub communes: [usize; 2],
    pub vertices: [usize; 2],
    /// What the ring repair changed in each edition's boundaries.
    pub repairs: [load::RepairCounts; 2],
    pub results: usize,
    pub pilots: usize,
    pub tourism: usize,
    /// Crosswalk pairs naming a code absent from the loaded boundaries (skipped).
    pub crosswalk_skipped: usize,
}

/// Builds the atlas, or returns every problem found in every input.
pub fn build(inputs: &Inputs) -> Result<(Atlas, BuildSummary), LoadError> {
    let mut problems = Vec::new();
    let mut summary = BuildSummary::default();

    // 1. Reference communes (embedded) and user boundaries, by edition.
    let reference: Vec<Option<BoundaryFile>> = Edition::ALL
        .iter()
        .map(|e| keep(load::read_boundaries(&inputs.embedded_file(&communes_file(*e)), "code"), &mut problems))
        .collect();
    let [Some(ref_2024), Some(ref_2025)] = <[Option<BoundaryFile>; 2]>::try_from(reference).ok().unwrap_or([None, None])
    else {
        return Err(LoadError { problems });
    };
    let references = [Reference::of(&ref_2024), Reference::of(&ref_2025)];
    let mut chosen: [Option<BoundaryFile>; 2] = [None, None];
    for path in &inputs.boundaries {
        let Some(file) = keep(load::read_boundaries(path, &inputs.code_property), &mut problems) else { continue };
        match detect_edition(&file, &references) {
            Ok(edition) if chosen[edition.index()].is_some() => problems.push(Problem::new(
                path,
                Location::File,
                format!("a second boundary file for edition {edition}; give one file per edition"),
            )),
            Ok(edition) => chosen[edition.index()] = Some(file),
            Err(p) => problems.push(p),
        }
    }
    let [user_2024, user_2025] = chosen;

    // 2–3. Join attributes and index, per edition.
    let mut editions = Vec::new();
    for (edition, embedded, user) in [(Edition::E2024, ref_2024, user_2024), (Edition::E2025, ref_2025, user_2025)] {
        // Without a user file the embedded file itself is the boundaries (moved, not copied).
        let (file, sample) = match user {
            Some(f) => (f, false),
            None => (embedded, true),
        };
        summary.repairs[edition.index()] = file.repairs;
        let source = if sample { DataSource::sample(&file.path) } else { DataSource::user(&file.path) };
        match edition_atlas(edition, file, &references[edition.index()], source) {
            Ok(e) => editions.push(e),
            Err(e) => problems.extend(e.problems),
        }
    }
    if !problems.is_empty() {
        return Err(LoadError { problems });
    }
    let [e2024, e2025] = <[EditionAtlas; 2]>::try_from(editions).ok().expect("both editions built");
    summary.communes = [e2024.communes.len(), e2025.communes.len()];
    summary.vertices = [e2024.index.vertex_count(), e2025.index.vertex_count()];

    // 4. Results, places and crosswalk, checked against the boundaries.
    let sources = Sources {
        results: inputs.pick(&inputs.commune_results, "results-communes.csv"),
        district_results: inputs.pick(&inputs.district_results, "results-districts.csv"),
        province_results: inputs.pick(&inputs.province_results, "results-provinces.csv"),
        pilots: inputs.pick(&inputs.pilots, "pilots.csv"),
        tourism: inputs.pick(&inputs.tourism, "tourism.csv"),
        criteria: inputs.criteria_source(),
    };
    // Each file's row problems and the good rows' reference problems come together, so
    // one report lists a bad level on one line and an unknown code on another.
    let commune_results = keep_partial(commune_results(&sources.results.path, &e2024), &mut problems);
    let district_results = keep_partial(district_results(&sources.district_results.path, &e2024), &mut problems);
    let province_completed = keep_partial(province_results(&sources.province_results.path, &e2024), &mut problems);
    let pilots = keep_partial(pilots(&sources.pilots.path, &e2024), &mut problems);
    let tourism = keep_partial(tourism(&sources.tourism.path, &e2024), &mut problems);
    let crosswalk_path = inputs.embedded_file("crosswalk-2024-2025.csv");
    let crosswalk = keep(load::read_crosswalk(&crosswalk_path), &mut problems);
    let criteria_dir = inputs.criteria_sets_dir();
    let catalog = keep(load::read_criteria_sets(&criteria_dir), &mut problems);
    let criteria = match (&catalog, &commune_results, &sources.criteria) {
        (Some(catalog), Some(results), Some(file)) => keep(criteria::join(&file.path, catalog.clone(), &e2024, results), &mut problems),
        (Some(catalog), _, None) => Some(criteria::Criteria::without_assessments(catalog.clone())),
        _ => None,
    };
    let targets_file = inputs.targets_file();
    let targets = match (&catalog, &targets_file) {
        (Some(catalog), Some(path)) => keep(super::targets::join(path, catalog, &e2024, &e2025), &mut problems),
        (_, None) => Some(Vec::new()),
        (None, Some(_)) => None,
    };
    let (Some(commune_results), Some(district_results), Some(province_completed), Some(pilots), Some(tourism), Some(crosswalk), Some(criteria), Some(targets)) =
        (commune_results, district_results, province_completed, pilots, tourism, crosswalk, criteria, targets)
    else {
        return Err(LoadError { problems });
    };
    if !problems.is_empty() {
        return Err(LoadError { problems });
    }
    let mut e2025 = e2025;
    let (former, skipped) = former_communes(&crosswalk, &e2024, &e2025);
    e2025.former = former;
    summary.crosswalk_skipped = skipped;
    let crosswalk = crosswalk_links(&crosswalk, &e2024, &e2025);
    summary.results = commune_results.values().map(Vec::len).sum();
    summary.pilots = pilots.len();
    summary.tourism = tourism.len();

    let mut files: Vec<PathBuf> = [&e2024.boundaries, &e2025.boundaries]
        .into_iter()
        .chain([&sources.results, &sources.district_results, &sources.province_results, &sources.pilots, &sources.tourism])
        .map(|d| d.path.clone())
        .collect();
    files.push(crosswalk_path);
    files.extend(sources.criteria.iter().map(|d| d.path.clone()));
    files.extend(criteria_catalog_files(&criteria_dir, &criteria.catalog));
    files.extend(targets_file);
    let version = content_version(&files).map_err(LoadError::one)?;

    let years = data_years(&criteria, &commune_results, &district_results, &province_completed);
    let atlas = Atlas {
        years,
        pilot_index: PointIndex::new(pilots.iter().map(|p| p.position)),
        tourism_index: PointIndex::new(tourism.iter().map(|t| t.position)),
        editions: [e2024, e2025],
        commune_results,
        district_results,
        province_completed,
        pilots,
        tourism,
        sources,
        version,
        crosswalk,
        criteria,
        targets,
    };
    Ok((atlas, summary))
}

/// The first year served when there is neither a criteria set nor any record: the start of
/// the 2021–2025 phase.
const FALLBACK_FIRST_YEAR: u16 = 2021;

/// The years the data covers ([`Atlas::years`]): from the first year of the earliest
/// criteria set (the start of the phase the map shows; the results reach further back only
/// to say since when a unit is recognised) to the last year of any result or assessment.
fn data_years(
    criteria: &criteria::Criteria,
    commune_results: &HashMap<CommuneCode, Vec<LevelRecord>>,
    district_results: &HashMap<DistrictCode, Vec<LevelRecord>>,
    province_completed: &HashMap<ProvinceCode, u16>,
) -> std::ops::RangeInclusive<u16> {
    let sets = &criteria.catalog.sets;
    let last_record = commune_results.values().chain(district_results.values()).filter_map(|rs| rs.last()).map(|r| r.year);
    let last_assessment = criteria.communes.values().chain(criteria.districts.values()).flatten().map(|a| a.year);
    let last = last_record.chain(last_assessment).chain(province_completed.values().copied()).max();
    let first = sets.iter().map(|s| s.first_year).min().or(last).unwrap_or(FALLBACK_FIRST_YEAR);
    first..=last.unwrap_or(first).max(first)
}

/// The value read from the good rows, with the file's problems added to the list; `None`
/// when the file could not be read at all.
fn keep_partial<T>(result: Result<(T, Vec<Problem>), LoadError>, problems: &mut Vec<Problem>) -> Option<T> {
    match result {
        Ok((v, found)) => {
            problems.extend(found);
            Some(v)
        }
        Err(e) => {
            problems.extend(e.problems);
            None
        }
    }
}

/// Opens a data file; one that cannot be opened is a file problem.
fn open(path: &Path) -> Result<std::fs::File, LoadError> {
    std::fs::File::open(path).map_err(|e| LoadError::one(Problem::new(path, Location::File, format!("cannot open: {e}"))))
}

/// Problems in line order (file-level first), as each file's reader reports them.
fn by_line(mut problems: Vec<Problem>) -> Vec<Problem> {
    problems.sort_by_key(|p| match p.location {
        Location::File => 0,
        Location::Line(n) => n,
        Location::Feature(i) => i as u64,
    });
    problems
}

/// The value, or `None` with its problems added to the list.
fn keep<T>(result: Result<T, LoadError>, problems: &mut Vec<Problem>) -> Option<T> {
    match result {
        Ok(v) => Some(v),
        Err(e) => {
            problems.extend(e.problems);
            None
        }
    }
}

fn communes_file(edition: Edition) -> String {
    format!("communes-{}.fgb", edition.year())
}

/// The embedded communes' attributes by code, and province names: what a user file
/// that lacks names, kinds or parents borrows (no geometry is kept).
struct Reference {
    by_code: HashMap<String, BTreeMap<String, String>>,
    province_names: HashMap<String, String>,
}

impl Reference {
    fn of(file: &BoundaryFile) -> Reference {
        let by_code = file.features.iter().map(|f| (normalise_code(&f.code), f.properties.clone())).collect();
        let mut province_names = HashMap::new();
        for f in &file.features {
            if let (Some(code), Some(name)) = (f.properties.get("province_code"), f.properties.get("province_name")) {
                province_names.entry(code.trim().to_string()).or_insert_with(|| name.clone());
            }
        }
        Reference { by_code, province_names }
    }
}

/// Codes compare as numbers ("571" and "00571" are the same commune).
fn normalise_code(code: &str) -> String {
    CommuneCode::parse(code).map_or_else(|_| code.trim().to_string(), |c| c.to_string())
}

/// A user file belongs to the edition most of its codes come from; at least half of
/// them must be known there, or the file is refused with the counts.
fn detect_edition(file: &BoundaryFile, references: &[Reference; 2]) -> Result<Edition, Problem> {
    let total = file.features.len().max(1);
    let known = |r: &Reference| file.features.iter().filter(|f| r.by_code.contains_key(&normalise_code(&f.code))).count();
    let counts = [known(&references[0]), known(&references[1])];
    // Codes are shared between editions (unchanged communes): more matches decide, and a
    // file with about as many communes as an edition settles a tie.
    let by_size = |e: Edition| (references[e.index()].by_code.len() as f64 - total as f64).abs();
    let edition = if counts[0] != counts[1] {
        if counts[0] > counts[1] { Edition::E2024 } else { Edition::E2025 }
    } else if by_size(Edition::E2024) <= by_size(Edition::E2025) {
        Edition::E2024
    } else {
        Edition::E2025
    };
    let best = counts[edition.index()];
    if best * 2 < total {
        return Err(Problem::new(
            &file.path,
            Location::File,
            format!(
                "cannot tell the boundary edition: only {} of {} codes are 2024 communes and {} are 2025 communes (is the code property right?)",
                counts[0], total, counts[1]
            ),
        ));
    }
    Ok(edition)
}

/// Joins each feature's attributes (file first, reference second) and prepares its shape.
fn edition_atlas(
    edition: Edition,
    file: BoundaryFile,
    reference: &Reference,
    source: DataSource,
) -> Result<EditionAtlas, LoadError> {
    let path = file.path.clone();
    let mut problems = Vec::new();
    let mut rows: Vec<(Commune, PreparedArea)> = Vec::with_capacity(file.features.len());
    let mut districts = BTreeMap::new();
    let mut provinces = BTreeMap::new();
    for feature in file.features {
        let at = Location::Feature(feature.index);
        let code = match CommuneCode::parse(&feature.code) {
            Ok(c) => c,
            Err(e) => {
                problems.push(Problem::new(&path, at, e.to_string()).field("code", &feature.code));
                continue;
            }
        };
        let reference_props = reference.by_code.get(&code.to_string());
        let attr = |key: &str| -> Option<&str> {
            let own = feature.properties.get(key).map(|s| s.trim()).filter(|s| !s.is_empty());
            own.or_else(|| reference_props.and_then(|p| p.get(key)).map(|s| s.trim()).filter(|s| !s.is_empty()))
        };
        let missing = |what: &str| {
            Problem::new(
                &path,
                at.clone(),
                format!("commune {code} is not in the {edition} reference table and the file gives no {what}"),
            )
            .field(what, "")
        };
        let Some(name) = attr("name") else {
            problems.push(missing("name"));
            continue;
        };
        let kind = match attr("kind").map(CommuneKind::parse) {
            Some(Ok(k)) => k,
            Some(Err(e)) => {
                problems.push(Problem::new(&path, at, e.to_string()).field("kind", attr("kind").unwrap_or("")));
                continue;
            }
            None => match CommuneKind::from_name(name) {
                Some(k) => k,
                None => {
                    problems.push(missing("kind"));
                    continue;
                }
            },
        };
        let Some(province) = attr("province_code").and_then(|c| ProvinceCode::parse(c).ok()) else {
            problems.push(missing("province_code"));
            continue;
        };
        // The province name: the feature's, else the reference's for that province code.
        let province_name = attr("province_name")
            .map(str::to_string)
            .or_else(|| reference.province_names.get(&province.to_string()).cloned())
            .unwrap_or_else(|| format!("Tỉnh {province}"));
        provinces.entry(province).or_insert(Province { code: province, name: province_name });
        let district = if edition.has_districts() {
            let code = attr("district_code").and_then(|c| DistrictCode::parse(c).ok());
            if let (Some(d), Some(n)) = (code, attr("district_name")) {
                let district = districts.entry(d).or_insert(District { code: d, name: n.to_string(), province, has_xa: false });
                district.has_xa |= kind.ntm_eligible();
            }
            code
        } else {
            None
        };
        let label_point = match (attr("label_lon").map(str::parse::<f64>), attr("label_lat").map(str::parse::<f64>)) {
            (Some(Ok(lon)), Some(Ok(lat))) => Some(LonLat::new(lon, lat)),
            _ => None,
        };
        let area = PreparedArea::new(&feature.geometry);
        drop(feature.geometry);
        let commune = Commune { code, name: name.to_string(), kind, district, province, label_point };
        rows.push((commune, area));
    }
    rows.sort_by_key(|(c, _)| c.code);
    for pair in rows.windows(2) {
        if pair[0].0.code == pair[1].0.code {
            problems.push(Problem::new(&path, Location::File, "duplicate commune code").field("code", pair[0].0.code.to_string()));
        }
    }
    let (communes, areas): (Vec<Commune>, Vec<PreparedArea>) = rows.into_iter().unzip();
    let communes = LoadError::check(communes, problems)?;
    let by_code = communes.iter().enumerate().map(|(i, c)| (c.code, i)).collect();
    Ok(EditionAtlas {
        edition,
        index: AreaIndex::new(areas),
        communes,
        districts,
        provinces,
        boundaries: source,
        former: Vec::new(),
        by_code,
    })
}

/// The problem of a row whose unit cannot stand in it ([`EditionAtlas::unit_problem`]).
fn unit_problem(path: &Path, line: u64, field: &str, code: UnitCode, ntm: bool, e2024: &EditionAtlas) -> Option<Problem> {
    e2024.unit_problem(code, ntm).map(|message| Problem::new(path, Location::Line(line), message).field(field, code.to_string()))
}

/// `problems` and the problem of each unit named by a row the loader refused (it names no
/// unit, or no xã where `ntm`), so that one report tells both.
fn unread_unit_problems(
    path: &Path,
    field: &str,
    mut problems: Vec<Problem>,
    unread: &[load::Sourced<UnitCode>],
    ntm: bool,
    e2024: &EditionAtlas,
) -> Vec<Problem> {
    problems.extend(unread.iter().filter_map(|u| unit_problem(path, u.line, field, u.value, ntm, e2024)));
    problems
}

type Checked<T> = Result<(T, Vec<Problem>), LoadError>;

fn commune_results(path: &Path, e2024: &EditionAtlas) -> Checked<HashMap<CommuneCode, Vec<LevelRecord>>> {
    let read = load::commune_result_rows_from(path, open(path)?)?;
    let (rows, problems) = (read.rows, unread_unit_problems(path, "code", read.problems, &read.unread_units, true, e2024));
    Ok(check_commune_results(path, rows, e2024, problems))
}

/// Checks every read commune result against the edition-2024 communes (the code exists and
/// is a xã), adding to `problems`; keeps the good ones by code, sorted by year.
pub(crate) fn check_commune_results(
    path: &Path,
    rows: Vec<load::Sourced<load::CommuneResultRow>>,
    e2024: &EditionAtlas,
    mut problems: Vec<Problem>,
) -> (HashMap<CommuneCode, Vec<LevelRecord>>, Vec<Problem>) {
    let mut by_code: HashMap<CommuneCode, Vec<LevelRecord>> = HashMap::new();
    for row in rows {
        match unit_problem(path, row.line, "code", UnitCode::Commune(row.value.code), true, e2024) {
            Some(p) => problems.push(p),
            None => by_code.entry(row.value.code).or_default().push(row.value.record),
        }
    }
    for records in by_code.values_mut() {
        records.sort_by_key(|r| r.year);
    }
    (by_code, by_line(problems))
}

fn district_results(path: &Path, e2024: &EditionAtlas) -> Checked<HashMap<DistrictCode, Vec<LevelRecord>>> {
    let read = load::district_result_rows_from(path, open(path)?)?;
    let (rows, problems) = (read.rows, unread_unit_problems(path, "code", read.problems, &read.unread_units, true, e2024));
    Ok(check_district_results(path, rows, e2024, problems))
}

/// Checks every read district result against the edition-2024 districts.
pub(crate) fn check_district_results(
    path: &Path,
    rows: Vec<load::Sourced<load::DistrictResultRow>>,
    e2024: &EditionAtlas,
    mut problems: Vec<Problem>,
) -> (HashMap<DistrictCode, Vec<LevelRecord>>, Vec<Problem>) {
    let mut by_code: HashMap<DistrictCode, Vec<LevelRecord>> = HashMap::new();
    for row in rows {
        match unit_problem(path, row.line, "code", UnitCode::District(row.value.code), true, e2024) {
            Some(p) => problems.push(p),
            None => by_code.entry(row.value.code).or_default().push(row.value.record),
        }
    }
    for records in by_code.values_mut() {
        records.sort_by_key(|r| r.year);
    }
    (by_code, by_line(problems))
}

fn province_results(path: &Path, e2024: &EditionAtlas) -> Checked<HashMap<ProvinceCode, u16>> {
    let read = load::province_result_rows_from(path, open(path)?)?;
    let (rows, problems) = (read.rows, unread_unit_problems(path, "code", read.problems, &read.unread_units, true, e2024));
    Ok(check_province_results(path, rows, e2024, problems))
}

/// Checks every read province result against the edition-2024 provinces.
pub(crate) fn check_province_results(
    path: &Path,
    rows: Vec<load::Sourced<load::ProvinceResultRow>>,
    e2024: &EditionAtlas,
    mut problems: Vec<Problem>,
) -> (HashMap<ProvinceCode, u16>, Vec<Problem>) {
    let mut done = HashMap::new();
    for row in rows {
        if let Some(p) = unit_problem(path, row.line, "code", UnitCode::Province(row.value.code), true, e2024) {
            problems.push(p);
        } else if done.insert(row.value.code, row.value.year).is_some() {
            problems.push(
                Problem::new(path, Location::Line(row.line), "a province completes once; this code already has a row")
                    .field("code", row.value.code.to_string()),
            );
        }
    }
    (done, by_line(problems))
}

/// Checks that a point feature lies in its commune, or places it inside when absent.
fn place_in_commune(
    path: &Path,
    line: u64,
    code: CommuneCode,
    position: Option<LonLat>,
    e2024: &EditionAtlas,
) -> Result<LonLat, Problem> {
    let Some(i) = e2024.position(code) else {
        return Err(unit_problem(path, line, "commune_code", UnitCode::Commune(code), false, e2024).expect("an unknown code"));
    };
    let area = e2024.index.area(i);
    let commune = &e2024.communes[i];
    match position {
        Some(p) if area.contains(p.lon, p.lat) => Ok(p),
        Some(p) => {
            let found = e2024.index.locate(p).map_or_else(
                || "in no commune".to_string(),
                |j| format!("in {} {}", e2024.communes[j].code, e2024.communes[j].name),
            );
            Err(Problem::new(
                path,
                Location::Line(line),
                format!(
                    "the point ({}, {}) lies outside its commune {} {} ({found})",
                    p.lon, p.lat, commune.code, commune.name
                ),
            )
            .field("lon,lat", format!("{},{}", p.lon, p.lat)))
        }
        None => Ok(inside_point(commune, area)),
    }
}

/// The commune's label point when it lies inside, else an interior point of its shape.
fn inside_point(commune: &Commune, area: &PreparedArea) -> LonLat {
    if let Some(p) = commune.label_point.filter(|p| area.contains(p.lon, p.lat)) {
        return p;
    }
    use geo::InteriorPoint;
    area.to_multipolygon()
        .interior_point()
        .map_or_else(|| LonLat::new(area.bbox()[0], area.bbox()[1]), |p| LonLat::new(p.x(), p.y()))
}

/// Places every row of a point file in its commune; `commune_and_position` reads a
/// row's commune and optional position, `finish` makes the feature once placed.
fn place_rows<R, T>(
    path: &Path,
    rows: Vec<load::Sourced<R>>,
    e2024: &EditionAtlas,
    mut problems: Vec<Problem>,
    commune_and_position: impl Fn(&R) -> (CommuneCode, Option<LonLat>),
    finish: impl Fn(R, LonLat) -> T,
) -> (Vec<T>, Vec<Problem>) {
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let (code, position) = commune_and_position(&row.value);
        match place_in_commune(path, row.line, code, position, e2024) {
            Ok(position) => out.push(finish(row.value, position)),
            Err(p) => problems.push(p),
        }
    }
    (out, by_line(problems))
}

fn pilots(path: &Path, e2024: &EditionAtlas) -> Checked<Vec<PilotModel>> {
    let read = load::pilots_rows_from(path, open(path)?)?;
    let (rows, problems) = (read.rows, unread_unit_problems(path, "commune_code", read.problems, &read.unread_units, false, e2024));
    Ok(check_pilots(path, rows, e2024, problems))
}

/// Places every read pilot in its commune (the code exists; a given point lies inside).
pub(crate) fn check_pilots(
    path: &Path,
    rows: Vec<load::Sourced<load::PilotRow>>,
    e2024: &EditionAtlas,
    problems: Vec<Problem>,
) -> (Vec<PilotModel>, Vec<Problem>) {
    place_rows(path, rows, e2024, problems, |r| (r.commune, r.position), |r, position| PilotModel {
        id: r.id,
        name: r.name,
        kind: r.kind,
        field: r.field,
        commune: r.commune,
        position,
        approved_year: r.approved_year,
        provenance: r.provenance,
    })
}

fn tourism(path: &Path, e2024: &EditionAtlas) -> Checked<Vec<TourismSite>> {
    let read = load::tourism_rows_from(path, open(path)?)?;
    let (rows, problems) = (read.rows, unread_unit_problems(path, "commune_code", read.problems, &read.unread_units, false, e2024));
    Ok(check_tourism(path, rows, e2024, problems))
}

/// Places every read tourism site in its commune.
pub(crate) fn check_tourism(
    path: &Path,
    rows: Vec<load::Sourced<load::TourismRow>>,
    e2024: &EditionAtlas,
    problems: Vec<Problem>,
) -> (Vec<TourismSite>, Vec<Problem>) {
    place_rows(path, rows, e2024, problems, |r| (r.commune, r.position), |r, position| TourismSite {
        id: r.id,
        name: r.name,
        category: r.category,
        ocop_stars: r.ocop_stars,
        commune: r.commune,
        position,
        url: r.url,
    })
}

/// For each 2025 commune, the 2024 communes it took whole or for the most part. Pairs
/// naming codes absent from the loaded boundaries are skipped and counted.
fn former_communes(
    crosswalk: &[load::Sourced<load::CrosswalkRow>],
    e2024: &EditionAtlas,
    e2025: &EditionAtlas,
) -> (Vec<Vec<u32>>, usize) {
    let mut former = vec![Vec::new(); e2025.communes.len()];
    let mut skipped = 0;
    for row in crosswalk {
        let r = &row.value;
        if r.relation == CrosswalkRelation::Part {
            continue;
        }
        match (e2024.position(r.code_2024), e2025.position(r.code_2025)) {
            (Some(old), Some(new)) => former[new].push(old as u32),
            _ => skipped += 1,
        }
    }
    for list in &mut former {
        list.sort_unstable();
        list.dedup();
    }
    (former, skipped)
}

/// The crosswalk pairs whose two communes are loaded, as positions.
fn crosswalk_links(
    crosswalk: &[load::Sourced<load::CrosswalkRow>],
    e2024: &EditionAtlas,
    e2025: &EditionAtlas,
) -> Vec<super::CrosswalkLink> {
    let mut links: Vec<super::CrosswalkLink> = crosswalk
        .iter()
        .filter_map(|row| {
            let r = &row.value;
            let old = e2024.position(r.code_2024)? as u32;
            let new = e2025.position(r.code_2025)? as u32;
            Some(super::CrosswalkLink { old, new, relation: r.relation })
        })
        .collect();
    links.sort_unstable_by_key(|l| (l.old, l.new));
    links
}

/// A short hash of the inputs' contents: the data version in answers and ETags.
/// The catalog's files, so that an edited criteria name changes the data version.
fn criteria_catalog_files(dir: &Path, catalog: &crate::model::CriteriaCatalog) -> Vec<PathBuf> {
    std::iter::once(dir.join(load::SETS_FILE)).chain(catalog.sets.iter().map(|s| dir.join(format!("{}.csv", s.id)))).collect()
}

fn content_version(files: &[PathBuf]) -> Result<String, Problem> {
    let mut hasher = crate::fnv::Fnv64::default();
    for path in files {
        use std::io::Read;
        let fail = |e: std::io::Error| Problem::new(path, Location::File, format!("cannot read: {e}"));
        // Streamed: a real boundary file is over 100 MB and need not sit in memory twice.
        let mut file = std::fs::File::open(path).map_err(fail)?;
        let mut buffer = vec![0u8; 1 << 16];
        let mut length = 0u64;
        loop {
            let n = file.read(&mut buffer).map_err(fail)?;
            if n == 0 {
                break;
            }
            hasher.write(&buffer[..n]);
            length += n as u64;
        }
        hasher.write_u64(length);
    }
    Ok(format!("{:016x}", hasher.finish()))
}

