"""Parsed customs files kept between the run decision and the ingestion.

A file of new content is parsed twice without this: once by the landing scan, which must
know the months a file holds before a run is decided, and again by the ingestion run, in
another process. The scan keeps what it parsed here (``landing/customs/_parsed/``): the
validated rows as Parquet and the file's description as JSON. The ingestion takes them
instead of parsing again, then drops them once the file is stored or refused.

An entry is found only for the same content (sha256), the same file name and manifest
entry (the flow, month and declared codes come from them) and the same parser source, so
a cached parse is exactly the parse the ingestion would make. The JSON is written last:
an entry without it is incomplete and ignored.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
from pathlib import Path

import duckdb

from orchestration.lib.atomic import write_text
from orchestration.lib.customs import parsing
from orchestration.lib.customs.parsing import ParsedCustomsFile, parse_customs_file
from orchestration.lib.customs.store import file_sha256
from orchestration.lib.errors import SourceFileError

FOLDER = "_parsed"  # in the landing folder, beside _archive and _refused
# the parser's own source: a changed parser never reads an older parser's output
PARSER_VERSION = hashlib.sha256(Path(parsing.__file__).read_bytes()).hexdigest()[:16]
# what a kept parse restores: every field but those of the ingestion's own connection
FIELDS = tuple(
    f.name for f in dataclasses.fields(ParsedCustomsFile) if f.name not in ("path", "table")
)


def cache_dir(landing: Path) -> Path:
    """Where the parses of a landing folder's files are kept."""
    return landing / FOLDER


def entry_key(path: Path, sha256: str) -> str:
    """The key of a file's parse: content, name, manifest entry and parser version."""
    try:
        manifest = json.dumps(parsing.manifest_entry(path)[0], sort_keys=True)
    except SourceFileError as err:  # an unreadable manifest: the parse refuses the file
        manifest = f"error: {err}"
    text = "\0".join([sha256, path.name, manifest, PARSER_VERSION])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def save(con: duckdb.DuckDBPyConnection, parsed: ParsedCustomsFile, folder: Path) -> None:
    """Keep a parse: its rows as Parquet, then its description as JSON."""
    folder.mkdir(parents=True, exist_ok=True)
    key = entry_key(parsed.path, parsed.sha256)
    rows = folder / f"{key}.parquet"
    part = rows.with_name(rows.name + ".part")
    con.execute(
        f"COPY (SELECT * FROM {parsing._quote_ident(parsed.table)}) TO "
        f"{parsing._sql_str(str(part))} (FORMAT parquet)"
    )
    part.replace(rows)
    described = {f: getattr(parsed, f) for f in FIELDS}
    described |= {"file": parsed.path.name, "parser": PARSER_VERSION}
    write_text(folder / f"{key}.json", json.dumps(described, ensure_ascii=False))


def load(
    con: duckdb.DuckDBPyConnection, path: Path, sha256: str, table: str, folder: Path
) -> ParsedCustomsFile | None:
    """The kept parse of ``path`` as TEMP view ``table`` over its Parquet, or None."""
    key = entry_key(path, sha256)
    described_file, rows = folder / f"{key}.json", folder / f"{key}.parquet"
    if not (described_file.is_file() and rows.is_file()):
        return None
    described = json.loads(described_file.read_text(encoding="utf-8"))
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW {parsing._quote_ident(table)} AS "
        f"SELECT * FROM read_parquet({parsing._sql_str(str(rows))})"
    )
    return ParsedCustomsFile(path=path, table=table, **{f: described[f] for f in FIELDS})


def parse(
    con: duckdb.DuckDBPyConnection, path: Path, table: str, folder: Path, sha256: str | None = None
) -> ParsedCustomsFile:
    """The kept parse of ``path`` if there is one, else a parse (raises SourceFileError)."""
    sha256 = sha256 or file_sha256(path)
    kept = load(con, path, sha256, table, folder)
    return kept if kept is not None else parse_customs_file(con, path, table=table)


def drop(folder: Path, entries: list[tuple[Path, str]]) -> None:
    """Forget the parses of these (path, sha256) pairs: they are stored or refused."""
    for path, sha256 in entries:
        key = entry_key(path, sha256)
        for suffix in (".json", ".parquet"):
            with contextlib.suppress(FileNotFoundError):
                (folder / f"{key}{suffix}").unlink()


def prune(folder: Path) -> int:
    """Remove the parses of another parser version; returns how many were removed."""
    removed = 0
    for described in folder.glob("*.json") if folder.is_dir() else []:
        try:
            version = json.loads(described.read_text(encoding="utf-8")).get("parser")
        except (OSError, ValueError):
            continue  # being written, or gone: not this call's business
        if version != PARSER_VERSION:
            described.unlink(missing_ok=True)
            described.with_suffix(".parquet").unlink(missing_ok=True)
            removed += 1
    return removed
