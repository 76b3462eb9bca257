//! Plain-text checks on inline interpreter code (`python -c`, `node -e`, …):
//! network calls, environment reads, and the file names it mentions.

/// Substrings that mean the program talks to the network.
const NETWORK_CALLS: &[&str] = &[
    // Python
    "requests.",
    "urllib",
    "http.client",
    "httplib",
    "urlopen",
    "socket.",
    "aiohttp",
    "httpx",
    "ftplib",
    "smtplib",
    "paramiko",
    "pycurl",
    // JavaScript (Node, Deno, Bun)
    "fetch(",
    "http.request",
    "https.request",
    "http.get",
    "https.get",
    "net.connect",
    "net.createConnection",
    "tls.connect",
    "dgram",
    "axios",
    "XMLHttpRequest",
    "WebSocket",
    // Ruby
    "Net::HTTP",
    "open-uri",
    "URI.open",
    "TCPSocket",
    "HTTParty",
    "Faraday",
    "RestClient",
    // Perl
    "LWP",
    "HTTP::Tiny",
    "IO::Socket",
    "Net::FTP",
    "Net::SMTP",
    // PHP
    "curl_exec",
    "curl_init",
    "fsockopen",
    "stream_socket_client",
    "file_get_contents('http",
    "file_get_contents(\"http",
    "fopen('http",
    "fopen(\"http",
];

/// Substrings that read the whole environment or one variable of it.
const ENV_READS: &[&str] = &[
    "os.environ",
    "os.getenv",
    "getenv(",
    "process.env",
    "Deno.env",
    "Bun.env",
    "ENV[",
    "ENV.to_h",
    "%ENV",
    "$ENV{",
    "$_ENV",
    "/proc/self/environ",
];

pub(crate) fn network_call(code: &str) -> bool {
    NETWORK_CALLS.iter().any(|p| code.contains(p))
}

pub(crate) fn env_read(code: &str) -> bool {
    ENV_READS.iter().any(|p| code.contains(p))
}

/// Path-like tokens of a program: the text between quotes, spaces and
/// punctuation.
pub(crate) fn tokens(code: &str) -> impl Iterator<Item = &str> {
    code.split(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '"' | '\'' | '`' | '(' | ')' | ',' | ';' | '[' | ']' | '{' | '}' | '+' | '='
            )
    })
    .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_network_and_env_reads() {
        assert!(network_call("import requests; requests.post('x')"));
        assert!(network_call("fetch('https://x', {method:'POST'})"));
        assert!(network_call("require 'net/http'; Net::HTTP.post"));
        assert!(!network_call("print(open('a').read())"));
        assert!(env_read("dict(os.environ)"));
        assert!(env_read("JSON.stringify(process.env)"));
        assert!(!env_read("print(1)"));
        assert_eq!(
            tokens("open('.env').read()").collect::<Vec<_>>(),
            ["open", ".env", ".read"]
        );
    }
}
