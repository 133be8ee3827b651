//! Command-line arguments, in their raw form. `scan_cmd` turns them into library options in one place.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "leakhound",
    version,
    about = "Find leaked secrets before they land, and link each to its owner."
)]
#[command(
    after_help = "Exit codes: 0 nothing found, 1 findings, 2 usage error or input lost to an error."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Fingerprint secrets with HMAC-SHA-256 under the key in FILE (`hmac-sha256:…`): overrides
    /// LEAKHOUND_FINGERPRINT_KEY and LEAKHOUND_FINGERPRINT_KEY_FILE.
    #[arg(long, global = true, value_name = "FILE")]
    pub fingerprint_key_file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan files and directories for secrets.
    Scan(ScanArgs),
    /// List the rules or check a rule file.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Install or remove the pre-commit and commit-msg hooks.
    #[command(subcommand)]
    Hook(HookCommand),
    /// Accept the current findings as known.
    #[command(subcommand)]
    Baseline(BaselineCommand),
    /// The owner inventory: who owns each credential.
    #[command(subcommand)]
    Inventory(InventoryCommand),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish) to standard output.
    #[command(
        after_help = "Examples:\n  leakhound completions bash > ~/.local/share/bash-completion/completions/leakhound\n  leakhound completions zsh > \"${fpath[1]}/_leakhound\"\n  leakhound completions fish > ~/.config/fish/completions/leakhound.fish"
    )]
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to standard output: `leakhound man | man -l -`.
    Man,
    /// Revoke a leaked credential with its provider (GitHub, GitLab, Slack, …), record it in the
    /// inventory and check it again.
    #[command(
        after_help = "Examples:\n  leakhound revoke --fingerprint sha256:3f1c… .\n  leakhound revoke --fingerprint sha256:3f1c… --history --owner team-ci --yes"
    )]
    Revoke(RevokeArgs),
    /// Report on a credential ledger: lifecycles, KPIs, trends, owners (HTML, Markdown or JSON).
    #[command(
        after_help = "Examples:\n  leakhound report --ledger sqlite:ledger.sqlite -o report.html\n  leakhound report --format markdown --since 2026-01-01 --owner team-payments\n  leakhound report --ledger postgres://leakhound@db.internal/ledger --format json -o kpis.json"
    )]
    Report(ReportArgs),
    /// Print the repositories of a list (or of a shard of it) as they are written: what a worker
    /// clones before `scan --history --repos … --shard I/N` scans the same ones.
    #[command(
        after_help = "Examples:\n  gh repo list acme --limit 10000 --json url --jq '.[].url' > repos.txt\n  leakhound repos --shard 2/4 repos.txt | xargs -n1 git clone --mirror\n  leakhound repos --identity /srv/clones"
    )]
    Repos(ReposArgs),
}

/// `leakhound repos`.
#[derive(Debug, Args)]
pub struct ReposArgs {
    /// A file with one clone path or remote URL per line (`-`: standard input), or a directory of
    /// clones.
    #[arg(value_name = "FILE|DIR")]
    pub list: PathBuf,

    /// Only shard I of N (1-based), as `scan --repos --shard I/N` selects it.
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    pub shard: Option<leakhound_core::repos::Shard>,

    /// Print each repository's identity (what shards and ledgers key on) and the entry, tab-separated.
    #[arg(long)]
    pub identity: bool,
}

/// `leakhound report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The ledger: sqlite:PATH (default: $XDG_DATA_HOME/leakhound/ledger.sqlite) or postgres://…
    #[arg(long, value_name = "URL", env = "LEAKHOUND_LEDGER")]
    pub ledger: Option<String>,

    /// Output format (default: from the --output file's extension, else markdown).
    #[arg(long, value_enum)]
    pub format: Option<ReportFormat>,

    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Only runs on or after this date (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,

    /// Only this repository (as the ledger names it: `github.com/org/repo`, or a path).
    #[arg(long, value_name = "REPO")]
    pub repo: Option<String>,

    /// Only credentials this owner (team) holds; `(unowned)` for those nobody does.
    #[arg(long, value_name = "TEAM")]
    pub owner: Option<String>,

    /// The date ages and due dates are counted to (default: today, UTC).
    #[arg(long, value_name = "DATE", hide = true)]
    pub today: Option<String>,
}

/// `leakhound report --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// One self-contained page with charts.
    Html,
    /// Headline numbers and owner tables.
    Markdown,
    /// Every number, for other dashboards.
    Json,
}

/// Recording a scan in a ledger.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Ledger")]
pub struct LedgerArgs {
    /// Record this run (fingerprints and metadata, never a secret) in a ledger: sqlite:PATH (`sqlite:`
    /// alone: $XDG_DATA_HOME/leakhound/ledger.sqlite) or postgres://USER@HOST/DB.
    #[arg(long, value_name = "URL", env = "LEAKHOUND_LEDGER")]
    pub ledger: Option<String>,

    /// A key that makes the recorded run idempotent: a run recorded again with the same key replaces
    /// the earlier one (a retried CI job does not count twice).
    #[arg(long, value_name = "KEY", requires = "ledger")]
    pub ledger_run_key: Option<String>,
}

#[derive(Debug, Args)]
pub struct RevokeArgs {
    /// The credential to revoke (from a report's `fingerprint`: `sha256:…` or `hmac-sha256:…`).
    #[arg(long, value_name = "FINGERPRINT")]
    pub fingerprint: String,

    /// Where the secret is: files or directories (default: the current directory); with --history,
    /// the repository.
    pub paths: Vec<PathBuf>,

    /// Look for it in git history.
    #[arg(long)]
    pub history: bool,

    /// Rules to find it with, besides the embedded ones (a TOML file or a directory of them).
    #[arg(long, value_name = "FILE|DIR")]
    pub rules: Vec<PathBuf>,

    /// Do not load the embedded default rules.
    #[arg(long)]
    pub no_default_rules: bool,

    /// Do not ask for confirmation.
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// The inventory to record the revocation in (default: leakhound-inventory.toml at the repository
    /// root).
    #[arg(long, value_name = "FILE")]
    pub inventory: Option<PathBuf>,

    /// The owner to record when the inventory has no entry for the credential yet.
    #[arg(long, value_name = "TEAM")]
    pub owner: Option<String>,

    /// `human` or `json`.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Timeout of one request, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 10.0)]
    pub timeout: f64,
}

#[derive(Debug, Subcommand)]
pub enum InventoryCommand {
    /// Add (or update) an entry; with --from-report, adopt every unknown-origin credential of a report.
    Add(InventoryAddArgs),
    /// List the entries.
    List {
        /// Inventory file (default: leakhound-inventory.toml at the repository root).
        #[arg(long, value_name = "FILE")]
        inventory: Option<PathBuf>,
    },
    /// Entries expired or expiring soon, and entries no scan matched (stale).
    Check {
        /// Inventory file (default: leakhound-inventory.toml at the repository root).
        #[arg(long, value_name = "FILE")]
        inventory: Option<PathBuf>,
        /// Warn about entries expiring within this many days.
        #[arg(long, default_value_t = 30)]
        within: i64,
        /// A JSON report (`scan --format json`) to check against; default: scan the repository's files.
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct InventoryAddArgs {
    /// The credential's fingerprint (`sha256:…`, or `hmac-sha256:…` under a fingerprint key), from a
    /// report.
    #[arg(
        long,
        required_unless_present = "from_report",
        conflicts_with = "from_report"
    )]
    pub fingerprint: Option<String>,
    /// Adopt every unknown-origin credential of this JSON report.
    #[arg(long, value_name = "REPORT")]
    pub from_report: Option<PathBuf>,
    /// The owning team.
    #[arg(long)]
    pub owner: String,
    /// What it is for.
    #[arg(long)]
    pub purpose: Option<String>,
    /// When it expires (YYYY-MM-DD).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub expires: Option<String>,
    /// When it was created (YYYY-MM-DD).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub created: Option<String>,
    /// prod, staging, dev, ...
    #[arg(long)]
    pub environment: Option<String>,
    /// active, revoked or honeytoken.
    #[arg(long, default_value = "active")]
    pub status: String,
    /// A ticket or link.
    #[arg(long)]
    pub ticket: Option<String>,
    /// Inventory file (default: leakhound-inventory.toml at the repository root).
    #[arg(long, value_name = "FILE")]
    pub inventory: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum HookCommand {
    /// Write a pre-commit hook that runs `leakhound scan --staged` and a commit-msg hook that runs
    /// `leakhound scan --commit-msg` (respects core.hooksPath; a hook already there is kept and run
    /// after leakhound's).
    Install {
        /// Repository (default: the current directory).
        repo: Option<PathBuf>,
        /// Chain a current foreign hook even if another chained hook is in place (that one is kept
        /// as <hook>.leakhound-chained.old).
        #[arg(long)]
        force: bool,
    },
    /// Remove leakhound's hooks and restore the ones they chained.
    Uninstall {
        /// Repository (default: the current directory).
        repo: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum BaselineCommand {
    /// Scan (as `leakhound scan` would, same options) and record every finding as accepted.
    Create {
        /// Where to write the baseline.
        #[arg(long, default_value = ".leakhound-baseline.json")]
        baseline_output: PathBuf,
        #[command(flatten)]
        scan: ScanArgs,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// `path:line:col  rule  secret` lines and a summary (colour on a terminal).
    Human,
    /// One JSON object: `findings` and `summary`.
    Json,
    /// One finding per line.
    Jsonl,
    /// SARIF 2.1.0, for code scanning (redacted unless --no-redact).
    Sarif,
    /// GitHub Actions annotations, plus a job summary when GITHUB_STEP_SUMMARY is set (redacted).
    Github,
    /// GitLab secret-detection report JSON (redacted).
    Gitlab,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files or directories to scan (default: the current directory); with --history, the repository;
    /// `-` reads standard input (`kubectl get secret -o yaml | leakhound scan -`).
    pub paths: Vec<PathBuf>,

    /// The name standard input's findings carry as their path (with `scan -`).
    #[arg(long, value_name = "NAME", default_value = "<stdin>")]
    pub stdin_name: String,

    /// No summary, notes or progress on stderr: findings, warnings about input that was not scanned, and
    /// errors only.
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// Scan git history: every blob in the repository's object database, once, attributed to the
    /// commit that introduced it.
    #[arg(long, conflicts_with = "staged")]
    pub history: bool,

    /// Scan what `git commit` would record: staged changes, added lines only (the pre-commit hook).
    #[arg(long)]
    pub staged: bool,

    /// Scan a commit message file as git will record it, without the comment lines and the diff
    /// below the scissors line when git strips them (the commit-msg hook).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["history", "staged", "paths"])]
    pub commit_msg: Option<PathBuf>,

    /// Suppress findings recorded in this baseline (default for --staged: .leakhound-baseline.json at
    /// the repository root, when present); entries that match nothing are reported as stale.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// With --history: only what the commits of BASE..HEAD introduce (a pull request).
    #[arg(
        long,
        value_name = "BASE..HEAD",
        requires = "history",
        conflicts_with = "since_commit"
    )]
    pub range: Option<String>,

    /// With --history: only what the commits after REV introduce (REV..HEAD).
    #[arg(long, value_name = "REV", requires = "history")]
    pub since_commit: Option<String>,

    /// With --history: skip blobs scanned by an earlier run with the same rules, and record the new ones
    /// (state in the --ledger when one is given, else in .git/leakhound/history-state, unless
    /// --incremental-state names a file).
    #[arg(long, requires = "history")]
    pub incremental: bool,

    /// With --history: scan many repositories, one after another (each with every core): FILE lists
    /// one local clone per line (relative to FILE's directory; `#` comments; `-` reads standard
    /// input), DIR holds one clone (bare or not) per subdirectory. A repository that fails is named
    /// and counted, and the rest go on; the exit code covers them all.
    #[arg(
        long,
        value_name = "FILE|DIR",
        requires = "history",
        conflicts_with_all = ["paths", "range", "since_commit", "incremental_state"]
    )]
    pub repos: Option<PathBuf>,

    /// With --repos: scan only shard I of N (1-based; `--shard 2/4`): the repositories whose identity
    /// (normalised origin URL, else path) hashes to it, whatever the list's order. N workers with
    /// shards 1/N … N/N scan every repository exactly once.
    #[arg(long, value_name = "I/N", requires = "repos", value_parser = parse_shard)]
    pub shard: Option<leakhound_core::repos::Shard>,

    /// With --history: a partial clone's missing objects (`git clone --filter`) are expected: count and
    /// name them, but do not exit 2 for them.
    #[arg(long, requires = "history")]
    pub allow_partial: bool,

    /// State file for --incremental.
    #[arg(long, value_name = "FILE", requires = "incremental")]
    pub incremental_state: Option<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Show only a short prefix of each secret (default for human output and whenever CI is set).
    #[arg(long, conflicts_with = "no_redact")]
    pub redact: bool,

    /// Print secrets in full, even in CI.
    #[arg(long)]
    pub no_redact: bool,

    /// The owner inventory (default: leakhound-inventory.toml at the repository root, when present).
    #[arg(long, value_name = "FILE")]
    pub inventory: Option<PathBuf>,

    /// Statuses that make the exit code 1, comma-separated (owned, expired, revoked-still-present,
    /// honeytoken, unknown-origin, live-unowned, revoked-but-live), or `live`: any credential a
    /// provider said is live (--validate); default: any finding.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub fail_on: Vec<String>,

    /// Contexts whose findings make the exit code 1, comma-separated (code, test, docs, example,
    /// vendor, generated; default: every context, or the config's `[policy] fail_on_context`). Findings
    /// in the other contexts are still reported. With --fail-on, a finding fails when both select it.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub fail_on_context: Vec<String>,

    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N", default_value_t = 0)]
    pub threads: usize,

    /// Add rules from a TOML file, or every *.toml in a directory (repeatable); leakhound's format or a
    /// gitleaks configuration (unsupported gitleaks fields are reported on stderr).
    #[arg(long, value_name = "FILE|DIR")]
    pub rules: Vec<PathBuf>,

    /// Do not load the embedded default rules.
    #[arg(long)]
    pub no_default_rules: bool,

    /// Config file, applied with the scanned repository's own .leakhound.toml (found from the scanned
    /// path up to the repository root), unless --no-repo-config or the file's `[scan] repo_config =
    /// false` says otherwise. Without it, only the repository's.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Do not use the scanned repository's .leakhound.toml: only the defaults, --rules and --config
    /// (an organisation's policy that a repository cannot loosen).
    #[arg(long)]
    pub no_repo_config: bool,

    /// Skip files larger than this (bytes, or with a K/M/G suffix).
    #[arg(long, value_name = "SIZE", default_value = "100M", value_parser = parse_size)]
    pub max_file_size: u64,

    /// Report at most N findings per file or blob, the first in the file (0: no limit); a file cut
    /// short is named on stderr and counted in the summary (`truncated_files`).
    #[arg(long, value_name = "N", default_value_t = leakhound_core::DEFAULT_MAX_FINDINGS_PER_FILE)]
    pub max_findings_per_file: usize,

    /// Memory-map files at least this large instead of reading them (a tuning knob; see benches/).
    #[arg(long, value_name = "SIZE", default_value = "1M", value_parser = parse_size, hide_short_help = true)]
    pub mmap_threshold: u64,

    /// Also scan files that .gitignore / .ignore exclude.
    #[arg(long)]
    pub no_ignore: bool,

    /// Follow symbolic links.
    #[arg(long, short = 'L')]
    pub follow: bool,

    #[command(flatten)]
    pub validate: ValidateArgs,

    #[command(flatten)]
    pub ledger: LedgerArgs,
}

/// Live validation: asking each credential's provider whether it still works.
#[derive(Debug, Args, Clone)]
#[command(next_help_heading = "Validation (makes network requests; off unless --validate)")]
pub struct ValidateArgs {
    /// Ask each unique credential's provider whether it still works, who it belongs to and what it can
    /// reach (HTTPS requests to the hosts each rule declares; see README, "Live validation").
    /// LEAKHOUND_NO_VALIDATE=1 refuses it.
    #[arg(long)]
    pub validate: bool,

    /// Requests in flight at most.
    #[arg(long, value_name = "N", default_value_t = 8, requires = "validate")]
    pub validate_concurrency: usize,

    /// Requests per second to one provider host at most (0: no limit).
    #[arg(long, value_name = "N", default_value_t = 10.0, requires = "validate")]
    pub validate_rate: f64,

    /// Timeout of one request, in seconds.
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 10.0,
        requires = "validate"
    )]
    pub validate_timeout: f64,

    /// The validation cache (default: $XDG_CACHE_HOME/leakhound/validation.json, else
    /// ~/.cache/leakhound/validation.json): fingerprints and answers, never secrets.
    #[arg(long, value_name = "FILE", requires = "validate")]
    pub validate_cache: Option<PathBuf>,

    /// Ask every provider again, without reading or writing the cache.
    #[arg(long, requires = "validate", conflicts_with = "validate_cache")]
    pub no_validate_cache: bool,

    /// How long a cached answer is trusted: `30m`, `24h`, `7d`.
    #[arg(long, value_name = "DURATION", default_value = "24h", value_parser = parse_duration, requires = "validate")]
    pub validate_ttl: std::time::Duration,
}

/// `I/N`, 1 ≤ I ≤ N.
fn parse_shard(s: &str) -> Result<leakhound_core::repos::Shard, String> {
    s.parse()
        .map_err(|e: leakhound_core::repos::ShardError| e.to_string())
}

/// `30s`, `30m`, `24h`, `7d`.
fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: u64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a duration like 30m, 24h or 7d"))?;
    let secs = match unit {
        "s" => n,
        "m" => n * 60,
        "h" | "" => n * 3600,
        "d" => n * 86_400,
        _ => return Err(format!("{s:?}: the unit is s, m, h or d")),
    };
    Ok(std::time::Duration::from_secs(secs))
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// List the rules that a scan would run.
    List(RulesListArgs),
    /// Validate a rule file and run its examples.
    Check(RulesCheckArgs),
}

#[derive(Debug, Args)]
pub struct RulesListArgs {
    /// Output format (human or json).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Only rules with a live validator (`--validate`), with the provider and the documentation of the
    /// endpoint each calls.
    #[arg(long)]
    pub validated: bool,
    /// Add rules from a TOML file or directory (leakhound's format or a gitleaks configuration).
    #[arg(long, value_name = "FILE|DIR")]
    pub rules: Vec<PathBuf>,
    /// Do not load the embedded default rules.
    #[arg(long)]
    pub no_default_rules: bool,
}

#[derive(Debug, Args)]
pub struct RulesCheckArgs {
    /// Rule files or directories to check (leakhound's format or gitleaks configurations).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Check the files alone, without the default rules competing for the same bytes.
    #[arg(long)]
    pub no_default_rules: bool,
}

/// `123`, `64K`, `100M`, `1G` (powers of 1024; a trailing `B`/`iB` is accepted).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let t = t
        .strip_suffix("iB")
        .or_else(|| t.strip_suffix('B'))
        .unwrap_or(t);
    let (num, mult) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let m = match c.to_ascii_uppercase() {
                'K' => 1u64 << 10,
                'M' => 1 << 20,
                'G' => 1 << 30,
                _ => return Err(format!("unknown size suffix {c:?} (use K, M or G)")),
            };
            (&t[..i], m)
        }
        _ => (t, 1),
    };
    let n: u64 = num
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a size like 512K or 100M"))?;
    n.checked_mul(mult)
        .ok_or_else(|| format!("{s:?} is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("100M"), Ok(100 << 20));
        assert_eq!(parse_size("64KiB"), Ok(64 << 10));
        assert_eq!(parse_size("1024"), Ok(1024));
        assert!(parse_size("ten").is_err());
        assert!(parse_size("5T").is_err());
    }

    #[test]
    fn cli_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
