//! Pure checks applied to one HTTP exchange.

pub mod schema;
