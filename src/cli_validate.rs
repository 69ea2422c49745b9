//! `bando validate` for the offices' workbooks (a module of the binary): an .xlsx file is
//! checked exactly as `POST /manage/uploads` checks it, before anyone uploads it.
//!
//! Steps: 1. build the atlas the workbook is checked against (the embedded data, or the
//! `--geodata` folder); 2. read each workbook with [`read_upload`], as an admin would
//! upload it, or as the editor of `--province` codes when given (a unit outside them is
//! then an error, as on the server); 3. print every problem by sheet, row and column, or
//! the records read by kind.

use anyhow::Context;
use bando::atlas::{self, Inputs};
use bando::load::upload::{read_upload, UploadScope};
use bando::model::ProvinceCode;
use std::path::{Path, PathBuf};

/// True for the files this module reads (the other data files go to the loaders).
pub fn is_workbook(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
}

/// Validates each workbook and prints its report; `Ok(true)` when every one is clean.
pub fn validate_workbooks(files: &[PathBuf], geodata: &Path, code_property: &str, provinces: &[String]) -> anyhow::Result<bool> {
    let scope = match provinces {
        [] => UploadScope::All,
        codes => UploadScope::Provinces(codes.iter().map(|c| ProvinceCode::parse(c)).collect::<Result<_, _>>()?),
    };
    let mut inputs = Inputs::embedded(geodata);
    inputs.code_property = code_property.to_string();
    let (atlas, _) = atlas::build(&inputs).map_err(|e| anyhow::anyhow!("the data the workbooks are checked against does not load:\n{e}"))?;
    let mut clean = true;
    for path in files {
        let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let name = path.display().to_string();
        match read_upload(&name, &bytes, &atlas, &scope) {
            Ok(upload) => {
                let kinds: Vec<String> = upload.records.iter().map(|(kind, records)| format!("{} {}", records.len(), kind.as_str())).collect();
                println!("{name}: {} records read / đọc được {} bản ghi ({})", upload.len(), upload.len(), kinds.join(", "));
            }
            Err(report) => {
                print!("{report}");
                clean = false;
            }
        }
    }
    Ok(clean)
}
