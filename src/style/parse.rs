//! Reads and validates a style file. Every problem names the file and the key path
//! (`classes.nang_cao.fill`), so a user editing a style knows what to fix.
//!
//! Steps: 1. parse the JSON; 2. walk the known keys in order, checking each value's
//! type and range (colours `#rrggbb`, opacities 0–1, widths and radii ≥ 0, zoom stops
//! increasing); 3. refuse unknown keys (a typo must not be silently ignored) and
//! missing classes or symbols.

use super::*;
use serde_json::{Map, Value};

struct Reader<'a> {
    file: &'a str,
}

type Obj = Map<String, Value>;

impl Reader<'_> {
    fn err<T>(&self, key: &str, message: impl Into<String>) -> Result<T, StyleError> {
        Err(StyleError { file: self.file.to_string(), key: key.to_string(), message: message.into() })
    }

    fn object<'v>(&self, value: &'v Value, key: &str, allowed: &[&str]) -> Result<&'v Obj, StyleError> {
        let Some(obj) = value.as_object() else {
            return self.err(key, format!("{} is not an object", short(value)));
        };
        if let Some(unknown) = obj.keys().find(|k| !allowed.contains(&k.as_str())) {
            return self.err(&join(key, unknown), format!("unknown key (expected one of: {})", allowed.join(", ")));
        }
        Ok(obj)
    }

    fn field<'v>(&self, obj: &'v Obj, parent: &str, name: &str) -> Result<&'v Value, StyleError> {
        obj.get(name).map_or_else(|| self.err(&join(parent, name), "is missing"), Ok)
    }

    fn string(&self, obj: &Obj, parent: &str, name: &str) -> Result<String, StyleError> {
        let key = join(parent, name);
        match self.field(obj, parent, name)? {
            Value::String(s) if !s.trim().is_empty() => Ok(s.clone()),
            other => self.err(&key, format!("{} is not a non-empty string", short(other))),
        }
    }

    fn color(&self, obj: &Obj, parent: &str, name: &str) -> Result<Rgb, StyleError> {
        let key = join(parent, name);
        let value = self.field(obj, parent, name)?;
        value.as_str().and_then(Rgb::parse).map_or_else(|| self.err(&key, format!("{} is not a colour #rrggbb", short(value))), Ok)
    }

    fn number(&self, obj: &Obj, parent: &str, name: &str, range: std::ops::RangeInclusive<f64>) -> Result<f32, StyleError> {
        let key = join(parent, name);
        self.number_value(self.field(obj, parent, name)?, &key, range)
    }

    fn number_value(&self, value: &Value, key: &str, range: std::ops::RangeInclusive<f64>) -> Result<f32, StyleError> {
        match value.as_f64() {
            Some(v) if range.contains(&v) => Ok(v as f32),
            Some(v) => self.err(key, format!("{v} is outside {}–{}", range.start(), range.end())),
            None => self.err(key, format!("{} is not a number", short(value))),
        }
    }

    fn label(&self, obj: &Obj, parent: &str) -> Result<Label, StyleError> {
        let key = join(parent, "label");
        let o = self.object(self.field(obj, parent, "label")?, &key, &["vi", "en"])?;
        Ok(Label { vi: self.string(o, &key, "vi")?, en: self.string(o, &key, "en")? })
    }

    fn outline(&self, obj: &Obj, parent: &str, name: &str) -> Result<Outline, StyleError> {
        let key = join(parent, name);
        let o = self.object(self.field(obj, parent, name)?, &key, &["color", "opacity", "width"])?;
        let width_key = join(&key, "width");
        let Some(stops) = self.field(o, &key, "width")?.as_array().filter(|a| !a.is_empty()) else {
            return self.err(&width_key, "is not a non-empty list of [zoom, width] stops");
        };
        let mut width = Vec::with_capacity(stops.len());
        for (i, stop) in stops.iter().enumerate() {
            let stop_key = format!("{width_key}[{i}]");
            let Some([z, w]) = stop.as_array().and_then(|a| <&[Value; 2]>::try_from(a.as_slice()).ok()) else {
                return self.err(&stop_key, format!("{} is not a [zoom, width] pair", short(stop)));
            };
            let z = self.number_value(z, &stop_key, 0.0..=24.0)?;
            let w = self.number_value(w, &stop_key, 0.0..=50.0)?;
            if width.last().is_some_and(|&(last, _)| z <= last) {
                return self.err(&stop_key, format!("zoom {z} does not follow the previous stop's zoom (stops must increase)"));
            }
            width.push((z, w));
        }
        Ok(Outline { color: self.color(o, &key, "color")?, opacity: self.number(o, &key, "opacity", 0.0..=1.0)?, width })
    }

    fn points(&self, obj: &Obj, name: &'static str, property: &'static str, keys: &[&'static str]) -> Result<PointLayer, StyleError> {
        let key = join("points", name);
        let o = self.object(self.field(obj, "points", name)?, &key, &["opacity", "stroke", "stroke_width", "symbols"])?;
        let symbols_key = join(&key, "symbols");
        let s = self.object(self.field(o, &key, "symbols")?, &symbols_key, keys)?;
        let mut symbols = Vec::new();
        for &k in keys {
            let sk = join(&symbols_key, k);
            let so = self.object(self.field(s, &symbols_key, k)?, &sk, &["color", "radius", "radius_by_stars", "label"])?;
            let radius_by_stars = match so.get("radius_by_stars") {
                None => None,
                Some(v) => {
                    let rk = join(&sk, "radius_by_stars");
                    let r = self.object(v, &rk, &["3", "4", "5"])?;
                    let mut out = [0.0; 3];
                    for (i, star) in STARS.iter().enumerate() {
                        out[i] = self.number(r, &rk, &star.to_string(), 0.0..=30.0)?;
                    }
                    Some(out)
                }
            };
            symbols.push(Symbol {
                key: k,
                color: self.color(so, &sk, "color")?,
                radius: self.number(so, &sk, "radius", 0.0..=30.0)?,
                radius_by_stars,
                label: self.label(so, &sk)?,
            });
        }
        Ok(PointLayer {
            layer: name,
            property,
            opacity: self.number(o, &key, "opacity", 0.0..=1.0)?,
            stroke: self.color(o, &key, "stroke")?,
            stroke_width: self.number(o, &key, "stroke_width", 0.0..=10.0)?,
            symbols,
        })
    }
}

fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_string()
    } else {
        format!("{parent}.{name}")
    }
}

/// A value as shown in a message (JSON, shortened).
fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 40 {
        format!("{}…", text.chars().take(40).collect::<String>())
    } else {
        text
    }
}

/// Parses and validates a style; `file` names it in errors. When `expect` is given the
/// style's `map` must be that map.
pub fn parse_style(file: &str, text: &str, expect: Option<MapKind>) -> Result<Style, StyleError> {
    let r = Reader { file };
    let root: Value = serde_json::from_str(text).map_err(|e| StyleError {
        file: file.to_string(),
        key: format!("line {}, column {}", e.line(), e.column()),
        message: format!("not valid JSON: {e}"),
    })?;
    let top = r.object(&root, "", &["map", "title", "palette", "background", "communes", "classes", "criterion", "outlines", "points"])?;
    let map_text = r.string(top, "", "map")?;
    let Some(map) = MapKind::parse(&map_text) else {
        return r.err("map", format!("\"{map_text}\" is not a map (ntm or tourism)"));
    };
    if let Some(expected) = expect.filter(|&e| e != map) {
        return r.err("map", format!("\"{map_text}\" but this file is the style of the {} map", expected.as_str()));
    }
    let title_obj = r.object(r.field(top, "", "title")?, "title", &["vi", "en"])?;
    let title = Label { vi: r.string(title_obj, "title", "vi")?, en: r.string(title_obj, "title", "en")? };
    let communes = r.object(r.field(top, "", "communes")?, "communes", &["opacity"])?;
    let classes_obj = r.object(r.field(top, "", "classes")?, "classes", &CLASS_KEYS)?;
    let mut classes = Vec::new();
    for key in CLASS_KEYS {
        let ck = join("classes", key);
        let c = r.object(r.field(classes_obj, "classes", key)?, &ck, &["fill", "label"])?;
        classes.push(Class { key, fill: r.color(c, &ck, "fill")?, label: r.label(c, &ck)? });
    }
    // Optional: styles written before criterion themes existed stay valid.
    let criterion_classes = match top.get("criterion") {
        None => None,
        Some(v) => {
            let obj = r.object(v, "criterion", &CRITERION_KEYS)?;
            let mut classes = Vec::new();
            for key in CRITERION_KEYS {
                let ck = join("criterion", key);
                let c = r.object(r.field(obj, "criterion", key)?, &ck, &["fill", "label"])?;
                classes.push(Class { key, fill: r.color(c, &ck, "fill")?, label: r.label(c, &ck)? });
            }
            Some(classes)
        }
    };
    let outlines = r.object(r.field(top, "", "outlines")?, "outlines", &["communes", "districts", "provinces"])?;
    let points = r.object(r.field(top, "", "points")?, "points", &["pilots", "tourism"])?;
    Ok(Style {
        map,
        file: file.to_string(),
        version: {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            text.hash(&mut h);
            format!("{:016x}", h.finish())
        },
        title,
        palette: r.string(top, "", "palette")?,
        background: r.color(top, "", "background")?,
        commune_opacity: r.number(communes, "communes", "opacity", 0.0..=1.0)?,
        classes,
        criterion_classes,
        communes_outline: r.outline(outlines, "outlines", "communes")?,
        districts_outline: r.outline(outlines, "outlines", "districts")?,
        provinces_outline: r.outline(outlines, "outlines", "provinces")?,
        pilots: r.points(points, "pilots", "kind", &PILOT_KEYS)?,
        tourism: r.points(points, "tourism", "category", &TOURISM_KEYS)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn embedded_value() -> Value {
        serde_json::from_str(EMBEDDED[0].1).unwrap()
    }

    fn error_of(v: &Value) -> StyleError {
        parse_style("styles/ntm-results.json", &v.to_string(), Some(MapKind::Ntm)).unwrap_err()
    }

    #[test]
    fn errors_name_the_file_and_the_key() {
        let mut v = embedded_value();
        v["classes"]["nang_cao"]["fill"] = "#12345".into();
        let e = error_of(&v);
        assert_eq!(e.to_string(), "styles/ntm-results.json: classes.nang_cao.fill: \"#12345\" is not a colour #rrggbb");

        let mut v = embedded_value();
        v["classes"].as_object_mut().unwrap().remove("no_data");
        assert_eq!(error_of(&v).key, "classes.no_data");

        let mut v = embedded_value();
        v["outlines"]["districts"]["width"] = serde_json::json!([[8, 1], [5, 2]]);
        assert_eq!(error_of(&v).key, "outlines.districts.width[1]");

        let mut v = embedded_value();
        v["points"]["pilots"]["symbols"]["smart_comune"] = serde_json::json!({});
        assert_eq!(error_of(&v).key, "points.pilots.symbols.smart_comune");

        let mut v = embedded_value();
        v["communes"]["opacity"] = 1.5.into();
        assert_eq!(error_of(&v).key, "communes.opacity");

        let mut v = embedded_value();
        v["criterion"]["not_met"]["fill"] = "red".into();
        assert_eq!(error_of(&v).key, "criterion.not_met.fill");

        let mut v = embedded_value();
        v["criterion"].as_object_mut().unwrap().remove("no_data");
        assert_eq!(error_of(&v).key, "criterion.no_data");

        let mut v = embedded_value();
        v.as_object_mut().unwrap().remove("criterion");
        let parsed = parse_style("old.json", &v.to_string(), Some(MapKind::Ntm)).expect("a style without criterion classes is valid");
        assert!(parsed.criterion_classes.is_none());

        let mut v = embedded_value();
        v["map"] = "tourism".into();
        assert_eq!(error_of(&v).key, "map");

        let e = parse_style("x.json", "{\"map\": ", None).unwrap_err();
        assert!(e.message.contains("not valid JSON"), "{e}");
    }
}
