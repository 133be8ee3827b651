//! The report's HTML and Markdown forms (JSON is the model serialised).
//!
//! HTML: one self-contained file (inline CSS, inline SVG charts, no script, no external resource) that
//! works offline and in a mail client. Markdown: the headline numbers and the owner tables, for a CI job
//! summary or a weekly issue.

mod format;
mod html;
mod markdown;
mod svg;

pub use html::html;
pub use markdown::markdown;
