"""`python -m codegen [--check] [--spec PATH] [--out DIR]`: regenerate, or check, every generated file."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from codegen._generate import ROOT, check_tree, expected_files, write_tree
from codegen._spec import Document, SpecError, load_spec
from codegen._tools import ToolError, check_tools
from codegen._unasync import UnasyncError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m codegen", description=__doc__)
    parser.add_argument(
        "--check", action="store_true", help="compare instead of writing; exit 1 on any drift"
    )
    parser.add_argument(
        "--out", type=Path, default=ROOT, help="the tree to write or check (default: this one)"
    )
    parser.add_argument("--spec", type=Path, help="the OpenAPI document (default: openapi.yaml in --out)")
    args = parser.parse_args(argv)
    spec: Path = args.spec or args.out / "openapi.yaml"

    if sys.version_info[:2] != (3, 11):
        print(
            "codegen runs on Python 3.11 only, so its output is reproducible (see Makefile)", file=sys.stderr
        )
        return 2
    try:
        check_tools(ROOT / "requirements" / "dev.txt")
        # The async sources come from the tree being written or checked, like the spec.
        files = expected_files(spec, args.out)
    except SpecError as error:
        print(error.located(_display(spec), _document(spec)), file=sys.stderr)
        return 1
    except (ToolError, UnasyncError) as error:
        print(error, file=sys.stderr)
        return 1

    if not args.check:
        changed = write_tree(args.out, files)
        print(f"codegen: {len(files)} generated files, {changed} changed")
        return 0
    problems = check_tree(args.out, files)
    if problems:
        print(
            "codegen --check: generated code is out of date (run `make generate`):\n  "
            + "\n  ".join(problems),
            file=sys.stderr,
        )
        return 1
    print(f"codegen --check: {len(files)} generated files up to date")
    return 0


def _display(spec: Path) -> str:
    """The spec's path as the user would write it: relative to the working directory when inside it."""
    relative = os.path.relpath(spec)
    return spec.as_posix() if relative.startswith("..") else Path(relative).as_posix()


def _document(spec: Path) -> Document | None:
    try:
        return load_spec(spec)
    except SpecError:
        return None


if __name__ == "__main__":
    sys.exit(main())
