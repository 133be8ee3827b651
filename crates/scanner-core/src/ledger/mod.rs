//! The credential ledger: scans record runs and sightings (fingerprints and metadata, never a secret) in
//! SQLite or PostgreSQL; `leakhound report` derives each credential's lifecycle and the governance KPIs
//! from them.

pub mod model;
pub mod render;
