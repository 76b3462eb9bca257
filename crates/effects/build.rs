//! Compiles the command knowledge base (`kb/*.toml`) into Rust tables, so a
//! hook call parses nothing: the tables are `static` data in the binary.
//!
//! The build fails with a clear message on an unknown effect, an unknown
//! field, an entry without examples, or a duplicated entry id.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;
use std::{env, fs};

use serde::Deserialize;

const EFFECTS: &[(&str, &str)] = &[
    ("read", "Read"),
    ("write", "Write"),
    ("delete", "Delete"),
    ("destroy", "Destroy"),
    ("network-read", "NetworkRead"),
    ("network-send", "NetworkSend"),
    ("remote-mutation", "RemoteMutation"),
    ("remote-destroy", "RemoteDestroy"),
    ("publish", "Publish"),
    ("code-download-run", "CodeDownloadRun"),
    ("privilege", "Privilege"),
    ("persistence", "Persistence"),
    ("secret-read", "SecretRead"),
    ("guard-tamper", "GuardTamper"),
    ("process-control", "ProcessControl"),
    ("host-access", "HostAccess"),
    ("package-install", "PackageInstall"),
    ("untrusted-source", "UntrustedSource"),
    ("history-rewrite", "HistoryRewrite"),
    ("exec-config", "ExecConfig"),
    ("weaken-transport", "WeakenTransport"),
    ("runs-code", "RunsCode"),
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    tool: Vec<Tool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Tool {
    names: Vec<String>,
    #[serde(default)]
    options_with_value: Vec<String>,
    doc: String,
    #[serde(default)]
    rule: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    cmd: String,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    flags: Vec<String>,
    #[serde(default)]
    no_flags: Vec<String>,
    #[serde(default)]
    flag_value: Vec<String>,
    #[serde(default)]
    values: Vec<String>,
    #[serde(default)]
    args: Vec<String>,
    #[serde(default)]
    no_args: Vec<String>,
    #[serde(default)]
    env: Vec<String>,
    #[serde(default)]
    no_env: Vec<String>,
    effects: Vec<String>,
    #[serde(default)]
    target: Option<String>,
    fires: Vec<String>,
    #[serde(default)]
    passes: Vec<String>,
    #[serde(default)]
    note: Option<String>,
}

fn main() {
    let dir = Path::new(&env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
        .join("kb");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut paths: Vec<_> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    let mut out = String::new();
    let mut tools = Vec::new();
    let mut ids = BTreeSet::new();
    let mut names = BTreeSet::new();
    let mut lookup = String::new();
    for path in &paths {
        println!("cargo:rerun-if-changed={}", path.display());
        let family = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("kb file names are UTF-8");
        let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let file: File = toml::from_str(&text).unwrap_or_else(|e| panic!("kb/{family}.toml: {e}"));
        for tool in file.tool {
            let ti = tools.len();
            let first = tool
                .names
                .first()
                .unwrap_or_else(|| panic!("kb/{family}.toml: a tool without names"));
            let mut entries = String::new();
            for e in &tool.rule {
                let id = match &e.id {
                    Some(id) => format!("{first}/{id}"),
                    None if e.cmd.trim().is_empty() => first.clone(),
                    None => format!(
                        "{first}/{}",
                        e.cmd
                            .split_whitespace()
                            .collect::<Vec<_>>()
                            .join("-")
                            .replace('|', "+")
                    ),
                };
                if !ids.insert(id.clone()) {
                    panic!("kb/{family}.toml: entry id `{id}` is used twice; give one an `id`");
                }
                if e.fires.is_empty() {
                    panic!("kb/{family}.toml: `{id}` has no `fires` example");
                }
                let effects: Vec<String> = e
                    .effects
                    .iter()
                    .map(|name| {
                        EFFECTS
                            .iter()
                            .find(|(n, _)| n == name)
                            .map(|(_, v)| format!("Effect::{v}"))
                            .unwrap_or_else(|| {
                                panic!("kb/{family}.toml: `{id}`: unknown effect `{name}`")
                            })
                    })
                    .collect();
                let target = match e.target.as_deref() {
                    None => "TargetSpec::None".to_string(),
                    Some("operands") => "TargetSpec::Operands".to_string(),
                    Some("first") => "TargetSpec::FirstOperand".to_string(),
                    Some("last") => "TargetSpec::LastOperand".to_string(),
                    Some(other) => match other.strip_prefix("flag:") {
                        Some(flags) => format!(
                            "TargetSpec::FlagValue(&{:?})",
                            flags.split(',').map(str::trim).collect::<Vec<_>>()
                        ),
                        None => panic!("kb/{family}.toml: `{id}`: unknown target `{other}`"),
                    },
                };
                for f in e.flags.iter().chain(&e.no_flags).chain(&e.flag_value) {
                    if !f.starts_with('-') {
                        panic!("kb/{family}.toml: `{id}`: flag `{f}` must start with `-`");
                    }
                }
                if e.flag_value.is_empty() != e.values.is_empty() {
                    panic!("kb/{family}.toml: `{id}`: `flag_value` and `values` go together");
                }
                writeln!(
                    entries,
                    "    Entry {{ id: {id:?}, family: {family:?}, cmd: &{cmd:?}, flags: &{flags:?}, no_flags: &{no_flags:?}, flag_value: &{flag_value:?}, values: &{values:?}, args: &{args:?}, no_args: &{no_args:?}, env: &{env:?}, no_env: &{no_env:?}, effects: &[{effects}], target: {target}, fires: &{fires:?}, passes: &{passes:?}, note: {note:?} }},",
                    cmd = e.cmd.split_whitespace().collect::<Vec<_>>(),
                    flags = e.flags,
                    no_flags = e.no_flags,
                    flag_value = e.flag_value,
                    values = lower(&e.values),
                    args = lower(&e.args),
                    no_args = lower(&e.no_args),
                    env = e.env,
                    no_env = e.no_env,
                    effects = effects.join(", "),
                    fires = e.fires,
                    passes = e.passes,
                    note = e.note.as_deref().unwrap_or(""),
                )
                .expect("writing to a String");
            }
            writeln!(
                out,
                "static TOOL_{ti}: Tool = Tool {{ names: &{names:?}, family: {family:?}, doc: {doc:?}, options_with_value: &{opts:?}, entries: &[\n{entries}] }};",
                names = tool.names,
                doc = tool.doc,
                opts = tool.options_with_value,
            )
            .expect("writing to a String");
            for n in &tool.names {
                if !names.insert(n.clone()) {
                    panic!("kb/{family}.toml: tool name `{n}` is described twice");
                }
                writeln!(lookup, "        {n:?} => Some(&TOOL_{ti}),")
                    .expect("writing to a String");
            }
            tools.push(format!("&TOOL_{ti}"));
        }
    }
    writeln!(
        out,
        "/// Every tool of the knowledge base, in file order.\npub static TOOLS: &[&Tool] = &[{}];",
        tools.join(", ")
    )
    .expect("writing to a String");
    writeln!(
        out,
        "/// The tool described under this command name.\npub fn tool(name: &str) -> Option<&'static Tool> {{\n    match name {{\n{lookup}        _ => None,\n    }}\n}}"
    )
    .expect("writing to a String");
    let dest = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("kb.rs");
    fs::write(&dest, out).unwrap_or_else(|e| panic!("{}: {e}", dest.display()));
}

fn lower(v: &[String]) -> Vec<String> {
    v.iter().map(|s| s.to_lowercase()).collect()
}
