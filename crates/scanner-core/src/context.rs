//! Where a finding sits: real code, or a test, documentation, an example, a vendored dependency, generated
//! code ([`Context`]); and whether the file configures an AI agent ([`Surface`]).
//!
//! Both are decided from the path, once per file that has findings (the generated-code check also reads
//! the file's first bytes for a `Code generated … DO NOT EDIT` header), never per byte: a file without
//! findings pays nothing but the agent-configuration path check ([`agent_config`]).

use serde::Serialize;

use crate::severity::Severity;

/// The kind of place a finding was made in. Findings outside [`Context::Code`] stay in the report, one
/// severity step lower ([`Context::lower`]), and are listed apart in human output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Context {
    /// Anything else: the code, configuration and data the project runs. Also commit and tag messages,
    /// which are not fixtures of anything.
    #[default]
    Code,
    /// Tests, fixtures, test data, mocks.
    Test,
    /// Documentation: Markdown, reStructuredText, AsciiDoc, `docs/` trees.
    Docs,
    /// Examples, samples, demos and templates (`.env.example`, `config.sample.yml`).
    Example,
    /// Third-party code vendored into the tree (`vendor/`, `node_modules/`, `site-packages/`).
    Vendor,
    /// Machine-written files: protobuf and other generated code, minified bundles, lock files.
    Generated,
}

impl Context {
    /// Every context, in report order.
    pub const ALL: [Context; 6] = [
        Context::Code,
        Context::Test,
        Context::Docs,
        Context::Example,
        Context::Vendor,
        Context::Generated,
    ];

    /// The lowercase name used in reports and policies.
    pub fn as_str(self) -> &'static str {
        match self {
            Context::Code => "code",
            Context::Test => "test",
            Context::Docs => "docs",
            Context::Example => "example",
            Context::Vendor => "vendor",
            Context::Generated => "generated",
        }
    }

    /// Parses a lowercase name.
    ///
    /// ```
    /// use leakhound_core::Context;
    /// assert_eq!(Context::parse("docs"), Some(Context::Docs));
    /// assert_eq!(Context::parse("tests"), None);
    /// ```
    pub fn parse(s: &str) -> Option<Context> {
        Context::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The severity a finding of `severity` is reported at in this context: one step lower outside real
    /// code (critical → high → medium → low), never below low. A key in a test fixture is still a key,
    /// often a real one pasted there, so it is lowered, not dropped.
    ///
    /// ```
    /// use leakhound_core::{Context, Severity};
    /// assert_eq!(Context::Code.lower(Severity::Critical), Severity::Critical);
    /// assert_eq!(Context::Test.lower(Severity::Critical), Severity::High);
    /// assert_eq!(Context::Docs.lower(Severity::Low), Severity::Low);
    /// ```
    pub fn lower(self, severity: Severity) -> Severity {
        if self == Context::Code {
            return severity;
        }
        match severity {
            Severity::Critical => Severity::High,
            Severity::High => Severity::Medium,
            Severity::Medium | Severity::Low => Severity::Low,
        }
    }
}

impl std::fmt::Display for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A surface a finding belongs to beyond its file's context. Today only AI agent configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Surface {
    /// The configuration of an AI coding agent or MCP client (`.mcp.json`, `.claude/settings.json`, …):
    /// a credential there is handed to an agent and to the MCP servers it starts.
    AiAgent,
}

impl Surface {
    /// `ai-agent`.
    pub fn as_str(self) -> &'static str {
        match self {
            Surface::AiAgent => "ai-agent",
        }
    }
}

/// Directories whose every file configures an AI agent (rules, commands, settings, `.env`): the
/// project-level directories of Claude Code, Codex CLI, Gemini CLI, Continue, Cursor, Windsurf, Roo Code,
/// Kilo Code, Amazon Q and Goose.
const AGENT_DIRS: &[&str] = &[
    ".claude",
    ".codex",
    ".gemini",
    ".continue",
    ".cursor",
    ".windsurf",
    ".codeium",
    ".roo",
    ".kilocode",
    ".amazonq",
    ".goose",
    ".clinerules",
];

/// File names that are MCP client or agent configuration wherever they are: Claude Code's project
/// `.mcp.json` and user `.claude.json`, Claude Desktop's, Windsurf's and Cline's MCP files, any
/// `mcp.json` (Cursor, VS Code, Roo, Amazon Q), opencode's config.
const AGENT_FILES: &[&str] = &[
    ".mcp.json",
    "mcp.json",
    ".claude.json",
    "claude_desktop_config.json",
    "mcp_config.json",
    "mcp_settings.json",
    "cline_mcp_settings.json",
    "opencode.json",
    "opencode.jsonc",
];

/// Whether `path` is the configuration of an AI agent or MCP client (see the README for the list). This is
/// the one check that runs on every file: a few string comparisons on the path.
///
/// ```
/// use leakhound_core::context::agent_config;
/// assert!(agent_config(".mcp.json"));
/// assert!(agent_config("repo/.vscode/mcp.json"));
/// assert!(agent_config(".claude/settings.local.json"));
/// assert!(agent_config(".aider.conf.yml"));
/// assert!(!agent_config(".vscode/settings.json"));
/// assert!(!agent_config("src/mcp.rs"));
/// ```
pub fn agent_config(path: &str) -> bool {
    let mut segs = path.rsplit(['/', '\\']);
    let name = segs.next().unwrap_or("");
    if AGENT_FILES.iter().any(|f| name.eq_ignore_ascii_case(f))
        || name.starts_with(".aider")
        || name == ".clinerules"
    {
        return true;
    }
    // Every agent directory is a dot-directory: most paths have none, and skip the comparisons.
    if !(path.starts_with('.') || path.contains("/.") || path.contains("\\.")) {
        return false;
    }
    segs.any(|d| d.starts_with('.') && AGENT_DIRS.iter().any(|a| d.eq_ignore_ascii_case(a)))
}

/// The [`Surface`] of a file at `path`, if any.
pub fn surface(path: &str) -> Option<Surface> {
    agent_config(path).then_some(Surface::AiAgent)
}

/// Directory names of third-party code copied into the tree.
const VENDOR_DIRS: &[&str] = &[
    "vendor",
    "vendored",
    "node_modules",
    "bower_components",
    "jspm_packages",
    "third_party",
    "third-party",
    "thirdparty",
    "3rdparty",
    "site-packages",
    "dist-packages",
    ".yarn",
    ".pnpm-store",
];

/// Directory names of tests, fixtures and test data.
const TEST_DIRS: &[&str] = &[
    "test",
    "tests",
    "__tests__",
    "spec",
    "specs",
    "__specs__",
    "testdata",
    "test_data",
    "test-data",
    "testfiles",
    "fixtures",
    "fixture",
    "__fixtures__",
    "__mocks__",
    "mocks",
    "testing",
    "e2e",
    "cypress",
    "androidtest",
];

/// Directory names of examples, samples and demos.
const EXAMPLE_DIRS: &[&str] = &[
    "example",
    "examples",
    "_examples",
    "sample",
    "samples",
    "demo",
    "demos",
    "quickstart",
    "quickstarts",
    "tutorial",
    "tutorials",
];

/// Directory names of documentation.
const DOCS_DIRS: &[&str] = &["doc", "docs", "documentation", "_docs", "man", "wiki"];

/// Directory names of generated code.
const GENERATED_DIRS: &[&str] = &["generated", "__generated__", "_generated"];

/// Documentation file extensions: Markdown, reStructuredText, AsciiDoc and kin.
const DOCS_EXTS: &[&str] = &[
    "md", "markdown", "mdx", "mdown", "rst", "adoc", "asciidoc", "asc", "rdoc", "textile", "pod",
];

/// Suffixes of a file that stands for another one: `.env.example`, `config.yml.sample`, `app.ini.dist`.
const EXAMPLE_EXTS: &[&str] = &["example", "examples", "sample"];

/// Lock files: written by package managers, holding resolved URLs and digests.
const LOCK_FILES: &[&str] = &[
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lock",
    "cargo.lock",
    "gemfile.lock",
    "composer.lock",
    "poetry.lock",
    "pipfile.lock",
    "uv.lock",
    "pdm.lock",
    "go.sum",
    "podfile.lock",
    "mix.lock",
    "flake.lock",
    "pubspec.lock",
    "packages.lock.json",
    "paket.lock",
    "gradle.lockfile",
    "package.resolved",
    "cartfile.resolved",
];

/// Name endings of generated code: protobuf/gRPC (`.pb.go`, `_pb2.py`), Dart and C# code generators,
/// minified bundles and source maps, Go's `zz_generated` deep-copy files.
const GENERATED_SUFFIXES: &[&str] = &[
    ".pb.go",
    ".pb.gw.go",
    ".pb.cc",
    ".pb.h",
    ".pb.swift",
    "_pb2.py",
    "_pb2.pyi",
    "_pb2_grpc.py",
    "_pb.js",
    "_pb.d.ts",
    "_grpc_pb.js",
    ".g.dart",
    ".freezed.dart",
    ".g.cs",
    ".designer.cs",
    "_generated.go",
    ".gen.go",
    ".min.js",
    ".min.mjs",
    ".min.css",
    ".js.map",
    ".css.map",
    "-min.js",
    ".bundle.js",
];

/// The context a path alone says, if it says one.
///
/// Third-party and generated code win over the rest (a test inside `node_modules/` is someone else's
/// test), then tests (`examples/tests/`), then examples, then documentation. The file name counts as
/// much as its directories: `handler_test.go`, `test_api.py`, `login.spec.ts`, `.env.example`,
/// `README.md`, `api.pb.go`, `yarn.lock`.
///
/// ```
/// use leakhound_core::context::{classify_path, Context};
/// assert_eq!(classify_path("src/config.py"), None);
/// assert_eq!(classify_path("pkg/auth/token_test.go"), Some(Context::Test));
/// assert_eq!(classify_path("docs/setup.md"), Some(Context::Docs));
/// assert_eq!(classify_path(".env.example"), Some(Context::Example));
/// assert_eq!(classify_path("node_modules/x/README.md"), Some(Context::Vendor));
/// assert_eq!(classify_path("api/v1/api.pb.go"), Some(Context::Generated));
/// ```
pub fn classify_path(path: &str) -> Option<Context> {
    let mut segs: Vec<&str> = path.split(['/', '\\']).filter(|s| !s.is_empty()).collect();
    let name = segs.pop()?;
    let lower_name = name.to_ascii_lowercase();
    let dirs: Vec<String> = segs.iter().map(|s| s.to_ascii_lowercase()).collect();
    let in_dir = |set: &[&str]| dirs.iter().any(|d| set.contains(&d.as_str()));

    if in_dir(VENDOR_DIRS) {
        return Some(Context::Vendor);
    }
    if in_dir(GENERATED_DIRS)
        || LOCK_FILES.contains(&lower_name.as_str())
        || GENERATED_SUFFIXES.iter().any(|s| lower_name.ends_with(s))
        || lower_name.starts_with("zz_generated")
        || lower_name.contains(".generated.")
    {
        return Some(Context::Generated);
    }
    if dirs.iter().any(|d| test_dir(d)) || test_file(name, &lower_name) {
        return Some(Context::Test);
    }
    // Agent configuration keeps its prompts and rules in Markdown: they are configuration, not docs.
    let agent = agent_config(path);
    let parts: Vec<&str> = lower_name.split('.').collect();
    if in_dir(EXAMPLE_DIRS) || example_name(&parts) {
        return Some(Context::Example);
    }
    let ext = if parts.len() > 1 {
        parts[parts.len() - 1]
    } else {
        ""
    };
    if !agent
        && (in_dir(DOCS_DIRS)
            || DOCS_EXTS.contains(&ext)
            || (DOCS_NAMES.contains(&parts[0]) && ["", "txt"].contains(&ext)))
    {
        return Some(Context::Docs);
    }
    None
}

/// Files that document a project by their name alone: `README`, `CHANGELOG.txt`.
const DOCS_NAMES: &[&str] = &["readme", "changelog", "changes", "contributing", "authors"];

/// A file that stands for another: `.env.example`, `config.sample.yml`, `example.env`, `app.ini.dist`
/// (`.dist` and `.template` only as the last suffix of another full name). `parts` is the
/// lowercased name split at dots.
fn example_name(parts: &[&str]) -> bool {
    let n = parts.len();
    matches!(parts[0], "example" | "sample") && n > 1
        || parts.iter().enumerate().skip(1).any(|(i, p)| match *p {
            // Only as the last suffix of another full name: `app.ini.dist`, `.env.template`; `app.dist`,
            // or a CloudFormation `stack.template.json`, may be the real thing.
            "dist" | "template" => i == n - 1 && n > 2 && !parts[..i].iter().all(|q| q.is_empty()),
            p => EXAMPLE_EXTS.contains(&p),
        })
}

/// A test directory: one of [`TEST_DIRS`], or a name that says so (`integration_tests`, `unit-test`,
/// `test_helpers`).
fn test_dir(d: &str) -> bool {
    TEST_DIRS.contains(&d)
        || ["_test", "_tests", "-test", "-tests", ".test", ".tests"]
            .iter()
            .any(|s| d.ends_with(s))
        || d.starts_with("test_")
        || d.starts_with("test-")
        || d.starts_with("tests_")
}

/// A test file by its name: `x_test.go`, `test_x.py`, `x.test.ts`, `x.spec.js`, `x_spec.rb`,
/// `XTest.java`, `XTests.cs`, `XSpec.scala`, `conftest.py`.
fn test_file(name: &str, lower: &str) -> bool {
    let stem_end = name.find('.').unwrap_or(name.len());
    let (stem, lower_stem) = (&name[..stem_end], &lower[..stem_end]);
    if lower_stem.is_empty() {
        return false;
    }
    let middle = lower.split('.').skip(1).collect::<Vec<_>>();
    if middle.len() > 1
        && middle[..middle.len() - 1]
            .iter()
            .any(|p| matches!(*p, "test" | "tests" | "spec" | "e2e-spec"))
    {
        return true;
    }
    if ["_test", "_tests", "_spec", "-test", "-spec"]
        .iter()
        .any(|s| lower_stem.ends_with(s))
        || lower_stem.starts_with("test_")
        || lower_stem == "conftest"
    {
        return true;
    }
    // CamelCase: `LoginTest`, `UserServiceTests`, `ParserSpec`, with a lowercase letter before the
    // suffix so that `Test.java` or `LATEST` are not tests by name.
    ["Test", "Tests", "Spec", "IT"].iter().any(|s| {
        stem.len() > s.len()
            && stem.ends_with(s)
            && stem.as_bytes()[stem.len() - s.len() - 1].is_ascii_lowercase()
    })
}

/// How far into a file the generated-code header is looked for: Go's convention puts it before the
/// `package` clause, other generators in the first comment block.
const HEADER_WINDOW: usize = 1024;

/// Whether the first bytes of `head` carry a generated-code marker: Go's `Code generated … DO NOT EDIT.`,
/// `@generated` (Meta's and many code generators'), C#'s `<auto-generated>`, or a "do not edit" line
/// that says the file is generated.
///
/// ```
/// use leakhound_core::context::generated_header;
/// assert!(generated_header(b"// Code generated by protoc-gen-go. DO NOT EDIT.\npackage api\n"));
/// assert!(!generated_header(b"package api\n// DO NOT EDIT this by hand, please\n"));
/// ```
pub fn generated_header(head: &[u8]) -> bool {
    let head = &head[..head.len().min(HEADER_WINDOW)];
    let has = |needle: &[u8]| {
        head.windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
    };
    has(b"@generated")
        || has(b"<auto-generated")
        || ((has(b"do not edit") || has(b"do not modify"))
            && (has(b"generated") || has(b"autogenerated")))
}

/// The context of a file: its path's ([`classify_path`]), else [`Context::Generated`] when its first
/// bytes carry a generated-code header, else [`Context::Code`]. An empty path (a commit or tag message)
/// is code.
pub fn classify(path: &str, head: &[u8]) -> Context {
    if path.is_empty() {
        return Context::Code;
    }
    classify_path(path).unwrap_or_else(|| {
        if generated_header(head) {
            Context::Generated
        } else {
            Context::Code
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(path: &str) -> Context {
        classify(path, b"")
    }

    #[test]
    fn code() {
        for p in [
            "src/config.py",
            "main.go",
            ".env",
            "deploy/prod/values.yaml",
            "app/contest/entry.py",
            "src/latest.rs",
            "lib/Test.java",
            "src/testimony.rs",
            "config/settings.json",
            ".github/workflows/ci.yml",
            "k8s/secret.yaml",
            "dist/app.js",
            "src/distance.ts",
            ".claude/commands/deploy.md",
            "Makefile",
        ] {
            assert_eq!(ctx(p), Context::Code, "{p}");
        }
    }

    #[test]
    fn tests() {
        for p in [
            "tests/api.rs",
            "test/helpers.js",
            "pkg/auth/token_test.go",
            "tests_unit/x.py",
            "app/test_views.py",
            "app/conftest.py",
            "web/src/__tests__/login.tsx",
            "web/src/login.test.ts",
            "web/src/login.spec.js",
            "spec/models/user_spec.rb",
            "src/test/java/com/acme/LoginTest.java",
            "src/UserServiceTests.cs",
            "internal/testdata/creds.json",
            "fixtures/users.yml",
            "integration_tests/db.py",
            "unit-tests/a.ts",
            "app/__mocks__/api.js",
            "handler_spec.lua",
        ] {
            assert_eq!(ctx(p), Context::Test, "{p}");
        }
    }

    #[test]
    fn docs() {
        for p in [
            "README.md",
            "docs/setup.html",
            "guide/install.rst",
            "manual/index.adoc",
            "CHANGELOG",
            "doc/api.txt",
            "site/blog/post.mdx",
        ] {
            assert_eq!(ctx(p), Context::Docs, "{p}");
        }
    }

    #[test]
    fn examples() {
        for p in [
            ".env.example",
            ".env.sample",
            "config.yml.template",
            ".env.template",
            "app.ini.dist",
            "settings.example.json",
            "examples/basic/main.go",
            "samples/auth.py",
            "demo/app.js",
            "example.env",
            "docs/examples/client.py",
        ] {
            assert_eq!(ctx(p), Context::Example, "{p}");
        }
        // `.dist` alone is not a suffix of something else, nor a template the name of a real one.
        assert_eq!(ctx("app.dist"), Context::Code);
        assert_eq!(ctx("infra/stack.template.json"), Context::Code);
        assert_eq!(ctx("deploy/values.yaml.tmpl"), Context::Code);
    }

    #[test]
    fn vendor() {
        for p in [
            "vendor/github.com/x/y/client.go",
            "web/node_modules/pkg/index.js",
            "third_party/lib/a.c",
            "venv/lib/python3.12/site-packages/requests/api.py",
            "node_modules/pkg/test/a_test.js",
            "web/.yarn/cache/pkg/index.js",
        ] {
            assert_eq!(ctx(p), Context::Vendor, "{p}");
        }
    }

    #[test]
    fn generated() {
        for p in [
            "api/v1/service.pb.go",
            "proto/service_pb2.py",
            "proto/service_pb2_grpc.py",
            "src/client.generated.ts",
            "static/app.min.js",
            "package-lock.json",
            "yarn.lock",
            "Cargo.lock",
            "go.sum",
            "pkg/apis/zz_generated.deepcopy.go",
            "lib/models/user.g.dart",
            "src/__generated__/schema.ts",
        ] {
            assert_eq!(ctx(p), Context::Generated, "{p}");
        }
    }

    #[test]
    fn generated_by_header() {
        let go = b"// Code generated by mockgen. DO NOT EDIT.\n// Source: x.go\n\npackage x\n";
        assert_eq!(classify("internal/x/client.go", go), Context::Generated);
        let js = b"/**\n * @generated SignedSource<<abc>>\n */\n";
        assert_eq!(classify("src/relay/query.js", js), Context::Generated);
        let cs = b"//------\n// <auto-generated>\n//     This code was generated by a tool.\n";
        assert_eq!(classify("Service.cs", cs), Context::Generated);
        // A header far down the file is not a header.
        let mut late = vec![b'\n'; 2000];
        late.extend_from_slice(b"// Code generated. DO NOT EDIT.\n");
        assert_eq!(classify("a.go", &late), Context::Code);
        // The path wins: a generated fixture is a fixture.
        assert_eq!(classify("testdata/a.go", go), Context::Test);
    }

    #[test]
    fn messages_are_code() {
        assert_eq!(classify("", b"@generated"), Context::Code);
    }

    #[test]
    fn windows_separators() {
        assert_eq!(ctx(r"src\tests\a.rs"), Context::Test);
        assert!(agent_config(r"proj\.cursor\mcp.json"));
    }

    #[test]
    fn agent_configuration() {
        for p in [
            ".mcp.json",
            "svc/.mcp.json",
            ".cursor/mcp.json",
            ".vscode/mcp.json",
            ".claude/settings.json",
            ".claude/settings.local.json",
            "home/.claude.json",
            "Library/Application Support/Claude/claude_desktop_config.json",
            ".continue/config.yaml",
            ".continue/mcpServers/notion.yaml",
            ".aider.conf.yml",
            ".aider.model.settings.yml",
            ".codex/config.toml",
            ".gemini/settings.json",
            ".gemini/.env",
            ".codeium/windsurf/mcp_config.json",
            ".windsurf/rules/deploy.md",
            ".roo/mcp.json",
            "cline_mcp_settings.json",
            "opencode.json",
        ] {
            assert!(agent_config(p), "{p}");
            assert_eq!(surface(p), Some(Surface::AiAgent));
        }
        for p in [
            ".vscode/settings.json",
            "src/mcp.py",
            "mcp/server.ts",
            "claude.py",
            "docs/cursor.md",
            "config.json",
        ] {
            assert!(!agent_config(p), "{p}");
        }
    }

    #[test]
    fn agent_markdown_is_not_docs() {
        assert_eq!(ctx(".cursor/rules/backend.md"), Context::Code);
        assert_eq!(ctx("examples/.mcp.json"), Context::Example);
    }

    #[test]
    fn lowering() {
        assert_eq!(Context::Vendor.lower(Severity::High), Severity::Medium);
        assert_eq!(Context::Generated.lower(Severity::Medium), Severity::Low);
        for c in Context::ALL {
            assert_eq!(Context::parse(c.as_str()), Some(c));
        }
    }
}
