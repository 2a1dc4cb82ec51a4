"""Run every benchmark module in this package, or one with --only."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from pathlib import Path


def available() -> list[str]:
    here = Path(__file__).parent
    return sorted(
        info.name.removeprefix("bench_")
        for info in pkgutil.iter_modules([str(here)])
        if info.name.startswith("bench_")
    )


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench")
    parser.add_argument("--only", choices=available())
    args = parser.parse_args()
    for name in [args.only] if args.only else available():
        module = importlib.import_module(f"bench.bench_{name}")
        module.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
