"""
Usage: python .ci/check_dist.py DIST_DIR [--update]

Checks what `make dist` built, so a package cannot go missing from what users install again:
- the wheel holds exactly the files in .ci/wheel-files.txt (`--update` rewrites the list: review its diff);
- the sdist holds what building the wheel and running the tests need, and no development-only tree;
- the metadata carries the license, the project URLs and the supported Pythons;
- requirements/minimums.txt pins exactly the lower bounds that pyproject.toml declares.
"""

from __future__ import annotations

import re
import sys
import tarfile
import tomllib
import zipfile
from email.message import Message
from email.parser import Parser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WHEEL_FILES = ROOT / ".ci" / "wheel-files.txt"
MINIMUMS = ROOT / "requirements" / "minimums.txt"
SDIST_NEEDS = ("pyproject.toml", "PKG-INFO", "LICENSE", "README.md", "tests/conftest.py", "openapi.yaml")
SDIST_NEVER = ("codegen/", "benchmarks/", "typing_tests/", ".venv", "node_modules/", "dist/", ".ci/")


def main(dist: Path, update: bool) -> list[str]:
    (wheel,) = dist.glob("*.whl")
    (sdist,) = dist.glob("*.tar.gz")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        version = wheel.name.split("-")[1]
        metadata = Parser().parsestr(archive.read(f"hitl-{version}.dist-info/METADATA").decode())
    files = sorted(name.replace(f"hitl-{version}.dist-info", "hitl-VERSION.dist-info") for name in names)
    if update:
        WHEEL_FILES.write_text("".join(f"{name}\n" for name in files))
    problems = wheel_problems(files) + metadata_problems(metadata) + minimums_problems()
    with tarfile.open(sdist) as archive:
        members = [name.partition("/")[2] for name in archive.getnames()]
    problems += [f"sdist lacks {need}" for need in SDIST_NEEDS if need not in members]
    problems += [f"sdist holds {name}" for name in members if name.startswith(SDIST_NEVER)]
    print(f"{wheel.name}: {len(files)} files; {sdist.name}: {len(members)} entries")
    return problems


def wheel_problems(files: list[str]) -> list[str]:
    expected = WHEEL_FILES.read_text().split()
    missing = sorted(set(expected) - set(files))
    extra = sorted(set(files) - set(expected))
    if not missing and not extra:
        return []
    hint = "if intended, run `make wheel-files` and commit .ci/wheel-files.txt"
    return [f"wheel lacks {name} ({hint})" for name in missing] + [
        f"wheel holds unexpected {name} ({hint})" for name in extra
    ]


def metadata_problems(metadata: Message) -> list[str]:
    classifiers = metadata.get_all("Classifier") or []
    urls = [url.partition(",")[0] for url in metadata.get_all("Project-URL") or []]
    problems = [
        f"no classifier for Python {version}"
        for version in ("3.11", "3.12", "3.13")
        if f"Programming Language :: Python :: {version}" not in classifiers
    ]
    problems += [
        f"no Project-URL {label}"
        for label in ("Homepage", "Documentation", "Source", "Changelog", "Issues")
        if label not in urls
    ]
    if metadata.get("License-Expression") != "MIT":
        problems.append("the license is not declared as MIT")
    if not any(c.startswith("Development Status ::") for c in classifiers):
        problems.append("no Development Status classifier")
    return problems


def minimums_problems() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = project["dependencies"] + project["optional-dependencies"]["emulator"]
    lower: dict[str, str] = {}
    for requirement in declared:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)>=([0-9.]+)(,.*)?", requirement)
        if match is None:
            return [f"{requirement!r} in pyproject.toml has no plain >= lower bound"]
        lower[match[1].lower()] = match[2]
    pinned = dict(
        line.split("==") for line in MINIMUMS.read_text().splitlines() if line and not line.startswith("#")
    )
    return [
        f"requirements/minimums.txt pins {name}=={pinned.get(name)}, pyproject.toml declares >={version}"
        for name, version in lower.items()
        if release(pinned.get(name, "")) != release(version)
    ]


def release(version: str) -> tuple[int, ...]:
    """`4.0` and `4.0.0` are the same release."""
    parts = [int(part) for part in version.split(".") if part.isdigit()]
    while parts and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


if __name__ == "__main__":
    found = main(Path(sys.argv[1]), update="--update" in sys.argv)
    for problem in found:
        print(f"error: {problem}", file=sys.stderr)
    sys.exit(1 if found else 0)
