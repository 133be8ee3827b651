//! Everything downstream of a provider's answer (`--validate`), with hand-made `Liveness` values: the
//! statuses it moves, governance, `--fail-on live`, every output format, the human order, redaction,
//! and the inventory's revocation dates.
#![cfg(all(feature = "fs", feature = "reports", feature = "edit"))]

use std::collections::BTreeMap;

use leakhound_core::credentials::{self, FailOn, Governance};
use leakhound_core::inventory::{set_revoked, SetRevokedError};
use leakhound_core::report::{self, ci, human, sarif};
use leakhound_core::session::{ScanSession, Verdict};
use leakhound_core::{
    fingerprint, CodeOwners, Credential, Date, Finding, Inventory, LiveStatus, Liveness, Scanner,
    Status,
};

const AT: &str = "2026-03-01T10:00:00Z";

/// A made-up GitLab token, different per seed.
fn token(seed: u8) -> String {
    let body: String = (0..20u8)
        .map(|i| {
            let b = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
            b[(usize::from(i) * 7 + usize::from(seed) * 13) % b.len()] as char
        })
        .collect();
    format!("glpat-{body}")
}

fn live(identity: &str) -> Liveness {
    let mut l = Liveness::new(LiveStatus::Live, AT.into(), None);
    l.provider = Some("GitLab".into());
    l.identity = Some(identity.into());
    l.scopes = vec!["api".into(), "read_user".into()];
    l
}

fn dead() -> Liveness {
    Liveness::new(LiveStatus::Dead, AT.into(), Some("401 Unauthorized".into()))
}

fn unknown() -> Liveness {
    Liveness::new(
        LiveStatus::Unknown,
        AT.into(),
        Some("provider error".into()),
    )
}

/// One finding per token, in `app/N.env` (N = the token's index).
fn scan(tokens: &[&str]) -> Vec<Finding> {
    let scanner = Scanner::with_default_rules();
    let mut out = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        let found = scanner.scan_bytes(&format!("app/{i}.env"), format!("T={t}\n").as_bytes());
        assert_eq!(found.len(), 1, "{t}");
        out.extend(found);
    }
    out
}

fn entry(fp: &str, extra: &str) -> String {
    format!("[[credential]]\nfingerprint = \"{fp}\"\nowner = \"@acme/pay\"\n{extra}")
}

fn today() -> Date {
    Date::parse("2026-03-02").unwrap()
}

/// Four credentials: 0 unknown-origin, 1 revoked in the inventory, 2 owned, 3 unknown-origin.
fn governed() -> (Vec<String>, Vec<Finding>, Vec<Credential>, Governance) {
    let tokens: Vec<String> = (1..=4).map(token).collect();
    let refs: Vec<&str> = tokens.iter().map(String::as_str).collect();
    let mut findings = scan(&refs);
    let fps: Vec<String> = tokens.iter().map(|t| fingerprint(t.as_bytes())).collect();
    let inv = Inventory::parse(
        "inv.toml",
        &format!(
            "{}{}",
            entry(
                &fps[1],
                "status = \"revoked\"\ncreated = 2026-01-01\nrevoked = 2026-01-11\n"
            ),
            entry(&fps[2], "")
        ),
    )
    .unwrap();
    let (creds, gov) = credentials::link(&mut findings, &inv, &CodeOwners::default(), today());
    (fps, findings, creds, gov)
}

fn status_of(creds: &[Credential], fp: &str) -> Status {
    creds.iter().find(|c| c.fingerprint == fp).unwrap().status
}

#[test]
fn only_live_moves_statuses_and_governance_counts_them() {
    let (fps, mut findings, mut creds, mut gov) = governed();
    assert_eq!(gov.liveness, None, "nothing validated yet");
    assert_eq!(gov.median_time_to_revoke_days, Some(10));
    let results = BTreeMap::from([
        (fps[0].clone(), live("octo-dev")),
        (fps[1].clone(), live("old-bot")),
        (fps[2].clone(), live("pay-bot")),
        (fps[3].clone(), dead()),
    ]);
    credentials::apply_liveness(&mut findings, &mut creds, &mut gov, &results);
    let want = [
        Status::LiveUnowned,
        Status::RevokedButLive,
        Status::Owned,
        Status::UnknownOrigin,
    ];
    for (fp, s) in fps.iter().zip(want) {
        assert_eq!(status_of(&creds, fp), s, "{fp}");
        let f = findings.iter().find(|f| &f.fingerprint == fp).unwrap();
        assert_eq!(f.status, Some(s));
        assert_eq!(f.liveness.as_ref(), results.get(fp));
    }
    let counts = gov.liveness.clone().unwrap();
    assert_eq!(
        (
            counts.checked,
            counts.live,
            counts.dead,
            counts.unknown,
            counts.live_unowned,
            counts.revoked_but_live
        ),
        (4, 3, 1, 0, 1, 1)
    );
    // The inventory's counts are the inventory's: live ones included.
    assert_eq!((gov.unknown_origin, gov.revoked_still_present), (2, 1));
    // A revocation the provider contradicts did not happen: no time to revoke.
    assert_eq!(gov.median_time_to_revoke_days, None);

    // Idempotent.
    let (before_f, before_c, before_g) = (findings.clone(), creds.clone(), gov.clone());
    credentials::apply_liveness(&mut findings, &mut creds, &mut gov, &results);
    assert_eq!(findings, before_f);
    assert_eq!(gov, before_g);
    assert_eq!(
        creds.iter().map(|c| c.status).collect::<Vec<_>>(),
        before_c.iter().map(|c| c.status).collect::<Vec<_>>()
    );

    // Newer answers move statuses from the inventory's again; absent ones keep theirs.
    let newer = BTreeMap::from([(fps[0].clone(), unknown()), (fps[1].clone(), dead())]);
    credentials::apply_liveness(&mut findings, &mut creds, &mut gov, &newer);
    assert_eq!(status_of(&creds, &fps[0]), Status::UnknownOrigin);
    assert_eq!(status_of(&creds, &fps[1]), Status::RevokedStillPresent);
    assert_eq!(status_of(&creds, &fps[2]), Status::Owned);
    let counts = gov.liveness.unwrap();
    assert_eq!((counts.live, counts.dead, counts.unknown), (1, 2, 1));
    assert_eq!((counts.live_unowned, counts.revoked_but_live), (0, 0));
    assert_eq!(gov.median_time_to_revoke_days, Some(10));
}

#[test]
fn statuses_parse_and_print() {
    for (s, name) in [
        (Status::LiveUnowned, "live-unowned"),
        (Status::RevokedButLive, "revoked-but-live"),
    ] {
        assert_eq!(s.as_str(), name);
        assert_eq!(Status::parse(name), Some(s));
        assert_eq!(serde_json::to_value(s).unwrap(), serde_json::json!(name));
    }
    let err = FailOn::parse_list(["live", " expired", "alive"]).unwrap_err();
    assert_eq!(
        err,
        "\"alive\" is not one of live, owned, expired, revoked-still-present, honeytoken, \
         unknown-origin, live-unowned, revoked-but-live"
    );
    assert_eq!(
        FailOn::parse_list(["live", " revoked-but-live"]).unwrap(),
        [FailOn::Live, FailOn::Status(Status::RevokedButLive)]
    );
}

/// A directory with one unknown-origin token in code, and the report of its scan.
fn session_dir(tokens: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (i, t) in tokens.iter().enumerate() {
        std::fs::write(dir.path().join(format!("app{i}.env")), format!("T={t}\n")).unwrap();
    }
    dir
}

#[test]
fn fail_on_live_and_the_new_statuses() {
    let (a, b) = (token(5), token(6));
    let dir = session_dir(&[&a, &b]);
    let run = |fail_on: &[&str], results: &BTreeMap<String, Liveness>| {
        let mut report = ScanSession::paths([dir.path()])
            .with_fail_on_any(FailOn::parse_list(fail_on.iter().copied()).unwrap())
            .run()
            .unwrap();
        report.apply_liveness(results);
        report.verdict()
    };
    let none = BTreeMap::new();
    let a_dead = BTreeMap::from([(fingerprint(a.as_bytes()), dead())]);
    let b_live = BTreeMap::from([
        (fingerprint(a.as_bytes()), dead()),
        (fingerprint(b.as_bytes()), live("octo-dev")),
    ]);
    assert_eq!(run(&["live"], &none), Verdict::Clean, "nothing validated");
    assert_eq!(run(&["live"], &a_dead), Verdict::Clean);
    assert_eq!(run(&["live"], &b_live), Verdict::Findings);
    assert_eq!(run(&["live-unowned"], &a_dead), Verdict::Clean);
    assert_eq!(run(&["live-unowned"], &b_live), Verdict::Findings);
    assert_eq!(run(&["revoked-but-live"], &b_live), Verdict::Clean);
    assert_eq!(run(&["unknown-origin"], &b_live), Verdict::Findings, "a");
    // The old builder still takes statuses.
    let report = ScanSession::paths([dir.path()])
        .with_fail_on(vec![Status::Owned])
        .run()
        .unwrap();
    assert_eq!(report.verdict(), Verdict::Clean);
}

/// Findings, credentials and governance with the first token live and the second dead.
fn validated() -> (Vec<String>, Vec<Finding>, Vec<Credential>, Governance) {
    let tokens = [token(7), token(8)];
    let mut findings = scan(&[&tokens[0], &tokens[1]]);
    let (mut creds, mut gov) = credentials::link(
        &mut findings,
        &Inventory::default(),
        &CodeOwners::default(),
        today(),
    );
    let results = BTreeMap::from([
        (fingerprint(tokens[0].as_bytes()), live("octo-dev")),
        (fingerprint(tokens[1].as_bytes()), dead()),
    ]);
    credentials::apply_liveness(&mut findings, &mut creds, &mut gov, &results);
    findings.iter_mut().for_each(Finding::redact);
    (tokens.to_vec(), findings, creds, gov)
}

#[test]
fn json_and_jsonl_carry_liveness() {
    let (_, findings, creds, gov) = validated();
    let stats = leakhound_core::ScanStats::default();
    let mut summary = report::Summary::new(&findings, &stats, &stats);
    summary.governance = Some(gov);
    let mut out = Vec::new();
    report::write_json(&mut out, &findings, &creds, &summary).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let f = &v["findings"][0];
    assert_eq!(f["status"], "live-unowned");
    assert_eq!(f["liveness"]["status"], "live");
    assert_eq!(f["liveness"]["identity"], "octo-dev");
    assert_eq!(
        f["liveness"]["scopes"],
        serde_json::json!(["api", "read_user"])
    );
    assert_eq!(f["liveness"]["checked_at"], AT);
    assert_eq!(v["findings"][1]["liveness"]["status"], "dead");
    assert_eq!(v["findings"][1]["liveness"]["reason"], "401 Unauthorized");
    assert_eq!(v["findings"][1]["status"], "unknown-origin");
    let c = &v["credentials"][0];
    assert_eq!(
        (&c["status"], &c["liveness"]["identity"]),
        (&"live-unowned".into(), &"octo-dev".into())
    );
    let l = &v["summary"]["governance"]["liveness"];
    assert_eq!(
        l,
        &serde_json::json!({"checked": 2, "live": 1, "dead": 1, "unknown": 0, "live_unowned": 1, "revoked_but_live": 0})
    );
    let mut out = Vec::new();
    report::write_jsonl(&mut out, &findings).unwrap();
    let lines: Vec<serde_json::Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["liveness"]["identity"], "octo-dev");
    assert_eq!(lines[1]["liveness"]["status"], "dead");

    // Not validated: no `liveness` anywhere.
    let mut plain = scan(&[&token(9)]);
    let (creds, gov) = credentials::link(
        &mut plain,
        &Inventory::default(),
        &CodeOwners::default(),
        today(),
    );
    let mut summary = report::Summary::new(&plain, &stats, &stats);
    summary.governance = Some(gov);
    let mut out = Vec::new();
    report::write_json(&mut out, &plain, &creds, &summary).unwrap();
    assert!(!String::from_utf8(out).unwrap().contains("liveness"));
}

#[test]
fn sarif_carries_liveness() {
    let (_, findings, _, _) = validated();
    let v = serde_json::to_value(sarif::build(&findings)).unwrap();
    let results = &v["runs"][0]["results"];
    let live = &results[0];
    assert_eq!(live["properties"]["liveness"]["status"], "live");
    assert_eq!(live["properties"]["liveness"]["identity"], "octo-dev");
    assert_eq!(live["properties"]["status"], "live-unowned");
    let msg = live["message"]["text"].as_str().unwrap();
    assert!(
        msg.contains("live (identity octo-dev, scopes api, read_user)"),
        "{msg}"
    );
    let dead = &results[1];
    assert_eq!(dead["properties"]["liveness"]["status"], "dead");
    let msg = dead["message"]["text"].as_str().unwrap();
    assert!(msg.ends_with(" · dead (401 Unauthorized)"), "{msg}");
}

#[test]
fn ci_formats_say_live_or_dead() {
    let (_, mut findings, creds, _) = validated();
    // A low-severity finding that is live is still an error in the review.
    findings[0].severity = leakhound_core::Severity::Low;
    let out = ci::github_annotations(&findings);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("::error "), "{}", lines[0]);
    assert!(
        lines[0].contains(": glpat-… · LIVE (identity octo-dev, scopes api, read_user)"),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains("status: live-unowned"), "{}", lines[0]);
    assert!(lines[1].contains("DEAD (401 Unauthorized)"), "{}", lines[1]);

    let md = ci::github_step_summary(&findings, &creds);
    assert!(
        md.contains("| credential | rule | status | liveness | owner | locations |"),
        "{md}"
    );
    assert!(
        md.contains("| live-unowned | live (identity octo-dev, scopes api, read_user) |"),
        "{md}"
    );

    let v = ci::gitlab_report(&findings, "2026-03-01T10:00:00", "2026-03-01T10:00:01");
    let vulns = &v["vulnerabilities"];
    let d = vulns[0]["description"].as_str().unwrap();
    assert!(
        d.contains("The provider says: LIVE (identity octo-dev"),
        "{d}"
    );
    assert!(d.contains("status: live-unowned"), "{d}");
    assert!(vulns[0]["message"]
        .as_str()
        .unwrap()
        .ends_with("· LIVE (identity octo-dev, scopes api, read_user)"));
    assert_eq!(vulns[0]["details"]["liveness"]["name"], "liveness");
    assert!(vulns[1]["description"]
        .as_str()
        .unwrap()
        .contains("DEAD (401 Unauthorized)"));
    // Not validated: nothing said.
    let mut plain = scan(&[&token(9)]);
    plain.iter_mut().for_each(Finding::redact);
    let v = ci::gitlab_report(&plain, "2026-03-01T10:00:00", "2026-03-01T10:00:01");
    assert!(v["vulnerabilities"][0]["details"].get("liveness").is_none());
    assert!(!ci::github_annotations(&plain).contains("LIVE"));
}

#[test]
fn human_lists_live_first_with_tags_and_counts() {
    let (tokens, mut findings, mut creds, mut gov) = validated();
    // The live credential is second in the given order: it comes first anyway.
    findings.reverse();
    creds.reverse();
    let mut out = Vec::new();
    human::findings(&mut out, &findings, false).unwrap();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("app/0.env:1:3"), "{text}");
    assert!(
        lines[0].ends_with("  [live: identity octo-dev, scopes api, read_user]"),
        "{text}"
    );
    assert!(lines[1].ends_with("  [dead: 401 Unauthorized]"), "{text}");

    let mut out = Vec::new();
    human::credentials(&mut out, &creds, false).unwrap();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().filter(|l| l.starts_with("  ")).collect();
    assert!(lines[0].contains("live-unowned"), "{text}");
    assert!(
        lines[0].contains(&fingerprint(tokens[0].as_bytes())[..19]),
        "{text}"
    );
    assert!(
        lines[0].ends_with("[live: identity octo-dev, scopes api, read_user]"),
        "{text}"
    );
    assert!(lines[1].ends_with("[dead: 401 Unauthorized]"), "{text}");

    let mut out = Vec::new();
    human::summary(&mut out, &findings, &leakhound_core::ScanStats::default()).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains(" · validated: 1 live, 1 dead, 0 unknown"),
        "{text}"
    );

    gov.median_time_to_revoke_days = Some(4);
    let mut out = Vec::new();
    human::governance(&mut out, &gov).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains(" · median time to revoke 4 days"), "{text}");
    assert!(
        text.contains(
            " · validated 2: 1 live, 1 dead, 0 unknown · 1 live-unowned · 0 revoked-but-live"
        ),
        "{text}"
    );

    // Not validated: no tag, no count.
    let plain = scan(&[&token(9)]);
    let mut out = Vec::new();
    human::findings(&mut out, &plain, false).unwrap();
    human::summary(&mut out, &plain, &leakhound_core::ScanStats::default()).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(
        !text.contains("validated") && !text.contains("[live"),
        "{text}"
    );
}

#[test]
fn redaction_scrubs_a_reason_that_quotes_the_secret() {
    let a = token(10);
    let dir = session_dir(&[&a]);
    let mut report = ScanSession::paths([dir.path()]).run().unwrap();
    let mut said = Liveness::new(
        LiveStatus::Dead,
        AT.into(),
        Some(format!("invalid token {a} (revoked)")),
    );
    said.account = Some(format!("acct for {a}"));
    report.apply_liveness(&BTreeMap::from([(fingerprint(a.as_bytes()), said)]));
    assert!(report.findings[0]
        .liveness
        .as_ref()
        .unwrap()
        .reason
        .as_ref()
        .unwrap()
        .contains(&a));
    report.redact();
    let json = serde_json::to_string(&(&report.findings, &report.credentials)).unwrap();
    assert!(!json.contains(&a) && !json.contains(&a[10..]), "{json}");
    let reason = report.credentials[0]
        .liveness
        .as_ref()
        .unwrap()
        .reason
        .clone()
        .unwrap();
    assert_eq!(
        reason,
        format!("invalid token {} (revoked)", leakhound_core::redact(&a))
    );
    assert_eq!(report.findings[0].liveness, report.credentials[0].liveness);
}

#[test]
fn inventory_revoked_dates() {
    let fp = fingerprint(b"x");
    let inv = Inventory::parse(
        "inv.toml",
        &entry(&fp, "status = \"revoked\"\nrevoked = 2026-02-01\n"),
    )
    .unwrap();
    assert_eq!(inv.entries[0].revoked.as_deref(), Some("2026-02-01"));
    // A revocation date on an active entry (the default status) is an error naming file, entry and field.
    for extra in [
        "revoked = 2026-02-01\n",
        "status = \"active\"\nrevoked = 2026-02-01\n",
    ] {
        let err = Inventory::parse("inv.toml", &entry(&fp, extra))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(&format!(
                "inv.toml: credential #1 ({fp}): field `revoked`: "
            )),
            "{err}"
        );
        assert!(err.contains("status = \"revoked\""), "{err}");
    }
    let err = Inventory::parse(
        "inv.toml",
        &entry(&fp, "status = \"revoked\"\nrevoked = \"soon\"\n"),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.ends_with("field `revoked`: \"soon\" is not a date (YYYY-MM-DD)"),
        "{err}"
    );
}

#[test]
fn time_to_revoke_from_first_exposure() {
    // Three revoked credentials: exposed by history 2026-01-05 (revoked 01-11: 6 days), by `created`
    // 2026-01-01 (revoked 01-21: 20 days), and one without any exposure date (left out).
    let tokens: Vec<String> = (11..=13).map(token).collect();
    let refs: Vec<&str> = tokens.iter().map(String::as_str).collect();
    let mut findings = scan(&refs);
    findings[0].date = Some("2026-01-05T08:00:00Z".into());
    let fps: Vec<String> = tokens.iter().map(|t| fingerprint(t.as_bytes())).collect();
    let text = [
        entry(
            &fps[0],
            "status = \"revoked\"\ncreated = 2025-12-01\nrevoked = 2026-01-11\n",
        ),
        entry(
            &fps[1],
            "status = \"revoked\"\ncreated = 2026-01-01\nrevoked = 2026-01-21\n",
        ),
        entry(&fps[2], "status = \"revoked\"\nrevoked = 2026-01-21\n"),
    ]
    .concat();
    let inv = Inventory::parse("inv.toml", &text).unwrap();
    let (creds, gov) = credentials::link(&mut findings, &inv, &CodeOwners::default(), today());
    let days: Vec<Option<i64>> = fps
        .iter()
        .map(|fp| {
            creds
                .iter()
                .find(|c| &c.fingerprint == fp)
                .unwrap()
                .time_to_revoke_days
        })
        .collect();
    assert_eq!(days, [Some(6), Some(20), None]);
    assert_eq!(gov.median_time_to_revoke_days, Some(13));
    let first = creds.iter().find(|c| c.fingerprint == fps[0]).unwrap();
    let c = serde_json::to_value(first).unwrap();
    assert!(
        c.get("revoked").is_some() && c.get("time_to_revoke_days").is_some(),
        "{c}"
    );
}

#[test]
fn set_revoked_keeps_comments_and_formatting() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("leakhound-inventory.toml");
    let (a, b) = (fingerprint(b"a"), fingerprint(b"b"));
    let original = format!(
        "# Credentials of the payments team.\n\n\
         [[credential]]\n\
         fingerprint = \"{a}\"\n\
         owner   = \"@acme/pay\"   # aligned by hand\n\
         status = \"active\" # until the rotation\n\
         ticket = \"SEC-1\"\n\n\
         # The CI token.\n\
         [[credential]]\n\
         fingerprint = \"{b}\"\n\
         owner = \"@acme/ci\"\n"
    );
    std::fs::write(&path, &original).unwrap();
    set_revoked(&path, &a, Date::parse("2026-03-01").unwrap()).unwrap();
    set_revoked(&path, &b, Date::parse("2026-03-02").unwrap()).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let want = format!(
        "# Credentials of the payments team.\n\n\
         [[credential]]\n\
         fingerprint = \"{a}\"\n\
         owner   = \"@acme/pay\"   # aligned by hand\n\
         status = \"revoked\" # until the rotation\n\
         ticket = \"SEC-1\"\n\
         revoked = 2026-03-01\n\n\
         # The CI token.\n\
         [[credential]]\n\
         fingerprint = \"{b}\"\n\
         owner = \"@acme/ci\"\n\
         status = \"revoked\"\n\
         revoked = 2026-03-02\n"
    );
    assert_eq!(text, want);
    let inv = Inventory::load(&path).unwrap();
    assert!(inv
        .entries
        .iter()
        .all(|e| e.status == leakhound_core::inventory::EntryStatus::Revoked));
    // Again, a later date: updated in place, nothing else moves.
    set_revoked(&path, &a, Date::parse("2026-03-05").unwrap()).unwrap();
    let again = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        again,
        want.replace("revoked = 2026-03-01", "revoked = 2026-03-05")
    );

    // No entry: a typed error telling to add it first; the file is untouched.
    let c = fingerprint(b"c");
    let err = set_revoked(&path, &c, Date::today()).unwrap_err();
    assert!(
        matches!(&err, SetRevokedError::NotInInventory { fingerprint, .. } if *fingerprint == c)
    );
    assert!(err.to_string().contains("add it first"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), again);
    // No file at all: the same, and no file is created.
    let missing = dir.path().join("none.toml");
    assert!(matches!(
        set_revoked(&missing, &c, Date::today()),
        Err(SetRevokedError::NotInInventory { .. })
    ));
    assert!(!missing.exists());
    // A value that is not a fingerprint is refused without being echoed.
    let err = set_revoked(&path, &token(1), Date::today())
        .unwrap_err()
        .to_string();
    assert!(!err.contains(&token(1)[6..]), "{err}");
}
