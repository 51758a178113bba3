//! Pure checks applied to one HTTP exchange.
