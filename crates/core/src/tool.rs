//! Claude Code tool names, classified the way policies need them.

use crate::policy::ToolKind;

/// The tool a hook payload talks about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tool {
    /// Runs the shell command in `command`.
    Bash,
    /// Reads `file_path`.
    Read,
    /// Creates or overwrites `file_path` with `content`.
    Write,
    /// Replaces `old_string` with `new_string` in `file_path`.
    Edit,
    /// Applies a list of `edits` to one `file_path`, all or none.
    MultiEdit,
    /// Replaces, inserts or deletes a cell of the notebook at
    /// `notebook_path`.
    NotebookEdit,
    /// Lists files matching `pattern` under `path`.
    Glob,
    /// Searches file contents for `pattern` under `path`.
    Grep,
    /// Fetches `url` and has a model read it with `prompt`.
    WebFetch,
    /// Searches the web for `query`.
    WebSearch,
    /// The sub-agent tool: `Agent` in current Claude Code, `Task` in older releases.
    Agent,
    /// An MCP tool, `mcp__<server>__<tool>`.
    Mcp {
        /// The MCP server's configured name (`github`).
        server: String,
        /// The tool's name on that server (`create_issue`); empty when the name
        /// has no second `__`.
        tool: String,
    },
    /// Anything else (TodoWrite, ExitPlanMode, ...), kept by name.
    Other(String),
}

impl Tool {
    /// Classify a `tool_name`. Never fails: unknown names become
    /// [`Tool::Other`].
    pub fn from_name(name: &str) -> Tool {
        match name {
            "Bash" => Tool::Bash,
            "Read" => Tool::Read,
            "Write" => Tool::Write,
            "Edit" => Tool::Edit,
            "MultiEdit" => Tool::MultiEdit,
            "NotebookEdit" => Tool::NotebookEdit,
            "Glob" => Tool::Glob,
            "Grep" => Tool::Grep,
            "WebFetch" => Tool::WebFetch,
            "WebSearch" => Tool::WebSearch,
            "Agent" | "Task" => Tool::Agent,
            _ => match name.strip_prefix("mcp__") {
                Some(rest) => {
                    let (server, tool) = rest.split_once("__").unwrap_or((rest, ""));
                    Tool::Mcp {
                        server: server.to_string(),
                        tool: tool.to_string(),
                    }
                }
                None => Tool::Other(name.to_string()),
            },
        }
    }

    /// Tools that create or change a file on disk (one list, the one hook
    /// matchers use: [`ToolKind::FILE_WRITERS`]).
    pub fn writes_files(&self) -> bool {
        ToolKind::FILE_WRITERS.iter().any(|k| k.matches(self))
    }

    /// Tools that take a path and touch the file system.
    pub fn is_file_tool(&self) -> bool {
        self.writes_files() || matches!(self, Tool::Read | Tool::Glob | Tool::Grep)
    }

    /// Tools whose results come from outside the project (web, MCP servers).
    pub fn is_external(&self) -> bool {
        matches!(self, Tool::WebFetch | Tool::WebSearch | Tool::Mcp { .. })
    }

    /// Whether an MCP server provides the tool.
    pub fn is_mcp(&self) -> bool {
        matches!(self, Tool::Mcp { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_is_the_old_name_of_agent() {
        assert_eq!(Tool::from_name("Task"), Tool::Agent);
        assert_eq!(Tool::from_name("Agent"), Tool::Agent);
    }

    #[test]
    fn mcp_names_are_split_into_server_and_tool() {
        assert_eq!(
            Tool::from_name("mcp__github__create_issue"),
            Tool::Mcp {
                server: "github".into(),
                tool: "create_issue".into()
            }
        );
        assert!(Tool::from_name("mcp__x").is_external());
        assert!(!Tool::from_name("mcpx").is_mcp());
    }

    #[test]
    fn multiedit_and_notebookedit_write_files() {
        for name in ["Write", "Edit", "MultiEdit", "NotebookEdit"] {
            assert!(Tool::from_name(name).writes_files(), "{name}");
        }
        for name in ["Read", "Bash", "Glob", "TodoWrite"] {
            assert!(!Tool::from_name(name).writes_files(), "{name}");
        }
    }
}
