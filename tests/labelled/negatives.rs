//! Realistic non-secrets that must not be reported: digests, ids, lock files, encoded images, public
//! keys and certificates, references to secrets, test fixtures, i18n strings, pagination cursors…
//! Each generator builds one whole file from the PRNG; `all` builds many of each kind.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;

use super::gen::{Rng, ALNUM, BASE64, BASE64URL, DIGIT, LOWER, LOWER_ALNUM, UPPER_ALNUM};

pub struct Negative {
    pub kind: &'static str,
    pub path: String,
    pub content: String,
}

type Generator = fn(&mut Rng) -> (String, String);

/// Every kind with its generator.
pub const KINDS: &[(&str, Generator)] = &[
    ("git-sha-log", git_sha_log),
    ("sha256sum", sha256sum),
    ("digests-in-code", digests_in_code),
    ("uuids", uuids),
    ("data-uri-image", data_uri_image),
    ("package-lock", package_lock),
    ("yarn-lock", yarn_lock),
    ("cargo-lock", cargo_lock),
    ("poetry-lock", poetry_lock),
    ("go-sum", go_sum),
    ("pipfile-lock", pipfile_lock),
    ("gemfile-lock", gemfile_lock),
    ("terraform-lock", terraform_lock),
    ("docker-digest", docker_digest),
    ("sri-integrity", sri_integrity),
    ("minified-js", minified_js),
    ("css-colours", css_colours),
    ("test-fixtures", test_fixtures),
    ("env-references", env_references),
    ("k8s-secret-ref", k8s_secret_ref),
    ("helm-template", helm_template),
    ("i18n", i18n),
    ("code-identifiers", code_identifiers),
    ("file-paths", file_paths),
    ("urls-no-credentials", urls_no_credentials),
    ("base64-text", base64_text),
    ("certificates", certificates),
    ("pgp-public-key", pgp_public_key),
    ("ssh-public-keys", ssh_public_keys),
    ("pagination-cursors", pagination_cursors),
    ("csrf-fields", csrf_fields),
    ("build-ids", build_ids),
    ("vendor-public-ids", vendor_public_ids),
    ("cloud-resource-ids", cloud_resource_ids),
    ("git-lfs-pointer", git_lfs_pointer),
    ("http-request-ids", http_request_ids),
    ("encrypted-secrets", encrypted_secrets),
    ("password-ui-schema", password_ui_schema),
    ("openapi-security", openapi_security),
    ("doc-comments", doc_comments),
    ("sequential-placeholders", sequential_placeholders),
    ("hex-literals", hex_literals),
    ("kebab-phrases", kebab_phrases),
    ("resource-names", resource_names),
    ("passwd-field-lists", passwd_field_lists),
    ("go-module-paths", go_module_paths),
    ("config-key-names", config_key_names),
    ("enum-constants", enum_constants),
    ("password-placeholders", password_placeholders),
    ("variable-references", variable_references),
    ("function-calls", function_calls),
    ("non-secret-keys", non_secret_keys),
    ("pass-words", pass_words),
];

/// `per_kind` buffers of every kind, deterministic in `seed`.
pub fn all(seed: u64, per_kind: usize) -> Vec<Negative> {
    let mut out = Vec::new();
    for (k, (kind, g)) in KINDS.iter().enumerate() {
        for i in 0..per_kind {
            let mut rng = Rng::new(seed ^ ((k as u64) << 32) ^ i as u64);
            let (path, content) = g(&mut rng);
            out.push(Negative {
                kind,
                path,
                content,
            });
        }
    }
    out
}

fn lines(rng: &mut Rng, n: usize, f: &mut dyn FnMut(&mut Rng) -> String) -> String {
    (0..n).map(|_| f(rng)).collect::<Vec<_>>().join("\n") + "\n"
}

fn lines_n(
    rng: &mut Rng,
    (lo, hi): (usize, usize),
    f: &mut dyn FnMut(&mut Rng) -> String,
) -> String {
    let n = rng.range(lo, hi);
    lines(rng, n, f)
}

fn b64_bytes_n(rng: &mut Rng, lo: usize, hi: usize) -> String {
    let n = rng.range(lo, hi);
    b64_bytes(rng, n)
}

fn pick_str(rng: &mut Rng, xs: &[&str]) -> String {
    (*rng.pick(xs)).to_owned()
}

fn word(rng: &mut Rng) -> String {
    pick_str(
        rng,
        &[
            "api", "billing", "orders", "auth", "search", "payments", "web", "worker", "gateway",
            "ledger", "reports", "notify", "cache", "users", "catalog",
        ],
    )
}

fn semver(rng: &mut Rng) -> String {
    format!("{}.{}.{}", rng.below(8), rng.below(30), rng.below(20))
}

fn pkg(rng: &mut Rng) -> String {
    pick_str(
        rng,
        &[
            "lodash",
            "react",
            "express",
            "axios",
            "chalk",
            "debug",
            "uuid",
            "semver",
            "yargs",
            "commander",
            "webpack",
            "typescript",
            "eslint",
            "jest",
            "zod",
            "dotenv",
            "ms",
            "qs",
        ],
    )
}

fn b64_bytes(rng: &mut Rng, n: usize) -> String {
    STANDARD.encode(rng.bytes(n))
}

// ---------------------------------------------------------------------------------- digests & ids

fn git_sha_log(rng: &mut Rng) -> (String, String) {
    let mut s = String::new();
    for _ in 0..rng.range(3, 8) {
        let sha = rng.hex(40);
        match rng.below(5) {
            0 => s += &format!(
                "commit {sha}\nAuthor: Dev One <dev1@acme.io>\nDate:   Fri Jan 2 10:0{}:00 2026 +0100\n\n    Fix retry on 502 from {}\n\n",
                rng.below(10),
                word(rng)
            ),
            1 => s += &format!(
                "2026-01-02T10:00:{:02}Z INFO deployed revision {sha} to {} (took {} ms)\n",
                rng.below(60),
                word(rng),
                rng.range(200, 9000)
            ),
            2 => s += &format!(
                "HEAD is now at {} Merge pull request #{} from acme/feature/{}\n",
                &sha[..7],
                rng.range(100, 9999),
                word(rng)
            ),
            3 => s += &format!(
                "Merge: {} {}\n+ git checkout -f {sha}\nChecking out {sha} (refs/remotes/origin/main)\n",
                rng.hex(7),
                rng.hex(7)
            ),
            _ => s += &format!(
                "{{\"level\":\"info\",\"msg\":\"build finished\",\"commit\":\"{sha}\",\"tree\":\"{}\",\"parent\":\"{}\"}}\n",
                rng.hex(40),
                rng.hex(40)
            ),
        }
    }
    (
        pick_str(rng, &["ci/build.log", "logs/deploy.log", "CHANGELOG.txt"]),
        s,
    )
}

fn sha256sum(rng: &mut Rng) -> (String, String) {
    let files = [
        "app-linux-amd64.tar.gz",
        "app-darwin-arm64.tar.gz",
        "app-windows-amd64.zip",
        "checksums.txt.sig",
        "app_1.4.2_amd64.deb",
    ];
    let (algo, len) = *rng.pick(&[("sha256", 64), ("sha512", 128), ("sha1", 40), ("md5", 32)]);
    let content = lines_n(rng, (2, 5), &mut |r| {
        format!("{}  dist/{}", r.hex(len), r.pick(&files))
    });
    let path = match algo {
        "sha256" => "dist/SHA256SUMS".to_owned(),
        "sha512" => "dist/SHA512SUMS".to_owned(),
        "sha1" => "release/sha1sums.txt".to_owned(),
        _ => "release/MD5SUMS".to_owned(),
    };
    (path, content)
}

fn digests_in_code(rng: &mut Rng) -> (String, String) {
    let sha256 = rng.hex(64);
    let md5 = rng.hex(32);
    let sha1 = rng.hex(40);
    let sha512 = rng.hex(128);
    match rng.below(5) {
        0 => (
            "scripts/install.sh".into(),
            format!(
                "#!/bin/sh\nset -eu\nVERSION=1.7.3\nEXPECTED_SHA256=\"{sha256}\"\ncurl -fsSLo /tmp/tool.tgz \"https://github.com/acme/tool/releases/download/v$VERSION/tool.tgz\"\necho \"$EXPECTED_SHA256  /tmp/tool.tgz\" | sha256sum -c -\n"
            ),
        ),
        1 => (
            "build/download.py".into(),
            format!(
                "ARTIFACTS = {{\n    \"model.bin\": {{\"md5\": \"{md5}\", \"sha1\": \"{sha1}\"}},\n    \"vocab.txt\": {{\"sha256\": \"{sha256}\"}},\n}}\n"
            ),
        ),
        2 => (
            "deploy/checksums.yaml".into(),
            format!(
                "artifacts:\n  - name: {}-{}.jar\n    sha512: {sha512}\n    md5: {md5}\n",
                word(rng),
                semver(rng)
            ),
        ),
        3 => (
            "Formula/tool.rb".into(),
            format!(
                "class Tool < Formula\n  url \"https://github.com/acme/tool/archive/v1.2.0.tar.gz\"\n  sha256 \"{sha256}\"\nend\n"
            ),
        ),
        _ => (
            "src/cache.ts".into(),
            format!(
                "export const CACHE_VERSION = \"{sha1}\";\nexport const SCHEMA_HASH = \"{md5}\";\nexport const ETAG = '\"{}\"';\n",
                rng.hex(32)
            ),
        ),
    }
}

fn uuids(rng: &mut Rng) -> (String, String) {
    let u = rng.uuid();
    let v = rng.uuid();
    match rng.below(5) {
        0 => (
            "src/fixtures/tenants.py".into(),
            format!(
                "DEFAULT_TENANT_ID = \"{u}\"\nORG_ID = uuid.UUID(\"{v}\")\nrequest_id = str(uuid.uuid4())\n"
            ),
        ),
        1 => (
            "config/azure.json".into(),
            format!(
                "{{\n  \"tenantId\": \"{u}\",\n  \"subscriptionId\": \"{v}\",\n  \"clientId\": \"{}\",\n  \"resourceGroup\": \"rg-{}-prod\"\n}}\n",
                rng.uuid(),
                word(rng)
            ),
        ),
        2 => (
            "logs/app.log".into(),
            lines(rng, 4, &mut |r| {
                format!(
                    "2026-01-02T10:00:{:02}Z INFO request_id={} trace_id={} correlation_id={} status=200",
                    r.below(60),
                    r.uuid(),
                    r.hex(32),
                    r.uuid()
                )
            }),
        ),
        3 => (
            ".env".into(),
            format!(
                "AZURE_TENANT_ID={u}\nAZURE_CLIENT_ID={v}\nAZURE_SUBSCRIPTION_ID={}\nNETLIFY_SITE_ID={}\n",
                rng.uuid(),
                rng.uuid()
            ),
        ),
        _ => (
            "db/seeds/users.sql".into(),
            format!(
                "INSERT INTO users (id, email, org_id) VALUES ('{u}', 'dev1@acme.io', '{v}');\n"
            ),
        ),
    }
}

fn data_uri_image(rng: &mut Rng) -> (String, String) {
    let mut png = vec![
        0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d,
    ];
    png.extend(b"IHDR");
    png.extend(rng.bytes_n(120, 1500));
    let data = STANDARD.encode(&png);
    let svg = STANDARD.encode(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 16 16\"><path fill=\"#{}\" d=\"M8 0l{} {}z\"/></svg>",
        rng.hex(6),
        rng.below(16),
        rng.below(16)
    ));
    match rng.below(3) {
        0 => (
            "public/index.html".into(),
            format!("<!doctype html>\n<html><body>\n<img alt=\"logo\" src=\"data:image/png;base64,{data}\">\n</body></html>\n"),
        ),
        1 => (
            "src/styles/main.css".into(),
            format!(".icon {{\n  background-image: url(\"data:image/svg+xml;base64,{svg}\");\n}}\n.hero {{ background: url(data:image/png;base64,{data}) no-repeat; }}\n"),
        ),
        _ => (
            "docs/README.md".into(),
            format!("# Billing\n\n![architecture](data:image/png;base64,{data})\n"),
        ),
    }
}

// -------------------------------------------------------------------------------------- lock files

fn package_lock(rng: &mut Rng) -> (String, String) {
    let mut s = String::from(
        "{\n  \"name\": \"web\",\n  \"version\": \"1.0.0\",\n  \"lockfileVersion\": 3,\n  \"requires\": true,\n  \"packages\": {\n",
    );
    for i in 0..rng.range(3, 8) {
        let p = pkg(rng);
        let v = semver(rng);
        if i > 0 {
            s += ",\n";
        }
        s += &format!(
            "    \"node_modules/{p}\": {{\n      \"version\": \"{v}\",\n      \"resolved\": \"https://registry.npmjs.org/{p}/-/{p}-{v}.tgz\",\n      \"integrity\": \"sha512-{}\",\n      \"license\": \"MIT\"\n    }}",
            b64_bytes(rng, 64)
        );
    }
    s += "\n  }\n}\n";
    ("package-lock.json".into(), s)
}

fn yarn_lock(rng: &mut Rng) -> (String, String) {
    let mut s = String::from(
        "# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n# yarn lockfile v1\n\n",
    );
    for _ in 0..rng.range(3, 8) {
        let p = pkg(rng);
        let v = semver(rng);
        s += &format!(
            "{p}@^{v}:\n  version \"{v}\"\n  resolved \"https://registry.yarnpkg.com/{p}/-/{p}-{v}.tgz#{}\"\n  integrity sha512-{}\n\n",
            rng.hex(40),
            b64_bytes(rng, 64)
        );
    }
    ("yarn.lock".into(), s)
}

fn cargo_lock(rng: &mut Rng) -> (String, String) {
    let crates = [
        "serde", "regex", "tokio", "anyhow", "memchr", "itoa", "ryu", "libc", "bytes",
    ];
    let mut s = String::from("# This file is automatically @generated by Cargo.\n# It is not intended for manual editing.\nversion = 4\n\n");
    for _ in 0..rng.range(3, 8) {
        s += &format!(
            "[[package]]\nname = \"{}\"\nversion = \"{}\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"{}\"\n\n",
            rng.pick(&crates),
            semver(rng),
            rng.hex(64)
        );
    }
    ("Cargo.lock".into(), s)
}

fn poetry_lock(rng: &mut Rng) -> (String, String) {
    let names = [
        "requests",
        "urllib3",
        "certifi",
        "idna",
        "charset-normalizer",
        "pydantic",
    ];
    let mut s = String::new();
    for _ in 0..rng.range(2, 5) {
        let n = *rng.pick(&names);
        let v = semver(rng);
        s += &format!(
            "[[package]]\nname = \"{n}\"\nversion = \"{v}\"\noptional = false\npython-versions = \">=3.8\"\nfiles = [\n    {{file = \"{n}-{v}-py3-none-any.whl\", hash = \"sha256:{}\"}},\n    {{file = \"{n}-{v}.tar.gz\", hash = \"sha256:{}\"}},\n]\n\n",
            rng.hex(64),
            rng.hex(64)
        );
    }
    s += &format!(
        "[metadata]\nlock-version = \"2.0\"\npython-versions = \"^3.11\"\ncontent-hash = \"{}\"\n",
        rng.hex(64)
    );
    ("poetry.lock".into(), s)
}

fn go_sum(rng: &mut Rng) -> (String, String) {
    let mods = [
        "github.com/stretchr/testify",
        "golang.org/x/sys",
        "github.com/spf13/cobra",
        "google.golang.org/grpc",
        "github.com/google/uuid",
    ];
    let content = lines_n(rng, (4, 10), &mut |r| {
        let m = *r.pick(&mods);
        let v = format!("v{}", semver(r));
        if r.below(2) == 0 {
            format!("{m} {v} h1:{}", b64_bytes(r, 32))
        } else {
            format!("{m} {v}/go.mod h1:{}", b64_bytes(r, 32))
        }
    });
    ("go.sum".into(), content)
}

fn pipfile_lock(rng: &mut Rng) -> (String, String) {
    let mut s = format!(
        "{{\n    \"_meta\": {{\n        \"hash\": {{\n            \"sha256\": \"{}\"\n        }},\n        \"pipfile-spec\": 6\n    }},\n    \"default\": {{\n",
        rng.hex(64)
    );
    let n = rng.range(2, 4);
    for i in 0..n {
        s += &format!(
            "        \"{}\": {{\n            \"hashes\": [\n                \"sha256:{}\",\n                \"sha256:{}\"\n            ],\n            \"version\": \"=={}\"\n        }}{}\n",
            rng.pick(&["flask", "jinja2", "click", "werkzeug"]),
            rng.hex(64),
            rng.hex(64),
            semver(rng),
            if i + 1 < n { "," } else { "" }
        );
    }
    s += "    }\n}\n";
    ("Pipfile.lock".into(), s)
}

fn gemfile_lock(rng: &mut Rng) -> (String, String) {
    let gems = ["rake", "rack", "nokogiri", "puma", "rails", "pg"];
    let mut specs = String::new();
    let mut sums = String::new();
    for _ in 0..rng.range(3, 6) {
        let g = *rng.pick(&gems);
        let v = semver(rng);
        specs += &format!("    {g} ({v})\n");
        sums += &format!("  {g} ({v}) sha256={}\n", rng.hex(64));
    }
    (
        "Gemfile.lock".into(),
        format!("GEM\n  remote: https://rubygems.org/\n  specs:\n{specs}\nPLATFORMS\n  x86_64-linux\n\nCHECKSUMS\n{sums}\nBUNDLED WITH\n   2.5.{}\n", rng.below(20)),
    )
}

fn terraform_lock(rng: &mut Rng) -> (String, String) {
    let mut hashes = format!("    \"h1:{}\",\n", b64_bytes(rng, 32));
    for _ in 0..rng.range(3, 6) {
        hashes += &format!("    \"zh:{}\",\n", rng.hex(64));
    }
    (
        ".terraform.lock.hcl".into(),
        format!(
            "provider \"registry.terraform.io/hashicorp/aws\" {{\n  version     = \"5.{}.0\"\n  constraints = \"~> 5.0\"\n  hashes = [\n{hashes}  ]\n}}\n",
            rng.below(80)
        ),
    )
}

fn docker_digest(rng: &mut Rng) -> (String, String) {
    let d = rng.hex(64);
    match rng.below(3) {
        0 => (
            "Dockerfile".into(),
            format!("FROM python:3.12-slim@sha256:{d} AS base\nFROM gcr.io/distroless/base@sha256:{}\n", rng.hex(64)),
        ),
        1 => (
            "deploy/k8s/deployment.yaml".into(),
            format!("spec:\n  containers:\n    - name: api\n      image: ghcr.io/acme/{}@sha256:{d}\n", word(rng)),
        ),
        _ => (
            "ci/build.log".into(),
            format!("#12 exporting manifest sha256:{d} done\n#12 exporting config sha256:{} done\nlatest: digest: sha256:{} size: 1574\n", rng.hex(64), rng.hex(64)),
        ),
    }
}

fn sri_integrity(rng: &mut Rng) -> (String, String) {
    let (algo, n) = *rng.pick(&[("sha384", 48), ("sha512", 64), ("sha256", 32)]);
    (
        "public/index.html".into(),
        format!(
            "<link rel=\"stylesheet\" href=\"https://cdn.jsdelivr.net/npm/bootstrap@5.3.3/dist/css/bootstrap.min.css\" integrity=\"{algo}-{}\" crossorigin=\"anonymous\">\n<script src=\"https://cdn.jsdelivr.net/npm/bootstrap@5.3.3/dist/js/bootstrap.bundle.min.js\" integrity=\"{algo}-{}\" crossorigin=\"anonymous\"></script>\n",
            b64_bytes(rng, n),
            b64_bytes(rng, n)
        ),
    )
}

// --------------------------------------------------------------------------------------- code

fn ident(rng: &mut Rng) -> String {
    let n = rng.range(1, 2);
    rng.string(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_$", n)
}

fn minified_js(rng: &mut Rng) -> (String, String) {
    let mut s = String::from("!function(e,t){\"use strict\";");
    for _ in 0..rng.range(20, 60) {
        let (a, b, c) = (ident(rng), ident(rng), ident(rng));
        s += &match rng.below(8) {
            0 => format!("var {a}={b}.token||{c}.getToken();"),
            1 => format!("function {a}({b},{c}){{return {b}.apiKey?{c}.headers[\"x-api-key\"]={b}.apiKey:null}}"),
            2 => format!("{a}.prototype.{}=function(){{return this.{b}}};", rng.string(LOWER, 6)),
            3 => format!("var {a}=\"{}\";", rng.string_n(LOWER_ALNUM, 4, 12)),
            4 => format!("{a}={b}<<{}^{c}>>>{};", rng.below(32), rng.below(32)),
            5 => format!("{a}.password={b}.value,{a}.secret=null;"),
            6 => format!("var {a}=[{},{},{}];", rng.below(9999), rng.below(9999), rng.below(9999)),
            _ => format!("{a}&&{b}({c},\"{}\");", rng.string(LOWER, 8)),
        };
    }
    s += "}(window,document);\n//# sourceMappingURL=app.";
    s += &rng.hex(20);
    s += ".js.map\n";
    (format!("public/assets/app.{}.min.js", rng.hex(8)), s)
}

fn css_colours(rng: &mut Rng) -> (String, String) {
    let content = lines_n(rng, (5, 15), &mut |r| {
        format!(
            ".{}-{} {{ color: #{}; background-color: #{}; border: 1px solid #{}; }}",
            r.string(LOWER, 5),
            r.below(9),
            r.hex(6),
            r.hex(6),
            r.hex(3)
        )
    });
    (
        format!("src/styles/theme-{}.css", rng.string(LOWER, 4)),
        content,
    )
}

fn test_fixtures(rng: &mut Rng) -> (String, String) {
    let passwords = [
        "password123",
        "hunter2",
        "changeme",
        "P@ssw0rd",
        "secret",
        "letmein",
        "test1234",
        "admin",
    ];
    let keys = [
        "test-api-key",
        "dummy-token",
        "fake-key",
        "my-api-key",
        "xxx",
        "TODO",
        "replace-me",
        "your-api-key-here",
    ];
    let p = *rng.pick(&passwords);
    let k = *rng.pick(&keys);
    match rng.below(5) {
        0 => (
            "tests/test_auth.py".into(),
            format!(
                "def test_login(client):\n    password = \"{p}\"\n    api_key = \"{k}\"\n    resp = client.post(\"/login\", json={{\"user\": \"alice\", \"password\": password}})\n    assert resp.status_code == 200\n"
            ),
        ),
        1 => (
            "src/__tests__/client.test.ts".into(),
            format!(
                "const client = new Client({{ token: \"dummy-token\", apiKey: \"{k}\" }});\nit(\"logs in\", async () => {{\n  await login(\"alice\", \"{p}\");\n}});\n"
            ),
        ),
        2 => (
            "docker-compose.yml".into(),
            format!(
                "services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: {}\n      POSTGRES_USER: postgres\n  app:\n    environment:\n      DATABASE_URL: postgres://postgres:postgres@db:5432/app\n",
                rng.pick(&["postgres", "example", "changeme", "password"])
            ),
        ),
        3 => (
            "README.md".into(),
            "## Configuration\n\n```\nAWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nAWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\nGITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\nSTRIPE_SECRET_KEY=sk_test_xxxxxxxxxxxxxxxxxxxxxxxx\n```\n".into(),
        ),
        _ => (
            "config/test.yml".into(),
            format!("test:\n  secret_key_base: \"test-secret-key-base\"\n  password: \"{p}\"\n  api_key: \"{k}\"\n  token: \"dummy-token\"\n"),
        ),
    }
}

fn env_references(rng: &mut Rng) -> (String, String) {
    let v = *rng.pick(&[
        "DB_PASSWORD",
        "API_KEY",
        "GITHUB_TOKEN",
        "STRIPE_SECRET_KEY",
        "AWS_SECRET_ACCESS_KEY",
        "SLACK_BOT_TOKEN",
    ]);
    match rng.below(7) {
        0 => (".env.example".into(), format!("{v}=${{{v}}}\nDATABASE_URL=postgres://app:${{DB_PASSWORD}}@db:5432/app\n")),
        1 => ("app/settings.py".into(), format!("SECRET_KEY = os.environ[\"SECRET_KEY\"]\napi_key = os.environ[\"API_KEY\"]\npassword = os.getenv(\"{v}\", \"\")\n")),
        2 => ("src/config.js".into(), format!("module.exports = {{\n  token: process.env.TOKEN,\n  apiKey: process.env.{v},\n  password: process.env.DB_PASSWORD || \"\",\n}};\n")),
        3 => ("main.go".into(), format!("token := os.Getenv(\"GITHUB_TOKEN\")\napiKey := os.Getenv(\"{v}\")\n")),
        4 => (".github/workflows/ci.yml".into(), format!("    env:\n      GITHUB_TOKEN: ${{{{ secrets.GITHUB_TOKEN }}}}\n      {v}: ${{{{ secrets.{v} }}}}\n")),
        5 => ("Application.java".into(), format!("String password = System.getenv(\"{v}\");\nString apiKey = System.getProperty(\"api.key\");\n")),
        _ => ("deploy.sh".into(), format!("export {v}=\"$(cat /run/secrets/{})\"\nexport TOKEN=\"$CI_JOB_TOKEN\"\n", v.to_ascii_lowercase())),
    }
}

fn k8s_secret_ref(rng: &mut Rng) -> (String, String) {
    let name = *rng.pick(&[
        "DB_PASSWORD",
        "API_TOKEN",
        "STRIPE_SECRET_KEY",
        "CLIENT_SECRET",
    ]);
    (
        "deploy/k8s/deployment.yaml".into(),
        format!(
            "          env:\n            - name: {name}\n              valueFrom:\n                secretKeyRef:\n                  name: {}-credentials\n                  key: {}\n            - name: API_KEY\n              valueFrom:\n                secretKeyRef: {{name: {}-api, key: api-key}}\n",
            word(rng),
            name.to_ascii_lowercase().replace('_', "-"),
            word(rng)
        ),
    )
}

fn helm_template(rng: &mut Rng) -> (String, String) {
    let w = word(rng);
    (
        format!("charts/{w}/templates/secret.yaml"),
        format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{{{ include \"{w}.fullname\" . }}}}\nstringData:\n  password: {{{{ .Values.db.password | quote }}}}\n  api-key: {{{{ required \"apiKey is required\" .Values.apiKey }}}}\n  token: {{{{ .Values.token | b64enc }}}}\n"
        ),
    )
}

fn i18n(rng: &mut Rng) -> (String, String) {
    let (lang, pw, forgot, token, secret) = *rng.pick(&[
        (
            "fr",
            "Mot de passe",
            "Mot de passe oublié ?",
            "Votre jeton a expiré, veuillez vous reconnecter",
            "Question secrète",
        ),
        (
            "de",
            "Passwort",
            "Passwort vergessen?",
            "Ihr Token ist abgelaufen, bitte melden Sie sich erneut an",
            "Geheime Frage",
        ),
        (
            "es",
            "Contraseña",
            "¿Olvidaste tu contraseña?",
            "Tu token ha caducado, vuelve a iniciar sesión",
            "Pregunta secreta",
        ),
        (
            "it",
            "Password",
            "Password dimenticata?",
            "Il token è scaduto, accedi di nuovo",
            "Domanda segreta",
        ),
        (
            "nl",
            "Wachtwoord",
            "Wachtwoord vergeten?",
            "Je token is verlopen, log opnieuw in",
            "Geheime vraag",
        ),
    ]);
    if rng.below(2) == 0 {
        (
            format!("src/locales/{lang}.json"),
            format!("{{\n  \"password\": \"{pw}\",\n  \"forgot_password\": \"{forgot}\",\n  \"token_expired\": \"{token}\",\n  \"secret_question\": \"{secret}\",\n  \"api_key_label\": \"API\"\n}}\n"),
        )
    } else {
        (
            format!("config/locales/{lang}.yml"),
            format!("{lang}:\n  auth:\n    password: \"{pw}\"\n    forgot_password: \"{forgot}\"\n    token_expired: \"{token}\"\n"),
        )
    }
}

fn code_identifiers(rng: &mut Rng) -> (String, String) {
    match rng.below(5) {
        0 => ("app/auth.py".into(), "token = self.get_token()\napi_key = request.headers.get(\"X-Api-Key\")\npassword = getpass.getpass(\"Password: \")\nsecret = Secret.from_env(\"APP_SECRET\")\naccess_token = credentials.access_token\n".into()),
        1 => ("src/auth.ts".into(), "const token = await getAccessToken(client, scopes);\nconst apiKey = req.header(\"x-api-key\") ?? config.apiKey;\nconst password = form.elements.namedItem(\"password\") as HTMLInputElement;\n".into()),
        2 => ("internal/auth/auth.go".into(), "accessToken := oauth2Token.AccessToken\napiKey, ok := r.Header[\"X-Api-Key\"]\npassword := strings.TrimSpace(string(passwordBytes))\n".into()),
        3 => ("src/main/java/com/acme/Auth.java".into(), "String password = credentials.getPassword();\nString token = tokenProvider.createToken(authentication);\nString clientSecret = registration.getClientSecret();\n".into()),
        _ => ("lib/auth.rb".into(), "token = JWT.encode(payload, Rails.application.secret_key_base)\napi_key = ApiKey.find_by!(digest: Digest::SHA256.hexdigest(params[:key]))\npassword_digest = BCrypt::Password.create(params[:password])\n".into()),
    }
}

fn file_paths(rng: &mut Rng) -> (String, String) {
    let w = word(rng);
    (
        format!("config/{w}.yaml"),
        format!(
            "password_file: /run/secrets/{w}_db_password\ntoken_path: /var/run/secrets/kubernetes.io/serviceaccount/token\nssh_key_path: ~/.ssh/id_ed25519\ncredentials_file: /etc/{w}/credentials.json\ntls:\n  cert: /etc/ssl/certs/{w}.crt\n  key: /etc/ssl/private/{w}.key\nGOOGLE_APPLICATION_CREDENTIALS: /etc/gcp/sa-key-{}.json\n",
            rng.string(LOWER_ALNUM, 6)
        ),
    )
}

fn urls_no_credentials(rng: &mut Rng) -> (String, String) {
    let w = word(rng);
    (
        "config/endpoints.yaml".into(),
        format!(
            "api: https://api.github.com/repos/acme/{w}/pulls?per_page=100&page={}\ndatabase: postgres://db-{w}.internal:5432/{w}\ncache: redis://redis-master.cache:6379/0\nbroker: amqp://rabbitmq.{w}.svc:5672/\nclone: https://git@github.com/acme/{w}.git\nmongo: mongodb://mongo-0.mongo:27017,mongo-1.mongo:27017/?replicaSet=rs0\nhealth: http://localhost:8080/healthz?token_ttl=3600\n",
            rng.range(2, 40)
        ),
    )
}

fn base64_text(rng: &mut Rng) -> (String, String) {
    let texts = [
        "Hello from the billing service. This message is encoded for transport only.",
        "{\"event\":\"order.created\",\"order_id\":12345,\"total\":\"19.99\",\"currency\":\"EUR\"}",
        "#!/bin/sh\necho starting\nexec /usr/local/bin/app --config /etc/app/config.yaml\n",
        "user-agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)",
        "[Unit]\nDescription=Billing worker\nAfter=network.target\n\n[Service]\nExecStart=/opt/billing/worker\n",
    ];
    let t = STANDARD.encode(rng.pick(&texts));
    match rng.below(3) {
        0 => (
            "deploy/k8s/configmap.yaml".into(),
            format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: scripts\nbinaryData:\n  start.sh: {t}\n"),
        ),
        1 => ("fixtures/event.json".into(), format!("{{\"payload\": \"{t}\", \"encoding\": \"base64\"}}\n")),
        _ => ("cloud-init.yaml".into(), format!("#cloud-config\nwrite_files:\n  - path: /etc/motd\n    encoding: b64\n    content: {t}\n")),
    }
}

// ------------------------------------------------------------------------------ public key material

fn pem_block(label: &str, body: &[u8]) -> String {
    let b = STANDARD.encode(body);
    let wrapped: Vec<&str> = b
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        wrapped.join("\n")
    )
}

fn certificates(rng: &mut Rng) -> (String, String) {
    let mut der = vec![
        0x30, 0x82, 0x03, 0x5d, 0x30, 0x82, 0x02, 0x45, 0xa0, 0x03, 0x02, 0x01, 0x02,
    ];
    der.extend(rng.bytes_n(700, 1200));
    let (label, path) = *rng.pick(&[
        ("CERTIFICATE", "certs/ca.crt"),
        ("CERTIFICATE", "deploy/tls/tls.crt"),
        ("PUBLIC KEY", "keys/signing.pub.pem"),
        ("RSA PUBLIC KEY", "keys/rsa.pub"),
        ("CERTIFICATE REQUEST", "certs/api.csr"),
        ("X509 CRL", "certs/crl.pem"),
    ]);
    let block = pem_block(label, &der);
    if rng.below(3) == 0 {
        let escaped = block.replace('\n', "\\n");
        (
            "config/tls.json".into(),
            format!("{{\"certificate\": \"{escaped}\", \"verify\": true}}\n"),
        )
    } else if rng.below(2) == 0 {
        let indented = block.trim_end().replace('\n', "\n    ");
        (
            "deploy/k8s/tls-secret.yaml".into(),
            format!("apiVersion: v1\nkind: Secret\ntype: kubernetes.io/tls\nstringData:\n  tls.crt: |\n    {indented}\n"),
        )
    } else {
        (path.into(), block)
    }
}

fn pgp_public_key(rng: &mut Rng) -> (String, String) {
    let mut body = vec![0xC6, 0x8D, 0x04];
    body.extend(rng.bytes_n(400, 1200));
    let b = STANDARD.encode(&body);
    let wrapped: Vec<&str> = b
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    (
        pick_str(
            rng,
            &[
                "KEYS",
                "docs/release-signing-key.asc",
                "debian/upstream/signing-key.asc",
            ],
        ),
        format!(
            "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n{}\n={}\n-----END PGP PUBLIC KEY BLOCK-----\n",
            wrapped.join("\n"),
            STANDARD.encode(rng.bytes(3))
        ),
    )
}

fn ssh_public_keys(rng: &mut Rng) -> (String, String) {
    let mut ed = b"\0\0\0\x0bssh-ed25519\0\0\0\x20".to_vec();
    ed.extend(rng.bytes(32));
    let mut rsa = b"\0\0\0\x07ssh-rsa\0\0\0\x03\x01\x00\x01\0\0\x01\x01\0".to_vec();
    rsa.extend(rng.bytes(256));
    let ed = STANDARD.encode(ed);
    let rsa = STANDARD.encode(rsa);
    match rng.below(3) {
        0 => (
            ".ssh/authorized_keys".into(),
            format!("ssh-ed25519 {ed} dev1@laptop\nssh-rsa {rsa} deploy@ci\n"),
        ),
        1 => (
            ".ssh/known_hosts".into(),
            format!("github.com ssh-ed25519 {ed}\n|1|{}|{} ssh-rsa {rsa}\n", b64_bytes(rng, 20), b64_bytes(rng, 20)),
        ),
        _ => (
            "infra/keys.tf".into(),
            format!("resource \"aws_key_pair\" \"deployer\" {{\n  key_name   = \"deployer\"\n  public_key = \"ssh-rsa {rsa} deployer@acme\"\n}}\n"),
        ),
    }
}

fn pagination_cursors(rng: &mut Rng) -> (String, String) {
    let json_cursor = STANDARD.encode(format!(
        "{{\"NextToken\": null, \"boto_truncate_amount\": {}, \"offset\": {}}}",
        rng.below(100),
        rng.below(100000)
    ));
    let opaque = b64_bytes_n(rng, 48, 160);
    match rng.below(4) {
        0 => (
            "fixtures/aws/list_objects.json".into(),
            format!("{{\n  \"Contents\": [],\n  \"IsTruncated\": true,\n  \"NextToken\": \"{json_cursor}\",\n  \"NextContinuationToken\": \"{opaque}\"\n}}\n"),
        ),
        1 => (
            "fixtures/google/list.json".into(),
            format!("{{\"items\": [], \"nextPageToken\": \"{}\"}}\n", rng.string_n(BASE64URL, 40, 120)),
        ),
        2 => (
            "fixtures/slack/conversations.json".into(),
            format!(
                "{{\"ok\": true, \"channels\": [], \"response_metadata\": {{\"next_cursor\": \"{}\"}}}}\n",
                STANDARD.encode(format!("team:{}", rng.string(UPPER_ALNUM, 11)))
            ),
        ),
        _ => (
            "logs/sync.log".into(),
            format!(
                "2026-01-02T10:00:00Z INFO fetched page 3 next_page_token={} sync_token={}\n",
                rng.string(ALNUM, 64),
                rng.string(ALNUM, 48)
            ),
        ),
    }
}

fn csrf_fields(rng: &mut Rng) -> (String, String) {
    match rng.below(3) {
        0 => (
            "templates/login.html".into(),
            format!("<form method=\"post\">\n  <input type=\"hidden\" name=\"csrfmiddlewaretoken\" value=\"{}\">\n  <input type=\"password\" name=\"password\">\n</form>\n", rng.string(ALNUM, 64)),
        ),
        1 => (
            "app/views/layouts/application.html.erb".into(),
            format!(
                "<meta name=\"csrf-param\" content=\"authenticity_token\" />\n<meta name=\"csrf-token\" content=\"{}\" />\n<input type=\"hidden\" name=\"authenticity_token\" value=\"{}\" autocomplete=\"off\" />\n",
                URL_SAFE_NO_PAD.encode(rng.bytes(64)),
                URL_SAFE_NO_PAD.encode(rng.bytes(64))
            ),
        ),
        _ => (
            "tests/fixtures/session.json".into(),
            format!("{{\"csrf_token\": \"{}\", \"xsrfToken\": \"{}\"}}\n", rng.string(ALNUM, 40), rng.uuid()),
        ),
    }
}

fn build_ids(rng: &mut Rng) -> (String, String) {
    (
        "ci/env.txt".into(),
        format!(
            "BUILD_ID=2026010{}.{}\nGITHUB_RUN_ID={}\nCI_PIPELINE_ID={}\nBUILDKITE_BUILD_ID={}\nCODEBUILD_BUILD_ID=billing-api:{}\nGIT_COMMIT={}\n\"buildId\": \"{}\"\n",
            rng.below(10),
            rng.below(20),
            rng.string(DIGIT, 10),
            rng.string(DIGIT, 9),
            rng.uuid(),
            rng.uuid(),
            rng.hex(40),
            rng.string(BASE64URL, 21)
        ),
    )
}

fn vendor_public_ids(rng: &mut Rng) -> (String, String) {
    let content = match rng.below(7) {
        5 => format!(
            "# Heroku dyno metadata\nHEROKU_APP_ID={}\nHEROKU_APP_NAME=acme-{}\nHEROKU_DYNO_ID={}\nHEROKU_RELEASE_VERSION=v{}\nHEROKU_SLUG_COMMIT={}\n",
            rng.uuid(),
            word(rng),
            rng.uuid(),
            rng.range(10, 400),
            rng.hex(40)
        ),
        6 => format!(
            "TWILIO_MESSAGING_SERVICE_SID=MG{}\nTWILIO_VERIFY_SERVICE_SID=VA{}\n2026-01-02T10:00:00Z INFO sent sms sid=SM{} dd.trace_id={} dd.span_id={} dd.service=notify\n",
            rng.hex(32),
            rng.hex(32),
            rng.hex(32),
            rng.string(DIGIT, 19),
            rng.string(DIGIT, 19)
        ),
        0 => format!(
            "TWILIO_ACCOUNT_SID=AC{}\nTWILIO_PHONE_NUMBER=+1415555{}\nDATADOG_SITE=datadoghq.eu\nDD_ENV=prod\nDD_SERVICE=billing\nDD_VERSION={}\n",
            rng.hex(32),
            rng.string(DIGIT, 4),
            rng.hex(40)
        ),
        1 => format!(
            "CLOUDFLARE_ACCOUNT_ID={}\nCLOUDFLARE_ZONE_ID={}\nVERCEL_ORG_ID=team_{}\nVERCEL_PROJECT_ID=prj_{}\n",
            rng.hex(32),
            rng.hex(32),
            rng.string(ALNUM, 24),
            rng.string(ALNUM, 28)
        ),
        2 => format!(
            "GOOGLE_CLIENT_ID={}-{}.apps.googleusercontent.com\nOKTA_CLIENT_ID=0oa{}\nOKTA_ISSUER=https://acme.okta.com/oauth2/default\nSENTRY_RELEASE={}\n",
            rng.string(DIGIT, 12),
            rng.string(LOWER_ALNUM, 32),
            rng.string(ALNUM, 17),
            rng.hex(40)
        ),
        3 => format!(
            "NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY=pk_live_{}\nRECAPTCHA_SITE_KEY=6L{}\nSLACK_CHANNEL_ID=C0{}\nSLACK_TEAM_ID=T0{}\n",
            rng.string(ALNUM, 99),
            rng.string(BASE64URL, 38),
            rng.string(UPPER_ALNUM, 9),
            rng.string(UPPER_ALNUM, 9)
        ),
        _ => format!(
            "MAPBOX_PUBLIC_TOKEN=pk.{}.{}\nmapboxgl.accessToken = \"pk.{}.{}\";\nVAPID_PUBLIC_KEY={}\n",
            URL_SAFE_NO_PAD.encode(format!("{{\"u\":\"acme-maps\",\"a\":\"cl{}\"}}", rng.string(LOWER_ALNUM, 23))),
            rng.string(BASE64URL, 22),
            URL_SAFE_NO_PAD.encode(format!("{{\"u\":\"acme-web\",\"a\":\"cl{}\"}}", rng.string(LOWER_ALNUM, 23))),
            rng.string(BASE64URL, 22),
            URL_SAFE_NO_PAD.encode({
                let mut p = vec![4u8];
                p.extend(rng.bytes(64));
                p
            })
        ),
    };
    (".env.production".into(), content)
}

fn cloud_resource_ids(rng: &mut Rng) -> (String, String) {
    (
        "infra/outputs.json".into(),
        format!(
            "{{\n  \"instance_id\": \"i-0{}\",\n  \"vpc_id\": \"vpc-0{}\",\n  \"role_arn\": \"arn:aws:iam::{}:role/{}-deployer\",\n  \"kms_key_id\": \"{}\",\n  \"azure_resource_id\": \"/subscriptions/{}/resourceGroups/rg-{}/providers/Microsoft.Storage/storageAccounts/st{}\",\n  \"gcp_project_number\": \"{}\",\n  \"cloudfront_id\": \"E{}\"\n}}\n",
            rng.hex(16),
            rng.hex(16),
            rng.string(DIGIT, 12),
            word(rng),
            rng.uuid(),
            rng.uuid(),
            word(rng),
            rng.string(LOWER_ALNUM, 10),
            rng.string(DIGIT, 12),
            rng.string(UPPER_ALNUM, 13)
        ),
    )
}

fn git_lfs_pointer(rng: &mut Rng) -> (String, String) {
    (
        format!("assets/{}.psd", rng.string(LOWER, 6)),
        format!(
            "version https://git-lfs.github.com/spec/v1\noid sha256:{}\nsize {}\n",
            rng.hex(64),
            rng.range(10_000, 90_000_000)
        ),
    )
}

fn http_request_ids(rng: &mut Rng) -> (String, String) {
    (
        "logs/http.log".into(),
        lines_n(rng, (2, 5), &mut |r| {
            format!(
                "HTTP/1.1 200 OK x-amz-request-id={} x-amz-id-2={} x-amz-cf-id={} etag=\"{}\" x-github-request-id={}:{}:{}",
                r.string(UPPER_ALNUM, 16),
                r.string(BASE64, 76),
                r.string(BASE64URL, 56),
                r.hex(32),
                r.string(UPPER_ALNUM, 4),
                r.string(UPPER_ALNUM, 6),
                r.string(UPPER_ALNUM, 7)
            )
        }),
    )
}

/// Secrets encrypted for committing on purpose: SOPS, Ansible Vault, Bitnami Sealed Secrets.
fn encrypted_secrets(rng: &mut Rng) -> (String, String) {
    let sops = |r: &mut Rng, n: usize| {
        format!(
            "ENC[AES256_GCM,data:{},iv:{},tag:{},type:str]",
            STANDARD.encode(r.bytes(n)),
            STANDARD.encode(r.bytes(32)),
            STANDARD.encode(r.bytes(16))
        )
    };
    match rng.below(3) {
        0 => {
            let (a, b, c) = (sops(rng, 18), sops(rng, 24), sops(rng, 40));
            (
                "secrets/prod.enc.yaml".into(),
                format!(
                    "db:\n    password: {a}\n    api_key: {b}\nstripe_token: {c}\nsops:\n    kms: []\n    age:\n        - recipient: age1{}\n    lastmodified: \"2026-01-02T10:00:00Z\"\n    mac: {}\n    version: 3.9.1\n",
                    rng.string(b"qpzry9x8gf2tvdw0s3jn54khce6mua7l", 58),
                    sops(rng, 32)
                ),
            )
        }
        1 => {
            let n = rng.range(300, 700);
            let body = rng.hex(n);
            let wrapped: Vec<&str> = body
                .as_bytes()
                .chunks(80)
                .map(|c| std::str::from_utf8(c).unwrap())
                .collect();
            (
                "group_vars/prod/vault.yml".into(),
                format!("$ANSIBLE_VAULT;1.1;AES256\n{}\n", wrapped.join("\n")),
            )
        }
        _ => (
            "deploy/k8s/sealed-secret.yaml".into(),
            format!(
                "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: db-credentials\nspec:\n  encryptedData:\n    password: Ag{}\n    api-token: Ag{}\n",
                STANDARD.encode(rng.bytes_n(300, 600)),
                STANDARD.encode(rng.bytes_n(300, 600))
            ),
        ),
    }
}

/// Code and schemas about passwords and tokens, not holding any.
fn password_ui_schema(rng: &mut Rng) -> (String, String) {
    match rng.below(4) {
        0 => (
            "src/components/Login.tsx".into(),
            "<input type=\"password\" name=\"password\" placeholder=\"Password\" autoComplete=\"current-password\" />\n<label htmlFor=\"apiToken\">API token</label>\n".into(),
        ),
        1 => (
            "db/migrate/20260102100000_add_password_digest.rb".into(),
            "class AddPasswordDigest < ActiveRecord::Migration[7.1]\n  def change\n    add_column :users, :password_digest, :string\n    add_column :users, :reset_password_token, :string\n    add_index :users, :reset_password_token, unique: true\n  end\nend\n".into(),
        ),
        2 => (
            "schema.graphql".into(),
            "input LoginInput {\n  email: String!\n  password: String!\n}\ntype Session {\n  accessToken: String!\n  refreshToken: String\n  expiresIn: Int!\n}\n".into(),
        ),
        _ => (
            "infra/variables.tf".into(),
            format!(
                "variable \"db_password\" {{\n  type      = string\n  sensitive = true\n}}\nvariable \"api_token\" {{\n  description = \"Token for the {} API\"\n  type        = string\n  sensitive   = true\n}}\n",
                word(rng)
            ),
        ),
    }
}

fn openapi_security(rng: &mut Rng) -> (String, String) {
    (
        format!("api/{}-openapi.yaml", word(rng)),
        "components:\n  securitySchemes:\n    api_key:\n      type: apiKey\n      in: header\n      name: X-API-Key\n    bearerAuth:\n      type: http\n      scheme: bearer\n      bearerFormat: JWT\n    oauth2:\n      type: oauth2\n      flows:\n        clientCredentials:\n          tokenUrl: https://auth.acme.io/oauth2/token\n          scopes: {}\n".into(),
    )
}

/// Comments and docs that talk about credentials in `Word: text` form.
fn doc_comments(rng: &mut Rng) -> (String, String) {
    let lines = [
        "# Passphrase-protected: aes256-ctr with the bcrypt KDF.", // leakhound:allow (known false positive, kept as a negative sample)
        "// Password-protected: PKCS#12 bundle, see docs/tls.md",
        "<!-- Token-based auth: OAuth2 client-credentials flow -->",
        " * password-reset: sends a one-time link (valid 30 minutes)",
        "# token-refresh: every 55m via cron (k8s CronJob token-rotator-v2)",
        "-- secret-rotation: quarterly, owner team-platform",
        "; api-key-header: X-Api-Key (case-insensitive)",
        "# Access tokens: short-lived (1h), refresh tokens: 90d",
    ];
    let n = rng.range(2, 4);
    let mut out = String::new();
    for _ in 0..n {
        let line = *rng.pick(&lines);
        out.push_str(line);
        out.push('\n');
    }
    (
        pick_str(
            rng,
            &[
                "docs/security.md",
                "scripts/rotate.sh",
                "src/auth/mod.rs",
                "README.md",
            ],
        ),
        out,
    )
}

// ------------------------------------------------------------ generic-tier precision (issue 12)

/// Sequential and repeated filler typed where a credential goes: `abcdef…`, `abcd1234abcd1234`,
/// `1234-1234-…`, `0123456789abcdef`.
fn sequential_placeholders(rng: &mut Rng) -> (String, String) {
    let unit = pick_str(rng, &["abcd1234", "1234", "a1b2c3d4", "xyz123", "0000aaaa"]);
    let rep = unit.repeat(rng.range(3, 5));
    let seq = pick_str(
        rng,
        &[
            "0123456789abcdef",
            "abcdefghijklmnop",
            "123456789012345678",
            "abcdef0123456789abcdef",
        ],
    );
    let dashed = vec!["1234"; rng.range(4, 6)].join("-");
    (
        pick_str(rng, &["config/dev.yaml", ".env.local", "docker-compose.override.yml"]),
        format!(
            "API_KEY={seq}{seq}\nSESSION_SECRET={rep}\nACCESS_TOKEN={dashed}\nDB_PASSWORD={rep}\nENCRYPTION_KEY={seq}{seq}\nLICENSE_KEY={dashed}\n"
        ),
    )
}

/// Hex literals in code under credential-ish names: bit masks, magic numbers, test keys.
fn hex_literals(rng: &mut Rng) -> (String, String) {
    let a = rng.hex(16);
    let b = rng.hex(24);
    let c = rng.hex(20);
    (
        pick_str(rng, &["src/crypto/consts.rs", "src/protocol.c", "lib/flags.go"]),
        format!(
            "const TOKEN_MASK: u64 = 0x{a};\nstatic const uint32_t SECRET_SALT = 0x{};\nvar apiKeyFlags = 0x{b}\nSECRET_MAGIC = 0X{}\n#define AUTH_KEY_MASK 0x{c}\n",
            rng.hex(8),
            rng.hex(24).to_ascii_uppercase()
        ),
    )
}

/// Kebab- and snake-case phrases where a secret's name is expected: the name of a secret, not its value.
fn kebab_phrases(rng: &mut Rng) -> (String, String) {
    let w = word(rng);
    let v = rng.range(1, 9);
    (
        format!("deploy/{w}/values.yaml"),
        format!(
            "secretName: {w}-secret-token-name\nexistingSecret: {w}-db-credentials-v{v}\ntokenSecretName: my-secret-token-name\napiKeySecretKey: {w}-api-key-v{v}\npasswordSecretKeyRef: {w}_db_password_{v}\nauth:\n  existingSecretPasswordKey: redis-password-v{v}\n"
        ),
    )
}

/// Cloud resource names and Kubernetes object names under secret-ish names.
fn resource_names(rng: &mut Rng) -> (String, String) {
    let w = word(rng);
    (
        "infra/secrets.tf".into(),
        format!(
            "secret_id = \"projects/acme-{w}/secrets/db-password/versions/{}\"\ndb_password_secret = \"projects/acme-prod/secrets/{w}-db-password\"\ntoken_secret_arn = \"arn:aws:secretsmanager:eu-west-1:{}:secret:{w}/api-token-Ab12Cd\"\napi_key_secret = \"{w}-api-key-7d9f8b6c5d\"\npassword_ref = \"secrets/{w}/db/password\"\n",
            rng.range(1, 20),
            rng.string(DIGIT, 12)
        ),
    )
}

/// `/etc/passwd` documentation and parsers: field lists, not passwords.
fn passwd_field_lists(rng: &mut Rng) -> (String, String) {
    (
        pick_str(rng, &["docs/users.md", "src/passwd.py", "man/passwd.5"]),
        "The passwd file has one line per account:\n\n    passwd: name:password:UID:GID:GECOS:directory:shell\n    password: UID:GID:GECOS:directory:shell\n\nPASSWD_FORMAT = \"name:passwd:uid:gid:gecos:home:shell\"\npasswd_fields: login:x:uid:gid:comment:home:shell\n".into(),
    )
}

/// Go module and import paths where a token is expected.
fn go_module_paths(rng: &mut Rng) -> (String, String) {
    let w = word(rng);
    (
        format!("internal/{w}/auth.go"),
        format!(
            "// Authorization: Bearer github.com/acme/{w}/pkg/token\nimport tokenpkg \"github.com/acme/{w}/pkg/token\"\nvar tokenModule = \"golang.org/x/oauth2/google\"\nconst apiKeyPkg = \"gopkg.in/{w}/apikey.v2\"\n// bearer golang.org/x/oauth2/clientcredentials\n"
        ),
    )
}

/// Configuration key names and header names where a key is expected.
fn config_key_names(rng: &mut Rng) -> (String, String) {
    let v = rng.range(1, 4);
    (
        pick_str(rng, &["config/settings.yaml", "src/constants.ts", "app/config.py"]),
        format!(
            "api_key: API_KEY_SETTING_NAME_V{v}\napiKey: \"x-api-key\"\napiKeyHeader: \"X-API-KEY-V{v}\"\ntoken_env: GITHUB_TOKEN_V{v}\nsecret_key_setting: DJANGO_SECRET_KEY_V{v}\npassword_env: DB_PASSWORD_V{v}\nauth_header: X-AUTH-TOKEN-V{v}\n"
        ),
    )
}

/// Enum members and constants with credential words in their names.
fn enum_constants(rng: &mut Rng) -> (String, String) {
    let _ = rng.below(2);
    (
        "src/auth/kinds.ts".into(),
        "export enum CredentialKind {\n  Password = \"PASSWORD_V2\",\n  ApiKey = \"API_KEY_V2\",\n  Token = \"TOKEN_TYPE_BEARER_2\",\n}\nconst TOKEN_KIND = TokenKind.ACCESS_TOKEN_V2;\npassword: PasswordPolicy.MIN_LENGTH_12,\nsecretKey: SecretKind.HMAC_SHA256,\n".into(),
    )
}

/// Placeholders and stand-ins where a password goes: not passwords, whatever their strength.
fn password_placeholders(rng: &mut Rng) -> (String, String) {
    let p = pick_str(
        rng,
        &[
            "changeme",
            "<password>",
            "${DB_PASSWORD}",
            "xxxx",
            "your-password-here",
            "password",
            "secret",
            "***",
            "none",
            "null",
            "true",
            "TODO",
            "hunter2",
            "P@ssw0rd",
            "letmein",
            "<your-password>",
            "********",
            "xxxxxxxx",
            "changeit",
            "Passw0rd!",
        ],
    );
    let q = pick_str(
        rng,
        &[
            "CHANGE_ME",
            "REPLACE_ME",
            "{{ db_password }}",
            "%DB_PASSWORD%",
            "$DB_PASSWORD",
            "admin123",
        ],
    );
    (
        pick_str(rng, &["deploy/docker-compose.yml", "config/database.yml", ".env.example", "ansible/group_vars/all.yml"]),
        format!(
            "database:\n  password: \"{p}\"\n  DB_PASSWORD={q}\nsmtp:\n  pass: {p}\nspring.datasource.password={q}\nPOSTGRES_PASSWORD: {p}\n"
        ),
    )
}

/// References to values held elsewhere, in every syntax.
fn variable_references(rng: &mut Rng) -> (String, String) {
    let v = pick_str(
        rng,
        &["DB_PASSWORD", "API_TOKEN", "SMTP_PASS", "SECRET_KEY"],
    );
    (
        pick_str(rng, &["scripts/deploy.ps1", "Makefile", "config/app.php", "deploy.sh"]),
        format!(
            "$env:DB_PASSWORD = $env:{v}\nDB_PASS ?= $({v})\n$db_pass = $_ENV['{v}'];\npassword: \"${{{v}}}\"\nsmtp_password = %{v}%\nTOKEN=\"$({v}_CMD)\"\npassword = #{{ENV['{v}']}}\ndefine('DB_PASSWORD', getenv('{v}'));\n"
        ),
    )
}

/// Function calls and getters in the value position.
fn function_calls(rng: &mut Rng) -> (String, String) {
    let w = word(rng);
    (
        format!("src/{w}/client.py"),
        format!(
            "password = get_password(\"{w}\")\ntoken = fetch_token(scope=\"{w}:read\")\nsecret = vault.read(\"secret/{w}\")\napi_key = keyring.get_password(\"{w}\", \"api\")\nds.setPassword(props.getProperty(\"db.password\"));\nclient.setToken(tokenProvider.get());\n"
        ),
    )
}

/// Keys that are not secrets: cache, sort, primary, public, i18n, GPG fingerprints, map keys.
fn non_secret_keys(rng: &mut Rng) -> (String, String) {
    (
        pick_str(rng, &["src/store.ts", "config/app.yaml", "Dockerfile"]),
        format!(
            "cacheKey: \"user:{}:profile:v2\"\nprimary_key = \"id\"\npublicKey: \"{}\"\ni18nKey: \"settings.profile.title\"\nENV GPG_KEY {}\nsortKey: \"createdAt\"\nkey: app.kubernetes.io/name\npartitionKey: \"/tenantId\"\nroutingKey: \"orders.created.v2\"\nmonkey = \"{}\"\n",
            rng.range(1000, 9999),
            rng.string(BASE64URL, 43),
            rng.hex(40).to_ascii_uppercase(),
            rng.string(ALNUM, 24)
        ),
    )
}

/// `pass` and `pw` inside other words: `compass`, `bypass`, `passive`, `passenger`.
fn pass_words(rng: &mut Rng) -> (String, String) {
    (
        pick_str(rng, &["src/nav.js", "config/routing.yaml", "app/models.py"]),
        format!(
            "compass = \"N{}E{}\"\nbypass: \"{}\"\npassive_mode = {}\npassenger_count: {}\nsurpass = \"{}\"\nhpw = \"{}\"\nrpwr_level: {}\n",
            rng.string(DIGIT, 6),
            rng.string(DIGIT, 6),
            rng.string(ALNUM, 12),
            rng.string(ALNUM, 10),
            rng.range(1, 9),
            rng.string(ALNUM, 12),
            rng.string(ALNUM, 12),
            rng.string(ALNUM, 9)
        ),
    )
}
