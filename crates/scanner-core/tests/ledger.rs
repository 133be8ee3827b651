//! The ledger on real databases: a SQLite file and (when `.ci/run` started one) PostgreSQL on loopback.
//! Lifecycles and KPIs from runs, filters, idempotent runs, bad input, concurrent writers.

#[path = "support/pg.rs"]
mod pg;

use leakhound_core::ledger::{Filters, Ledger, LedgerError, LedgerUrl, RunRecord, Sighting};
use leakhound_core::{fingerprint, Date};

const DAY: i64 = 86_400;
/// 2026-01-01, 01:00 UTC.
const T0: i64 = 1_767_229_200;

fn day(d: i64) -> i64 {
    T0 + d * DAY
}

fn date(d: i64) -> String {
    Date::from_days(day(d).div_euclid(DAY)).to_string()
}

/// Every backend to run a test on: a new SQLite file, and a new PostgreSQL database when there is one.
fn backends(dir: &tempfile::TempDir) -> Vec<LedgerUrl> {
    let mut out = vec![LedgerUrl::Sqlite(dir.path().join("ledger.sqlite"))];
    if let Some(url) = pg::fresh_database() {
        out.push(url.parse().unwrap());
    }
    out
}

fn sighting(secret: &str, path: &str) -> Sighting {
    Sighting {
        fingerprint: fingerprint(secret.as_bytes()),
        rule: "gitlab-pat".into(),
        severity: "high".into(),
        path: path.into(),
        line: 1,
        context: "code".into(),
        status: "unknown-origin".into(),
        at_head: true,
        ..Sighting::default()
    }
}

fn run(repo: &str, d: i64, mode: &str, sightings: Vec<Sighting>) -> RunRecord {
    RunRecord {
        repo: repo.into(),
        mode: mode.into(),
        covers_head: true,
        rule_pack: "test".into(),
        fingerprint_kind: "sha256".into(),
        started_at: day(d),
        finished_at: day(d) + 5,
        complete: true,
        findings: sightings.len() as u64,
        sightings,
        ..RunRecord::default()
    }
}

fn find<'a>(
    r: &'a leakhound_core::ledger::LedgerReport,
    secret: &str,
) -> &'a leakhound_core::ledger::model::Lifecycle {
    let fp = fingerprint(secret.as_bytes());
    r.credentials
        .iter()
        .find(|c| c.fingerprint == fp)
        .expect("credential in the report")
}

#[test]
fn lifecycles_and_kpis_come_from_the_runs() {
    let dir = tempfile::tempdir().unwrap();
    for url in backends(&dir) {
        let mut ledger = Ledger::open(&url).unwrap();
        // X: committed 100 days before the first scan, reused in two repositories, revoked on day 12.
        // Y: committed 10 days before, removed from HEAD by day 7, never revoked.
        // Z: only in history (never at HEAD), owned with an expiry.
        let mut x = sighting("secret-x", "deploy/.env");
        x.commit_date = Some(day(-100));
        x.commit = Some("a".repeat(40));
        let mut y = sighting("secret-y", "src/app.py");
        y.commit_date = Some(day(-10));
        let mut z = sighting("secret-z", "old/config.yml");
        z.at_head = false;
        z.commit_date = Some(day(-400));
        z.owner = Some("team-payments".into());
        z.owner_source = Some("inventory".into());
        z.status = "owned".into();
        z.expires = Some(date(20));
        z.environments = Some("prod,staging".into());
        ledger
            .record(&run(
                "example.com/org/a",
                0,
                "history",
                vec![x.clone(), y.clone(), z.clone()],
            ))
            .unwrap();
        ledger
            .record(&run(
                "example.com/org/b",
                3,
                "files",
                vec![sighting("secret-x", "ci.yml")],
            ))
            .unwrap();
        ledger
            .record(&run("example.com/org/a", 7, "files", vec![x.clone()]))
            .unwrap();
        let mut x_revoked = x.clone();
        x_revoked.status = "revoked-still-present".into();
        x_revoked.revoked_on = Some(date(12));
        ledger
            .record(&run(
                "example.com/org/a",
                14,
                "history",
                vec![x_revoked, z.clone()],
            ))
            .unwrap();

        let today = Date::from_days(day(60).div_euclid(DAY));
        let r = ledger.report(&Filters::default(), today).unwrap();
        assert_eq!(
            (r.kpis.runs, r.kpis.repositories, r.kpis.credentials),
            (4, 2, 3),
            "{url}"
        );
        let lx = find(&r, "secret-x");
        assert_eq!(lx.introduced.as_deref(), Some(date(-100).as_str()));
        assert_eq!(lx.first_detected, date(0));
        assert_eq!(lx.last_seen, date(14));
        assert_eq!(lx.time_to_detect_days, Some(100));
        assert_eq!(lx.revoked.as_deref(), Some(date(12).as_str()));
        assert_eq!(lx.time_to_revoke_days, Some(12));
        assert!(!lx.open);
        assert_eq!(lx.repos, ["example.com/org/a", "example.com/org/b"]);
        assert_eq!(lx.sightings, 4);
        // Still at HEAD of a (day 14) and never seen again in b's HEAD: not removed everywhere.
        assert_eq!(lx.removed_from_head, None);

        let ly = find(&r, "secret-y");
        assert_eq!(ly.removed_from_head.as_deref(), Some(date(7).as_str()));
        assert_eq!(ly.time_to_remove_days, Some(7));
        assert!(ly.open);
        assert_eq!(ly.due, date(30), "high: 30 days from first detection");
        assert!(ly.overdue);
        assert_eq!(ly.age_days, 70, "introduced day -10, today day 60");

        let lz = find(&r, "secret-z");
        assert_eq!(
            lz.removed_from_head.as_deref(),
            Some(date(0).as_str()),
            "never at HEAD"
        );
        assert_eq!(lz.due, date(20), "the inventory's expiry");
        assert_eq!(lz.owner.as_deref(), Some("team-payments"));
        assert_eq!(lz.environments, ["prod", "staging"]);

        assert_eq!(r.kpis.open, 2);
        assert_eq!(r.kpis.revoked, 1);
        assert_eq!(r.kpis.overdue, 2);
        assert_eq!(r.kpis.unknown_origin, 1);
        assert_eq!(r.kpis.owned_pct, 50.0);
        assert_eq!(r.kpis.with_expiry_pct, 50.0);
        assert_eq!(
            r.kpis.reused, 2,
            "x across repositories, z across environments"
        );
        assert_eq!(r.reused[0].fingerprint, fingerprint(b"secret-x"));
        assert_eq!(r.kpis.median_time_to_detect_days, Some(100));
        assert_eq!(r.time_to_detect.count, 3);
        assert_eq!(r.time_to_revoke.count, 1);
        assert_eq!(r.exposure_age.count, 2);
        // The trend: four run days; x revoked on day 12 leaves two open from day 14.
        let open: Vec<usize> = r.trend.iter().map(|p| p.open).collect();
        assert_eq!(open, [3, 3, 3, 2]);
        let in_head: Vec<usize> = r.trend.iter().map(|p| p.in_head).collect();
        assert_eq!(in_head, [2, 2, 1, 1]);
        // Owner tables: the team first, the unowned last.
        assert_eq!(r.owners.first().unwrap().owner, "team-payments");
        assert_eq!(r.owners.last().unwrap().owner, "(unowned)");

        // Filters.
        let only_b = Filters {
            repo: Some("example.com/org/b".into()),
            ..Filters::default()
        };
        let rb = ledger.report(&only_b, today).unwrap();
        assert_eq!((rb.kpis.runs, rb.kpis.credentials), (1, 1));
        let team = Filters {
            owner: Some("team-payments".into()),
            ..Filters::default()
        };
        assert_eq!(ledger.report(&team, today).unwrap().kpis.credentials, 1);
        let late = Filters {
            since: Some(date(7)),
            ..Filters::default()
        };
        let rl = ledger.report(&late, today).unwrap();
        assert_eq!((rl.kpis.runs, rl.kpis.credentials), (2, 2));

        // A second look through a read-only handle agrees.
        let again = Ledger::open_existing(&url)
            .unwrap()
            .report(&Filters::default(), today)
            .unwrap();
        assert_eq!(again.kpis, r.kpis);
    }
}

#[test]
fn the_organisation_view_counts_each_repository() {
    const A: &str = "example.com/org/a";
    const B: &str = "example.com/org/b";
    const C: &str = "example.com/org/c";
    const D: &str = "example.com/org/d";
    let dir = tempfile::tempdir().unwrap();
    for url in backends(&dir) {
        let mut ledger = Ledger::open(&url).unwrap();
        // S: shared by a and b, owned with an expiry, live. P: a only, removed from a's HEAD by day
        // 10, overdue. Q: b only, dead on day 11. R: b only, new on day 11. T: c only, never at HEAD,
        // owned without an expiry, overdue. V: a and c, dead. W: a, b and c, dead.
        let mut s = sighting("org-secret-s", "deploy/.env");
        s.owner = Some("team-payments".into());
        s.owner_source = Some("inventory".into());
        s.status = "owned".into();
        s.expires = Some(date(100));
        s.liveness = Some("live".into());
        let p = sighting("org-secret-p", "src/app.py");
        let q = sighting("org-secret-q", "ci.yml");
        let mut q_dead = q.clone();
        q_dead.liveness = Some("dead".into());
        let r = sighting("org-secret-r", "new.env");
        let mut t = sighting("org-secret-t", "old/config.yml");
        t.at_head = false;
        t.owner = Some("team-web".into());
        t.owner_source = Some("inventory".into());
        t.status = "owned".into();
        let mut v = sighting("org-secret-v", "v.env");
        v.liveness = Some("dead".into());
        let mut w = sighting("org-secret-w", "w.env");
        w.liveness = Some("dead".into());

        let mut b_last = run(B, 11, "files", vec![s.clone(), q_dead, r, w.clone()]);
        b_last.complete = false;
        b_last.head = Some("b".repeat(40));
        for record in [
            run(A, 0, "history", vec![s.clone(), p, v.clone()]),
            run(B, 1, "files", vec![s.clone(), q]),
            run(C, 2, "history", vec![t, v, w.clone()]),
            run(D, 3, "files", vec![]),
            run(A, 10, "files", vec![s.clone(), w]),
            b_last,
        ] {
            ledger.record(&record).unwrap();
        }

        let today = Date::from_days(day(40).div_euclid(DAY));
        let rep = ledger.report(&Filters::default(), today).unwrap();
        let k = &rep.kpis;
        assert_eq!((k.credentials, k.open), (7, 4), "{url}");
        assert_eq!(
            (
                k.repositories,
                k.repositories_with_open,
                k.repositories_incomplete,
                k.shared
            ),
            (4, 3, 1, 3),
            "{url}"
        );
        let rows: Vec<&str> = rep.repositories.iter().map(|r| r.repo.as_str()).collect();
        assert_eq!(rows, [A, B, C, D], "most open first, then by name");
        let [a, b, c, d] = &rep.repositories[..] else {
            panic!("four rows")
        };
        // (runs, last run, complete, open, in HEAD, overdue, live, unknown origin, owned %,
        // with expiry %, shared)
        let numbers = |r: &leakhound_core::ledger::model::RepoRow| {
            (
                r.runs,
                r.last_run.clone(),
                r.last_run_complete,
                r.open,
                r.in_head,
                r.overdue,
                r.live,
                r.unknown_origin,
                r.owned_pct,
                r.with_expiry_pct,
                r.shared,
            )
        };
        let at = |d: i64| format!("{}T01:00:00Z", date(d));
        assert_eq!(
            numbers(a),
            (2, at(10), true, 2, 1, 1, 1, 1, 50.0, 50.0, 1),
            "{url}"
        );
        assert_eq!(
            numbers(b),
            (2, at(11), false, 2, 2, 0, 1, 1, 50.0, 50.0, 1),
            "{url}"
        );
        assert_eq!(b.head.as_deref(), Some("b".repeat(40).as_str()));
        assert_eq!(
            numbers(c),
            (1, at(2), true, 1, 0, 1, 0, 0, 100.0, 0.0, 0),
            "{url}"
        );
        assert_eq!(
            numbers(d),
            (1, at(3), true, 0, 0, 0, 0, 0, 0.0, 0.0, 0),
            "{url}"
        );

        // Reuse: one key, many blast radii, most repositories first.
        let reused: Vec<(String, usize, Vec<String>, bool)> = rep
            .reused
            .iter()
            .map(|r| (r.fingerprint.clone(), r.repo_count, r.repos.clone(), r.open))
            .collect();
        let fp = |s: &str| fingerprint(s.as_bytes());
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            reused,
            [
                (fp("org-secret-w"), 3, names(&[A, B, C]), false),
                (fp("org-secret-s"), 2, names(&[A, B]), true),
                (fp("org-secret-v"), 2, names(&[A, C]), false),
            ],
            "{url}"
        );
        assert_eq!(k.reused, 3);

        // One owner: the rows count that owner's credentials only.
        let payments = Filters {
            owner: Some("team-payments".into()),
            ..Filters::default()
        };
        let rp = ledger.report(&payments, today).unwrap();
        assert_eq!(
            (
                rp.kpis.repositories,
                rp.kpis.repositories_with_open,
                rp.kpis.repositories_incomplete,
                rp.kpis.shared
            ),
            (4, 2, 1, 1),
            "{url}"
        );
        let rows: Vec<(&str, usize, usize, usize, f64)> = rp
            .repositories
            .iter()
            .map(|r| {
                (
                    r.repo.as_str(),
                    r.open,
                    r.unknown_origin,
                    r.shared,
                    r.owned_pct,
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                (A, 1, 0, 1, 100.0),
                (B, 1, 0, 1, 100.0),
                (C, 0, 0, 0, 0.0),
                (D, 0, 0, 0, 0.0)
            ],
            "{url}"
        );

        // One repository: one row, and its shared credentials are still those seen elsewhere.
        let only_b = Filters {
            repo: Some(B.into()),
            ..Filters::default()
        };
        let rb = ledger.report(&only_b, today).unwrap();
        assert_eq!(rb.repositories.len(), 1, "{url}");
        assert_eq!(
            numbers(&rb.repositories[0]),
            (2, at(11), false, 2, 2, 0, 1, 1, 50.0, 50.0, 1),
            "{url}"
        );
        assert_eq!(
            (
                rb.kpis.repositories,
                rb.kpis.repositories_with_open,
                rb.kpis.repositories_incomplete,
                rb.kpis.shared
            ),
            (1, 1, 1, 2),
            "S and W are in other repositories too: {url}"
        );
        // Since day 5: a's and b's last runs only; c and d have none in the period.
        let late = Filters {
            since: Some(date(5)),
            ..Filters::default()
        };
        let rl = ledger.report(&late, today).unwrap();
        let rows: Vec<(&str, usize, usize, usize)> = rl
            .repositories
            .iter()
            .map(|r| (r.repo.as_str(), r.runs, r.open, r.shared))
            .collect();
        assert_eq!(rows, [(B, 1, 2, 1), (A, 1, 1, 1)], "{url}");
    }
}

#[test]
fn a_provider_saying_dead_revokes_and_live_later_reopens() {
    let dir = tempfile::tempdir().unwrap();
    for url in backends(&dir) {
        let mut ledger = Ledger::open(&url).unwrap();
        let mut s = sighting("secret-l", "a.env");
        ledger
            .record(&run("r", 0, "files", vec![s.clone()]))
            .unwrap();
        s.liveness = Some("dead".into());
        ledger
            .record(&run("r", 5, "files", vec![s.clone()]))
            .unwrap();
        let today = Date::from_days(day(6).div_euclid(DAY));
        let r = ledger.report(&Filters::default(), today).unwrap();
        assert_eq!(
            find(&r, "secret-l").revoked.as_deref(),
            Some(date(5).as_str()),
            "{url}"
        );
        s.liveness = Some("live".into());
        ledger.record(&run("r", 6, "files", vec![s])).unwrap();
        let r = ledger.report(&Filters::default(), today).unwrap();
        let l = find(&r, "secret-l");
        assert!(l.open && l.revoked.is_none());
        assert_eq!(r.kpis.live, 1);
    }
}

#[test]
fn a_run_key_makes_a_retried_run_replace_the_first() {
    let dir = tempfile::tempdir().unwrap();
    for url in backends(&dir) {
        let mut ledger = Ledger::open(&url).unwrap();
        let mut r = run(
            "r",
            0,
            "history",
            vec![sighting("k1", "a"), sighting("k2", "b")],
        );
        r.run_key = Some("org-scan/2026-01-01/shard-1".into());
        assert!(!ledger.record(&r).unwrap().replaced);
        assert!(ledger.record(&r).unwrap().replaced);
        let rep = ledger
            .report(&Filters::default(), Date::from_days(day(1) / DAY))
            .unwrap();
        assert_eq!(rep.kpis.runs, 1, "{url}");
        assert_eq!(
            rep.credentials.iter().map(|c| c.sightings).sum::<usize>(),
            2
        );
    }
}

#[test]
fn fingerprints_of_another_kind_are_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    for url in backends(&dir) {
        let mut ledger = Ledger::open(&url).unwrap();
        ledger
            .record(&run("r", 0, "files", vec![sighting("a", "x")]))
            .unwrap();
        let mut keyed = run("r", 1, "files", vec![sighting("b", "y")]);
        keyed.fingerprint_kind = "hmac-sha256:0123456789abcdef".into();
        let err = ledger.record(&keyed).unwrap_err();
        assert!(matches!(err, LedgerError::FingerprintKind { .. }), "{err}");
        assert!(err.to_string().contains("LEAKHOUND_FINGERPRINT_KEY"));
        let rep = ledger
            .report(&Filters::default(), Date::from_days(day(2) / DAY))
            .unwrap();
        assert_eq!((rep.kpis.runs, rep.kpis.credentials), (1, 1), "{url}");
    }
}

#[test]
fn a_file_that_is_not_a_ledger_is_named_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    // Not a database at all.
    let junk = dir.path().join("junk.sqlite");
    let bytes = b"this is not a database, and it must survive\n".repeat(200);
    std::fs::write(&junk, &bytes).unwrap();
    let err = Ledger::open(&LedgerUrl::Sqlite(junk.clone())).unwrap_err();
    assert!(matches!(err, LedgerError::NotALedger { .. }), "{err}");
    assert!(err.to_string().contains("junk.sqlite") && !err.to_string().contains('\n'));
    assert!(std::fs::read(&junk).unwrap() == bytes, "the file changed");
    assert!(Ledger::open_existing(&LedgerUrl::Sqlite(junk.clone())).is_err());
    assert!(std::fs::read(&junk).unwrap() == bytes, "the file changed");

    // A database of another application.
    let other = dir.path().join("other.db");
    let conn = rusqlite::Connection::open(&other).unwrap();
    conn.execute_batch("CREATE TABLE invoices (id INTEGER); INSERT INTO invoices VALUES (1);")
        .unwrap();
    drop(conn);
    let before = std::fs::read(&other).unwrap();
    let err = Ledger::open(&LedgerUrl::Sqlite(other.clone())).unwrap_err();
    assert!(matches!(err, LedgerError::NotALedger { .. }), "{err}");
    assert!(std::fs::read(&other).unwrap() == before, "the file changed");
}

#[test]
fn a_schema_from_a_newer_leakhound_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    for url in backends(&dir) {
        Ledger::open(&url)
            .unwrap()
            .record(&run("r", 0, "files", vec![sighting("a", "x")]))
            .unwrap();
        let bump = "UPDATE ledger_meta SET value = '99' WHERE key = 'schema_version'";
        match &url {
            LedgerUrl::Sqlite(p) => {
                rusqlite::Connection::open(p)
                    .unwrap()
                    .execute_batch(bump)
                    .unwrap();
            }
            LedgerUrl::Postgres(u) => {
                postgres::Client::connect(u, postgres::NoTls)
                    .unwrap()
                    .batch_execute(bump)
                    .unwrap();
            }
        }
        for err in [
            Ledger::open(&url).unwrap_err(),
            Ledger::open_existing(&url).unwrap_err(),
        ] {
            assert!(matches!(err, LedgerError::Newer { found: 99, .. }), "{err}");
            assert!(err.to_string().contains("upgrade leakhound"));
        }
    }
}

#[test]
fn a_version_1_ledger_is_migrated_and_keeps_its_runs() {
    let dir = tempfile::tempdir().unwrap();
    for url in backends(&dir) {
        Ledger::open(&url)
            .unwrap()
            .record(&run("r", 0, "files", vec![sighting("a", "x")]))
            .unwrap();
        // Back to what issue 16's leakhound wrote: no history_state, version 1.
        let downgrade = "DROP TABLE history_state;
            DELETE FROM ledger_migrations WHERE version = 2;
            UPDATE ledger_meta SET value = '1' WHERE key = 'schema_version';";
        match &url {
            LedgerUrl::Sqlite(p) => rusqlite::Connection::open(p)
                .unwrap()
                .execute_batch(downgrade)
                .unwrap(),
            LedgerUrl::Postgres(u) => postgres::Client::connect(u, postgres::NoTls)
                .unwrap()
                .batch_execute(downgrade)
                .unwrap(),
        }
        let mut ledger = Ledger::open(&url).unwrap();
        let mut second = run("r", 1, "incremental", vec![sighting("a", "x")]);
        second.history_state = Some(b"state".to_vec());
        ledger.record(&second).unwrap();
        assert_eq!(
            ledger.history_state("r", None).unwrap().as_deref(),
            Some(&b"state"[..])
        );
        let report = ledger
            .report(&Filters::default(), Date::parse("2026-12-31").unwrap())
            .unwrap();
        assert_eq!(report.kpis.runs, 2, "{url}");
    }
}

#[test]
fn concurrent_writers_lose_no_sighting() {
    let dir = tempfile::tempdir().unwrap();
    for url in backends(&dir) {
        // Created once first (a migration race is covered by the binary's test of processes).
        Ledger::open(&url).unwrap();
        std::thread::scope(|s| {
            for w in 0..4 {
                let url = url.clone();
                s.spawn(move || {
                    let mut ledger = Ledger::open(&url).unwrap();
                    for i in 0..10 {
                        let sightings = (0..100)
                            .map(|k| {
                                sighting(&format!("w{w}-k{}", (i * 7 + k) % 150), &format!("f{k}"))
                            })
                            .collect();
                        ledger
                            .record(&run(&format!("repo-{w}"), i, "files", sightings))
                            .unwrap();
                    }
                });
            }
        });
        let rep = Ledger::open_existing(&url)
            .unwrap()
            .report(&Filters::default(), Date::from_days(day(20) / DAY))
            .unwrap();
        assert_eq!(rep.kpis.runs, 40, "{url}");
        assert_eq!(
            rep.credentials.iter().map(|c| c.sightings).sum::<usize>(),
            4000
        );
        assert_eq!(rep.kpis.credentials, 4 * 150);
    }
}

#[test]
fn a_ledger_that_cannot_be_reached_is_one_line() {
    let url: LedgerUrl = "postgres://leakhound@127.0.0.1:1/ledger".parse().unwrap();
    let err = Ledger::open(&url).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.starts_with("ledger postgres://leakhound@127.0.0.1:1/ledger: cannot open"),
        "{msg}"
    );
    assert!(!msg.contains('\n'));
    let missing = LedgerUrl::Sqlite("/nonexistent/dir/ledger.sqlite".into());
    assert!(matches!(
        Ledger::open_existing(&missing),
        Err(LedgerError::Missing { .. })
    ));
}
