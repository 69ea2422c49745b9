//! Query-parameter parsing with errors that name the parameter.
//!
//! Handlers read parameters through [`ParamSource`]: either the `HashMap` axum's
//! `Query` extractor builds, or [`QueryPairs`], which borrows from the raw query string
//! and decodes a value only when it is percent- or plus-encoded (the point query, the
//! hottest route, parses its parameters without allocating a string per pair).

use super::ApiError;
use crate::model::{AsOf, CriteriaCatalog, Day, Edition, LonLat, PointKinds};
use crate::style::{Style, Theme, Themed};
use crate::tile::TileView;
use crate::query::{DEFAULT_EDITION, DEFAULT_RADIUS_M, MAX_RADIUS_M};
use std::ops::RangeInclusive;
use std::borrow::Cow;
use std::collections::HashMap;

pub type Params = HashMap<String, String>;

/// Where a handler's query parameters come from.
pub trait ParamSource {
    /// The (decoded) value of parameter `name`, the last one when it is repeated.
    fn param(&self, name: &str) -> Option<&str>;
}

impl ParamSource for Params {
    fn param(&self, name: &str) -> Option<&str> {
        self.get(name).map(String::as_str)
    }
}

/// The `name=value` pairs of a raw query string (`application/x-www-form-urlencoded`),
/// borrowed from it unless a pair needs decoding.
pub struct QueryPairs<'a>(Vec<(Cow<'a, str>, Cow<'a, str>)>);

impl<'a> QueryPairs<'a> {
    pub fn parse(query: &'a str) -> Self {
        QueryPairs(form_urlencoded::parse(query.as_bytes()).collect())
    }
}

impl ParamSource for QueryPairs<'_> {
    fn param(&self, name: &str) -> Option<&str> {
        // The last occurrence wins, as when axum's `Query` fills a map.
        self.0.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v.as_ref())
    }
}

fn number(params: &impl ParamSource, name: &'static str) -> Result<Option<f64>, ApiError> {
    match params.param(name).map(|s| s.trim()) {
        None | Some("") => Ok(None),
        Some(text) => match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(Some(v)),
            _ => Err(ApiError::bad(name, format!("'{text}' is not a number"))),
        },
    }
}

fn required(params: &impl ParamSource, name: &'static str) -> Result<f64, ApiError> {
    number(params, name)?.ok_or_else(|| ApiError::bad(name, format!("the parameter '{name}' is required")))
}

/// `lon` and `lat` in WGS84 degrees, inside Vietnam's extent.
pub fn position(params: &impl ParamSource) -> Result<LonLat, ApiError> {
    let lon = required(params, "lon")?;
    let lat = required(params, "lat")?;
    if !(-180.0..=180.0).contains(&lon) {
        return Err(ApiError::bad("lon", format!("{lon} is not a longitude (-180 to 180)")));
    }
    if !(-90.0..=90.0).contains(&lat) {
        return Err(ApiError::bad("lat", format!("{lat} is not a latitude (-90 to 90)")));
    }
    Ok(LonLat::new(lon, lat))
}

pub fn edition(params: &impl ParamSource) -> Result<Edition, ApiError> {
    match params.param("edition").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(DEFAULT_EDITION),
        Some(text) => Edition::parse(text).map_err(|e| ApiError::bad("edition", e.to_string())),
    }
}

/// The moment to read the data at ([`AsOf::resolve`]): `date` (`YYYY-MM-DD`, the state on
/// that day) or else the end of `year`.
pub fn as_of(params: &impl ParamSource, years: &RangeInclusive<u16>) -> Result<AsOf, ApiError> {
    let day = match params.param("date").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => None,
        Some(text) => Some(Day::parse(text).map_err(|e| ApiError::bad("date", e.to_string()))?),
    };
    AsOf::resolve(given_year(params)?, day, years).map_err(|e| ApiError::bad(e.parameter, e.message))
}

fn given_year(params: &impl ParamSource) -> Result<Option<u16>, ApiError> {
    match params.param("year").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(text) => text.parse::<u16>().map(Some).map_err(|_| ApiError::bad("year", format!("'{text}' is not a year"))),
    }
}

/// `theme`: `level` (the default) or a criterion or indicator of `catalog` for `view`
/// ([`Theme::parse`]).
pub fn theme(params: &impl ParamSource, catalog: &CriteriaCatalog, view: TileView) -> Result<Theme, ApiError> {
    Theme::parse(params.param("theme"), catalog, view).map_err(|e| ApiError::bad("theme", e.0))
}

/// `theme` read and paired with `style` (a style without criterion classes refuses
/// criterion themes).
pub fn themed<'a>(params: &impl ParamSource, style: &'a Style, catalog: &'a CriteriaCatalog, view: TileView) -> Result<Themed<'a>, ApiError> {
    Themed::new(style, theme(params, catalog, view)?, catalog).map_err(|e| ApiError::bad("theme", e.0))
}

/// `labels` of PNG tiles and static maps: `true` (the default) draws the names, `false`
/// leaves them out.
pub fn labels(params: &impl ParamSource) -> Result<bool, ApiError> {
    match params.param("labels").map(str::trim).filter(|t| !t.is_empty()) {
        None | Some("true" | "1") => Ok(true),
        Some("false" | "0") => Ok(false),
        Some(other) => Err(ApiError::bad("labels", format!("'{other}' is not true or false"))),
    }
}

/// `hide` of PNG tiles and static maps: the kinds of point left out, as the viewer's
/// legend switches write them (`tourism:homestay,pilots:smart_village`); none by default.
pub fn hidden_points(params: &impl ParamSource) -> Result<PointKinds, ApiError> {
    PointKinds::parse(params.param("hide").unwrap_or("")).map_err(|e| ApiError::bad("hide", e))
}

pub fn radius_m(params: &impl ParamSource) -> Result<f64, ApiError> {
    match number(params, "radius_m")? {
        None => Ok(DEFAULT_RADIUS_M),
        Some(r) if (0.0..=MAX_RADIUS_M).contains(&r) => Ok(r),
        Some(r) => Err(ApiError::bad("radius_m", format!("{r} is outside 0–{MAX_RADIUS_M} metres"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_pairs_decode_and_the_last_repeat_wins() {
        let q = QueryPairs::parse("lon=105.96&lat=21.0%30&edition=2025&lat=21.5&q=d%C6%B0%C6%A1ng+x%C3%A1");
        assert_eq!(q.param("lon"), Some("105.96"));
        assert_eq!(q.param("lat"), Some("21.5"));
        assert_eq!(q.param("q"), Some("dương xá"));
        assert_eq!(q.param("year"), None);
        let p = position(&q).expect("position");
        assert_eq!((p.lon, p.lat), (105.96, 21.5));
        assert_eq!(edition(&q).expect("edition"), Edition::E2025);
    }

    #[test]
    fn the_moment_is_a_day_or_a_year_end_within_the_data() {
        let years = 2021..=2026;
        let at = |text: &str| as_of(&QueryPairs::parse(text), &years);
        assert_eq!(at("").unwrap(), AsOf::Year(2026), "the last year of the data by default");
        assert_eq!(at("year=2022").unwrap(), AsOf::Year(2022));
        assert_eq!(at("date=2023-06-30").unwrap(), AsOf::Day(Day::parse("2023-06-30").unwrap()));
        assert_eq!(at("date=2023-06-30&year=2023").unwrap(), AsOf::Day(Day::parse("2023-06-30").unwrap()));
        for (text, parameter) in [("year=2020", "year"), ("year=2027", "year"), ("date=2023-02-30", "date"), ("date=2019-05-01", "date"), ("date=2023-06-30&year=2024", "date")] {
            match at(text) {
                Err(ApiError::BadParameter { parameter: p, .. }) => assert_eq!(p, parameter, "{text}"),
                other => panic!("{text}: {other:?}"),
            }
        }
    }

    #[test]
    fn errors_name_the_parameter_from_raw_pairs() {
        let q = QueryPairs::parse("lon=abc&lat=21");
        match position(&q) {
            Err(ApiError::BadParameter { parameter, message }) => {
                assert_eq!(parameter, "lon");
                assert!(message.contains("'abc' is not a number"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }
}
