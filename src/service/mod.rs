//! Orchestration between the pure core and the store, run inside one blocking database task:
//! scoring an organisation's suppliers, processing uploads, building workbooks.

pub mod assess;
pub mod report;
pub mod uploads;
