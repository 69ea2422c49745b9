//! Boundary files: FlatGeobuf (`.fgb`) or GeoJSON (`.geojson`, `.json`) feature
//! collections of Polygon / MultiPolygon features in WGS84 degrees.
//!
//! Steps, feature by feature (features are streamed, never held twice):
//! 1. read the properties as text and the raw rings (no implicit closing, so that every
//!    repair is counted);
//! 2. refuse geometries that are not Polygon / MultiPolygon, and coordinates outside
//!    Vietnam's extent (huge numbers mean a projected CRS);
//! 3. repair and check every ring ([`super::rings`]): close, drop repeats, refuse
//!    degenerate or self-intersecting rings, orient (exterior CCW, holes CW); degenerate
//!    holes and extra parts are dropped and counted;
//! 4. refuse empty and duplicate codes.
//!
//! All problems of the file are returned together; a file with any problem loads nothing.

use super::error::{LoadError, Location, Problem};
use super::rings::{repair_ring, RingFault, RingRole};
use geo::{Coord, LineString, MultiPolygon, Polygon};
use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// What a boundary file's repair pass changed (counted, never silent).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RepairCounts {
    /// Rings whose last point differed from the first, closed.
    pub closed_rings: usize,
    /// Consecutive repeated points dropped.
    pub removed_repeated_points: usize,
    /// Rings reversed to make exteriors counter-clockwise and holes clockwise.
    pub reoriented_rings: usize,
    /// Rings with fewer than 3 distinct points (or zero area) that were holes or extra
    /// parts of a multipolygon, dropped. A feature left with nothing is an error.
    pub dropped_degenerate_rings: usize,
}

/// One feature of a boundary file, repaired.
#[derive(Debug, Clone)]
pub struct BoundaryFeature {
    /// 0-based feature index in the file.
    pub index: usize,
    /// Raw value of the code property, trimmed (never empty in a loaded file).
    pub code: String,
    /// Every property as text (numbers printed, null as "").
    pub properties: BTreeMap<String, String>,
    /// Closed rings, no repeated points, exteriors CCW, holes CW.
    pub geometry: MultiPolygon<f64>,
}

/// A loaded boundary file.
#[derive(Debug, Clone)]
pub struct BoundaryFile {
    pub path: PathBuf,
    pub features: Vec<BoundaryFeature>,
    pub repairs: RepairCounts,
    /// Coordinates stored in the repaired geometries (each ring's closing point included).
    pub vertex_count: usize,
}

/// The two boundary file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoundaryFormat {
    FlatGeobuf,
    GeoJson,
}

impl BoundaryFormat {
    /// The format named by a file's extension (`.fgb`, `.geojson`, `.json`).
    pub fn of_path(path: &Path) -> Result<BoundaryFormat, LoadError> {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        match ext.as_str() {
            "fgb" => Ok(BoundaryFormat::FlatGeobuf),
            "geojson" | "json" => Ok(BoundaryFormat::GeoJson),
            _ => Err(file_problem(
                path,
                format!("unknown boundary file type '.{ext}' (expected .fgb, .geojson or .json)"),
            )),
        }
    }
}

/// Reads a FlatGeobuf (.fgb) or GeoJSON (.geojson/.json) file of Polygon/MultiPolygon
/// features in WGS84. `code_property`: the property holding the unit code (e.g. "code").
pub fn read_boundaries(path: &Path, code_property: &str) -> Result<BoundaryFile, LoadError> {
    let format = BoundaryFormat::of_path(path)?;
    let file = File::open(path).map_err(|e| file_problem(path, format!("cannot open: {e}")))?;
    read_boundaries_from(path, format, BufReader::with_capacity(1 << 20, file), code_property)
}

/// Reads boundaries from `input` (a file, an upload, bytes in memory through
/// `std::io::Cursor`); problems name `name` as their file. FlatGeobuf input is checked
/// for its framing first, which needs `Seek`.
pub fn read_boundaries_from(
    name: &Path,
    format: BoundaryFormat,
    mut input: impl Read + Seek,
    code_property: &str,
) -> Result<BoundaryFile, LoadError> {
    let mut builder = Builder::new(name, code_property);
    match format {
        BoundaryFormat::FlatGeobuf => {
            check_fgb_framing(name, &mut input)?;
            read_fgb(&mut builder, input)?
        }
        BoundaryFormat::GeoJson => read_geojson(&mut builder, input),
    }
    builder.finish()
}

/// Rings as read: polygons, each a list of rings (exterior first), each a list of points.
type RawPolygons = Vec<Vec<Vec<Coord<f64>>>>;

/// A feature's geometry as read, before any repair.
struct RawGeometry {
    /// The geometry type as named in the file ("Polygon", "Point", …), None if absent.
    kind: Option<&'static str>,
    polygons: RawPolygons,
}

fn file_problem(path: &Path, message: impl Into<String>) -> LoadError {
    LoadError::one(Problem::new(path, Location::File, message))
}

// ---------------------------------------------------------------- FlatGeobuf

/// Bytes of one node of a FlatGeobuf R-tree index (four f64 and a u64 offset).
const FGB_INDEX_NODE_BYTES: u64 = 40;

/// Checks what the `flatgeobuf` reader trusts before it reads, so that a corrupt or
/// truncated file is a problem naming it rather than a panic or an allocation of what
/// a damaged size field says (up to 4 GiB per feature):
/// 1. the R-tree node size is 0 (no index) or at least 2 (the reader asserts it);
/// 2. the index the header announces fits in the file;
/// 3. every feature's size prefix fits in what is left of the file.
///
/// Reads the size prefixes only (seeking over the features), then rewinds.
fn check_fgb_framing(path: &Path, input: &mut (impl Read + Seek)) -> Result<(), LoadError> {
    use flatgeobuf::FgbReader;
    let io = |e: std::io::Error| file_problem(path, format!("cannot read: {e}"));
    let total = input.seek(SeekFrom::End(0)).map_err(io)?;
    input.seek(SeekFrom::Start(0)).map_err(io)?;
    let reader = FgbReader::open(&mut *input).map_err(|e| file_problem(path, format!("not a FlatGeobuf file: {e}")))?;
    let (count, node_size) = (reader.header().features_count(), reader.header().index_node_size());
    drop(reader);
    input.seek(SeekFrom::Start(8)).map_err(io)?;
    let mut prefix = [0u8; 4];
    input.read_exact(&mut prefix).map_err(io)?;
    let mut pos = 12 + u64::from(u32::from_le_bytes(prefix));
    if node_size == 1 {
        return Err(file_problem(path, "the index node size is 1 (a FlatGeobuf index needs at least 2)"));
    }
    if node_size >= 2 && count > 0 {
        // Each feature has a leaf node: bounding the count by the file's size first
        // also keeps the index size from overflowing.
        if count > total.saturating_sub(pos) / FGB_INDEX_NODE_BYTES {
            return Err(file_problem(path, format!("the header announces an index of {count} features, larger than the file")));
        }
        pos += flatgeobuf::packed_r_tree::PackedRTree::index_size(count as usize, node_size) as u64;
    }
    let mut index = 0usize;
    while pos + 4 <= total {
        input.seek(SeekFrom::Start(pos)).map_err(io)?;
        input.read_exact(&mut prefix).map_err(io)?;
        let size = u64::from(u32::from_le_bytes(prefix));
        let left = total - pos - 4;
        if size > left {
            return Err(LoadError::one(Problem::new(
                path,
                Location::Feature(index),
                format!("the feature says it is {size} bytes long but only {left} are left: the file is truncated or damaged"),
            )));
        }
        pos += 4 + size;
        index += 1;
    }
    input.seek(SeekFrom::Start(0)).map_err(io)?;
    Ok(())
}

fn read_fgb(b: &mut Builder, input: impl Read) -> Result<(), LoadError> {
    use flatgeobuf::{FallibleStreamingIterator, FgbReader, GeozeroGeometry};
    let path = b.path.clone();
    let reader = FgbReader::open(input)
        .map_err(|e| file_problem(&path, format!("not a FlatGeobuf file: {e}")))?;
    let header = reader.header();
    if let Some(crs) = header.crs() {
        let code = crs.code();
        if code != 0 && code != 4326 {
            return Err(file_problem(
                &path,
                format!("CRS is EPSG:{code}; coordinates are not WGS84 degrees (EPSG:4326 expected)"),
            ));
        }
    }
    let header_type = header.geometry_type();
    let columns: Vec<(String, flatgeobuf::ColumnType)> =
        header.columns().into_iter().flatten().map(|c| (c.name().to_string(), c.type_())).collect();
    let mut features =
        reader.select_all_seq().map_err(|e| file_problem(&path, format!("cannot read features: {e}")))?;
    let mut index = 0usize;
    loop {
        let feature = match features.next() {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                b.problems.push(Problem::new(
                    &path,
                    Location::Feature(index),
                    format!("unreadable feature, reading stopped: {e}"),
                ));
                break;
            }
        };
        let props = fgb_properties(feature, &columns).unwrap_or_else(|e| {
            b.problems.push(Problem::new(&path, Location::Feature(index), format!("unreadable properties: {e}")));
            BTreeMap::new()
        });
        if let Some(Err(e)) = feature.fbs_feature().geometry().map(|g| check_fgb_geometry(&g, header_type, 0)) {
            b.problems.push(Problem::new(&path, Location::Feature(index), format!("unreadable geometry: {e}")));
            index += 1;
            continue;
        }
        let mut raw = RawCollector::default();
        let geometry = match feature.process_geom(&mut raw) {
            Ok(()) => RawGeometry { kind: raw.kind, polygons: raw.polygons },
            Err(e) => {
                b.problems.push(Problem::new(&path, Location::Feature(index), format!("unreadable geometry: {e}")));
                index += 1;
                continue;
            }
        };
        b.add(index, props, geometry);
        index += 1;
    }
    Ok(())
}

/// Checks what the `flatgeobuf` geometry reader trusts: it indexes coordinates through
/// the ring ends without bounds checks (a damaged end panics) and takes the difference
/// of consecutive ends as a ring's length (a decreasing pair wraps to billions, which
/// the ring buffers would then reserve). So: coordinates in pairs, a point has one,
/// ends non-decreasing and within the coordinates; the same for every part.
fn check_fgb_geometry(g: &flatgeobuf::Geometry, kind: flatgeobuf::GeometryType, depth: usize) -> Result<(), String> {
    use flatgeobuf::GeometryType as T;
    if depth > 8 {
        return Err("geometry parts nested too deep".into());
    }
    let kind = if kind == T::Unknown { g.type_() } else { kind };
    let values = g.xy().map_or(0, |xy| xy.len());
    if values % 2 != 0 {
        return Err(format!("{values} coordinate values, not x, y pairs"));
    }
    if kind == T::Point && values < 2 {
        return Err("a point without coordinates".into());
    }
    if let Some(ends) = g.ends() {
        let mut previous = 0u64;
        for end in ends.iter() {
            let end = u64::from(end);
            if end < previous || end * 2 > values as u64 {
                return Err(format!("ring end {end} is outside the {} points or before the previous end", values / 2));
            }
            previous = end;
        }
    }
    for part in g.parts().into_iter().flatten() {
        // Parts of a multi-geometry have the member type; a collection's parts their own.
        let member = match kind {
            T::MultiPolygon => T::Polygon,
            T::MultiLineString => T::LineString,
            T::MultiPoint => T::Point,
            _ => T::Unknown,
        };
        check_fgb_geometry(&part, member, depth + 1)?;
    }
    Ok(())
}

/// The next `N` bytes of a feature's property buffer, or what is wrong.
fn take<const N: usize>(bytes: &[u8], at: &mut usize) -> Result<[u8; N], String> {
    let mut out = [0u8; N];
    out.copy_from_slice(take_slice(bytes, at, N)?);
    Ok(out)
}

fn take_slice<'a>(bytes: &'a [u8], at: &mut usize, n: usize) -> Result<&'a [u8], String> {
    let end = at.checked_add(n).filter(|&end| end <= bytes.len()).ok_or_else(|| {
        format!("a value of {n} bytes at byte {at} runs past the end of the properties ({} bytes)", bytes.len())
    })?;
    let slice = &bytes[*at..end];
    *at = end;
    Ok(slice)
}

/// A u32 length, then that many bytes.
fn take_sized<'a>(bytes: &'a [u8], at: &mut usize) -> Result<&'a [u8], String> {
    let n = u32::from_le_bytes(take(bytes, at)?) as usize;
    take_slice(bytes, at, n)
}

/// A feature's properties as text (numbers printed), sorted by name. The encoding is
/// FlatGeobuf's: a u16 column index, then the value (fixed size, or a u32 length and
/// the bytes). Decoded here with every length checked against the buffer: the
/// `flatgeobuf` crate's own decoder slices past the end of a damaged buffer and panics.
/// `columns`: the header's (name, type) of each column.
fn fgb_properties(
    feature: &flatgeobuf::FgbFeature,
    columns: &[(String, flatgeobuf::ColumnType)],
) -> Result<BTreeMap<String, String>, String> {
    use flatgeobuf::ColumnType as T;
    use geozero::ColumnValue as V;
    let mut out = BTreeMap::new();
    let Some(properties) = feature.fbs_feature().properties() else {
        return Ok(out);
    };
    let bytes = properties.bytes();
    let mut at = 0usize;
    // Like the reference reader, a single trailing byte is tolerated (some writers add one).
    while at + 1 < bytes.len() {
        let i = usize::from(u16::from_le_bytes(take(bytes, &mut at)?));
        if i >= columns.len() {
            return Err(format!("column {i} does not exist (the header has {})", columns.len()));
        }
        let (name, kind) = &columns[i];
        let utf8 = |b: &[u8]| -> Result<String, String> {
            std::str::from_utf8(b).map(str::to_string).map_err(|_| format!("'{name}' is not valid UTF-8"))
        };
        let text = match *kind {
            T::Byte => V::Byte(i8::from_le_bytes(take(bytes, &mut at)?)).to_string(),
            T::UByte => V::UByte(u8::from_le_bytes(take(bytes, &mut at)?)).to_string(),
            T::Bool => V::Bool(take::<1>(bytes, &mut at)?[0] != 0).to_string(),
            T::Short => V::Short(i16::from_le_bytes(take(bytes, &mut at)?)).to_string(),
            T::UShort => V::UShort(u16::from_le_bytes(take(bytes, &mut at)?)).to_string(),
            T::Int => V::Int(i32::from_le_bytes(take(bytes, &mut at)?)).to_string(),
            T::UInt => V::UInt(u32::from_le_bytes(take(bytes, &mut at)?)).to_string(),
            T::Long => V::Long(i64::from_le_bytes(take(bytes, &mut at)?)).to_string(),
            T::ULong => V::ULong(u64::from_le_bytes(take(bytes, &mut at)?)).to_string(),
            T::Float => V::Float(f32::from_le_bytes(take(bytes, &mut at)?)).to_string(),
            T::Double => V::Double(f64::from_le_bytes(take(bytes, &mut at)?)).to_string(),
            T::String | T::Json | T::DateTime => utf8(take_sized(bytes, &mut at)?)?,
            T::Binary => V::Binary(take_sized(bytes, &mut at)?).to_string(),
            other => return Err(format!("'{name}' has an unknown column type {}", other.0)),
        };
        out.insert(name.clone(), text);
    }
    Ok(out)
}

/// Collects polygon rings exactly as stored (geo's constructors would close them silently).
#[derive(Default)]
struct RawCollector {
    kind: Option<&'static str>,
    polygonal: bool,
    in_ring: bool,
    polygons: RawPolygons,
}

impl RawCollector {
    fn begin(&mut self, kind: &'static str) {
        if self.kind.is_none() {
            self.kind = Some(kind);
            self.polygonal = matches!(kind, "Polygon" | "MultiPolygon");
        }
    }
}

impl geozero::GeomProcessor for RawCollector {
    fn xy(&mut self, x: f64, y: f64, _idx: usize) -> geozero::error::Result<()> {
        if self.in_ring {
            if let Some(ring) = self.polygons.last_mut().and_then(|p| p.last_mut()) {
                ring.push(Coord { x, y });
            }
        }
        Ok(())
    }
    fn empty_point(&mut self, _idx: usize) -> geozero::error::Result<()> {
        self.begin("Point");
        Ok(())
    }
    fn point_begin(&mut self, _idx: usize) -> geozero::error::Result<()> {
        self.begin("Point");
        Ok(())
    }
    fn multipoint_begin(&mut self, _size: usize, _idx: usize) -> geozero::error::Result<()> {
        self.begin("MultiPoint");
        Ok(())
    }
    fn linestring_begin(&mut self, _tagged: bool, size: usize, _idx: usize) -> geozero::error::Result<()> {
        self.begin("LineString");
        if self.polygonal {
            if let Some(p) = self.polygons.last_mut() {
                p.push(Vec::with_capacity(size));
                self.in_ring = true;
            }
        }
        Ok(())
    }
    fn linestring_end(&mut self, _tagged: bool, _idx: usize) -> geozero::error::Result<()> {
        self.in_ring = false;
        Ok(())
    }
    fn multilinestring_begin(&mut self, _size: usize, _idx: usize) -> geozero::error::Result<()> {
        self.begin("MultiLineString");
        Ok(())
    }
    fn polygon_begin(&mut self, _tagged: bool, size: usize, _idx: usize) -> geozero::error::Result<()> {
        self.begin("Polygon");
        if self.polygonal {
            self.polygons.push(Vec::with_capacity(size));
        }
        Ok(())
    }
    fn multipolygon_begin(&mut self, size: usize, _idx: usize) -> geozero::error::Result<()> {
        self.begin("MultiPolygon");
        self.polygons.reserve(size);
        Ok(())
    }
    fn geometrycollection_begin(&mut self, _size: usize, _idx: usize) -> geozero::error::Result<()> {
        self.begin("GeometryCollection");
        Ok(())
    }
    fn circularstring_begin(&mut self, _size: usize, _idx: usize) -> geozero::error::Result<()> {
        self.begin("CircularString");
        Ok(())
    }
    fn compoundcurve_begin(&mut self, _size: usize, _idx: usize) -> geozero::error::Result<()> {
        self.begin("CompoundCurve");
        Ok(())
    }
    fn curvepolygon_begin(&mut self, _size: usize, _idx: usize) -> geozero::error::Result<()> {
        self.begin("CurvePolygon");
        Ok(())
    }
    fn multicurve_begin(&mut self, _size: usize, _idx: usize) -> geozero::error::Result<()> {
        self.begin("MultiCurve");
        Ok(())
    }
    fn multisurface_begin(&mut self, _size: usize, _idx: usize) -> geozero::error::Result<()> {
        self.begin("MultiSurface");
        Ok(())
    }
    fn triangle_begin(&mut self, _tagged: bool, _size: usize, _idx: usize) -> geozero::error::Result<()> {
        self.begin("Triangle");
        Ok(())
    }
    fn polyhedralsurface_begin(&mut self, _size: usize, _idx: usize) -> geozero::error::Result<()> {
        self.begin("PolyhedralSurface");
        Ok(())
    }
    fn tin_begin(&mut self, _size: usize, _idx: usize) -> geozero::error::Result<()> {
        self.begin("Tin");
        Ok(())
    }
}

// ---------------------------------------------------------------- GeoJSON

fn read_geojson(b: &mut Builder, input: impl Read) {
    let path = b.path.clone();
    let reader = geojson::FeatureReader::from_reader(input);
    for (index, feature) in reader.features().enumerate() {
        let feature = match feature {
            Ok(f) => f,
            Err(e) => {
                b.problems.push(Problem::new(
                    &path,
                    Location::Feature(index),
                    format!("not a GeoJSON feature, reading stopped: {e}"),
                ));
                break;
            }
        };
        let properties = feature
            .properties
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| {
                let text = match v {
                    serde_json::Value::String(s) => s,
                    serde_json::Value::Null => String::new(),
                    other => other.to_string(),
                };
                (k, text)
            })
            .collect();
        let geometry = match feature.geometry.map(|g| g.value) {
            None => RawGeometry { kind: None, polygons: Vec::new() },
            Some(geojson::Value::Polygon(rings)) => {
                RawGeometry { kind: Some("Polygon"), polygons: vec![json_rings(rings)] }
            }
            Some(geojson::Value::MultiPolygon(polys)) => {
                RawGeometry { kind: Some("MultiPolygon"), polygons: polys.into_iter().map(json_rings).collect() }
            }
            Some(other) => RawGeometry { kind: Some(json_kind(&other)), polygons: Vec::new() },
        };
        b.add(index, properties, geometry);
    }
}

/// Converts GeoJSON positions; a position with fewer than two numbers becomes NaN, which
/// the ring check reports.
fn json_rings(rings: Vec<Vec<Vec<f64>>>) -> Vec<Vec<Coord<f64>>> {
    rings
        .into_iter()
        .map(|ring| {
            ring.into_iter()
                .map(|p| match p.as_slice() {
                    [x, y, ..] => Coord { x: *x, y: *y },
                    _ => Coord { x: f64::NAN, y: f64::NAN },
                })
                .collect()
        })
        .collect()
}

fn json_kind(v: &geojson::Value) -> &'static str {
    match v {
        geojson::Value::Point(_) => "Point",
        geojson::Value::MultiPoint(_) => "MultiPoint",
        geojson::Value::LineString(_) => "LineString",
        geojson::Value::MultiLineString(_) => "MultiLineString",
        geojson::Value::Polygon(_) => "Polygon",
        geojson::Value::MultiPolygon(_) => "MultiPolygon",
        geojson::Value::GeometryCollection(_) => "GeometryCollection",
    }
}

// ---------------------------------------------------------------- shared checks

/// Accumulates repaired features and problems while a file is read.
struct Builder {
    path: PathBuf,
    code_property: String,
    features: Vec<BoundaryFeature>,
    problems: Vec<Problem>,
    repairs: RepairCounts,
    vertex_count: usize,
    /// Code → first feature index (and its label) carrying it.
    seen_codes: HashMap<String, (usize, String)>,
}

impl Builder {
    fn new(path: &Path, code_property: &str) -> Self {
        Builder {
            path: path.to_path_buf(),
            code_property: code_property.to_string(),
            features: Vec::new(),
            problems: Vec::new(),
            repairs: RepairCounts::default(),
            vertex_count: 0,
            seen_codes: HashMap::new(),
        }
    }

    fn finish(self) -> Result<BoundaryFile, LoadError> {
        let file = BoundaryFile {
            path: self.path,
            features: self.features,
            repairs: self.repairs,
            vertex_count: self.vertex_count,
        };
        LoadError::check(file, self.problems)
    }

    /// Checks and repairs one feature; keeps it when it has no problem.
    fn add(&mut self, index: usize, properties: BTreeMap<String, String>, raw: RawGeometry) {
        let code = properties.get(&self.code_property).map(|c| c.trim().to_string()).unwrap_or_default();
        let label = feature_label(&self.code_property, &code, &properties);
        let before = self.problems.len();

        // Codes: present and unique.
        if code.is_empty() {
            let p = Problem::new(&self.path, Location::Feature(index), format!("{label}: empty code"));
            self.problems.push(p.field(&self.code_property, ""));
        } else if let Some((first, first_label)) = self.seen_codes.get(&code).cloned() {
            let msg = format!("{label}: duplicate code, also used by feature {first} ({first_label})");
            let p = Problem::new(&self.path, Location::Feature(index), msg);
            self.problems.push(p.field(&self.code_property, code.as_str()));
        } else {
            self.seen_codes.insert(code.clone(), (index, label.clone()));
        }

        let geometry = self.repair_geometry(index, &label, raw);
        if self.problems.len() == before {
            if let Some(geometry) = geometry {
                self.vertex_count += geometry.0.iter().map(polygon_vertices).sum::<usize>();
                self.features.push(BoundaryFeature { index, code, properties, geometry });
            }
        }
    }

    fn repair_geometry(&mut self, index: usize, label: &str, raw: RawGeometry) -> Option<MultiPolygon<f64>> {
        let path = self.path.clone();
        let at = |msg: String| Problem::new(&path, Location::Feature(index), msg);
        match raw.kind {
            Some("Polygon" | "MultiPolygon") => {}
            Some(kind) => {
                self.problems.push(
                    at(format!("{label}: geometry is {kind}; Polygon or MultiPolygon expected"))
                        .field("geometry", kind),
                );
                return None;
            }
            None => {
                self.problems.push(at(format!("{label}: feature has no geometry")).field("geometry", ""));
                return None;
            }
        }

        // Extent first: a projected file would otherwise fail every ring for another reason.
        let outside =
            raw.polygons.iter().flatten().flatten().find(|c| {
                c.x.is_finite() && c.y.is_finite() && !crate::model::LonLat::new(c.x, c.y).in_vietnam_extent()
            });
        if let Some(c) = outside {
            let msg = if c.x.abs() > 180.0 || c.y.abs() > 90.0 {
                format!("{label}: coordinates are not WGS84 degrees (projected CRS?)")
            } else {
                format!("{label}: coordinates outside Vietnam's extent (swapped lon/lat?)")
            };
            self.problems.push(at(msg).field("geometry", format!("{},{}", c.x, c.y)));
            return None;
        }

        let parts = raw.polygons.len();
        let mut polygons = Vec::with_capacity(parts);
        let mut failed = false;
        for (p, rings) in raw.polygons.into_iter().enumerate() {
            let mut rings = rings.into_iter();
            let Some(exterior) = rings.next() else { continue };
            let where_ = |ring: usize| {
                let part = if parts > 1 { format!("polygon {p}, ") } else { String::new() };
                if ring == 0 {
                    format!("{part}exterior ring")
                } else {
                    format!("{part}hole {ring}")
                }
            };
            let exterior = match repair_ring(&exterior, RingRole::Exterior) {
                Ok((ring, r)) => {
                    self.count(r);
                    ring
                }
                Err(RingFault::Degenerate { .. }) if parts > 1 => {
                    self.repairs.dropped_degenerate_rings += 1;
                    continue;
                }
                Err(fault) => {
                    self.problems.push(ring_problem(at(String::new()), label, &where_(0), &fault));
                    failed = true;
                    continue;
                }
            };
            let mut holes = Vec::new();
            for (h, hole) in rings.enumerate() {
                match repair_ring(&hole, RingRole::Hole) {
                    Ok((ring, r)) => {
                        self.count(r);
                        holes.push(ring);
                    }
                    Err(RingFault::Degenerate { .. }) => self.repairs.dropped_degenerate_rings += 1,
                    Err(fault) => {
                        self.problems.push(ring_problem(at(String::new()), label, &where_(h + 1), &fault));
                        failed = true;
                    }
                }
            }
            polygons.push(Polygon::new(exterior, holes));
        }
        if failed {
            return None;
        }
        if polygons.is_empty() {
            self.problems
                .push(at(format!("{label}: no polygon left (every ring empty or degenerate)")).field("geometry", ""));
            return None;
        }
        Some(MultiPolygon::new(polygons))
    }

    fn count(&mut self, r: super::rings::RingRepairs) {
        self.repairs.closed_rings += usize::from(r.closed);
        self.repairs.removed_repeated_points += r.removed_repeated_points;
        self.repairs.reoriented_rings += usize::from(r.reoriented);
    }
}

fn ring_problem(base: Problem, label: &str, where_: &str, fault: &RingFault) -> Problem {
    let value = match fault {
        RingFault::SelfIntersection { at, .. } => format!("{:.5},{:.5}", at.x, at.y),
        RingFault::NonFinite { .. } => "NaN".to_string(),
        RingFault::Degenerate { distinct_points } => format!("{distinct_points} distinct points"),
    };
    Problem { message: format!("{label}: {where_}: {fault}"), ..base }.field("geometry", value)
}

/// "code 'D123', name 'Quận 1'" — what a user searches the file for.
fn feature_label(code_property: &str, code: &str, properties: &BTreeMap<String, String>) -> String {
    match properties.get("name").map(|n| n.trim()).filter(|n| !n.is_empty()) {
        Some(name) => format!("{code_property} '{code}', name '{name}'"),
        None => format!("{code_property} '{code}'"),
    }
}

fn polygon_vertices(p: &Polygon<f64>) -> usize {
    let ring = |r: &LineString<f64>| r.0.len();
    ring(p.exterior()) + p.interiors().iter().map(ring).sum::<usize>()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// Writes a GeoJSON FeatureCollection to a temporary file.
    fn geojson_file(name: &str, features: &[String]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("bando-load-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        let mut f = File::create(&path).unwrap();
        write!(f, r#"{{"type":"FeatureCollection","features":[{}]}}"#, features.join(",")).unwrap();
        path
    }

    fn feature(code: &str, geometry: &str) -> String {
        format!(
            r#"{{"type":"Feature","properties":{{"code":"{code}","name":"Xã {code}","n":3}},"geometry":{geometry}}}"#
        )
    }

    fn polygon(rings: &[&[(f64, f64)]]) -> String {
        let rings: Vec<String> = rings
            .iter()
            .map(|r| {
                let pts: Vec<String> = r.iter().map(|(x, y)| format!("[{x},{y}]")).collect();
                format!("[{}]", pts.join(","))
            })
            .collect();
        format!(r#"{{"type":"Polygon","coordinates":[{}]}}"#, rings.join(","))
    }

    const SQ: &[(f64, f64)] = &[(105.0, 20.0), (106.0, 20.0), (106.0, 21.0), (105.0, 21.0), (105.0, 20.0)];

    fn only_problem(e: &LoadError) -> &Problem {
        assert_eq!(e.problems.len(), 1, "{e}");
        &e.problems[0]
    }

    #[test]
    fn valid_geojson_loads_with_properties_as_text() {
        let path = geojson_file("ok.geojson", &[feature("00001", &polygon(&[SQ]))]);
        let f = read_boundaries(&path, "code").unwrap();
        assert_eq!(f.features.len(), 1);
        assert_eq!(f.features[0].code, "00001");
        assert_eq!(f.features[0].properties["n"], "3");
        assert_eq!(f.vertex_count, 5);
        assert_eq!(f.repairs, RepairCounts::default());
    }

    #[test]
    fn repairs_are_counted() {
        // Clockwise, unclosed, one repeated point; plus a degenerate hole.
        let ring: &[(f64, f64)] = &[(105.0, 20.0), (105.0, 21.0), (105.0, 21.0), (106.0, 21.0), (106.0, 20.0)];
        let hole: &[(f64, f64)] = &[(105.5, 20.5), (105.6, 20.5), (105.5, 20.5)];
        let path = geojson_file("repair.geojson", &[feature("00001", &polygon(&[ring, hole]))]);
        let f = read_boundaries(&path, "code").unwrap();
        assert_eq!(
            f.repairs,
            RepairCounts {
                closed_rings: 1,
                removed_repeated_points: 1,
                reoriented_rings: 1,
                dropped_degenerate_rings: 1
            }
        );
        let g = &f.features[0].geometry.0[0];
        assert!(g.interiors().is_empty());
        assert_eq!(g.exterior().0.len(), 5);
    }

    #[test]
    fn self_intersection_names_feature_code_name_and_location() {
        let bow: &[(f64, f64)] = &[(105.0, 20.0), (106.0, 21.0), (106.0, 20.0), (105.0, 21.0), (105.0, 20.0)];
        let path =
            geojson_file("bow.geojson", &[feature("00001", &polygon(&[SQ])), feature("00002", &polygon(&[bow]))]);
        let e = read_boundaries(&path, "code").unwrap_err();
        let p = only_problem(&e);
        assert_eq!(p.location, Location::Feature(1));
        assert_eq!(p.field.as_deref(), Some("geometry"));
        assert_eq!(p.value.as_deref(), Some("105.50000,20.50000"));
        let text = p.to_string();
        for want in ["bow.geojson", "feature 1", "'00002'", "Xã 00002", "intersects itself at 105.50000,20.50000"] {
            assert!(text.contains(want), "{text} lacks {want}");
        }
    }

    #[test]
    fn non_polygon_geometry_is_named() {
        let path = geojson_file("point.geojson", &[feature("00001", r#"{"type":"Point","coordinates":[105.5,20.5]}"#)]);
        let e = read_boundaries(&path, "code").unwrap_err();
        let p = only_problem(&e);
        assert_eq!(p.location, Location::Feature(0));
        assert_eq!(p.value.as_deref(), Some("Point"));
        assert!(p.to_string().contains("Polygon or MultiPolygon expected"), "{p}");
    }

    #[test]
    fn projected_coordinates_are_named() {
        let utm: &[(f64, f64)] =
            &[(580000.0, 2300000.0), (590000.0, 2300000.0), (590000.0, 2310000.0), (580000.0, 2300000.0)];
        let path = geojson_file("utm.geojson", &[feature("00001", &polygon(&[utm]))]);
        let e = read_boundaries(&path, "code").unwrap_err();
        let p = only_problem(&e);
        assert!(p.to_string().contains("coordinates are not WGS84 degrees"), "{p}");
        assert_eq!(p.value.as_deref(), Some("580000,2300000"));
    }

    #[test]
    fn coordinates_outside_vietnam_are_named() {
        let paris: &[(f64, f64)] = &[(2.3, 48.8), (2.4, 48.8), (2.4, 48.9), (2.3, 48.8)];
        let path = geojson_file("paris.geojson", &[feature("00001", &polygon(&[paris]))]);
        let e = read_boundaries(&path, "code").unwrap_err();
        let p = only_problem(&e);
        assert!(p.to_string().contains("outside Vietnam's extent"), "{e}");
        assert_eq!(p.value.as_deref(), Some("2.3,48.8"));
    }

    #[test]
    fn degenerate_exterior_is_an_error() {
        let flat: &[(f64, f64)] = &[(105.0, 20.0), (106.0, 20.0), (105.0, 20.0)];
        let path = geojson_file("flat.geojson", &[feature("00001", &polygon(&[flat]))]);
        let e = read_boundaries(&path, "code").unwrap_err();
        let p = only_problem(&e);
        assert!(p.to_string().contains("exterior ring: ring has only 2 distinct points"), "{p}");
    }

    #[test]
    fn degenerate_extra_part_is_dropped_and_counted() {
        let geometry = format!(
            r#"{{"type":"MultiPolygon","coordinates":[{},{}]}}"#,
            polygon(&[SQ]).split_once(r#""coordinates":"#).unwrap().1.trim_end_matches('}'),
            "[[[105.0,20.0],[105.0,20.0],[105.0,20.0]]]"
        );
        let path = geojson_file("multi.geojson", &[feature("00001", &geometry)]);
        let f = read_boundaries(&path, "code").unwrap();
        assert_eq!(f.repairs.dropped_degenerate_rings, 1);
        assert_eq!(f.features[0].geometry.0.len(), 1);
    }

    #[test]
    fn empty_and_duplicate_codes_name_both_features_and_all_problems_come_together() {
        let bow: &[(f64, f64)] = &[(105.0, 20.0), (106.0, 21.0), (106.0, 20.0), (105.0, 21.0), (105.0, 20.0)];
        let path = geojson_file(
            "codes.geojson",
            &[
                feature("00001", &polygon(&[SQ])),
                feature("", &polygon(&[SQ])),
                feature("00001", &polygon(&[SQ])),
                feature("00003", &polygon(&[bow])),
            ],
        );
        let e = read_boundaries(&path, "code").unwrap_err();
        assert_eq!(e.problems.len(), 3, "{e}");
        let empty = &e.problems[0];
        assert_eq!(
            (empty.location.clone(), empty.field.as_deref(), empty.value.as_deref()),
            (Location::Feature(1), Some("code"), Some(""))
        );
        assert!(empty.message.contains("empty code"));
        let dup = &e.problems[1];
        assert_eq!((dup.location.clone(), dup.value.as_deref()), (Location::Feature(2), Some("00001")));
        assert!(dup.message.contains("also used by feature 0"), "{dup}");
        assert_eq!(e.problems[2].location, Location::Feature(3));
    }

    #[test]
    fn nan_coordinates_are_refused() {
        // JSON cannot carry NaN (FlatGeobuf can): feed the shared checks directly.
        let mut b = Builder::new(Path::new("nan.fgb"), "code");
        let ring = vec![Coord { x: 105.0, y: 20.0 }, Coord { x: 106.0, y: f64::NAN }, Coord { x: 106.0, y: 21.0 }];
        let props = BTreeMap::from([("code".to_string(), "00001".to_string())]);
        b.add(0, props, RawGeometry { kind: Some("Polygon"), polygons: vec![vec![ring]] });
        let e = b.finish().unwrap_err();
        let p = only_problem(&e);
        let text = p.to_string();
        assert!(text.contains("nan.fgb: feature 0: field 'geometry' = 'NaN'"), "{text}");
        assert!(text.contains("coordinate 1 is not a finite number"), "{text}");
    }

    #[test]
    fn short_geojson_position_is_a_feature_problem() {
        let path = geojson_file(
            "short.geojson",
            &[feature("00001", r#"{"type":"Polygon","coordinates":[[[105,20],[106,20],[106],[105,20]]]}"#)],
        );
        let e = read_boundaries(&path, "code").unwrap_err();
        let p = only_problem(&e);
        assert_eq!(p.location, Location::Feature(0));
        assert!(p.message.contains("position must contain two or more elements"), "{p}");
    }

    #[test]
    fn unknown_extension_and_missing_file_are_file_problems() {
        let e = read_boundaries(Path::new("/nonexistent/b.shp"), "code").unwrap_err();
        assert!(only_problem(&e).to_string().contains("unknown boundary file type"));
        let e = read_boundaries(Path::new("/nonexistent/b.fgb"), "code").unwrap_err();
        let p = only_problem(&e);
        assert_eq!(p.location, Location::File);
        assert!(p.to_string().contains("/nonexistent/b.fgb"));
    }

    /// Writes a FlatGeobuf file of (geometry, code) features.
    fn fgb_file(name: &str, crs_code: i32, features: Vec<(geo::Geometry<f64>, &str)>) -> PathBuf {
        use flatgeobuf::{ColumnType, FgbCrs, FgbWriter, FgbWriterOptions, GeometryType};
        let options = FgbWriterOptions {
            crs: FgbCrs { code: crs_code, ..Default::default() },
            write_index: false,
            detect_type: false,
            promote_to_multi: false,
            ..Default::default()
        };
        let mut w = FgbWriter::create_with_options("test", GeometryType::Unknown, options).unwrap();
        w.add_column("code", ColumnType::String, |_, _| {});
        for (g, code) in features {
            w.add_feature_geom(g, |f| {
                geozero::PropertyProcessor::property(f, 0, "code", &geozero::ColumnValue::String(code)).unwrap();
            })
            .unwrap();
        }
        let path = geojson_file(name, &[]);
        w.write(File::create(&path).unwrap()).unwrap();
        path
    }

    fn geo_polygon(points: &[(f64, f64)]) -> geo::Geometry<f64> {
        geo::Geometry::Polygon(Polygon::new(LineString::from(points.to_vec()), vec![]))
    }

    #[test]
    fn flatgeobuf_features_are_checked_like_geojson_ones() {
        let mut cw = SQ.to_vec();
        cw.reverse();
        let nan = [(105.0, 20.0), (106.0, f64::NAN), (106.0, 21.0), (105.0, 20.0)];
        let path = fgb_file(
            "mixed.fgb",
            4326,
            vec![
                (geo_polygon(&cw), "00001"),
                (geo::Geometry::Point(geo::Point::new(105.5, 20.5)), "00002"),
                (geo_polygon(&nan), "00003"),
                (
                    geo::Geometry::MultiPolygon(MultiPolygon::new(vec![Polygon::new(SQ.to_vec().into(), vec![])])),
                    "00004",
                ),
            ],
        );
        let e = read_boundaries(&path, "code").unwrap_err();
        assert_eq!(e.problems.len(), 2, "{e}");
        let text = e.to_string();
        assert!(text.contains("mixed.fgb: feature 1: field 'geometry' = 'Point': code '00002'"), "{text}");
        assert!(text.contains("mixed.fgb: feature 2: field 'geometry' = 'NaN': code '00003'"), "{text}");

        let path = fgb_file("good.fgb", 4326, vec![(geo_polygon(&cw), "00001"), (geo_polygon(SQ), "00004")]);
        let f = read_boundaries(&path, "code").unwrap();
        assert_eq!(f.repairs.reoriented_rings, 1);
        assert_eq!(f.features[1].index, 1);
        assert_eq!(f.features[1].properties["code"], "00004");
    }

    /// Offsets of the size prefixes of the features of an unindexed FlatGeobuf file.
    fn fgb_feature_offsets(bytes: &[u8]) -> Vec<usize> {
        let le = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        let mut offsets = Vec::new();
        let mut pos = 12 + le(8);
        while pos + 4 <= bytes.len() {
            offsets.push(pos);
            pos += 4 + le(pos);
        }
        offsets
    }

    // Found by the load_fgb fuzz target (fuzz/regressions/load_fgb): the FlatGeobuf
    // reader allocates whatever a feature's size prefix says (up to 4 GiB) before
    // reading it. A damaged or truncated file is now a problem naming the feature.
    #[test]
    fn damaged_flatgeobuf_feature_sizes_are_named_before_anything_is_allocated() {
        let path = fgb_file("sizes.fgb", 4326, vec![(geo_polygon(SQ), "00001"), (geo_polygon(SQ), "00004")]);
        let good = std::fs::read(&path).unwrap();
        let offsets = fgb_feature_offsets(&good);
        assert_eq!(offsets.len(), 2);
        let name = Path::new("upload.fgb");
        let read = |bytes: Vec<u8>| read_boundaries_from(name, BoundaryFormat::FlatGeobuf, std::io::Cursor::new(bytes), "code");
        assert_eq!(read(good.clone()).unwrap().features.len(), 2, "the in-memory entry reads what the file does");

        let mut damaged = good.clone();
        damaged[offsets[1]..offsets[1] + 4].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
        let e = read(damaged).unwrap_err();
        let p = only_problem(&e);
        assert_eq!(p.location, Location::Feature(1));
        assert!(p.message.contains("4294967280 bytes long but only"), "{p}");
        assert!(p.to_string().starts_with("upload.fgb: feature 1: "), "{p}");

        let truncated = good[..good.len() - 10].to_vec();
        let p = read(truncated).unwrap_err().problems.remove(0);
        assert_eq!(p.location, Location::Feature(1));
        assert!(p.message.contains("truncated or damaged"), "{p}");
    }

    // Found by the load_fgb fuzz target (fuzz/regressions/load_fgb): the flatgeobuf
    // crate's property decoder slices past the end of a damaged property buffer and
    // panics. Properties are decoded here, every length checked.
    #[test]
    fn a_property_length_past_its_buffer_is_a_feature_problem() {
        let path = fgb_file("props.fgb", 4326, vec![(geo_polygon(SQ), "00001"), (geo_polygon(SQ), "00004")]);
        let mut bytes = std::fs::read(&path).unwrap();
        // Column 0 ("code"), a string of 5 bytes: "00004".
        let encoded: &[u8] = b"\x00\x00\x05\x00\x00\x0000004";
        let at = bytes.windows(encoded.len()).position(|w| w == encoded).expect("the encoded property");
        bytes[at + 2..at + 6].copy_from_slice(&0xFFFFu32.to_le_bytes());
        let e = read_boundaries_from(Path::new("upload.fgb"), BoundaryFormat::FlatGeobuf, std::io::Cursor::new(bytes), "code")
            .unwrap_err();
        let p = &e.problems[0];
        assert_eq!(p.location, Location::Feature(1), "{e}");
        assert!(p.message.starts_with("unreadable properties: a value of 65535 bytes"), "{e}");
    }

    // Found by the load_fgb fuzz target (fuzz/regressions/load_fgb): the flatgeobuf
    // crate's geometry reader indexes coordinates through the ring ends unchecked (a
    // damaged end panicked) and a decreasing pair of ends made a ring of billions of
    // points, reserved up front (out of memory). Ends are checked before it reads.
    #[test]
    fn damaged_ring_ends_are_a_feature_problem() {
        let hole: &[(f64, f64)] = &[(105.2, 20.2), (105.2, 20.8), (105.8, 20.8), (105.8, 20.2), (105.2, 20.2)];
        let with_hole = geo::Geometry::Polygon(Polygon::new(SQ.to_vec().into(), vec![hole.to_vec().into()]));
        let path = fgb_file("ends.fgb", 4326, vec![(geo_polygon(SQ), "00001"), (with_hole, "00004")]);
        let good = std::fs::read(&path).unwrap();
        let read = |bytes: Vec<u8>| read_boundaries_from(Path::new("ends.fgb"), BoundaryFormat::FlatGeobuf, std::io::Cursor::new(bytes), "code");
        assert_eq!(read(good.clone()).unwrap().features[1].geometry.0[0].interiors().len(), 1);
        // The ends vector [5, 10]: its length, then the two ends.
        let ends: &[u8] = &[2, 0, 0, 0, 5, 0, 0, 0, 10, 0, 0, 0];
        let at = good.windows(ends.len()).position(|w| w == ends).expect("the ends vector") + 4;
        for (first, second, what) in [(5u32, 0xFFFFu32, "beyond the points"), (5, 3, "decreasing")] {
            let mut bytes = good.clone();
            bytes[at..at + 4].copy_from_slice(&first.to_le_bytes());
            bytes[at + 4..at + 8].copy_from_slice(&second.to_le_bytes());
            let e = read(bytes).unwrap_err();
            let p = only_problem(&e);
            assert_eq!(p.location, Location::Feature(1), "{what}: {e}");
            assert!(p.message.starts_with("unreadable geometry: ring end"), "{what}: {e}");
        }
    }

    #[test]
    fn flatgeobuf_in_a_projected_crs_is_refused() {
        let path = fgb_file("utm.fgb", 32648, vec![(geo_polygon(SQ), "00001")]);
        let e = read_boundaries(&path, "code").unwrap_err();
        let p = only_problem(&e);
        assert_eq!(p.location, Location::File);
        assert!(p.to_string().contains("utm.fgb: CRS is EPSG:32648; coordinates are not WGS84 degrees"), "{p}");
    }

    // ------------------------------------------------ real files (../shared/geodata)

    const GEODATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/geodata");

    /// A real boundary file; the tests that read one are `#[ignore]`d and fail when it
    /// is absent, since an ignored test that is asked to run must check something.
    fn real(name: &str) -> PathBuf {
        let path = Path::new(GEODATA).join(name);
        assert!(path.exists(), "{} is absent: this test needs the real boundary files of ../shared/geodata", path.display());
        path
    }

    #[test]
    #[ignore = "needs the real boundary files of ../shared/geodata (not committed)"]
    fn gadm_districts_report_exactly_the_two_invalid_features() {
        let path = real("districts-gadm-2008.fgb");
        let e = read_boundaries(&path, "code").unwrap_err();
        eprintln!("{e}");
        assert_eq!(e.problems.len(), 2, "{e}");
        let near = [(106.67, 10.78), (106.72, 11.42)];
        for (p, (lon, lat)) in e.problems.iter().zip(near) {
            assert!(matches!(p.location, Location::Feature(_)));
            assert!(p.message.contains("intersects itself"), "{p}");
            assert!(p.message.contains("name '"), "{p}");
            let (x, y) = p.value.as_deref().and_then(|v| v.split_once(',')).unwrap();
            let (x, y): (f64, f64) = (x.parse().unwrap(), y.parse().unwrap());
            assert!((x - lon).abs() < 0.05 && (y - lat).abs() < 0.05, "{p}");
        }
    }

    #[test]
    #[ignore = "needs the real boundary files of ../shared/geodata (not committed)"]
    fn districts_and_provinces_2023_load() {
        for (name, n) in [("districts-2023.fgb", 692), ("provinces-2023.fgb", 62)] {
            let path = real(name);
            let f = read_boundaries(&path, "code").unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(f.features.len(), n);
            eprintln!("{name}: {} features, {} vertices, {:?}", f.features.len(), f.vertex_count, f.repairs);
        }
    }

    #[test]
    #[ignore = "needs the real boundary files of ../shared/geodata (not committed)"]
    fn communes_2009_report_their_empty_codes_and_load_by_census_id() {
        let path = real("communes-2009.fgb");
        // Codes are empty where the 2009 commune could not be matched to a GSO code.
        let e = read_boundaries(&path, "code").unwrap_err();
        assert!(e.problems.len() > 2000, "{}", e.problems.len());
        assert!(e.problems.iter().all(|p| p.message.ends_with(": empty code")), "{e}");
        // Its census id is complete and unique; every geometry passes as delivered.
        let f = read_boundaries(&path, "id_2009").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(f.features.len(), 11_163);
        eprintln!("communes-2009.fgb: {} vertices, {:?}", f.vertex_count, f.repairs);
    }

    #[test]
    #[ignore = "needs the real boundary files of ../shared/geodata (not committed)"]
    fn communes_2025_load_without_problems() {
        let path = real("communes-2025.fgb");
        let t = std::time::Instant::now();
        let f = read_boundaries(&path, "code").unwrap_or_else(|e| panic!("{e}"));
        eprintln!(
            "communes-2025.fgb: {} features, {} vertices, {:?}, loaded in {:.2?}",
            f.features.len(),
            f.vertex_count,
            f.repairs,
            t.elapsed()
        );
        assert_eq!(f.features.len(), 3321);
        assert!((6_900_000..7_400_000).contains(&f.vertex_count), "{}", f.vertex_count);
    }
}
