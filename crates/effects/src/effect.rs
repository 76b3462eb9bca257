//! The effects a command can have.

use std::fmt;

/// One thing a command does, as rules see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Effect {
    /// Reads local files or state.
    Read,
    /// Writes a local file (the target says where).
    Write,
    /// Deletes local files (the target says what).
    Delete,
    /// Destroys local data irreversibly (a database table, a disk, a shredded file).
    Destroy,
    /// Fetches from the network without sending local data.
    NetworkRead,
    /// Sends local data over the network.
    NetworkSend,
    /// Changes something remote: a repository, a cloud, a cluster, a database server.
    RemoteMutation,
    /// Deletes something remote: a repository, a bucket, a cluster, a database.
    RemoteDestroy,
    /// Publishes or deploys: a package to a registry, a site, a release.
    Publish,
    /// Downloads code and runs it without a look in between.
    CodeDownloadRun,
    /// Gains or hands out privilege: setuid, groups, capabilities, sudoers.
    Privilege,
    /// Makes something run later by itself: shell start-up files, cron,
    /// services, autostart entries, tools shadowed on PATH, registry settings.
    Persistence,
    /// Reads a secret: a credential, a token, a private key.
    SecretRead,
    /// Changes agentops itself or the hooks that run it.
    GuardTamper,
    /// Controls processes or the system: kill, mount, sysctl, modules.
    ProcessControl,
    /// Gives a container access to its host (privileged, host mounts, host namespaces).
    HostAccess,
    /// Installs packages from a registry.
    PackageInstall,
    /// Installs or fetches code from a URL, a git remote or an unknown index.
    UntrustedSource,
    /// Rewrites history others share (force push, reflog expiry, filter-branch).
    HistoryRewrite,
    /// Configures a program to run later (git pager, hooks path, ssh command, …).
    ExecConfig,
    /// Weakens transport security (TLS verification off, insecure protocols).
    WeakenTransport,
    /// Runs code given to it (a script, a recipe, a package script).
    RunsCode,
}

impl Effect {
    /// Every effect, in declaration order.
    pub const ALL: &'static [Effect] = &[
        Effect::Read,
        Effect::Write,
        Effect::Delete,
        Effect::Destroy,
        Effect::NetworkRead,
        Effect::NetworkSend,
        Effect::RemoteMutation,
        Effect::RemoteDestroy,
        Effect::Publish,
        Effect::CodeDownloadRun,
        Effect::Privilege,
        Effect::Persistence,
        Effect::SecretRead,
        Effect::GuardTamper,
        Effect::ProcessControl,
        Effect::HostAccess,
        Effect::PackageInstall,
        Effect::UntrustedSource,
        Effect::HistoryRewrite,
        Effect::ExecConfig,
        Effect::WeakenTransport,
        Effect::RunsCode,
    ];

    /// The kebab-case name used in `kb/*.toml` and in listings.
    pub fn name(self) -> &'static str {
        match self {
            Effect::Read => "read",
            Effect::Write => "write",
            Effect::Delete => "delete",
            Effect::Destroy => "destroy",
            Effect::NetworkRead => "network-read",
            Effect::NetworkSend => "network-send",
            Effect::RemoteMutation => "remote-mutation",
            Effect::RemoteDestroy => "remote-destroy",
            Effect::Publish => "publish",
            Effect::CodeDownloadRun => "code-download-run",
            Effect::Privilege => "privilege",
            Effect::Persistence => "persistence",
            Effect::SecretRead => "secret-read",
            Effect::GuardTamper => "guard-tamper",
            Effect::ProcessControl => "process-control",
            Effect::HostAccess => "host-access",
            Effect::PackageInstall => "package-install",
            Effect::UntrustedSource => "untrusted-source",
            Effect::HistoryRewrite => "history-rewrite",
            Effect::ExecConfig => "exec-config",
            Effect::WeakenTransport => "weaken-transport",
            Effect::RunsCode => "runs-code",
        }
    }

    /// Whether the effect leaves everything outside the working tree as it
    /// was and sends nothing away (the permission autopilot's "safe").
    pub fn is_local_only(self) -> bool {
        matches!(
            self,
            Effect::Read | Effect::Write | Effect::Delete | Effect::NetworkRead
        )
    }
}

impl fmt::Display for Effect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
