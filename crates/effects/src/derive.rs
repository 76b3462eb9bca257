//! From analysed commands to effects.

use agentops_shell::{Analysis, Command};

use crate::effect::Effect;
use crate::kb::{self, Entry};

/// One effect of one simple command.
#[derive(Debug, Clone)]
pub struct Derived {
    /// The command's id in the [`Analysis`].
    pub command: usize,
    /// What it does.
    pub effect: Effect,
    /// The word it acts on (a path as written), when it has a local target.
    pub target: Option<String>,
    /// The knowledge-base entry that said so; `None` for effects read from
    /// the shell syntax itself (redirections).
    pub entry: Option<Entry>,
}

/// The effects of one simple command.
#[derive(Debug, Clone, Default)]
pub struct CommandEffects {
    /// Everything the command does, entry by entry.
    pub effects: Vec<Derived>,
    /// Whether the knowledge base knows the command: its tool is described
    /// and at least one entry applies.
    pub known: bool,
}

/// The effects of command `id` of an analysis.
pub fn effects_of(c: &Command) -> CommandEffects {
    let mut out = CommandEffects::default();
    for r in c.redirect_writes() {
        out.effects.push(Derived {
            command: c.id,
            effect: Effect::Write,
            target: Some(r.text.clone()),
            entry: None,
        });
    }
    for r in c.redirect_reads() {
        out.effects.push(Derived {
            command: c.id,
            effect: Effect::Read,
            target: Some(r.text.clone()),
            entry: None,
        });
    }
    let Some(tool) = kb::tool(&c.name) else {
        return out;
    };
    for applied in tool.applying(c) {
        out.known = true;
        let targets = applied.targets();
        for &effect in applied.entry.effects() {
            if targets.is_empty() {
                out.effects.push(Derived {
                    command: c.id,
                    effect,
                    target: None,
                    entry: Some(applied.entry),
                });
            }
            for t in &targets {
                out.effects.push(Derived {
                    command: c.id,
                    effect,
                    target: Some((*t).to_string()),
                    entry: Some(applied.entry),
                });
            }
        }
    }
    out
}

/// The effects of every simple command of an analysis, in command order.
pub fn derive(analysis: &Analysis) -> Vec<CommandEffects> {
    analysis.commands.iter().map(effects_of).collect()
}
