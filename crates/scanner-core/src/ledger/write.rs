//! Recording a run: one transaction per run (the run, its credentials, its sightings), batched
//! multi-row inserts that both databases take.

use std::collections::HashMap;
use std::time::Instant;

use super::db::{Db, DbError, Value};
use super::record::RunRecord;
use super::{schema, Ledger, LedgerError};

/// What [`Ledger::record`] wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    /// The run's id in the ledger.
    pub run_id: i64,
    /// Sightings written.
    pub sightings: usize,
    /// Whether a run with the same run key was replaced.
    pub replaced: bool,
    /// Seconds the write took (the transaction, including waiting for other writers).
    pub seconds: f64,
}

/// Rows per multi-row insert (15 parameters each: well under both databases' limits).
const BATCH: usize = 200;

impl Ledger {
    /// Records a run and its sightings in one transaction: all of it or, on any error, none.
    ///
    /// # Errors
    /// [`LedgerError::FingerprintKind`] when the run's fingerprints are of another kind than the
    /// ledger's; [`LedgerError::Write`] when the database refuses (read-only, full, gone).
    pub fn record(&mut self, run: &RunRecord) -> Result<Recorded, LedgerError> {
        let started = Instant::now();
        let url = self.url.to_string();
        let write = |source| LedgerError::Write {
            url: url.clone(),
            source,
        };
        self.db.begin().map_err(write)?;
        match record_in(&mut self.db, run) {
            Ok(Ok((run_id, replaced))) => {
                self.db.commit().map_err(write)?;
                Ok(Recorded {
                    run_id,
                    sightings: run.sightings.len(),
                    replaced,
                    seconds: started.elapsed().as_secs_f64(),
                })
            }
            Ok(Err((ledger, run))) => {
                self.db.rollback();
                Err(LedgerError::FingerprintKind { url, ledger, run })
            }
            Err(e) => {
                self.db.rollback();
                Err(write(e))
            }
        }
    }
}

impl Ledger {
    /// The `--incremental` state the ledger keeps for `repo` (a repository's identity, as runs record
    /// it): its segments, in order, for [`crate::ScanSession::with_incremental_state_bytes`]; None
    /// when no incremental run of it was recorded.
    ///
    /// `run_key` is the key the coming run will be recorded under: what an earlier run with that key
    /// added is left out, because recording the new run replaces that run and its sightings — a retry
    /// must read those objects again, not skip them as already seen.
    ///
    /// # Errors
    /// [`LedgerError::Read`] when the query fails.
    pub fn history_state(
        &mut self,
        repo: &str,
        run_key: Option<&str>,
    ) -> Result<Option<Vec<u8>>, LedgerError> {
        use base64::Engine as _;
        let mut state: Option<Vec<u8>> = None;
        let mut broken = false;
        self.db
            .each(
                "SELECT state FROM history_state WHERE repo = $1
                   AND (run_id IS NULL OR run_id NOT IN (SELECT id FROM runs WHERE run_key = $2))
                 ORDER BY seq",
                &[repo.into(), run_key.into()],
                |r| {
                    let text = r.text_ref(0)?.unwrap_or_default();
                    match base64::engine::general_purpose::STANDARD.decode(text) {
                        Ok(b) => state.get_or_insert_with(Vec::new).extend(b),
                        Err(_) => broken = true,
                    }
                    Ok(())
                },
            )
            .map_err(|source| LedgerError::Read {
                url: self.url.to_string(),
                source,
            })?;
        // A state that does not decode is no state: the next run scans everything again.
        Ok(state.filter(|_| !broken))
    }
}

/// The run's fingerprint kind against the ledger's: `Err((ledger's, run's))` on a mismatch.
type KindCheck = Result<(i64, bool), (String, String)>;

fn record_in(db: &mut Db, run: &RunRecord) -> Result<KindCheck, DbError> {
    match schema::meta(db, "fingerprint_kind")? {
        None => schema::set_meta(db, "fingerprint_kind", &run.fingerprint_kind)?,
        Some(k) if k != run.fingerprint_kind => return Ok(Err((k, run.fingerprint_kind.clone()))),
        Some(_) => {}
    }
    let mut replaced = false;
    if let Some(key) = &run.run_key {
        db.exec(
            "DELETE FROM sightings WHERE run_id IN (SELECT id FROM runs WHERE run_key = $1)",
            &[key.as_str().into()],
        )?;
        // The replaced run's state segments go with it (the new run read the state without them).
        db.exec(
            "DELETE FROM history_state WHERE run_id IN (SELECT id FROM runs WHERE run_key = $1)",
            &[key.as_str().into()],
        )?;
        replaced = db.exec(
            "DELETE FROM runs WHERE run_key = $1",
            &[key.as_str().into()],
        )? > 0;
    }
    let run_id = db
        .one_int(
            "INSERT INTO runs (run_key, repo, head, mode, covers_head, rule_pack, leakhound,
                fingerprint_kind, started_at, finished_at, complete, files, bytes, skipped, findings,
                credentials, owned, with_expiry, unknown_origin, live, dead, owned_pct, with_expiry_pct)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
                $19, $20, $21, $22, $23)
             RETURNING id",
            &[
                run.run_key.clone().into(),
                run.repo.as_str().into(),
                run.head.clone().into(),
                run.mode.as_str().into(),
                run.covers_head.into(),
                run.rule_pack.as_str().into(),
                env!("CARGO_PKG_VERSION").into(),
                run.fingerprint_kind.as_str().into(),
                run.started_at.into(),
                run.finished_at.into(),
                run.complete.into(),
                (run.files as i64).into(),
                (run.bytes as i64).into(),
                (run.skipped as i64).into(),
                (run.findings as i64).into(),
                (run.credentials as i64).into(),
                (run.owned as i64).into(),
                (run.with_expiry as i64).into(),
                (run.unknown_origin as i64).into(),
                (run.live as i64).into(),
                (run.dead as i64).into(),
                run.owned_pct.into(),
                run.with_expiry_pct.into(),
            ],
        )?
        .unwrap_or_default();
    let ids = credential_ids(db, run)?;
    for chunk in run.sightings.chunks(BATCH) {
        let mut sql = String::from(
            "INSERT INTO sightings (run_id, credential_id, path, line, commit_id, commit_date,
                context, owner, owner_source, status, liveness, expires, revoked_on, environments,
                at_head) VALUES ",
        );
        let mut params = Vec::with_capacity(chunk.len() * 15);
        for (i, s) in chunk.iter().enumerate() {
            placeholders(&mut sql, i, 15);
            params.extend([
                run_id.into(),
                ids.get(s.fingerprint.as_str())
                    .copied()
                    .unwrap_or_default()
                    .into(),
                s.path.as_str().into(),
                (s.line as i64).into(),
                s.commit.clone().into(),
                s.commit_date.into(),
                s.context.as_str().into(),
                s.owner.clone().into(),
                s.owner_source.clone().into(),
                s.status.as_str().into(),
                s.liveness.clone().into(),
                s.expires.clone().into(),
                s.revoked_on.clone().into(),
                s.environments.clone().into(),
                s.at_head.into(),
            ]);
        }
        db.exec(&sql, &params)?;
    }
    if let Some(state) = &run.history_state {
        write_state(db, run, state, run_id)?;
    }
    Ok(Ok((run_id, replaced)))
}

/// Segments a repository's state may have before the whole state replaces them (a night's segment is
/// small; reading 32 of them is nothing; rewriting a large state every night would be most of the
/// ledger's write volume).
const COMPACT_AFTER: i64 = 32;

/// Stores the run's incremental state for its repository: what it added, appended as a segment, or,
/// when there is nothing to append to (a first run, a changed configuration) or enough segments
/// piled up, the whole state in their place.
fn write_state(db: &mut Db, run: &RunRecord, whole: &[u8], run_id: i64) -> Result<(), DbError> {
    use base64::Engine as _;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let (segments, last) = {
        let mut out = (0, 0);
        db.each(
            "SELECT COUNT(*), COALESCE(MAX(seq), 0) FROM history_state WHERE repo = $1",
            &[run.repo.as_str().into()],
            |r| {
                out = (r.int(0)?.unwrap_or(0), r.int(1)?.unwrap_or(0));
                Ok(())
            },
        )?;
        out
    };
    let (seq, bytes) = match &run.history_state_added {
        // Nothing new: the stored state stands.
        Some(added) if added.is_empty() && segments > 0 => return Ok(()),
        Some(added) if segments > 0 && segments < COMPACT_AFTER => (last + 1, added.as_slice()),
        _ => {
            db.exec(
                "DELETE FROM history_state WHERE repo = $1",
                &[run.repo.as_str().into()],
            )?;
            (0, whole)
        }
    };
    db.exec(
        "INSERT INTO history_state (repo, seq, state, size, run_id, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            run.repo.as_str().into(),
            seq.into(),
            b64(bytes).into(),
            (bytes.len() as i64).into(),
            run_id.into(),
            super::now_unix().into(),
        ],
    )?;
    Ok(())
}

/// `($n, $n+1, …)` for row `i` of a multi-row insert of `width` columns.
fn placeholders(sql: &mut String, i: usize, width: usize) {
    use std::fmt::Write as _;
    if i > 0 {
        sql.push_str(", ");
    }
    sql.push('(');
    for c in 0..width {
        if c > 0 {
            sql.push_str(", ");
        }
        let _ = write!(sql, "${}", i * width + c + 1);
    }
    sql.push(')');
}

/// The ledger's id of each of the run's credentials, inserting those it does not have yet.
fn credential_ids<'r>(db: &mut Db, run: &'r RunRecord) -> Result<HashMap<&'r str, i64>, DbError> {
    let mut unique: Vec<(&str, &str, &str)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for s in &run.sightings {
        if seen.insert(s.fingerprint.as_str()) {
            unique.push((&s.fingerprint, &s.rule, &s.severity));
        }
    }
    // In one order for every writer: two runs inserting the same new fingerprints (a key reused
    // across repositories, shards writing at once) then wait for each other instead of deadlocking.
    unique.sort_unstable_by(|a, b| a.0.cmp(b.0));
    for chunk in unique.chunks(BATCH) {
        let mut sql = String::from("INSERT INTO credentials (fingerprint, rule, severity) VALUES ");
        let mut params = Vec::with_capacity(chunk.len() * 3);
        for (i, (fp, rule, severity)) in chunk.iter().enumerate() {
            placeholders(&mut sql, i, 3);
            params.extend([(*fp).into(), (*rule).into(), Value::from(*severity)]);
        }
        sql.push_str(" ON CONFLICT (fingerprint) DO NOTHING");
        db.exec(&sql, &params)?;
    }
    let unique_by_fp: HashMap<&str, &(&'r str, &'r str, &'r str)> =
        unique.iter().map(|u| (u.0, u)).collect();
    let mut ids = HashMap::with_capacity(unique.len());
    for chunk in unique.chunks(BATCH) {
        let mut sql =
            String::from("SELECT id, fingerprint FROM credentials WHERE fingerprint IN (");
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("${}", i + 1));
        }
        sql.push(')');
        let params: Vec<Value> = chunk.iter().map(|(fp, ..)| (*fp).into()).collect();
        let mut found: Vec<(i64, String)> = Vec::with_capacity(chunk.len());
        db.each(&sql, &params, |r| {
            found.push((
                r.int(0)?.unwrap_or_default(),
                r.text(1)?.unwrap_or_default(),
            ));
            Ok(())
        })?;
        for (id, fp) in found {
            // The run's own &str for the key (the map borrows the run, not the rows).
            if let Some((k, ..)) = unique_by_fp.get(fp.as_str()) {
                ids.insert(*k, id);
            }
        }
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::LedgerUrl;

    #[test]
    fn incremental_state_is_appended_then_compacted() {
        let dir = tempfile::tempdir().unwrap();
        let url: LedgerUrl = format!("sqlite:{}", dir.path().join("l.sqlite").display())
            .parse()
            .unwrap();
        let mut ledger = Ledger::open(&url).unwrap();
        let run = |whole: &[u8], added: Option<&[u8]>| RunRecord {
            repo: "git.example.test/acme/api".into(),
            mode: "incremental".into(),
            fingerprint_kind: "sha256".into(),
            history_state: Some(whole.to_vec()),
            history_state_added: added.map(<[u8]>::to_vec),
            ..RunRecord::default()
        };
        let rows = |l: &mut Ledger| {
            l.db.one_int("SELECT COUNT(*) FROM history_state", &[])
                .unwrap()
        };
        ledger.record(&run(b"AB", None)).unwrap();
        ledger.record(&run(b"ABC", Some(b"C"))).unwrap();
        ledger.record(&run(b"ABC", Some(b""))).unwrap();
        ledger.record(&run(b"ABCD", Some(b"D"))).unwrap();
        assert_eq!(rows(&mut ledger), Some(3));
        assert_eq!(
            ledger
                .history_state("git.example.test/acme/api", None)
                .unwrap()
                .unwrap(),
            b"ABCD"
        );
        assert_eq!(ledger.history_state("elsewhere", None).unwrap(), None);
        // A changed configuration (nothing to append to): the whole state replaces the segments.
        ledger.record(&run(b"XY", None)).unwrap();
        assert_eq!(rows(&mut ledger), Some(1));
        for i in 0..COMPACT_AFTER {
            let mut whole = b"XY".to_vec();
            whole.extend((0..=i).map(|b| b as u8));
            ledger.record(&run(&whole, Some(&[i as u8]))).unwrap();
        }
        // Compacted once the segments reached the limit, then appended to again.
        assert!(
            rows(&mut ledger).unwrap() < COMPACT_AFTER,
            "{:?}",
            rows(&mut ledger)
        );
        let mut expect = b"XY".to_vec();
        expect.extend((0..COMPACT_AFTER).map(|b| b as u8));
        assert_eq!(
            ledger
                .history_state("git.example.test/acme/api", None)
                .unwrap()
                .unwrap(),
            expect
        );
    }
}
