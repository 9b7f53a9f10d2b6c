//! Plain domain types shared by every module: parsed once at the edge, valid inside.

pub mod assessment;
pub mod sheet;
pub mod supplier;
pub mod vocab;

pub use assessment::*;
pub use sheet::*;
pub use supplier::*;
pub use vocab::*;
