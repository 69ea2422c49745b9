//! `POST /api/v1/communes/at`: batches in the three shapes over real HTTP, compared
//! point by point with the single-point GET; every kind of bad input.

mod common;

use common::{agent, embedded_label_points, Server};
use serde_json::{json, Value};
use std::io::Read;

/// POST a body with an optional Content-Type; (status, headers we check, body).
fn post(server: &Server, path: &str, content_type: Option<&str>, body: &[u8]) -> (u16, Option<String>, Option<String>, Vec<u8>) {
    let mut request = agent().post(&server.url(path));
    if let Some(t) = content_type {
        request = request.set("Content-Type", t);
    }
    let resp = match request.send_bytes(body) {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("POST {path}: {e}"),
    };
    let status = resp.status();
    let ctype = resp.header("content-type").map(str::to_string);
    let te = resp.header("transfer-encoding").map(str::to_string);
    let mut out = Vec::new();
    resp.into_reader().read_to_end(&mut out).expect("body");
    (status, ctype, te, out)
}

fn json_of(body: &[u8]) -> Value {
    serde_json::from_slice(body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&body[..body.len().min(500)])))
}

/// The GET answer's commune part, in the batch's shape (commune fields with district,
/// province and level inside), or null for a 404.
fn get_commune(server: &Server, lon: f64, lat: f64, query: &str) -> Value {
    let (status, body) = server.get_json(&format!("/api/v1/communes/at?lon={lon}&lat={lat}{query}"));
    match status {
        404 => Value::Null,
        200 => {
            let mut c = body["commune"].clone();
            for k in ["district", "province", "ntm", "former_communes"] {
                c[k] = body[k].clone();
            }
            c
        }
        s => panic!("GET answered {s}: {body}"),
    }
}

/// The criteria columns the batch appends, from the catalog the server serves: the set, then
/// one column per item number of the commune sets (`c8`, `c8_4`), in number order.
fn criteria_columns(server: &Server) -> Vec<(String, String)> {
    let (status, body) = server.get_json("/api/v1/criteria");
    assert_eq!(status, 200);
    let mut numbers: Vec<(u8, u8, String)> = Vec::new();
    for set in body["sets"].as_array().unwrap().iter().filter(|s| s["unit"] == "commune") {
        for c in set["criteria"].as_array().unwrap() {
            for item in std::iter::once(c).chain(c["indicators"].as_array().unwrap()) {
                let number = item["number"].as_str().unwrap().to_string();
                let (a, b) = number.split_once('.').map_or((number.as_str(), "0"), |(a, b)| (a, b));
                numbers.push((a.parse().unwrap(), b.parse().unwrap(), number.clone()));
            }
        }
    }
    numbers.sort();
    numbers.dedup();
    numbers.into_iter().map(|(_, _, n)| (format!("c{}", n.replace('.', "_")), n)).collect()
}

/// The criteria column values the single point query implies: its checklist's set and each
/// item's status ("" for an item not in that set, or no checklist).
fn expected_criteria(server: &Server, lon: f64, lat: f64, query: &str, columns: &[(String, String)]) -> Vec<String> {
    let (_, body) = server.get_json(&format!("/api/v1/communes/at?lon={lon}&lat={lat}{query}"));
    let list = &body["criteria"];
    let mut out = vec![list["set"].as_str().unwrap_or("").to_string()];
    for (_, number) in columns {
        let item = list["items"].as_array().and_then(|items| items.iter().find(|i| i["number"] == number.as_str()));
        out.push(item.map_or("", |i| i["status"].as_str().unwrap()).to_string());
    }
    out
}

/// 500 label points of the embedded 2024 communes, plus points in the sea.
fn sample_points() -> Vec<(f64, f64)> {
    let refs = embedded_label_points(2024);
    let step = refs.len() / 500;
    let mut pts: Vec<(f64, f64)> = refs.iter().step_by(step).take(500).map(|r| (r.lon, r.lat)).collect();
    pts.extend([(110.5, 12.0), (104.0, 7.0), (100.2, 20.0)]);
    pts
}

#[test]
fn json_batch_equals_the_get_answer_point_by_point_in_input_order() {
    let server = Server::shared();
    let pts = sample_points();
    // Mix both element forms; every third carries an id.
    let body: Vec<Value> = pts
        .iter()
        .enumerate()
        .map(|(i, (x, y))| if i % 3 == 0 { json!({"lon": x, "lat": y, "id": format!("p{i}")}) } else { json!([x, y]) })
        .collect();
    for (query, edition_query) in [("?year=2023", "&year=2023"), ("?edition=2025&year=2022", "&edition=2025&year=2022")] {
        let (status, ctype, _, out) = post(server, &format!("/api/v1/communes/at{query}"), Some("application/json"), &serde_json::to_vec(&body).unwrap());
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&out));
        assert_eq!(ctype.as_deref(), Some("application/json"));
        let answers = json_of(&out);
        let answers = answers.as_array().expect("array");
        assert_eq!(answers.len(), pts.len());
        let mut located = 0;
        for (i, ((x, y), a)) in pts.iter().zip(answers).enumerate() {
            assert_eq!((a["lon"].as_f64(), a["lat"].as_f64()), (Some(*x), Some(*y)), "answer {i} out of order");
            if i % 3 == 0 {
                assert_eq!(a["id"], json!(format!("p{i}")));
            } else {
                assert!(a.get("id").is_none());
            }
            let expected = get_commune(server, *x, *y, edition_query);
            assert_eq!(a["commune"], expected, "point {i} ({x}, {y}) {query}");
            located += usize::from(!expected.is_null());
        }
        // Every label point of a 2024 commune is in it; the sea points are in none.
        if query == "?year=2023" {
            assert_eq!(located, pts.len() - 3, "{query}");
        }
    }
}

#[test]
fn csv_batch_appends_columns_and_keeps_rows_with_or_without_header() {
    let server = Server::shared();
    let pts = sample_points();
    let mut with_header = String::from("id,lon,lat,note\n");
    let mut bare = String::new();
    for (i, (x, y)) in pts.iter().enumerate() {
        with_header.push_str(&format!("r{i},{x},{y},\"a, b\"\n"));
        bare.push_str(&format!("{x},{y}\n"));
    }
    // Declared CSV, with a header whose columns are in another order.
    let (status, ctype, _, out) = post(server, "/api/v1/communes/at?year=2024", Some("text/csv"), with_header.as_bytes());
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&out));
    assert!(ctype.unwrap_or_default().starts_with("text/csv"));
    let mut reader = csv::Reader::from_reader(out.as_slice());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers.iter().take(4).collect::<Vec<_>>(), &["id", "lon", "lat", "note"]);
    let col = |n: &str| headers.iter().position(|h| h == n).unwrap_or_else(|| panic!("no column {n}"));
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), pts.len());
    let criteria = criteria_columns(server);
    let first_criterion = col("criteria_set");
    assert_eq!(headers.len(), first_criterion + 1 + criteria.len(), "the criteria columns close the row");
    for (k, (name, _)) in criteria.iter().enumerate() {
        assert_eq!(&headers[first_criterion + 1 + k], name.as_str());
    }
    let mut with_checklist = 0;
    for (i, ((x, y), r)) in pts.iter().zip(&rows).enumerate() {
        if i % 10 == 0 {
            let expected = expected_criteria(server, *x, *y, "&year=2024", &criteria);
            with_checklist += usize::from(!expected[0].is_empty());
            assert_eq!(r.iter().skip(first_criterion).collect::<Vec<_>>(), expected, "row {i}: criteria columns");
        }
        assert_eq!(&r[0], format!("r{i}"));
        assert_eq!(&r[3], "a, b");
        let expected = get_commune(server, *x, *y, "&year=2024");
        let code = expected["code"].as_str().unwrap_or("");
        assert_eq!(&r[col("commune_code")], code, "row {i}");
        assert_eq!(&r[col("district_code")], expected["district"]["code"].as_str().unwrap_or(""));
        assert_eq!(&r[col("province_name")], expected["province"]["name"].as_str().unwrap_or(""));
        let level = match expected["ntm"]["status"].as_str() {
            Some("recorded") => expected["ntm"]["level"].as_str().unwrap(),
            Some(other) => other,
            None => "",
        };
        assert_eq!(&r[col("level")], level, "row {i}");
    }
    assert!(with_checklist > 10, "xã rows carry a checklist ({with_checklist})");
    // No Content-Type and no header: sniffed as CSV, rows come back without a header.
    let (status, _, _, out) = post(server, "/api/v1/communes/at?edition=2025", None, bare.as_bytes());
    assert_eq!(status, 200);
    let rows: Vec<csv::StringRecord> =
        csv::ReaderBuilder::new().has_headers(false).from_reader(out.as_slice()).records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), pts.len());
    for ((x, y), r) in pts.iter().zip(&rows).step_by(25) {
        assert_eq!(r.len(), 12 + 1 + criteria.len(), "edition 2025: the criteria columns are there, empty");
        assert!(r.iter().skip(12).all(|v| v.is_empty()));
        assert_eq!((r[0].parse::<f64>().unwrap(), r[1].parse::<f64>().unwrap()), (*x, *y));
        let expected = get_commune(server, *x, *y, "&edition=2025");
        assert_eq!(&r[2], expected["code"].as_str().unwrap_or(""));
    }
}

#[test]
fn geojson_batch_adds_properties_to_the_features_as_given() {
    let server = Server::shared();
    let pts = sample_points();
    let features: Vec<Value> = pts
        .iter()
        .enumerate()
        .map(|(i, (x, y))| json!({"type": "Feature", "id": i, "properties": {"name": format!("f{i}")},
            "geometry": {"type": "Point", "coordinates": [x, y]}}))
        .collect();
    let body = json!({"type": "FeatureCollection", "features": features});
    // application/json with a FeatureCollection is read as GeoJSON too.
    for ctype in [Some("application/geo+json"), Some("application/json"), None] {
        let (status, answered_type, _, out) = post(server, "/api/v1/communes/at", ctype, &serde_json::to_vec(&body).unwrap());
        assert_eq!(status, 200);
        assert_eq!(answered_type.as_deref(), Some("application/geo+json"));
        let fc: geojson::FeatureCollection = String::from_utf8(out).unwrap().parse::<geojson::GeoJson>().unwrap().try_into().unwrap();
        assert_eq!(fc.features.len(), pts.len());
        assert_eq!(fc.foreign_members.as_ref().and_then(|m| m.get("meta")).and_then(|m| m.get("sample")), Some(&json!(true)));
        for (i, ((x, y), f)) in pts.iter().zip(&fc.features).enumerate().step_by(7) {
            assert_eq!(f.id, Some(geojson::feature::Id::Number(i.into())));
            assert_eq!(f.property("name"), Some(&json!(format!("f{i}"))));
            let expected = get_commune(server, *x, *y, "");
            assert_eq!(f.property("commune_code").unwrap(), &expected["code"], "feature {i}");
            assert_eq!(f.property("commune_name").unwrap(), &expected["name"]);
            assert_eq!(f.property("province_code").unwrap(), &expected["province"]["code"]);
        }
    }
}

#[test]
fn bad_inputs_are_refused_whole_naming_the_point() {
    let server = Server::shared();
    let bad = |ctype: Option<&str>, body: &str, needles: &[&str]| {
        let (status, _, _, out) = post(server, "/api/v1/communes/at", ctype, body.as_bytes());
        let v = json_of(&out);
        assert_eq!(status, 400, "{v}");
        assert_eq!(v["error"]["parameter"], "body");
        let message = v["error"]["message"].as_str().unwrap();
        for n in needles {
            assert!(message.contains(n), "'{message}' should contain '{n}'");
        }
    };
    bad(Some("application/json"), "[[105.9, 21.0], [105.9 21.0]]", &["malformed JSON", "line 1", "column"]);
    bad(Some("application/json"), "lon,lat\n1,2\n", &["malformed JSON"]);
    bad(None, r#"[[105.9, 21.0], {"lon": 105.9}]"#, &["point 1", r#"{"lon":105.9}"#]);
    bad(None, r#"[[105.9, 21.0], [105.9, "21"]]"#, &["point 1", "lat", "\"21\""]);
    bad(None, r#"[[105.9, 21.0], [195.9, 21]]"#, &["point 1", "lon 195.9"]);
    // CSV: the 7th data row is bad (header on line 1, so it is line 8).
    let mut csv = String::from("lon,lat,id\n");
    for i in 1..=10 {
        csv.push_str(&if i == 7 { "105.9,21.x,seven\n".to_string() } else { format!("105.9,21.0,{i}\n") });
    }
    bad(Some("text/csv"), &csv, &["row 7", "line 8", "'21.x'"]);
    // Without a header, row 7 is line 7.
    bad(None, &csv.lines().skip(1).map(|l| format!("{l}\n")).collect::<String>(), &["row 7", "line 7", "'21.x'"]);
    bad(Some("text/csv"), "name,value\nx,1\n", &["no lon column"]);
    bad(Some("text/csv"), "105.9\n", &["row 1", "no lat value"]);
    let fc = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [105.9, 21.0]}},
        {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [105.9, 21.0]}},
        {"type": "Feature", "properties": {}, "geometry": {"type": "LineString", "coordinates": [[105.9, 21.0], [106.0, 21.1]]}}]});
    bad(Some("application/geo+json"), &fc.to_string(), &["feature 2", "LineString", "not a Point"]);
    let no_geometry = json!({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": null}]});
    bad(Some("application/geo+json"), &no_geometry.to_string(), &["feature 0", "no geometry"]);
    bad(Some("application/geo+json"), r#"{"type": "Feature"}"#, &["FeatureCollection"]);
    // Bad parameters are named as for the GET.
    let (status, _, _, out) = post(server, "/api/v1/communes/at?edition=2023", None, b"[[105.9, 21.0]]");
    assert_eq!((status, json_of(&out)["error"]["parameter"].clone()), (400, json!("edition")));
}

#[test]
fn a_hundred_thousand_points_stream_back_and_one_more_is_413() {
    let server = Server::shared();
    // A seeded grid walk over the country, so most points are on land.
    let pts: Vec<[f64; 2]> = (0..100_000u32)
        .map(|i| {
            let (a, b) = ((i * 7919) % 1000, (i * 104_729) % 1000);
            [102.2 + 7.2 * f64::from(a) / 1000.0, 8.6 + 14.7 * f64::from(b) / 1000.0]
        })
        .collect();
    let body = serde_json::to_vec(&pts).unwrap();
    let (status, _, transfer, out) = post(server, "/api/v1/communes/at?edition=2025", None, &body);
    assert_eq!(status, 200);
    assert_eq!(transfer.as_deref(), Some("chunked"), "the answer is streamed");
    let answers = json_of(&out);
    let answers = answers.as_array().unwrap();
    assert_eq!(answers.len(), 100_000);
    for (i, (p, a)) in pts.iter().zip(answers).enumerate().step_by(997) {
        assert_eq!([a["lon"].as_f64().unwrap(), a["lat"].as_f64().unwrap()], *p, "answer {i}");
        assert_eq!(a["commune"], get_commune(server, p[0], p[1], "&edition=2025"), "answer {i}");
    }

    let mut more = pts.clone();
    more.push([105.9, 21.0]);
    for (ctype, body) in [
        ("application/json", serde_json::to_vec(&more).unwrap()),
        ("text/csv", more.iter().map(|p| format!("{},{}\n", p[0], p[1])).collect::<String>().into_bytes()),
    ] {
        let (status, _, _, out) = post(server, "/api/v1/communes/at", Some(ctype), &body);
        let v = json_of(&out);
        assert_eq!(status, 413, "{v}");
        let message = v["error"]["message"].as_str().unwrap();
        assert!(message.contains("100001") && message.contains("100000"), "{message}");
    }
    // 100,000 GeoJSON features with a few properties fit under the body limit ...
    let features: Vec<Value> = pts
        .iter()
        .enumerate()
        .map(|(i, p)| json!({"type": "Feature", "properties": {"id": i, "name": format!("point number {i}"), "source": "survey 2025"},
            "geometry": {"type": "Point", "coordinates": p}}))
        .collect();
    let fc = serde_json::to_vec(&json!({"type": "FeatureCollection", "features": features})).unwrap();
    let (status, _, _, out) = post(server, "/api/v1/communes/at", None, &fc);
    assert_eq!(status, 200, "{} bytes: {}", fc.len(), String::from_utf8_lossy(&out[..out.len().min(300)]));
    // ... and a body past it is a JSON 413 too.
    let huge = vec![b' '; 64 * 1024 * 1024 + 1000];
    let (status, ctype, _, out) = post(server, "/api/v1/communes/at", Some("application/json"), &huge);
    assert_eq!(status, 413);
    assert_eq!(ctype.as_deref(), Some("application/json"));
    assert!(json_of(&out)["error"]["message"].as_str().unwrap().contains("MiB"));
}

// Found by the batch_body fuzz target (fuzz/regressions/batch_body): CSV rows of
// different lengths are read (the reader is flexible), but the answer's writer refused
// every row whose length differed from the first one's, so answers went missing. Rows
// are now padded to the widest, and the appended columns line up under their names.
#[test]
fn csv_rows_of_different_lengths_each_get_their_answer_under_the_header() {
    let server = Server::start(&[]);
    let body = "lon,lat,id\n105.964112,21.002414\n105.85,21.03,b,extra,more\n105.964112,21.002414,c\n";
    let (status, _, _, out) = post(&server, "/api/v1/communes/at", Some("text/csv"), body.as_bytes());
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&out));
    let rows: Vec<csv::StringRecord> =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(out.as_slice()).records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 4, "a header and one row per point: {}", String::from_utf8_lossy(&out));
    let width = 5 + 10 + 1 + criteria_columns(&server).len();
    assert!(rows.iter().all(|r| r.len() == width), "every row as wide as the widest input row plus the appended columns");
    let code = rows[0].iter().position(|h| h == "commune_code").expect("commune_code column");
    assert_eq!(code, 5);
    let duong_xa = get_commune(&server, 105.964112, 21.002414, "")["code"].as_str().unwrap().to_string();
    assert_eq!(&rows[1][code], duong_xa);
    assert_eq!(&rows[3][code], duong_xa);
    assert_eq!(rows[2].iter().skip(2).take(3).collect::<Vec<_>>(), ["b", "extra", "more"]);
    assert!(!rows[2][code].is_empty(), "the long row is answered");
}

#[test]
fn csv_as_excel_saves_it_in_a_vietnamese_locale_is_answered_with_semicolons() {
    let server = Server::shared();
    let pts: Vec<(f64, f64)> = sample_points().into_iter().take(20).collect();
    // BOM, `;` between fields, decimal commas, CRLF: what Excel writes in a vi-VN locale.
    let mut body = String::from("\u{feff}mã;lon;lat\r\n");
    for (i, (x, y)) in pts.iter().enumerate() {
        body.push_str(&format!("d{i};{};{}\r\n", x.to_string().replace('.', ","), y.to_string().replace('.', ",")));
    }
    let (status, ctype, _, out) = post(server, "/api/v1/communes/at?year=2024", Some("text/csv"), body.as_bytes());
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&out));
    assert!(ctype.unwrap_or_default().starts_with("text/csv"));
    let mut reader = csv::ReaderBuilder::new().delimiter(b';').from_reader(out.as_slice());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers.iter().take(3).collect::<Vec<_>>(), &["mã", "lon", "lat"]);
    let code = headers.iter().position(|h| h == "commune_code").expect("commune_code column");
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), pts.len());
    for (i, ((x, y), r)) in pts.iter().zip(&rows).enumerate() {
        assert_eq!(&r[0], format!("d{i}"));
        let expected = get_commune(server, *x, *y, "&year=2024");
        assert_eq!(&r[code], expected["code"].as_str().unwrap_or(""), "row {i}");
    }
    // A decimal comma is not a delimiter in the comma form: refused, naming the value.
    let (status, _, _, out) = post(server, "/api/v1/communes/at", Some("text/csv"), "lon;lat\r\n105,8,1;21\r\n".as_bytes());
    assert_eq!(status, 400, "{}", String::from_utf8_lossy(&out));
    assert!(String::from_utf8_lossy(&out).contains("105,8,1"));
}
