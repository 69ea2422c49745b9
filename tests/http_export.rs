//! `GET /api/v1/export/{layer}.{format}` and `bando export`, read back with independent
//! readers (geojson, csv, flatgeobuf crates) and checked against the source files.

mod common;

use common::sources::{geodata, results};
use common::{csv_rows as rows, path_str, reference as reference_table, Raw, Server, TempDir, BIN};
use flatgeobuf::{FallibleStreamingIterator, FeatureProperties, FgbReader};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};

fn csv_rows(body: &[u8]) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_reader(body);
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| headers.iter().map(String::from).zip(r.unwrap().iter().map(String::from)).collect())
        .collect()
}

fn features(body: &[u8]) -> Vec<geojson::Feature> {
    let fc: geojson::FeatureCollection = std::str::from_utf8(body).unwrap().parse::<geojson::GeoJson>().unwrap().try_into().unwrap();
    fc.features
}

/// Every feature of a FlatGeobuf file as (properties as text, the file's geometry type).
fn fgb_features(body: &[u8]) -> Vec<(BTreeMap<String, String>, String)> {
    let mut cursor = std::io::Cursor::new(body);
    let reader = FgbReader::open(&mut cursor).expect("fgb");
    let kind = format!("{:?}", reader.header().geometry_type());
    let mut reader = reader.select_all_seq().expect("select");
    let mut out = Vec::new();
    while let Some(f) = reader.next().expect("feature") {
        assert!(f.geometry().is_some(), "every feature has a geometry");
        let props = f.properties().expect("properties").into_iter().collect();
        out.push((props, kind.clone()));
    }
    out
}

fn get_ok(server: &Server, path: &str, media: &str, file_name: &str) -> Raw {
    let raw = server.get_raw(path, &[]);
    assert_eq!(raw.status, 200, "{path}: {}", String::from_utf8_lossy(&raw.body[..raw.body.len().min(300)]));
    assert_eq!(raw.header("content-type"), Some(media), "{path}");
    assert_eq!(raw.header("content-disposition"), Some(format!("attachment; filename=\"{file_name}\"").as_str()), "{path}");
    assert_eq!(raw.header("transfer-encoding"), Some("chunked"), "{path} is streamed");
    raw
}

/// The class of an edition-2024 commune at the end of `year` and the year it was
/// recognised at that level (none for a ward or without a recognition).
fn level_word(code: &str, year: u16) -> (String, Option<u16>) {
    let results = results();
    let class = results.class(code, year);
    let since = if class == "not_applicable" { None } else { results.in_force(code, year).map(|r| r.year) };
    (class.to_string(), since)
}

#[test]
fn communes_export_in_three_formats_with_the_levels_of_the_year() {
    let server = Server::shared();
    let reference = rows(reference_table("communes-2024.csv"));

    let raw = get_ok(server, "/api/v1/export/communes.geojson?year=2023", "application/geo+json", "communes-2024-2023.geojson");
    let fs = features(&raw.body);
    assert_eq!(fs.len(), reference.len());
    let by_code: BTreeMap<&str, &geojson::Feature> = fs.iter().map(|f| (f.property("code").unwrap().as_str().unwrap(), f)).collect();
    assert_eq!(by_code.len(), reference.len());
    for r in &reference {
        let f = by_code[r["code"].as_str()];
        assert_eq!(f.property("name"), Some(&json!(r["name"])));
        assert_eq!(f.property("district_code"), Some(&json!(r["district_code"])));
        assert_eq!(f.property("province_name"), Some(&json!(r["province_name"])));
        let (level, since) = level_word(&r["code"], 2023);
        assert_eq!(f.property("level"), Some(&json!(level)), "{}", r["code"]);
        assert_eq!(f.property("level_year"), Some(&json!(since)), "{}", r["code"]);
        assert_eq!(f.property("year"), Some(&json!(2023)));
        let g = f.geometry.as_ref().unwrap();
        assert!(matches!(g.value, geojson::Value::MultiPolygon(_)));
    }

    let raw = get_ok(server, "/api/v1/export/communes.csv?year=2021", "text/csv; charset=utf-8", "communes-2024-2021.csv");
    let csv = csv_rows(&raw.body);
    assert_eq!(csv.len(), reference.len());
    for (r, row) in reference.iter().zip(&csv) {
        // Rows come in code order, as the reference table is sorted.
        assert_eq!(row["code"], r["code"]);
        assert_eq!(row["level"], level_word(&r["code"], 2021).0);
    }

    let reference_2025 = rows(reference_table("communes-2025.csv"));
    let raw = get_ok(server, "/api/v1/export/communes.fgb?edition=2025", "application/vnd.flatgeobuf", "communes-2025-2025.fgb");
    let fgb = fgb_features(&raw.body);
    assert_eq!(fgb.len(), reference_2025.len());
    let names: BTreeMap<&str, &str> = reference_2025.iter().map(|r| (r["code"].as_str(), r["name"].as_str())).collect();
    let crosswalk = rows(geodata("crosswalk-2024-2025.csv"));
    for (props, kind) in &fgb {
        assert_eq!(kind, "MultiPolygon");
        assert_eq!(names[props["code"].as_str()], props["name"]);
        let counted = crosswalk.iter().filter(|r| r["code_2025"] == props["code"] && r["relation"] != "part").count();
        assert_eq!(props["former_total"], counted.to_string(), "{}", props["code"]);
    }
}

#[test]
fn districts_provinces_pilots_and_tourism_match_their_sources() {
    let server = Server::shared();
    let reference = rows(reference_table("communes-2024.csv"));
    let mut per_district: BTreeMap<String, usize> = BTreeMap::new();
    for r in &reference {
        *per_district.entry(r["district_code"].clone()).or_default() += 1;
    }
    let raw = get_ok(server, "/api/v1/export/districts.csv", "text/csv; charset=utf-8", "districts-2024-2025.csv");
    let districts = csv_rows(&raw.body);
    assert_eq!(districts.len(), per_district.len());
    for d in &districts {
        assert_eq!(d["communes"], per_district[&d["code"]].to_string(), "district {}", d["code"]);
    }
    let raw = get_ok(server, "/api/v1/export/districts.geojson", "application/geo+json", "districts-2024-2025.geojson");
    assert_eq!(features(&raw.body).len(), per_district.len());

    let provinces_2025: BTreeSet<String> = rows(reference_table("communes-2025.csv")).iter().map(|r| r["province_code"].clone()).collect();
    let raw = get_ok(server, "/api/v1/export/provinces.geojson?edition=2025", "application/geo+json", "provinces-2025-2025.geojson");
    let fs = features(&raw.body);
    let codes: BTreeSet<String> = fs.iter().map(|f| f.property("code").unwrap().as_str().unwrap().to_string()).collect();
    assert_eq!(codes, provinces_2025);
    let raw = get_ok(server, "/api/v1/export/provinces.fgb", "application/vnd.flatgeobuf", "provinces-2024-2025.fgb");
    let provinces: Vec<_> = fgb_features(&raw.body);
    assert_eq!(provinces.len(), reference.iter().map(|r| &r["province_code"]).collect::<BTreeSet<_>>().len());
    let total: usize = provinces.iter().map(|(p, _)| p["communes"].parse::<usize>().unwrap()).sum();
    assert_eq!(total, reference.len());

    let pilots = rows(geodata("pilots.csv"));
    let raw = get_ok(server, "/api/v1/export/pilots.csv", "text/csv; charset=utf-8", "pilots.csv");
    let got = csv_rows(&raw.body);
    assert_eq!(got.len(), pilots.len());
    for (p, g) in pilots.iter().zip(&got) {
        for k in ["id", "name", "kind", "field", "commune_code", "approved_year"] {
            assert_eq!(g[k], p[k], "pilot {} {k}", p["id"]);
        }
        // Pilots without a position are placed inside their commune; the others keep theirs.
        if !p["lon"].is_empty() {
            assert_eq!(g["lon"].parse::<f64>().unwrap(), p["lon"].parse::<f64>().unwrap());
        }
    }
    let tourism = rows(geodata("tourism.csv"));
    let raw = get_ok(server, "/api/v1/export/tourism.fgb", "application/vnd.flatgeobuf", "tourism.fgb");
    let got = fgb_features(&raw.body);
    assert_eq!(got.len(), tourism.len());
    // FlatGeobuf orders features along its spatial index: match them by id.
    let got: BTreeMap<String, (BTreeMap<String, String>, String)> = got.into_iter().map(|f| (f.0["id"].clone(), f)).collect();
    assert_eq!(got.len(), tourism.len());
    for t in &tourism {
        let (g, kind) = &got[&t["id"]];
        assert_eq!(kind, "Point");
        for k in ["id", "name", "category", "commune_code"] {
            assert_eq!(g[k], t[k], "tourism {} {k}", t["id"]);
        }
        assert_eq!(g.get("ocop_stars").cloned().unwrap_or_default(), t["ocop_stars"]);
    }
    let raw = get_ok(server, "/api/v1/export/tourism.geojson", "application/geo+json", "tourism.geojson");
    let fs = features(&raw.body);
    assert_eq!(fs.len(), tourism.len());
    assert!(fs.iter().all(|f| matches!(f.geometry.as_ref().unwrap().value, geojson::Value::Point(_))));
}

/// One cell as the CSV export writes it (numbers without a trailing ".0"), with its type as
/// calamine reads it.
type Cell = (String, &'static str);

/// The sheets of a workbook, by name, each as rows of [`Cell`]s.
fn workbook_rows(body: &[u8]) -> Vec<(String, Vec<Vec<Cell>>)> {
    use calamine::{Data, Reader, Xlsx};
    let mut wb = Xlsx::new(std::io::Cursor::new(body.to_vec())).expect("calamine opens the workbook");
    let names = wb.sheet_names();
    names
        .into_iter()
        .map(|name| {
            let range = wb.worksheet_range(&name).expect("sheet");
            let rows = range
                .rows()
                .map(|row| {
                    row.iter()
                        .map(|cell| match cell {
                            Data::String(s) => (s.clone(), "text"),
                            Data::Float(x) => (x.to_string(), "number"),
                            Data::Int(n) => (n.to_string(), "number"),
                            Data::Empty => (String::new(), "empty"),
                            other => (other.to_string(), "other"),
                        })
                        .collect()
                })
                .collect();
            (name, rows)
        })
        .collect()
}

#[test]
fn every_layer_opens_in_excel_with_the_csv_export_s_cells() {
    let server = Server::shared();
    for (layer, query, file_name) in [
        ("communes", "?edition=2024&year=2023", "communes-2024-2023.xlsx"),
        ("communes", "?edition=2025&year=2025", "communes-2025-2025.xlsx"),
        ("districts", "?year=2024", "districts-2024-2024.xlsx"),
        ("provinces", "?edition=2025", "provinces-2025-2025.xlsx"),
        ("pilots", "", "pilots.xlsx"),
        ("tourism", "", "tourism.xlsx"),
    ] {
        let media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
        let raw = get_ok(server, &format!("/api/v1/export/{layer}.xlsx{query}"), media, file_name);
        let sheets = workbook_rows(&raw.body);
        assert_eq!(sheets.len(), 1, "{file_name}: one sheet");
        let (name, rows) = &sheets[0];
        assert_eq!(name, layer);
        // The header row stays in view and every column has a filter.
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(raw.body.clone())).expect("an xlsx is a zip");
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("xl/worksheets/sheet1.xml").expect("the sheet's XML"), &mut xml).unwrap();
        assert!(xml.contains(r#"ySplit="1""#) && xml.contains(r#"state="frozen""#), "{file_name}: the header is frozen");
        assert!(xml.contains("<autoFilter ref=\"A1:"), "{file_name}: a filter on the columns");
        let csv = server.get_raw(&format!("/api/v1/export/{layer}.csv{query}"), &[]);
        let mut reader = csv::Reader::from_reader(&csv.body[..]);
        let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        let records: Vec<Vec<String>> = reader.records().map(|r| r.unwrap().iter().map(String::from).collect()).collect();
        assert_eq!(rows[0].iter().map(|c| c.0.clone()).collect::<Vec<_>>(), header, "{file_name}: the header");
        assert_eq!(rows.len(), records.len() + 1, "{file_name}: every row");
        for (row, record) in rows[1..].iter().zip(&records) {
            // calamine's range ends at the last column that holds a value in some row.
            let cells: Vec<&str> = row.iter().map(|c| c.0.as_str()).chain(std::iter::repeat("")).take(record.len()).collect();
            assert_eq!(cells, record.iter().map(String::as_str).collect::<Vec<_>>(), "{file_name}");
            for ((column, cell), value) in header.iter().zip(row).zip(record) {
                // Codes keep their leading zeros as text; counts and coordinates are numbers.
                let expected = if value.is_empty() {
                    "empty"
                } else if column.ends_with("code") || column == "code" || column == "id" || column == "name" {
                    "text"
                } else if value.parse::<f64>().is_ok() && column != "level" {
                    "number"
                } else {
                    "text"
                };
                assert_eq!(cell.1, expected, "{file_name}: {column} = {value:?}");
            }
        }
    }
    // The same bytes from the command line.
    let dir = TempDir::new("export-xlsx");
    let out = dir.path("tourism.xlsx");
    let status = std::process::Command::new(BIN)
        .args(["export", "--layer", "tourism", "--format", "xlsx", path_str(&out)])
        .env("RUST_LOG", "warn")
        .status()
        .expect("run bando export");
    assert!(status.success());
    assert_eq!(std::fs::read(&out).unwrap(), server.get_raw("/api/v1/export/tourism.xlsx", &[]).body, "bando export and the API give the same bytes");
}

#[test]
fn unknown_layers_and_formats_are_named() {
    let server = Server::shared();
    for (path, status, needle, parameter) in [
        ("/api/v1/export/roads.geojson", 404, "'roads'", None),
        ("/api/v1/export/communes", 404, "'communes'", None),
        ("/api/v1/export/communes.shp", 400, "'shp'", Some("format")),
        ("/api/v1/export/districts.csv?edition=2025", 400, "no districts", Some("edition")),
        ("/api/v1/export/communes.csv?year=2019", 400, "'2019'", Some("year")),
    ] {
        let raw = server.get_raw(path, &[]);
        let body = raw.json();
        assert_eq!(raw.status, status, "{path}: {body}");
        assert!(body["error"]["message"].as_str().unwrap().contains(needle), "{path}: {body}");
        if let Some(p) = parameter {
            assert_eq!(body["error"]["parameter"], json!(p));
        }
    }
}

#[test]
fn the_cli_writes_the_same_files_as_the_api() {
    let server = Server::shared();
    let dir = TempDir::new("export-cli");
    let out = dir.path("communes.geojson");
    let status = std::process::Command::new(BIN)
        .args(["export", "--layer", "communes", "--format", "geojson", "--edition", "2025", "--year", "2022", path_str(&out)])
        .env("RUST_LOG", "warn")
        .status()
        .expect("run bando export");
    assert!(status.success());
    let api = server.get_raw("/api/v1/export/communes.geojson?edition=2025&year=2022", &[]);
    assert_eq!(std::fs::read(&out).unwrap(), api.body, "bando export and the API give the same bytes");

    let stdout = std::process::Command::new(BIN)
        .args(["export", "--layer", "tourism", "--format", "csv", "-"])
        .env("RUST_LOG", "warn")
        .output()
        .expect("run bando export");
    assert!(stdout.status.success());
    assert_eq!(stdout.stdout, server.get_raw("/api/v1/export/tourism.csv", &[]).body);

    let bad = std::process::Command::new(BIN).args(["export", "--layer", "roads", "--format", "csv", "-"]).output().unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("'roads'"));
}
