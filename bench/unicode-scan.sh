#!/usr/bin/env bash
# Throughput of `agentops scan unicode` on a generated ~200 MB source tree.
#
# Generates the tree in a temp dir (code-like text, mostly ASCII with some
# accents, CJK and emoji, a few planted invisible characters), warms the
# page cache and the scan's metadata cache, then times:
#   1. a full scan that reads every file (--no-cache; page cache warm);
#   2. a repeated scan that reuses the metadata cache (what a session sees).
# Uses hyperfine when installed (apt-get install -y hyperfine), else a loop.
#
# Usage: bench/unicode-scan.sh [SIZE_MB]      (default 200)
# Env:   AGENTOPS_BIN  binary to time (default: target/release/agentops,
#                      built if missing)
#        KEEP=1        keep the generated tree
set -euo pipefail

size_mb="${1:-200}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
bin="${AGENTOPS_BIN:-$repo/target/release/agentops}"
if [ ! -x "$bin" ]; then
  (cd "$repo" && cargo build --release --quiet)
fi

tree="$(mktemp -d -t agentops-unicode-bench.XXXXXX)"
if [ "${KEEP:-0}" != 1 ]; then
  trap 'rm -rf "$tree"' EXIT
fi

python3 - "$tree" "$size_mb" <<'PY'
import os, random, sys
root, size_mb = sys.argv[1], int(sys.argv[2])
rng = random.Random(42)
words = ("const let return function if else for while match impl struct enum "
         "self import from export default async await value result error config "
         "request response handler buffer index count length parse render").split()
extras = ["café", "naïve", "日本語", "数据", "✅", "🚀", "👩\u200d💻", "❤\ufe0f", "— “quoted” …"]
exts = ["rs", "ts", "js", "py", "go", "md", "json", "yaml", "java", "c"]
target = size_mb * 1024 * 1024
total, n = 0, 0
while total < target:
    d = os.path.join(root, f"pkg{n // 200:03}", f"mod{(n // 20) % 10}")
    os.makedirs(d, exist_ok=True)
    # File sizes from 2 KiB to ~200 KiB, skewed small like real trees.
    size = int(2048 * (100 ** rng.random()))
    lines = []
    length = 0
    while length < size:
        indent = " " * (4 * rng.randint(0, 3))
        line = indent + " ".join(rng.choice(words) for _ in range(rng.randint(3, 12)))
        if rng.random() < 0.02:
            line += " // " + rng.choice(extras)
        line += ";"
        lines.append(line)
        length += len(line.encode()) + 1
    text = "\n".join(lines) + "\n"
    if n % 500 == 7:  # a few planted findings
        text = text.replace(";", "\u200b;", 1)
    path = os.path.join(d, f"file{n}.{exts[n % len(exts)]}")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    total += len(text.encode())
    n += 1
print(f"generated {n} files, {total / 1048576:.1f} MiB in {root}", file=sys.stderr)
PY

mkdir -p "$tree/.agentops"
bytes=$(find "$tree" -type f -not -path '*/.agentops/*' -printf '%s\n' | awk '{s+=$1} END {print s}')
files=$(find "$tree" -type f -not -path '*/.agentops/*' | wc -l)

# Warm the page cache and the metadata cache.
cat $(find "$tree" -type f -not -path '*/.agentops/*') > /dev/null
"$bin" scan unicode "$tree" > /dev/null || true

gib() { awk -v b="$bytes" -v s="$1" 'BEGIN { printf "%.2f", b / s / 1073741824 }'; }

time_cmd() { # label, command...
  local label="$1"; shift
  local mean cpu="n/a"
  if command -v hyperfine > /dev/null; then
    local json
    json="$(mktemp)"
    hyperfine --warmup 2 --runs 10 -i --export-json "$json" -N "$*" > /dev/null 2>&1
    read -r mean cpu < <(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print(r["mean"], r["user"] + r["system"])' "$json")
    rm -f "$json"
  else
    local start end
    start=$(date +%s.%N)
    for _ in 1 2 3 4 5; do "$@" > /dev/null || true; done
    end=$(date +%s.%N)
    mean=$(awk -v a="$start" -v b="$end" 'BEGIN { print (b - a) / 5 }')
  fi
  local cpu_ms="n/a" per_cpu="n/a"
  if [ "$cpu" != "n/a" ]; then
    cpu_ms=$(awk -v c="$cpu" 'BEGIN { printf "%.1f", c * 1000 }')
    per_cpu=$(gib "$cpu")
  fi
  printf '%-34s %8.1f ms wall  %6s GiB/s  | %7s ms CPU  %6s GiB per CPU-second\n' \
    "$label" "$(awk -v m="$mean" 'BEGIN { print m * 1000 }')" "$(gib "$mean")" "$cpu_ms" "$per_cpu"
}

echo "tree: $files files, $(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }') MiB; $(nproc) cores; load average $(cut -d" " -f1-3 /proc/loadavg); $("$bin" --version)"
time_cmd "full scan (--no-cache, warm fs)" "$bin" scan unicode --no-cache "$tree"
time_cmd "repeat scan (metadata cache)" "$bin" scan unicode "$tree"
