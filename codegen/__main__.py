"""`python -m codegen [--check] [--spec PATH] [--out DIR]`: regenerate, or check, every generated file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from codegen._generate import ROOT, expected_files, generated_roots, write_tree


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codegen", description=__doc__)
    parser.add_argument(
        "--check", action="store_true", help="compare instead of writing; exit 1 on any drift"
    )
    parser.add_argument("--spec", type=Path, default=ROOT / "openapi.yaml", help="the OpenAPI document")
    parser.add_argument("--out", type=Path, default=ROOT, help="the tree to write (default: this repository)")
    args = parser.parse_args(argv)

    if sys.version_info[:2] != (3, 11):
        print(
            "codegen runs on Python 3.11 only, so its output is reproducible (see Makefile)", file=sys.stderr
        )
        return 2
    files = expected_files(args.spec, ROOT)
    if not args.check:
        changed = write_tree(args.out, files)
        print(f"codegen: {len(files)} generated files, {changed} changed")
        return 0

    problems = []
    for relative, content in sorted(files.items()):
        path = args.out / relative
        if not path.exists():
            problems.append(f"missing: {relative}")
        elif path.read_text(encoding="utf-8") != content:
            problems.append(f"differs: {relative} (hand-edited, or stale: run `make generate`)")
    for directory, hand_written in generated_roots():
        for path in sorted((args.out / directory).rglob("*")):
            relative = path.relative_to(args.out)
            if (
                path.is_file()
                and "__pycache__" not in path.parts
                and relative not in files
                and path.name not in hand_written
            ):
                problems.append(f"stale: {relative} (no longer generated; run `make generate`)")
    if problems:
        print("codegen --check: generated code is out of date:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    print(f"codegen --check: {len(files)} generated files up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
