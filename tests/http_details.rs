//! `GET /api/v1/communes/{code}`, `/districts/{code}`, `/provinces/{code}` over real
//! HTTP, checked against the reference tables, the results and the crosswalk read
//! with a plain CSV reader.

mod common;

use common::sources::{geodata, results, row_in_force};
use common::{csv_rows as rows, reference, Server};
use geo::Contains;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

#[test]
fn communes_carry_parents_levels_by_year_crosswalk_and_geometry() {
    let server = Server::shared();
    let communes = rows(reference("communes-2024.csv"));
    let results = results();
    let crosswalk = rows(geodata("crosswalk-2024-2025.csv"));
    let new_names: BTreeMap<String, String> =
        rows(reference("communes-2025.csv")).into_iter().map(|r| (r["code"].clone(), r["name"].clone())).collect();
    for c in communes.iter().step_by(97) {
        let code = &c["code"];
        let (status, body) = server.get_json(&format!("/api/v1/communes/{code}?year=2023"));
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["commune"]["name"], json!(c["name"]));
        assert_eq!(body["district"]["code"], json!(c["district_code"]));
        assert_eq!(body["province"]["name"], json!(c["province_name"]));
        let eligible = c["kind"] == "Xã";
        let levels = body["levels"].as_array().unwrap();
        assert_eq!(levels.len(), 5);
        for (y, entry) in (2021u16..=2025).zip(levels) {
            assert_eq!(entry["year"], json!(y));
            let expected = match (eligible, results.in_force(code, y)) {
                (false, _) => json!({"status": "not_applicable"}),
                (true, None) => json!({"status": "no_data"}),
                (true, Some(r)) => json!({"status": "recorded", "level": r.level, "year": r.year}),
            };
            for (k, v) in expected.as_object().unwrap() {
                assert_eq!(&entry["ntm"][k], v, "{code} {y} {k}");
            }
        }
        // Crosswalk: every row of this old commune, whole or part.
        let expected: BTreeSet<(String, String, bool)> = crosswalk
            .iter()
            .filter(|r| &r["code_2024"] == code)
            .map(|r| {
                let relation = if r["relation"] == "whole" { "whole" } else { "part" };
                (r["code_2025"].clone(), relation.to_string(), r["relation"] != "part")
            })
            .collect();
        let got: BTreeSet<(String, String, bool)> = body["crosswalk"]["communes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                assert_eq!(x["name"], json!(new_names[x["code"].as_str().unwrap()]));
                (x["code"].as_str().unwrap().into(), x["relation"].as_str().unwrap().into(), x["default"].as_bool().unwrap())
            })
            .collect();
        assert_eq!(got, expected, "crosswalk of {code}");
        assert!(body.get("geometry").is_none());
    }

    // Geometry on request: a MultiPolygon holding the label point, within the bbox.
    for (code, edition) in [("00571", 2024), ("00565", 2025)] {
        let (status, body) = server.get_json(&format!("/api/v1/communes/{code}?edition={edition}&geometry=true"));
        assert_eq!(status, 200);
        let g: geojson::Geometry = serde_json::from_value(body["geometry"].clone()).unwrap();
        let shape: geo::MultiPolygon<f64> = g.try_into().unwrap();
        let p = &body["commune"]["label_point"];
        assert!(shape.contains(&geo::Point::new(p[0].as_f64().unwrap(), p[1].as_f64().unwrap())));
        let bbox: Vec<f64> = serde_json::from_value(body["commune"]["bbox"].clone()).unwrap();
        let rect = geo::BoundingRect::bounding_rect(&shape).unwrap();
        assert_eq!(vec![rect.min().x, rect.min().y, rect.max().x, rect.max().y], bbox);
    }
}

#[test]
fn communes_of_2025_list_their_former_communes() {
    let server = Server::shared();
    let crosswalk = rows(geodata("crosswalk-2024-2025.csv"));
    let news = rows(reference("communes-2025.csv"));
    for c in news.iter().step_by(61) {
        let code = &c["code"];
        let (status, body) = server.get_json(&format!("/api/v1/communes/{code}?edition=2025"));
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["commune"]["name"], json!(c["name"]));
        assert!(body["district"].is_null());
        assert_eq!(body["crosswalk"]["edition"], json!(2024));
        let expected: BTreeSet<String> = crosswalk.iter().filter(|r| &r["code_2025"] == code).map(|r| r["code_2024"].clone()).collect();
        let got: BTreeSet<String> =
            body["crosswalk"]["communes"].as_array().unwrap().iter().map(|x| x["code"].as_str().unwrap().to_string()).collect();
        assert_eq!(got, expected, "former communes of {code}");
        // Counted per year: the former communes taken whole or for the most part.
        let counted = crosswalk.iter().filter(|r| &r["code_2025"] == code && r["relation"] != "part").count();
        for entry in body["levels"].as_array().unwrap() {
            assert_eq!(entry["former_communes"]["total"], json!(counted));
        }
    }
}

#[test]
fn districts_and_provinces_count_their_children_and_levels() {
    let server = Server::shared();
    let communes = rows(reference("communes-2024.csv"));
    let communes_2025 = rows(reference("communes-2025.csv"));
    let district_results = rows(geodata("results-districts.csv"));
    let province_results = rows(geodata("results-provinces.csv"));
    let districts: BTreeMap<String, Vec<&BTreeMap<String, String>>> = communes.iter().fold(BTreeMap::new(), |mut m, c| {
        m.entry(c["district_code"].clone()).or_insert_with(Vec::new).push(c);
        m
    });
    for (code, members) in districts.iter().step_by(37) {
        let (status, body) = server.get_json(&format!("/api/v1/districts/{code}?year=2022"));
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["district"]["name"], json!(members[0]["district_name"]));
        assert_eq!(body["province"]["code"], json!(members[0]["province_code"]));
        assert_eq!(body["communes"]["total"], json!(members.len()));
        let not_xa = members.iter().filter(|c| c["kind"] != "Xã").count();
        assert_eq!(body["communes"]["not_applicable"], json!(not_xa));
        for entry in body["levels"].as_array().unwrap() {
            let y = entry["year"].as_u64().unwrap() as u16;
            match row_in_force(&district_results, code, y) {
                // A district without a xã has no NTM task.
                None => assert_eq!(entry["ntm"]["status"], if not_xa == members.len() { "not_applicable" } else { "no_data" }, "district {code}"),
                Some(r) => assert_eq!(
                    (entry["ntm"]["level"].as_str(), entry["ntm"]["year"].as_u64().map(|y| y.to_string())),
                    (Some(r["level"].as_str()), Some(r["year"].clone())),
                    "district {code} in {y}"
                ),
            }
        }
    }
    for province in ["01", "42", "92"] {
        let (status, body) = server.get_json(&format!("/api/v1/provinces/{province}?year=2025"));
        assert_eq!(status, 200, "{body}");
        let members: Vec<_> = communes.iter().filter(|c| c["province_code"] == province).collect();
        assert_eq!(body["province"]["name"], json!(members[0]["province_name"]));
        assert_eq!(body["communes"]["total"], json!(members.len()));
        let n_districts = members.iter().map(|c| &c["district_code"]).collect::<BTreeSet<_>>().len();
        assert_eq!(body["districts"]["total"], json!(n_districts));
        let completed = province_results.iter().find(|r| r["code"] == province).map(|r| r["year"].parse::<u16>().unwrap());
        assert_eq!(body["completed_year"], json!(completed));
    }
    let (status, body) = server.get_json("/api/v1/provinces/01?edition=2025");
    assert_eq!(status, 200);
    assert_eq!(body["communes"]["total"], json!(communes_2025.iter().filter(|c| c["province_code"] == "01").count()));
    assert!(body.get("districts").is_none());
}

#[test]
fn unknown_codes_are_404_and_malformed_codes_400() {
    let server = Server::shared();
    let check = |path: &str, status: u16, needle: &str, parameter: Option<&str>| {
        let (s, body): (u16, Value) = server.get_json(path);
        assert_eq!(s, status, "{path}: {body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(needle), "{path}: '{message}' should name '{needle}'");
        if let Some(p) = parameter {
            assert_eq!(body["error"]["parameter"], json!(p), "{path}");
        }
    };
    check("/api/v1/communes/99999", 404, "99999", None);
    check("/api/v1/communes/00571?edition=2025", 404, "00571", None);
    check("/api/v1/communes/12a45", 400, "'12a45'", Some("code"));
    check("/api/v1/communes/123456", 400, "'123456'", Some("code"));
    check("/api/v1/communes/00571?geometry=maybe", 400, "'maybe'", Some("geometry"));
    check("/api/v1/districts/999", 404, "999", None);
    check("/api/v1/districts/01x", 400, "'01x'", Some("code"));
    check("/api/v1/districts/018?edition=2025", 400, "no districts", Some("edition"));
    check("/api/v1/provinces/99", 404, "99", None);
    check("/api/v1/provinces/001", 400, "'001'", Some("code"));
    check("/api/v1/provinces/01?year=2030", 400, "'2030'", Some("year"));
    // The point query still answers beside the code routes.
    let (status, body) = server.get_json("/api/v1/communes/at?lon=105.964112&lat=21.002414");
    assert_eq!((status, body["commune"]["code"].clone()), (200, json!("00571")));
}
