#!/usr/bin/env bash
# Process-level latency of `agentops hook` per event, against the
# process-spawn floor.
#
# One hyperfine run times `/bin/true` and one realistic payload per event:
# PreToolUse for Bash, Write and Read, PostToolUse (a Write), SessionStart
# and Stop, all against the same throwaway project, so audit, telemetry and
# the other logs grow during the run as they do in a session. It prints the
# per-call median and 95th percentile of each and the ratio to the floor.
#
# Each measured command is a bash loop of BATCH calls, each reading its
# payload through a redirect, so what hyperfine's shell correction has to
# remove is one shell start per BATCH process starts: on a loaded machine
# that correction is noisy enough to make a single short command look
# faster than /bin/true, or take no time at all.
#
# Usage: bench/event-latency.sh [path/to/agentops]   (default: target/release/agentops)
# RUNS (default 40) and BATCH (default 20) set the runs and the calls per run.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/agentops}
[ -x "$bin" ] || cargo build --release --quiet
bin=$(realpath "$bin")
command -v hyperfine >/dev/null || { echo "hyperfine is required (apt-get install hyperfine)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
project="$work/project"
mkdir -p "$project/src" "$project/tasks"
printf 'pub fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n' >"$project/src/lib.rs"
printf '# Plan\n\n- [ ] add the parser\n- [x] write the tests\n' >"$project/tasks/todo.md"
# A short transcript, so Stop's cost accounting has something to read.
transcript="$work/transcript.jsonl"
for i in 1 2 3; do
  printf '{"type":"assistant","requestId":"req_%s","message":{"id":"msg_%s","model":"claude-sonnet-4-5","usage":{"input_tokens":1200,"output_tokens":300}}}\n' "$i" "$i"
done >"$transcript"

common='"session_id":"bench","transcript_path":"'"$transcript"'","cwd":"'"$project"'","permission_mode":"default"'
payload() { printf '{%s,%s}\n' "$common" "$2" >"$work/$1.json"; }
payload pre-bash '"hook_event_name":"PreToolUse","tool_name":"Bash","tool_use_id":"toolu_1","tool_input":{"command":"cargo test --workspace 2>&1 | tail -n 20","description":"Run the tests"}'
payload pre-write '"hook_event_name":"PreToolUse","tool_name":"Write","tool_use_id":"toolu_2","tool_input":{"file_path":"'"$project"'/src/lib.rs","content":"pub fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn adds() {\n        assert_eq!(super::add(2, 2), 4);\n    }\n}\n"}'
payload pre-read '"hook_event_name":"PreToolUse","tool_name":"Read","tool_use_id":"toolu_3","tool_input":{"file_path":"'"$project"'/src/lib.rs"}'
payload post-write '"hook_event_name":"PostToolUse","tool_name":"Write","tool_use_id":"toolu_2","tool_input":{"file_path":"'"$project"'/src/lib.rs","content":"pub fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n"},"tool_response":{"filePath":"'"$project"'/src/lib.rs","success":true}'
payload session-start '"hook_event_name":"SessionStart","source":"startup"'
payload stop '"hook_event_name":"Stop","stop_hook_active":false'

export CLAUDE_PROJECT_DIR="$project"
unset AGENTOPS_MODE AGENTOPS_FAULT CLAUDE_PLUGIN_ROOT

batch=${BATCH:-20}
loop() { printf 'for i in {1..%s}; do %s < %s >/dev/null; done' "$batch" "$1" "$2"; }
hyperfine --shell=bash --warmup 3 --runs "${RUNS:-40}" --style none \
  --export-json "$work/result.json" \
  --command-name "spawn floor (/bin/true)" "$(loop /bin/true "$work/pre-bash.json")" \
  --command-name "PreToolUse Bash" "$(loop "$bin hook PreToolUse" "$work/pre-bash.json")" \
  --command-name "PreToolUse Write" "$(loop "$bin hook PreToolUse" "$work/pre-write.json")" \
  --command-name "PreToolUse Read" "$(loop "$bin hook PreToolUse" "$work/pre-read.json")" \
  --command-name "PostToolUse Write" "$(loop "$bin hook PostToolUse" "$work/post-write.json")" \
  --command-name "SessionStart" "$(loop "$bin hook SessionStart" "$work/session-start.json")" \
  --command-name "Stop" "$(loop "$bin hook Stop" "$work/stop.json")" >/dev/null

python3 - "$work/result.json" "$batch" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
batch = int(sys.argv[2])
floor = results[0]["median"] / batch
print(f"{'per call':<26} {'median':>9} {'p95':>9} {'ratio':>7}")
for r in results:
    times = sorted(t / batch for t in r["times"])
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    median = r["median"] / batch
    print(f"{r['command']:<26} {median*1e6:7.0f}us {p95*1e6:7.0f}us {median/floor:6.2f}x")
PY
