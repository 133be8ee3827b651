//! End-to-end: hostile shapes of input scan in linear time, and the per-file findings cap.
//!
//! Each regression test below is a shape that took quadratic time before (one long line, millions of
//! matches, repeated encoded runs): at these sizes the old matcher ran for minutes in a debug build,
//! the fixed one takes well under a second. No test asserts a time; each asserts what is found, so a
//! hang shows as a test that does not finish. Every value is made up at test time.

use crate::common;
use common::{leakhound, write, Gen};

use serde_json::Value;

const B32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const B62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// `n` distinct made-up AWS access key ids that the default rules report (no placeholder shape).
fn aws_ids(n: usize) -> Vec<String> {
    let mut g = Gen(0x5EED_A115);
    let mut seen = std::collections::HashSet::new();
    let mut ids = Vec::with_capacity(n);
    while ids.len() < n {
        let id = format!("AKIA{}", g.s(B32, 16));
        if !leakhound_core::is_placeholder(id.as_bytes())
            && leakhound_core::entropy(id.as_bytes()) >= 3.2
            && seen.insert(id.clone())
        {
            ids.push(id);
        }
    }
    ids
}

/// Runs `scan` with JSON output; returns the report and stderr.
fn scan(dir: &std::path::Path, args: &[&str]) -> (Value, String) {
    let mut argv = vec!["scan", ".", "--format", "json", "--no-redact"];
    argv.extend_from_slice(args);
    let out = leakhound(dir, &argv);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "exit {:?}: {stderr}",
        out.status.code()
    );
    (
        serde_json::from_slice(&out.stdout).expect("JSON report"),
        stderr,
    )
}

fn findings(report: &Value) -> &Vec<Value> {
    report["findings"].as_array().expect("findings array")
}

/// Regression: a file with many findings was reported whole, however many (1,000,000 AWS key ids did
/// not finish in 120 s). Now the first 1,000 findings of a file are reported, in file order.
#[test]
fn findings_are_capped_per_file_keeping_the_first_in_file_order() {
    let dir = tempfile::tempdir().unwrap();
    let ids = aws_ids(1500);
    write(dir.path(), "ids.txt", &(ids.join("\n") + "\n"));
    write(
        dir.path(),
        "one.env",
        &format!("AWS_ACCESS_KEY_ID={}\n", aws_ids(1501)[1500]),
    );

    let (report, _) = scan(dir.path(), &[]);
    let f = findings(&report);
    let in_ids: Vec<&Value> = f.iter().filter(|x| x["path"] == "ids.txt").collect();
    assert_eq!(in_ids.len(), 1000);
    for (i, x) in in_ids.iter().enumerate() {
        assert_eq!(x["line"], i + 1, "the first 1000 lines, in order");
        assert_eq!(x["secret"], ids[i]);
    }
    assert_eq!(f.iter().filter(|x| x["path"] == "one.env").count(), 1);

    let (report, _) = scan(dir.path(), &["--max-findings-per-file", "10"]);
    let lines: Vec<u64> = findings(&report)
        .iter()
        .filter(|x| x["path"] == "ids.txt")
        .map(|x| x["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, (1..=10).collect::<Vec<u64>>());

    let (report, _) = scan(dir.path(), &["--max-findings-per-file", "0"]);
    assert_eq!(findings(&report).len(), 1501, "0 lifts the cap");
}

/// The truncated file is named on stderr with how many findings were left out, and the JSON summary
/// counts it; the scan still exits 1 (findings), never 0.
#[test]
fn a_truncated_file_is_named_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "ids.txt", &(aws_ids(1500).join("\n") + "\n"));
    write(dir.path(), "few.txt", &(aws_ids(3).join("\n") + "\n"));
    let (report, stderr) = scan(dir.path(), &[]);
    assert_eq!(report["summary"]["truncated_files"], 1);
    // The search stops soon after the cap: how many more there are is not counted.
    assert!(
        stderr.contains("ids.txt: truncated: the first 1000 findings are reported"),
        "{stderr}"
    );
    assert!(!stderr.contains("few.txt"), "{stderr}");
}

/// Regression: 1,000,000 AWS key ids in one file did not finish in 120 s (the same ids over 40 files
/// took 0.9 s): each candidate was compared with every earlier one of its rule, and each finding
/// searched back to its line start. All of them are reported now, in one linear pass.
#[test]
fn many_aws_key_ids_in_one_file_are_all_reported() {
    let dir = tempfile::tempdir().unwrap();
    let ids = aws_ids(20_000);
    write(dir.path(), "ids.txt", &(ids.join("\n") + "\n"));
    let (report, _) = scan(dir.path(), &["--max-findings-per-file", "0"]);
    let f = findings(&report);
    assert_eq!(f.len(), ids.len());
    assert!(f.iter().all(|x| x["rule"] == "aws-access-key-id"));
    assert_eq!(f[19_999]["line"], 20_000);
    assert_eq!(f[19_999]["secret"], ids[19_999]);
}

/// The same ids on one line: every finding used to search back to the start of the line.
#[test]
fn many_aws_key_ids_on_one_line_are_all_reported() {
    let dir = tempfile::tempdir().unwrap();
    let ids = aws_ids(10_000);
    write(dir.path(), "ids.txt", &ids.join(" "));
    let (report, _) = scan(dir.path(), &["--max-findings-per-file", "0"]);
    let f = findings(&report);
    assert_eq!(f.len(), ids.len());
    let last = &f[9_999];
    assert_eq!(
        (last["line"].as_u64(), last["column"].as_u64()),
        (Some(1), Some(9_999 * 21 + 1))
    );
}

/// Regression: a 2 MB line of repeated `password=` took minutes. Every `password` is an assignment
/// whose value (`=` is base64's padding) runs to the end of the line, and that run was measured again
/// from every keyword. The key at the end of the line shows the whole line was scanned.
#[test]
fn a_long_line_of_repeated_assignments_is_scanned_once() {
    let dir = tempfile::tempdir().unwrap();
    let id = &aws_ids(1)[0];
    let line = "password=".repeat(100_000);
    write(dir.path(), "pw.txt", &format!("{line} {id}\n"));
    let (report, _) = scan(dir.path(), &[]);
    let f = findings(&report);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0]["rule"], "aws-access-key-id");
    assert_eq!(f[0]["column"], line.len() + 2);
}

/// Regression: generic values on one long line each searched back to the line start for their checks
/// (`EXAMPLE` on the line, allow comments), quadratic in the line.
#[test]
fn generic_values_on_one_long_line_are_all_reported() {
    let dir = tempfile::tempdir().unwrap();
    let mut g = Gen(42);
    let values: Vec<String> = (0..5_000).map(|_| g.s(B62, 18)).collect();
    let line: Vec<String> = values
        .iter()
        .map(|v| format!("password = \"{v}\""))
        .collect();
    write(dir.path(), "pw.env", &line.join(" "));
    // The same assignments one per line: what the generic tier reports of these random values (it
    // drops some, letters-only values for one) must be what it reports on one line.
    let sub = dir.path().join("lines");
    std::fs::create_dir(&sub).unwrap();
    write(&sub, "pw.env", &line.join("\n"));
    let (report, _) = scan(&sub, &["--max-findings-per-file", "0"]);
    let expected: Vec<Value> = findings(&report)
        .iter()
        .map(|x| x["secret"].clone())
        .collect();
    assert!(expected.len() > 4_500, "{}", expected.len());
    std::fs::remove_dir_all(&sub).unwrap();
    let (report, _) = scan(dir.path(), &["--max-findings-per-file", "0"]);
    let f = findings(&report);
    let got: Vec<Value> = f.iter().map(|x| x["secret"].clone()).collect();
    assert_eq!(got, expected);
    assert!(f.iter().all(|x| x["rule"] == "generic-password"));
    // An allow comment at the end of the line still covers every value on it.
    write(
        dir.path(),
        "pw.env",
        &(line.join(" ") + " # leakhound:allow"),
    );
    let (report, _) = scan(dir.path(), &["--max-findings-per-file", "0"]);
    assert!(findings(&report).is_empty());
}

/// Regression: base64 values on one long line were each decoded and rescanned with the whole line
/// around them (a quarter of a megabyte did not finish in 30 s).
#[test]
fn encoded_values_on_one_long_line_are_decoded_within_the_budget() {
    use base64::Engine as _;
    let dir = tempfile::tempdir().unwrap();
    let id = &aws_ids(1)[0];
    let mut g = Gen(9);
    let mut line: Vec<String> = (0..3_000)
        .map(|_| {
            let v =
                base64::engine::general_purpose::STANDARD.encode(format!("pw-{}-x", g.s(B62, 14)));
            format!("password: \"{v}\"")
        })
        .collect();
    // A key wrapped in base64 first on the line: decoded and reported at its encoded bytes.
    let wrapped =
        base64::engine::general_purpose::STANDARD.encode(format!("AWS_ACCESS_KEY_ID={id}"));
    line.insert(0, format!("secret: \"{wrapped}\""));
    write(dir.path(), "enc.yml", &line.join(" "));
    let (report, stderr) = scan(dir.path(), &[]);
    let f = findings(&report);
    let aws: Vec<&Value> = f
        .iter()
        .filter(|x| x["rule"] == "aws-access-key-id")
        .collect();
    assert_eq!(aws.len(), 1, "{f:?}");
    assert_eq!(aws[0]["encoding"], "base64");
    assert_eq!(aws[0]["column"], 10);
    // What the budget could not pay for is named and counted, not dropped in silence.
    assert_eq!(
        report["summary"]["undecoded_files"], 1,
        "{}",
        report["summary"]
    );
    assert!(
        stderr.contains("enc.yml: ") && stderr.contains("encoded values not decoded"),
        "{stderr}"
    );
}

/// Regression: a long base64 run full of the encoded `-----BEGIN ` trigger measured the whole run again
/// from every trigger (a quarter of a megabyte did not finish in 30 s).
#[test]
fn a_long_run_of_encoded_triggers_is_measured_once() {
    use base64::Engine as _;
    let dir = tempfile::tempdir().unwrap();
    let id = &aws_ids(1)[0];
    let run = base64::engine::general_purpose::STANDARD.encode("-----BEGIN ".repeat(20_000));
    write(dir.path(), "trig.txt", &format!("{run}\nkey = {id}\n"));
    let (report, _) = scan(dir.path(), &[]);
    let f = findings(&report);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0]["line"], 2);
}

/// Regression: `- name:` repeated on one line looked for the end of the line from every one of them.
#[test]
fn repeated_env_names_on_one_line_are_cheap() {
    let dir = tempfile::tempdir().unwrap();
    let id = &aws_ids(1)[0];
    let line = "- name: AWS_ACCESS_KEY_ID ".repeat(20_000);
    write(
        dir.path(),
        "names.yaml",
        &format!("{line}\n  value: {id}\n"),
    );
    let (report, _) = scan(dir.path(), &[]);
    let f = findings(&report);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(
        (f[0]["line"].as_u64(), f[0]["column"].as_u64()),
        (Some(2), Some(10))
    );
}

/// Regression: Kubernetes env pairs each checked their findings against every earlier finding of the
/// file, and placed them by counting lines from the start of the file.
#[test]
fn many_env_pairs_are_all_reported() {
    let dir = tempfile::tempdir().unwrap();
    let mut g = Gen(5);
    let keys: Vec<String> =
        std::iter::repeat_with(|| format!("sk-proj-{}T3BlbkFJ{}", g.s(B62, 20), g.s(B62, 20)))
            .filter(|k| !leakhound_core::is_placeholder(k.as_bytes()))
            .take(3_000)
            .collect();
    let yaml: String = keys
        .iter()
        .map(|k| format!("- name: OPENAI_API_KEY\n  value: {k}\n"))
        .collect();
    write(dir.path(), "deploy.yaml", &yaml);
    let (report, _) = scan(dir.path(), &["--max-findings-per-file", "0"]);
    let f = findings(&report);
    assert_eq!(f.len(), keys.len());
    assert_eq!(f[2_999]["line"], 6_000);
    assert_eq!(f[2_999]["secret"], keys[2_999]);
}

/// Regression: every value of a `kind: Secret` with thousands of entries was decoded, and its findings
/// placed by counting lines from the start of the file.
#[test]
fn a_secret_manifest_with_many_values_is_decoded_linearly() {
    use base64::Engine as _;
    let dir = tempfile::tempdir().unwrap();
    let ids = aws_ids(3_000);
    let mut yaml = String::from("apiVersion: v1\nkind: Secret\ndata:\n");
    for (i, id) in ids.iter().enumerate() {
        let v = base64::engine::general_purpose::STANDARD.encode(format!("AWS_ACCESS_KEY_ID={id}"));
        yaml.push_str(&format!("  key{i}: {v}\n"));
    }
    write(dir.path(), "secret.yaml", &yaml);
    let (report, _) = scan(dir.path(), &["--max-findings-per-file", "0"]);
    let f = findings(&report);
    assert_eq!(f.len(), ids.len());
    assert!(f.iter().all(|x| x["encoding"] == "base64"));
    assert_eq!(f[2_999]["line"], 3_003);
}

/// History and the hook count a cut the same way: the blob is named by its id, the summary counts it,
/// and an incremental state written under one cap is not reused under another (the blob's unreported
/// findings are seen again with a higher cap).
#[test]
fn history_names_a_truncated_blob_and_a_higher_cap_sees_it_again() {
    use common::git;
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    git(repo, &["init", "-q", "-b", "main"]);
    write(repo, "ids.txt", &(aws_ids(1200).join("\n") + "\n"));
    git(repo, &["add", "."]);
    git(repo, &["commit", "-qm", "fixture"]);
    let state = repo.join("state.bin");
    let state = state.to_str().unwrap();
    let run = |extra: &[&str]| {
        let mut argv = vec![
            "scan",
            "--history",
            ".",
            "--format",
            "json",
            "--no-redact",
            "--incremental",
            "--incremental-state",
            state,
        ];
        argv.extend_from_slice(extra);
        let out = leakhound(repo, &argv);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        let report: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
        (report, stderr)
    };
    let (report, stderr) = run(&[]);
    assert_eq!(findings(&report).len(), 1000);
    assert_eq!(
        report["summary"]["truncated_files"], 1,
        "{}",
        report["summary"]
    );
    assert!(
        stderr.contains(": truncated: the first 1000 findings are reported"),
        "{stderr}"
    );
    let (report, _) = run(&["--max-findings-per-file", "0"]);
    assert_eq!(
        findings(&report).len(),
        1200,
        "the state of a lower cap is not reused"
    );
}

/// Regression: `--threads 10000` started ten thousand threads and took over a minute on five files.
/// Threads are capped at four per core, with a note.
#[test]
fn an_absurd_thread_count_is_capped_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    for (i, id) in aws_ids(5).iter().enumerate() {
        write(
            dir.path(),
            &format!("f{i}.env"),
            &format!("AWS_ACCESS_KEY_ID={id}\n"),
        );
    }
    let (report, stderr) = scan(dir.path(), &["--threads", "10000"]);
    assert_eq!(findings(&report).len(), 5);
    assert!(
        stderr.contains("--threads 10000 is more than this machine can use"),
        "{stderr}"
    );
}
