//! Point places: pilot models and rural tourism sites (CSV).
//!
//! Steps: 1. read the sheet ([`super::csv_table`]); 2. parse each row (id, name, kind or
//! category, commune code, optional position and year or stars), recording every problem;
//! 3. check the rules between fields (OCOP stars only for OCOP products); 4. refuse
//! duplicate ids.

use super::csv_table::{open, RowsRead, Sheet, Sourced};
use super::error::LoadError;
use crate::model::{CommuneCode, DirectingLevel, LonLat, PilotKind, PilotProvenance, PilotStage, TourismCategory, UnitCode};
use std::io::Read;
use std::path::Path;

/// A pilot model: `id,name,kind,field,commune_code,lon,lat,approved_year`, and optionally
/// `decision,approved_on,directing_level,stage,url`.
#[derive(Debug, Clone, PartialEq)]
pub struct PilotRow {
    pub id: String,
    pub name: String,
    pub kind: PilotKind,
    /// Leading field (kinh tế, du lịch nông thôn, …), free text, may be empty.
    pub field: String,
    pub commune: CommuneCode,
    /// None when both lon and lat are empty.
    pub position: Option<LonLat>,
    /// The year of `approved_on` when only that is given.
    pub approved_year: Option<u16>,
    pub provenance: PilotProvenance,
}

/// A rural tourism point: `id,name,category,ocop_stars,commune_code,lon,lat,url`.
#[derive(Debug, Clone, PartialEq)]
pub struct TourismRow {
    pub id: String,
    pub name: String,
    pub category: TourismCategory,
    /// 3 to 5, OCOP products only.
    pub ocop_stars: Option<u8>,
    pub commune: CommuneCode,
    pub position: Option<LonLat>,
    pub url: Option<String>,
}

/// Reads pilot models; ids must be unique.
pub fn read_pilots(path: &Path) -> Result<Vec<Sourced<PilotRow>>, LoadError> {
    read_pilots_from(path, open(path)?)
}

/// The same from `input` (bytes in memory, an upload); problems name `name` as their file.
pub fn read_pilots_from(name: &Path, input: impl Read) -> Result<Vec<Sourced<PilotRow>>, LoadError> {
    pilots_rows_from(name, input)?.finish()
}

/// The rows that read well, the problems of the others and the communes they name
/// ([`RowsRead`]); `Err` only when the file cannot be read at all.
pub fn pilots_rows_from(name: &Path, input: impl Read) -> Result<RowsRead<PilotRow>, LoadError> {
    let sheet = Sheet::from_reader(name, input, &["id", "name", "kind", "field", "commune_code", "lon", "lat", "approved_year"])?;
    let (mut parsed, unread) = sheet.parse_rows_naming_units(commune_of_row, |row| {
        let id = row.required("id");
        let name = row.required("name");
        let kind = row.parse("kind", PilotKind::parse);
        let field = row.text("field").to_string();
        let commune = row.parse("commune_code", CommuneCode::parse);
        let position = row.optional_position();
        let approved_year = row.optional_year("approved_year");
        let approved_on = row.optional_date("approved_on");
        let directing_level = row.parse_optional("directing_level", DirectingLevel::parse);
        let stage = row.parse_optional("stage", PilotStage::parse);
        let url = row.parse_optional("url", web_address);
        let (approved_year, approved_on) = (approved_year?, approved_on?);
        let year_of_date = approved_on.as_deref().and_then(|d| d[..4].parse::<u16>().ok());
        if let (Some(year), Some(date_year)) = (approved_year, year_of_date) {
            if year != date_year {
                row.fail("approved_year", &year.to_string(), format!("approved_on {} is in {date_year}", approved_on.as_deref().unwrap_or("")));
                return None;
            }
        }
        let provenance = PilotProvenance {
            decision: row.optional_text("decision"),
            approved_on,
            directing_level: directing_level?,
            stage: stage?,
            url: url?,
        };
        Some(PilotRow {
            id: id?.to_string(),
            name: name?.to_string(),
            kind: kind?,
            field,
            commune: commune?,
            position: position?,
            approved_year: approved_year.or(year_of_date),
            provenance,
        })
    });
    parsed.no_duplicates("id", |r| r.id.clone(), |r| r.id.clone(), "id");
    Ok(parsed.into_read(unread))
}

/// An absolute http(s) address.
fn web_address(text: &str) -> Result<String, &'static str> {
    let rest = text.strip_prefix("https://").or_else(|| text.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !text.contains(char::is_whitespace) => Ok(text.to_string()),
        _ => Err("url must be an http:// or https:// address"),
    }
}

/// Reads rural tourism points; ids must be unique.
pub fn read_tourism(path: &Path) -> Result<Vec<Sourced<TourismRow>>, LoadError> {
    read_tourism_from(path, open(path)?)
}

/// The same from `input` (bytes in memory, an upload); problems name `name` as their file.
pub fn read_tourism_from(name: &Path, input: impl Read) -> Result<Vec<Sourced<TourismRow>>, LoadError> {
    tourism_rows_from(name, input)?.finish()
}

/// The rows that read well, the problems of the others and the communes they name
/// ([`RowsRead`]); `Err` only when the file cannot be read at all.
pub fn tourism_rows_from(name: &Path, input: impl Read) -> Result<RowsRead<TourismRow>, LoadError> {
    let sheet = Sheet::from_reader(name, input, &["id", "name", "category", "ocop_stars", "commune_code", "lon", "lat", "url"])?;
    let (mut parsed, unread) = sheet.parse_rows_naming_units(commune_of_row, |row| {
        let id = row.required("id");
        let name = row.required("name");
        let category = row.parse("category", TourismCategory::parse);
        let stars = row.parse_optional("ocop_stars", |t| match t.parse::<u8>() {
            Ok(n @ 3..=5) => Ok(n),
            _ => Err("OCOP stars must be 3, 4 or 5"),
        });
        let commune = row.parse("commune_code", CommuneCode::parse);
        let position = row.optional_position();
        let url = row.optional_text("url");
        let (category, stars) = (category?, stars?);
        if stars.is_some() && category != TourismCategory::OcopProduct {
            let t = row.text("ocop_stars");
            row.fail(
                "ocop_stars",
                t,
                format!("OCOP stars are only for ocop_product (category is {})", category.as_str()),
            );
            return None;
        }
        Some(TourismRow {
            id: id?.to_string(),
            name: name?.to_string(),
            category,
            ocop_stars: stars,
            commune: commune?,
            position: position?,
            url,
        })
    });
    parsed.no_duplicates("id", |r| r.id.clone(), |r| r.id.clone(), "id");
    Ok(parsed.into_read(unread))
}

/// The commune a row's own code cell names, for [`Sheet::parse_rows_naming_units`].
fn commune_of_row(row: &super::csv_table::Row<'_>) -> Option<UnitCode> {
    CommuneCode::parse(row.text("commune_code")).ok().map(UnitCode::Commune)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::csv_table::tests::{assert_problem, csv_file};

    const PILOTS: &str = "id,name,kind,field,commune_code,lon,lat,approved_year\n";
    const TOURISM: &str = "id,name,category,ocop_stars,commune_code,lon,lat,url\n";

    fn pilots(name: &str, body: &str) -> Result<Vec<Sourced<PilotRow>>, LoadError> {
        read_pilots(&csv_file(name, format!("{PILOTS}{body}").as_bytes()))
    }

    fn tourism(name: &str, body: &str) -> Result<Vec<Sourced<TourismRow>>, LoadError> {
        read_tourism(&csv_file(name, format!("{TOURISM}{body}").as_bytes()))
    }

    #[test]
    fn good_pilots_load() {
        let rows = pilots(
            "pi-ok.csv",
            "HN-01,Xã Dương Xá,smart_commune,kinh tế,10126,105.96,21.00,2023\nHN-02,Xã Phú Cát,ecommerce_commune,,09985,,,\n",
        )
        .unwrap();
        assert_eq!(rows[0].value.position, Some(LonLat::new(105.96, 21.0)));
        assert_eq!(rows[0].value.approved_year, Some(2023));
        assert_eq!(rows[1].value.position, None);
        assert_eq!(rows[1].value.approved_year, None);
        assert_eq!(rows[1].line, 3);
    }

    #[test]
    fn pilot_provenance_is_read_and_checked() {
        let head = "id,name,kind,field,commune_code,lon,lat,approved_year,decision,approved_on,directing_level,stage,url\n";
        let path = csv_file(
            "pi-prov.csv",
            format!("{head}HN-01,A,smart_commune,,00571,,,,236/KH-UBND,2023-09-21,province,selected,\nE1,B,ecommerce_commune,,00580,,,,,,district,building,https://shop.example.vn/b\n").as_bytes(),
        );
        let rows = read_pilots(&path).unwrap_or_else(|e| panic!("{e}"));
        let p = &rows[0].value;
        assert_eq!(p.approved_year, Some(2023), "the year is taken from approved_on");
        assert_eq!(p.provenance.decision.as_deref(), Some("236/KH-UBND"));
        assert_eq!(p.provenance.directing_level, Some(DirectingLevel::Province));
        assert_eq!(p.provenance.stage, Some(PilotStage::Selected));
        assert_eq!(rows[1].value.provenance.url.as_deref(), Some("https://shop.example.vn/b"));

        let bad = csv_file(
            "pi-prov-bad.csv",
            format!("{head}P1,A,smart_commune,,00571,,,2022,D,2023-09-21,city,done,shop.vn\n").as_bytes(),
        );
        let e = read_pilots(&bad).unwrap_err();
        assert_problem(&e, 2, "directing_level", "city", "is not a directing level");
        assert_problem(&e, 2, "stage", "done", "is not a pilot stage");
        assert_problem(&e, 2, "url", "shop.vn", "url must be an http:// or https:// address");
        assert_problem(&e, 2, "approved_year", "2022", "approved_on 2023-09-21 is in 2023");
        assert_eq!(e.problems.len(), 4, "{e}");
    }

    #[test]
    fn bad_pilot_kind_and_commune_code() {
        let e = pilots("pi-kind.csv", "P1,A,smart_city,,123456,,,\n").unwrap_err();
        assert_problem(&e, 2, "kind", "smart_city", "is not a pilot kind");
        assert_problem(&e, 2, "commune_code", "123456", "is not a commune code");
    }

    #[test]
    fn one_coordinate_empty_is_an_error() {
        let e =
            pilots("pi-half.csv", "P1,A,smart_commune,,00001,105.9,,\nP2,B,smart_commune,,00001,,21.0,\n").unwrap_err();
        assert_problem(&e, 2, "lat", "", "give both or neither");
        assert_problem(&e, 3, "lon", "", "give both or neither");
    }

    #[test]
    fn coordinates_non_numeric_non_finite_or_outside_vietnam() {
        let e = pilots(
            "pi-coord.csv",
            "P1,A,smart_commune,,00001,abc,21,\nP2,A,smart_commune,,00001,105.9,NaN,\nP3,A,smart_commune,,00001,21.0,105.9,\n",
        )
        .unwrap_err();
        assert_problem(&e, 2, "lon", "abc", "lon is not a number");
        assert_problem(&e, 3, "lat", "NaN", "lat is not a finite number");
        assert_problem(&e, 4, "lon", "21.0", "outside Vietnam's extent");
        assert_problem(&e, 4, "lat", "105.9", "outside Vietnam's extent");
    }

    #[test]
    fn approved_year_out_of_range() {
        let e = pilots("pi-year.csv", "P1,A,smart_village,,00001,,,2031\n").unwrap_err();
        assert_problem(&e, 2, "approved_year", "2031", "year must be from 2010 to 2030");
    }

    #[test]
    fn duplicate_pilot_ids_name_both_lines() {
        let e = pilots("pi-dup.csv", "P1,A,smart_village,,00001,,,\nP1,B,smart_village,,00002,,,\n").unwrap_err();
        assert_problem(&e, 3, "id", "P1", "duplicate id: also on line 2");
    }

    #[test]
    fn empty_id_is_refused() {
        let e = pilots("pi-id.csv", ",A,smart_village,,00001,,,\n").unwrap_err();
        assert_problem(&e, 2, "id", "", "id is required");
    }

    #[test]
    fn good_tourism_rows_load() {
        let rows = tourism(
            "t-ok.csv",
            "T1,Gốm Bát Tràng,craft_village,,10183,105.91,20.97,https://example.org\nT2,Mật ong,ocop_product,4,00001,,,\n",
        )
        .unwrap();
        assert_eq!(rows[0].value.url.as_deref(), Some("https://example.org"));
        assert_eq!(rows[1].value.ocop_stars, Some(4));
    }

    #[test]
    fn ocop_stars_range_and_category() {
        let e = tourism(
            "t-stars.csv",
            "T1,A,ocop_product,6,00001,,,\nT2,A,homestay,4,00001,,,\nT3,A,ocop_product,x,00001,,,\n",
        )
        .unwrap_err();
        assert_problem(&e, 2, "ocop_stars", "6", "must be 3, 4 or 5");
        assert_problem(&e, 3, "ocop_stars", "4", "only for ocop_product (category is homestay)");
        assert_problem(&e, 4, "ocop_stars", "x", "must be 3, 4 or 5");
    }

    #[test]
    fn bad_category_and_duplicate_tourism_ids() {
        let e = tourism("t-cat.csv", "T1,A,museum,,00001,,,\nT2,A,homestay,,00001,,,\nT2,B,homestay,,00001,,,\n")
            .unwrap_err();
        assert_eq!(e.problems.len(), 2, "{e}");
        assert_problem(&e, 2, "category", "museum", "is not a tourism category");
        assert_problem(&e, 4, "id", "T2", "duplicate id: also on line 3");
    }
}
