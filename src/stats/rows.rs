//! Statistics as a tidy table, one row per measure: `scope,edition,year,measure,value`.
//!
//! Steps: 1. walk the JSON answer (without `scope` and `meta`); 2. name each number or
//! flag by its path, with series items keyed by year, criteria and targets by id
//! (`communes.ntm_share`, `series.2023.ntm`, `criteria.xa_ntm_2021.8.4.share`,
//! `targets.ntm_share.met`); text fields (labels, sources) are left out; a null value is
//! an empty cell.

use serde_json::Value;

/// `(measure, value)` rows of a statistics answer, in the order of its JSON keys.
pub fn rows(stats: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Value::Object(map) = stats {
        for (key, value) in map.iter().filter(|(k, _)| *k != "scope" && *k != "meta") {
            walk(key, key, value, &mut out);
        }
    }
    out
}

fn walk(section: &str, path: &str, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                walk(section, &format!("{path}.{k}"), v, out);
            }
        }
        Value::Array(items) => {
            for (n, item) in items.iter().enumerate() {
                // Series items are named by year, criteria and targets by id.
                let key = match (item.get("year"), item.get("id")) {
                    (Some(y), _) if section == "series" => y.to_string(),
                    (_, Some(Value::String(id))) => id.clone(),
                    _ => n.to_string(),
                };
                walk(section, &format!("{path}.{key}"), item, out);
            }
        }
        Value::Number(n) => out.push((path.to_string(), n.to_string())),
        Value::Bool(b) => out.push((path.to_string(), b.to_string())),
        Value::Null => out.push((path.to_string(), String::new())),
        Value::String(_) => {}
    }
}

/// The rows as CSV text with a header, each row prefixed by the scope (`nation`,
/// `province:01`, `district:018`), edition and year.
pub fn to_csv(scope: &str, edition: u16, year: u16, rows: &[(String, String)]) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["scope", "edition", "year", "measure", "value"])?;
    let (edition, year) = (edition.to_string(), year.to_string());
    for (measure, value) in rows {
        w.write_record([scope, edition.as_str(), year.as_str(), measure.as_str(), value.as_str()])?;
    }
    let bytes = w.into_inner().map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_name_series_by_year_and_targets_by_id() {
        let v = json!({
            "scope": {"edition": 2024},
            "communes": {"total": 3, "ntm_share": 0.5, "nang_cao_share_of_ntm": null},
            "series": [{"year": 2021, "ntm": 1}, {"year": 2022, "ntm": 2}],
            "targets": [{"id": "ntm_share", "label": {"vi": "x", "en": "y"}, "target": 0.8, "met": false}],
            "meta": {"sample": true}
        });
        let r = rows(&v);
        let get = |m: &str| r.iter().find(|(k, _)| k == m).map(|(_, v)| v.as_str());
        assert_eq!(get("communes.total"), Some("3"));
        assert_eq!(get("communes.ntm_share"), Some("0.5"));
        assert_eq!(get("communes.nang_cao_share_of_ntm"), Some(""));
        assert_eq!(get("series.2022.ntm"), Some("2"));
        assert_eq!(get("targets.ntm_share.target"), Some("0.8"));
        assert_eq!(get("targets.ntm_share.met"), Some("false"));
        assert!(r.iter().all(|(k, _)| !k.starts_with("scope") && !k.starts_with("meta") && !k.contains("label")));
        let csv = to_csv("province:01", 2024, 2025, &r).unwrap();
        assert!(csv.starts_with("scope,edition,year,measure,value\n"), "{csv}");
        assert!(csv.contains("\nprovince:01,2024,2025,communes.total,3\n"), "{csv}");
        assert_eq!(csv.lines().count(), r.len() + 1);
    }
}
