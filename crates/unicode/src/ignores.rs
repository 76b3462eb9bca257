//! The ignore files a tree scan honours, from their contents: `.ignore`,
//! `.gitignore` and git's `info/exclude`, with the precedence the walker
//! behind [`scan_tree`](crate::scan_tree) gives them. A caller that lists
//! files itself (through an abstraction of the file system) reads the
//! ignore files the same way, adds them here and filters its listing with
//! [`IgnoreRules::is_ignored`].
//!
//! Precedence, as in the `ignore` crate: for each kind of file the
//! deepest directory whose patterns match the path decides (a `!pattern`
//! re-includes); a match in `.ignore` beats one in `.gitignore`, which
//! beats one in `info/exclude`. A path inside an ignored directory is
//! ignored whatever its own patterns say, so callers check directories
//! first (see [`IgnoreRules::is_ignored_under`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::Match;

/// The kinds of ignore file, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IgnoreKind {
    /// `.ignore` (ripgrep's and the `ignore` crate's own).
    Ignore,
    /// `.gitignore`.
    GitIgnore,
    /// `.git/info/exclude` of the repository whose work tree is the
    /// directory.
    GitExclude,
}

impl IgnoreKind {
    /// The kind of an ignore file found in a directory listing, by name
    /// (`info/exclude` is not found that way).
    pub fn from_file_name(name: &str) -> Option<IgnoreKind> {
        match name {
            ".ignore" => Some(IgnoreKind::Ignore),
            ".gitignore" => Some(IgnoreKind::GitIgnore),
            _ => None,
        }
    }

    fn index(self) -> usize {
        match self {
            IgnoreKind::Ignore => 0,
            IgnoreKind::GitIgnore => 1,
            IgnoreKind::GitExclude => 2,
        }
    }
}

/// Compiled ignore files, by the directory they apply to.
#[derive(Debug, Default)]
pub struct IgnoreRules {
    dirs: HashMap<PathBuf, [Option<Gitignore>; 3]>,
}

impl IgnoreRules {
    /// No rules.
    pub fn new() -> IgnoreRules {
        IgnoreRules::default()
    }

    /// Whether no ignore file has been added.
    pub fn is_empty(&self) -> bool {
        self.dirs.is_empty()
    }

    /// Add the contents of an ignore file of `kind` that applies to `dir`
    /// (for `.ignore` and `.gitignore`, the directory holding it; for
    /// `info/exclude`, the repository's work tree). Lines that are not
    /// valid patterns are skipped; a file that does not compile as a whole
    /// adds nothing, as the walker does.
    pub fn add(&mut self, dir: &Path, kind: IgnoreKind, contents: &[u8]) {
        let text = String::from_utf8_lossy(contents);
        let mut builder = GitignoreBuilder::new(dir);
        for (i, line) in text.lines().enumerate() {
            let line = if i == 0 {
                line.trim_start_matches('\u{feff}')
            } else {
                line
            };
            let _ = builder.add_line(None, line);
        }
        let Ok(matcher) = builder.build() else {
            return;
        };
        if matcher.is_empty() {
            return;
        }
        self.dirs.entry(dir.to_path_buf()).or_default()[kind.index()] = Some(matcher);
    }

    /// Whether the rules ignore `path` itself (a directory when `is_dir`),
    /// judged by the ignore files of its parent directory and above. Does
    /// not look at the path's ancestors being ignored.
    pub fn is_ignored(&self, path: &Path, is_dir: bool) -> bool {
        if self.dirs.is_empty() {
            return false;
        }
        let mut found: [Match<()>; 3] = [Match::None, Match::None, Match::None];
        for dir in path.ancestors().skip(1) {
            let Some(levels) = self.dirs.get(dir) else {
                continue;
            };
            for (slot, matcher) in found.iter_mut().zip(levels) {
                if let (true, Some(m)) = (slot.is_none(), matcher) {
                    *slot = match m.matched(path, is_dir) {
                        Match::None => Match::None,
                        Match::Ignore(_) => Match::Ignore(()),
                        Match::Whitelist(_) => Match::Whitelist(()),
                    };
                }
            }
        }
        let [ignore, git, exclude] = found;
        ignore.or(git).or(exclude).is_ignore()
    }

    /// Whether the file at `root/rel` is ignored, or any directory between
    /// `root` (excluded) and it is; `dirs` remembers directory answers
    /// across calls.
    pub fn is_ignored_under(
        &self,
        root: &Path,
        rel: &Path,
        dirs: &mut HashMap<PathBuf, bool>,
    ) -> bool {
        if self.dirs.is_empty() {
            return false;
        }
        let mut dir = PathBuf::new();
        let parents: Vec<_> = rel
            .parent()
            .map(|p| p.components().collect())
            .unwrap_or_default();
        for part in parents {
            dir.push(part);
            let ignored = match dirs.get(&dir) {
                Some(known) => *known,
                None => {
                    let known = self.is_ignored(&root.join(&dir), true);
                    dirs.insert(dir.clone(), known);
                    known
                }
            };
            if ignored {
                // Everything below answers the same; remember that too.
                return true;
            }
        }
        self.is_ignored(&root.join(rel), false)
    }
}

/// Where the `info/exclude` of a work tree lives, from its `.git` entry:
/// `.git/info/exclude` for a `.git` directory; for a `.git` file (a linked
/// worktree), `gitdir: <dir>` and that directory's `commondir`. `read`
/// reads a small text file. `None` when there is no such file to read.
pub fn exclude_file(
    work_tree: &Path,
    dot_git_is_dir: bool,
    read: impl Fn(&Path) -> Option<String>,
) -> Option<PathBuf> {
    let dot_git = work_tree.join(".git");
    if dot_git_is_dir {
        return Some(dot_git.join("info").join("exclude"));
    }
    let first = read(&dot_git)?;
    let git_dir = first.lines().next()?.strip_prefix("gitdir: ")?.trim_end();
    let git_dir = work_tree.join(git_dir);
    let common = read(&git_dir.join("commondir"))?;
    let common = common.lines().next()?.trim_end();
    let common = if common.starts_with('.') {
        git_dir.join(common)
    } else {
        PathBuf::from(common)
    };
    Some(common.join("info").join("exclude"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(files: &[(&str, IgnoreKind, &str)]) -> IgnoreRules {
        let mut r = IgnoreRules::new();
        for (dir, kind, text) in files {
            r.add(Path::new(dir), *kind, text.as_bytes());
        }
        r
    }

    fn ignored(r: &IgnoreRules, rel: &str) -> bool {
        r.is_ignored_under(Path::new("/p"), Path::new(rel), &mut HashMap::new())
    }

    #[test]
    fn deeper_files_and_stronger_kinds_win() {
        let r = rules(&[
            ("/p", IgnoreKind::GitIgnore, "*.log\n/target\nbuild/\n"),
            ("/p/keep", IgnoreKind::GitIgnore, "!*.log\n"),
            ("/p", IgnoreKind::Ignore, "!important.log\n"),
            ("/p", IgnoreKind::GitExclude, "secret.txt\n"),
        ]);
        assert!(ignored(&r, "a.log"));
        assert!(!ignored(&r, "keep/a.log"), "a deeper !pattern re-includes");
        assert!(!ignored(&r, "important.log"), ".ignore beats .gitignore");
        assert!(ignored(&r, "target/debug/x.rs"), "an anchored directory");
        assert!(
            !ignored(&r, "src/target/x.rs"),
            "anchored means at the root"
        );
        assert!(
            ignored(&r, "src/build/x.rs"),
            "a directory pattern at any depth"
        );
        assert!(!ignored(&r, "build.rs"), "a file named like the directory");
        assert!(ignored(&r, "secret.txt"));
        assert!(!ignored(&r, "src/main.rs"));
    }

    #[test]
    fn nothing_is_re_included_inside_an_ignored_directory() {
        let r = rules(&[
            ("/p", IgnoreKind::GitIgnore, "gen/\n"),
            ("/p/gen", IgnoreKind::GitIgnore, "!*.js\n"),
        ]);
        assert!(ignored(&r, "gen/a.js"));
    }

    #[test]
    fn rules_above_the_root_apply_and_a_bom_is_skipped() {
        let r = rules(&[("/", IgnoreKind::GitIgnore, "\u{feff}*.tmp\n")]);
        assert!(ignored(&r, "x.tmp"));
        assert!(rules(&[]).is_empty());
    }

    #[test]
    fn exclude_files_of_directories_and_linked_worktrees() {
        let none = |_: &Path| None;
        assert_eq!(
            exclude_file(Path::new("/p"), true, none),
            Some(PathBuf::from("/p/.git/info/exclude"))
        );
        let files = |p: &Path| match p.to_str() {
            Some("/w/.git") => Some("gitdir: /r/.git/worktrees/w\n".to_string()),
            Some("/r/.git/worktrees/w/commondir") => Some("../..\n".to_string()),
            _ => None,
        };
        assert_eq!(
            exclude_file(Path::new("/w"), false, files),
            Some(PathBuf::from("/r/.git/worktrees/w/../../info/exclude"))
        );
        assert_eq!(exclude_file(Path::new("/x"), false, files), None);
    }
}
