//! The generator of the embedded default data (`bando geodata build`).
//!
//! Steps:
//!   1. read the reference tables of both editions (codes, names, parents, points);
//!   2. edition 2025, written as FlatGeobuf: from the real boundary file given with
//!      `--real-2025` ([`official`]), cleaned into a partition ([`planar`]) and simplified
//!      along shared arcs ([`generalize`]); without the file the committed 2025 files are
//!      kept as they are; provinces are the union of their communes on the grid;
//!   3. edition 2024 generated inside the 2025 communes, each divided among the 2024
//!      communes the crosswalk says it took ([`nested`]); districts and provinces are the
//!      union of their communes on the grid, so their borders are commune vertices exactly;
//!   4. write sample NTM results ([`sample_results`]), sample criteria assessments
//!      consistent with them ([`sample_criteria`], against the criteria catalog), the Hà Nội
//!      pilot list with sample pilots and sample tourism points ([`sample_places`]);
//!   5. copy the 2024→2025 crosswalk.
//!
//! Everything is sorted and hashed deterministically: two runs give identical bytes.

mod cells;
mod generalize;
mod grid;
mod hash;
mod inputs;
mod jogs;
mod nested;
mod official;
mod planar;
mod reference;
mod sample_criteria;
mod sample_places;
mod sample_results;

use anyhow::{Context, Result};
use crate::export::fgb as fgb_out;
use fgb_out::Feature;
use geo::MultiPolygon;
use reference::RefCommune;
use std::fmt;
use std::path::Path;

/// What a build wrote.
#[derive(Debug, Default)]
pub struct BuildReport {
    pub communes: [usize; 2],
    /// 2025 communes divided among several 2024 communes.
    pub divided_2025: usize,
    /// 2025 communes that took no 2024 commune, so lie outside edition 2024.
    pub left_out_2025: Vec<String>,
    /// 2024 communes whose reference point is not inside them: their label point is computed.
    pub points_outside_2024: Vec<String>,
    pub districts: usize,
    pub provinces: [usize; 2],
    pub result_rows: usize,
    pub criteria_rows: usize,
    /// Share of units meeting each target indicator per year 2021–2025 (set, indicator).
    pub indicator_shares: Vec<(String, crate::model::ItemNumber, [f64; 5])>,
    pub pilots: usize,
    pub tourism: usize,
    pub bytes: u64,
    /// Edition 2025 from the real boundary file, when one was given.
    pub real_2025: Option<Real2025Report>,
    /// NTM share of xã per year 2021–2025, as computed from the written rows.
    pub ntm_share: Vec<(u16, f64)>,
}

impl fmt::Display for BuildReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "communes: {} (2024), {} (2025); {} communes of 2025 divided among the 2024 communes they took", self.communes[0], self.communes[1], self.divided_2025)?;
        writeln!(f, "  2025 communes that took no 2024 commune, outside edition 2024: {}", self.left_out_2025.join(" "))?;
        let outside = &self.points_outside_2024;
        let shown: Vec<&str> = outside.iter().take(12).map(String::as_str).collect();
        let more = if outside.len() > shown.len() { " …" } else { "" };
        writeln!(f, "  2024 reference points outside their commune ({}, label point computed): {}{more}", outside.len(), shown.join(" "))?;
        writeln!(f, "districts: {}; provinces: {} (2024), {} (2025)", self.districts, self.provinces[0], self.provinces[1])?;
        writeln!(f, "result rows: {}; pilots: {}; tourism: {}", self.result_rows, self.pilots, self.tourism)?;
        for (y, s) in &self.ntm_share {
            writeln!(f, "  {y}: {:.1}% of xã NTM", s * 100.0)?;
        }
        writeln!(f, "criteria rows: {}; target indicators met, 2021–2025:", self.criteria_rows)?;
        for (set, item, shares) in &self.indicator_shares {
            let shares: Vec<String> = shares.iter().map(|s| format!("{:.1}%", s * 100.0)).collect();
            writeln!(f, "  {set} {item}: {}", shares.join(" "))?;
        }
        if let Some(r) = &self.real_2025 {
            write!(f, "{r}")?;
        } else {
            writeln!(f, "edition 2025 boundaries: no --real-2025 file, the files in the output folder are kept")?;
        }
        write!(f, "{} bytes written", self.bytes)
    }
}

/// What building edition 2025 from the real file did.
#[derive(Debug, Default)]
pub struct Real2025Report {
    pub source_vertices: usize,
    pub clean: planar::CleanReport,
    pub tolerance_degrees: f64,
    pub rounds: usize,
    pub refined_arcs: usize,
    pub unresolved: usize,
    pub vertices: usize,
    /// Reference points outside their real commune: their label point is computed.
    pub points_outside: Vec<String>,
    pub max_area_error: f64,
}

impl fmt::Display for Real2025Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.clean;
        writeln!(f, "edition 2025 from the real file: {} source vertices; {} crumbs under 1 m² dropped", self.source_vertices, c.crumbs_dropped)?;
        writeln!(
            f,
            "  overlaps: {} cuts gave {:.3} km² to lower codes; {} vertices put on neighbours' edges; {} passes",
            c.overlapping_communes, c.overlap_km2, c.nodes_inserted, c.passes
        )?;
        writeln!(f, "  gaps: {} filled ({:.4} km²), {} larger than {} km² left", c.gaps_filled, c.gap_km2, c.gaps_left, planar::MAX_GAP_KM2)?;
        writeln!(
            f,
            "  jogs: {} vertices put on a neighbour's edge within {:e}°; spikes cut: {}; refused (the ring would cross itself): {}; {} passes",
            c.jogs.snapped,
            jogs::SNAP_TOLERANCE / grid::UNITS_PER_DEGREE,
            c.jogs.spikes,
            c.jogs.refused,
            c.jogs.passes
        )?;
        writeln!(
            f,
            "  simplified at {}° in {} rounds ({} arcs refined, {} checks unresolved): {} vertices; largest area change {:.3}%",
            self.tolerance_degrees, self.rounds, self.refined_arcs, self.unresolved, self.vertices, self.max_area_error * 100.0
        )?;
        writeln!(f, "  reference points outside their real commune ({}): {}", self.points_outside.len(), self.points_outside.join(" "))
    }
}
const COMMUNE_COLUMNS_2024: [&str; 9] =
    ["code", "name", "kind", "district_code", "district_name", "province_code", "province_name", "label_lon", "label_lat"];
const COMMUNE_COLUMNS_2025: [&str; 7] = ["code", "name", "kind", "province_code", "province_name", "label_lon", "label_lat"];

/// Douglas–Peucker tolerance of the real 2025 borders, in degrees (about 110 m; the
/// files stay a few MB: 7.1 M source vertices become about 330,000):
/// arcs that would cross, move a reference point out of its commune or change a
/// commune's area by more than [`generalize::MAX_AREA_ERROR`] are refined below it.
pub const REAL_2025_TOLERANCE: f64 = 1e-3;

/// Builds geodata/ into `out_dir`. `criteria_sets`: the criteria catalog's folder (the
/// sample assessments are written against it). `real_2025`: the real 2025 communes
/// (FlatGeobuf); without it the 2025 boundary files already in `out_dir` are left
/// untouched, and edition 2024 is nested in the communes of `communes_2025` (the
/// project's own edition 2025 file by default).
pub fn build(reference_dir: &Path, criteria_sets: &Path, out_dir: &Path, real_2025: Option<&Path>, communes_2025: &Path) -> Result<BuildReport> {
    // Every input is checked before anything is written: a fault in the catalog, the
    // reference tables or the crosswalk fails the build with every problem listed, and
    // the output folder untouched.
    let catalog = crate::load::read_criteria_sets(criteria_sets);
    let inputs = inputs::read(reference_dir);
    let (catalog, inputs) = match (catalog, inputs) {
        (Ok(c), Ok(i)) => (c, i),
        (c, i) => {
            let problems = [c.err(), i.err()].into_iter().flatten().flat_map(|e| e.problems).collect();
            return Err(crate::load::LoadError { problems }.into());
        }
    };
    std::fs::create_dir_all(out_dir).with_context(|| format!("cannot create {}", out_dir.display()))?;
    let mut report = BuildReport::default();
    let mut refs = inputs.communes;
    report.communes = [refs[0].len(), refs[1].len()];
    report.provinces[1] = refs[1].iter().map(|c| &c.province_code).collect::<std::collections::BTreeSet<_>>().len();

    // Edition 2025 first: edition 2024 is nested in its communes.
    let communes_2025 = match real_2025 {
        Some(path) => {
            let (real, bytes) = real_edition_2025(path, &refs[1], out_dir)?;
            report.bytes += bytes;
            report.real_2025 = Some(real);
            out_dir.join("communes-2025.fgb")
        }
        None => communes_2025.to_path_buf(),
    };
    report.bytes += edition_2024(&mut refs[0], &communes_2025, &inputs.crosswalk, out_dir, &mut report)?;

    let progress = sample_results::progress(&refs[0]);
    let rows = sample_results::commune_rows(&progress);
    report.result_rows = rows.len();
    report.bytes += write_csv(&out_dir.join("results-communes.csv"), &["code", "year", "level", "criteria_met", "recognized_on", "decision"], &rows)?;
    let (districts, provinces) = sample_results::unit_rows(&refs[0], &progress);
    let unit_header = ["code", "year", "level", "recognized_on", "decision"];
    report.bytes += write_csv(&out_dir.join("results-districts.csv"), &unit_header, &districts)?;
    report.bytes += write_csv(&out_dir.join("results-provinces.csv"), &unit_header, &provinces)?;
    let criteria = sample_criteria::rows(&refs[0], &rows, &districts, &catalog)?;
    report.criteria_rows = criteria.rows.len();
    report.indicator_shares = criteria.shares;
    report.bytes += write_csv(&out_dir.join(crate::atlas::CRITERIA_FILE), &sample_criteria::COLUMNS, &criteria.rows)?;
    let eligible = progress.len() as f64;
    report.ntm_share = sample_results::YEARS
        .iter()
        .map(|&y| (y, progress.values().filter(|p| p.ntm.is_some_and(|n| n <= y)).count() as f64 / eligible))
        .collect();

    let pilots = sample_places::pilots(&refs[0])?;
    report.pilots = pilots.len();
    report.bytes += write_csv(&out_dir.join("pilots.csv"), &sample_places::PILOT_COLUMNS, &pilots)?;
    let tourism = sample_places::tourism(&refs[0]);
    report.tourism = tourism.len();
    report.bytes += write_csv(&out_dir.join("tourism.csv"), &["id", "name", "category", "ocop_stars", "commune_code", "lon", "lat", "url"], &tourism)?;

    report.bytes += replace_file(&out_dir.join(inputs::CROSSWALK_FILE), |path| Ok(std::fs::write(path, &inputs.crosswalk_bytes)?))?;
    Ok(report)
}

/// Edition 2025 from the real file: communes, provinces and the source table.
/// Returns the report and the bytes written.
fn real_edition_2025(path: &Path, communes: &[RefCommune], out_dir: &Path) -> Result<(Real2025Report, u64)> {
    use geo::GeodesicArea;
    let official = official::read(path, communes)?;
    let mut report = Real2025Report { tolerance_degrees: REAL_2025_TOLERANCE, ..Default::default() };
    report.source_vertices = official.iter().map(|o| o.source_vertices).sum();
    let (clean, clean_report) = planar::clean(official.iter().map(|o| o.shape.clone()).collect());
    report.clean = clean_report;
    // A reference point is kept inside its commune when the real commune holds it.
    let anchors: Vec<Option<grid::Pt>> = communes
        .iter()
        .zip(&clean)
        .map(|(c, s)| {
            let p = [grid::to_units(c.site[0]), grid::to_units(c.site[1])];
            grid::rings_contain(s.iter().flatten(), p).then_some(p)
        })
        .collect();
    let simple = generalize::generalize(&clean, &anchors, REAL_2025_TOLERANCE * grid::UNITS_PER_DEGREE);
    (report.rounds, report.refined_arcs, report.unresolved) = (simple.rounds, simple.refined_arcs, simple.unresolved);
    report.vertices = simple.shapes.iter().flatten().flatten().map(|r| r.len() + 1).sum();

    let mut features = Vec::with_capacity(communes.len());
    let mut source_rows = Vec::with_capacity(communes.len());
    for (((c, shape), anchor), o) in communes.iter().zip(&simple.shapes).zip(&anchors).zip(&official) {
        let geometry = grid::to_geo(shape);
        let (lon, lat) = if anchor.is_some() {
            (c.lon.clone(), c.lat.clone())
        } else {
            report.points_outside.push(c.code.clone());
            let q = grid::interior_point(shape).ok_or_else(|| anyhow::anyhow!("commune {} has no interior point inside it", c.code))?;
            (grid::to_degrees(q[0]).to_string(), grid::to_degrees(q[1]).to_string())
        };
        let area = geometry.geodesic_area_unsigned() / 1e6;
        report.max_area_error = report.max_area_error.max(((area - o.source_area_km2) / o.source_area_km2).abs());
        let vertices: usize = shape.iter().flatten().map(|r| r.len() + 1).sum();
        source_rows.push([c.code.clone(), o.source_code.clone(), o.source_vertices.to_string(), format!("{:.4}", o.source_area_km2), vertices.to_string()]);
        let values = vec![c.code.clone(), c.name.clone(), c.kind.clone(), c.province_code.clone(), c.province_name.clone(), lon, lat];
        features.push(Feature { geometry, values });
    }
    let mut bytes = write_fgb(&out_dir.join("communes-2025.fgb"), "communes", &COMMUNE_COLUMNS_2025, &features)?;
    bytes += write_csv(&out_dir.join("communes-2025-source.csv"), &["code", "source_code", "source_vertices", "source_area_km2", "vertices"], &source_rows)?;

    // Provinces: the union of their communes on the grid, so their borders are the
    // communes' simplified vertices exactly.
    let mut members: std::collections::BTreeMap<&str, Vec<&grid::Shape>> = std::collections::BTreeMap::new();
    for (c, shape) in communes.iter().zip(&simple.shapes) {
        members.entry(&c.province_code).or_default().push(shape);
    }
    let province_names: std::collections::BTreeMap<&str, &str> = communes.iter().map(|c| (c.province_code.as_str(), c.province_name.as_str())).collect();
    let features: Vec<Feature> = members
        .into_iter()
        .map(|(code, shapes)| Feature {
            geometry: grid::to_geo(&grid::overlay(shapes, [], i_overlay::core::overlay_rule::OverlayRule::Union)),
            values: vec![code.to_string(), province_names[code].to_string()],
        })
        .collect();
    bytes += write_fgb(&out_dir.join("provinces-2025.fgb"), "provinces", &["code", "name"], &features)?;
    Ok((report, bytes))
}

/// Edition 2024 nested in the 2025 communes of `communes_2025` ([`nested`]): communes,
/// and districts and provinces as the union of their communes on the grid, so their
/// borders are commune vertices exactly. A commune whose reference point is not inside it
/// gets its label point as its point (the sample pilots and tourism sites stand on it).
/// Returns the bytes written.
fn edition_2024(communes: &mut [RefCommune], communes_2025: &Path, crosswalk: &[(String, String)], out_dir: &Path, report: &mut BuildReport) -> Result<u64> {
    let file = crate::load::read_boundaries(communes_2025, "code")?;
    let new: Vec<nested::Commune2025> =
        file.features.iter().map(|f| nested::Commune2025 { code: f.code.clone(), shape: grid::from_geo(&f.geometry) }).collect();
    let nested = nested::nest(communes, &new, crosswalk)?;
    report.divided_2025 = nested.divided;
    report.left_out_2025 = nested.left_out.clone();
    report.points_outside_2024 = nested.points_outside.clone();
    for (c, label) in communes.iter_mut().zip(&nested.labels) {
        if *label != [grid::to_units(c.site[0]), grid::to_units(c.site[1])] {
            c.site = [grid::to_degrees(label[0]), grid::to_degrees(label[1])];
            (c.lon, c.lat) = (c.site[0].to_string(), c.site[1].to_string());
        }
    }

    let features: Vec<Feature> = communes
        .iter()
        .zip(&nested.shapes)
        .map(|(c, shape)| {
            let values = vec![
                c.code.clone(),
                c.name.clone(),
                c.kind.clone(),
                c.district_code.clone(),
                c.district_name.clone(),
                c.province_code.clone(),
                c.province_name.clone(),
                c.lon.clone(),
                c.lat.clone(),
            ];
            Feature { geometry: grid::to_geo(shape), values }
        })
        .collect();
    let mut bytes = write_fgb(&out_dir.join("communes-2024.fgb"), "communes", &COMMUNE_COLUMNS_2024, &features)?;

    let union_by = |key: fn(&RefCommune) -> &str| -> std::collections::BTreeMap<String, (MultiPolygon<f64>, &RefCommune)> {
        let mut members: std::collections::BTreeMap<&str, (Vec<&grid::Shape>, &RefCommune)> = std::collections::BTreeMap::new();
        for (c, shape) in communes.iter().zip(&nested.shapes) {
            members.entry(key(c)).or_insert_with(|| (Vec::new(), c)).0.push(shape);
        }
        members
            .into_iter()
            .map(|(code, (shapes, c))| (code.to_string(), (grid::to_geo(&grid::overlay(shapes, [], i_overlay::core::overlay_rule::OverlayRule::Union)), c)))
            .collect()
    };
    let provinces: Vec<Feature> = union_by(|c| &c.province_code)
        .into_iter()
        .map(|(code, (geometry, c))| Feature { values: vec![code, c.province_name.clone()], geometry })
        .collect();
    report.provinces[0] = provinces.len();
    bytes += write_fgb(&out_dir.join("provinces-2024.fgb"), "provinces", &["code", "name"], &provinces)?;
    let districts: Vec<Feature> = union_by(|c| &c.district_code)
        .into_iter()
        .map(|(code, (geometry, c))| Feature { values: vec![code, c.district_name.clone(), c.province_code.clone(), c.province_name.clone()], geometry })
        .collect();
    report.districts = districts.len();
    bytes += write_fgb(&out_dir.join("districts-2024.fgb"), "districts", &["code", "name", "province_code", "province_name"], &districts)?;
    Ok(bytes)
}

/// Writes `path` whole ([`crate::files::replace`]); returns the bytes written.
fn replace_file(path: &Path, write: impl FnOnce(&Path) -> Result<()>) -> Result<u64> {
    crate::files::replace(path, write).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(std::fs::metadata(path)?.len())
}

fn write_csv<const N: usize>(path: &Path, header: &[&str], rows: &[[String; N]]) -> Result<u64> {
    replace_file(path, |part| {
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_path(part)?;
        w.write_record(header)?;
        for r in rows {
            w.write_record(r)?;
        }
        Ok(w.flush()?)
    })
}

/// A FlatGeobuf layer of text columns, written whole ([`replace_file`]).
fn write_fgb(path: &Path, layer: &str, columns: &[&str], features: &[Feature]) -> Result<u64> {
    replace_file(path, |part| fgb_out::write(part, layer, columns, features).map(drop))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calibrated_shares_are_within_one_point_of_the_national_figures() {
        let dir = std::path::Path::new(crate::config::REFERENCE_TABLES);
        let refs = reference::read(dir, 2024).unwrap();
        let progress = sample_results::progress(&refs);
        let n = progress.len() as f64;
        for (i, &y) in sample_results::YEARS.iter().enumerate() {
            let share = |f: fn(&sample_results::Progress) -> Option<u16>| {
                progress.values().filter(|p| f(p).is_some_and(|v| v <= y)).count() as f64 / n
            };
            assert!((share(|p| p.ntm) - sample_results::NTM_SHARE[i]).abs() < 0.01, "{y}");
            assert!((share(|p| p.nang_cao) - sample_results::NANG_CAO_SHARE[i]).abs() < 0.01, "{y}");
            assert!((share(|p| p.kieu_mau) - sample_results::KIEU_MAU_SHARE[i]).abs() < 0.01, "{y}");
        }
        // Never falls back: higher levels come after lower ones.
        for p in progress.values() {
            if let (Some(a), Some(b)) = (p.ntm, p.nang_cao) {
                assert!(a < b);
            }
            if let (Some(a), Some(b)) = (p.nang_cao, p.kieu_mau) {
                assert!(a < b);
            }
        }
    }
}


