//! Query-parameter parsing with errors that name the parameter.

use super::ApiError;
use crate::model::{Edition, LonLat};
use crate::query::{DEFAULT_EDITION, DEFAULT_RADIUS_M, DEFAULT_YEAR, MAX_RADIUS_M, YEARS};
use std::collections::HashMap;

pub type Params = HashMap<String, String>;

fn number(params: &Params, name: &'static str) -> Result<Option<f64>, ApiError> {
    match params.get(name).map(|s| s.trim()) {
        None | Some("") => Ok(None),
        Some(text) => match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(Some(v)),
            _ => Err(ApiError::bad(name, format!("'{text}' is not a number"))),
        },
    }
}

fn required(params: &Params, name: &'static str) -> Result<f64, ApiError> {
    number(params, name)?.ok_or_else(|| ApiError::bad(name, format!("the parameter '{name}' is required")))
}

/// `lon` and `lat` in WGS84 degrees, inside Vietnam's extent.
pub fn position(params: &Params) -> Result<LonLat, ApiError> {
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

pub fn edition(params: &Params) -> Result<Edition, ApiError> {
    match params.get("edition").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(DEFAULT_EDITION),
        Some(text) => Edition::parse(text).map_err(|e| ApiError::bad("edition", e.to_string())),
    }
}

pub fn year(params: &Params) -> Result<u16, ApiError> {
    match params.get("year").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(DEFAULT_YEAR),
        Some(text) => match text.parse::<u16>() {
            Ok(y) if YEARS.contains(&y) => Ok(y),
            _ => Err(ApiError::bad(
                "year",
                format!("'{text}' is not a year of the programme ({}–{})", YEARS.start(), YEARS.end()),
            )),
        },
    }
}

pub fn radius_m(params: &Params) -> Result<f64, ApiError> {
    match number(params, "radius_m")? {
        None => Ok(DEFAULT_RADIUS_M),
        Some(r) if (0.0..=MAX_RADIUS_M).contains(&r) => Ok(r),
        Some(r) => Err(ApiError::bad("radius_m", format!("{r} is outside 0–{MAX_RADIUS_M} metres"))),
    }
}
