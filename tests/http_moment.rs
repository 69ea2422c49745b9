//! `?date=YYYY-MM-DD` wherever `year` is taken: the state on a day, from the recognition
//! dates of the results file, read here with a plain CSV reader; and years that come from
//! the data (meta, the default year, refusals naming the parameter).

mod common;

use common::sources::geodata;
use common::{csv_rows, Server};
use serde_json::Value;

/// A recognition of 2022–2025 dated inside its year, with the level before it.
struct Dated {
    code: String,
    day: String,
    day_before: String,
    level: String,
    level_before: String,
}

fn dated_recognitions() -> Vec<Dated> {
    let rows = csv_rows(geodata("results-communes.csv"));
    let mut out = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let year: u16 = r["year"].parse().unwrap();
        let day = &r["recognized_on"];
        // A day after the 1st of the month, so the day before is the same month.
        if !(2022..=2025).contains(&year) || day.len() != 10 || !day.starts_with(&r["year"]) || &day[8..] <= "01" {
            continue;
        }
        // The file lists a commune's rows together, oldest first.
        let Some(prev) = i.checked_sub(1).map(|p| &rows[p]).filter(|p| p["code"] == r["code"]) else { continue };
        if prev["recognized_on"].as_str() >= day.as_str() {
            continue;
        }
        let before: u32 = day[8..].parse().unwrap();
        out.push(Dated {
            code: r["code"].clone(),
            day: day.clone(),
            day_before: format!("{}{:02}", &day[..8], before - 1),
            level: r["level"].clone(),
            level_before: prev["level"].clone(),
        });
    }
    out
}

#[test]
fn a_day_shows_the_level_recognised_by_that_day() {
    let server = Server::shared();
    let dated = dated_recognitions();
    assert!(dated.len() >= 20, "the sample results have dated recognitions ({})", dated.len());
    for d in dated.iter().step_by(dated.len() / 20) {
        let level_on = |day: &str| {
            let (status, body) = server.get_json(&format!("/api/v1/communes/{}?date={day}", d.code));
            assert_eq!(status, 200, "{body}");
            assert_eq!(body["date"], day, "the answer names the day");
            body["level"].as_str().unwrap().to_string()
        };
        assert_eq!(level_on(&d.day), d.level, "{} on {}", d.code, d.day);
        assert_eq!(level_on(&d.day_before), d.level_before, "{} on {} (the day before its recognition)", d.code, d.day_before);
    }
    // Exports and tiles take the day too: the export's level column agrees with the detail.
    let d = &dated[0];
    let export = server.get_raw(&format!("/api/v1/export/communes.csv?date={}", d.day_before), &[]);
    assert_eq!(export.status, 200);
    let mut reader = csv::Reader::from_reader(export.body.as_slice());
    let headers = reader.headers().unwrap().clone();
    let col = |n: &str| headers.iter().position(|h| h == n).unwrap();
    let row = reader.records().map(|r| r.unwrap()).find(|r| r[col("code")] == *d.code).expect("the commune is exported");
    assert_eq!(&row[col("level")], d.level_before);
    assert_eq!(server.get_raw(&format!("/tiles/ntm/5/25/14.mvt?date={}", d.day), &[]).status, 200);
}

#[test]
fn statistics_on_a_day_count_the_recognitions_dated_by_then() {
    let server = Server::shared();
    let xa: std::collections::HashSet<String> =
        csv_rows(common::reference("communes-2024.csv")).into_iter().filter(|r| r["kind"] == "Xã").map(|r| r["code"].clone()).collect();
    let rows = csv_rows(geodata("results-communes.csv"));
    // NTM xã on a day, from the file: the latest row dated by then (a dateless row from its
    // year's end) is đạt chuẩn or above.
    let ntm_on = |day: &str| {
        let mut latest: std::collections::HashMap<&str, (&str, &str)> = std::collections::HashMap::new();
        for r in &rows {
            let dated = if r["recognized_on"].is_empty() { format!("{}-12-31", r["year"]) } else { r["recognized_on"].clone() };
            if dated.as_str() <= day && xa.contains(&r["code"]) {
                let entry = latest.entry(&r["code"]).or_insert(("", ""));
                if r["year"].as_str() >= entry.0 {
                    *entry = (&r["year"], &r["level"]);
                }
            }
        }
        latest.values().filter(|(_, level)| *level != "chua_dat").count()
    };
    let dated = dated_recognitions();
    let d = dated.iter().find(|d| d.level_before == "chua_dat" && d.level == "dat_chuan").expect("a dated đạt chuẩn recognition");
    for day in [&d.day_before, &d.day] {
        let (status, body) = server.get_json(&format!("/api/v1/stats?date={day}"));
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["communes"]["ntm"].as_u64(), Some(ntm_on(day) as u64), "NTM xã on {day}");
    }
    assert!(ntm_on(&d.day) > ntm_on(&d.day_before), "the day's recognition counts");
}

#[test]
fn years_come_from_the_data_and_bad_moments_name_their_parameter() {
    let server = Server::shared();
    let (_, meta) = server.get_json("/api/v1/meta");
    let years: Vec<u16> = meta["meta"]["years"].as_array().expect("meta.years").iter().map(|y| y.as_u64().unwrap() as u16).collect();
    let last_result_year = csv_rows(geodata("results-communes.csv")).iter().map(|r| r["year"].parse::<u16>().unwrap()).max().unwrap();
    assert_eq!(years.last(), Some(&last_result_year), "the last year is the data's");
    assert_eq!(years.first(), Some(&2021), "the first year is the first criteria set's");
    // The default year is the last one.
    let (_, body) = server.get_json("/api/v1/communes/00571");
    assert_eq!(body["year"], Value::from(last_result_year));
    for (query, parameter) in [
        (format!("year={}", last_result_year + 1), "year"),
        ("year=2020".to_string(), "year"),
        ("date=2023-02-29".to_string(), "date"),
        ("date=2019-06-30".to_string(), "date"),
        ("date=2023-06-30&year=2024".to_string(), "date"),
    ] {
        for path in ["/api/v1/communes/00571", "/api/v1/communes/at?lon=105.964112&lat=21.002414", "/api/v1/export/communes.csv"] {
            let sep = if path.contains('?') { '&' } else { '?' };
            let (status, body) = server.get_json(&format!("{path}{sep}{query}"));
            assert_eq!(status, 400, "{path}{sep}{query}: {body}");
            assert_eq!(body["error"]["parameter"], parameter, "{path}{sep}{query}");
        }
    }
}
