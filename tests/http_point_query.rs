//! Point queries over real HTTP against the embedded national data.

mod common;
use common::{embedded_label_points, reference_communes, sources::results, Server};

#[test]
fn every_commune_centroid_returns_that_commune_in_both_editions() {
    let server = Server::shared();
    for edition in [2024u16, 2025] {
        let communes = embedded_label_points(edition);
        assert_eq!(communes.len(), reference_communes(edition).len(), "every reference commune has a cell");
        let mut wrong = Vec::new();
        for c in &communes {
            let (status, body) = server.get_json(&format!(
                "/api/v1/communes/at?lon={}&lat={}&edition={edition}&radius_m=0",
                c.lon, c.lat
            ));
            let got = body["commune"]["code"].as_str().unwrap_or("none").to_string();
            if status != 200 || got != c.code {
                wrong.push(format!("{} {} -> {status} {got}", c.code, c.name));
            }
        }
        assert!(wrong.is_empty(), "edition {edition}: {} wrong, e.g. {:?}", wrong.len(), &wrong[..wrong.len().min(10)]);
    }
}

#[test]
fn duong_xa_centroid_answers_duong_xa_gia_lam_ha_noi_with_its_pilot() {
    let server = Server::shared();
    let (status, body) = server.get_json("/api/v1/communes/at?lon=105.964112&lat=21.002414");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["commune"]["name"], "Xã Dương Xá");
    assert_eq!(body["commune"]["kind"], "xa");
    assert_eq!(body["district"]["name"], "Huyện Gia Lâm");
    assert_eq!(body["province"]["name"], "Thành phố Hà Nội");
    assert_eq!(body["edition"], 2024);
    assert_eq!(body["year"], 2025);
    // The level in force is a recorded level with its year.
    assert_eq!(body["ntm"]["status"], "recorded", "{body}");
    assert!(body["ntm"]["level"].is_string());
    let pilots = body["pilots"].as_array().expect("pilots");
    let own = pilots
        .iter()
        .find(|p| p["commune"] == "00571" && p["kind"] == "smart_commune")
        .unwrap_or_else(|| panic!("Dương Xá smart-commune pilot not nearby: {pilots:?}"));
    assert!(own["distance_m"].as_f64().expect("distance") < 1_000.0);
    // Sorted nearest first.
    let distances: Vec<f64> = pilots.iter().map(|p| p["distance_m"].as_f64().unwrap()).collect();
    assert!(distances.windows(2).all(|w| w[0] <= w[1]), "{distances:?}");
    // Every answer says the data is a sample.
    assert_eq!(body["meta"]["sample"], true);
    assert!(body["meta"]["notice"].as_str().unwrap().contains("SAMPLE"));
}

#[test]
fn the_level_in_force_follows_the_year() {
    let server = Server::shared();
    let results = results();
    // Communes whose level changed between 2021 and 2025, each asked at its label point
    // for every year: the answer must be the latest recognition of that year or before,
    // counted here from results-communes.csv (a service answering the first record, or
    // one ignoring the year, gives another level or year on most of them).
    let changed: Vec<_> = embedded_label_points(2024)
        .into_iter()
        .filter(|c| results.history(&c.code).len() >= 2 && results.in_force(&c.code, 2021) != results.in_force(&c.code, 2025))
        .collect();
    assert!(changed.len() >= 100, "only {} communes change level in 2021–2025", changed.len());
    let (mut answers, mut latest_not_first) = (0, 0);
    for c in changed.iter().step_by(changed.len() / 60) {
        let history = results.history(&c.code);
        for year in 2021..=2025u16 {
            let (status, body) =
                server.get_json(&format!("/api/v1/communes/at?lon={}&lat={}&year={year}&radius_m=0", c.lon, c.lat));
            assert_eq!(status, 200, "{} in {year}: {body}", c.code);
            assert_eq!(body["commune"]["code"], c.code.as_str(), "the label point of {} answers another commune", c.code);
            let ntm = &body["ntm"];
            match results.in_force(&c.code, year) {
                None => assert_eq!(ntm["status"], "no_data", "{} in {year}: nothing recognised yet, got {ntm}", c.code),
                Some(want) => {
                    let got = (ntm["status"].as_str(), ntm["level"].as_str(), ntm["year"].as_u64(), ntm["criteria_met"].as_u64());
                    let expected = (Some("recorded"), Some(want.level.as_str()), Some(u64::from(want.year)), want.criteria_met.map(u64::from));
                    assert_eq!(got, expected, "{} {} in {year}, history {history:?}", c.code, c.name);
                    if want != &history[0] {
                        latest_not_first += 1;
                    }
                }
            }
            answers += 1;
        }
    }
    assert!(answers >= 300, "only {answers} answers were compared");
    assert!(latest_not_first >= 60, "only {latest_not_first} answers had a record in force other than the first");
}

#[test]
fn edition_2025_has_no_district_and_counts_former_communes() {
    let server = Server::shared();
    let (status, body) = server.get_json("/api/v1/communes/at?lon=105.964112&lat=21.002414&edition=2025&year=2024");
    assert_eq!(status, 200, "{body}");
    assert!(body["district"].is_null());
    assert!(body["ntm"].is_null());
    let f = &body["former_communes"];
    let total = f["total"].as_u64().unwrap();
    assert!(total >= 1, "{body}");
    let parts: u64 = ["not_applicable", "no_data", "chua_dat", "dat_chuan", "nang_cao", "kieu_mau"]
        .iter()
        .map(|k| f[k].as_u64().unwrap())
        .sum();
    assert_eq!(parts, total);
}

#[test]
fn bad_parameters_get_400_naming_the_parameter_and_sea_gets_404() {
    let server = Server::shared();
    for (query, parameter) in [
        ("lon=105.9", "lat"),
        ("lat=21", "lon"),
        ("lon=abc&lat=21", "lon"),
        ("lon=105.9&lat=95", "lat"),
        ("lon=105.9&lat=21&year=2019", "year"),
        ("lon=105.9&lat=21&edition=2023", "edition"),
        ("lon=105.9&lat=21&radius_m=-5", "radius_m"),
        ("lon=105.9&lat=21&radius_m=1e9", "radius_m"),
    ] {
        let (status, body) = server.get_json(&format!("/api/v1/communes/at?{query}"));
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(body["error"]["parameter"], parameter, "{query}: {body}");
        assert!(!body["error"]["message"].as_str().unwrap().is_empty());
    }
    // The open sea between the coast and the Paracels.
    let (status, body) = server.get_json("/api/v1/communes/at?lon=110.0&lat=14.0");
    assert_eq!(status, 404, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("no commune"), "{body}");
}

#[test]
fn encoded_and_repeated_parameters_are_read_like_a_form() {
    let server = Server::start(&[]);
    // `%2E` is '.', `+` a space (trimmed); a repeated parameter takes its last value.
    let (status, body) = server.get_json("/api/v1/communes/at?lon=105%2E964112&lat=0&lat=+21.002414&edition=%32024");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["commune"]["code"], "00571", "{body}");
    let (status, body) = server.get_json("/api/v1/communes/at?lon=105%2C9&lat=21");
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["parameter"], "lon", "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("'105,9'"), "{body}");
}

#[test]
fn concurrent_keep_alive_clients_are_all_answered_by_every_worker_count() {
    // Connections are dealt round robin to the HTTP workers; each worker must serve every
    // connection it is dealt, for as long as the client keeps it open.
    for workers in ["1", "3"] {
        let server = Server::start(&["--http-workers", workers]);
        let base = server.url("/api/v1/communes/at?lon=105.964112&lat=21.002414&edition=2025");
        let answers: Vec<Vec<String>> = std::thread::scope(|s| {
            let clients: Vec<_> = (0..8)
                .map(|_| {
                    s.spawn(|| {
                        // One agent per client: its own keep-alive connection.
                        let agent = ureq::AgentBuilder::new().timeout(std::time::Duration::from_secs(60)).build();
                        (0..25)
                            .map(|_| {
                                let body: serde_json::Value = agent.get(&base).call().expect("200").into_json().expect("JSON");
                                body["commune"]["code"].as_str().unwrap_or("none").to_string()
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            clients.into_iter().map(|c| c.join().expect("client")).collect()
        });
        let all: Vec<&String> = answers.iter().flatten().collect();
        assert_eq!(all.len(), 200, "workers {workers}");
        assert_ne!(all[0], "none", "workers {workers}");
        assert!(all.iter().all(|c| *c == all[0]), "workers {workers}: {all:?}");
    }
    let failed = Server::try_start(&["--http-workers", "0"]).err().expect("0 workers must not start");
    assert!(failed.stderr.contains("--http-workers"), "{}", failed.stderr);
}
