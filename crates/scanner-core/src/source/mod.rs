//! Where bytes come from. Each source turns its inputs into (path, bytes) pairs for the matcher,
//! pushes what it finds into a [`Sink`] and counts what it skipped in a [`ScanStats`](crate::ScanStats)
//! (history and staged changes wrap it with their own counters).

mod bytes;
#[cfg(feature = "git")]
pub mod commit_msg;
#[cfg(feature = "fs")]
pub mod fs;
#[cfg(feature = "git")]
pub mod git;
#[cfg(feature = "fs")]
mod ignore_rules;
#[cfg(feature = "fs")]
mod mapguard;
#[cfg(feature = "git")]
pub mod message;
mod sink;
#[cfg(feature = "git")]
pub mod staged;
mod stats;
#[cfg(feature = "fs")]
mod walk;

pub use sink::{order, Collect, Progress, Sink};
pub use stats::Stats;
