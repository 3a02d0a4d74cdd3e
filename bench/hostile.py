"""The hostile table: each case in tests/hostile/ × normalise, epub, pdf, issue build → outcome.

Every run is a fresh process (under strace when it is installed, so opens made by C code and
child processes count too; under GNU time for its peak memory). Prints a Markdown table, then
the totals the issue asks for: tracebacks, reads outside the allowed folders, connections, and
the time and peak memory of the worst run. Exit status 1 if any run broke a rule.

    python bench/hostile.py                  # every case but the heavy ones
    python bench/hostile.py --heavy          # also the 100 MB page, a million paragraphs, ...
    python bench/hostile.py --cases png-bomb,file-url --commands epub,pdf --json out.json
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "hostile"))

import hostile_cases as hc  # noqa: E402
import hostile_run as hr  # noqa: E402


def _cell(outcome: hr.Outcome) -> str:
    text = outcome.summary
    if text.startswith("Error: "):
        # Keep the message, drop the long path that names the input.
        body = text[len("Error: ") :]
        where, _, message = body.partition(": ")
        text = f"Error: …/{Path(where).name}: {message}" if message else text
    if len(text) > 90:
        text = text[:89] + "…"
    flag = " **✗**" if outcome.problems else ""
    return text.replace("|", "\\|") + flag


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", default="", help="comma-separated case names (default: all)")
    parser.add_argument("--commands", default=",".join(hc.COMMANDS))
    parser.add_argument("--heavy", action="store_true", help="include the heavy cases")
    parser.add_argument("--no-strace", action="store_true")
    parser.add_argument("--json", type=Path, help="also write every outcome here")
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    opts = parser.parse_args(argv)

    names = [n for n in opts.cases.split(",") if n] or [
        c.name for c in hc.CASES if opts.heavy or not c.heavy
    ]
    commands = [c for c in opts.commands.split(",") if c]
    root = opts.keep or Path(tempfile.mkdtemp(prefix="printedition-hostile-"))
    root.mkdir(parents=True, exist_ok=True)
    strace = not opts.no_strace and shutil.which("strace") is not None
    started = time.perf_counter()
    outcomes: list[hr.Outcome] = []
    rows: list[str] = []
    for name in names:
        case = hc.BY_NAME[name]
        cells = []
        for command in commands:
            outcome = hr.run_one_subprocess(root, name, command, use_strace=strace)
            outcomes.append(outcome)
            cells.append(_cell(outcome))
            print(
                f"  {name} × {command}: {outcome.summary[:70]} ({outcome.seconds:.1f} s, {outcome.peak_mb:.0f} MB)",
                file=sys.stderr,
            )
        rows.append(f"| {name} | {case.cls} | " + " | ".join(cells) + " |")

    print(f"| case | class | {' | '.join(commands)} |")
    print("|---|---|" + "---|" * len(commands))
    print("\n".join(rows))
    print()

    tracebacks = sum("Traceback" in o.stdout + o.stderr for o in outcomes)
    outside = [
        (o.case, o.command, p)
        for o in outcomes
        for p in o.problems
        if p.startswith(("opened", "ran "))
    ]
    resolvers = hr._nameservers()
    dns = [
        (o.case, o.command, c)
        for o in outcomes
        for c in o.connects
        if c.rpartition(":")[0] in resolvers and c.endswith(":53")
    ]
    connects = [
        (o.case, o.command, c)
        for o in outcomes
        for c in o.connects
        if (o.case, o.command, c) not in dns
    ]
    broken = [o for o in outcomes if o.problems]
    slowest = max(outcomes, key=lambda o: o.seconds)
    hungriest = max(outcomes, key=lambda o: o.peak_mb)
    print(
        f"runs: {len(outcomes)} ({len(names)} cases × {len(commands)} commands) in {time.perf_counter() - started:.0f} s"
    )
    print(
        f"outputs: {sum(o.exit_code == 0 for o in outcomes)}, clear errors: {sum(o.exit_code != 0 for o in outcomes)}"
    )
    print(f"tracebacks: {tracebacks}")
    audit = (
        "strace: every open/openat/execve/connect, C code and children included"
        if strace
        else "no strace: reads not audited here (tests/test_hostile.py audits with a Python hook)"
    )
    print(f"reads outside the allowed folders: {len(outside)}  ({audit})")
    print(
        f"connections to any other address: {len(connects)}; DNS queries to the system resolver: {len(dns)} (issue builds resolving names in the input before checking them)"
    )
    print(f"worst time: {slowest.seconds:.1f} s ({slowest.case} × {slowest.command})")
    print(f"worst peak memory: {hungriest.peak_mb:.0f} MB ({hungriest.case} × {hungriest.command})")
    if broken:
        print(f"\nruns that broke a rule: {len(broken)}")
        for o in broken:
            for problem in o.problems:
                print(f"  {o.case} × {o.command}: {problem[:200]}")
    for item in outside[:20]:
        print("  outside:", *item)
    for item in connects[:20]:
        print("  connect:", *item)
    if opts.json:
        opts.json.write_text(json.dumps([asdict(o) for o in outcomes], indent=1))
    if not opts.keep:
        shutil.rmtree(root, ignore_errors=True)
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
