"""Comtrade files dropped by hand into landing/comtrade, loaded into the normalized schema.

Layouts recognised from the header (names compared lower-case without punctuation, so
``partner2Code``, ``partner2code`` and ``partner_2_code`` are one field):

* **legacy CSV** of the old comtrade.un.org site: ``Classification, Year, Period, Trade
  Flow Code, Trade Flow, Reporter Code, Reporter ISO, Partner Code, ..., Commodity Code,
  ..., Trade Value (US$), CIF Trade Value (US$), FOB Trade Value (US$), Flag``. Trade
  Flow ``Import``/``Export`` are kept (codes 1/2); ``Re-Export``/``Re-Import`` dropped.
  -> ``source = 'legacy_csv'``.
* **API v1 / bulk "final" records**: the 47 camelCase fields of the API (``refYear,
  reporterCode, flowCode, partnerCode, partner2Code, classificationCode, cmdCode,
  customsCode, motCode, primaryValue, ...``) or their snake_case spelling, as CSV, as
  tab-separated text (bulk ``.txt``), optionally gzip'd (``.gz``), or as JSON (an API
  response ``{"data": [...]}`` or a list of records). -> ``source = 'bulk'``.

Every layout goes through the one normalization of
:mod:`orchestration.lib.comtrade.bulk_duckdb` (CSV straight from DuckDB ``read_csv``,
JSON records as a registered frame). Bad input raises
:class:`orchestration.lib.errors.SourceFileError` naming the file, the line (the record
for JSON) and the field. The vintage is the publication date in the file name when there
is one (bulk files are named ``COMTRADE-FINAL-CA156201H5[2023-01-03].gz``), else the
``vintage`` argument, else none.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from orchestration.lib.comtrade.bulk_duckdb import (
    defaults,
    is_json_file,
    load_bulk_file,
    load_records,
)
from orchestration.lib.comtrade.records import (
    API_FIELDS,
    COLUMNS,
    norm_header,
    schema_sql,
    to_frame,
)
from orchestration.lib.errors import SourceFileError


def _json_text(path: Path) -> str:
    """The file's text, gunzipped, UTF-8 or cp1252."""
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (EOFError, OSError) as err:
            raise SourceFileError(path, None, None, f"broken gzip ({err})") from None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SourceFileError(path, None, None, "not UTF-8 or cp1252 text")


def records_from_json(path: Path) -> list[dict[str, Any]]:
    """The records of a JSON file (an API response or a list), in API field names."""
    try:
        doc = json.loads(_json_text(path))
    except json.JSONDecodeError as err:
        raise SourceFileError(path, err.lineno, "<json>", f"malformed JSON ({err.msg})") from None
    if isinstance(doc, dict):
        if doc.get("error"):
            raise SourceFileError(path, 1, "error", f"API error {doc['error']!r}")
        doc = doc.get("data")
    if not isinstance(doc, list) or not all(isinstance(r, dict) for r in doc):
        raise SourceFileError(path, 1, "data", "expected a list of records")
    return [{API_FIELDS.get(norm_header(k), k): v for k, v in rec.items()} for rec in doc]


def load_comtrade_file(
    con: duckdb.DuckDBPyConnection,
    path: str | Path,
    table: str,
    *,
    vintage: str | None = None,
    origin: str | None = None,
    years: list[int] | None = None,
    tally: dict[str, int] | None = None,
) -> int:
    """Insert the normalized rows of one hand-dropped Comtrade file into ``table``.

    JSON files go through :func:`bulk_duckdb.load_records`, CSV/TSV files (API/bulk
    layout or legacy CSV) through :func:`bulk_duckdb.load_bulk_file`: one normalization.
    ``origin`` defaults to 'synthetic' when the file name contains 'synthetic', else
    'real'. Returns the rows inserted; ``tally`` receives the file's account (see
    ``load_bulk_file``). Raises SourceFileError naming file, line and field.
    """
    path = Path(path)
    if not path.is_file():
        raise SourceFileError(path, None, None, "no such file")
    if not is_json_file(path):
        return load_bulk_file(
            con, path, table, vintage=vintage, origin=origin, years=years, tally=tally
        )
    vintage, origin = defaults(path, vintage, origin)
    return load_records(
        con,
        records_from_json(path),
        table,
        file=str(path),
        source="bulk",
        origin=origin,
        vintage=vintage,
        years=years,
        tally=tally,
    )


def read_comtrade_file(
    path: str | Path,
    vintage: str | None = None,
    origin: str | None = None,
    tally: dict[str, int] | None = None,
) -> pd.DataFrame:
    """One hand-dropped Comtrade file -> the normalized frame (records.SCHEMA).

    Through :func:`load_comtrade_file` on an in-memory DuckDB.
    """
    with duckdb.connect() as con:
        con.execute(schema_sql("normalized"))
        load_comtrade_file(con, path, "normalized", vintage=vintage, origin=origin, tally=tally)
        return to_frame(con.execute(f"SELECT {', '.join(COLUMNS)} FROM normalized").df())
