"""Run every benchmark module (``benchmarks/bench_*.py``) and print its figures.

Each module exposes ``run() -> None`` that prints a table of figures next to their floors, all
measured in the same run on this machine. Benchmarks print; they never fail on a number (timed
assertions flake on a shared 2-core machine). ``python -m benchmarks NAME`` runs just one.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    names = sorted(p.stem for p in Path(__file__).parent.glob("bench_*.py"))
    wanted = [n for n in names if not argv or any(a in n for a in argv)]
    if not wanted:
        print(f"no benchmark matches {argv}; have {names}")
        return 1
    for name in wanted:
        print(f"\n=== {name} ===", flush=True)
        importlib.import_module(f"benchmarks.{name}").run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
