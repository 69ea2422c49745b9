//! The OpenAPI operation of each route (registered beside its handler in
//! [`super::routes`]). Every parameter carries an example the document's test calls.

use super::openapi::{error_answer, json_answer, param, path_param, query_param, required_query};
use serde_json::{json, Value};

fn errors(codes: &[(&str, &str)]) -> Vec<(String, Value)> {
    codes.iter().map(|(c, d)| (c.to_string(), error_answer(d))).collect()
}

fn responses(ok: Vec<(String, Value)>, errs: &[(&str, &str)]) -> Value {
    let mut map = serde_json::Map::new();
    for (k, v) in ok.into_iter().chain(errors(errs)) {
        map.insert(k, v);
    }
    Value::Object(map)
}

fn ok_json(description: &str) -> Vec<(String, Value)> {
    vec![("200".into(), json_answer(description))]
}

pub fn point_query() -> Value {
    json!({
        "summary": "The commune at a point, with its NTM level and nearby pilots and tourism sites",
        "tags": ["query"],
        "parameters": [
            required_query("lon", "Longitude, WGS84 degrees", json!({"type": "number"}), json!(105.964112)),
            required_query("lat", "Latitude, WGS84 degrees", json!({"type": "number"}), json!(21.002414)),
            param("Edition"), param("Year"), param("Date"),
            query_param("radius_m", "Radius for nearby places, metres (≤ 50,000)", json!({"type": "number", "default": 5000}), json!(2000)),
        ],
        "responses": responses(ok_json("The commune, district, province, level and nearby places"),
            &[("400", "A parameter is missing or wrong (named)"), ("404", "No commune contains the point")]),
    })
}

pub fn batch_query() -> Value {
    let columns = "commune_code, commune_name, commune_kind, district_code, district_name, province_code, province_name, level, level_year, criteria_met";
    json!({
        "summary": "The commune of up to 100,000 points, answered in the input's shape and order, streamed",
        "description": format!("Send a JSON array (`[[lon, lat], {{\"lon\":…, \"lat\":…, \"id\":…}}, …]`, answered as an array of `{{lon, lat, id, commune}}` where `commune` is the point query's commune, district, province and level, or null), a GeoJSON FeatureCollection of Points (answered with the properties {columns} added) or CSV `lon,lat[,id]` with an optional header (answered with those columns appended; CSV as Excel saves it in a Vietnamese locale, with `;` between fields, a decimal comma, a BOM and CRLF line ends, is read too and answered with `;`). Content-Type tells the shape; without one it is sniffed. Every point is checked before anything is sent."),
        "tags": ["query"],
        "parameters": [param("Edition"), param("Year"), param("Date")],
        "requestBody": {"required": true, "content": {
            "application/json": {"schema": {"type": "array", "items": {}}, "example": [[105.964112, 21.002414], {"lon": 105.85, "lat": 21.03, "id": "hn"}]},
            "application/geo+json": {"schema": {"type": "object"}, "example": {"type": "FeatureCollection", "features": [
                {"type": "Feature", "properties": {"name": "a"}, "geometry": {"type": "Point", "coordinates": [105.964112, 21.002414]}}]}},
            "text/csv": {"schema": {"type": "string"}, "example": "lon,lat,id\n105.964112,21.002414,a\n"}
        }},
        "responses": responses(vec![("200".into(), json!({"description": "One answer per point, in input order, in the input's shape", "content": {
            "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
            "application/geo+json": {"schema": {"type": "object"}},
            "text/csv": {"schema": {"type": "string"}}
        }}))], &[("400", "A malformed body (names the point, feature or CSV row and line, and the bad value) or parameter"),
                 ("413", "More than 100,000 points, or a body over 64 MiB")]),
    })
}

pub fn commune_details() -> Value {
    json!({
        "summary": "A commune: parents, NTM levels by year, crosswalk to the other edition, geometry on request",
        "tags": ["units"],
        "parameters": [
            path_param("code", "5-digit GSO commune code", "00571"),
            param("Edition"), param("Year"), param("Date"),
            query_param("geometry", "Add the boundary as a GeoJSON MultiPolygon", json!({"type": "boolean", "default": false}), json!(true)),
        ],
        "responses": responses(ok_json("The commune"), &[("400", "Malformed code or parameter"), ("404", "No such commune in the edition")]),
    })
}

pub fn district_details() -> Value {
    json!({
        "summary": "A district (edition 2024): province, NTM levels by year, communes counted by level",
        "tags": ["units"],
        "parameters": [path_param("code", "3-digit GSO district code", "018"), param("Year"), param("Date")],
        "responses": responses(ok_json("The district"), &[("400", "Malformed code or parameter"), ("404", "No such district")]),
    })
}

pub fn province_details() -> Value {
    json!({
        "summary": "A province: completion of the NTM task (edition 2024), districts and communes counted by level",
        "tags": ["units"],
        "parameters": [path_param("code", "2-digit GSO province code", "01"), param("Edition"), param("Year"), param("Date")],
        "responses": responses(ok_json("The province"), &[("400", "Malformed code or parameter"), ("404", "No such province in the edition")]),
    })
}

pub fn export() -> Value {
    json!({
        "summary": "Open data: a layer as GeoJSON, CSV, FlatGeobuf or an Excel workbook, streamed",
        "tags": ["open data"],
        "parameters": [
            {"name": "layer", "in": "path", "required": true, "schema": {"type": "string", "enum": ["communes", "districts", "provinces", "pilots", "tourism"]}, "example": "communes"},
            {"name": "format", "in": "path", "required": true, "schema": {"type": "string", "enum": ["geojson", "csv", "fgb", "xlsx"]}, "example": "csv"},
            param("Edition"), param("Year"), param("Date"),
        ],
        "responses": responses(vec![("200".into(), json!({"description": "The file (Content-Disposition names it)", "content": {
            "application/geo+json": {"schema": {"type": "object"}},
            "text/csv": {"schema": {"type": "string"}},
            "application/vnd.flatgeobuf": {"schema": {"type": "string", "format": "binary"}},
            crate::export::xlsx::MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}
        }}))], &[("400", "Unknown format, or districts of edition 2025"), ("404", "Unknown layer")]),
    })
}

pub fn meta() -> Value {
    json!({
        "summary": "Data version, sources (sample or not) and counts",
        "tags": ["meta"],
        "responses": {"200": {"description": "Metadata", "content": {"application/json": {"schema": {"type": "object",
            "properties": {"meta": {"$ref": "#/components/schemas/Meta"}, "counts": {"type": "object"}}}}}}},
    })
}

pub fn reload() -> Value {
    json!({
        "summary": "Re-read every input, validate, publish whole",
        "description": "Needs `Authorization: Bearer <token>` with the token of `--admin-token-file`. Without a configured token the admin routes do not exist (404); SIGHUP reloads too.",
        "tags": ["admin"],
        "security": [{"adminToken": []}],
        "responses": responses(ok_json("Reloaded: the new data version"),
            &[("401", "No bearer token, or a wrong one (WWW-Authenticate: Bearer)"),
              ("404", "No admin token is configured: the admin routes do not exist"),
              ("422", "The inputs have problems (listed); the previous data stays")]),
    })
}

fn view_params() -> Vec<Value> {
    vec![param("Year"), param("Date"), param("Edition")]
}

pub fn tilejson() -> Value {
    let mut parameters = vec![json!({"name": "map", "in": "path", "required": true, "schema": {"type": "string", "enum": ["ntm", "tourism"]}, "example": "ntm"})];
    parameters.extend(view_params());
    json!({
        "summary": "TileJSON 3.0.0 of a map's vector tiles",
        "tags": ["tiles"],
        "parameters": parameters,
        "responses": responses(vec![
            ("200".into(), json_answer("TileJSON (ETag; Cache-Control: public, no-cache)")),
            ("304".into(), json!({"description": "Not modified (If-None-Match matched)"})),
        ], &[("400", "A wrong parameter (named)"), ("404", "Unknown map")]),
    })
}

pub fn mvt() -> Value {
    let int = |name: &str, example: u32| json!({"name": name, "in": "path", "required": true, "schema": {"type": "integer", "minimum": 0}, "example": example});
    let mut parameters = vec![
        json!({"name": "map", "in": "path", "required": true, "schema": {"type": "string", "enum": ["ntm", "tourism"]}, "example": "ntm"}),
        int("z", 8), int("x", 203), int("y", 112),
    ];
    parameters.extend(view_params());
    parameters.push(query_param(
        "v",
        "The version of the tiles, as TileJSON gives it: for .mvt the v of its tile URLs (the data version and the build), for .png and @2x.png its raster_version (the same, then the style's version). Naming the version in force makes the answer cacheable for ever (--tile-cache-control-versioned, default public, max-age=31536000, immutable); another version gets today's tile with Cache-Control: public, no-cache; without v, --tile-cache-control applies. The bytes are the same in every case.",
        json!({"type": "string"}),
        json!("d15d9af3c79a142f.5b1e0c7d9a2f4e36"),
    ));
    json!({
        "summary": "A vector tile (MVT; layers communes, districts, provinces, pilots, tourism; on the ntm map communes and districts carry their criteria, named in TileJSON vector_layers)",
        "tags": ["tiles"],
        "parameters": parameters,
        "responses": responses(vec![
            ("200".into(), json!({"description": "The tile (gzip when accepted)", "content": {"application/vnd.mapbox-vector-tile": {"schema": {"type": "string", "format": "binary"}}}})),
            ("204".into(), json!({"description": "Empty tile"})),
            ("304".into(), json!({"description": "Not modified (If-None-Match matched)"})),
        ], &[("400", "A coordinate outside the pyramid or a wrong parameter (named)"), ("404", "Unknown map or format, or beyond the maximum zoom")]),
    })
}

fn map_param() -> Value {
    json!({"name": "map", "in": "path", "required": true, "schema": {"type": "string", "enum": ["ntm", "tourism"]}, "example": "ntm"})
}

fn lang_param() -> Value {
    query_param("lang", "Language of the text drawn: vi (default) or en", json!({"type": "string", "enum": ["vi", "en"], "default": "vi"}), json!("en"))
}

/// `theme` of styles, legends, PNG tiles and static maps.
fn theme_param() -> Value {
    query_param(
        "theme",
        "What units are coloured by: `level` (the default: communes by NTM level), `level:districts` (districts by NTM level; a district without a xã is not applicable) or `level:provinces` (provinces by whether they completed the NTM task), both edition 2024 only, or one criterion or indicator of the criteria catalog (`GET /api/v1/criteria`), each unit met / not met / not applicable / no data. `criterion:N` or `criterion:N.M` takes the first set of the view's year that has the item, commune sets before district sets and the NTM set before the nâng cao set (8.4 → xa_ntm_2021, 15.2 → xa_nang_cao_2021, 9.5 → huyen_ntm_2021); `criterion:SET:N.M` names the set (e.g. criterion:xa_nang_cao_2021:8.4). A commune set colours communes, a district set districts (edition 2024 only). Criterion themes are drawn on the ntm map; vector tiles carry every criterion and take no theme. A theme that does not exist answers 400 naming `theme`.",
        json!({"type": "string", "default": "level", "pattern": "^(level|criterion:([a-z0-9_]+:)?[0-9]{1,2}(\\.[0-9]{1,2})?)$"}),
        json!("criterion:8.4"),
    )
}

fn png_ok(description: &str) -> (String, Value) {
    ("200".into(), json!({"description": description, "content": {"image/png": {"schema": {"type": "string", "format": "binary"}}}}))
}

/// `labels` of PNG tiles and static maps.
fn labels_param() -> Value {
    query_param(
        "labels",
        "Names of provinces (zoom 5–9), districts (8–11), communes (10+) and pilots or tourism sites (12+), placed once per zoom so they join across tiles: true (default) or false",
        json!({"type": "boolean", "default": true}),
        json!(false),
    )
}

/// `hide` of PNG tiles and static maps.
fn hide_param() -> Value {
    let names: Vec<String> = crate::model::PointKinds::names().collect();
    query_param(
        "hide",
        &format!("Kinds of point left out, with their names (and, on a static map, their legend rows), comma-separated as the viewer's legend switches write them: {}. Empty (the default) draws every point; a wrong name answers 400 naming `hide`", names.join(", ")),
        json!({"type": "string", "default": "", "pattern": "^((pilots|tourism):[a-z_]+)?(,(pilots|tourism):[a-z_]+)*$"}),
        json!("tourism:ocop_product,tourism:craft_village"),
    )
}

fn not_modified() -> (String, Value) {
    ("304".into(), json!({"description": "Not modified (If-None-Match matched)"}))
}

pub fn png_tile() -> Value {
    let int = |name: &str, example: u32| json!({"name": name, "in": "path", "required": true, "schema": {"type": "integer", "minimum": 0}, "example": example});
    let mut parameters = vec![map_param(), int("z", 8), int("x", 203)];
    parameters.push(json!({"name": "y", "in": "path", "required": true, "description": "Row, optionally with @2x for 512 px", "schema": {"type": "string"}, "example": "112"}));
    parameters.extend(view_params());
    parameters.push(theme_param());
    parameters.push(labels_param());
    parameters.push(hide_param());
    json!({
        "summary": "A raster choropleth tile (256 px PNG; {y}@2x.png for 512 px), drawn from the style, coloured by the theme",
        "tags": ["tiles"],
        "parameters": parameters,
        "responses": responses(vec![png_ok("The tile"), not_modified()],
            &[("400", "A coordinate outside the pyramid or a wrong parameter (named)"), ("404", "Unknown map or format, or beyond the maximum zoom")]),
    })
}

pub fn style() -> Value {
    let mut parameters = vec![map_param()];
    parameters.extend(view_params());
    parameters.push(theme_param());
    json!({
        "summary": "MapLibre GL style (v8) drawing the theme's classes from the vector tiles; the legend in metadata[\"bando:legend\"], the theme in metadata[\"bando:theme\"]; with `serve --basemap-tiles` a raster source and layer `basemap` under bando's layers, with `--basemap-style` its URL in metadata[\"bando:basemap_style\"] for the viewer to draw underneath",
        "tags": ["styles"],
        "parameters": parameters,
        "responses": responses(vec![("200".into(), json_answer("The style")), not_modified()], &[("400", "A wrong parameter (named)"), ("404", "Unknown map")]),
    })
}

pub fn legend_json() -> Value {
    let mut parameters = vec![map_param()];
    parameters.extend(view_params());
    parameters.push(theme_param());
    json!({
        "summary": "The map's legend for a theme: title (and, for a criterion, the set as subtitle), classes with colours and labels (vi, en), point symbols",
        "tags": ["styles"],
        "parameters": parameters,
        "responses": responses(ok_json("The legend"), &[("400", "A wrong parameter (named)"), ("404", "Unknown map")]),
    })
}

pub fn legend_png() -> Value {
    let mut parameters = vec![map_param(), lang_param(), query_param("scale", "Pixel ratio, 0.5–4", json!({"type": "number", "default": 1}), json!(2))];
    parameters.extend(view_params());
    parameters.push(theme_param());
    json!({
        "summary": "The map's legend drawn as a PNG",
        "tags": ["styles"],
        "parameters": parameters,
        "responses": responses(vec![png_ok("The legend"), not_modified()], &[("400", "A wrong parameter (named)"), ("404", "Unknown map")]),
    })
}

pub fn static_map() -> Value {
    let mut parameters = vec![
        map_param(),
        query_param("bbox", "minlon,minlat,maxlon,maxlat (or center and zoom)", json!({"type": "string"}), json!("105.7,20.9,106.0,21.1")),
        json!({"name": "center", "in": "query", "required": false, "description": "lon,lat, with zoom (instead of bbox)", "schema": {"type": "string"}}),
        json!({"name": "zoom", "in": "query", "required": false, "description": "Zoom 0–14, with center", "schema": {"type": "integer"}}),
        query_param("width", "Width in pixels (≤ 4096)", json!({"type": "integer", "default": 1024}), json!(600)),
        query_param("height", "Height in pixels (≤ 4096)", json!({"type": "integer", "default": 768}), json!(400)),
        lang_param(),
    ];
    parameters.extend(view_params());
    parameters.push(theme_param());
    parameters.push(labels_param());
    parameters.push(hide_param());
    json!({
        "summary": "A static map for articles, coloured by the theme, with its legend and the attribution drawn in",
        "tags": ["styles"],
        "parameters": parameters,
        "responses": responses(vec![png_ok("The map"), not_modified()], &[("400", "A wrong or out-of-bounds parameter (named)"), ("404", "Unknown map")]),
    })
}
