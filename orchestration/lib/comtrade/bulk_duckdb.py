"""The one implementation of the Comtrade normalization: DuckDB SQL, for every format.

Every Comtrade source is put into a DuckDB relation whose columns are the raw Comtrade
field names (``refYear``, ``partner2Code``, ``primaryValue``..., all VARCHAR, plus
``rn``, the line or record number, and ``blank_row``), and that relation goes through one
staging query (:func:`_stage_sql`): the breakdown filters, flows, commodity levels,
column derivations, defaults and checks of ``records.py``, in one place.

* API/bulk CSV or tab-separated files (optionally gzip'd) and the legacy CSV of the old
  site: DuckDB ``read_csv`` (all columns VARCHAR, every option explicit), streamed; the
  legacy flow (code and label) becomes ``flowCode`` in SQL. :func:`load_bulk_file`.
* API records (JSON, from a response or a JSON file): each value as the text a CSV file
  would hold (``str(value)``), in a pandas frame registered in DuckDB.
  :func:`load_records`, :func:`normalize_records`.

Rules that differed between the former Python reader and this SQL, and how each is now
decided (from the real files: the API response, the bulk layout, the legacy CSV):

* A quote in the middle of a quoted field is malformed CSV (RFC 4180); the real files
  quote by doubling. It is refused naming the line (field ``<row>``).
* A line of whitespace only is a row of one field: refused like any row whose width is
  not the header's. Empty lines, and lines of empty cells, are skipped (no row).
* Digits outside ASCII (``'٣'``) are not numbers: Comtrade writes ASCII digits only.
* A reporter or partner code beyond the INTEGER range is refused ("out of the INTEGER
  range"): no M49 code comes near it.
* The vintage of a record is its own publication date (``vintage``, ``lastReleased``,
  ``publicationDate``, ``releaseDate``, first found), else the file's.
* The CSV is parsed once in a cursor of its own before staging, so a malformed file
  raises without aborting a transaction the caller holds (DuckDB aborts a transaction on
  a failed statement); a validation error never reaches a failed statement.

How a CSV runs: one pass of ``read_csv`` for the syntax; one into a temporary staging
table holding only the rows that are kept or in error, typed, and a count per reason of
the rows set aside; one scan of the staging table for the first error in file order; one
``INSERT ... BY NAME`` with the dedup (the last row of a key in the file wins). Python
touches only the header (and, on an error, the lines before it, for the exact line
number). Memory is DuckDB's, bounded by its ``memory_limit``.

Bad input raises :class:`orchestration.lib.errors.SourceFileError` (file, line, field,
reason), having inserted nothing.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import gzip
import io
import itertools
import os
import re
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from orchestration.lib.comtrade.records import (
    API_FIELDS,
    API_REQUIRED,
    COLUMNS,
    DATE_IN_NAME,
    FLOWS,
    HS_REVISIONS,
    KEY,
    LEGACY_FIELDS,
    LEGACY_FLOWS,
    LEGACY_OTHER_CODES,
    LEGACY_OTHER_FLOWS,
    LEGACY_REQUIRED,
    ORIGINS,
    SOURCES,
    VINTAGE_FIELDS,
    WORLD_ISO,
    norm_header,
    schema_sql,
    to_frame,
)
from orchestration.lib.errors import SourceFileError
from orchestration.settings import WINDOW_START

# What Comtrade writes for "no value" (after strip()).
BLANK_TEXTS = ("", "nan", "NaN", "None", "null")
# Exactly the characters Python's str.strip() removes.
_WHITESPACE = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())
_PART = r'(?:[A-Za-z_][A-Za-z0-9_$]*|"[^"]+")'
_TABLE_NAME = re.compile(rf"^{_PART}(?:\.{_PART}){{0,2}}$")
_INT32 = (-(2**31), 2**31 - 1)
_CHUNK = 1 << 20

# Fields that are parsed as numbers (the others are text).
_NUMERIC = (
    "partner2Code",
    "motCode",
    "aggrLevel",
    "refYear",
    "primaryValue",
    "partnerCode",
    "reporterCode",
    "cifvalue",
    "fobvalue",
    "qty",
    "altQty",
    "netWgt",
    "grossWgt",
)
_TEXT = (
    "customsCode",
    "flowCode",
    "cmdCode",
    "classificationCode",
    "period",
    "reporterISO",
    "partnerISO",
    "qtyUnitAbbr",
    *VINTAGE_FIELDS,
    "legacyFlowCode",
    "legacyFlow",
)
_FIELDS = (*_NUMERIC, *_TEXT)
# Optional numbers of the record, in the order they are checked.
_MEASURES = {
    "cifvalue": "cif_value_usd",
    "fobvalue": "fob_value_usd",
    "qty": "qty",
    "altQty": "alt_qty",
    "netWgt": "net_weight_kg",
    "grossWgt": "gross_weight_kg",
}


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


_WS = _lit(_WHITESPACE)


def _strip(expr: str) -> str:
    """Python's str.strip() in SQL.

    trim() with the whole set is slow, so only when an end is not printable ASCII.
    """
    expr = f"({expr})"
    return (
        f"CASE WHEN ord({expr}[1]) BETWEEN 33 AND 126 AND ord({expr}[-1]) BETWEEN 33 "
        f"AND 126 THEN {expr} ELSE trim({expr}, {_WS}) END"
    )


def _is_blank(expr: str, stripped: bool = False) -> str:
    # ORs, not IN (...) or list_contains: in this query DuckDB plans those as joins.
    value = expr if stripped else _strip(expr)
    return f"({expr} IS NULL OR " + " OR ".join(f"{value} = {_lit(x)}" for x in BLANK_TEXTS) + ")"


def _whole(n: str) -> str:
    return f"(isfinite({n}) AND {n} = floor({n}))"


def _r(f: str) -> str:
    return _ident("r_" + f)


def _b(f: str) -> str:
    return _ident("b_" + f)


def _n(f: str) -> str:
    return _ident("n_" + f)


def _t(f: str) -> str:
    return _ident("t_" + f)


def _err(field_name: str, problem: str) -> str:
    return _lit(f"{field_name}|{problem}")


def defaults(path: Path, vintage: str | None, origin: str | None) -> tuple[str | None, str]:
    """The vintage and origin of a file when the caller gives none.

    The vintage is a date in the file name; the origin 'synthetic' when the name says so.
    """
    found = DATE_IN_NAME.search(path.name)
    vintage = vintage or (found.group(1) if found else None)
    origin = origin or ("synthetic" if "synthetic" in path.name.lower() else "real")
    if origin not in ORIGINS:
        raise ValueError(f"origin must be one of {ORIGINS}, got {origin!r}")
    return vintage, origin


# ---------------------------------------------------------------------------------------
# The file: compression, encoding, delimiter, header (Python reads only the first line).


def _delimiter_of(first: str) -> str:
    if "\t" in first:
        return "\t"
    if "," in first:
        return ","
    return ";" if ";" in first else ","


class _File:
    """One CSV/TSV file as DuckDB will read it.

    gzip'd or not, its encoding, delimiter and header.
    """

    def __init__(self, path: Path):
        self.path = path
        with path.open("rb") as fh:
            self.gz = fh.read(2) == b"\x1f\x8b"
        self.encoding = "utf-8-sig"
        self.delimiter = ","
        self.header: list[str] = []
        self.transcoded = False

    def error(self, line: int | None, field_name: str | None, reason: str) -> SourceFileError:
        """The error for this file."""
        return SourceFileError(self.path, line, field_name, reason)

    def open_binary(self) -> io.BufferedIOBase:
        """The file's bytes, gunzipped (the caller closes it)."""
        return gzip.open(self.path, "rb") if self.gz else self.path.open("rb")  # noqa: SIM115

    def open_text(self, encoding: str | None = None) -> io.TextIOBase:
        """The file's text (the caller closes it)."""
        return io.TextIOWrapper(self.open_binary(), encoding=encoding or self.encoding, newline="")

    def rows(self) -> Iterator[list[str]]:
        """The file's rows as a CSV reader sees them (header first)."""
        with self.open_text() as text:
            yield from csv.reader(text, delimiter=self.delimiter)

    def broken_gzip(self, err: BaseException) -> SourceFileError:
        """The error for a gzip stream that does not decompress."""
        return self.error(None, None, f"broken gzip ({err})")

    def _first_lines(self) -> tuple[str, str, str]:
        """(encoding, first line, first non-blank line)."""
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                with self.open_text(encoding) as text:
                    first = lead = text.readline()
                    while lead and not lead.strip():
                        lead = text.readline()
                return encoding, first, lead
            except UnicodeDecodeError:
                continue
            except (EOFError, OSError) as err:  # gzip.BadGzipFile is an OSError
                raise self.broken_gzip(err) from None
        raise self.error(None, None, "not UTF-8 or cp1252 text")

    def is_json(self) -> bool:
        """True for a JSON file (by its name or its first character)."""
        name = self.path.name.lower().removesuffix(".gz") if self.gz else self.path.name.lower()
        if name.endswith(".json"):
            return True
        return self._first_lines()[2].lstrip()[:1] in ("{", "[")

    def read_header(self) -> None:
        """Encoding, delimiter and header; raise on JSON and empty files."""
        encoding, first, _ = self._first_lines()
        if self.is_json():
            raise self.error(
                1,
                "<file>",
                "a JSON file; load_bulk_file reads CSV/TSV only (use files.load_comtrade_file)",
            )
        delimiter = _delimiter_of(first)
        try:
            with self.open_text(encoding) as text:
                header = next(csv.reader(text, delimiter=delimiter), None)
        except (UnicodeDecodeError, csv.Error) as err:
            raise self.error(1, "<header>", str(err)) from None
        except (EOFError, OSError) as err:
            raise self.broken_gzip(err) from None
        if header is None:
            raise self.error(1, "<header>", "empty file")
        self.encoding, self.delimiter, self.header = encoding, delimiter, header

    def line_of(self, ordinal: int) -> int:
        """File line of DuckDB's ``ordinal``-th data row (DuckDB skips empty lines)."""
        seen = 0
        for offset, row in enumerate(itertools.islice(self.rows(), 1, None)):
            if row:
                seen += 1
                if seen == ordinal:
                    return offset + 2
        return ordinal + 1

    def first_ragged_row(self) -> SourceFileError | None:
        """The error for the first row whose width differs from the header's.

        Empty lines and lines of empty cells are no rows.
        """
        width = len(self.header)
        try:
            for offset, row in enumerate(itertools.islice(self.rows(), 1, None)):
                if not row or (len(row) == width and not any(row)):
                    continue
                if len(row) != width:
                    return self.error(offset + 2, "<row>", f"{len(row)} fields, header has {width}")
        except csv.Error:
            return None
        return None

    def transcode(self, directory: str) -> Path:
        """A UTF-8 copy of a cp1252 file (streamed), for DuckDB to read."""
        decoder = codecs.getincrementaldecoder("cp1252")()
        fd, name = tempfile.mkstemp(suffix=".csv", dir=directory)
        out = Path(name)
        try:
            with self.open_binary() as raw, os.fdopen(fd, "wb") as sink:
                while chunk := raw.read(_CHUNK):
                    sink.write(decoder.decode(chunk).encode("utf-8"))
                sink.write(decoder.decode(b"", final=True).encode("utf-8"))
        except UnicodeDecodeError:
            out.unlink(missing_ok=True)
            raise self.error(None, None, "not UTF-8 or cp1252 text") from None
        except (EOFError, OSError) as err:
            out.unlink(missing_ok=True)
            raise self.broken_gzip(err) from None
        self.encoding, self.transcoded = "cp1252", True
        return out


# ---------------------------------------------------------------------------------------
# The sources: a relation of rn, blank_row and the raw fields (VARCHAR) for each format.


def _read_csv(source: Path, width: int, delimiter: str, gz: bool) -> str:
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width))
    return (
        f"read_csv({_lit(str(source))}, delim={_lit(delimiter)}, quote='\"', escape='\"', "
        f"header=true, columns={{{columns}}}, auto_detect=false, all_varchar=true, "
        f"compression={_lit('gzip' if gz else 'none')}, encoding='utf-8', "
        f"strict_mode=true, null_padding=false, ignore_errors=false, nullstr='', "
        f"comment='', skip=0, parallel=true)"
    )


def _csv_source(read: str, fields: Mapping[str, int], width: int) -> str:
    """The CSV's rows in the raw field names: rn is DuckDB's row ordinal."""
    cells = ", ".join(f"c{i}" for i in range(width))
    blank = (
        f"CASE WHEN coalesce({_strip('c0')}, '') = '' "
        f"THEN coalesce({_strip(f'concat({cells})')}, '') = '' ELSE false END"
    )
    cols = ", ".join(f"c{i} AS {_ident(f)}" for f, i in fields.items())
    return (
        f"SELECT row_number() OVER () AS rn, {blank} AS blank_row, false AS flow_error, "
        f"{cols} FROM {read}"
    )


def _legacy_flow_sql(source: str) -> str:
    """The legacy flow (code and label) as flowCode.

    M, X, 'R' for re-exports and re-imports (dropped as other flows), NULL when unknown or the
    two disagree.
    """
    label = f"lower(coalesce({_strip(_ident('legacyFlow'))}, ''))"
    code = f"coalesce({_strip(_ident('legacyFlowCode'))}, '')"

    def mapped(expr: str) -> str:
        return (
            f"CASE {expr} "
            + " ".join(f"WHEN {_lit(k)} THEN {_lit(v)}" for k, v in LEGACY_FLOWS.items())
            + " END"
        )

    others = " OR ".join(f"{label} = {_lit(x)}" for x in LEGACY_OTHER_FLOWS)
    other_codes = " OR ".join(f"{code} = {_lit(x)}" for x in LEGACY_OTHER_CODES)
    flow = f"CASE WHEN {label} <> '' THEN {mapped(label)} ELSE {mapped(code)} END"
    flow = (
        f"CASE WHEN {flow} IS NOT NULL THEN {flow} "
        f"WHEN {others} OR ({label} = '' AND ({other_codes})) THEN 'R' END"
    )
    bad = (
        f"(fl IS NULL OR ({code} <> '' AND {label} <> '' AND coalesce({mapped(code)}, 'R') <> fl))"
    )
    return (
        f"SELECT * EXCLUDE (flow_error, fl), CASE WHEN {bad} THEN NULL ELSE fl END "
        f"AS {_ident('flowCode')}, {bad} AS flow_error "
        f"FROM (SELECT *, {flow} AS fl FROM ({source}))"
    )


# ---------------------------------------------------------------------------------------
# The staging SQL: one query for every source.


def _typed_layers(present: set[str]) -> tuple[list[str], list[str]]:
    """Layer w (raw and stripped text of each field) and f (blank flags, numbers, texts)."""
    layer0 = ["rn", "blank_row", "flow_error"]
    layer1 = ["rn", "blank_row", "flow_error"]
    for f in _FIELDS:
        raw = _ident(f) if f in present else "NULL::VARCHAR"
        s_ = _ident("s_" + f)
        layer0 += [f"{raw} AS {_r(f)}", f"{_strip(raw)} AS {s_}"]
        layer1.append(_r(f))
        if f in _NUMERIC:
            layer1.append(f"{_is_blank(s_, stripped=True)} AS {_b(f)}")
            layer1.append(f"TRY_CAST(replace({s_}, ',', '') AS DOUBLE) AS {_n(f)}")
        else:
            layer1.append(
                f"CASE WHEN {_is_blank(s_, stripped=True)} THEN NULL ELSE {s_} END AS {_t(f)}"
            )
    return layer0, layer1


def _padded(digits: str, length: int, level: int) -> str:
    """A code that lost its leading zero, padded only when the record gives its level."""
    return (
        f"WHEN length({digits}) = {length - 1} AND NOT {_b('aggrLevel')} "
        f"AND {_n('aggrLevel')} = {level} THEN lpad({digits}, {length}, '0') "
    )


def _derived() -> dict[str, str]:
    """hs6, hs_revision, flow and cmd_level from the typed fields."""
    digits = f"replace({_t('cmdCode')}, '.', '')"
    hs6 = (
        f"CASE WHEN upper({_t('cmdCode')}) = 'TOTAL' THEN 'TOTAL' "
        f"WHEN NOT regexp_full_match({digits}, '[0-9]+') THEN NULL "
        f"WHEN length({digits}) IN (2, 4, 6) THEN {digits} "
        + _padded(digits, 6, 6)
        + _padded(digits, 4, 4)
        + _padded(digits, 2, 2)
        + "END"
    )
    revision = (
        f"CASE upper({_t('classificationCode')}) "
        + " ".join(f"WHEN {_lit(k)} THEN {_lit(v)}" for k, v in HS_REVISIONS.items())
        + " END"
    )
    flow = (
        f"CASE upper({_t('flowCode')}) "
        + " ".join(f"WHEN {_lit(k)} THEN {_lit(v)}" for k, v in FLOWS.items())
        + " END"
    )
    cmd_level = (
        "CASE WHEN hs6 = 'TOTAL' THEN 'TOTAL' WHEN length(hs6) = 4 THEN 'HS4' "
        "WHEN length(hs6) = 2 THEN 'HS2' WHEN hs6 IS NOT NULL THEN 'HS6' END"
    )
    return {"hs6": hs6, "hs_revision": revision, "flow": flow, "cmd_level": cmd_level}


def _number_checks(f: str, required: bool) -> list[tuple[str, str]]:
    out = [(f"NOT {_b(f)} AND {_n(f)} IS NULL", _err(f, "not a number"))]
    if required:
        out.append((_b(f), _err(f, "missing")))
    out.append((f"NOT {_b(f)} AND NOT {_whole(_n(f))}", _err(f, "not a whole number")))
    return out


def _int32(f: str) -> tuple[str, str]:
    return (f"{_n(f)} NOT BETWEEN {_INT32[0]} AND {_INT32[1]}", _err(f, "out of the INTEGER range"))


def _steps() -> list[tuple[str, str]]:
    """(condition, status) in order: the first that applies decides a row's status.

    'skip:<reason>' rows are set aside (reasons of accounting.REASONS; 'skip:blank' is no
    row); 'field|problem' is an error; a row no step applies to is kept.
    """
    classes = ", ".join(HS_REVISIONS)
    steps = [
        ("blank_row", "'skip:blank'"),
        ("flow_error", _err("legacyFlow", "unknown or inconsistent flow")),
    ]
    steps += _number_checks("partner2Code", False)
    steps += [
        (f"NOT {_b('partner2Code')} AND {_n('partner2Code')} <> 0", "'skip:breakdown'"),
        (
            f"{_t('customsCode')} IS NOT NULL AND upper({_t('customsCode')}) <> 'C00'",
            "'skip:breakdown'",
        ),
    ]
    steps += _number_checks("motCode", False)
    steps += [
        (f"NOT {_b('motCode')} AND {_n('motCode')} <> 0", "'skip:breakdown'"),
        (f"{_t('flowCode')} IS NULL", _err("flowCode", "missing")),
        ("flow IS NULL", "'skip:other_flow'"),
    ]
    steps += _number_checks("aggrLevel", False)
    steps += [
        (f"{_t('cmdCode')} IS NULL", _err("cmdCode", "missing")),
        ("hs6 IS NULL", "'skip:other_level'"),
        (
            "hs_revision IS NULL",
            _err("classificationCode", f"not an HS classification code ({classes})"),
        ),
    ]
    steps += _number_checks("refYear", True)
    steps += [
        (f"{_n('refYear')} NOT BETWEEN 1900 AND 2100", _err("refYear", "not a year")),
        (
            f"NOT {_b('primaryValue')} AND {_n('primaryValue')} IS NULL",
            _err("primaryValue", "not a number"),
        ),
        (_b("primaryValue"), _err("primaryValue", "missing")),
    ]
    steps += _number_checks("partnerCode", True) + [_int32("partnerCode")]
    steps += _number_checks("reporterCode", True) + [_int32("reporterCode")]
    steps += [(f"NOT {_b(f)} AND {_n(f)} IS NULL", _err(f, "not a number")) for f in _MEASURES]
    return steps


def _dbl(f: str) -> str:
    return f"CASE WHEN isnan({_n(f)}) THEN NULL ELSE {_n(f)} END"


def _typed_columns(vintage: str | None) -> list[str]:
    """The normalized columns (records.SCHEMA less origin and source) of a staged row."""
    found = " ".join(f"WHEN {_t(f)} IS NOT NULL THEN left({_t(f)}, 10)" for f in VINTAGE_FIELDS)
    vintage_sql = f"CASE {found} ELSE {'NULL' if vintage is None else _lit(vintage)} END"
    year = f"TRY_CAST({_n('refYear')} AS INTEGER)"
    return [
        f"{year} AS year",
        f"coalesce({_t('period')}, CAST({year} AS VARCHAR)) AS period",
        f"TRY_CAST({_n('reporterCode')} AS INTEGER) AS reporter_code",
        f"{_t('reporterISO')} AS reporter_iso3",
        f"TRY_CAST({_n('partnerCode')} AS INTEGER) AS partner_code",
        f"CASE WHEN {_n('partnerCode')} = 0 THEN {_lit(WORLD_ISO)} ELSE {_t('partnerISO')} END "
        "AS partner_iso3",
        "flow",
        "hs6",
        "hs_revision",
        "cmd_level",
        f"upper({_t('classificationCode')}) AS classification_code",
        f"{_dbl('primaryValue')} AS primary_value_usd",
        *(f"{_dbl(f)} AS {c}" for f, c in _MEASURES.items()),
        f"{_t('qtyUnitAbbr')} AS qty_unit",
        f"CASE WHEN {_is_blank(vintage_sql)} THEN NULL ELSE {vintage_sql} END AS vintage",
    ]


def _stage_sql(stage: str, source: str, present: set[str], vintage: str | None) -> str:
    """The one staging query: CREATE TEMP TABLE ``stage`` from ``source``.

    ``source`` has rn, blank_row, flow_error and the raw fields in ``present``. The stage
    holds rn, status ('keep' or 'field|problem'), err_value and the typed columns for the
    rows kept or in error, and one row per reason set aside (status 'skip:<reason>',
    err_value its count).
    """
    layer0, layer1 = _typed_layers(present)
    derived = _derived()
    status = "CASE " + " ".join(f"WHEN {c} THEN {o}" for c, o in _steps()) + " ELSE 'keep' END"
    err_value = (
        "CASE split_part(status, '|', 1) "
        + " ".join(f"WHEN {_lit(f)} THEN {_r(f)}" for f in _FIELDS)
        + " END"
    )
    typed = _typed_columns(vintage)
    nulls = ", ".join("NULL AS " + c.rsplit(" AS ", 1)[-1] for c in typed)
    return f"""
CREATE TEMP TABLE {stage} AS
WITH src AS ({source}), w AS (
    SELECT {", ".join(layer0)} FROM src
), f AS (
    SELECT {", ".join(layer1)} FROM w
), d AS (
    SELECT *, {derived["hs6"]} AS hs6, {derived["hs_revision"]} AS hs_revision,
           {derived["flow"]} AS flow FROM f
), l AS (
    SELECT *, {derived["cmd_level"]} AS cmd_level FROM d
), s AS MATERIALIZED (
    SELECT *, {status} AS status FROM l
)
SELECT rn, status,
       CASE WHEN status <> 'keep' THEN {err_value} END AS err_value,
       {", ".join(typed)}
FROM s WHERE status NOT LIKE 'skip:%'
UNION ALL
-- the rows set aside, one per reason, for the file's account
SELECT NULL AS rn, status, CAST(count(*) AS VARCHAR) AS err_value, {nulls}
FROM s WHERE status LIKE 'skip:%' GROUP BY status
"""


# ---------------------------------------------------------------------------------------
# Staging, checking and inserting: the same for every source.


@dataclass
class _Load:
    """One source going into ``table``: how to name its lines and fields in errors."""

    file: str
    table: str
    source: str
    origin: str
    vintage: str | None
    years: list[int] | None = None
    line_of: Callable[[int], int] = int
    names: Mapping[str, str] = field(default_factory=dict)
    present: set[str] = field(default_factory=set)
    empty_is_text: bool = False

    def error_of(self, rn: int, status: str, value: Any) -> SourceFileError:
        """The error of the first bad row."""
        field_name, problem = status.split("|", 1)
        if value is None and self.empty_is_text and field_name in self.present:
            value = ""  # an empty cell of a CSV file
        return SourceFileError(
            self.file,
            self.line_of(rn),
            self.names.get(field_name, field_name),
            f"{problem} (got {value!r})",
        )


def _check_names(table: str, source: str, origin: str) -> None:
    if not _TABLE_NAME.match(table):
        raise ValueError(f"not a table name: {table!r}")
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}, got {source!r}")
    if origin not in ORIGINS:
        raise ValueError(f"origin must be one of {ORIGINS}, got {origin!r}")


def _insert_staged(
    con: duckdb.DuckDBPyConnection, stage: str, job: _Load, tally: dict[str, int] | None
) -> int:
    """Raise the first error of the stage, else insert its kept rows.

    The last row of a key wins; the file's rows are counted into ``tally``.
    """
    bad = con.execute(
        f"SELECT rn, status, err_value FROM {stage} WHERE status <> 'keep' "
        "AND status NOT LIKE 'skip:%' ORDER BY rn LIMIT 1"
    ).fetchall()
    if bad:
        raise job.error_of(*bad[0])
    where, params = "WHERE status = 'keep'", []
    if job.years is not None:
        where += " AND list_contains(?::INTEGER[], year)"
        params.append([int(y) for y in job.years])
    cols = ", ".join(c for c in COLUMNS if c not in ("origin", "source"))
    inserted = int(
        con.execute(
            f"INSERT INTO {job.table} BY NAME SELECT {cols}, {_lit(job.origin)} AS origin, "
            f"{_lit(job.source)} AS source FROM {stage} {where} "
            f"QUALIFY row_number() OVER (PARTITION BY {', '.join(KEY)} ORDER BY rn DESC) = 1",
            params,
        ).fetchall()[0][0]
    )
    if tally is not None:
        _tally(con, stage, job.years, inserted, tally)
    return inserted


@contextlib.contextmanager
def _staged(con: duckdb.DuckDBPyConnection) -> Iterator[str]:
    stage = f"comtrade_stage_{uuid.uuid4().hex}"
    try:
        yield stage
    finally:
        # In an aborted caller transaction this fails; the rollback drops the table.
        with contextlib.suppress(duckdb.Error):
            con.execute(f"DROP TABLE IF EXISTS {stage}")


def _tally(con, stage: str, years: list[int] | None, inserted: int, tally: dict[str, int]) -> None:
    for status, n in con.execute(
        f"SELECT status, CAST(err_value AS BIGINT) FROM {stage} WHERE status LIKE 'skip:%'"
    ).fetchall():
        reason = status.removeprefix("skip:")
        if reason != "blank":
            tally[reason] = tally.get(reason, 0) + n
            tally["read"] = tally.get("read", 0) + n
    kept, in_window, before = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE ?::INTEGER[] IS NULL "
        f"OR list_contains(?::INTEGER[], year)), count(*) FILTER (WHERE year < ? AND NOT "
        f"coalesce(list_contains(?::INTEGER[], year), true)) FROM {stage} "
        "WHERE status = 'keep'",
        [years, years, int(WINDOW_START[:4]), years],
    ).fetchone()
    tally["read"] = tally.get("read", 0) + kept
    tally["outside_window"] = tally.get("outside_window", 0) + before
    tally["other_run_window"] = tally.get("other_run_window", 0) + kept - in_window - before
    tally["duplicate"] = tally.get("duplicate", 0) + in_window - inserted


# ---------------------------------------------------------------------------------------
# API records (and JSON files): each value as the text a CSV cell would hold.


def _cell(value: Any) -> str | None:
    # str() is what a CSV writer puts in the cell, so a record and its CSV line stage alike.
    return None if value is None else str(value)


def load_records(
    con: duckdb.DuckDBPyConnection,
    records: Sequence[Mapping[str, Any]],
    table: str,
    *,
    file: str,
    source: str = "api",
    origin: str = "real",
    vintage: str | None = None,
    years: list[int] | None = None,
    tally: dict[str, int] | None = None,
) -> int:
    """Insert the normalized rows of Comtrade records (API field names) into ``table``.

    ``file`` names the records in errors (the cache file of the request, or the JSON
    file); a record's line is its index + 1. ``vintage`` is used when a record carries
    no publication date. The rest is as :func:`load_bulk_file`. Raises
    :class:`SourceFileError` naming file, record and field, having inserted nothing.
    """
    _check_names(table, source, origin)
    present = sorted({k for rec in records for k in rec} & set(_FIELDS))
    frame = pd.DataFrame(
        {
            "rn": pd.Series(range(1, len(records) + 1), dtype="int64"),
            "blank_row": pd.Series([not rec for rec in records], dtype="bool"),
            **{
                f: pd.Series([_cell(rec.get(f)) for rec in records], dtype="object")
                for f in present
            },
        }
    )
    view = f"comtrade_records_{uuid.uuid4().hex}"
    cols = "".join(f", CAST({_ident(f)} AS VARCHAR) AS {_ident(f)}" for f in present)
    source_sql = f"SELECT rn, blank_row, false AS flow_error{cols} FROM {view}"
    job = _Load(file, table, source, origin, vintage, years, present=set(present))
    con.register(view, frame)
    try:
        with _staged(con) as stage:
            con.execute(_stage_sql(stage, source_sql, job.present, vintage))
            return _insert_staged(con, stage, job, tally)
    finally:
        con.unregister(view)


def normalize_records(
    records: Sequence[Mapping[str, Any]],
    *,
    file: str,
    source: str = "api",
    origin: str = "real",
    vintage: str | None = None,
    tally: dict[str, int] | None = None,
) -> pd.DataFrame:
    """Comtrade records -> the normalized frame (records.SCHEMA).

    Through :func:`load_records` on an in-memory DuckDB: the same SQL as every file.
    """
    with duckdb.connect() as con:
        con.execute(schema_sql("normalized"))
        load_records(
            con,
            records,
            "normalized",
            file=file,
            source=source,
            origin=origin,
            vintage=vintage,
            tally=tally,
        )
        return to_frame(con.execute(f"SELECT {', '.join(COLUMNS)} FROM normalized").df())


# ---------------------------------------------------------------------------------------
# CSV files: API/bulk layout and the legacy CSV.


def _layout(src: _File) -> tuple[str, dict[str, str]]:
    """('bulk' or 'legacy_csv', header mapping) from the header."""
    keys = {norm_header(h) for h in src.header}
    if all(k in keys for k in API_REQUIRED):
        return "bulk", API_FIELDS
    if all(k in keys for k in LEGACY_REQUIRED):
        return "legacy_csv", LEGACY_FIELDS
    missing_api = [k for k in API_REQUIRED if k not in keys]
    missing_legacy = [k for k in LEGACY_REQUIRED if k not in keys]
    raise src.error(
        1,
        "<header>",
        f"not a Comtrade layout; API/bulk layout lacks "
        f"{missing_api}, legacy CSV layout lacks {missing_legacy}",
    )


def _check_syntax(con: duckdb.DuckDBPyConnection, src: _File, read: str) -> None:
    """Parse the whole file in a cursor of its own.

    A malformed file then raises before anything runs in the caller's connection (and
    its transaction, which DuckDB would abort).
    """
    # Every cell is read (not count(*) alone, which skips decoding them: a cp1252 byte
    # would only be found later, in the caller's connection).
    cells = ", ".join(f"c{i}" for i in range(len(src.header)))
    with con.cursor() as cursor:
        try:
            cursor.execute(f"SELECT sum(length(concat({cells}))) FROM {read}").fetchall()
        except duckdb.Error as err:
            raise _parse_error(src, str(err)) from None


def _readable(con: duckdb.DuckDBPyConnection, src: _File) -> tuple[str, Path | None]:
    """The read_csv of the file, and the UTF-8 copy made when it is cp1252."""
    read = _read_csv(src.path, len(src.header), src.delimiter, src.gz)
    if src.encoding != "cp1252":  # the header decodes as UTF-8: try the file as it is
        try:
            _check_syntax(con, src, read)
            return read, None
        except _NotUtf8:
            pass
    transcoded = src.transcode(tempfile.gettempdir())
    try:
        read = _read_csv(transcoded, len(src.header), src.delimiter, False)
        _check_syntax(con, src, read)
    except BaseException:
        transcoded.unlink(missing_ok=True)
        raise
    return read, transcoded


def is_json_file(path: Path) -> bool:
    """True for a JSON file (by its name, or its first character), gzip'd or not."""
    return _File(Path(path)).is_json()


class _NotUtf8(Exception):
    """DuckDB found bytes that are not UTF-8: the file is read again as cp1252."""


def load_bulk_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    table: str,
    *,
    vintage: str | None = None,
    origin: str | None = None,
    years: list[int] | None = None,
    tally: dict[str, int] | None = None,
) -> int:
    """Insert the normalized rows of one Comtrade CSV/TSV file into ``table``.

    The API/bulk layout (``source = 'bulk'``) or the legacy CSV (``'legacy_csv'``),
    optionally gzip'd, UTF-8 or cp1252. ``table`` (optionally schema-qualified) must
    exist with the columns of ``records.SCHEMA``. Only rows of ``years`` are inserted
    when given (the whole file is still validated). Returns the number of rows inserted.
    Raises :class:`SourceFileError` naming file, line and field on bad input, having
    inserted nothing. ``tally`` receives 'read' and the rows set aside by reason
    ('breakdown', 'other_flow', 'other_level', 'outside_window', 'other_run_window'
    and, within the file, 'duplicate').
    """
    path = Path(path)
    if not path.is_file():
        raise SourceFileError(path, None, None, "no such file")
    vintage, origin = defaults(path, vintage, origin)
    _check_names(table, "bulk", origin)
    src = _File(path)
    src.read_header()
    source, mapping = _layout(src)
    names = [mapping.get(norm_header(h)) for h in src.header]
    fields = {n: i for i, n in enumerate(names) if n is not None}  # the last one wins
    job = _Load(
        str(path),
        table,
        source,
        origin,
        vintage,
        years,
        src.line_of,
        {n: h.strip().lstrip("\ufeff") for h, n in zip(src.header, names, strict=True) if n},
        set(fields),
        empty_is_text=True,
    )
    read, transcoded = _readable(con, src)
    try:
        sql = _csv_source(read, fields, len(src.header))
        if source == "legacy_csv":
            sql = _legacy_flow_sql(sql)
            job.present.add("flowCode")
        with _staged(con) as stage:
            con.execute(_stage_sql(stage, sql, job.present, vintage))
            return _insert_staged(con, stage, job, tally)
    finally:
        if transcoded is not None:
            transcoded.unlink(missing_ok=True)


def _parse_error(src: _File, message: str) -> Exception:
    if "not utf-8 encoded" in message.lower() and not src.transcoded:
        return _NotUtf8(message)
    if src.gz and ("gzip" in message.lower() or "zlib" in message.lower()):
        return src.broken_gzip(RuntimeError(message.splitlines()[0]))
    ragged = src.first_ragged_row()
    if ragged is not None:
        return ragged
    found = re.search(r"CSV Error on Line: (\d+)", message)
    line = int(found.group(1)) if found else None
    detail = next(
        (x for x in message.splitlines()[1:] if x.strip() and not x.startswith("Original Line")),
        message.splitlines()[0],
    )
    return src.error(line, "<row>", detail.strip())
