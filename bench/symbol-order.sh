#!/usr/bin/env bash
# Regenerate link/hook-symbols.txt: the functions a hook process runs, in
# the order it first runs them, then the data it reads (tables, constants)
# in the order it first reads them, for the linker to place together.
#
# A hook process touches a few hundred functions spread over 8 MB of code;
# every 64 KiB window of code it touches costs a page fault. Laid out
# together they cost a fifth fewer faults and about 9% of a Bash hook's wall
# time (docs/PERFORMANCE.md). Symbols that are no longer in the binary are
# ignored by the linker, so a stale list costs speed, never correctness;
# rerun this after large changes to the hook path.
#
# Usage: bench/symbol-order.sh   (needs valgrind; builds the release binary)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind is required" >&2; exit 1; }
cargo build --release --quiet
bin=$(realpath target/release/agentops)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
project="$work/project"
mkdir -p "$project/src" "$project/tasks" "$project/.agentops"
printf 'pub fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n' >"$project/src/lib.rs"
printf '# Plan\n\n- [ ] add the parser\n' >"$project/tasks/todo.md"
common='"session_id":"order","transcript_path":"'"$work"'/t.jsonl","cwd":"'"$project"'","permission_mode":"default"'
run() { # event payload-fields
  printf '{%s,%s}\n' "$common" "$2" >"$work/payload.json"
  CLAUDE_PROJECT_DIR="$project" valgrind --tool=callgrind --demangle=no \
    --callgrind-out-file="$work/cg.$((n += 1))" "$bin" hook "$1" <"$work/payload.json" >/dev/null 2>&1
  # Every address it reads and writes, for the data it uses.
  CLAUDE_PROJECT_DIR="$project" valgrind --tool=lackey --trace-mem=yes \
    --log-file="$work/mem.$n" "$bin" hook "$1" <"$work/payload.json" >/dev/null 2>&1
}
n=0
for i in 1 2; do # the second round sees the logs the first one created
  run PreToolUse '"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"git status --short && cargo test 2>&1 | tail -n 5"}'
  run PreToolUse '"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"find ./src -name \"*.rs\" -not -path \"*/target/*\" | xargs grep -n -E \"TODO|FIXME\" | sort | uniq -c | sort -rn | head -n 20"}'
  run PreToolUse '"hook_event_name":"PreToolUse","tool_name":"Write","tool_input":{"file_path":"'"$project"'/src/lib.rs","content":"pub fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n"}'
  run PreToolUse '"hook_event_name":"PreToolUse","tool_name":"Edit","tool_input":{"file_path":"'"$project"'/src/lib.rs","old_string":"a + b","new_string":"a.wrapping_add(b)"}'
  run PreToolUse '"hook_event_name":"PreToolUse","tool_name":"Read","tool_input":{"file_path":"'"$project"'/src/lib.rs"}'
  run PostToolUse '"hook_event_name":"PostToolUse","tool_name":"Write","tool_input":{"file_path":"'"$project"'/src/lib.rs","content":"x"},"tool_response":{"success":true}'
  run UserPromptSubmit '"hook_event_name":"UserPromptSubmit","prompt":"Add a subtract function with tests."'
  run Stop '"hook_event_name":"Stop","stop_hook_active":false'
  run SessionStart '"hook_event_name":"SessionStart","source":"startup"'
done
nm "$bin" | awk '$2 ~ /[tTwW]/ {print $3}' >"$work/symbols"
# Read-only and initialised data (tables, constants): address, size, name.
nm -n -S --defined-only "$bin" | awk 'NF == 4 && $3 ~ /[rRdD]/ {print $1, $2, $4}' >"$work/data"
python3 - "$work" <<'PY' >link/hook-symbols.txt
import bisect, glob, re, sys
work = sys.argv[1]
runs = lambda prefix: sorted(glob.glob(f"{work}/{prefix}.*"), key=lambda p: int(p.rsplit(".", 1)[1]))
known = set(open(f"{work}/symbols").read().split())
seen, order = set(), []
for f in runs("cg"):
    for line in open(f, errors="replace"):
        m = re.match(r"^c?fn=\(\d+\) (\S+)$", line.strip())
        if m and m.group(1) in known and m.group(1) not in seen:
            seen.add(m.group(1))
            order.append(m.group(1))
# Then the data symbols the hooks touch, in the order they first do: the
# linker packs them together too, so their scattered pages become a few.
data = sorted((int(a, 16), int(s, 16), n) for a, s, n in (l.split() for l in open(f"{work}/data")))
starts = [d[0] for d in data]
for f in runs("mem"):
    for line in open(f, errors="replace"):
        if len(line) < 4 or line[1] not in "LSM":
            continue
        try:
            at = int(line[3:line.index(",")], 16)
        except ValueError:
            continue
        i = bisect.bisect_right(starts, at) - 1
        if i >= 0:
            start, size, name = data[i]
            if start <= at < start + max(size, 1) and name not in seen:
                seen.add(name)
                order.append(name)
print("\n".join(order))
PY
echo "link/hook-symbols.txt: $(wc -l <link/hook-symbols.txt) functions and data" >&2
