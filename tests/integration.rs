//! The CLI's integration tests, one test binary: each former `tests/NAME.rs` is a module here, so the
//! whole dependency tree is linked once instead of once per file (most of their build time in CI).
//!
//! A new test file `tests/NAME.rs` is one line below (`mod NAME;`, with `#[cfg(feature = "...")]` if it
//! needs one of the crate's features). In the file, `use crate::common;` instead of `mod common;`.
//! One test file's tests: `cargo test -p leakhound --test integration NAME::`.
//!
//! The tests share one process and run on several threads: none may set environment variables, change
//! the current directory or rely on process-wide state; each works in its own temporary directory and
//! passes environment to the commands it runs.

mod common;
// A fresh PostgreSQL database per test (the ledger's tests, shared with leakhound-core's).
#[cfg(feature = "ledger")]
#[path = "../crates/scanner-core/tests/support/pg.rs"]
mod pg;
// The labelled set's generators, used by `labelled` and `decoding` (one copy, so its tests run once).
#[path = "labelled/gen.rs"]
mod gen;

mod ci_formats;
mod cli;
mod context;
mod decoding;
mod defects;
mod e2e;
mod files;
mod gitleaks;
mod governance;
mod history;
mod hook;
mod keyed;
mod labelled;
#[cfg(feature = "ledger")]
mod ledger;
mod limits;
#[cfg(feature = "ledger")]
mod org;
#[cfg(feature = "ledger")]
mod report_browser;
mod safety;
#[cfg(feature = "validate")]
mod validate;
