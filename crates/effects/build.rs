//! Compiles the command knowledge base (`kb/*.toml`) into Rust tables, so a
//! hook call parses nothing: the tables are `static` data in the binary.
//!
//! The build fails with a clear message on an unknown effect, an unknown
//! field, an entry without examples, or a duplicated entry id.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;
use std::{env, fs};

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

/// Effects no rule gates by themselves (the rest need a `passes` example).
const AUTOPILOT_SAFE_OR_UNGATED: &[&str] = &[
    "read",
    "write",
    "delete",
    "network-read",
    "network-send",
    "package-install",
    "runs-code",
];

// The schema is shared with the runtime loader of custom rule files.
#[path = "src/schema.rs"]
mod schema;

use schema::File;

/// The generated tables, pointer-free: every string is a `(offset, len)`
/// span of one text blob and every list a span of one list table, so the
/// loader has nothing to relocate at start-up (a table of `&'static str`
/// costs one dynamic relocation per string in a position-independent
/// binary, tens of thousands here, paid by every hook call).
#[derive(Default)]
struct Tables {
    text: String,
    spans: std::collections::HashMap<String, (u32, u32)>,
    lists: Vec<(u32, u32)>,
    effects: Vec<String>,
}

impl Tables {
    fn str(&mut self, s: &str) -> (u32, u32) {
        if let Some(span) = self.spans.get(s) {
            return *span;
        }
        let span = (to_u32(self.text.len()), to_u32(s.len()));
        self.text.push_str(s);
        self.spans.insert(s.to_string(), span);
        span
    }

    fn list<S: AsRef<str>>(&mut self, items: &[S]) -> (u32, u32) {
        let spans: Vec<(u32, u32)> = items.iter().map(|s| self.str(s.as_ref())).collect();
        let start = to_u32(self.lists.len());
        self.lists.extend(spans);
        (start, to_u32(items.len()))
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).expect("the knowledge base fits in u32 offsets")
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
    let mut t = Tables::default();
    let mut entries_out = String::new();
    let mut tools_out = String::new();
    let mut entry_count = 0usize;
    let mut tool_count = 0usize;
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
            let tool = tool.into_inner();
            let ti = tool_count;
            tool_count += 1;
            let first = tool
                .names
                .first()
                .unwrap_or_else(|| panic!("kb/{family}.toml: a tool without names"))
                .clone();
            let entries_start = entry_count;
            let doc = tool
                .doc
                .clone()
                .unwrap_or_else(|| panic!("kb/{family}.toml: `{first}` has no `doc`"));
            for e in &tool.rule {
                let e = e.get_ref();
                if e.verdict.is_some()
                    || e.reason.is_some()
                    || e.instead.is_some()
                    || !e.paths.is_empty()
                {
                    panic!("kb/{family}.toml: `{first}`: `verdict`, `reason`, `instead` and `paths` belong to custom rule files");
                }
                if e.effects.is_empty() {
                    panic!(
                        "kb/{family}.toml: `{first}` `{}`: an entry without `effects`",
                        e.cmd
                    );
                }
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
                // An entry that gates something names the read-only
                // neighbour it must leave alone (false positives are bugs).
                let gates = e
                    .effects
                    .iter()
                    .any(|x| !AUTOPILOT_SAFE_OR_UNGATED.contains(&x.as_str()));
                if gates && e.passes.is_empty() {
                    panic!(
                        "kb/{family}.toml: `{id}` gates ({:?}) but has no `passes` example",
                        e.effects
                    );
                }
                let effects_start = t.effects.len();
                for name in &e.effects {
                    let variant = EFFECTS
                        .iter()
                        .find(|(n, _)| n == name)
                        .map(|(_, v)| format!("Effect::{v}"))
                        .unwrap_or_else(|| {
                            panic!("kb/{family}.toml: `{id}`: unknown effect `{name}`")
                        });
                    t.effects.push(variant);
                }
                let (target_kind, target_list) = match e.target.as_deref() {
                    None => (0u8, (0, 0)),
                    Some("operands") => (1, (0, 0)),
                    Some("first") => (2, (0, 0)),
                    Some("last") => (3, (0, 0)),
                    Some(other) => match other.strip_prefix("flag:") {
                        Some(flags) => {
                            let list: Vec<&str> = flags.split(',').map(str::trim).collect();
                            (4, t.list(&list))
                        }
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
                let cmd: Vec<&str> = e.cmd.split_whitespace().collect();
                let fields = [
                    ("id", t.str(&id)),
                    ("family", t.str(family)),
                    ("cmd", t.list(&cmd)),
                    ("flags", t.list(&e.flags)),
                    ("no_flags", t.list(&e.no_flags)),
                    ("flag_value", t.list(&e.flag_value)),
                    ("values", t.list(&lower(&e.values))),
                    ("args", t.list(&by_last_byte(lower(&e.args)))),
                    ("no_args", t.list(&by_last_byte(lower(&e.no_args)))),
                    ("env", t.list(&e.env)),
                    ("no_env", t.list(&e.no_env)),
                    ("effects", (to_u32(effects_start), to_u32(e.effects.len()))),
                    ("target_list", target_list),
                    ("fires", t.list(&e.fires)),
                    ("passes", t.list(&e.passes)),
                    ("note", t.str(e.note.as_deref().unwrap_or(""))),
                ];
                let body: Vec<String> = fields
                    .iter()
                    .map(|(k, (a, b))| format!("{k}: ({a}, {b})"))
                    .collect();
                writeln!(
                    entries_out,
                    "    RawEntry {{ {}, target_kind: {target_kind} }},",
                    body.join(", ")
                )
                .expect("writing to a String");
                entry_count += 1;
            }
            let names_span = t.list(&tool.names);
            let family_span = t.str(family);
            let doc_span = t.str(&doc);
            // Sorted: a command's options are looked up by binary search
            // (`Strs::contains_sorted`).
            let mut options = tool.options_with_value.clone();
            options.sort();
            options.dedup();
            let opts_span = t.list(&options);
            writeln!(
                tools_out,
                "    RawTool {{ names: {names_span:?}, family: {family_span:?}, doc: {doc_span:?}, options_with_value: {opts_span:?}, entries: ({entries_start}, {}) }},",
                entry_count - entries_start,
            )
            .expect("writing to a String");
            for n in &tool.names {
                if !names.insert(n.clone()) {
                    panic!("kb/{family}.toml: tool name `{n}` is described twice");
                }
                writeln!(lookup, "        {n:?} => Some({ti}),").expect("writing to a String");
            }
        }
    }
    let mut out = String::new();
    writeln!(
        out,
        "/// Every string of the knowledge base, one after another.\nconst TEXT: &str = {:?};",
        t.text
    )
    .expect("writing to a String");
    writeln!(
        out,
        "/// Spans of [`TEXT`] that make up the lists.\nstatic LISTS: [(u32, u32); {}] = {:?};",
        t.lists.len(),
        t.lists
    )
    .expect("writing to a String");
    // The first and last byte of each list string (ASCII lowercase, 0 for
    // an empty string) and how many bytes it has besides stars (the least a
    // word it matches can have): `Strs::any_glob_matches` narrows a word's
    // candidate globs on these without touching the strings.
    let ends: Vec<(u8, u8, u16)> = t
        .lists
        .iter()
        .map(|&(offset, len)| {
            let s = &t.text.as_bytes()[offset as usize..(offset + len) as usize];
            let end = |b: Option<&u8>| b.map_or(0, u8::to_ascii_lowercase);
            let fixed = s.iter().filter(|&&b| b != b'*').count();
            (
                end(s.first()),
                end(s.last()),
                u16::try_from(fixed).unwrap_or(u16::MAX),
            )
        })
        .collect();
    writeln!(
        out,
        "/// First and last byte of each string of [`LISTS`], and its length without stars.\nstatic ENDS: [(u8, u8, u16); {}] = {:?};",
        ends.len(),
        ends
    )
    .expect("writing to a String");
    writeln!(
        out,
        "/// The effects of every entry, one list after another.\nstatic EFFECTS: [Effect; {}] = [{}];",
        t.effects.len(),
        t.effects.join(", ")
    )
    .expect("writing to a String");
    writeln!(
        out,
        "/// Every entry, tool by tool.\nstatic ENTRIES: [RawEntry; {entry_count}] = [\n{entries_out}];"
    )
    .expect("writing to a String");
    writeln!(
        out,
        "/// Every tool, in file order.\nstatic TOOLS: [RawTool; {tool_count}] = [\n{tools_out}];"
    )
    .expect("writing to a String");
    writeln!(
        out,
        "/// The index in [`TOOLS`] of the tool described under this command name.\nfn tool_index(name: &str) -> Option<usize> {{\n    match name {{\n{lookup}        _ => None,\n    }}\n}}"
    )
    .expect("writing to a String");
    let dest = Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("kb.rs");
    fs::write(&dest, out).unwrap_or_else(|e| panic!("{}: {e}", dest.display()));
}

/// Argument globs in the order `Strs::any_matches` searches them: by their
/// last byte, so a word is only tried against the globs that end with its
/// own last byte or with a star.
fn by_last_byte(mut v: Vec<String>) -> Vec<String> {
    v.sort_by_key(|g| g.as_bytes().last().copied());
    v
}

fn lower(v: &[String]) -> Vec<String> {
    v.iter().map(|s| s.to_lowercase()).collect()
}
