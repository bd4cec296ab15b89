"""Files refused at ingestion move to ``landing/<source>/_refused/`` with the reason.

The next run does not trip on them again and a user sees at once which file to correct
(a corrected file dropped again under any name loads as usual).
"""

import shutil
from datetime import UTC, datetime
from pathlib import Path

REFUSED_DIR = "_refused"


def refuse(path: Path, why: str) -> Path:
    """Move ``path`` into its folder's ``_refused/`` and write ``<name>.why.txt``."""
    target_dir = path.parent / REFUSED_DIR
    target_dir.mkdir(exist_ok=True)
    target = target_dir / path.name
    if target.exists():  # a second refusal of a file with the same name
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        target = target_dir / f"{path.stem}.{stamp}{path.suffix}"
    shutil.move(str(path), target)
    for sidecar in path.parent.glob(path.name + ".manifest.json"):
        shutil.move(str(sidecar), target_dir / (target.name + ".manifest.json"))
    target.with_name(target.name + ".why.txt").write_text(
        f"refused at {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC\n{why}\n", encoding="utf-8"
    )
    return target


def refused_files(landing: Path) -> list[tuple[Path, str]]:
    """The refused files of a landing folder, each with the reason written beside it."""
    folder = landing / REFUSED_DIR
    if not folder.exists():
        return []
    return [
        (p, p.with_name(p.name + ".why.txt").read_text(encoding="utf-8").strip())
        for p in sorted(folder.iterdir())
        if p.is_file()
        and not p.name.endswith((".why.txt", ".manifest.json"))
        and p.with_name(p.name + ".why.txt").exists()
    ]
