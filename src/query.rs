//! Point queries.
