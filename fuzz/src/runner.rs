//! A plain runner for the fuzz targets, for machines without libFuzzer
//! (stable toolchains, CI smoke runs).
//!
//! It replays every file of the given corpus paths once, then, for
//! `--seconds`, mutates corpus entries at random (bit flips, byte
//! insertions and deletions, repeated slices, dictionary tokens, splices)
//! and runs the target on each mutant. There is no coverage feedback, so
//! this finds far less than libFuzzer; it exists so every target runs on
//! every CI build. A watchdog thread enforces a per-input time limit and a
//! resident-memory limit the way libFuzzer's `-timeout` and `-rss_limit_mb`
//! do. Any failure saves the input under `--artifacts` and exits 1.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::targets::Target;

const USAGE: &str = "usage: <target> [--seconds S] [--max-len BYTES] [--seed N] \
[--timeout S] [--rss-limit-mb MB] [--artifacts DIR] CORPUS_PATH...";

struct Config {
    seconds: f64,
    max_len: usize,
    seed: u64,
    timeout: Duration,
    rss_limit_mb: u64,
    artifacts: PathBuf,
    paths: Vec<PathBuf>,
}

fn parse_args(name: &str, args: &[String]) -> Result<Config, String> {
    let mut cfg = Config {
        seconds: 0.0,
        max_len: 64 << 10,
        seed: 0x5eed_a9e7_0b5e_55ed,
        timeout: Duration::from_secs(10),
        rss_limit_mb: 2048,
        artifacts: PathBuf::from("artifacts").join(name),
        paths: Vec::new(),
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |flag: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        let bad = |flag: &str, v: &str| format!("{flag}: `{v}` is not a valid value");
        match arg.as_str() {
            "--seconds" => {
                let v = value(arg)?;
                cfg.seconds = v.parse().map_err(|_| bad(arg, &v))?;
            }
            "--max-len" => {
                let v = value(arg)?;
                cfg.max_len = v.parse().map_err(|_| bad(arg, &v))?;
            }
            "--seed" => {
                let v = value(arg)?;
                cfg.seed = v.parse().map_err(|_| bad(arg, &v))?;
            }
            "--timeout" => {
                let v = value(arg)?;
                let s: f64 = v.parse().map_err(|_| bad(arg, &v))?;
                cfg.timeout = Duration::try_from_secs_f64(s).map_err(|_| bad(arg, &v))?;
            }
            "--rss-limit-mb" => {
                let v = value(arg)?;
                cfg.rss_limit_mb = v.parse().map_err(|_| bad(arg, &v))?;
            }
            "--artifacts" => cfg.artifacts = PathBuf::from(value(arg)?),
            "-h" | "--help" => return Err(USAGE.to_string()),
            p if !p.starts_with('-') => cfg.paths.push(PathBuf::from(p)),
            other => return Err(format!("unknown option `{other}`\n{USAGE}")),
        }
    }
    if cfg.paths.is_empty() {
        return Err(format!("no corpus path given\n{USAGE}"));
    }
    Ok(cfg)
}

/// Every file under the paths (directories are read recursively), sorted
/// for a reproducible order.
pub fn load_corpus(paths: &[PathBuf]) -> std::io::Result<Vec<(PathBuf, Vec<u8>)>> {
    let mut files = Vec::new();
    let mut stack: Vec<PathBuf> = paths.to_vec();
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            for entry in std::fs::read_dir(&p)? {
                stack.push(entry?.path());
            }
        } else if p.is_file() {
            files.push(p);
        } else if !p.exists() {
            // A corpus directory cargo-fuzz has not created yet.
            continue;
        }
    }
    files.sort();
    files
        .into_iter()
        .map(|p| std::fs::read(&p).map(|b| (p, b)))
        .collect()
}

/// Tokens of a libFuzzer dictionary file: one `"..."` (optionally
/// `name="..."`) per line, with `\\`, `\"` and `\xNN` escapes.
pub fn parse_dictionary(text: &str) -> Vec<Vec<u8>> {
    let mut tokens = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some(start) = line.find('"') else {
            continue;
        };
        let Some(body) = line[start + 1..].strip_suffix('"') else {
            continue;
        };
        let mut out = Vec::new();
        let bytes = body.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            match (bytes[i], bytes.get(i + 1)) {
                (b'\\', Some(b'x')) => {
                    let hex = body
                        .get(i + 2..i + 4)
                        .and_then(|h| u8::from_str_radix(h, 16).ok());
                    match hex {
                        Some(b) => {
                            out.push(b);
                            i += 4;
                        }
                        None => {
                            out.push(b'\\');
                            i += 1;
                        }
                    }
                }
                (b'\\', Some(&c)) => {
                    out.push(c);
                    i += 2;
                }
                (c, _) => {
                    out.push(c);
                    i += 1;
                }
            }
        }
        if !out.is_empty() {
            tokens.push(out);
        }
    }
    tokens
}

/// xorshift64*: small, fast, reproducible from `--seed`.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const INTERESTING_BYTES: &[u8] = &[
    0, 0x7f, 0x80, 0xc0, 0xe2, 0xef, 0xf0, 0xf3, 0xff, b'"', b'\\', b'{', b'}', b'[', b']', b'\n',
    b'$', b'`', b'\'', b'|', b';', b'&', b'(', b')', b'<', b'>',
];

fn mutate(rng: &mut Rng, data: &mut Vec<u8>, corpus: &[Vec<u8>], dict: &[Vec<u8>], max_len: usize) {
    for _ in 0..=rng.below(4) {
        let len = data.len();
        match rng.below(9) {
            0 if len > 0 => {
                let i = rng.below(len);
                data[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                data[i] = INTERESTING_BYTES[rng.below(INTERESTING_BYTES.len())];
            }
            2 => {
                let i = rng.below(len + 1);
                let n = 1 + rng.below(8);
                let bytes: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
                data.splice(i..i, bytes);
            }
            3 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(64));
                data.drain(i..i + n);
            }
            4 if len > 0 => {
                // Repeat a slice: nesting, long runs, bombs.
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(32));
                let slice = data[i..i + n].to_vec();
                let most = if rng.below(8) == 0 { 2000 } else { 16 };
                let times = 1 + rng.below(most);
                let at = i + n;
                data.splice(at..at, slice.iter().copied().cycle().take(n * times));
            }
            5 | 6 if !dict.is_empty() => {
                let token = &dict[rng.below(dict.len())];
                let i = rng.below(len + 1);
                data.splice(i..i, token.iter().copied());
            }
            7 if !corpus.is_empty() => {
                let other = &corpus[rng.below(corpus.len())];
                if !other.is_empty() {
                    let from = rng.below(other.len());
                    let n = 1 + rng.below(other.len() - from);
                    let i = rng.below(len + 1);
                    data.splice(i..i, other[from..from + n].iter().copied());
                }
            }
            8 if len > 0 => data.truncate(rng.below(len)),
            _ => {}
        }
        data.truncate(max_len);
    }
}

/// FNV-1a, to name an artifact after its contents.
fn fingerprint(data: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in data {
        h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
    }
    format!("{h:016x}")
}

fn save_artifact(dir: &Path, kind: &str, data: &[u8]) -> PathBuf {
    let path = dir.join(format!("{kind}-{}", fingerprint(data)));
    if let Err(e) = std::fs::create_dir_all(dir).and_then(|()| std::fs::write(&path, data)) {
        eprintln!("could not save {}: {e}", path.display());
    }
    path
}

/// Resident set size of this process in MiB, where /proc exists.
fn rss_mb() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096 / (1 << 20))
}

/// What the watchdog needs to know about the input being run.
struct Current {
    /// Milliseconds since the runner started at which the input began, or
    /// `u64::MAX` between inputs.
    started_ms: AtomicU64,
    input: Mutex<Vec<u8>>,
}

fn start_watchdog(cfg: &Config, current: Arc<Current>, epoch: Instant) {
    let timeout_ms = cfg.timeout.as_millis() as u64;
    let rss_limit = cfg.rss_limit_mb;
    let artifacts = cfg.artifacts.clone();
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_millis(100));
        let started = current.started_ms.load(Ordering::SeqCst);
        if started == u64::MAX {
            continue;
        }
        let now = epoch.elapsed().as_millis() as u64;
        let over_time = now.saturating_sub(started) > timeout_ms;
        let rss = rss_mb();
        let over_memory = rss.is_some_and(|r| r > rss_limit);
        if over_time || over_memory {
            let input = current.input.lock().map(|g| g.clone()).unwrap_or_default();
            let (kind, what) = if over_time {
                ("timeout", format!("ran longer than {timeout_ms} ms"))
            } else {
                ("oom", format!("resident memory {} MiB", rss.unwrap_or(0)))
            };
            let path = save_artifact(&artifacts, kind, &input);
            eprintln!(
                "FAIL: an input {what} ({} bytes), saved as {}",
                input.len(),
                path.display()
            );
            std::process::exit(1);
        }
    });
}

/// Run one input; on a panic save it and exit 1.
fn run_one(target: Target, data: &[u8], current: &Current, epoch: Instant, cfg: &Config) {
    if let Ok(mut g) = current.input.lock() {
        g.clear();
        g.extend_from_slice(data);
    }
    current
        .started_ms
        .store(epoch.elapsed().as_millis() as u64, Ordering::SeqCst);
    let result = catch_unwind(AssertUnwindSafe(|| target(data)));
    current.started_ms.store(u64::MAX, Ordering::SeqCst);
    if result.is_err() {
        let path = save_artifact(&cfg.artifacts, "crash", data);
        eprintln!(
            "FAIL: the target panicked on a {}-byte input, saved as {}",
            data.len(),
            path.display()
        );
        std::process::exit(1);
    }
}

/// Entry point of a target binary built without libFuzzer.
pub fn main(name: &str, target: Target, dictionary: &str) {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cfg = match parse_args(name, &args) {
        Ok(cfg) => cfg,
        Err(msg) => {
            eprintln!("{name}: {msg}");
            std::process::exit(2);
        }
    };
    let corpus = match load_corpus(&cfg.paths) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{name}: cannot read the corpus: {e}");
            std::process::exit(2);
        }
    };
    let dict = parse_dictionary(dictionary);
    let epoch = Instant::now();
    let current = Arc::new(Current {
        started_ms: AtomicU64::new(u64::MAX),
        input: Mutex::new(Vec::new()),
    });
    start_watchdog(&cfg, Arc::clone(&current), epoch);

    for (path, data) in &corpus {
        let before = Instant::now();
        run_one(target, data, &current, epoch, &cfg);
        let took = before.elapsed();
        if took > Duration::from_secs(1) {
            eprintln!("{name}: slow input {} ({took:?})", path.display());
        }
    }
    let replayed = corpus.len();
    let seeds: Vec<Vec<u8>> = corpus.into_iter().map(|(_, d)| d).collect();
    let mut rng = Rng(cfg.seed | 1);
    let mut mutated = 0u64;
    let deadline = Duration::try_from_secs_f64(cfg.seconds.max(0.0)).unwrap_or(Duration::ZERO);
    let fuzz_start = Instant::now();
    while fuzz_start.elapsed() < deadline {
        let mut data = if seeds.is_empty() {
            Vec::new()
        } else {
            seeds[rng.below(seeds.len())].clone()
        };
        mutate(&mut rng, &mut data, &seeds, &dict, cfg.max_len);
        run_one(target, &data, &current, epoch, &cfg);
        mutated += 1;
    }
    println!(
        "{name}: {replayed} corpus inputs replayed, {mutated} mutants run in {:.1}s (seed {}), no failure",
        fuzz_start.elapsed().as_secs_f64(),
        cfg.seed
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dictionary_lines_are_unescaped() {
        let dict = "# comment\n\"plain\"\nkw=\"a\\\"b\"\n\"\\xe2\\x80\\x8b\"\n\"back\\\\slash\"\n\nbroken\n";
        assert_eq!(
            parse_dictionary(dict),
            vec![
                b"plain".to_vec(),
                b"a\"b".to_vec(),
                vec![0xe2, 0x80, 0x8b],
                b"back\\slash".to_vec(),
            ]
        );
    }

    #[test]
    fn mutation_respects_the_length_limit_and_is_reproducible() {
        let corpus = vec![b"{\"a\":[1,2,3]}".to_vec()];
        let dict = vec![b"$(".to_vec()];
        let run = |seed| {
            let mut rng = Rng(seed);
            let mut out = Vec::new();
            for _ in 0..500 {
                let mut d = corpus[0].clone();
                mutate(&mut rng, &mut d, &corpus, &dict, 100);
                assert!(d.len() <= 100);
                out.push(d);
            }
            out
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(9));
    }
}
