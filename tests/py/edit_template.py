"""Checks bando's Excel template with an independent reader (openpyxl) and edits it the
way an office would, for tests/upload_openpyxl.rs.

    python3 tests/py/edit_template.py TEMPLATE.xlsx BAD.xlsx GOOD.xlsx

Checks: the data sheets exist, their header rows are frozen (panes at row 3), the level
and yes/no columns carry drop-down lists that point at the hidden DanhMuc sheet.
Edits: one commune's level (a "Đạt chuẩn NTM" row with 19 criteria becomes "NTM nâng
cao"), one criterion (the first "có" of column 8.4 becomes "không"), and one new row
whose level does not exist (BAD.xlsx) or is "Đạt chuẩn NTM" (GOOD.xlsx). Prints what it
changed as JSON on stdout.
"""
import json
import sys

import openpyxl

template, bad_path, good_path = sys.argv[1:4]
DATA_SHEETS = ["KetQua_Xa", "TieuChi_Xa", "KetQua_Huyen", "TieuChi_Huyen", "MoHinh_ThiDiem", "DuLich"]


def columns(ws):
    return {cell.value: cell.column for cell in ws[2] if cell.value}


def check(wb):
    for name in DATA_SHEETS:
        assert name in wb.sheetnames, f"{name} missing from {wb.sheetnames}"
        ws = wb[name]
        assert ws.freeze_panes is not None and ws.freeze_panes.endswith("3"), f"{name}: frozen at {ws.freeze_panes}"
    assert wb["DanhMuc"].sheet_state == "hidden", wb["DanhMuc"].sheet_state
    ws = wb["KetQua_Xa"]
    level = openpyxl.utils.get_column_letter(columns(ws)["level"])
    lists = [dv.formula1 for dv in ws.data_validations.dataValidation if any(str(r).startswith(level) for r in dv.sqref.ranges)]
    assert any("DanhMuc" in f for f in lists), f"no level list on column {level}: {lists}"
    ws = wb["TieuChi_Xa"]
    item = openpyxl.utils.get_column_letter(columns(ws)["8.4"])
    lists = [dv.formula1 for dv in ws.data_validations.dataValidation if any(str(r).startswith(item) for r in dv.sqref.ranges)]
    assert any("DanhMuc" in f for f in lists), f"no yes/no list on column {item}: {lists}"


def edit(path, new_level):
    wb = openpyxl.load_workbook(template)
    check(wb)
    changed = {}
    ws = wb["KetQua_Xa"]
    col = columns(ws)
    for row in range(3, ws.max_row + 1):
        if ws.cell(row, col["level"]).value == "Đạt chuẩn NTM" and ws.cell(row, col["criteria_met"]).value == 19:
            ws.cell(row, col["level"]).value = "NTM nâng cao"
            changed["level"] = {"code": ws.cell(row, col["code"]).value, "year": str(ws.cell(row, col["year"]).value)}
            break
    new_row = ws.max_row + 1
    ws.cell(new_row, col["code"]).value = changed["level"]["code"]
    ws.cell(new_row, col["year"]).value = 2025
    ws.cell(new_row, col["level"]).value = new_level
    ws.cell(new_row, col["criteria_met"]).value = 19
    changed["new_row"] = new_row
    ws = wb["TieuChi_Xa"]
    col = columns(ws)
    for row in range(3, ws.max_row + 1):
        if ws.cell(row, col["8.4"]).value == "có":
            ws.cell(row, col["8.4"]).value = "không"
            changed["criterion"] = {key: str(ws.cell(row, col[key]).value) for key in ("unit_code", "year", "set")}
            break
    wb.save(path)
    return changed


bad = edit(bad_path, "xuất sắc")
good = edit(good_path, "Đạt chuẩn NTM")
assert bad == good, (bad, good)
print(json.dumps(good, ensure_ascii=False))
