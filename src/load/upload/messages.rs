//! Vietnamese for the loaders' English messages, so that an upload's report speaks both
//! languages while the loaders stay the one place that validates a value.
//!
//! Each message the loaders and the atlas checks write is recognised by a fragment of its
//! English text; the test at the bottom runs every kind of bad value through the loaders
//! and checks that none falls through to the generic line.

/// The Vietnamese for an English loader message.
pub(crate) fn vietnamese(en: &str) -> String {
    let quoted = en.split('\'').nth(1).unwrap_or("");
    let set = en.split("set ").nth(1).and_then(|s| s.split_whitespace().next()).unwrap_or("");
    const TABLE: &[(&str, &str)] = &[
        (" is required", "Thiếu giá trị: cột này là bắt buộc"),
        ("is not a commune code", "không phải mã xã (cần 5 chữ số)"),
        ("is not a district code", "không phải mã huyện (cần 3 chữ số)"),
        ("is not a province code", "không phải mã tỉnh (cần 2 chữ số)"),
        ("year must be from", "Năm phải từ 2010 đến 2030"),
        ("not a year", "Không phải năm (cần số có 4 chữ số)"),
        ("is not an NTM level", "không phải mức NTM (chọn: Chưa đạt chuẩn NTM, Đạt chuẩn NTM, NTM nâng cao, NTM kiểu mẫu)"),
        ("criteria met must be", "Số tiêu chí đạt phải là số nguyên từ 0 đến 19"),
        ("NTM levels require all", "Mức đạt chuẩn NTM trở lên đòi hỏi đạt đủ 19 tiêu chí"),
        ("a province level must be", "Mức của tỉnh phải là hoàn thành nhiệm vụ xây dựng NTM (hoan_thanh)"),
        ("is not a pilot kind", "không phải loại mô hình (smart_commune, ecommerce_commune, smart_village)"),
        ("is not a tourism category", "không phải loại hình du lịch (rural_tourism_site, homestay, craft_village, ocop_product)"),
        ("is not a directing level", "không phải cấp chỉ đạo (central, province, district)"),
        ("is not a pilot stage", "không phải giai đoạn (selected, building, recognised)"),
        ("url must be", "Địa chỉ web phải bắt đầu bằng http:// hoặc https://"),
        ("approved_on", "Năm phê duyệt không khớp với ngày phê duyệt"),
        ("give both or neither", "Cần nhập cả kinh độ và vĩ độ, hoặc để trống cả hai"),
        ("is not a finite number", "Tọa độ không phải là số hữu hạn"),
        ("is not a number (decimal degrees", "Tọa độ không phải là số (độ thập phân, ví dụ 105,85)"),
        ("outside Vietnam's extent", "Tọa độ nằm ngoài phạm vi Việt Nam (nhầm kinh độ với vĩ độ?)"),
        ("OCOP stars must be", "Số sao OCOP phải là 3, 4 hoặc 5"),
        ("OCOP stars are only for", "Chỉ sản phẩm OCOP (ocop_product) mới có số sao"),
        ("unknown criteria set", "Bộ tiêu chí không tồn tại (xa_ntm_2021, xa_nang_cao_2021, huyen_ntm_2021, huyen_nang_cao_2021)"),
        ("criterion must be a whole number", "Số tiêu chí phải là số nguyên"),
        ("indicator must be a whole number", "Số chỉ tiêu phải là số nguyên (8.4 là tiêu chí 8, chỉ tiêu 4)"),
        ("met must be true or false", "Giá trị đạt phải là có hoặc không"),
        ("value must be a number", "Giá trị phải là số (ví dụ 87,5)"),
        ("has no criterion", "Bộ tiêu chí không có tiêu chí này"),
        ("has no indicator", "Bộ tiêu chí không có chỉ tiêu này"),
        ("applies to", "Bộ tiêu chí không áp dụng cho năm này"),
        ("no commune has this code", "Không có xã nào mang mã này trong danh mục đơn vị năm 2024"),
        ("no district has this code", "Không có huyện nào mang mã này trong danh mục đơn vị năm 2024"),
        ("no province has this code", "Không có tỉnh nào mang mã này trong danh mục đơn vị năm 2024"),
        ("only xã are", "Chỉ xã mới được xét NTM (phường, thị trấn không áp dụng)"),
        ("lies outside its commune", "Điểm nằm ngoài địa giới xã đã ghi"),
        ("a province completes once", "Mỗi tỉnh chỉ hoàn thành nhiệm vụ một lần"),
        ("does not exist", "Ngày không tồn tại"),
        ("YYYY-MM-DD", "Ngày không hợp lệ (định dạng YYYY-MM-DD, ví dụ 2024-06-30)"),
        ("month", "Tháng không hợp lệ (định dạng YYYY-MM-DD)"),
        ("not valid UTF-8", "Không phải mã UTF-8 (hãy lưu tệp dạng CSV UTF-8)"),
        ("fields where the header has", "Số cột của dòng khác với dòng tiêu đề"),
    ];
    for (fragment, vi) in TABLE {
        if en.contains(fragment) {
            let mut text = if vi.starts_with(char::is_lowercase) && !quoted.is_empty() { format!("'{quoted}' {vi}") } else { vi.to_string() };
            if en.contains("assesses communes") {
                text.push_str(&format!(" (bộ tiêu chí {set} đánh giá xã)"));
            } else if en.contains("assesses districts") {
                text.push_str(&format!(" (bộ tiêu chí {set} đánh giá huyện)"));
            }
            return text;
        }
    }
    format!("{GENERIC}: {en}")
}

/// The start of a message with no Vietnamese of its own.
pub(crate) const GENERIC: &str = "Giá trị không hợp lệ";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_messages_are_translated() {
        assert_eq!(vietnamese("'xuat_sac' is not an NTM level (expected one of …)"), "'xuat_sac' không phải mức NTM (chọn: Chưa đạt chuẩn NTM, Đạt chuẩn NTM, NTM nâng cao, NTM kiểu mẫu)");
        assert!(vietnamese("'12345' is not a district code (3 digits expected) (set huyen_ntm_2021 assesses districts)").contains("bộ tiêu chí huyen_ntm_2021 đánh giá huyện"));
        assert!(vietnamese("something new").starts_with(GENERIC));
    }
}
