"""The one scan of ``landing/customs``: each file with its content hash and its months.

The ingestion asset, the landing sensor and ``chokepoint run`` all read the landing folder
through :func:`scan_landing`, so they agree on what is there. The scan is cheap on a
folder that was loaded before: a file whose name, size and modification time the load log
knows keeps that load's hash and months (no read at all), a file whose content hash the
log knows keeps its months (one read to hash it), and only a file of new content is
parsed, to learn the months it holds; that parse is kept for the ingestion run
(:mod:`orchestration.lib.customs.parse_cache`), which then does not parse it again. A
file that cannot be parsed has no months and keeps its error: the ingestion run refuses
it with file, line and field.

A month's *data version* is the digest of the hashes of the files that hold it: the
customs asset records it on each partition it writes, and a run compares it with the
scan's to tell a month that changed from one that did not.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.lib.customs import parse_cache
from orchestration.lib.customs.parsing import parse_customs_file
from orchestration.lib.customs.store import file_sha256, signature
from orchestration.lib.errors import SourceFileError
from orchestration.lib.warehouse import connect_read_only

ACCEPTED_SUFFIXES = {".csv", ".xlsx", ".txt"}
# the version of a month no landing file holds
NO_FILES = "no-files"


@dataclass(frozen=True)
class LandingFile:
    """One landing file: its content hash, the months it holds (None: unreadable)."""

    path: Path
    sha256: str
    signature: str
    months: tuple[str, ...] | None
    error: str | None = None


@dataclass(frozen=True)
class Known:
    """What a scan may reuse, from the load log or a sensor's cursor.

    ``by_signature`` maps a file's signature to its hash and months, ``by_sha`` a content
    hash to its months.
    """

    by_signature: Mapping[str, tuple[str, tuple[str, ...]]]
    by_sha: Mapping[str, tuple[str, ...]]

    @classmethod
    def empty(cls) -> Known:
        """Nothing known: every file is hashed and parsed."""
        return cls({}, {})


def landing_files(landing: Path) -> list[Path]:
    """The files a customs run reads: accepted suffixes, not hidden, not in sub-folders."""
    if not landing.is_dir():
        return []
    return sorted(
        p
        for p in landing.iterdir()
        if p.is_file() and p.suffix.lower() in ACCEPTED_SUFFIXES and not p.name.startswith(".")
    )


def known_from_warehouse(warehouse: Path) -> Known | None:
    """What the warehouse's load log knows of the landing files.

    Hashes and months of the files the warehouse's load log holds; None while a run
    holds the warehouse's write lock (a sensor looks again next tick).
    """
    if not warehouse.exists():
        return Known.empty()
    try:
        con = connect_read_only(warehouse)
    except duckdb.IOException:
        return None
    try:
        return known_from_log(con)
    finally:
        con.close()


def known_from_log(con: duckdb.DuckDBPyConnection) -> Known:
    """Hashes and months of the files in ``raw.customs_load_log`` (empty without it)."""
    try:
        rows = con.execute(
            "SELECT file_sha256, months, signature FROM raw.customs_load_log"
        ).fetchall()
    except duckdb.CatalogException:
        return Known.empty()
    by_sig, by_sha = {}, {}
    for sha, months, sig in rows:
        months = tuple(sorted(months or []))
        by_sha[sha] = months
        if sig:
            by_sig[sig] = (sha, months)
    return Known(by_sig, by_sha)


def _months_of(
    path: Path, sha: str, index: int, folder: Path
) -> tuple[tuple[str, ...] | None, str | None]:
    """Parse a file of new content for its months, and keep the parse for the ingestion."""
    # one DuckDB thread per probe: the scan runs a probe per core already
    probe = duckdb.connect(config={"threads": 1})
    table = f"probe_{index}"
    try:
        kept = parse_cache.load(probe, path, sha, table, folder)
        if kept is not None:
            return tuple(kept.months), None
        parsed = parse_customs_file(probe, path, table=table)
        parse_cache.save(probe, parsed, folder)
    except SourceFileError as err:
        return None, str(err)
    finally:
        probe.close()
    return tuple(parsed.months), None


def scan_file(path: Path, known: Known, index: int = 0) -> LandingFile:
    """One file: reuse what ``known`` holds, hash and parse only what it does not."""
    sig = signature(path)
    if sig in known.by_signature:
        sha, months = known.by_signature[sig]
        return LandingFile(path, sha, sig, months)
    sha = file_sha256(path)
    if sha in known.by_sha:
        return LandingFile(path, sha, sig, known.by_sha[sha])
    months, error = _months_of(path, sha, index, parse_cache.cache_dir(path.parent))
    return LandingFile(path, sha, sig, months, error)


def scan_landing(landing: Path, known: Known | None = None) -> list[LandingFile]:
    """Every landing file with its content hash and months (see the module's text).

    Files are scanned on as many threads as the machine has cores: a parse spends its
    time in DuckDB and the codec, which release the GIL, so a first scan of the full
    record takes about half as long on two cores.
    """
    known = known or Known.empty()
    paths = landing_files(landing)
    with ThreadPoolExecutor(max_workers=max(1, min(len(paths), os.cpu_count() or 1))) as pool:
        return list(pool.map(scan_file, paths, [known] * len(paths), range(len(paths))))


def month_versions(files: Iterable[LandingFile]) -> dict[str, str]:
    """The data version of every month the files hold.

    ``YYYY-MM -> data version``: a digest of the sorted hashes of the files holding the
    month. Unreadable files hold no month.
    """
    shas: dict[str, set[str]] = {}
    for file in files:
        for month in file.months or ():
            shas.setdefault(month, set()).add(file.sha256)
    return {month: version_of(found) for month, found in sorted(shas.items())}


def version_of(shas: Iterable[str]) -> str:
    """The data version of a set of file hashes (order-free)."""
    found = sorted(set(shas))
    if not found:
        return NO_FILES
    return hashlib.sha256("\n".join(found).encode()).hexdigest()[:16]


def all_months(files: Iterable[LandingFile]) -> list[str]:
    """The months any readable file holds, sorted."""
    return sorted({m for f in files for m in (f.months or ())})
