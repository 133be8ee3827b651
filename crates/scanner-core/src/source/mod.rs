//! Where bytes come from. Each source turns its inputs into (path, bytes) pairs for the matcher and
//! counts what it skipped.

pub mod fs;
pub mod git;
mod ignore_rules;
mod mapguard;
pub mod message;
mod walk;
