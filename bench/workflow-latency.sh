#!/usr/bin/env bash
# Per-call latency of each stateful workflow hook run alone
# (`agentops hook <Event> --only <policy>`), against the process-spawn
# floor. These hooks read and write .agentops/ state under locks with
# atomic replacement (fsync included), so this is where their cost shows.
#
# Each measured command is a loop of BATCH calls so the shell start
# hyperfine corrects for is spread over many process starts.
#
# Usage: bench/workflow-latency.sh [path/to/agentops]  (default: target/release/agentops)
# RUNS (default 40) and BATCH (default 10) set the runs and the calls per run.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/agentops}
[ -x "$bin" ] || cargo build --release --quiet
bin=$(realpath "$bin")
command -v hyperfine >/dev/null || { echo "hyperfine is required (apt-get install hyperfine)" >&2; exit 1; }
runs=${RUNS:-40}
batch=${BATCH:-10}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
project="$work/project"
mkdir -p "$project/src" "$project/tasks"
printf '# Plan\n- [ ] add the parser\n- [x] write the tests\n' >"$project/tasks/todo.md"
export CLAUDE_PROJECT_DIR="$project"

payload() { printf '%s\n' "$2" >"$work/$1.json"; }
payload start '{"hook_event_name":"SessionStart","source":"startup"}'
payload read '{"hook_event_name":"PreToolUse","tool_name":"Read","tool_input":{"file_path":"'"$project"'/src/a.rs"}}'
payload write '{"hook_event_name":"PreToolUse","tool_name":"Write","tool_input":{"file_path":"'"$project"'/src/a.rs","content":"x"}}'
payload edit '{"hook_event_name":"PostToolUse","tool_name":"Edit","tool_input":{"file_path":"'"$project"'/src/a.rs","old_string":"a","new_string":"b"}}'
payload tests '{"hook_event_name":"PostToolUse","tool_name":"Bash","tool_input":{"command":"cd api && cargo test --workspace 2>&1 | tail"}}'
payload stop '{"hook_event_name":"Stop","stop_hook_active":false}'

measure() { # label, command
  local ms
  ms=$(hyperfine -N 2>/dev/null -w 3 -r "$runs" --export-json "$work/h.json" "bash -c 'for i in \$(seq $batch); do $2; done'" >/dev/null 2>&1 \
    && python3 -c "import json,sys; r=json.load(open('$work/h.json'))['results'][0]; print('%8.0fus %8.0fus' % (r['median']/$batch*1e6, sorted(r['times'])[int(len(r['times'])*0.95)-1]/$batch*1e6))")
  printf '%-34s %s\n' "$1" "$ms"
}

printf '%-34s %10s %9s\n' "per call" "median" "p95"
measure "spawn floor (/bin/true)" "/bin/true <$work/start.json"
for spec in "start SessionStart session-cleanup" "start SessionStart todo-prune" "start SessionStart budget-check" \
            "read PreToolUse star-gate" "write PreToolUse auto-plan" "edit PostToolUse auto-test" \
            "tests PostToolUse detect-test-run" "stop Stop compliance-gate" "stop Stop auto-verify"; do
  set -- $spec
  measure "$3 ($2)" "$bin hook $2 --only $3 <$work/$1.json >/dev/null"
done
