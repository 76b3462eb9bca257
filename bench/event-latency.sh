#!/usr/bin/env bash
# Process-level latency of `agentops hook` per event, against the
# process-spawn floor, in one run.
#
# One run times `/bin/true` and one realistic payload per event:
# PreToolUse for a short Bash command, a 2 KB pipeline, a small Write, an
# 8 KB Write, an Edit and a Read; PostToolUse (a Write); UserPromptSubmit;
# Stop; SessionStart in a small project and in an unchanged 5,000-file
# project (SessionStart only starts the session's Unicode scan, which runs
# in the background: `agentops session-scan`; its cache is warmed first).
# All but the big project share one throwaway project, so audit, telemetry
# and the other logs grow during the run as they do in a session. It
# prints the machine's load, then the per-call median and 95th percentile
# of each and the ratio to the floor, with the goal: 2x for tool-call
# events, 10x for SessionStart.
#
# Each measured command is a bash loop of BATCH calls, each reading its
# payload through a redirect, so what the shell's own start adds (timed
# alone and taken off) is one shell start per BATCH process starts: on a
# loaded machine that correction is noisy enough to make a single short
# command look faster than /bin/true. The rows are timed interleaved,
# round by round (see below), because this machine's speed drifts.
#
# Usage: bench/event-latency.sh [path/to/agentops]   (default: target/release/agentops)
# RUNS (default 30) and BATCH (default 20) set the rounds and the calls per row and round;
# KEEP=1 keeps the payloads and projects and prints where.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/agentops}
[ -x "$bin" ] || cargo build --release --quiet
bin=$(realpath "$bin")

work=$(mktemp -d)
# KEEP=1 keeps the projects and payloads (for profiling one of them).
# The SessionStart rows leave background scans running (`agentops
# session-scan`, one lock per project): wait for them before cleaning up.
cleanup() {
  for lock in "$work"/*/.agentops/unicode-scan.lock; do
    [ -e "$lock" ] && flock "$lock" true
  done
  rm -rf "$work" 2>/dev/null || { sleep 1; rm -rf "$work"; }
}
if [ -n "${KEEP:-}" ]; then echo "payloads in $work" >&2; else trap cleanup EXIT; fi
project="$work/project"
mkdir -p "$project/src" "$project/tasks"
printf 'pub fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n' >"$project/src/lib.rs"
printf '# Plan\n\n- [ ] add the parser\n- [x] write the tests\n' >"$project/tasks/todo.md"
# A short transcript, so Stop's cost accounting has something to read.
transcript="$work/transcript.jsonl"
for i in 1 2 3; do
  printf '{"type":"assistant","requestId":"req_%s","message":{"id":"msg_%s","model":"claude-sonnet-4-5","usage":{"input_tokens":1200,"output_tokens":300}}}\n' "$i" "$i"
done >"$transcript"

# A 5,000-file project: 50 directories of 100 small source files.
big="$work/big"
python3 - "$big" <<'PY'
import os, sys
root = sys.argv[1]
for d in range(50):
    os.makedirs(f"{root}/src/m{d}", exist_ok=True)
    for f in range(100):
        with open(f"{root}/src/m{d}/f{f}.rs", "w") as out:
            out.write(f"// module {d} file {f}\npub fn f{f}() -> u32 {{\n    {d * 100 + f}\n}}\n")
PY

# JSON string bodies: a 2 KB pipeline and 8 KB of Rust source.
pipeline=$(python3 -c '
parts = []
i = 0
while len(" && ".join(parts)) < 2000:
    parts.append(f"find ./crates/c{i} -name \\\"*.rs\\\" -not -path \\\"*/target/*\\\" | xargs grep -n -E \\\"TODO|FIXME|unwrap\\\\\\\\(\\\" | sort | uniq -c | sort -rn | head -n {20 + i}")
    i += 1
print(" && ".join(parts))')
rust8k=$(python3 -c '
import json
body = "".join(f"/// Adds {i}.\npub fn add_{i}(a: i32, b: i32) -> i32 {{\n    a.wrapping_add(b).wrapping_add({i})\n}}\n\n" for i in range(110))
print(json.dumps(body)[1:-1])')

common='"session_id":"bench","transcript_path":"'"$transcript"'","cwd":"'"$project"'","permission_mode":"default"'
payload() { printf '{%s,%s}\n' "$common" "$2" >"$work/$1.json"; }
payload pre-bash '"hook_event_name":"PreToolUse","tool_name":"Bash","tool_use_id":"toolu_1","tool_input":{"command":"cargo test --workspace 2>&1 | tail -n 20","description":"Run the tests"}'
payload pre-bash-2k '"hook_event_name":"PreToolUse","tool_name":"Bash","tool_use_id":"toolu_1","tool_input":{"command":"'"$pipeline"'","description":"Count the markers"}'
payload pre-write '"hook_event_name":"PreToolUse","tool_name":"Write","tool_use_id":"toolu_2","tool_input":{"file_path":"'"$project"'/src/lib.rs","content":"pub fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn adds() {\n        assert_eq!(super::add(2, 2), 4);\n    }\n}\n"}'
payload pre-write-8k '"hook_event_name":"PreToolUse","tool_name":"Write","tool_use_id":"toolu_2","tool_input":{"file_path":"'"$project"'/src/add.rs","content":"'"$rust8k"'"}'
payload pre-edit '"hook_event_name":"PreToolUse","tool_name":"Edit","tool_use_id":"toolu_4","tool_input":{"file_path":"'"$project"'/src/lib.rs","old_string":"    a + b\n","new_string":"    a.wrapping_add(b)\n","replace_all":false}'
payload pre-read '"hook_event_name":"PreToolUse","tool_name":"Read","tool_use_id":"toolu_3","tool_input":{"file_path":"'"$project"'/src/lib.rs"}'
payload post-write '"hook_event_name":"PostToolUse","tool_name":"Write","tool_use_id":"toolu_2","tool_input":{"file_path":"'"$project"'/src/lib.rs","content":"pub fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n"},"tool_response":{"filePath":"'"$project"'/src/lib.rs","success":true}'
payload prompt '"hook_event_name":"UserPromptSubmit","prompt":"Add a subtract function next to add in src/lib.rs, with a unit test that covers negative numbers and overflow, then run the tests and tell me what changed. Keep the public API as it is and do not touch the benches."'
payload stop '"hook_event_name":"Stop","stop_hook_active":false'
payload session-start '"hook_event_name":"SessionStart","source":"startup"'
printf '{"session_id":"bench","transcript_path":"%s","cwd":"%s","permission_mode":"default","hook_event_name":"SessionStart","source":"startup"}\n' \
  "$transcript" "$big" >"$work/session-start-big.json"

export CLAUDE_PROJECT_DIR="$project"
unset AGENTOPS_MODE AGENTOPS_FAULT CLAUDE_PLUGIN_ROOT
# Warm the big project's scan cache, as every session after the first finds it.
"$bin" session-scan --project "$big"

batch=${BATCH:-20}
loop() { printf 'for i in {1..%s}; do %s < %s >/dev/null; done' "$batch" "$1" "$work/$2.json"; }
rows=(
  "spawn floor (/bin/true)" "$(loop /bin/true pre-bash)"
  "PreToolUse Bash" "$(loop "$bin hook PreToolUse" pre-bash)"
  "PreToolUse Bash 2 KB" "$(loop "$bin hook PreToolUse" pre-bash-2k)"
  "PreToolUse Write" "$(loop "$bin hook PreToolUse" pre-write)"
  "PreToolUse Write 8 KB" "$(loop "$bin hook PreToolUse" pre-write-8k)"
  "PreToolUse Edit" "$(loop "$bin hook PreToolUse" pre-edit)"
  "PreToolUse Read" "$(loop "$bin hook PreToolUse" pre-read)"
  "PostToolUse Write" "$(loop "$bin hook PostToolUse" post-write)"
  "UserPromptSubmit" "$(loop "$bin hook UserPromptSubmit" prompt)"
  "Stop" "$(loop "$bin hook Stop" stop)"
  "SessionStart" "$(loop "$bin hook SessionStart" session-start)"
  "SessionStart 5,000 files" "$(loop "CLAUDE_PROJECT_DIR=$big $bin hook SessionStart" session-start-big)"
)

# Timing. This shared machine's speed drifts within a run by as much as
# 40 %, so the rows are not timed one after the other (as hyperfine
# would): each round times every row once, in an order that rotates from
# round to round, plus the shell alone (`:` in place of the command). A
# row's ratio is the median over the rounds of its time over the floor's
# time in the same round, both less the shell's, so drift cancels out.
python3 - "$batch" "${RUNS:-30}" "${rows[@]}" <<'PY'
import os, statistics, subprocess, sys, time

batch, runs = int(sys.argv[1]), int(sys.argv[2])
pairs = sys.argv[3:]
rows = [(pairs[i], pairs[i + 1]) for i in range(0, len(pairs), 2)]
shell = ("shell alone", f"for i in {{1..{batch}}}; do :; done")
timed = [shell] + rows

def background_scans():
    """Whether a `session-scan` that a SessionStart row started still runs."""
    for pid in os.listdir("/proc"):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if b"session-scan" in f.read():
                    return True
        except (OSError, ValueError):
            pass
    return False

def run(script):
    start = time.perf_counter()
    subprocess.run(["bash", "-c", script], check=True)
    elapsed = time.perf_counter() - start
    # Untimed: let the scans SessionStart started finish, or they would
    # slow whichever row comes next.
    while background_scans():
        time.sleep(0.005)
    return elapsed

load_before = open("/proc/loadavg").read().split()[:3]
for _, script in timed * 3:  # warm-up: caches, the scan cache, the logs
    run(script)
times = {name: [] for name, _ in timed}
for r in range(runs):
    k = r % len(timed)
    for name, script in timed[k:] + timed[:k]:
        times[name].append(run(script))
load_after = open("/proc/loadavg").read().split()[:3]

print(f"load average before: {' '.join(load_before)}; after: {' '.join(load_after)}; "
      f"{runs} rounds of {batch} calls per row, interleaved")
print(f"{'per call':<26} {'median':>9} {'p95':>9} {'ratio':>7} {'goal':>6}")
def per_call(name):
    """Each round's time per call, less the shell's start in that round."""
    return [(t - s) / batch for t, s in zip(times[name], times[shell[0]])]

floor_name = rows[0][0]
floor = per_call(floor_name)
for name, _ in rows:
    this = per_call(name)
    ratio = statistics.median(p / f for p, f in zip(this, floor))
    ordered = sorted(this)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    goal = "" if name == floor_name else ("10x" if name.startswith("SessionStart") else "2x")
    print(f"{name:<26} {statistics.median(this)*1e6:7.0f}us {p95*1e6:7.0f}us {ratio:6.2f}x {goal:>6}")
PY
