//! Name search over real HTTP against the embedded national data. Expected names,
//! parents and positions are read from the reference tables and the embedded files
//! directly, not through the service.

mod common;
use common::text::{core, fold, url_encode, PROVINCE_PREFIXES};
use common::sources::geodata;
use common::{csv_rows, embedded_label_points, reference, reference_communes, Server};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

fn search(server: &Server, q: &str, extra: &str) -> Vec<Value> {
    let (status, body) = server.get_json(&format!("/api/v1/search?q={}{extra}", url_encode(q)));
    assert_eq!(status, 200, "{q}: {body}");
    assert_eq!(body["meta"]["sample"], true);
    body["hits"].as_array().expect("hits").clone()
}

/// Rows of communes-2024.csv by code: (name, district code, district name, province code, province name).
fn communes_2024() -> HashMap<String, [String; 5]> {
    csv_rows(reference("communes-2024.csv"))
        .into_iter()
        .map(|r| {
            let columns = ["name", "district_code", "district_name", "province_code", "province_name"].map(|k| r[k].clone());
            (r["code"].clone(), columns)
        })
        .collect()
}

fn inside(hit: &Value) -> bool {
    let b: Vec<f64> = hit["bbox"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    let p: Vec<f64> = hit["point"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    b[0] <= p[0] && p[0] <= b[2] && b[1] <= p[1] && p[1] <= b[3] && b[0] < b[2] && b[1] < b[3]
}

#[test]
fn every_spelling_of_duong_xa_finds_the_gia_lam_commune_first() {
    let server = Server::shared();
    let reference = communes_2024();
    let [name, district_code, district_name, province_code, province_name] = &reference["00571"];
    let label = embedded_label_points(2024).into_iter().find(|c| c.code == "00571").expect("00571 embedded");
    for q in ["duong xa", "Dương Xá", "duongxa", "duong sa", "DUONG XA", "Xã Dương Xá", "duong x"] {
        let hits = search(server, q, "");
        let first = &hits[0];
        assert_eq!((first["kind"].as_str(), first["code"].as_str()), (Some("commune"), Some("00571")), "{q}: {hits:?}");
        assert_eq!(first["name"], name.as_str());
        assert_eq!(first["edition"], 2024);
        assert_eq!(first["label"], format!("{name}, {district_name}, {province_name}"));
        let parents = first["parents"].as_array().unwrap();
        assert_eq!(parents[0]["kind"], "district");
        assert_eq!(parents[0]["code"], district_code.as_str());
        assert_eq!(parents[1]["kind"], "province");
        assert_eq!(parents[1]["code"], province_code.as_str());
        assert_eq!(first["point"][0].as_f64(), Some(label.lon));
        assert_eq!(first["point"][1].as_f64(), Some(label.lat));
        assert!(inside(first), "{first}");
        // Best first.
        let scores: Vec<f64> = hits.iter().map(|h| h["score"].as_f64().unwrap()).collect();
        assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{q}: {scores:?}");
    }
    // A sound-alike typo ranks below the exact spelling.
    let typo = search(server, "duong sa", "")[0]["score"].as_f64().unwrap();
    assert!(typo < search(server, "duong xa", "")[0]["score"].as_f64().unwrap());
}

#[test]
fn phu_cat_spelt_finds_the_quoc_oai_commune_first_and_the_edition_decides_between_editions() {
    let server = Server::shared();
    let reference = communes_2024();
    // "phu cat" folds to the names of Xã Phú Cát (Quốc Oai) and of Huyện Phù Cát: equal
    // scores, and the larger unit first; spelt with its tone marks, the name decides,
    // composed or decomposed, whichever vowel carries the mark.
    let hits = search(server, "phu cat", "");
    assert_eq!((hits[0]["kind"].as_str(), hits[0]["name"].as_str()), (Some("district"), Some("Huyện Phù Cát")), "{hits:?}");
    assert!(hits.iter().any(|h| h["code"] == "09922"), "{hits:?}");
    for q in ["Phú Cát", "xã phú cát", "Phu\u{301} Ca\u{301}t"] {
        let hits = search(server, q, "");
        assert_eq!(hits[0]["code"], "09922", "{q}: {hits:?}");
        assert_eq!(hits[0]["parents"][0]["name"], reference["09922"][2].as_str()); // Huyện Quốc Oai
    }
    let hits = search(server, "Phù Cát", "");
    assert_eq!(hits[0]["name"], "Huyện Phù Cát", "{hits:?}");
    // A tone mark on either vowel of "uy" is the same spelling: "Gia Thuỷ" is Gia Thủy
    // (written with the mark on the u), not Gia Thụy, whose code comes first.
    let code_of = |name: &str| reference.iter().find(|(_, r)| r[0].ends_with(name)).map(|(code, _)| code.clone()).expect(name);
    let (thuy_hoi, thuy_nang) = (code_of(" Gia Thủy"), code_of(" Gia Thụy"));
    assert!(thuy_nang < thuy_hoi, "the tie-break by code alone would put Gia Thụy first");
    let hits = search(server, "Gia Thu\u{1EF7}", "");
    assert_eq!(hits[0]["code"], thuy_hoi.as_str(), "{hits:?}");
    // Asking for edition 2025 puts the 2025 commune of that name first.
    let names_2025: HashMap<String, String> = reference_communes(2025).into_iter().map(|c| (c.code, c.name)).collect();
    let hits = search(server, "Phú Cát", "&edition=2025");
    assert_eq!(hits[0]["edition"], 2025, "{hits:?}");
    assert_eq!(hits[0]["name"], names_2025[hits[0]["code"].as_str().unwrap()].as_str());
    assert_eq!(hits[0]["name"], "Xã Phú Cát");
}

#[test]
fn districts_provinces_pilots_and_tourism_sites_are_found_by_name() {
    let server = Server::shared();
    let reference = communes_2024();
    // A district: Huyện Gia Lâm, with its province as parent, its box holding all its communes' centroids.
    let hits = search(server, "huyen gia lam", "");
    let d = &hits[0];
    assert_eq!((d["kind"].as_str(), d["code"].as_str(), d["name"].as_str()), (Some("district"), Some("018"), Some("Huyện Gia Lâm")), "{hits:?}");
    assert_eq!(d["parents"][0]["code"], "01");
    assert!(inside(d));
    let b: Vec<f64> = d["bbox"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    for c in reference_communes(2024).iter().filter(|c| reference[&c.code][1] == "018") {
        assert!(b[0] <= c.lon && c.lon <= b[2] && b[1] <= c.lat && c.lat <= b[3], "{} outside the district box", c.code);
    }
    // Without the prefix, the district is among the hits.
    assert!(search(server, "gia lam", "").iter().any(|h| h["kind"] == "district" && h["code"] == "018"));
    // A province, in the edition asked for first.
    for edition in [2024, 2025] {
        let hits = search(server, "ha noi", &format!("&edition={edition}"));
        assert_eq!((hits[0]["kind"].as_str(), hits[0]["code"].as_str()), (Some("province"), Some("01")), "{hits:?}");
        assert_eq!(hits[0]["edition"], edition);
        assert!(inside(&hits[0]));
    }
    // A tourism site and a pilot, from the embedded files read directly.
    let site = csv_rows(geodata("tourism.csv")).swap_remove(0);
    let hits = search(server, &site["name"], "");
    let hit = hits.iter().find(|h| h["kind"] == "tourism" && h["code"] == site["id"].as_str()).unwrap_or_else(|| panic!("{hits:?}"));
    assert_eq!(hit["edition"], Value::Null);
    assert_eq!(hit["parents"][0]["code"], site["commune_code"].as_str());
    assert_eq!((hit["point"][0].as_f64().unwrap(), hit["point"][1].as_f64().unwrap()), (site["lon"].parse().unwrap(), site["lat"].parse().unwrap()));
    let pilot = csv_rows(geodata("pilots.csv")).swap_remove(0);
    let hits = search(server, &fold(&pilot["name"]), "");
    let hit = hits.iter().find(|h| h["kind"] == "pilot" && h["code"] == pilot["id"].as_str()).unwrap_or_else(|| panic!("{hits:?}"));
    assert_eq!(hit["score"].as_f64(), Some(1.0));
    assert_eq!(hit["parents"][0]["code"], pilot["commune_code"].as_str());
    // Every hit of all these queries has its point inside its box.
    for q in ["duong", "lang gom", "xa ntm thong minh", "phuong", "da nang", "can tho", "ba dinh"] {
        for h in search(server, q, "&limit=50") {
            assert!(inside(&h), "{q}: {h}");
        }
    }
}

#[test]
fn addresses_written_with_the_usual_abbreviations_or_in_english_find_what_they_name_first() {
    let server = Server::shared();
    let rows = csv_rows(reference("communes-2024.csv"));
    // Phường 1 of Quận 3, Hồ Chí Minh City; Thành phố Hà Tĩnh and Thị xã Sa Pa (districts).
    let ward = rows.iter().find(|r| r["name"] == "Phường 1" && r["district_name"] == "Quận 3").expect("Phường 1, Quận 3");
    let district = |name: &str| rows.iter().find(|r| r["district_name"] == name).unwrap_or_else(|| panic!("{name}"))["district_code"].clone();
    let hcm = rows.iter().find(|r| r["province_name"] == "Thành phố Hồ Chí Minh").expect("Hồ Chí Minh City")["province_code"].clone();
    let phu_cat = rows.iter().find(|r| r["name"] == "Xã Phú Cát" && r["district_name"] == "Huyện Quốc Oai").expect("Phú Cát, Quốc Oai");
    let cases = [
        ("Phường 1, Quận 3, TP HCM", "commune", ward["code"].clone()),
        ("P1 Q3 TPHCM", "commune", ward["code"].clone()),
        ("P. 1, Q. 3, TP.HCM", "commune", ward["code"].clone()),
        ("phuong 1 q3", "commune", ward["code"].clone()),
        ("TP Hà Tĩnh", "district", district("Thành phố Hà Tĩnh")),
        ("tx sa pa", "district", district("Thị xã Sa Pa")),
        ("TP HCM", "province", hcm.clone()),
        ("hcm", "province", hcm.clone()),
        // As an English text writes them: the kind after the name, names without spaces.
        ("Ho Chi Minh City", "province", hcm),
        ("Gia Lam District", "district", district("Huyện Gia Lâm")),
        ("Phu Cat Commune, Quoc Oai District, Hanoi", "commune", phu_cat["code"].clone()),
        ("Dong Anh District, Hanoi", "district", district("Huyện Đông Anh")),
        ("Duong Xa, Gia Lam, Hanoi", "commune", "00571".to_string()),
    ];
    for (q, kind, code) in cases {
        let hits = search(server, q, "&edition=2024");
        assert!(!hits.is_empty(), "{q}: no hit");
        assert_eq!((hits[0]["kind"].as_str(), hits[0]["code"].as_str()), (Some(kind), Some(code.as_str())), "{q}: {:?}", &hits[..hits.len().min(3)]);
    }
    // No unit's name of either edition has an abbreviation or an English type word as a
    // word, so writing them out or leaving them out loses no name.
    for r in rows.iter().chain(&csv_rows(reference("communes-2025.csv"))) {
        for name in ["name", "district_name", "province_name"].iter().filter_map(|k| r.get(*k)) {
            let words: Vec<String> = fold(name).split(|c: char| !c.is_alphanumeric()).map(str::to_string).collect();
            let english = ["city", "province", "district", "town", "township", "commune", "ward", "village"];
            for abbreviation in ["tp", "tx", "tt", "tphcm", "hcm", "hn", "brvt"].into_iter().chain(english) {
                assert!(!words.iter().any(|w| w == abbreviation), "{name} has the word {abbreviation}");
            }
        }
    }
}

#[test]
fn a_province_s_bare_name_finds_the_province_first_before_the_communes_of_that_name() {
    let server = Server::shared();
    for (edition, file) in [(2024, "communes-2024.csv"), (2025, "communes-2025.csv")] {
        let provinces: BTreeMap<String, String> = csv_rows(reference(file)).into_iter().map(|r| (r["province_code"].clone(), r["province_name"].clone())).collect();
        let mut shared = 0;
        for (code, name) in &provinces {
            let q = fold(core(name, &PROVINCE_PREFIXES));
            let hits = search(server, &q, &format!("&edition={edition}"));
            let first = &hits[0];
            assert_eq!((first["kind"].as_str(), first["code"].as_str(), first["edition"].as_u64()), (Some("province"), Some(code.as_str()), Some(edition)), "{q} on {edition}: {hits:?}");
            shared += hits.iter().any(|h| h["kind"] == "commune" && h["score"] == first["score"]) as usize;
        }
        // Many a province shares its name with communes ("Phú Thọ", "Quảng Ninh"): those
        // are what the order decides.
        assert!(shared >= 5, "{shared} province names on {edition} are also a commune's");
    }
}

#[test]
fn limits_and_bad_parameters() {
    let server = Server::shared();
    assert_eq!(search(server, "xa", "&limit=50").len(), 50);
    assert_eq!(search(server, "xa", "").len(), 10);
    assert_eq!(search(server, "xa", "&limit=1").len(), 1);
    assert!(search(server, "qqqqqqqq", "").is_empty());
    for (query, parameter) in [
        ("", "q"),
        ("?q=", "q"),
        ("?q=%20%20", "q"),
        ("?q=duong&limit=0", "limit"),
        ("?q=duong&limit=51", "limit"),
        ("?q=duong&limit=ten", "limit"),
        ("?q=duong&edition=2023", "edition"),
    ] {
        let (status, body) = server.get_json(&format!("/api/v1/search{query}"));
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(body["error"]["parameter"], parameter, "{query}: {body}");
    }
}
