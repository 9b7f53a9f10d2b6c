//! Writes the supplier template workbook of API.md: Instructions, Supplier, Questionnaire and
//! the hidden _manumit sheet. Text from users is always written as text, never as a formula.

use super::definition::{AnswerType, Question, SectorQuestionnaire};
use super::supplier_sheet::{field_value, SUPPLIER_FIELDS};
use crate::domain::SupplierFields;
use chrono::NaiveDate;
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DataValidationRule, Format, FormatAlign, FormatBorder,
    ProtectionOptions, Workbook, Worksheet, XlsxError,
};
use std::collections::BTreeMap;

/// The supplier a template is pre-filled for.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateSupplier {
    pub id: String,
    pub fields: SupplierFields,
}

/// Header of the Questionnaire sheet, in column order.
pub const QUESTIONNAIRE_HEADER: [&str; 5] = ["Question ID", "Section", "Question", "Answer", "Evidence / comment"];
pub const META_SHEET: &str = "_manumit";

/// The blank template for a questionnaire, pre-filled with the supplier when given.
pub fn write_template(q: &SectorQuestionnaire, supplier: Option<&TemplateSupplier>) -> Result<Vec<u8>, XlsxError> {
    write_template_prefilled(q, supplier, &BTreeMap::new())
}

/// The template with some answers already written (question id → answer text), e.g. to send a
/// supplier last year's answers to confirm.
pub fn write_template_prefilled(
    q: &SectorQuestionnaire,
    supplier: Option<&TemplateSupplier>,
    answers: &BTreeMap<String, String>,
) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let f = Formats::new();
    instructions(wb.add_worksheet(), q, &f)?;
    supplier_sheet(wb.add_worksheet(), supplier, &f)?;
    questionnaire_sheet(wb.add_worksheet(), q, answers, &f)?;
    meta_sheet(wb.add_worksheet(), q, supplier)?;
    wb.save_to_buffer()
}

struct Formats {
    title: Format,
    header: Format,
    locked_wrap: Format,
    input: Format,
    input_date: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            title: Format::new().set_bold().set_font_size(14),
            header: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0xD9E1F2))
                .set_border(FormatBorder::Thin)
                .set_text_wrap(),
            locked_wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            input: Format::new()
                .set_unlocked()
                .set_text_wrap()
                .set_align(FormatAlign::Top)
                .set_background_color(Color::RGB(0xFFF2CC))
                .set_border(FormatBorder::Thin),
            input_date: Format::new()
                .set_unlocked()
                .set_num_format("yyyy-mm-dd")
                .set_align(FormatAlign::Top)
                .set_background_color(Color::RGB(0xFFF2CC))
                .set_border(FormatBorder::Thin),
        }
    }
}

/// True when a spreadsheet could read the text as a formula or it starts with a control char.
fn needs_quote(s: &str) -> bool {
    s.chars().next().is_some_and(|c| matches!(c, '=' | '+' | '-' | '@') || c.is_control())
}

/// Writes text as text: a leading `=`, `+`, `-`, `@` or control character gets a quote prefix.
fn put_text(ws: &mut Worksheet, row: u32, col: u16, s: &str, fmt: &Format) -> Result<(), XlsxError> {
    if s.is_empty() {
        ws.write_blank(row, col, fmt)?;
    } else if needs_quote(s) {
        ws.write_string_with_format(row, col, s, &fmt.clone().set_quote_prefix())?;
    } else {
        ws.write_string_with_format(row, col, s, fmt)?;
    }
    Ok(())
}

fn protection() -> ProtectionOptions {
    ProtectionOptions {
        sort: true,
        use_autofilter: true,
        format_columns: true,
        format_rows: true,
        insert_rows: true,
        ..ProtectionOptions::new()
    }
}

fn instructions(ws: &mut Worksheet, q: &SectorQuestionnaire, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name("Instructions")?;
    ws.set_active(true);
    ws.set_column_width(0, 100)?;
    let lines = [
        format!("{} (version {})", q.title, q.version),
        String::new(),
        "Thank you for filling in this questionnaire. It helps your customer understand how workers are recruited, paid and treated in its supply chain.".to_string(),
        "1. Sheet 'Supplier': check your company details and fill in the Value column (yellow cells).".to_string(),
        "2. Sheet 'Questionnaire': answer every question in the Answer column (yellow cells). Where there is a drop-down, choose from it.".to_string(),
        "3. Numbers: digits only (for example 60). Percentages: 0 to 100 (for example 35 for 35%). Dates: YYYY-MM-DD.".to_string(),
        "4. If you do not know an answer, write Unknown. Do not leave a question blank: a blank answer cannot be assessed.".to_string(),
        "5. Use the 'Evidence / comment' column for lists, explanations and the names of documents you can show.".to_string(),
        "6. Select a cell to see help on the question. You may sort the rows or add rows; do not change the Question ID column.".to_string(),
        "7. Save the file as .xlsx and send it back to your customer. Do not rename or delete the sheets.".to_string(),
        String::new(),
        "Answers are treated as indicators of risk to follow up, not as findings against you. Honest answers, including problems you are already fixing, are the most useful.".to_string(),
    ];
    for (i, line) in lines.iter().enumerate() {
        let fmt = if i == 0 { &f.title } else { &f.locked_wrap };
        put_text(ws, i as u32, 0, line, fmt)?;
    }
    ws.protect();
    Ok(())
}

fn supplier_sheet(ws: &mut Worksheet, supplier: Option<&TemplateSupplier>, f: &Formats) -> Result<(), XlsxError> {
    ws.set_name("Supplier")?;
    ws.set_column_width(0, 34)?;
    ws.set_column_width(1, 60)?;
    ws.write_string_with_format(0, 0, "Field", &f.header)?;
    ws.write_string_with_format(0, 1, "Value", &f.header)?;
    ws.set_freeze_panes(1, 0)?;
    for (i, field) in SUPPLIER_FIELDS.iter().enumerate() {
        let row = i as u32 + 1;
        ws.write_string_with_format(row, 0, *field, &f.locked_wrap)?;
        let value = supplier.map(|s| field_value(&s.fields, field)).unwrap_or_default();
        put_text(ws, row, 1, &value, &f.input)?;
    }
    ws.protect_with_options(&protection());
    Ok(())
}

/// Truncates to at most `max` UTF-16 units (Excel's limit for validation messages).
fn clip(s: &str, max: usize) -> String {
    let mut out = String::new();
    let mut n = 0;
    for c in s.chars() {
        n += c.len_utf16();
        if n > max.saturating_sub(1) {
            out.push('…');
            return out;
        }
        out.push(c);
    }
    out
}

fn validation(q: &Question) -> Result<DataValidation, XlsxError> {
    let v = match q.answer_type {
        AnswerType::YesNo => DataValidation::new().allow_list_strings(&["Yes", "No", "Unknown"])?,
        AnswerType::Choice => DataValidation::new()
            .allow_list_strings(q.choices.as_deref().unwrap_or_default())?
            .set_error_style(DataValidationErrorStyle::Warning),
        AnswerType::Number => DataValidation::new()
            .allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(0.0))
            .set_error_style(DataValidationErrorStyle::Warning),
        AnswerType::Percent => DataValidation::new()
            .allow_decimal_number(DataValidationRule::Between(0.0, 100.0))
            .set_error_style(DataValidationErrorStyle::Warning),
        AnswerType::Date => {
            let (lo, hi) = match (NaiveDate::from_ymd_opt(1900, 1, 1), NaiveDate::from_ymd_opt(2100, 12, 31)) {
                (Some(l), Some(h)) => (l, h),
                _ => return Err(XlsxError::ParameterError("date bounds".into())),
            };
            DataValidation::new()
                .allow_date(DataValidationRule::Between(lo, hi))
                .set_error_style(DataValidationErrorStyle::Warning)
        }
        AnswerType::Text => DataValidation::new().allow_any_value(),
    };
    let title = format!("{} ({})", q.id, if q.required { "required" } else { "optional" });
    let v = v.set_input_title(clip(&title, 32))?.set_input_message(clip(&q.help, 255))?;
    if q.answer_type == AnswerType::Text {
        return Ok(v);
    }
    v.set_error_title("Check this answer")?.set_error_message(clip(&super::answer::expected(q), 255))
}

fn questionnaire_sheet(
    ws: &mut Worksheet,
    q: &SectorQuestionnaire,
    answers: &BTreeMap<String, String>,
    f: &Formats,
) -> Result<(), XlsxError> {
    ws.set_name("Questionnaire")?;
    for (col, width) in [(0u16, 12.0), (1, 24.0), (2, 70.0), (3, 26.0), (4, 40.0)] {
        ws.set_column_width(col, width)?;
    }
    for (col, h) in QUESTIONNAIRE_HEADER.iter().enumerate() {
        ws.write_string_with_format(0, col as u16, *h, &f.header)?;
    }
    ws.set_freeze_panes(1, 0)?;
    let mut row = 1u32;
    for (section, question) in q.questions() {
        put_text(ws, row, 0, &question.id, &f.locked_wrap)?;
        put_text(ws, row, 1, &section.title, &f.locked_wrap)?;
        put_text(ws, row, 2, &question.text, &f.locked_wrap)?;
        let answer = answers.get(&question.id).map(String::as_str).unwrap_or("");
        write_answer(ws, row, question, answer, f)?;
        put_text(ws, row, 4, "", &f.input)?;
        ws.add_data_validation(row, 3, row, 3, &validation(question)?)?;
        let lines = (question.text.chars().count() / 75 + 1).min(6) as f64;
        ws.set_row_height(row, 15.0 * lines + 3.0)?;
        row += 1;
    }
    ws.autofilter(0, 0, row.saturating_sub(1), 4)?;
    ws.protect_with_options(&protection());
    Ok(())
}

/// A pre-filled answer in its own type: numbers as numbers, ISO dates as dates, else text.
fn write_answer(ws: &mut Worksheet, row: u32, q: &Question, answer: &str, f: &Formats) -> Result<(), XlsxError> {
    let trimmed = answer.trim();
    match q.answer_type {
        AnswerType::Number | AnswerType::Percent => {
            if let Ok(x) = trimmed.parse::<f64>() {
                if x.is_finite() {
                    ws.write_number_with_format(row, 3, x, &f.input)?;
                    return Ok(());
                }
            }
        }
        AnswerType::Date => {
            if let Ok(d) = NaiveDate::parse_from_str(trimmed, "%Y-%m-%d") {
                ws.write_datetime_with_format(row, 3, d, &f.input_date)?;
                return Ok(());
            }
            return put_text(ws, row, 3, answer, &f.input_date);
        }
        _ => {}
    }
    put_text(ws, row, 3, answer, &f.input)
}

fn meta_sheet(
    ws: &mut Worksheet,
    q: &SectorQuestionnaire,
    supplier: Option<&TemplateSupplier>,
) -> Result<(), XlsxError> {
    ws.set_name(META_SHEET)?;
    let rows = [
        ("questionnaire_id", q.id.as_str()),
        ("version", q.version.as_str()),
        ("sector", q.sector.as_str()),
        ("supplier_id", supplier.map(|s| s.id.as_str()).unwrap_or("")),
    ];
    let plain = Format::new();
    for (i, (k, v)) in rows.iter().enumerate() {
        ws.write_string(i as u32, 0, *k)?;
        put_text(ws, i as u32, 1, v, &plain)?;
    }
    ws.set_hidden(true);
    ws.protect();
    Ok(())
}
