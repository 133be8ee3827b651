//! `--validate` and `leakhound revoke`: live validation options from the command line and the
//! environment, its progress bar, and revocation with confirmation.

use crate::args::ValidateArgs;

/// `LEAKHOUND_NO_VALIDATE` set to anything but empty, `0` or `false`: validation is refused, whatever
/// the command line says (for machines and CI jobs that must never call a provider).
#[cfg(feature = "validate")]
pub fn refused() -> bool {
    std::env::var("LEAKHOUND_NO_VALIDATE")
        .is_ok_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

/// Tests only: `LEAKHOUND_VALIDATE_BASE_URL` sends every validation request to a loopback server
/// (anything else is refused by the library).
#[cfg(feature = "validate")]
fn base_url() -> Option<String> {
    std::env::var("LEAKHOUND_VALIDATE_BASE_URL")
        .ok()
        .filter(|v| !v.is_empty())
}

#[cfg(feature = "validate")]
pub use enabled::*;

#[cfg(feature = "validate")]
mod enabled {
    use super::*;
    use anyhow::bail;
    use leakhound_core::live;

    /// The library's options for `--validate`, or `None` without it.
    pub fn options(a: &ValidateArgs, quiet: bool) -> anyhow::Result<Option<live::Options>> {
        if !a.validate {
            return Ok(None);
        }
        if refused() {
            bail!("--validate: validation is turned off on this machine (LEAKHOUND_NO_VALIDATE is set)");
        }
        if !(a.validate_timeout > 0.0 && a.validate_timeout <= 600.0) {
            bail!(
                "--validate-timeout: {} is not between 0 and 600 seconds",
                a.validate_timeout
            );
        }
        if !(a.validate_rate >= 0.0 && a.validate_rate.is_finite()) {
            bail!(
                "--validate-rate: {} is not a rate (requests per second, 0 for no limit)",
                a.validate_rate
            );
        }
        if a.validate_concurrency == 0 || a.validate_concurrency > 256 {
            bail!(
                "--validate-concurrency: {} is not between 1 and 256",
                a.validate_concurrency
            );
        }
        let cache = match (&a.validate_cache, a.no_validate_cache) {
            (_, true) => None,
            (Some(p), false) => Some(p.clone()),
            (None, false) => live::default_cache_path(),
        };
        Ok(Some(live::Options {
            concurrency: a.validate_concurrency,
            rate_per_host: a.validate_rate,
            timeout: std::time::Duration::from_secs_f64(a.validate_timeout),
            cache,
            ttl: a.validate_ttl,
            base_url: base_url(),
            progress: progress_bar(quiet),
            ..live::Options::default()
        }))
    }

    /// A `validating n/N credentials` bar on stderr, only at a terminal.
    fn progress_bar(quiet: bool) -> Option<std::sync::Arc<dyn Fn(usize, usize) + Send + Sync>> {
        use std::io::IsTerminal as _;
        if quiet || !std::io::stderr().is_terminal() || crate::scan_cmd::in_ci() {
            return None;
        }
        let bar = indicatif::ProgressBar::new(0);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} validating {pos}/{len} credentials · eta {eta}",
        ) {
            bar.set_style(style);
        }
        let bar = bar.with_finish(indicatif::ProgressFinish::AndClear);
        Some(std::sync::Arc::new(move |done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
            if done == total {
                bar.finish_and_clear();
            }
        }))
    }

    /// Prints the run's warning (no network, an unusable cache) once, and names the credentials no
    /// validator could check (by rule), so that "nothing live" is never read as "all checked".
    pub fn warn(summary: &live::Summary, quiet: bool) {
        if let Some(w) = &summary.warning {
            eprintln!("leakhound: warning: {w}");
        }
        if !quiet && summary.not_checked > 0 {
            let rules: Vec<String> = summary
                .unchecked_rules
                .iter()
                .map(|(r, n)| format!("{r} ({n})"))
                .collect();
            eprintln!(
                "leakhound: note: validation: {} of {} credentials have no validator and were not checked: {}",
                summary.not_checked,
                summary.credentials,
                rules.join(", ")
            );
        }
    }
}

#[cfg(not(feature = "validate"))]
pub fn options(a: &ValidateArgs, _quiet: bool) -> anyhow::Result<Option<()>> {
    if a.validate {
        anyhow::bail!(
            "--validate: this leakhound was built without validation (cargo feature `validate`)"
        );
    }
    Ok(None)
}

#[cfg(feature = "validate")]
pub use revoke::run as revoke;

#[cfg(not(feature = "validate"))]
pub fn revoke(
    _: crate::args::RevokeArgs,
    _: Option<leakhound_core::FingerprintKey>,
) -> anyhow::Result<std::process::ExitCode> {
    anyhow::bail!("revoke: this leakhound was built without validation (cargo feature `validate`)")
}

#[cfg(feature = "validate")]
mod revoke {
    use std::io::{BufRead as _, IsTerminal as _, Write as _};
    use std::path::PathBuf;
    use std::process::ExitCode;

    use anyhow::{anyhow, bail};
    use leakhound_core::inventory::SetRevokedError;
    use leakhound_core::live::{self, RevokeState};
    use leakhound_core::session::{ScanSession, INVENTORY_FILE};
    use leakhound_core::{Date, Finding, LiveStatus};

    use crate::args::{Format, RevokeArgs};

    pub fn run(
        a: RevokeArgs,
        key: Option<leakhound_core::FingerprintKey>,
    ) -> anyhow::Result<ExitCode> {
        if super::refused() {
            bail!("revoke: validation and revocation are turned off on this machine (LEAKHOUND_NO_VALIDATE is set)");
        }
        let fp = leakhound_core::parse_fingerprint(&a.fingerprint)
            .map_err(|e| anyhow!("--fingerprint: {e}"))?;
        if !(a.timeout > 0.0 && a.timeout <= 600.0) {
            bail!("--timeout: {} is not between 0 and 600 seconds", a.timeout);
        }
        let opts = live::Options {
            concurrency: 1,
            rate_per_host: 0.0,
            timeout: std::time::Duration::from_secs_f64(a.timeout),
            cache: None,
            base_url: super::base_url(),
            ..live::Options::default()
        };
        let first = a
            .paths
            .first()
            .cloned()
            .unwrap_or_else(|| PathBuf::from("."));
        let session = if a.history {
            ScanSession::history(&first)
        } else {
            ScanSession::paths(&a.paths)
        };
        let scanned = session
            .with_default_rules(!a.no_default_rules)
            .with_rule_files(a.rules.iter().cloned())
            .with_validation(Some(opts))
            .with_fingerprint_key(key)
            .collect()?;
        let validator = scanned
            .validator()
            .ok_or_else(|| anyhow!("revoke: no validator"))?;
        let found: Vec<&Finding> = scanned
            .findings
            .iter()
            .filter(|f| f.has_fingerprint(&fp))
            .collect();
        let Some(&any) = found.first() else {
            bail!(
                "{fp}: not found in {}{}: revoking needs the secret itself, so point revoke at where it is",
                first.display(),
                if a.history { "'s history" } else { " (add --history to look in git history)" }
            );
        };
        let f = found
            .iter()
            .copied()
            .find(|f| validator.revocation(&f.rule).is_some_and(|r| r.1))
            .unwrap_or(any);
        let json = a.format == Format::Json;
        let (provider, rotate) = match validator.revocation(&f.rule) {
            Some((p, true, r)) => (p.to_owned(), r.map(str::to_owned)),
            Some((p, false, r)) => {
                let how = r.map_or_else(
                    || "with the provider's console".to_owned(),
                    |r| format!("at {r}"),
                );
                report(
                    json,
                    &fp,
                    f,
                    p,
                    "no-api",
                    Some(&format!(
                        "{p} has no self-service revocation API: revoke or rotate it by hand {how}"
                    )),
                    None,
                    None,
                )?;
                return Ok(ExitCode::from(1));
            }
            None => {
                report(json, &fp, f, &f.description, "no-api", Some(&format!("leakhound has no validator for `{}`: revoke or rotate it with its provider", f.rule)), None, None)?;
                return Ok(ExitCode::from(1));
            }
        };
        if !a.yes {
            confirm(&fp, f, &provider, found.len())?;
        }
        let outcome = validator.revoke(f, &scanned.findings)?;
        let mut recorded = None;
        if outcome.state == RevokeState::Revoked {
            let inv = a
                .inventory
                .clone()
                .unwrap_or_else(|| scanned.root.join(INVENTORY_FILE));
            recorded = Some(record(&inv, &fp, a.owner.as_deref())?);
        }
        let state = match outcome.state {
            RevokeState::Revoked => "revoked",
            RevokeState::Failed => "failed",
        };
        let reason = match (&outcome.reason, outcome.state, &rotate) {
            (Some(r), RevokeState::Failed, Some(url)) => {
                Some(format!("{r}; revoke or rotate it by hand at {url}"))
            }
            (r, _, _) => r.clone(),
        };
        report(
            json,
            &fp,
            f,
            &provider,
            state,
            reason.as_deref(),
            outcome.after.as_ref(),
            recorded.as_deref(),
        )?;
        let dead = outcome
            .after
            .as_ref()
            .is_some_and(|l| l.status == LiveStatus::Dead);
        Ok(if outcome.state == RevokeState::Revoked && dead {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        })
    }

    /// Asks at the terminal; without one, refuses (`--yes` is the non-interactive consent).
    fn confirm(fp: &str, f: &Finding, provider: &str, n: usize) -> anyhow::Result<()> {
        if !std::io::stdin().is_terminal() {
            bail!("revoke: not a terminal to confirm at: pass --yes to revoke without asking");
        }
        eprint!(
            "Revoke the {provider} credential {}… ({}, {} location{}, first at {}:{})? It stops working for everyone who uses it. [y/N] ",
            &fp[..19],
            f.rule,
            n,
            if n == 1 { "" } else { "s" },
            f.place(),
            f.line
        );
        std::io::stderr().flush()?;
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        if !matches!(line.trim(), "y" | "Y" | "yes" | "YES" | "Yes") {
            bail!("revoke: not confirmed; nothing was sent");
        }
        Ok(())
    }

    /// Records `status = "revoked"` and today's date in the inventory; adds the entry with `owner` when
    /// there is none. Returns what was done, for the report.
    fn record(path: &std::path::Path, fp: &str, owner: Option<&str>) -> anyhow::Result<String> {
        let today = Date::today();
        match leakhound_core::inventory::set_revoked(path, fp, today) {
            Ok(()) => Ok(format!("recorded in {}", path.display())),
            Err(SetRevokedError::NotInInventory { .. }) => match owner {
                Some(owner) => {
                    let entry = leakhound_core::InventoryEntry {
                        fingerprint: fp.to_owned(),
                        owner: owner.to_owned(),
                        purpose: None,
                        environment: None,
                        created: None,
                        expires: None,
                        status: leakhound_core::inventory::EntryStatus::Active,
                        revoked: None,
                        ticket: None,
                    };
                    leakhound_core::inventory::add_entry(path, &entry)?;
                    leakhound_core::inventory::set_revoked(path, fp, today)?;
                    Ok(format!(
                        "added to {} as revoked (owner {owner})",
                        path.display()
                    ))
                }
                None => Ok(format!(
                    "not recorded: {} has no entry for it (pass --owner TEAM to add one)",
                    path.display()
                )),
            },
            Err(e) => Err(e.into()),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn report(
        json: bool,
        fp: &str,
        f: &Finding,
        provider: &str,
        state: &str,
        reason: Option<&str>,
        after: Option<&leakhound_core::Liveness>,
        recorded: Option<&str>,
    ) -> anyhow::Result<()> {
        let mut out = std::io::stdout().lock();
        if json {
            let v = serde_json::json!({
                "fingerprint": fp,
                "rule": f.rule,
                "provider": provider,
                "state": state,
                "reason": reason,
                "after": after,
                "inventory": recorded,
            });
            writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
            return Ok(());
        }
        writeln!(out, "{provider} credential {fp} ({}): {state}", f.rule)?;
        if let Some(r) = reason {
            writeln!(out, "  {r}")?;
        }
        if let Some(l) = after {
            let why = l
                .reason
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default();
            match l.status {
                LiveStatus::Dead => writeln!(out, "  checked again: dead{why}")?,
                LiveStatus::Live => writeln!(
                    out,
                    "  checked again: STILL LIVE: the revocation did not take effect"
                )?,
                LiveStatus::Unknown => writeln!(out, "  checked again: unknown{why}")?,
            }
        }
        if let Some(r) = recorded {
            writeln!(out, "  inventory: {r}")?;
        }
        Ok(())
    }
}
