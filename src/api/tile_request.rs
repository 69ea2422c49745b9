//! The address of a tile request: `/tiles/{map}/{z}/{x}/{y}.mvt`, `.png` or `@2x.png`
//! with its view (`year`, `date`, `edition`), and the strong ETag of each representation.
//!
//! Steps: 1. `map` is `ntm` or `tourism` (else 404) and the last segment names the format
//! (another is 404); 2. z/x/y are whole numbers inside the pyramid (else 400 naming the
//! parameter), z above [`MAX_ZOOM`] is 404; 3. the view from the query. Vector and PNG
//! tiles, TileJSON, styles and the tile cache all read requests through this module, which
//! imports none of them.

use super::http_cache::ETag;
use super::params::{self, ParamSource};
use super::ApiError;
use crate::model::PointKinds;
use crate::style::Theme;
use crate::tile::{MapKind, TileId, TileView, MAX_ZOOM};

/// The deepest zoom of the tile pyramid (addresses deeper than this are invalid).
const PYRAMID_MAX_ZOOM: u32 = 30;


/// What a tile URL asks for: vector tile, or PNG at pixel ratio 1 or 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TileFormat {
    /// `{y}.mvt`
    Mvt,
    /// `{y}.png`: 256 px.
    Png,
    /// `{y}@2x.png`: 512 px.
    Png2x,
}

/// A parsed tile request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TileRequest {
    pub view: TileView,
    pub tile: TileId,
    pub format: TileFormat,
    /// What PNG tiles colour by; always the level theme for vector tiles.
    pub theme: Theme,
    /// PNG tiles only: names drawn (`labels=true`, the default) or not (`labels=false`).
    pub labels: bool,
    /// PNG tiles only: the kinds of point left out (`hide`); none for vector tiles, whose
    /// styles filter points themselves.
    pub hidden: PointKinds,
    /// Whether the URL names the version of the tiles (`v`), and which; it decides how
    /// long caches may keep the answer, not what the answer holds.
    pub url_version: UrlVersion,
}

/// What a tile URL's `v` parameter says, against the version in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlVersion {
    /// No `v`: a plain URL, whose tile changes when the data does.
    Unnamed,
    /// `v` names the data in force and this build ([`super::http_cache::tiles_version`]):
    /// the bytes at this URL never change.
    Current,
    /// `v` names other data or another build (a page loaded before a publication): the
    /// answer is today's tile, which caches must not keep as that version's.
    Other,
}

impl UrlVersion {
    /// What `query`'s `v` says when `data_version` is in force.
    pub fn of(query: &impl ParamSource, data_version: &str) -> UrlVersion {
        Self::named(query, |v| super::http_cache::names_current(v, data_version))
    }

    /// What `query`'s `v` says of a PNG tile when `data_version` and the map's style
    /// version `style_version` are in force.
    pub fn of_png(query: &impl ParamSource, data_version: &str, style_version: &str) -> UrlVersion {
        Self::named(query, |v| super::http_cache::names_current_png(v, data_version, style_version))
    }

    /// `query`'s `v`, which `current` tells from another version.
    fn named(query: &impl ParamSource, current: impl Fn(&str) -> bool) -> UrlVersion {
        match query.param("v") {
            None => UrlVersion::Unnamed,
            Some(v) if current(v) => UrlVersion::Current,
            Some(_) => UrlVersion::Other,
        }
    }
}

/// Steps 1 of the module doc: the address and the view, or the error to answer.
pub fn parse_request(map: &str, z: &str, x: &str, file: &str, query: &impl ParamSource, years: &std::ops::RangeInclusive<u16>) -> Result<TileRequest, ApiError> {
    let map = parse_map(map)?;
    let (y, format) = match file.rsplit_once('.') {
        Some((y, "mvt")) => (y, TileFormat::Mvt),
        Some((y, "png")) => match y.strip_suffix("@2x") {
            Some(y) => (y, TileFormat::Png2x),
            None => (y, TileFormat::Png),
        },
        Some((_, ext)) => {
            return Err(ApiError::NotFound(format!("unknown tile format '.{ext}': tiles are /tiles/{{map}}/{{z}}/{{x}}/{{y}}.mvt, .png or @2x.png")))
        }
        None => return Err(ApiError::NotFound(format!("'{file}' has no tile format: tiles are /tiles/{{map}}/{{z}}/{{x}}/{{y}}.mvt, .png or @2x.png"))),
    };
    let z = coordinate("z", z)?;
    let x = coordinate("x", x)?;
    let y = coordinate("y", y)?;
    if z > PYRAMID_MAX_ZOOM {
        return Err(ApiError::bad("z", format!("zoom {z} is outside the tile pyramid (0–{PYRAMID_MAX_ZOOM})")));
    }
    let n = 1u64 << z;
    for (name, v) in [("x", x), ("y", y)] {
        if u64::from(v) >= n {
            return Err(ApiError::bad(name, format!("{name}={v} is outside the pyramid: at zoom {z}, {name} must be below {n}")));
        }
    }
    if z > u32::from(MAX_ZOOM) {
        return Err(ApiError::NotFound(format!("zoom {z} is beyond max zoom {MAX_ZOOM}: clients should overzoom tiles of zoom {MAX_ZOOM}")));
    }
    let tile = TileId::new(z, x, y).map_err(|e| ApiError::bad("z", e.to_string()))?;
    let view = TileView { map, edition: params::edition(query)?, as_of: params::as_of(query, years)? };
    Ok(TileRequest { view, tile, format, theme: Theme::Level, labels: true, hidden: PointKinds::NONE, url_version: UrlVersion::Unnamed })
}

pub fn parse_map(text: &str) -> Result<MapKind, ApiError> {
    MapKind::parse(text).ok_or_else(|| ApiError::NotFound(format!("no map '{text}': the maps are 'ntm' and 'tourism'")))
}

fn coordinate(name: &'static str, text: &str) -> Result<u32, ApiError> {
    // Digits only: no sign, no spaces (u32's parser would accept a leading '+').
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::bad(name, format!("{name}='{text}' is not a tile coordinate (a whole number)")));
    }
    text.parse::<u32>().map_err(|_| ApiError::bad(name, format!("{name}={text} is outside the tile pyramid")))
}

/// The ETag of one representation of one tile of one data version (and, for a PNG tile
/// of a criterion theme, that theme: the data version fixes the catalog it indexes).
pub fn tile_etag(version: &str, req: &TileRequest, gzip: bool) -> ETag {
    use std::fmt::Write;
    // The URL's version is not part of the representation: same bytes, same tag.
    let TileRequest { view, tile, format, theme, labels, hidden, url_version: _ } = req;
    let representation = match format {
        TileFormat::Mvt if gzip => "gz",
        TileFormat::Mvt => "id",
        TileFormat::Png => "png",
        TileFormat::Png2x => "png2x",
    };
    // Written into one buffer with room for the quotes: this runs for every tile answer,
    // warm ones included.
    let mut text = String::with_capacity(version.len() + 64 + super::http_cache::ETAG_OVERHEAD);
    let _ = write!(text, "{version}-{}-{}-{}-{}-{}-{}-{representation}", view.map.as_str(), view.edition, view.as_of, tile.z, tile.x, tile.y);
    match theme {
        Theme::Level => {}
        Theme::DistrictLevel => text.push_str("-districts"),
        Theme::ProvinceCompletion => text.push_str("-provinces"),
        Theme::Criterion { set, item } => {
            let _ = write!(text, "-criterion{set}_{item}");
        }
    }
    if !*labels {
        text.push_str("-nolabels");
    }
    if !hidden.is_empty() {
        let _ = write!(text, "-hide{}", hidden.bits());
    }
    ETag::from_text(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::params::Params;

    fn q(pairs: &[(&str, &str)]) -> Params {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn parameter(e: ApiError) -> String {
        match e {
            ApiError::BadParameter { parameter, .. } => parameter.to_string(),
            other => format!("not a 400: {other}"),
        }
    }

    #[test]
    fn parses_addresses_and_views() {
        let r = parse_request("ntm", "8", "203", "113.mvt", &q(&[]), &(2021..=2025)).unwrap();
        assert_eq!(r.tile, TileId { z: 8, x: 203, y: 113 });
        assert_eq!(r.view.map, MapKind::Ntm);
        assert_eq!(r.view.as_of, crate::model::AsOf::Year(2025));
        assert_eq!(r.view.edition, crate::model::Edition::E2024);
        let r = parse_request("tourism", "0", "0", "0.mvt", &q(&[("year", "2022"), ("edition", "2025")]), &(2021..=2025)).unwrap();
        assert_eq!((r.view.map, r.view.as_of, r.view.edition), (MapKind::Tourism, crate::model::AsOf::Year(2022), crate::model::Edition::E2025));
    }

    #[test]
    fn bad_addresses_name_the_parameter_or_are_not_found() {
        let p = |z: &str, x: &str, f: &str| parse_request("ntm", z, x, f, &q(&[]), &(2021..=2025)).unwrap_err();
        assert_eq!(parameter(p("31", "0", "0.mvt")), "z");
        assert_eq!(parameter(p("a", "0", "0.mvt")), "z");
        assert_eq!(parameter(p("4", "16", "0.mvt")), "x");
        assert_eq!(parameter(p("4", "0", "16.mvt")), "y");
        assert_eq!(parameter(p("4", "-1", "0.mvt")), "x");
        assert_eq!(parameter(p("4", "+1", "0.mvt")), "x");
        assert_eq!(parameter(p("4", "0", "abc.mvt")), "y");
        assert_eq!(parameter(p("4", "0", ".mvt")), "y");
        assert_eq!(parameter(p("4", "99999999999", "0.mvt")), "x");
        assert!(matches!(p("15", "0", "0.mvt"), ApiError::NotFound(m) if m.contains("beyond max zoom")));
        assert!(matches!(p("4", "0", "0.jpg"), ApiError::NotFound(m) if m.contains(".jpg")));
        assert_eq!(parse_request("ntm", "4", "0", "0.png", &q(&[]), &(2021..=2025)).unwrap().format, TileFormat::Png);
        assert_eq!(parse_request("ntm", "4", "0", "3@2x.png", &q(&[]), &(2021..=2025)).unwrap().tile.y, 3);
        assert_eq!(parameter(p("4", "0", "3@3x.png")), "y");
        assert!(matches!(p("4", "0", "0"), ApiError::NotFound(_)));
        assert!(matches!(parse_request("roads", "0", "0", "0.mvt", &q(&[]), &(2021..=2025)).unwrap_err(), ApiError::NotFound(m) if m.contains("'roads'")));
        let e = parse_request("ntm", "0", "0", "0.mvt", &q(&[("year", "2019")]), &(2021..=2025)).unwrap_err();
        assert_eq!(parameter(e), "year");
        let e = parse_request("ntm", "0", "0", "0.mvt", &q(&[("edition", "2023")]), &(2021..=2025)).unwrap_err();
        assert_eq!(parameter(e), "edition");
    }

    #[test]
    fn etags_differ_by_representation_view_and_version() {
        let r = parse_request("ntm", "8", "203", "113.mvt", &q(&[]), &(2021..=2025)).unwrap();
        let gz = tile_etag("abc", &r, true);
        assert_eq!(gz.named(), "abc-ntm-2024-2025-8-203-113-gz");
        assert_ne!(gz, tile_etag("abc", &r, false));
        assert_ne!(gz, tile_etag("abd", &r, true));
        let r2 = parse_request("ntm", "8", "203", "113.mvt", &q(&[("year", "2024")]), &(2021..=2025)).unwrap();
        assert_ne!(gz, tile_etag("abc", &r2, true));
        // PNG tiles name their theme; the level theme keeps the tag it always had.
        let png = TileRequest { format: TileFormat::Png, ..r };
        assert_eq!(tile_etag("abc", &png, false).named(), "abc-ntm-2024-2025-8-203-113-png");
        let themed = TileRequest { theme: Theme::Criterion { set: 0, item: crate::model::ItemNumber::indicator(8, 4) }, ..png };
        assert_eq!(tile_etag("abc", &themed, false).named(), "abc-ntm-2024-2025-8-203-113-png-criterion0_8.4");
        let other = TileRequest { theme: Theme::Criterion { set: 1, item: crate::model::ItemNumber::indicator(8, 4) }, ..png };
        assert_ne!(tile_etag("abc", &themed, false), tile_etag("abc", &other, false));
        let districts = TileRequest { theme: Theme::DistrictLevel, ..png };
        let provinces = TileRequest { theme: Theme::ProvinceCompletion, ..png };
        let tags = [tile_etag("abc", &png, false), tile_etag("abc", &districts, false), tile_etag("abc", &provinces, false)];
        assert!(tags[0] != tags[1] && tags[1] != tags[2] && tags[0] != tags[2], "{tags:?}");
        // Points left out make another picture; no two sets share a tag.
        let homestays = TileRequest { hidden: PointKinds::parse("tourism:homestay").unwrap(), ..png };
        let villages = TileRequest { hidden: PointKinds::parse("pilots:smart_village").unwrap(), ..png };
        let hidden = [tile_etag("abc", &homestays, false), tile_etag("abc", &villages, false)];
        assert!(hidden[0] != hidden[1] && !tags.contains(&hidden[0]) && !tags.contains(&hidden[1]), "{hidden:?}");
    }
}
