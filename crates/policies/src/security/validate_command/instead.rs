//! Concrete alternatives for the command seen: where a rule's general
//! `instead` says what kind of command is safe, these spell it out for the
//! very command the agent wrote, so it can run that next.

use agentops_core::Rule;
use agentops_shell::Command;

use super::effects::HISTORY_REWRITE;
use super::CREDENTIAL_READ;

/// The concrete alternative to `c` for `rule`, when one can be written.
pub(crate) fn for_command(rule: &Rule, c: &Command) -> Option<String> {
    if rule.id == HISTORY_REWRITE.id {
        return force_with_lease(c);
    }
    if rule.id == CREDENTIAL_READ.id {
        return env_template(c);
    }
    None
}

/// `cat .env` → read `.env.example`: the template names every variable
/// without its secret value, which is usually what the agent needs.
fn env_template(c: &Command) -> Option<String> {
    let env_file = c.args.iter().map(|w| w.text.as_str()).find(|t| {
        let name = t.rsplit('/').next().unwrap_or(t);
        name == ".env" || (name.starts_with(".env.") && !name.ends_with(".example"))
    })?;
    let dir = env_file
        .rsplit_once('/')
        .map(|(d, _)| format!("{d}/"))
        .unwrap_or_default();
    Some(format!(
        "read `{dir}.env.example` (the variable names without their secrets), or ask the user for the value you need"
    ))
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
        alt_for(&HISTORY_REWRITE, command)
    }

    fn alt_for(rule: &Rule, command: &str) -> Option<String> {
        let analysis = agentops_shell::analyse(command);
        let c = analysis.commands.first().expect("one command");
        for_command(rule, c)
    }

    #[test]
    fn reading_an_env_file_points_at_its_template() {
        assert_eq!(
            alt_for(&CREDENTIAL_READ, "cat config/.env").as_deref(),
            Some("read `config/.env.example` (the variable names without their secrets), or ask the user for the value you need")
        );
        assert!(alt_for(&CREDENTIAL_READ, "cat .env.production")
            .is_some_and(|a| a.contains("`.env.example`")));
        assert_eq!(alt_for(&CREDENTIAL_READ, "cat ~/.ssh/id_rsa"), None);
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
