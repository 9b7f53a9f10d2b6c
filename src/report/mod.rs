//! The compliance workbook (xlsx), written from plain data.
