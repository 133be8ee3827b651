//! The values an AI agent's configuration hands to the MCP servers it starts: each server's `env` and
//! `headers` entries, and the values of credential flags in its `args`.
//!
//! Their names are whatever the server's author chose (`NOTION_INTEGRATION`, `LINEAR_AUTH`,
//! `X-Workspace`), so the generic rules, which need a credential-like name, miss many of them; their
//! position says what they are. The matcher finds these values here and has the rules look at each one
//! as the value of a `secret` assignment ([`crate::matcher`]), so the rules' own filters (entropy,
//! placeholders, token-likeness) still decide. Runs only on agent configuration: a file whose path
//! says so ([`crate::context::agent_config`]) or whose text holds an MCP servers key (`mcpServers`,
//! `mcp_servers`, `context_servers`: the prefilter spots those in the same pass as the rules' keywords,
//! so a history blob scanned before its path is known is recognised too).
//!
//! Shapes understood, as the tools document them: JSON (`"env": {"K": "v"}`, Claude, Cursor, VS Code,
//! Windsurf, Cline, Gemini CLI), YAML (`env:` followed by an indented block, Continue, Goose), TOML
//! (`env = { K = "v" }` and `[mcp_servers.x.env]` tables, Codex CLI); arrays in JSON/TOML/flow-YAML form
//! and YAML block lists.

use std::sync::OnceLock;

use regex::bytes::Regex;

/// Keys (lowercase) whose presence in a file makes it MCP client configuration, whatever its name.
pub(crate) const MCP_MARKERS: &[&str] = &["mcpservers", "mcp_servers", "context_servers"];

/// The longest block looked at after one key: an `env` map is a handful of lines.
const MAX_BLOCK: usize = 64 * 1024;

/// Where a value sits in an MCP server definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Block {
    /// An `env` (or `environment`) map entry.
    Env,
    /// A `headers` (or `http_headers`) map entry; a scheme word (`Bearer `) is left out of the value.
    Headers,
    /// The value of a credential flag in `args` (`--api-key VALUE`, `--token=VALUE`).
    Args,
}

impl Block {
    /// The name of the block in a finding's note.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Block::Env => "env",
            Block::Headers => "headers",
            Block::Args => "args",
        }
    }
}

/// One value handed to a server: byte ranges of its name (the flag, for `args`) and of the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Handed {
    pub block: Block,
    pub name: (usize, usize),
    pub value: (usize, usize),
}

/// Whether a value handed to a server, under `name`, can be a credential by its position alone. Nothing
/// in the name vouches for it, so the bar is higher than a generic rule's: a machine-minted token (20 or
/// more characters of a token alphabet, a letter and a digit, a random body of 16 or more letters and
/// digits in a row, 24 or more when the value is all one case, and a token-likeness of at least 0.5),
/// under a name that does not say it is something else (`…_ID`, `…_URL`, `…_PATH`, `…_VERSION`, …).
/// Project names, versions, build ids, paths, flags and UUIDs fail it; what passes is then judged by
/// the generic rules' own filters.
///
/// ```text
/// Zq8vN2kLm4Rt7Yw1Xc5Bd9Hf3Jg6Ps0aB1cDeF   yes
/// acme-analytics-prod-381204               no: no random body
/// 3f2b8c1e-7d4a-4b9e-9c2f-1a6d5e8b7c40     no: a UUID's parts are short
/// ```
pub(crate) fn credential_value(name: &[u8], value: &[u8]) -> bool {
    const TOKEN_BYTES: &[u8] = b"_-.+/=~";
    if value.len() < 20
        || !value[0].is_ascii_alphanumeric()
        || !value
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || TOKEN_BYTES.contains(b))
        || !value.iter().any(u8::is_ascii_digit)
        || !value.iter().any(u8::is_ascii_alphabetic)
    {
        return false;
    }
    let run = value
        .split(|b| !b.is_ascii_alphanumeric())
        .map(<[u8]>::len)
        .max()
        .unwrap_or(0);
    let mixed =
        value.iter().any(u8::is_ascii_uppercase) && value.iter().any(u8::is_ascii_lowercase);
    if run < 16 || (!mixed && run < 24) {
        return false;
    }
    if crate::filters::token_likeness(value) < 0.5 {
        return false;
    }
    // The name's last word, when it says what the value is and that is not a credential.
    let last = name
        .rsplit(|b| matches!(b, b'_' | b'-' | b'.'))
        .next()
        .unwrap_or(name)
        .to_ascii_lowercase();
    !matches!(
        last.as_slice(),
        b"id"
            | b"ids"
            | b"uuid"
            | b"url"
            | b"uri"
            | b"host"
            | b"path"
            | b"dir"
            | b"file"
            | b"version"
            | b"region"
            | b"project"
            | b"org"
            | b"model"
    )
}

/// A block key: a map or array key, or a TOML table header ending in one.
fn key_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r#"(?m)(?:^[ \t]*\[(?:[^\]\n]*\.)?(?P<table>env|environment|headers|http_headers)\][ \t]*\r?$)|(?:["']?\b(?P<key>env|environment|headers|http_headers|args)\b["']?[ \t]*[:=][ \t]*)"#,
        )
        .expect("valid regex")
    })
}

/// A `name: value` / `name = value` entry of a map, quoted or not.
fn pair_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r#"["']?(?P<name>[A-Za-z_][A-Za-z0-9_.-]*)["']?[ \t]*[:=][ \t]*(?:"(?P<dq>(?:[^"\\\n]|\\.)*)"|'(?P<sq>[^'\n]*)'|(?P<bare>[^\s"',{}\[\]#][^\s,}#]*))"#,
        )
        .expect("valid regex")
    })
}

/// An item of an array: a quoted string, or a YAML block list's `- item`.
fn item_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r#"(?m)"(?P<dq>(?:[^"\\\n]|\\.)*)"|'(?P<sq>[^'\n]*)'|^[ \t]*-[ \t]+(?P<bare>[^\s"'#][^\s#]*)"#,
        )
        .expect("valid regex")
    })
}

/// The value ranges of `hay`'s MCP server `env`, `headers` and credential `args`, in offset order. Time
/// is linear: the key search is one regex pass, and blocks after one key are searched from where the
/// previous block ended.
pub(crate) fn handed_values(hay: &[u8]) -> Vec<Handed> {
    let mut out = Vec::new();
    let mut next = 0;
    let keys = key_regex();
    let mut locs = keys.capture_locations();
    while next < hay.len() {
        let Some(m) = keys.captures_read_at(&mut locs, hay, next) else {
            break;
        };
        next = m.end().max(m.start() + 1);
        let (kind, table) = match (locs.get(1), locs.get(2)) {
            (Some((s, e)), _) => (&hay[s..e], true),
            (None, Some((s, e))) => (&hay[s..e], false),
            _ => continue,
        };
        let block = match kind {
            b"args" => Block::Args,
            b"headers" | b"http_headers" => Block::Headers,
            _ => Block::Env,
        };
        let (from, to) = if table {
            (m.end(), table_end(hay, m.end()))
        } else {
            match hay.get(m.end()) {
                Some(b'{') => (m.end() + 1, closing(hay, m.end() + 1, b'}')),
                Some(b'[') => (m.end() + 1, closing(hay, m.end() + 1, b']')),
                Some(b'\r' | b'\n' | b'#') => (m.end(), yaml_block_end(hay, m.start(), m.end())),
                _ => continue,
            }
        };
        if block == Block::Args {
            args(hay, from, to, &mut out);
        } else {
            pairs(hay, from, to, block, &mut out);
        }
        // The search goes on after the block: each byte is in one block at most.
        next = next.max(to);
    }
    out
}

/// The end of a `{…}` or `[…]` opened just before `from`: its closing byte (or the block limit).
fn closing(hay: &[u8], from: usize, close: u8) -> usize {
    let to = hay.len().min(from + MAX_BLOCK);
    memchr::memchr(close, &hay[from..to]).map_or(to, |i| from + i)
}

/// The end of a TOML table's body: the next line that opens a table (or the block limit).
fn table_end(hay: &[u8], from: usize) -> usize {
    let to = hay.len().min(from + MAX_BLOCK);
    let mut pos = from;
    while let Some(i) = memchr::memchr(b'\n', &hay[pos..to]) {
        let line = pos + i + 1;
        let first = hay[line..to].iter().position(|b| *b != b' ' && *b != b'\t');
        if first.is_some_and(|f| hay[line + f] == b'[') {
            return line;
        }
        pos = line;
    }
    to
}

/// The end of a YAML block under the key at `key`: the lines after `from` that are blank or indented
/// deeper than the key's line (a `- ` list marker counts as indentation, as YAML reads it).
fn yaml_block_end(hay: &[u8], key: usize, from: usize) -> usize {
    let ls = memchr::memrchr(b'\n', &hay[..key]).map_or(0, |i| i + 1);
    let indent = hay[ls..key]
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t' | b'-'))
        .count();
    let to = hay.len().min(from + MAX_BLOCK);
    let Some(i) = memchr::memchr(b'\n', &hay[from..to]) else {
        return to;
    };
    let mut pos = from + i + 1;
    while pos < to {
        let le = memchr::memchr(b'\n', &hay[pos..to]).map_or(to, |i| pos + i);
        let line = &hay[pos..le];
        let lead = line
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t'))
            .count();
        let blank = line[lead..].iter().all(|b| b.is_ascii_whitespace());
        if !blank && lead <= indent {
            return pos;
        }
        pos = le + 1;
    }
    to
}

/// The entries of a map in `hay[from..to]`.
fn pairs(hay: &[u8], from: usize, to: usize, block: Block, out: &mut Vec<Handed>) {
    let re = pair_regex();
    let mut locs = re.capture_locations();
    let mut pos = from;
    while pos < to {
        let Some(m) = re.captures_read_at(&mut locs, &hay[..to], pos) else {
            break;
        };
        pos = m.end().max(m.start() + 1);
        let Some(name) = locs.get(1) else { continue };
        let Some((mut s, e)) = locs.get(2).or(locs.get(3)).or(locs.get(4)) else {
            continue;
        };
        if block == Block::Headers {
            s = after_scheme(hay, s, e);
        }
        if e > s {
            out.push(Handed {
                block,
                name,
                value: (s, e),
            });
        }
    }
}

/// A header value without its leading scheme word (`Bearer `, `Token `, `Basic `).
fn after_scheme(hay: &[u8], s: usize, e: usize) -> usize {
    let v = &hay[s..e];
    match v.iter().position(|b| *b == b' ') {
        Some(i) if i > 0 && i <= 8 && v[..i].iter().all(u8::is_ascii_alphabetic) => s + i + 1,
        _ => s,
    }
}

/// Whether a command-line flag names a credential: `--api-key`, `--token`, `--password`, `-auth`.
fn credential_flag(flag: &[u8]) -> bool {
    let f = flag.to_ascii_lowercase();
    [
        &b"key"[..],
        b"token",
        b"secret",
        b"password",
        b"passwd",
        b"pwd",
        b"auth",
        b"credential",
    ]
    .iter()
    .any(|w| memchr::memmem::find(&f, w).is_some())
}

/// The credential flags' values among the items of an array in `hay[from..to]`.
fn args(hay: &[u8], from: usize, to: usize, out: &mut Vec<Handed>) {
    let re = item_regex();
    let items: Vec<(usize, usize)> = re
        .captures_iter(&hay[from..to])
        .filter_map(|c| c.name("dq").or(c.name("sq")).or(c.name("bare")))
        .map(|m| (from + m.start(), from + m.end()))
        .collect();
    for (i, &(s, e)) in items.iter().enumerate() {
        let item = &hay[s..e];
        if !item.starts_with(b"-") {
            continue;
        }
        if let Some(eq) = memchr::memchr(b'=', item) {
            if credential_flag(&item[..eq]) && s + eq + 1 < e {
                out.push(Handed {
                    block: Block::Args,
                    name: (s, s + eq),
                    value: (s + eq + 1, e),
                });
            }
        } else if credential_flag(item) {
            if let Some(&(vs, ve)) = items.get(i + 1).filter(|(vs, _)| hay[*vs] != b'-') {
                out.push(Handed {
                    block: Block::Args,
                    name: (s, e),
                    value: (vs, ve),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str) -> Vec<(Block, String, String)> {
        let hay = text.as_bytes();
        handed_values(hay)
            .into_iter()
            .map(|h| {
                let s = |(a, b): (usize, usize)| String::from_utf8_lossy(&hay[a..b]).into_owned();
                (h.block, s(h.name), s(h.value))
            })
            .collect()
    }

    #[test]
    fn json_env_headers_args() {
        let text = r#"{
  "mcpServers": {
    "notion": {
      "command": "npx",
      "args": ["-y", "@notionhq/notion-mcp-server", "--api-key", "k-one", "--token=k-two", "--verbose"],
      "env": { "NOTION_INTEGRATION": "v-one", "DEBUG": "1" }
    },
    "linear": {
      "url": "https://mcp.linear.app/sse",
      "headers": {"Authorization": "Bearer v-two", "X-Workspace": "v-three"}
    }
  }
}"#;
        assert_eq!(
            values(text),
            vec![
                (Block::Args, "--api-key".into(), "k-one".into()),
                (Block::Args, "--token".into(), "k-two".into()),
                (Block::Env, "NOTION_INTEGRATION".into(), "v-one".into()),
                (Block::Env, "DEBUG".into(), "1".into()),
                (Block::Headers, "Authorization".into(), "v-two".into()),
                (Block::Headers, "X-Workspace".into(), "v-three".into()),
            ]
        );
    }

    #[test]
    fn yaml_blocks() {
        let text = "mcpServers:\n  - name: linear\n    command: npx\n    args:\n      - --auth\n      - y-one\n    env:\n      LINEAR_AUTH: y-two\n      QUOTED: \"y-three\"\n  - name: other\n    env: {A: y-four}\nmodels: []\n";
        assert_eq!(
            values(text),
            vec![
                (Block::Args, "--auth".into(), "y-one".into()),
                (Block::Env, "LINEAR_AUTH".into(), "y-two".into()),
                (Block::Env, "QUOTED".into(), "y-three".into()),
                (Block::Env, "A".into(), "y-four".into()),
            ]
        );
    }

    #[test]
    fn toml_tables() {
        let text = "[mcp_servers.github]\ncommand = \"npx\"\nenv = { \"GH_AUTH\" = \"t-one\" }\n\n[mcp_servers.linear.env]\nLINEAR_AUTH = \"t-two\"\n\n[other]\nx = \"not-this\"\n";
        assert_eq!(
            values(text),
            vec![
                (Block::Env, "GH_AUTH".into(), "t-one".into()),
                (Block::Env, "LINEAR_AUTH".into(), "t-two".into()),
            ]
        );
    }

    #[test]
    fn nothing_else() {
        assert!(values("{\"command\": \"npx\", \"environment_name\": \"prod\"}").is_empty());
        assert!(values("process.env.X = 1\nargs = parse(argv)\n").is_empty());
        // An unterminated block ends at the limit, not past the buffer.
        assert_eq!(values("\"env\": {\"A\": \"b\"").len(), 1);
        assert!(values("env:").is_empty());
    }

    #[test]
    fn credential_values() {
        for v in [
            "Zq8vN2kLm4Rt7Yw1Xc5Bd9Hf3Jg6Ps0aB1cDeF",
            "9f3a6c1e8b2d4f7a0c5e9b1d3f6a8c2e",
            "lin_api_Wq4Tz8Rk2Vn6Ym1Hb9Xc3Jd7Lp5Fs0Ga",
            "Rk4Tz8Qw2Vn6Ym1Hb9Xc3Jd7+Lp5Fs0Ga/Xc3Jd7Lp==",
        ] {
            assert!(credential_value(b"SERVICE_AUTH", v.as_bytes()), "{v}");
        }
        for v in [
            "acme-analytics-prod-381204",
            "engineering-handbook-2024-q3",
            "analytics_warehouse_replica_v2",
            "20240611.3-release-candidate",
            "--max-old-space-size=8192",
            "3f2b8c1e-7d4a-4b9e-9c2f-1a6d5e8b7c40",
            "/Users/me/.config/gcloud/application_default_credentials.json",
            "${input:github_token}",
            "https://mcp.example.org/sse",
            "repos,issues,pull_requests,actions",
            "short1A",
            "ThisIsMyApiKeyForTesting1",
        ] {
            assert!(!credential_value(b"SERVICE_AUTH", v.as_bytes()), "{v}");
        }
        let id = b"01HZX3K9R8B2N4Q7T5V6W8Y0ZA";
        assert!(credential_value(b"X-Workspace-Token", id));
        assert!(!credential_value(b"X-Workspace-Id", id));
        assert!(!credential_value(b"GOOGLE_CLOUD_PROJECT", id));
    }

    #[test]
    fn linear_on_hostile_input() {
        let text = "\"env\": {".repeat(20_000) + &"\"args\": [\"--key\", ".repeat(20_000);
        let t = std::time::Instant::now();
        let _ = handed_values(text.as_bytes());
        assert!(t.elapsed() < std::time::Duration::from_secs(5));
    }
}
