//! The rejected rows of an upload as a workbook: the rows as they came in, under their
//! original headers, plus a column saying why — ready to fix and upload again.

use super::cell::Styles;
use super::ReportError;
use rust_xlsxwriter::{ColNum, RowNum, Workbook};

/// One rejected row: the spreadsheet row number, its cells by original header, the reasons.
pub struct RejectedRow {
    pub row: u32,
    pub raw: Vec<(String, String)>,
    pub reasons: Vec<String>,
}

/// The column that explains each rejection (ignored as an extra attribute on re-upload).
pub const WHY_HEADER: &str = "Why rejected (Manumit)";
pub const ROW_HEADER: &str = "Source row (Manumit)";

pub fn write_rejected(headers: &[String], rows: &[RejectedRow]) -> Result<Vec<u8>, ReportError> {
    let st = Styles::new();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Rejected rows")?;
    for (c, h) in headers.iter().enumerate() {
        st.text_fmt(ws, 0, c as ColNum, h, &st.header)?;
        ws.set_column_width(c as ColNum, (h.chars().count() as f64 + 4.0).clamp(10.0, 40.0))?;
    }
    let why_col = headers.len() as ColNum;
    ws.write_string_with_format(0, why_col, WHY_HEADER, &st.header)?;
    ws.write_string_with_format(0, why_col + 1, ROW_HEADER, &st.header)?;
    ws.set_column_width(why_col, 60.0)?;
    ws.set_column_width(why_col + 1, 12.0)?;
    ws.set_freeze_panes(1, 0)?;
    for (i, r) in rows.iter().enumerate() {
        let row = (i + 1) as RowNum;
        for (h, v) in &r.raw {
            if let Some(c) = headers.iter().position(|x| x == h) {
                st.text(ws, row, c as ColNum, v)?;
            }
        }
        st.text_fmt(ws, row, why_col, &r.reasons.join("; "), &st.wrap)?;
        ws.write_number(row, why_col + 1, f64::from(r.row))?;
    }
    ws.autofilter(0, 0, rows.len() as RowNum, why_col + 1)?;
    Ok(wb.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};

    #[test]
    fn rows_come_back_under_their_headers_with_the_reason_and_no_formula() {
        let headers = vec!["Vendor Name".to_string(), "Country".to_string(), "=cmd".to_string()];
        let rows = vec![RejectedRow {
            row: 7,
            raw: vec![("Vendor Name".into(), "=HYPERLINK(\"x\")".into()), ("Country".into(), "Narnia".into())],
            reasons: vec!["Country: 'Narnia' is not a country".into()],
        }];
        let bytes = write_rejected(&headers, &rows).unwrap();
        let mut x: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes.clone())).unwrap();
        let r = x.worksheet_range("Rejected rows").unwrap();
        assert_eq!(r.get_value((0, 0)), Some(&Data::String("Vendor Name".into())));
        assert_eq!(r.get_value((0, 2)), Some(&Data::String("=cmd".into())));
        assert_eq!(r.get_value((0, 3)), Some(&Data::String(WHY_HEADER.into())));
        assert_eq!(r.get_value((1, 0)), Some(&Data::String("=HYPERLINK(\"x\")".into())));
        assert_eq!(r.get_value((1, 1)), Some(&Data::String("Narnia".into())));
        assert_eq!(r.get_value((1, 3)), Some(&Data::String("Country: 'Narnia' is not a country".into())));
        assert_eq!(r.get_value((1, 4)), Some(&Data::Float(7.0)));
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut z.by_name("xl/worksheets/sheet1.xml").unwrap(), &mut xml).unwrap();
        assert!(!xml.contains("<f>"), "a formula was written");
    }
}
