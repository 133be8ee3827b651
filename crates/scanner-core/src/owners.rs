//! CODEOWNERS: who owns a path when the inventory is silent. GitHub/GitLab syntax, last matching
//! pattern wins; patterns are gitignore-style and matched with `globset`.

use std::path::Path;

use globset::{GlobBuilder, GlobMatcher};

/// A parsed CODEOWNERS file.
#[derive(Debug, Default)]
pub struct CodeOwners {
    rules: Vec<(GlobMatcher, Vec<String>)>,
}

/// Where CODEOWNERS is looked for, in git's and GitLab's order.
pub const LOCATIONS: [&str; 4] = [
    ".github/CODEOWNERS",
    "CODEOWNERS",
    "docs/CODEOWNERS",
    ".gitlab/CODEOWNERS",
];

impl CodeOwners {
    /// The first CODEOWNERS file found under `root` (`.github/`, the root, `docs/`, `.gitlab/`, in
    /// that order); empty when there is none.
    pub fn discover(root: &Path) -> CodeOwners {
        LOCATIONS
            .iter()
            .find_map(|l| std::fs::read_to_string(root.join(l)).ok())
            .map(|t| CodeOwners::parse(&t))
            .unwrap_or_default()
    }

    /// Parses CODEOWNERS text. Lines that are blank, comments, GitLab `[Section]` headers or patterns
    /// that do not compile are skipped.
    ///
    /// ```
    /// use leakhound_core::CodeOwners;
    /// let owners = CodeOwners::parse("* @org/platform\n/services/billing/ @org/payments\n*.tf @org/infra\n");
    /// assert_eq!(owners.owners_of("services/billing/app.env"), Some("@org/payments"));
    /// assert_eq!(owners.owners_of("services/billing/main.tf"), Some("@org/infra"));
    /// assert_eq!(owners.owners_of("README.md"), Some("@org/platform"));
    /// ```
    pub fn parse(text: &str) -> CodeOwners {
        let mut rules = Vec::new();
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty()
                || line.starts_with('#')
                || line.starts_with('[')
                || line.starts_with("^[")
            {
                continue;
            }
            let mut parts = line.split_whitespace();
            let Some(pattern) = parts.next() else {
                continue;
            };
            let owners: Vec<String> = parts
                .take_while(|p| !p.starts_with('#'))
                .map(str::to_owned)
                .collect();
            if let Some(m) = glob_for(pattern) {
                rules.push((m, owners));
            }
        }
        CodeOwners { rules }
    }

    /// The team to notify for `path`: the first owner named by the last matching pattern (the others stay
    /// in the file for people); `None` when no pattern matches or the last one that does names nobody.
    pub fn owners_of(&self, path: &str) -> Option<&str> {
        let owners = &self.rules.iter().rev().find(|(m, _)| m.is_match(path))?.1;
        owners.first().map(String::as_str)
    }

    /// Whether there are any patterns.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

/// gitignore-style pattern → glob: a leading `/` (or a `/` inside) anchors at the root, otherwise the
/// pattern matches at any depth; a trailing `/` (or a plain name) also covers everything below.
fn glob_for(pattern: &str) -> Option<GlobMatcher> {
    let anchored = pattern.starts_with('/') || pattern.trim_end_matches('/').contains('/');
    let p = pattern.trim_start_matches('/');
    let dir_only = p.ends_with('/');
    let p = p.trim_end_matches('/');
    if p.is_empty() {
        return None;
    }
    let base = if anchored || p.starts_with("**") {
        p.to_owned()
    } else {
        format!("**/{p}")
    };
    let glob = if dir_only {
        format!("{base}/**")
    } else if p.contains('*') {
        // `docs/*` matches the files in docs/, not deeper (GitHub's documented behaviour).
        base
    } else {
        // A plain name is a file or a directory: both.
        format!("{{{base},{base}/**}}")
    };
    GlobBuilder::new(&glob)
        .literal_separator(true)
        .build()
        .ok()
        .map(|g| g.compile_matcher())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_match_wins_and_anchoring() {
        let o = CodeOwners::parse(
            "# comment\n*.js @web\n/build/logs/ @ops\ndocs/* @docs\napps/ @apps\n/config/prod.env @sec @audit\nlegacy/ \n",
        );
        assert_eq!(o.owners_of("src/app.js"), Some("@web"));
        assert_eq!(o.owners_of("build/logs/x.js"), Some("@ops"));
        assert_eq!(o.owners_of("docs/a.md"), Some("@docs"));
        assert_eq!(o.owners_of("docs/sub/a.md"), None, "docs/* is one level");
        assert_eq!(o.owners_of("deep/apps/x.env"), Some("@apps"));
        assert_eq!(o.owners_of("config/prod.env"), Some("@sec"));
        assert_eq!(o.owners_of("other/config/prod.env"), None);
        assert_eq!(
            o.owners_of("legacy/a.py"),
            None,
            "a pattern with no owners un-owns"
        );
    }
}
