//! Plumbing shared by the Bash policies: resolving a command's words to
//! absolute paths (tracking `cd`), collecting hits with the normalised
//! sub-command as subject, and turning hits on commands that did not parse
//! into one "could not parse" finding.

use agentops_core::outcome::Finding;
use agentops_core::{Context, Outcome, Rule, RuntimeMode, Severity};
use agentops_shell::{Analysis, Command, Via};

use crate::security::protected;

/// One analysed command string plus where its commands run.
pub(crate) struct Scan<'a> {
    pub analysis: &'a Analysis,
    pub ctx: &'a Context,
    home: Option<String>,
    project: String,
    /// Working directory of each command, following literal `cd`s.
    cwd: Vec<String>,
}

impl<'a> Scan<'a> {
    pub fn new(analysis: &'a Analysis, ctx: &'a Context) -> Scan<'a> {
        let home = ctx
            .home
            .as_ref()
            .and_then(|h| h.to_str())
            .map(protected::normalise)
            .filter(|h| !h.is_empty());
        let project = ctx
            .project_dir
            .to_str()
            .map(protected::normalise)
            .unwrap_or_default();
        let mut scan = Scan {
            analysis,
            ctx,
            home,
            project: project.clone(),
            cwd: Vec::with_capacity(analysis.commands.len()),
        };
        let mut cwd = project;
        for c in &analysis.commands {
            scan.cwd.push(cwd.clone());
            if matches!(c.name.as_str(), "cd" | "pushd") {
                match c.operands().next() {
                    Some(dir) => {
                        // `$HOME/..` is known; other expansions are not.
                        let to = scan.resolve_from(&cwd, &dir.text);
                        if !dir.dynamic || !to.contains('$') {
                            cwd = to;
                        }
                    }
                    // `cd` alone goes home.
                    None if c.name == "cd" => {
                        if let Some(h) = &scan.home {
                            cwd = h.clone();
                        }
                    }
                    None => {}
                }
            }
        }
        scan
    }

    pub fn home(&self) -> Option<&str> {
        self.home.as_deref()
    }

    /// The project directory, normalised (empty when unknown).
    pub fn project(&self) -> &str {
        &self.project
    }

    /// `text` (a word of command `id`) as an absolute normalised path when
    /// the project directory is known, else normalised as written. `~`,
    /// `$HOME` and `$CLAUDE_PROJECT_DIR` are expanded when known.
    pub fn abs(&self, id: usize, text: &str) -> String {
        let cwd = self
            .cwd
            .get(id)
            .map_or(self.project.as_str(), String::as_str);
        self.resolve_from(cwd, text)
    }

    fn resolve_from(&self, cwd: &str, text: &str) -> String {
        let mut t = text.trim_start_matches('@').to_string();
        for (var, value) in [
            ("$HOME", self.home.as_deref()),
            ("${HOME}", self.home.as_deref()),
            ("$CLAUDE_PROJECT_DIR", Some(self.project.as_str())),
            ("${CLAUDE_PROJECT_DIR}", Some(self.project.as_str())),
            ("$PWD", Some(cwd)),
            ("${PWD}", Some(cwd)),
        ] {
            if let (Some(rest), Some(v)) = (t.strip_prefix(var), value) {
                if !v.is_empty() && (rest.is_empty() || rest.starts_with('/')) {
                    t = format!("{v}{rest}");
                }
            }
        }
        if let Some(h) = &self.home {
            if t == "~" || t.starts_with("~/") {
                t = format!("{h}{}", &t[1..]);
            }
        }
        if t.starts_with('/') || t.starts_with('~') || t.starts_with('$') || cwd.is_empty() {
            protected::normalise(&t)
        } else {
            protected::normalise(&format!("{cwd}/{t}"))
        }
    }

    /// Protected-path class of a word of command `id`.
    pub fn protected(&self, id: usize, text: &str) -> Option<protected::Protected> {
        let abs = self.abs(id, text);
        let project = (!self.project.is_empty()).then(|| std::path::Path::new(&self.project));
        protected::classify_in_project(&abs, project, self.ctx.plugin_root.as_deref())
            .or_else(|| protected::classify(&protected::normalise(text), None))
    }

    /// Whether some ancestor handed this command's code to `sh -c` or `eval`.
    pub fn run_by_shell_string(&self, c: &Command) -> bool {
        let mut cur = Some(c);
        let mut guard = 0;
        while let Some(cmd) = cur {
            if matches!(cmd.origin.via, Via::ShellString | Via::Eval) {
                return true;
            }
            guard += 1;
            if guard > 64 {
                return false;
            }
            cur = cmd.origin.parent.and_then(|p| self.analysis.get(p));
        }
        false
    }
}

/// What a hit says about where its command came from.
fn via_note(via: Via) -> &'static str {
    match via {
        Via::Top => "",
        Via::Substitution => " (in a command substitution)",
        Via::ProcessSubstitution => " (in a process substitution)",
        Via::ShellString => " (run through sh -c)",
        Via::Eval => " (run through eval)",
        Via::Heredoc => " (heredoc run by a shell)",
        Via::Piped => " (piped into a shell)",
        Via::ScriptFile => " (script written and run by this command)",
        Via::Interpreter => " (shell-out from inline code)",
        Via::FindExec => " (run by find)",
        Via::Runner => " (run by a runner)",
    }
}

/// The subject shown for a command: its normalised form and origin.
pub(crate) fn subject(c: &Command) -> String {
    let mut s = c.to_string();
    if s.chars().count() > 300 {
        s = s.chars().take(300).collect::<String>() + "…";
    }
    if !c.wrappers.is_empty() {
        s = format!("{s} (via {})", c.wrappers.join(", "));
    }
    s.push_str(via_note(c.origin.via));
    s
}

struct Hit {
    rule: &'static Rule,
    subject: String,
    approximate: bool,
    /// The command it is about, when it is about one.
    command: Option<usize>,
    /// What to do instead for this very command, when it can be said.
    instead: Option<String>,
}

/// Rules that fired, before they become findings.
#[derive(Default)]
pub(crate) struct Hits {
    items: Vec<Hit>,
}

impl Hits {
    pub fn add(&mut self, rule: &'static Rule, c: &Command) {
        self.push_for(rule, subject(c), c.approximate, Some(c.id));
        self.set_instead(rule, c);
    }

    /// Give the hit just added for `c` the concrete alternative for this
    /// command, when the rule has one (the force push rewritten with
    /// `--force-with-lease`).
    fn set_instead(&mut self, rule: &'static Rule, c: &Command) {
        let Some(alt) = super::instead::for_command(rule, c) else {
            return;
        };
        if let Some(hit) = self
            .items
            .iter_mut()
            .rev()
            .find(|h| h.rule.id == rule.id && h.command == Some(c.id))
        {
            hit.instead = Some(alt);
        }
    }

    /// The strongest severity already found for command `id`.
    pub fn strongest_for(&self, id: usize) -> Option<Severity> {
        self.items
            .iter()
            .filter(|h| h.command == Some(id))
            .map(|h| h.rule.severity)
            .max()
    }

    /// [`Hits::add`], naming the knowledge-base entry that said so.
    pub fn add_because(&mut self, rule: &'static Rule, c: &Command, entry: Option<&str>) {
        let mut s = subject(c);
        if let Some(id) = entry {
            s.push_str(&format!(" [kb: {id}]"));
        }
        self.push_for(rule, s, c.approximate, Some(c.id));
        self.set_instead(rule, c);
    }

    pub fn push(&mut self, rule: &'static Rule, subject: String, approximate: bool) {
        self.push_for(rule, subject, approximate, None);
    }

    fn push_for(
        &mut self,
        rule: &'static Rule,
        subject: String,
        approximate: bool,
        command: Option<usize>,
    ) {
        if self
            .items
            .iter()
            .any(|h| h.rule.id == rule.id && h.subject == subject)
        {
            return;
        }
        self.items.push(Hit {
            rule,
            subject,
            approximate,
            command,
            instead: None,
        });
    }

    pub fn fired(&self, rule: &Rule) -> bool {
        self.items.iter().any(|h| h.rule.id == rule.id)
    }

    /// Findings: firm hits as they are; hits on commands that did not parse
    /// become one `unparsed` finding (ask), or `unparsed_hard` when a hard
    /// rule matched and the mode would otherwise let an ask through.
    pub fn into_outcome(
        self,
        unparsed: &'static Rule,
        unparsed_hard: &'static Rule,
        relaxed: bool,
    ) -> Outcome {
        let mut findings = Vec::new();
        let mut rough: Vec<String> = Vec::new();
        let mut rough_hard = false;
        for h in self.items {
            if h.approximate {
                rough_hard |= h.rule.severity == Severity::Hard;
                rough.push(format!("{} {}", h.rule.id, h.subject));
            } else {
                let finding = Finding::with_subject(h.rule, h.subject);
                findings.push(match h.instead {
                    Some(alt) => finding.instead(alt),
                    None => finding,
                });
            }
        }
        if !rough.is_empty() {
            let rule = if rough_hard && relaxed {
                unparsed_hard
            } else {
                unparsed
            };
            findings.push(Finding::with_subject(rule, rough.join("; ")));
        }
        Outcome {
            findings,
            ..Outcome::default()
        }
    }
}

/// In unrestricted mode the user chose to run without the soft gates, and
/// upstream answers those with a plain allow: keep only hard findings, so
/// nothing but a hard deny is printed.
pub(crate) fn quiet_unless_hard_in_unrestricted(mut outcome: Outcome, ctx: &Context) -> Outcome {
    if ctx.runtime_mode == RuntimeMode::Unrestricted {
        outcome
            .findings
            .retain(|f| f.rule.severity == Severity::Hard);
    }
    outcome
}
