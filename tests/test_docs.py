"""The project carries its own documentation: no tracked file points at the workspace's
private notes, and every pointer into docs/ names a section or stack note that exists."""

import re
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"

# Spelled in pieces so this file does not match its own search.
FORBIDDEN = [b"METHOD" + b".md", b"STACK" + b".md", b"../" + b"shared", b"/work/" + b"shared"]

NUMBER = r"\d+(?:\.\d+)*"
# "docs/method.md section 3.4", "sections 3.2-3.4", "sections 1.2 and 3", "section 3.8, 3.9"
METHOD_REF = re.compile(rf"docs/method\.md,? sections? ({NUMBER}(?:\s*(?:-|,|and|to)\s*{NUMBER})*)")
INTERNAL_REF = re.compile(rf"\bsections? ({NUMBER}(?:\s*(?:-|,|and|to)\s*{NUMBER})*)")
STACK_REF = re.compile(r"docs/architecture\.md,? \(stack notes?: ([^)<][^)]*)\)")
ANCHOR_REF = re.compile(r"architecture\.md#([a-z0-9-]+)")


def tracked_files() -> list[Path]:
    try:
        out = subprocess.run(
            ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: no list of tracked files")
    return [REPO / name for name in out.decode("utf-8").split("\0") if name]


def flat_text(path: Path) -> str:
    """The file's text with comment markers at line starts removed and whitespace
    collapsed, so a reference wrapped over two comment lines reads as one."""
    text = path.read_bytes().decode("utf-8", errors="replace")
    lines = [re.sub(r"^\s*(?:#|--|//|\{#-?|\*)?\s*", "", line) for line in text.splitlines()]
    return " ".join(" ".join(lines).split())


def method_sections() -> set[str]:
    text = (DOCS / "method.md").read_text(encoding="utf-8")
    return {m.group(1) for m in re.finditer(rf"^#{{2,4}}\s+({NUMBER})\.?\s", text, re.M)}


def slug(heading: str) -> str:
    """GitHub's anchor of a heading."""
    return re.sub(r"[^a-z0-9 -]", "", heading.strip().lower()).replace(" ", "-")


def stack_notes() -> dict[str, str]:
    """Stack note name (lower case) -> its anchor."""
    text = (DOCS / "architecture.md").read_text(encoding="utf-8")
    return {
        m.group(1).strip().lower(): slug(m.group(0).lstrip("#"))
        for m in re.finditer(r"^###\s+Stack note:\s+(.+)$", text, re.M)
    }


def numbers(span: str) -> list[str]:
    return re.findall(NUMBER, span)


def referring_files() -> list[Path]:
    return [
        p
        for p in tracked_files()
        if p.is_file()
        and p.suffix in {".py", ".sql", ".yml", ".yaml", ".md", ".csv", ".toml", ".txt", ".sh", ""}
    ]


def test_no_tracked_file_refers_to_the_workspace_notes():
    offenders = []
    for path in tracked_files():
        if not path.is_file():
            continue
        data = path.read_bytes()
        for word in (w for w in FORBIDDEN if w in data):
            for lineno, line in enumerate(data.splitlines(), 1):
                if word in line:
                    offenders.append(f"{path.relative_to(REPO)}:{lineno}: {word.decode()}")
    assert not offenders, "\n".join(offenders)


def test_the_three_docs_exist_and_method_sections_are_numbered():
    for name in ("method.md", "architecture.md", "extending.md"):
        assert (DOCS / name).is_file(), name
    sections = method_sections()
    # the sections other files point at: sources, reference tables, indicators, figures
    assert {"1", "1.1", "1.2", "1.3", "2", "2.1", "2.4", "3", "3.1", "3.4", "4", "5"} <= sections


def test_every_method_section_reference_exists():
    sections = method_sections()
    missing, found = [], 0
    for path in referring_files():
        for m in METHOD_REF.finditer(flat_text(path)):
            found += 1
            missing += [
                f"{path.relative_to(REPO)}: section {n}"
                for n in numbers(m.group(1))
                if n not in sections
            ]
    assert found, "no docs/method.md section reference found: is the pattern still right?"
    assert not missing, "\n".join(missing)


def test_method_md_cross_references_exist():
    sections = method_sections()
    text = flat_text(DOCS / "method.md")
    missing = [
        n for m in INTERNAL_REF.finditer(text) for n in numbers(m.group(1)) if n not in sections
    ]
    assert not missing, missing


def test_every_stack_note_reference_exists():
    notes = stack_notes()
    assert len(notes) >= 15
    anchors = set(notes.values())
    missing, found = [], 0
    for path in referring_files():
        text = flat_text(path)
        for m in STACK_REF.finditer(text):
            found += 1
            if m.group(1).strip().lower() not in notes:
                missing.append(f"{path.relative_to(REPO)}: stack note '{m.group(1)}'")
        for m in ANCHOR_REF.finditer(text):
            if m.group(1).startswith("stack-note-") and m.group(1) not in anchors:
                missing.append(f"{path.relative_to(REPO)}: anchor #{m.group(1)}")
    assert found, "no stack note reference found: is the pattern still right?"
    assert not missing, "\n".join(missing)
