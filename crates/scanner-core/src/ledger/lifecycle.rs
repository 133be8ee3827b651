//! From runs and sightings to lifecycles, KPIs and distributions ([`Ledger::report`]).
//!
//! One pass over the sightings (streamed, aggregated per credential in memory: a few hundred bytes per
//! credential, whatever the number of sightings), then plain arithmetic on days.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::db::{DbError, Value};
use super::model::{
    Bucket, Distribution, Filters, Kpis, LedgerReport, Lifecycle, OwnerTable, RepoRow, Reused,
    RunPoint, TrendPoint,
};
use super::{schema, Ledger, LedgerError};
use crate::date::Date;

/// Days to fix a credential with no inventory expiry, by severity: critical 7, high 30, medium 90,
/// low 180 (the due date is first detected + this).
///
/// ```
/// assert_eq!(leakhound_core::ledger::remediation_days("critical"), 7);
/// assert_eq!(leakhound_core::ledger::remediation_days("low"), 180);
/// ```
pub fn remediation_days(severity: &str) -> i64 {
    match severity {
        "critical" => 7,
        "high" => 30,
        "medium" => 90,
        "low" => 180,
        _ => 30,
    }
}

/// The owner table's name for credentials nobody owns.
const UNOWNED: &str = "(unowned)";

/// A run's place in time: its start, then its id.
type Key = (i64, i64);

/// One run, as the aggregation needs it.
struct Run {
    repo: usize,
    at: i64,
}

/// One repository's runs: how many, and the last one (its time and id, whether it was complete, its
/// HEAD).
struct RepoRuns {
    runs: usize,
    last: Key,
    complete: bool,
    head: Option<String>,
}

/// What the sightings say about one credential.
#[derive(Default)]
struct Acc {
    introduced: Option<i64>,
    first: i64,
    last: i64,
    first_path: String,
    /// Per repository: (first seen, last seen at HEAD), as (time, run id): runs in one second stay
    /// in order.
    repos: BTreeMap<usize, (Key, Option<Key>)>,
    revoked_at: Option<i64>,
    revoked_on: Option<i64>,
    latest: (i64, i64),
    owner: Option<String>,
    owner_source: Option<String>,
    status: String,
    expires: Option<String>,
    liveness: Option<(i64, String)>,
    environments: BTreeSet<String>,
    sightings: usize,
}

impl Ledger {
    /// The report over the ledger: every credential's lifecycle, the KPIs, the trend, the
    /// distributions, the owner tables and the reused credentials. `today` dates ages and due dates.
    ///
    /// # Errors
    /// [`LedgerError::Read`] when a query fails.
    pub fn report(&mut self, filters: &Filters, today: Date) -> Result<LedgerReport, LedgerError> {
        let url = self.url.to_string();
        let read = |source| LedgerError::Read {
            url: url.clone(),
            source,
        };
        let since = match &filters.since {
            Some(s) => Date::parse(s)
                .map(|d| d.days() * 86_400)
                .unwrap_or(i64::MIN),
            None => i64::MIN,
        };
        let mut where_runs = String::from("started_at >= $1");
        let mut params: Vec<Value> = vec![since.into()];
        if let Some(repo) = &filters.repo {
            where_runs.push_str(" AND repo = $2");
            params.push(repo.as_str().into());
        }
        let db = &mut self.db;
        let fingerprint_kind = schema::meta(db, "fingerprint_kind")
            .map_err(read)?
            .unwrap_or_else(|| "sha256".into());

        // Runs.
        let mut repos: Vec<String> = Vec::new();
        let mut repo_index: HashMap<String, usize> = HashMap::new();
        let mut runs: HashMap<i64, Run> = HashMap::new();
        let mut points = Vec::new();
        let mut covering: Vec<Vec<Key>> = Vec::new();
        let mut repo_runs: Vec<RepoRuns> = Vec::new();
        db.each(
            &format!(
                "SELECT id, repo, head, mode, covers_head, started_at, findings, credentials,
                        unknown_origin, live, owned_pct, with_expiry_pct, complete
                 FROM runs WHERE {where_runs} ORDER BY started_at, id"
            ),
            &params,
            |r| {
                let id = r.int(0)?.unwrap_or_default();
                let repo = r.text(1)?.unwrap_or_default();
                let idx = *repo_index.entry(repo.clone()).or_insert_with(|| {
                    repos.push(repo.clone());
                    covering.push(Vec::new());
                    repo_runs.push(RepoRuns {
                        runs: 0,
                        last: (i64::MIN, i64::MIN),
                        complete: true,
                        head: None,
                    });
                    repos.len() - 1
                });
                let at = r.int(5)?.unwrap_or_default();
                if r.int(4)?.unwrap_or(0) != 0 {
                    covering[idx].push((at, id));
                }
                runs.insert(id, Run { repo: idx, at });
                let head = r.text(2)?;
                let last = &mut repo_runs[idx];
                last.runs += 1;
                if (at, id) > last.last {
                    last.last = (at, id);
                    last.complete = r.int(12)?.unwrap_or(1) != 0;
                    last.head = head.clone();
                }
                points.push(RunPoint {
                    id,
                    at: instant(at),
                    repo,
                    mode: r.text(3)?.unwrap_or_default(),
                    head,
                    findings: r.int(6)?.unwrap_or(0) as usize,
                    credentials: r.int(7)?.unwrap_or(0) as usize,
                    unknown_origin: r.int(8)?.unwrap_or(0) as usize,
                    live: r.int(9)?.unwrap_or(0) as usize,
                    owned_pct: r.real(10)?.unwrap_or(0.0),
                    with_expiry_pct: r.real(11)?.unwrap_or(0.0),
                });
                Ok(())
            },
        )
        .map_err(read)?;

        // Sightings, aggregated per credential.
        let mut accs: HashMap<i64, Acc> = HashMap::new();
        // Unfiltered, every row is read (runs outside the map are skipped as they come).
        let (sql_filter, sight_params) = match filters.since.is_some() || filters.repo.is_some() {
            true => (
                format!(" WHERE run_id IN (SELECT id FROM runs WHERE {where_runs})"),
                &params[..],
            ),
            false => (String::new(), &[][..]),
        };
        db.each(
            &format!(
                "SELECT run_id, credential_id, commit_date, at_head, liveness, status, revoked_on,
                        owner, owner_source, expires, environments, path
                 FROM sightings{sql_filter}"
            ),
            sight_params,
            |r| aggregate(r, &runs, &mut accs),
        )
        .map_err(read)?;

        // With one repository, its credentials also seen in another one (in the period): the
        // sightings above are that repository's only, but its row's `shared` is about the others.
        let mut elsewhere: HashSet<i64> = HashSet::new();
        if filters.repo.is_some() {
            db.each(
                &format!(
                    "SELECT DISTINCT s.credential_id FROM sightings s JOIN runs r ON r.id = s.run_id
                     WHERE r.started_at >= $1 AND r.repo <> $2 AND s.credential_id IN
                       (SELECT credential_id FROM sightings WHERE run_id IN
                         (SELECT id FROM runs WHERE {where_runs}))"
                ),
                &params,
                |r| {
                    elsewhere.insert(r.int(0)?.unwrap_or_default());
                    Ok(())
                },
            )
            .map_err(read)?;
        }

        // The credentials' fingerprints and rules.
        let mut meta: HashMap<i64, (String, String, String)> = HashMap::with_capacity(accs.len());
        db.each(
            "SELECT id, fingerprint, rule, severity FROM credentials",
            &[],
            |r| {
                let id = r.int(0)?.unwrap_or_default();
                if accs.contains_key(&id) {
                    meta.insert(
                        id,
                        (
                            r.text(1)?.unwrap_or_default(),
                            r.text(2)?.unwrap_or_default(),
                            r.text(3)?.unwrap_or_default(),
                        ),
                    );
                }
                Ok(())
            },
        )
        .map_err(read)?;

        let today_day = today.days();
        // Each credential's lifecycle, and the repositories whose rows it counts in.
        let mut rows: Vec<RowAcc> = (0..repos.len()).map(|_| RowAcc::default()).collect();
        let mut shared = 0;
        let mut lives: Vec<Lifecycle> = accs
            .into_iter()
            .filter_map(|(id, acc)| {
                let (fingerprint, rule, severity) = meta.remove(&id)?;
                let (life, in_repos) = lifecycle(
                    fingerprint,
                    rule,
                    severity,
                    acc,
                    &repos,
                    &covering,
                    today_day,
                );
                Some((life, in_repos, elsewhere.contains(&id)))
            })
            .filter(|(l, ..)| match &filters.owner {
                Some(o) => l.owner.as_deref().unwrap_or(UNOWNED) == o,
                None => true,
            })
            .map(|(l, in_repos, elsewhere)| {
                let is_shared = elsewhere || in_repos.len() > 1;
                shared += usize::from(is_shared);
                count_in_rows(&l, &in_repos, is_shared, &mut rows);
                l
            })
            .collect();
        lives.sort_by(|a, b| {
            (
                a.introduced.as_ref().unwrap_or(&a.first_detected),
                &a.fingerprint,
            )
                .cmp(&(
                    b.introduced.as_ref().unwrap_or(&b.first_detected),
                    &b.fingerprint,
                ))
        });

        let mut run_days: Vec<i64> = runs.values().map(|r| r.at.div_euclid(86_400)).collect();
        run_days.sort_unstable();
        run_days.dedup();
        let repositories = repo_rows(repos, repo_runs, rows);
        Ok(LedgerReport {
            generated_at: instant(super::now_unix()),
            ledger: url.clone(),
            filters: filters.clone(),
            fingerprint_kind,
            kpis: kpis(&lives, runs.len(), &repositories, shared),
            trend: trend(&lives, &run_days),
            runs: points,
            exposure_age: distribution(lives.iter().filter(|l| l.open).map(|l| l.age_days)),
            time_to_detect: distribution(lives.iter().filter_map(|l| l.time_to_detect_days)),
            time_to_remove: distribution(lives.iter().filter_map(|l| l.time_to_remove_days)),
            time_to_revoke: distribution(lives.iter().filter_map(|l| l.time_to_revoke_days)),
            repositories,
            owners: owner_tables(&lives),
            reused: reused(&lives),
            credentials: lives,
        })
    }
}

/// Folds one sighting row into its credential's accumulator.
fn aggregate(
    r: &dyn super::db::Row,
    runs: &HashMap<i64, Run>,
    accs: &mut HashMap<i64, Acc>,
) -> Result<(), DbError> {
    let run_id = r.int(0)?.unwrap_or_default();
    let Some(run) = runs.get(&run_id) else {
        return Ok(());
    };
    let at = run.at;
    let acc = accs
        .entry(r.int(1)?.unwrap_or_default())
        .or_insert_with(|| Acc {
            first: i64::MAX,
            last: i64::MIN,
            latest: (i64::MIN, i64::MIN),
            ..Acc::default()
        });
    acc.sightings += 1;
    if let Some(d) = r.int(2)? {
        acc.introduced = Some(acc.introduced.map_or(d, |x| x.min(d)));
    }
    if at < acc.first {
        acc.first = at;
        acc.first_path = r.text(11)?.unwrap_or_default();
    }
    acc.last = acc.last.max(at);
    let at_head = r.int(3)?.unwrap_or(0) != 0;
    let key = (at, run_id);
    let entry = acc.repos.entry(run.repo).or_insert((key, None));
    entry.0 = entry.0.min(key);
    if at_head {
        entry.1 = Some(entry.1.map_or(key, |x: Key| x.max(key)));
    }
    let liveness = r.text_ref(4)?;
    let status = r.text_ref(5)?.unwrap_or_default();
    if liveness == Some("dead") || status == "revoked-still-present" {
        acc.revoked_at = Some(acc.revoked_at.map_or(at, |x| x.min(at)));
    }
    if let Some(l) = liveness.filter(|l| *l == "live" || *l == "dead") {
        if acc.liveness.as_ref().is_none_or(|(t, _)| at > *t) {
            acc.liveness = Some((at, l.to_string()));
        }
    }
    if let Some(d) = r.text_ref(6)?.and_then(Date::parse) {
        let t = d.days() * 86_400;
        acc.revoked_on = Some(acc.revoked_on.map_or(t, |x| x.min(t)));
    }
    // The state of its latest run (the first sighting of that run stands for it).
    if (at, run_id) > acc.latest {
        acc.latest = (at, run_id);
        acc.owner = r.text(7)?;
        acc.owner_source = r.text(8)?;
        acc.status = status.to_string();
        acc.expires = r.text(9)?;
    }
    if let Some(envs) = r.text_ref(10)? {
        for e in envs.split(',').filter(|e| !e.is_empty()) {
            if !acc.environments.contains(e) {
                acc.environments.insert(e.to_string());
            }
        }
    }
    Ok(())
}

/// One credential's lifecycle from its accumulator, with the repositories it was seen in (their
/// indices) and whether it is still in each one's HEAD.
fn lifecycle(
    fingerprint: String,
    rule: String,
    severity: String,
    acc: Acc,
    repos: &[String],
    covering: &[Vec<Key>],
    today: i64,
) -> (Lifecycle, Vec<(usize, bool)>) {
    let day = |t: i64| t.div_euclid(86_400);
    let first = day(acc.first);
    let introduced = acc.introduced.map(day).map(|d| d.min(first));
    // Removed from HEAD: in every repository it was seen in, a run covering HEAD came after the
    // last sighting at HEAD (or after its first sighting, when it was never at HEAD) without it.
    // In a repository's HEAD: no covering run of it came after that (it is not gone from there).
    let mut removed: Option<i64> = None;
    let mut still = false;
    let mut in_repos = Vec::with_capacity(acc.repos.len());
    for (repo, (seen, last_head)) in &acc.repos {
        let runs = &covering[*repo];
        let gone = match last_head {
            Some(last) => runs.get(runs.partition_point(|k| k <= last)),
            // Never at HEAD: the first covering run at or after its first sighting did not have it.
            None => runs.get(runs.partition_point(|k| k < seen)),
        };
        in_repos.push((*repo, gone.is_none()));
        match gone {
            Some(&(t, _)) => removed = Some(removed.map_or(t, |r| r.max(t))),
            None => still = true,
        }
    }
    let removed = match still {
        true => None,
        false => removed.map(day),
    };
    let still_live = acc.liveness.as_ref().is_some_and(|(_, l)| l == "live");
    let revoked = match still_live {
        true => None,
        false => match (acc.revoked_on, acc.revoked_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
        .map(day),
    };
    let open = revoked.is_none();
    let due = match acc.expires.as_deref().and_then(Date::parse) {
        Some(d) => d.days(),
        None => first + remediation_days(&severity),
    };
    let start = introduced.unwrap_or(first);
    let end = revoked.unwrap_or(today);
    let date = |d: i64| Date::from_days(d).to_string();
    let life = Lifecycle {
        fingerprint,
        rule,
        severity,
        owner: acc.owner,
        owner_source: acc.owner_source,
        status: acc.status,
        liveness: acc.liveness.map(|(_, l)| l),
        expires: acc.expires,
        // By name: the order runs met them in is not the report's business (a sharded scan meets
        // them in another order than one worker does).
        repos: {
            let mut names: Vec<String> = acc.repos.keys().map(|r| repos[*r].clone()).collect();
            names.sort_unstable();
            names
        },
        environments: acc.environments.into_iter().collect(),
        path: acc.first_path,
        introduced: introduced.map(date),
        first_detected: date(first),
        last_seen: date(day(acc.last)),
        removed_from_head: removed.map(date),
        revoked: revoked.map(date),
        due: date(due),
        overdue: open && due < today,
        open,
        age_days: (end - start).max(0),
        time_to_detect_days: introduced.map(|i| (first - i).max(0)),
        time_to_remove_days: removed.map(|r| (r - first).max(0)),
        time_to_revoke_days: revoked.map(|r| (r - first).max(0)),
        sightings: acc.sightings,
    };
    (life, in_repos)
}

/// One repository's counts over its open credentials, as they are added.
#[derive(Default)]
struct RowAcc {
    open: usize,
    in_head: usize,
    overdue: usize,
    live: usize,
    unknown_origin: usize,
    owned: usize,
    with_expiry: usize,
    shared: usize,
}

/// Counts an open credential in the row of every repository it was seen in; `shared`: it was seen
/// in more than one repository.
fn count_in_rows(l: &Lifecycle, in_repos: &[(usize, bool)], shared: bool, rows: &mut [RowAcc]) {
    if !l.open {
        return;
    }
    for &(repo, in_head) in in_repos {
        let row = &mut rows[repo];
        row.open += 1;
        row.in_head += usize::from(in_head);
        row.overdue += usize::from(l.overdue);
        row.live += usize::from(is_live(l));
        row.unknown_origin += usize::from(is_unknown_origin(l));
        row.owned += usize::from(is_owned(l));
        row.with_expiry += usize::from(l.expires.is_some());
        row.shared += usize::from(shared);
    }
}

/// The repositories' rows: most open credentials first, then by name.
fn repo_rows(repos: Vec<String>, runs: Vec<RepoRuns>, rows: Vec<RowAcc>) -> Vec<RepoRow> {
    let mut out: Vec<RepoRow> = repos
        .into_iter()
        .zip(runs)
        .zip(rows)
        .map(|((repo, runs), row)| RepoRow {
            repo,
            runs: runs.runs,
            last_run: instant(runs.last.0),
            last_run_complete: runs.complete,
            head: runs.head,
            open: row.open,
            in_head: row.in_head,
            overdue: row.overdue,
            live: row.live,
            unknown_origin: row.unknown_origin,
            owned_pct: percent(row.owned, row.open),
            with_expiry_pct: percent(row.with_expiry, row.open),
            shared: row.shared,
        })
        .collect();
    out.sort_by(|a, b| b.open.cmp(&a.open).then_with(|| a.repo.cmp(&b.repo)));
    out
}

/// `n` of `total` in percent with one decimal; 0 when there is no total.
fn percent(n: usize, total: usize) -> f64 {
    match total {
        0 => 0.0,
        total => (n as f64 * 1000.0 / total as f64).round() / 10.0,
    }
}

fn is_live(l: &Lifecycle) -> bool {
    l.liveness.as_deref() == Some("live")
}

fn is_unknown_origin(l: &Lifecycle) -> bool {
    matches!(l.status.as_str(), "unknown-origin" | "live-unowned")
}

fn is_owned(l: &Lifecycle) -> bool {
    l.owner_source.as_deref() == Some("inventory")
}

fn kpis(lives: &[Lifecycle], runs: usize, repositories: &[RepoRow], shared: usize) -> Kpis {
    let open: Vec<&Lifecycle> = lives.iter().filter(|l| l.open).collect();
    let pct = |n: usize| percent(n, open.len());
    let median = |v: Vec<i64>| distribution(v.into_iter()).median;
    Kpis {
        runs,
        repositories: repositories.len(),
        repositories_with_open: repositories.iter().filter(|r| r.open > 0).count(),
        repositories_incomplete: repositories.iter().filter(|r| !r.last_run_complete).count(),
        shared,
        credentials: lives.len(),
        open: open.len(),
        overdue: open.iter().filter(|l| l.overdue).count(),
        live: open.iter().filter(|l| is_live(l)).count(),
        revoked: lives.len() - open.len(),
        removed_from_head: lives
            .iter()
            .filter(|l| l.removed_from_head.is_some())
            .count(),
        unknown_origin: open.iter().filter(|l| is_unknown_origin(l)).count(),
        owned_pct: pct(open.iter().filter(|l| is_owned(l)).count()),
        with_expiry_pct: pct(open.iter().filter(|l| l.expires.is_some()).count()),
        reused: lives.iter().filter(|l| is_reused(l)).count(),
        median_time_to_detect_days: median(
            lives.iter().filter_map(|l| l.time_to_detect_days).collect(),
        ),
        median_time_to_remove_days: median(
            lives.iter().filter_map(|l| l.time_to_remove_days).collect(),
        ),
        median_time_to_revoke_days: median(
            lives.iter().filter_map(|l| l.time_to_revoke_days).collect(),
        ),
    }
}

fn is_reused(l: &Lifecycle) -> bool {
    l.repos.len() > 1 || l.environments.len() > 1
}

/// The state at each day that has a run: open, in HEAD, new, revoked.
fn trend(lives: &[Lifecycle], days: &[i64]) -> Vec<TrendPoint> {
    let d = |s: &str| Date::parse(s).map(|d| d.days()).unwrap_or(i64::MAX);
    let mut first: Vec<i64> = lives.iter().map(|l| d(&l.first_detected)).collect();
    // Revoked and removed count from no earlier than detection (an inventory date can be older).
    let mut revoked: Vec<i64> = lives
        .iter()
        .filter_map(|l| l.revoked.as_deref().map(|r| d(r).max(d(&l.first_detected))))
        .collect();
    let mut removed: Vec<i64> = lives
        .iter()
        .filter_map(|l| {
            l.removed_from_head
                .as_deref()
                .map(|r| d(r).max(d(&l.first_detected)))
        })
        .collect();
    first.sort_unstable();
    revoked.sort_unstable();
    removed.sort_unstable();
    let upto = |v: &[i64], day: i64| v.partition_point(|x| *x <= day);
    let on = |v: &[i64], day: i64| upto(v, day) - v.partition_point(|x| *x < day);
    days.iter()
        .map(|&day| TrendPoint {
            date: Date::from_days(day).to_string(),
            open: upto(&first, day) - upto(&revoked, day),
            in_head: upto(&first, day) - upto(&removed, day),
            new: on(&first, day),
            revoked: on(&revoked, day),
        })
        .collect()
}

/// The fixed buckets of every distribution.
const BUCKETS: [(&str, i64, Option<i64>); 6] = [
    ("0–1 d", 0, Some(1)),
    ("2–7 d", 2, Some(7)),
    ("8–30 d", 8, Some(30)),
    ("31–90 d", 31, Some(90)),
    ("91–365 d", 91, Some(365)),
    ("> 1 y", 366, None),
];

/// Count, median, p90, max and buckets of whole days.
pub(crate) fn distribution(values: impl Iterator<Item = i64>) -> Distribution {
    let mut v: Vec<i64> = values.collect();
    v.sort_unstable();
    let at = |q: f64| match v.len() {
        0 => None,
        n => Some(v[(((n - 1) as f64) * q).round() as usize]),
    };
    Distribution {
        count: v.len(),
        median: at(0.5),
        p90: at(0.9),
        max: v.last().copied(),
        buckets: BUCKETS
            .iter()
            .map(|(label, from, to)| Bucket {
                label: (*label).to_string(),
                from_days: *from,
                to_days: *to,
                count: v
                    .iter()
                    .filter(|x| **x >= *from && to.is_none_or(|t| **x <= t))
                    .count(),
            })
            .collect(),
    }
}

/// One table per owner: most overdue first, then most open; the unowned last.
fn owner_tables(lives: &[Lifecycle]) -> Vec<OwnerTable> {
    let mut by: BTreeMap<&str, Vec<&Lifecycle>> = BTreeMap::new();
    for l in lives {
        by.entry(l.owner.as_deref().unwrap_or(UNOWNED))
            .or_default()
            .push(l);
    }
    let mut tables: Vec<OwnerTable> = by
        .into_iter()
        .map(|(owner, mut ls)| {
            ls.sort_by(|a, b| b.open.cmp(&a.open).then(b.age_days.cmp(&a.age_days)));
            OwnerTable {
                owner: owner.to_string(),
                open: ls.iter().filter(|l| l.open).count(),
                overdue: ls.iter().filter(|l| l.overdue).count(),
                credentials: ls.into_iter().cloned().collect(),
            }
        })
        .collect();
    tables.sort_by(|a, b| {
        (
            a.owner == UNOWNED,
            std::cmp::Reverse(a.overdue),
            std::cmp::Reverse(a.open),
            &a.owner,
        )
            .cmp(&(
                b.owner == UNOWNED,
                std::cmp::Reverse(b.overdue),
                std::cmp::Reverse(b.open),
                &b.owner,
            ))
    });
    tables
}

/// Credentials in more than one repository or environment: most repositories first.
fn reused(lives: &[Lifecycle]) -> Vec<Reused> {
    let mut out: Vec<Reused> = lives
        .iter()
        .filter(|l| is_reused(l))
        .map(|l| Reused {
            fingerprint: l.fingerprint.clone(),
            rule: l.rule.clone(),
            repos: l.repos.clone(),
            repo_count: l.repos.len(),
            environments: l.environments.clone(),
            owner: l.owner.clone(),
            open: l.open,
        })
        .collect();
    out.sort_by(|a, b| {
        (b.repos.len(), b.environments.len(), b.open)
            .cmp(&(a.repos.len(), a.environments.len(), a.open))
            .then(a.fingerprint.cmp(&b.fingerprint))
    });
    out
}

/// Unix seconds as RFC 3339 (UTC).
fn instant(t: i64) -> String {
    jiff::Timestamp::from_second(t)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distributions_have_every_bucket_and_quantiles() {
        let d = distribution([0, 1, 5, 40, 400, 10].into_iter());
        assert_eq!(d.count, 6);
        assert_eq!(d.median, Some(10));
        assert_eq!(d.max, Some(400));
        let counts: Vec<usize> = d.buckets.iter().map(|b| b.count).collect();
        assert_eq!(counts, [2, 1, 1, 1, 0, 1]);
        let e = distribution(std::iter::empty());
        assert_eq!((e.count, e.median, e.buckets.len()), (0, None, 6));
    }
}
