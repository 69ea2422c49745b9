//! Districts and provinces dissolved from their communes' cells, welded back onto the
//! commune vertices so that a district border lies exactly on commune borders.

use super::cells::Welder;
use geo::MultiPolygon;
use std::collections::BTreeMap;

/// Unions the shapes of each group (keys in order, so output is deterministic).
pub fn dissolve<'a>(
    groups: impl IntoIterator<Item = (String, &'a MultiPolygon<f64>)>,
    welder: &mut Welder,
) -> BTreeMap<String, MultiPolygon<f64>> {
    let mut members: BTreeMap<String, Vec<geo::Polygon<f64>>> = BTreeMap::new();
    for (key, shape) in groups {
        members.entry(key).or_default().extend(shape.0.iter().cloned());
    }
    members.into_iter().map(|(key, polygons)| (key, welder.weld(&geo::unary_union(&polygons)))).collect()
}
