//! Concrete alternatives for the command seen: where a rule's general
//! `instead` says what kind of command is safe, these spell it out for the
//! very command the agent wrote, so it can run that next.

use agentops_core::Rule;
use agentops_shell::Command;

use super::effects::HISTORY_REWRITE;

/// The concrete alternative to `c` for `rule`, when one can be written.
pub(crate) fn for_command(rule: &Rule, c: &Command) -> Option<String> {
    if rule.id == HISTORY_REWRITE.id {
        return force_with_lease(c);
    }
    None
}

/// `git push --force origin main` → `git push --force-with-lease origin
/// main` (also `-f`, `+main` refspecs): the lease refuses to overwrite
/// commits the agent has not seen, which is what makes a force push
/// dangerous to others.
fn force_with_lease(c: &Command) -> Option<String> {
    if c.name != "git" {
        return None;
    }
    let words: Vec<&str> = c.args.iter().map(|w| w.text.as_str()).collect();
    let push_at = words.iter().position(|w| *w == "push")?;
    let mut forced = false;
    let mut out: Vec<String> = Vec::with_capacity(words.len() + 1);
    out.push("git".to_string());
    for (i, w) in words.iter().enumerate() {
        if i <= push_at {
            out.push((*w).to_string());
            continue;
        }
        match *w {
            "--force" | "-f" => forced = true,
            _ if w.starts_with("--force-with-lease") => return None,
            _ => match w.strip_prefix('+').filter(|r| !r.is_empty()) {
                Some(refspec) => {
                    forced = true;
                    out.push(refspec.to_string());
                }
                None => out.push((*w).to_string()),
            },
        }
    }
    if !forced {
        return None;
    }
    out.insert(push_at + 2, "--force-with-lease".to_string());
    Some(format!("`{}`", out.join(" ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alt(command: &str) -> Option<String> {
        let analysis = agentops_shell::analyse(command);
        let c = analysis.commands.first().expect("one command");
        for_command(&HISTORY_REWRITE, c)
    }

    #[test]
    fn a_force_push_becomes_a_push_with_lease() {
        assert_eq!(
            alt("git push --force origin main").as_deref(),
            Some("`git push --force-with-lease origin main`")
        );
        assert_eq!(
            alt("git push -f origin feature/x").as_deref(),
            Some("`git push --force-with-lease origin feature/x`")
        );
        assert_eq!(
            alt("git push origin +main").as_deref(),
            Some("`git push --force-with-lease origin main`")
        );
    }

    #[test]
    fn other_commands_get_no_concrete_alternative() {
        assert_eq!(alt("git push origin main"), None);
        assert_eq!(alt("git push --force-with-lease origin main"), None);
        assert_eq!(alt("git reflog expire --expire=now --all"), None);
    }
}
