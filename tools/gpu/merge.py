"""Merge the JSON files of several `a4kplay bench --json` runs into one file of the same
shape ("machine", "renderer", "runs": every run of every file, in order), and print one
summary line per run: wall time per frame (median), the GPU's own time (the sum of the
passes' GL timestamp medians: on a GPU the wall time also holds a glFinish round trip and
Python) and the paired ratio to the baseline.

    python3 tools/gpu/merge.py OUT.json IN.json ... [--name-shaders-by-file]

--name-shaders-by-file: a run of a --shader chain (named "shaders" by bench) takes the
name of the file it came from, less ".json" (measure.sh names third-party runs so).
Missing or unreadable inputs are reported and skipped; exit 1 when none could be read.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def merge(paths: list[Path], name_by_file: bool = False) -> dict:
    out: dict = {"machine": None, "renderer": None, "runs": [], "parts": []}
    for p in paths:
        try:
            data = json.loads(p.read_text())
        except (OSError, ValueError) as e:
            print(f"merge: skipped {p}: {e}", file=sys.stderr)
            continue
        out["machine"] = out["machine"] or data.get("machine")
        out["renderer"] = out["renderer"] or data.get("renderer")
        out["parts"].append(p.name)
        for run in data.get("runs", []):
            if name_by_file and run.get("profile") == "shaders":
                run = {**run, "profile": p.name.removesuffix(".json")}
            out["runs"].append(run)
    return out


def summary(result: dict) -> str:
    lines = [f"renderer: {result['renderer']}", f"machine:  {result['machine']}",
             f"{'size':<22} {'profile':<24} {'frames':>6} {'wall ms':>9} {'gpu ms':>9} "
             f"{'vs base':>8}"]
    for r in result["runs"]:
        size = "{}x{}->{}x{}".format(*r["input"], *r["output"])
        gpu = sum(p["ms"] for p in r.get("passes", []))
        v = r.get("vs_baseline")
        ratio = f"{v['median']:.2f}" if v else "-"
        lines.append(f"{size:<22} {r['profile']:<24} {r['frames']:>6} "
                     f"{r['ms']['median']:>9.3f} {gpu:>9.3f} {ratio:>8}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    name_by_file = "--name-shaders-by-file" in argv
    args = [a for a in argv if a != "--name-shaders-by-file"]
    if len(args) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    target, inputs = Path(args[0]), [Path(a) for a in args[1:]]
    result = merge(inputs, name_by_file)
    if not result["parts"]:
        print("merge: no input could be read", file=sys.stderr)
        return 1
    tmp = target.with_name(f".{target.name}.part")
    tmp.write_text(json.dumps(result, indent=2) + "\n")
    os.replace(tmp, target)
    print(summary(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
