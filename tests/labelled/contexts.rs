//! The places secrets leak: each context embeds a (name, value) pair in a realistic file, quoting and
//! escaping the value the way that file format requires, and reports exactly which bytes of the file
//! the secret became (a JSON string escapes `\n`, a YAML block scalar indents continuation lines…).

/// One labelled sample to embed.
pub struct Sample<'a> {
    /// Variable name as written in the format file (`COHERE_API_KEY`); contexts re-case it.
    pub name: &'a str,
    /// The full value assigned (a URI, a connection string, a PEM block…).
    pub value: &'a str,
    /// Byte range of the secret inside `value`.
    pub secret: (usize, usize),
    /// The token carries one of its rule's keywords, so it is recognisable without a variable name.
    pub self_identifying: bool,
}

/// A generated file with the expected secret located in it.
pub struct Doc {
    pub context: String,
    pub path: String,
    pub content: String,
    /// The secret exactly as it appears in `content`.
    pub secret: String,
    /// Byte offset of `secret` in `content`.
    pub offset: usize,
}

/// Every standard context id, in report order.
pub const STANDARD: &[&str] = &[
    "python",
    "javascript",
    "go",
    "helm-values",
    "k8s-env",
    "json",
    "dotenv",
    "dockerfile-env",
    "dockerfile-arg",
    "notebook",
    "shell-export",
    "log-env",
    "log-token",
    "github-actions",
    "gitlab-ci",
    "tfvars",
    "properties",
];

/// Assignment syntaxes beyond the standard contexts (issue 12): applied by default to the generic
/// rules' formats only (other formats opt in with `syntaxes = true`); the labelled test prints their
/// recall over every format for information.
pub const SYNTAXES: &[&str] = &[
    "makefile",
    "php-assign",
    "php-define",
    "c-define",
    "xml-element",
    "xml-attribute",
    "xml-add-key",
    "ini",
    "hcl",
    "powershell",
    "java-setter",
    "go-struct",
    "csharp",
    "call-kwarg",
];

type Enc = Box<dyn Fn(char, &mut String)>;

/// How a value is written: opening quote, per-character encoding, closing quote.
struct Quote {
    open: String,
    enc: Enc,
    close: String,
}

impl Quote {
    fn new(open: &str, enc: Enc, close: &str) -> Quote {
        Quote {
            open: open.to_owned(),
            enc,
            close: close.to_owned(),
        }
    }

    fn encode(&self, s: &str) -> String {
        let mut out = String::with_capacity(s.len() + 8);
        for c in s.chars() {
            (self.enc)(c, &mut out);
        }
        out
    }
}

fn ident() -> Enc {
    Box::new(|c, o| o.push(c))
}

/// `"…"` in C-family languages, HCL, Dockerfiles and YAML double-quoted scalars.
fn dq() -> Enc {
    Box::new(|c, o| match c {
        '"' => o.push_str("\\\""),
        '\\' => o.push_str("\\\\"),
        '\n' => o.push_str("\\n"),
        _ => o.push(c),
    })
}

fn json_char(c: char, o: &mut String) {
    match c {
        '"' => o.push_str("\\\""),
        '\\' => o.push_str("\\\\"),
        '\n' => o.push_str("\\n"),
        '\r' => o.push_str("\\r"),
        '\t' => o.push_str("\\t"),
        _ => o.push(c),
    }
}

fn json() -> Enc {
    Box::new(json_char)
}

/// Continuation lines of a YAML block scalar or an indented heredoc.
fn indent(n: usize) -> Enc {
    let pad = " ".repeat(n);
    Box::new(move |c, o| {
        o.push(c);
        if c == '\n' {
            o.push_str(&pad);
        }
    })
}

fn yaml_single() -> Enc {
    Box::new(|c, o| match c {
        '\'' => o.push_str("''"),
        _ => o.push(c),
    })
}

fn properties() -> Enc {
    Box::new(|c, o| match c {
        '\\' => o.push_str("\\\\"),
        '\n' => o.push_str("\\n"),
        _ => o.push(c),
    })
}

fn plain_safe(v: &str) -> bool {
    !v.is_empty()
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./+=:@,%~".contains(c))
}

fn yaml_plain_safe(v: &str) -> bool {
    plain_safe(v)
        && !v.starts_with(['-', '.', ':', '@', '%', ','])
        && !v.contains(": ")
        && !v.ends_with(':')
        // Would read as a number, boolean or null.
        && !v.chars().all(|c| c.is_ascii_digit())
}

/// YAML scalar on one line: plain when safe (`plain_ok`), else double-quoted, or single-quoted when
/// the value holds double quotes.
fn yaml_inline(v: &str, plain_ok: bool) -> Quote {
    if plain_ok && yaml_plain_safe(v) {
        Quote::new("", ident(), "")
    } else if v.contains('"') {
        Quote::new("'", yaml_single(), "'")
    } else {
        Quote::new("\"", dq(), "\"")
    }
}

/// A YAML block scalar whose content is indented by `n` spaces.
fn yaml_block(n: usize) -> Quote {
    Quote::new(&format!("|\n{}", " ".repeat(n)), indent(n), "")
}

/// Python / JavaScript string literal.
fn script_string(v: &str, multiline_open: &str, multiline_close: &str) -> Quote {
    if v.contains('\n') {
        Quote::new(multiline_open, ident(), multiline_close)
    } else if v.contains('"') && !v.contains('\'') {
        Quote::new("'", ident(), "'")
    } else {
        Quote::new("\"", dq(), "\"")
    }
}

fn shell_word(v: &str) -> Quote {
    if !v.contains('\n') && plain_safe(v) {
        Quote::new("", ident(), "")
    } else if !v.contains('\'') {
        Quote::new("'", ident(), "'")
    } else {
        Quote::new(
            "\"",
            Box::new(|c, o| match c {
                '"' | '\\' | '$' | '`' => {
                    o.push('\\');
                    o.push(c);
                }
                _ => o.push(c),
            }),
            "\"",
        )
    }
}

// --------------------------------------------------------------------------------- name casing

fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if matches!(c, '_' | '-' | '.' | ' ') {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let boundary = c.is_ascii_uppercase()
            && i > 0
            && (chars[i - 1].is_ascii_lowercase()
                || (chars[i - 1].is_ascii_uppercase()
                    && chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase())));
        if boundary && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn capitalise(w: &str) -> String {
    let mut c = w.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

pub fn upper_snake(name: &str) -> String {
    words(name)
        .iter()
        .map(|w| w.to_ascii_uppercase())
        .collect::<Vec<_>>()
        .join("_")
}

pub fn lower_snake(name: &str) -> String {
    words(name).join("_")
}

pub fn lower_camel(name: &str) -> String {
    let w = words(name);
    let mut s = w.first().cloned().unwrap_or_default();
    for x in &w[1.min(w.len())..] {
        s.push_str(&capitalise(x));
    }
    s
}

/// Go style: initialisms stay upper case (`awsSecretAccessKey`, `stripeAPIKey`, `dbURL`).
pub fn go_camel(name: &str) -> String {
    let w = words(name);
    let mut s = w.first().cloned().unwrap_or_default();
    for x in &w[1.min(w.len())..] {
        if matches!(
            x.as_str(),
            "api" | "id" | "url" | "uri" | "dsn" | "sql" | "jwt" | "ssh"
        ) {
            s.push_str(&x.to_ascii_uppercase());
        } else {
            s.push_str(&capitalise(x));
        }
    }
    s
}

/// C# and Java property style: `DbPassword`, `AzureOpenaiKey`.
pub fn pascal(name: &str) -> String {
    words(name).iter().map(|w| capitalise(w)).collect()
}

/// Spring style: `cohere.api-key`, `spring.datasource.password`.
pub fn dotted(name: &str) -> String {
    let w = words(name);
    match w.split_first() {
        Some((first, rest)) if !rest.is_empty() => format!("{first}.{}", rest.join("-")),
        Some((first, _)) => first.clone(),
        None => String::new(),
    }
}

// ------------------------------------------------------------------------------------- building

fn doc(context: &str, path: &str, pre: &str, q: &Quote, s: &Sample, post: &str) -> Doc {
    let (a, b) = s.secret;
    let before = q.encode(&s.value[..a]);
    let secret = q.encode(&s.value[a..b]);
    let after = q.encode(&s.value[b..]);
    let mut content = String::with_capacity(pre.len() + s.value.len() + post.len() + 64);
    content.push_str(pre);
    content.push_str(&q.open);
    content.push_str(&before);
    let offset = content.len();
    content.push_str(&secret);
    content.push_str(&after);
    content.push_str(&q.close);
    content.push_str(post);
    Doc {
        context: context.to_owned(),
        path: path.to_owned(),
        content,
        secret,
        offset,
    }
}

/// Embeds `s` in the standard context `id`; `None` when the context does not apply (a multi-line
/// value in a Dockerfile or a log line, a bare token in a log without its variable name).
pub fn standard(id: &str, s: &Sample) -> Option<Doc> {
    let multi = s.value.contains('\n');
    let v = s.value;
    let up = upper_snake(s.name);
    Some(match id {
        "python" => doc(
            id,
            "app/settings.py",
            &format!(
                "import os\nfrom pathlib import Path\n\nBASE_DIR = Path(__file__).resolve().parent.parent\nDEBUG = False\nALLOWED_HOSTS = [\"api.acme.io\"]\n\n{up} = "
            ),
            &script_string(v, "\"\"\"", "\"\"\""),
            s,
            "\n\nLOGGING = {\"version\": 1, \"disable_existing_loggers\": False}\n",
        ),
        "javascript" => doc(
            id,
            "src/config.js",
            &format!(
                "// Runtime configuration for the billing service.\nmodule.exports = {{\n  env: \"production\",\n  port: 8080,\n  {}: ",
                lower_camel(s.name)
            ),
            &script_string(v, "`", "`"),
            s,
            ",\n  logLevel: \"info\",\n};\n",
        ),
        "go" => {
            let q = if multi || (v.contains('"') && !v.contains('`')) {
                Quote::new("`", ident(), "`")
            } else {
                Quote::new("\"", dq(), "\"")
            };
            doc(
                id,
                "cmd/server/main.go",
                &format!(
                    "package main\n\nimport (\n\t\"log\"\n\t\"net/http\"\n)\n\nfunc main() {{\n\t{} := ",
                    go_camel(s.name)
                ),
                &q,
                s,
                "\n\tsrv := newServer(cfg)\n\tlog.Fatal(http.ListenAndServe(\":8080\", srv))\n}\n",
            )
        }
        "helm-values" => doc(
            id,
            "deploy/values.yaml",
            &format!(
                "replicaCount: 2\nimage:\n  repository: registry.acme.io/billing-api\n  tag: \"1.14.2\"\nenv:\n  LOG_LEVEL: info\n  {up}: "
            ),
            &if multi { yaml_block(4) } else { yaml_inline(v, false) },
            s,
            "\nresources:\n  limits:\n    memory: 512Mi\n",
        ),
        "k8s-env" => doc(
            id,
            "deploy/k8s/deployment.yaml",
            &format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: billing-api\nspec:\n  template:\n    spec:\n      containers:\n        - name: api\n          image: registry.acme.io/billing-api:1.14.2\n          env:\n            - name: LOG_LEVEL\n              value: info\n            - name: {up}\n              value: "
            ),
            &if multi { yaml_block(16) } else { yaml_inline(v, true) },
            s,
            "\n          ports:\n            - containerPort: 8080\n",
        ),
        "json" => doc(
            id,
            "config/config.json",
            &format!(
                "{{\n  \"service\": \"billing\",\n  \"listen\": \":8080\",\n  \"{}\": ",
                lower_snake(s.name)
            ),
            &Quote::new("\"", json(), "\""),
            s,
            ",\n  \"log_level\": \"info\"\n}\n",
        ),
        "dotenv" => {
            let q = if multi {
                if v.contains('"') && !v.contains('\'') {
                    Quote::new("'", ident(), "'")
                } else {
                    Quote::new("\"", ident(), "\"")
                }
            } else if plain_safe(v) {
                Quote::new("", ident(), "")
            } else if !v.contains('\'') {
                Quote::new("'", ident(), "'")
            } else {
                Quote::new("\"", dq(), "\"")
            };
            doc(
                id,
                ".env",
                &format!("NODE_ENV=production\nPORT=8080\n{up}="),
                &q,
                s,
                "\nLOG_LEVEL=info\n",
            )
        }
        "dockerfile-env" | "dockerfile-arg" => {
            if multi {
                return None;
            }
            let q = if plain_safe(v) {
                Quote::new("", ident(), "")
            } else {
                Quote::new("\"", dq(), "\"")
            };
            let (path, pre, post) = if id == "dockerfile-env" {
                (
                    "Dockerfile",
                    format!(
                        "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nENV PYTHONUNBUFFERED=1\nENV {up}="
                    ),
                    "\nCOPY . .\nCMD [\"gunicorn\", \"app.wsgi\"]\n",
                )
            } else {
                (
                    "docker/worker.Dockerfile",
                    format!("FROM node:20-alpine AS build\nARG {up}="),
                    "\nWORKDIR /src\nCOPY package*.json ./\nRUN npm ci\n",
                )
            };
            doc(id, path, &pre, &q, s, post)
        }
        "notebook" => {
            let py = script_string(v, "\"\"\"", "\"\"\"");
            let nb = |c: char, o: &mut String| {
                if c == '\n' {
                    o.push_str("\\n\",\n    \"");
                } else {
                    json_char(c, o);
                }
            };
            let enc_py = py.enc;
            let q = Quote {
                open: {
                    let mut o = String::new();
                    py.open.chars().for_each(|c| nb(c, &mut o));
                    o
                },
                close: {
                    let mut o = String::new();
                    py.close.chars().for_each(|c| nb(c, &mut o));
                    o
                },
                enc: Box::new(move |c, o| {
                    let mut inner = String::new();
                    enc_py(c, &mut inner);
                    inner.chars().for_each(|x| nb(x, o));
                }),
            };
            doc(
                id,
                "notebooks/exploration.ipynb",
                &format!(
                    "{{\n \"cells\": [\n  {{\n   \"cell_type\": \"code\",\n   \"execution_count\": 2,\n   \"metadata\": {{}},\n   \"outputs\": [],\n   \"source\": [\n    \"import os\\n\",\n    \"import pandas as pd\\n\",\n    \"\\n\",\n    \"{up} = "
                ),
                &q,
                s,
                "\\n\",\n    \"df = pd.read_csv(\\\"data/orders.csv\\\")\"\n   ]\n  }\n ],\n \"metadata\": {\n  \"kernelspec\": {\"display_name\": \"Python 3\", \"language\": \"python\", \"name\": \"python3\"}\n },\n \"nbformat\": 4,\n \"nbformat_minor\": 5\n}\n",
            )
        }
        "shell-export" => doc(
            id,
            ".bash_history",
            &format!("cd ~/src/billing-api\ngit pull --rebase\nexport {up}="),
            &shell_word(v),
            s,
            "\n./scripts/migrate.sh --env prod\nkubectl -n billing get pods\n",
        ),
        "log-env" => {
            if multi {
                return None;
            }
            doc(
                id,
                "logs/app.log",
                &format!(
                    "2026-01-02T10:00:00.412Z INFO  [main] starting billing-api v1.14.2 (pid 4121)\n2026-01-02T10:00:00.418Z DEBUG [config] {up}="
                ),
                &Quote::new("", ident(), ""),
                s,
                "\n2026-01-02T10:00:00.533Z INFO  [http] listening on :8080\n",
            )
        }
        "log-token" => {
            // `token=<value>` only for a bare token that names its own service.
            let whole = s.secret == (0, v.len());
            if multi || !s.self_identifying || !whole || v.contains(' ') {
                return None;
            }
            doc(
                id,
                "logs/app.log",
                "2026-01-02T10:00:00Z INFO  [main] starting worker pool (4 workers)\n2026-01-02T10:00:00Z INFO  [worker-3] connecting to upstream with token=",
                &Quote::new("", ident(), ""),
                s,
                "\n2026-01-02T10:00:01Z WARN  [worker-3] upstream slow (1203 ms)\n",
            )
        }
        "github-actions" => doc(
            id,
            ".github/workflows/deploy.yml",
            &format!(
                "name: deploy\non:\n  push:\n    branches: [main]\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    env:\n      NODE_ENV: production\n      {up}: "
            ),
            &if multi { yaml_block(8) } else { yaml_inline(v, true) },
            s,
            "\n    steps:\n      - uses: actions/checkout@v4\n      - run: npm ci && npm run deploy\n",
        ),
        "gitlab-ci" => doc(
            id,
            ".gitlab-ci.yml",
            &format!("variables:\n  DOCKER_DRIVER: overlay2\n  {up}: "),
            &if multi { yaml_block(4) } else { yaml_inline(v, false) },
            s,
            "\nstages:\n  - build\n  - deploy\n\ndeploy:\n  stage: deploy\n  script:\n    - ./deploy.sh\n",
        ),
        "tfvars" => {
            let q = if multi {
                Quote::new("<<EOT\n", ident(), "\nEOT")
            } else {
                Quote::new("\"", dq(), "\"")
            };
            doc(
                id,
                "infra/prod.tfvars",
                &format!(
                    "region      = \"eu-west-1\"\nenvironment = \"prod\"\n{} = ",
                    lower_snake(s.name)
                ),
                &q,
                s,
                "\ninstance_type = \"t3.medium\"\n",
            )
        }
        "properties" => doc(
            id,
            "src/main/resources/application.properties",
            &format!(
                "server.port=8080\nspring.application.name=billing\n{}=",
                dotted(s.name)
            ),
            &Quote::new("", properties(), ""),
            s,
            "\nlogging.level.root=INFO\n",
        ),
        _ => panic!("unknown context {id}"),
    })
}

fn xml() -> Enc {
    Box::new(|c, o| match c {
        '&' => o.push_str("&amp;"),
        '<' => o.push_str("&lt;"),
        '>' => o.push_str("&gt;"),
        '"' => o.push_str("&quot;"),
        _ => o.push(c),
    })
}

fn single(escape: &'static str) -> Enc {
    Box::new(move |c, o| match c {
        '\'' => o.push_str(escape),
        _ => o.push(c),
    })
}

/// Embeds `s` in the assignment syntax `id` (see [`SYNTAXES`]); `None` for multi-line values and for
/// values the syntax cannot hold unquoted.
pub fn syntax(id: &str, s: &Sample) -> Option<Doc> {
    if s.value.contains('\n') {
        return None;
    }
    let v = s.value;
    let up = upper_snake(s.name);
    let snake = lower_snake(s.name);
    let camel = lower_camel(s.name);
    let pas = pascal(s.name);
    let dq_q = || Quote::new("\"", dq(), "\"");
    Some(match id {
        "makefile" => {
            if !plain_safe(v) || v.contains('$') {
                return None;
            }
            doc(id, "Makefile", &format!("SHELL := /bin/bash\nIMAGE ?= registry.acme.io/billing-api\n{up} ?= "), &Quote::new("", ident(), ""), s, "\n\ndeploy:\n\t./scripts/deploy.sh $(IMAGE)\n")
        }
        "php-assign" => doc(id, "config/database.php", &format!("<?php\n$db_host = 'db.internal';\n${snake} = "), &Quote::new("'", single("\\'"), "'"), s, ";\n$db_name = 'shop';\n"),
        "php-define" => doc(id, "wp-config.php", &format!("<?php\ndefine('DB_NAME', 'shop');\ndefine('{up}', "), &Quote::new("'", single("\\'"), "'"), s, ");\ndefine('DB_HOST', 'localhost');\n"),
        "c-define" => doc(id, "src/config.h", &format!("#ifndef CONFIG_H\n#define CONFIG_H\n\n#define MQTT_HOST \"broker.acme.io\"\n#define {up} "), &dq_q(), s, "\n\n#endif\n"),
        "xml-element" => doc(id, "src/main/resources/config.xml", &format!("<?xml version=\"1.0\"?>\n<config>\n  <host>db.internal</host>\n  <{camel}>"), &Quote::new("", xml(), ""), s, &format!("</{camel}>\n</config>\n")),
        "xml-attribute" => doc(id, "conf/datasource.xml", &format!("<datasource host=\"db.internal\" port=\"5432\" {camel}="), &Quote::new("\"", xml(), "\""), s, " />\n"),
        "xml-add-key" => doc(id, "Web.config", &format!("<configuration>\n  <appSettings>\n    <add key=\"Environment\" value=\"Production\" />\n    <add key=\"{pas}\" value="), &Quote::new("\"", xml(), "\""), s, " />\n  </appSettings>\n</configuration>\n"),
        "ini" => {
            if v.starts_with([' ', '"', '\'', ';', '#']) || v.contains(';') {
                return None;
            }
            doc(id, "config/app.ini", &format!("[server]\nhost = 0.0.0.0\nport = 8080\n\n[database]\n{snake} = "), &Quote::new("", ident(), ""), s, "\nname = shop\n")
        }
        "hcl" => doc(id, "infra/main.tf", &format!("resource \"acme_database\" \"main\" {{\n  name     = \"billing\"\n  {snake} = "), &dq_q(), s, "\n}\n"),
        "powershell" => doc(id, "scripts/deploy.ps1", &format!("$ErrorActionPreference = 'Stop'\n$env:{up} = "), &Quote::new("'", single("''"), "'"), s, "\n& ./deploy.ps1 -Environment prod\n"),
        "java-setter" => doc(id, "src/main/java/com/acme/AppConfig.java", &format!("    DataSource ds = new DataSource();\n    ds.setUrl(\"jdbc:postgresql://db.internal:5432/shop\");\n    ds.set{pas}("), &dq_q(), s, ");\n    return ds;\n"),
        "go-struct" => {
            let q = if v.contains('`') { dq_q() } else { Quote::new("\"", dq(), "\"") };
            doc(id, "internal/config/config.go", &format!("var Default = Config{{\n\tHost: \"db.internal\",\n\t{}: ", capitalise(&go_camel(s.name))), &q, s, ",\n\tPort: 5432,\n}\n")
        }
        "csharp" => doc(id, "src/Settings.cs", &format!("public static class Settings\n{{\n    public static string Host = \"db.internal\";\n    public static string {pas} = "), &dq_q(), s, ";\n}\n"),
        "call-kwarg" => doc(id, "app/clients.py", &format!("client = ServiceClient(\n    host=\"api.acme.io\",\n    {snake}="), &script_string(v, "\"\"\"", "\"\"\""), s, ",\n    timeout=30,\n)\n"),
        _ => panic!("unknown syntax {id}"),
    })
}

/// A usage line (`curl -H "Authorization: Bearer {value}" …`) in shell history. `pre`/`post` are the
/// line's text around the value, already expanded.
pub fn usage(n: usize, pre: &str, s: &Sample, post: &str) -> Doc {
    doc(
        &format!("usage#{n}"),
        ".bash_history",
        &format!("ls -la\ncd ~/src/ops-scripts\n{pre}"),
        &Quote::new("", ident(), ""),
        s,
        &format!("{post}\nhistory | tail -n 20\n"),
    )
}

/// A whole file written by a format (`.npmrc`, `~/.aws/credentials`, `service-account.json`).
pub fn file(path: &str, pre: &str, s: &Sample, post: &str) -> Doc {
    doc(
        &format!("file:{path}"),
        path,
        pre,
        &Quote::new("", ident(), ""),
        s,
        post,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn casing() {
        assert_eq!(lower_camel("COHERE_API_KEY"), "cohereApiKey");
        assert_eq!(go_camel("COHERE_API_KEY"), "cohereAPIKey");
        assert_eq!(dotted("COHERE_API_KEY"), "cohere.api-key");
        assert_eq!(
            upper_snake("spring.datasource.password"),
            "SPRING_DATASOURCE_PASSWORD"
        );
        assert_eq!(lower_snake("sfPassword"), "sf_password");
    }

    #[test]
    fn offsets_point_at_the_secret() {
        let value = "-----BEGIN X-----\nAAAA\n-----END X-----";
        let s = Sample {
            name: "TLS_KEY",
            value,
            secret: (0, value.len()),
            self_identifying: true,
        };
        for id in STANDARD {
            if let Some(d) = standard(id, &s) {
                assert_eq!(
                    &d.content[d.offset..d.offset + d.secret.len()],
                    d.secret,
                    "{id}"
                );
            }
        }
    }
}
