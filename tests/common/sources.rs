//! The project's source files read the plain way (csv and flatgeobuf crates), never
//! through the service's loaders: what tests expect is computed from these.
//!
//! Steps a test takes: read rows (`csv_rows`, `reference_communes`,
//! `embedded_label_points`), then ask `results()` for the NTM level in force in a year,
//! counted here from geodata/results-communes.csv and the reference kinds.

use super::{reference, repo};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::OnceLock;

/// A file of the embedded default data (`geodata/`).
pub fn geodata(file: &str) -> PathBuf {
    repo().join("geodata").join(file)
}

/// A CSV row: column name → value.
pub type Row = BTreeMap<String, String>;

/// The rows of a CSV file.
pub fn csv_rows(path: PathBuf) -> Vec<Row> {
    let mut reader = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers = reader.headers().unwrap_or_else(|e| panic!("{}: {e}", path.display())).clone();
    reader
        .records()
        .enumerate()
        .map(|(i, r)| {
            let r = r.unwrap_or_else(|e| panic!("{} row {}: {e}", path.display(), i + 2));
            headers.iter().map(String::from).zip(r.iter().map(String::from)).collect()
        })
        .collect()
}

/// A commune: code, name and a point in it.
pub struct RefCommune {
    pub code: String,
    pub name: String,
    pub lon: f64,
    pub lat: f64,
}

/// The communes of `communes-2024.csv` or `communes-2025.csv` (reference tables) with
/// their reference point.
pub fn reference_communes(edition: u16) -> Vec<RefCommune> {
    let number = |r: &Row, k: &str| r[k].parse().unwrap_or_else(|_| panic!("{k} of {}", r["code"]));
    csv_rows(reference(&format!("communes-{edition}.csv")))
        .into_iter()
        .map(|r| RefCommune { lon: number(&r, "lon"), lat: number(&r, "lat"), code: r["code"].clone(), name: r["name"].clone() })
        .collect()
}

/// The label point (`label_lon`, `label_lat`) and code of every commune of the embedded
/// boundaries, read with the flatgeobuf crate directly.
pub fn embedded_label_points(edition: u16) -> Vec<RefCommune> {
    use flatgeobuf::{FallibleStreamingIterator, FeatureProperties, FgbReader};
    let path = geodata(&format!("communes-{edition}.fgb"));
    let mut file = std::io::BufReader::new(std::fs::File::open(&path).expect("embedded communes"));
    let mut reader = FgbReader::open(&mut file).expect("fgb").select_all_seq().expect("select");
    let mut out = Vec::new();
    while let Some(f) = reader.next().expect("feature") {
        let text = |k: &str| -> String { f.property(k).expect(k) };
        out.push(RefCommune {
            code: text("code"),
            name: text("name"),
            lon: text("label_lon").parse().expect("lon"),
            lat: text("label_lat").parse().expect("lat"),
        });
    }
    out
}

/// A commune of the embedded boundaries: code, label point and shape.
pub struct EmbeddedCommune {
    pub code: String,
    pub label: geo::Point<f64>,
    pub shape: geo::MultiPolygon<f64>,
}

/// Every commune of the embedded boundaries of `edition`, read with the flatgeobuf crate.
pub fn embedded_communes(edition: u16) -> Vec<EmbeddedCommune> {
    use flatgeobuf::{FallibleStreamingIterator, FeatureProperties, FgbReader};
    use geozero::ToGeo;
    let path = geodata(&format!("communes-{edition}.fgb"));
    let mut file = std::io::BufReader::new(std::fs::File::open(&path).expect("embedded communes"));
    let mut reader = FgbReader::open(&mut file).expect("fgb").select_all_seq().expect("select");
    let mut out = Vec::new();
    while let Some(f) = reader.next().expect("feature") {
        let number = |k: &str| -> f64 { f.property::<String>(k).expect(k).parse().expect(k) };
        let geo::Geometry::MultiPolygon(shape) = f.to_geo().expect("geometry") else { panic!("{}: not a multipolygon", path.display()) };
        out.push(EmbeddedCommune { code: f.property("code").expect("code"), label: geo::Point::new(number("label_lon"), number("label_lat")), shape });
    }
    out
}

/// Distance in degrees from `p` to the nearest ring of `shape`.
pub fn distance_to_border(shape: &geo::MultiPolygon<f64>, p: geo::Point<f64>) -> f64 {
    use geo::{Distance, Euclidean};
    shape.0.iter().flat_map(|polygon| std::iter::once(polygon.exterior()).chain(polygon.interiors())).map(|ring| Euclidean.distance(&p, ring)).fold(f64::MAX, f64::min)
}

/// Whether each district of `rows` (rows of `communes-2024.csv`) has a xã: one without (a
/// quận, or a city of wards only) has no NTM task.
pub fn districts_with_xa<'a>(rows: impl IntoIterator<Item = &'a Row>) -> HashMap<&'a str, bool> {
    let mut out: HashMap<&str, bool> = HashMap::new();
    for r in rows {
        *out.entry(r["district_code"].as_str()).or_default() |= r["kind"] == "Xã";
    }
    out
}

/// The row of a results table (communes, districts or provinces: `code`, `year`,
/// `level`, …) in force for `code` at the end of `year`: the latest of `year` or before.
pub fn row_in_force<'a>(rows: &'a [Row], code: &str, year: u16) -> Option<&'a Row> {
    let year_of = |r: &Row| r["year"].parse::<u16>().unwrap_or_else(|_| panic!("year of {}", r["code"]));
    rows.iter().filter(|r| r["code"] == code && year_of(r) <= year).max_by_key(|r| year_of(r))
}

/// One row of geodata/results-communes.csv: a commune recognised at a level in a year.
#[derive(Clone, Debug, PartialEq)]
pub struct Recognition {
    pub year: u16,
    pub level: String,
    pub criteria_met: Option<u8>,
}

/// The NTM results of the 2024 communes and their kinds, read once per test binary.
pub struct Results {
    /// Recognitions by commune code, oldest first.
    by_code: HashMap<String, Vec<Recognition>>,
    /// Kind (`Xã`, `Phường`, `Thị trấn`) by code, from the reference table.
    kinds: HashMap<String, String>,
}

/// geodata/results-communes.csv and the kinds of reference/communes-2024.csv.
pub fn results() -> &'static Results {
    static RESULTS: OnceLock<Results> = OnceLock::new();
    RESULTS.get_or_init(|| {
        let mut by_code: HashMap<String, Vec<Recognition>> = HashMap::new();
        for r in csv_rows(geodata("results-communes.csv")) {
            by_code.entry(r["code"].clone()).or_default().push(Recognition {
                year: r["year"].parse().unwrap_or_else(|_| panic!("year of {}", r["code"])),
                level: r["level"].clone(),
                criteria_met: r["criteria_met"].parse().ok(),
            });
        }
        for history in by_code.values_mut() {
            history.sort_by_key(|r| r.year);
        }
        let kinds = csv_rows(reference("communes-2024.csv")).into_iter().map(|r| (r["code"].clone(), r["kind"].clone())).collect();
        Results { by_code, kinds }
    })
}

impl Results {
    /// Every recognition of a commune, oldest first (empty when it has none).
    pub fn history(&self, code: &str) -> &[Recognition] {
        self.by_code.get(code).map_or(&[], Vec::as_slice)
    }

    /// Codes of the communes with at least one recognition.
    pub fn codes(&self) -> impl Iterator<Item = &str> {
        self.by_code.keys().map(String::as_str)
    }

    /// The recognition in force at the end of `year`: the latest one of `year` or before.
    pub fn in_force(&self, code: &str, year: u16) -> Option<&Recognition> {
        self.history(code).iter().rev().find(|r| r.year <= year)
    }

    /// The class a 2024 commune is shown in at the end of `year`: `not_applicable` for
    /// phường and thị trấn (only xã are assessed), else the level in force, else `no_data`.
    pub fn class(&self, code: &str, year: u16) -> &str {
        let kind = self.kinds.get(code).unwrap_or_else(|| panic!("{code} is not in reference/communes-2024.csv"));
        if kind != "Xã" {
            return "not_applicable";
        }
        self.in_force(code, year).map_or("no_data", |r| r.level.as_str())
    }
}

/// The numbers the statistics panel must show for `province` (a 2024 province code), or
/// for the whole country, in `year` on edition 2024, counted from the reference table,
/// the results and the point files: NTM communes of the eligible ones with the share in
/// percent to one decimal, nâng cao, kiểu mẫu, pilots approved by the year (or undated)
/// and tourism sites.
pub fn stats_panel_numbers(province: Option<&str>, year: u16) -> serde_json::Value {
    let results = results();
    let reference = csv_rows(reference("communes-2024.csv"));
    let in_scope: std::collections::HashSet<&str> =
        reference.iter().filter(|r| province.is_none_or(|p| r["province_code"] == p)).map(|r| r["code"].as_str()).collect();
    let classes: Vec<&str> = in_scope.iter().map(|c| results.class(c, year)).collect();
    let count = |keep: &dyn Fn(&str) -> bool| classes.iter().filter(|c| keep(c)).count();
    let ntm = count(&|c| matches!(c, "dat_chuan" | "nang_cao" | "kieu_mau"));
    let eligible = count(&|c| c != "not_applicable");
    let approved = |r: &Row| r["approved_year"].is_empty() || r["approved_year"].parse::<u16>().is_ok_and(|y| y <= year);
    let located = |file: &str, keep: &dyn Fn(&Row) -> bool| {
        csv_rows(geodata(file)).iter().filter(|r| keep(r) && in_scope.contains(r["commune_code"].as_str())).count()
    };
    // Districts with an NTM task (a xã) in scope, and those recognised by the year.
    let district_results = csv_rows(geodata("results-districts.csv"));
    let districts = districts_with_xa(reference.iter().filter(|r| in_scope.contains(r["code"].as_str())));
    let with_task: Vec<&str> = districts.into_iter().filter(|&(_, has_xa)| has_xa).map(|(d, _)| d).collect();
    let districts_done = with_task
        .iter()
        .filter(|d| row_in_force(&district_results, d, year).is_some_and(|r| matches!(r["level"].as_str(), "dat_chuan" | "nang_cao" | "kieu_mau")))
        .count();
    // Former provinces in scope, and those that completed the NTM task by the year.
    let province_results = csv_rows(geodata("results-provinces.csv"));
    let mut provinces: Vec<&str> = reference.iter().filter(|r| in_scope.contains(r["code"].as_str())).map(|r| r["province_code"].as_str()).collect();
    provinces.sort_unstable();
    provinces.dedup();
    let provinces_done = provinces.iter().filter(|p| row_in_force(&province_results, p, year).is_some()).count();
    serde_json::json!({
        "provinces_done": provinces_done, "provinces_total": provinces.len(),
        "districts_done": districts_done, "districts_eligible": with_task.len(),
        "ntm": ntm, "eligible": eligible,
        "ntm_share_pct": format!("{:.1}", ntm as f64 * 100.0 / eligible as f64),
        "nang_cao": count(&|c| c == "nang_cao"), "kieu_mau": count(&|c| c == "kieu_mau"),
        "pilots": located("pilots.csv", &approved), "tourism": located("tourism.csv", &|_| true),
    })
}
