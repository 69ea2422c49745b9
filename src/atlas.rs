//! The joined atlas snapshot.
