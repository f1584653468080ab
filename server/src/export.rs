//! Exports to spreadsheets: a report's table, and every list (work lists, the instances
//! behind a figure) as `.xlsx` (Chinese headers, dates as dates, money as numbers with its
//! decimals, the header row frozen, columns sized) or CSV (UTF-8 with a BOM, so that Excel
//! reads Chinese). A list is read a page at a time: CSV streams as it is read, and the
//! workbook keeps its rows on disk (rust_xlsxwriter's constant memory), so an export of
//! 100,000 rows holds a page in memory, not the list.

use axum::body::Body;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use kexie_api::{ColumnKind, ListRow, ReportTable};
use kexie_engine::text::{Lang, Text};
use rust_xlsxwriter::{ExcelDateTime, Format, FormatBorder, Workbook, Worksheet};

use crate::error::ApiError;

/// Which file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Csv,
    Xlsx,
}

impl Kind {
    /// `format` as a query gives it: none for JSON.
    pub fn of(format: Option<&str>) -> Result<Option<Kind>, ApiError> {
        match format {
            None => Ok(None),
            Some("csv") => Ok(Some(Kind::Csv)),
            Some("xlsx") => Ok(Some(Kind::Xlsx)),
            Some(other) => Err(ApiError::bad_request(
                format!("format 只能是 csv 或 xlsx，而不是「{other}」。"),
                format!("format must be csv or xlsx, not '{other}'."),
            )
            .on_field("format")),
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Kind::Csv => "csv",
            Kind::Xlsx => "xlsx",
        }
    }

    fn media_type(self) -> &'static str {
        match self {
            Kind::Csv => "text/csv; charset=utf-8",
            Kind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// What a column holds, for its format in a workbook.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    Text,
    /// An RFC 3339 moment, written as a date and time.
    Moment,
    /// A number with this many decimals.
    Number(u32),
    /// A share, written as a percentage.
    Percent,
}

/// A column: its header and shape.
pub struct Column {
    pub label: String,
    pub shape: Shape,
}

/// A cell.
#[derive(Debug, Clone)]
pub enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

/// A sheet being written: the workbook (rows kept on disk) or CSV text.
pub struct Sheet {
    kind: Kind,
    columns: Vec<Column>,
    book: Workbook,
    row: u32,
    formats: Vec<Format>,
    widths: Vec<usize>,
}

fn xlsx_error(e: rust_xlsxwriter::XlsxError) -> ApiError {
    ApiError::internal(format!("xlsx: {e}"))
}

impl Sheet {
    pub fn new(kind: Kind, columns: Vec<Column>) -> Result<Sheet, ApiError> {
        let mut book = Workbook::new();
        let formats = columns
            .iter()
            .map(|c| match c.shape {
                Shape::Text => Format::new(),
                Shape::Moment => Format::new().set_num_format("yyyy-mm-dd hh:mm"),
                Shape::Number(0) => Format::new().set_num_format("#,##0"),
                Shape::Number(scale) => Format::new().set_num_format(format!("#,##0.{}", "0".repeat(scale as usize))),
                Shape::Percent => Format::new().set_num_format("0.0%"),
            })
            .collect();
        let widths = columns.iter().map(|c| width_of(&c.label)).collect();
        if kind == Kind::Xlsx {
            let ws = book.add_worksheet_with_constant_memory().map_err(xlsx_error)?;
            let head = Format::new().set_bold().set_border_bottom(FormatBorder::Thin);
            for (i, c) in columns.iter().enumerate() {
                ws.write_string_with_format(0, i as u16, &c.label, &head).map_err(xlsx_error)?;
            }
        }
        Ok(Sheet { kind, columns, book, row: 1, formats, widths })
    }

    /// The CSV head: the BOM and the header line.
    pub fn csv_head(&self) -> String {
        let labels: Vec<Cell> = self.columns.iter().map(|c| Cell::Text(c.label.clone())).collect();
        format!("\u{feff}{}", csv_line(&labels))
    }

    /// One row: as a CSV line, or written into the workbook (returning nothing).
    pub fn row(&mut self, cells: &[Cell]) -> Result<String, ApiError> {
        for (w, cell) in self.widths.iter_mut().zip(cells) {
            if let Cell::Text(s) = cell {
                *w = (*w).max(width_of(s));
            }
        }
        if self.kind == Kind::Csv {
            return Ok(csv_line(cells));
        }
        let (row, formats) = (self.row, &self.formats);
        let ws: &mut Worksheet = self.book.worksheet_from_index(0).map_err(xlsx_error)?;
        for (i, (cell, column)) in cells.iter().zip(&self.columns).enumerate() {
            let (col, format) = (i as u16, &formats[i]);
            match (cell, column.shape) {
                (Cell::Text(s), Shape::Moment) => match ExcelDateTime::parse_from_str(s.get(..19).unwrap_or(s)) {
                    Ok(when) => ws.write_datetime_with_format(row, col, &when, format).map(|_| ()),
                    Err(_) => ws.write_string(row, col, s).map(|_| ()),
                },
                (Cell::Text(s), _) => ws.write_string(row, col, s).map(|_| ()),
                (Cell::Number(n), _) => ws.write_number_with_format(row, col, *n, format).map(|_| ()),
                (Cell::Empty, _) => Ok(()),
            }
            .map_err(xlsx_error)?;
        }
        self.row += 1;
        Ok(String::new())
    }

    /// The finished workbook: header frozen, columns as wide as what they hold.
    pub fn workbook(mut self) -> Result<Vec<u8>, ApiError> {
        let ws = self.book.worksheet_from_index(0).map_err(xlsx_error)?;
        ws.set_freeze_panes(1, 0).map_err(xlsx_error)?;
        for (i, (w, c)) in self.widths.iter().zip(&self.columns).enumerate() {
            let min = if matches!(c.shape, Shape::Moment) { 17 } else { 8 };
            ws.set_column_width(i as u16, (*w).clamp(min, 60) as f64 + 1.0).map_err(xlsx_error)?;
        }
        self.book.save_to_buffer().map_err(xlsx_error)
    }
}

/// How wide text is in Excel's character units: a Chinese character takes two.
fn width_of(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

fn csv_line(cells: &[Cell]) -> String {
    let field = |c: &Cell| match c {
        Cell::Text(s) if s.contains([',', '"', '\n', '\r']) => format!("\"{}\"", s.replace('"', "\"\"")),
        Cell::Text(s) => s.clone(),
        Cell::Number(n) => n.to_string(),
        Cell::Empty => String::new(),
    };
    let mut line = cells.iter().map(field).collect::<Vec<_>>().join(",");
    line.push_str("\r\n");
    line
}

/// The response carrying a file named `name` (`name.csv`, `name.xlsx`).
pub fn attachment(kind: Kind, name: &str, body: Body) -> Response {
    let ascii: String = name.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    let encoded = percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC);
    let ext = kind.extension();
    let disposition = format!(
        "attachment; filename=\"{}.{ext}\"; filename*=UTF-8''{encoded}.{ext}",
        if ascii.is_empty() { "kexie" } else { &ascii }
    );
    ([(header::CONTENT_TYPE, kind.media_type().to_string()), (header::CONTENT_DISPOSITION, disposition)], body)
        .into_response()
}

/// A report's table as a file: its group columns, then its figures as numbers.
pub fn table(kind: Kind, t: &ReportTable, lang: Lang) -> Result<Response, ApiError> {
    let columns = t
        .columns
        .iter()
        .map(|c| {
            let unit = c.unit.as_ref().map(|u| format!("（{}）", u.get(lang))).unwrap_or_default();
            let shape = match c.kind {
                ColumnKind::Group => Shape::Text,
                ColumnKind::Rate => Shape::Percent,
                ColumnKind::Count | ColumnKind::Sum | ColumnKind::Avg | ColumnKind::Hours => Shape::Number(c.scale),
            };
            Column { label: format!("{}{unit}", c.label.get(lang)), shape }
        })
        .collect();
    let mut sheet = Sheet::new(kind, columns)?;
    let mut text = sheet.csv_head();
    for r in &t.rows {
        let mut cells: Vec<Cell> = r.keys.iter().map(|k| Cell::Text(k.label.get(lang).to_string())).collect();
        cells.extend(r.values.iter().map(|v| v.map_or(Cell::Empty, Cell::Number)));
        text.push_str(&sheet.row(&cells)?);
    }
    let body = match kind {
        Kind::Csv => Body::from(text),
        Kind::Xlsx => Body::from(sheet.workbook()?),
    };
    Ok(attachment(kind, t.title.get(lang), body))
}

/// The columns of a list.
pub fn list_columns(lang: Lang) -> Vec<Column> {
    let t = |zh: &str, en: &str, shape| Column { label: Text::new(zh, en).get(lang).to_string(), shape };
    vec![
        t("流程", "Workflow", Shape::Text),
        t("摘要", "Summary", Shape::Text),
        t("当前环节", "Step", Shape::Text),
        t("状态", "Status", Shape::Text),
        t("发起人", "Initiator", Shape::Text),
        t("更新时间", "Updated", Shape::Moment),
        t("办理期限", "Due", Shape::Moment),
        t("逾期", "Overdue", Shape::Text),
        t("编号", "Number", Shape::Text),
    ]
}

/// A list's row as cells, in `list_columns`' order.
pub fn list_cells(r: &ListRow, lang: Lang) -> Vec<Cell> {
    let text = |t: &Option<Text>| t.as_ref().map_or(Cell::Empty, |t| Cell::Text(t.get(lang).to_string()));
    let status = if r.returned { Text::new("待修改", "Returned") } else { crate::api::status_label(&r.status) };
    vec![
        Cell::Text(r.title.get(lang).to_string()),
        text(&r.summary),
        if r.status == "completed" || r.status == "rejected" { Cell::Empty } else { text(&r.step_label) },
        Cell::Text(status.get(lang).to_string()),
        Cell::Text(r.initiator.name.clone()),
        Cell::Text(r.updated_at.clone()),
        r.due_at.clone().map_or(Cell::Empty, Cell::Text),
        Cell::Text(if r.overdue { Text::new("是", "Yes") } else { Text::new("否", "No") }.get(lang).to_string()),
        Cell::Text(r.id.clone()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_it_and_starts_with_a_bom() {
        let sheet = Sheet::new(Kind::Csv, vec![Column { label: "名称".into(), shape: Shape::Text }]).unwrap();
        assert_eq!(sheet.csv_head(), "\u{feff}名称\r\n");
        let line =
            csv_line(&[Cell::Text("甲,乙".into()), Cell::Text("说\"好\"".into()), Cell::Number(1.5), Cell::Empty]);
        assert_eq!(line, "\"甲,乙\",\"说\"\"好\"\"\",1.5,\r\n");
    }
}
