#!/usr/bin/env bash
# Process-level latency of one hook call against the process-spawn floor.
#
# Measures, in one hyperfine run, the median wall time of `/bin/true` and of
# `agentops hook PreToolUse` answering a Bash `git status` call, and prints
# the ratio. Goal: at most 2x the spawn floor.
#
# Usage: bench/hook-latency.sh [path/to/agentops]   (default: target/release/agentops)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/agentops}
[ -x "$bin" ] || cargo build --release --quiet
command -v hyperfine >/dev/null || { echo "hyperfine is required (apt-get install hyperfine)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
payload="$work/payload.json"
printf '%s\n' '{"session_id":"bench","transcript_path":"/tmp/t.jsonl","cwd":"'"$work"'","permission_mode":"default","hook_event_name":"PreToolUse","tool_name":"Bash","tool_use_id":"toolu_bench","tool_input":{"command":"git status","description":"Show working tree status"}}' >"$payload"
export CLAUDE_PROJECT_DIR="$work"
unset AGENTOPS_MODE AGENTOPS_FAULT

# Each measured command is a bash loop of BATCH calls reading the payload
# through a redirect; per-call times are the loop's divided by BATCH. With
# single calls hyperfine's correction for the shell's own start-up is as
# large as what is measured (see bench/event-latency.sh).
batch=${BATCH:-20}
loop() { printf 'for i in $(seq %s); do %s < %s >/dev/null; done' "$batch" "$1" "$payload"; }
hyperfine --shell=bash --warmup 3 --runs "${RUNS:-40}" \
  --export-json "$work/result.json" \
  --command-name spawn-floor "$(loop /bin/true)" \
  --command-name "hook PreToolUse Bash" "$(loop "$bin hook PreToolUse")" >/dev/null

python3 - "$work/result.json" "$batch" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
batch = int(sys.argv[2])
floor = r["spawn-floor"]["median"] / batch
hook = r["hook PreToolUse Bash"]["median"] / batch
print(f"spawn floor (/bin/true)       median {floor*1e6:8.0f} us")
print(f"agentops hook PreToolUse Bash median {hook*1e6:8.0f} us")
print(f"ratio                         {hook/floor:8.2f}x  (goal <= 2.00x)")
PY
