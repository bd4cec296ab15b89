"""Load Comtrade API/bulk-layout files straight into DuckDB, for the full record.

:func:`orchestration.lib.comtrade.files.read_comtrade_file` normalizes one record at a
time in Python and returns a pandas frame: right for the small hand-dropped files, far
too slow and memory-hungry for bulk files of a million rows each (the full record is
10+ million rows). :func:`load_bulk_file` streams one API/bulk-layout file (CSV or
tab-separated, optionally gzip'd) through DuckDB ``read_csv`` and inserts the normalized
rows into an existing table with the columns of :data:`records.SCHEMA`.

The semantics are those of ``read_comtrade_file`` followed by ``normalize_api_records``
(``records.py``): the same breakdown filters (``partner2Code``/``customsCode``/
``motCode``, a blank value counting as the total), flows M/X only, HS6, HS4, HS2 or
TOTAL codes (``cmd_level``), the same column derivations and defaults for ``vintage``
and ``origin``, one row per ``records.KEY`` (the last one in the file wins), and the
same ``ValueError`` messages naming file, line and field. Errors are found in SQL on a
staging table before anything is inserted, so a bad file inserts nothing.

How it runs: one pass of ``read_csv`` (all columns VARCHAR, every option explicit) into
a temporary staging table holding only the rows that are kept or in error, typed; one
scan of the staging table for the first error in file order; one ``INSERT ... BY NAME``
with the dedup. Python touches only the header (and, when there is an error, the lines
before it, to report the exact line number). Memory is DuckDB's, bounded by its
``memory_limit`` (the staging table and the dedup spill to its temp directory).

Not handled here (use ``read_comtrade_file``): the legacy CSV layout and JSON files.
Known differences from the Python reader, all on malformed input: a quote in the middle
of a quoted field, and a whitespace-only line that has fewer fields than the header,
raise an error here (``field <row>``) where Python's csv module is lenient; digits
outside ASCII (``'٣'``) are not numbers here; a reporter or partner code beyond the
INTEGER range is a ValueError here (pandas fails on it there). A parse error inside a
transaction the caller opened leaves that transaction aborted (DuckDB's rule); validation
errors do not.
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
from collections.abc import Iterator
from pathlib import Path

import duckdb

from orchestration.lib.comtrade.files import (
    _DATE_IN_NAME,
    API_FIELDS,
    API_REQUIRED,
    LEGACY_REQUIRED,
    _norm,
)
from orchestration.lib.comtrade.records import (
    COLUMNS,
    FLOWS,
    HS_REVISIONS,
    KEY,
    ORIGINS,
    WORLD_ISO,
)
from orchestration.settings import WINDOW_START

# What records._blank treats as "no value" (after strip()).
BLANK_TEXTS = ("", "nan", "NaN", "None", "null")
# Exactly the characters Python's str.strip() removes.
_WHITESPACE = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())
_PART = r'(?:[A-Za-z_][A-Za-z0-9_$]*|"[^"]+")'
_TABLE_NAME = re.compile(rf"^{_PART}(?:\.{_PART}){{0,2}}$")
_INT32 = (-(2**31), 2**31 - 1)
_CHUNK = 1 << 20

# Fields that are parsed as numbers (the others are text).
_NUMERIC = ("partner2Code", "motCode", "aggrLevel", "refYear", "primaryValue", "partnerCode",
            "reporterCode", "cifvalue", "fobvalue", "qty", "altQty", "netWgt", "grossWgt")
_TEXT = ("customsCode", "flowCode", "cmdCode", "classificationCode", "period", "reporterISO",
         "partnerISO", "qtyUnitAbbr", "lastReleased", "publicationDate")
# Optional numbers of the record, in the order normalize_api_records checks them.
_MEASURES = {"cifvalue": "cif_value_usd", "fobvalue": "fob_value_usd", "qty": "qty",
             "altQty": "alt_qty", "netWgt": "net_weight_kg", "grossWgt": "gross_weight_kg"}


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


_WS = _lit(_WHITESPACE)


def _strip(expr: str) -> str:
    """Python's str.strip(); trim() with the whole set is slow, so only when an end is
    not printable ASCII."""
    expr = f"({expr})"
    return (f"CASE WHEN ord({expr}[1]) BETWEEN 33 AND 126 AND ord({expr}[-1]) BETWEEN 33 "
            f"AND 126 THEN {expr} ELSE trim({expr}, {_WS}) END")


def _is_blank(expr: str, stripped: bool = False) -> str:
    # ORs, not IN (...) or list_contains: in this query DuckDB plans those as joins.
    value = expr if stripped else _strip(expr)
    return f"({expr} IS NULL OR " + " OR ".join(f"{value} = {_lit(x)}" for x in BLANK_TEXTS) + ")"


def _whole(n: str) -> str:
    return f"(isfinite({n}) AND {n} = floor({n}))"


# ---------------------------------------------------------------------------------------
# The file: compression, encoding, delimiter, header (Python reads only the first line).


class _File:
    def __init__(self, path: Path):
        self.path = path
        with path.open("rb") as fh:
            self.gz = fh.read(2) == b"\x1f\x8b"
        self.encoding = "utf-8-sig"
        self.delimiter = ","
        self.header: list[str] = []

    def open_binary(self) -> io.BufferedIOBase:
        """The file's bytes, gunzipped (the caller closes it)."""
        return gzip.open(self.path, "rb") if self.gz else self.path.open("rb")  # noqa: SIM115

    def open_text(self, encoding: str | None = None) -> io.TextIOBase:
        return io.TextIOWrapper(self.open_binary(), encoding=encoding or self.encoding,
                                newline="")

    def rows(self) -> Iterator[list[str]]:
        """The file's rows as files.py sees them (header first)."""
        with self.open_text() as text:
            yield from csv.reader(text, delimiter=self.delimiter)

    def broken_gzip(self, err: BaseException) -> ValueError:
        return ValueError(f"{self.path}: line 0: field <file>: broken gzip ({err})")

    def read_header(self) -> None:
        """Delimiter and header as files.py finds them; raise on JSON and empty files."""
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                with self.open_text(encoding) as text:
                    first = lead = text.readline()
                    while lead and not lead.strip():
                        lead = text.readline()
                break
            except UnicodeDecodeError:
                continue
            except (EOFError, OSError) as err:  # gzip.BadGzipFile is an OSError
                raise self.broken_gzip(err) from None
        else:
            raise ValueError(f"{self.path}: line 0: field <file>: not UTF-8 or cp1252 text")
        name = self.path.name
        if self.gz and name.lower().endswith(".gz"):
            name = name[:-3]
        if name.lower().endswith(".json") or lead.lstrip()[:1] in ("{", "["):
            raise ValueError(f"{self.path}: line 1: field <file>: a JSON file; "
                             "load_bulk_file reads CSV/TSV only (use read_comtrade_file)")
        delimiter = "\t" if "\t" in first else ("," if "," in first else None)
        if delimiter is None:
            delimiter = ";" if ";" in first else ","
        try:
            with self.open_text(encoding) as text:
                header = next(csv.reader(text, delimiter=delimiter), None)
        except (UnicodeDecodeError, csv.Error) as err:
            raise ValueError(f"{self.path}: line 1: field <header>: {err}") from None
        except (EOFError, OSError) as err:
            raise self.broken_gzip(err) from None
        if header is None:
            raise ValueError(f"{self.path}: line 1: field <header>: empty file")
        self.encoding, self.delimiter, self.header = encoding, delimiter, header

    def line_of(self, ordinal: int) -> int:
        """File line (as files.py counts) of DuckDB's ``ordinal``-th data row: DuckDB
        skips empty lines, csv.reader yields them as [] rows."""
        seen = 0
        for offset, row in enumerate(itertools.islice(self.rows(), 1, None)):
            if row:
                seen += 1
                if seen == ordinal:
                    return offset + 2
        return ordinal + 1

    def first_ragged_row(self) -> ValueError | None:
        """files.py's error for the first row whose width differs from the header's."""
        width = len(self.header)
        try:
            for offset, row in enumerate(itertools.islice(self.rows(), 1, None)):
                if not row or all(not cell.strip() for cell in row):
                    continue
                if len(row) != width:
                    return ValueError(f"{self.path}: line {offset + 2}: field <row>: "
                                      f"{len(row)} fields, header has {width}")
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
            raise ValueError(
                f"{self.path}: line 0: field <file>: not UTF-8 or cp1252 text") from None
        except (EOFError, OSError) as err:
            out.unlink(missing_ok=True)
            raise self.broken_gzip(err) from None
        self.encoding = "cp1252"
        return out


# ---------------------------------------------------------------------------------------
# The SQL.


def _read_csv(source: Path, width: int, delimiter: str, gz: bool) -> str:
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width))
    return (
        f"read_csv({_lit(str(source))}, delim={_lit(delimiter)}, quote='\"', escape='\"', "
        f"header=true, columns={{{columns}}}, auto_detect=false, all_varchar=true, "
        f"compression={_lit('gzip' if gz else 'none')}, encoding='utf-8', "
        f"strict_mode=true, null_padding=false, ignore_errors=false, nullstr='', "
        f"comment='', skip=0, parallel=true)"
    )


def _stage_sql(stage: str, read: str, fields: dict[str, int], width: int,
               vintage: str | None) -> str:
    """CREATE TEMP TABLE stage: rn, status ('keep' or 'field|problem'), err_value and
    the typed columns, for the rows that are kept or in error."""
    raw = {f: (f"c{fields[f]}" if f in fields else "NULL::VARCHAR")
           for f in (*_NUMERIC, *_TEXT)}
    cells = ", ".join(f"c{i}" for i in range(width))
    layer0 = ["rn", f"CASE WHEN coalesce({_strip('c0')}, '') = '' "
                    f"THEN coalesce({_strip(f'concat({cells})')}, '') = '' "
                    f"ELSE false END AS blank_row"]
    layer1 = ["rn", "blank_row"]
    for f in (*_NUMERIC, *_TEXT):
        r_, s_ = _ident("r_" + f), _ident("s_" + f)
        layer0.append(f"{raw[f]} AS {r_}")
        layer0.append(f"{_strip(raw[f])} AS {s_}")
        layer1.append(r_)
        if f in _NUMERIC:
            layer1.append(f"{_is_blank(s_, stripped=True)} AS {_ident('b_' + f)}")
            layer1.append(f"TRY_CAST(replace({s_}, ',', '') AS DOUBLE) AS {_ident('n_' + f)}")
        else:
            layer1.append(f"CASE WHEN {_is_blank(s_, stripped=True)} THEN NULL ELSE {s_} END "
                          f"AS {_ident('t_' + f)}")

    def r(f):
        return _ident("r_" + f)

    def b(f):
        return _ident("b_" + f)

    def n(f):
        return _ident("n_" + f)

    def t(f):
        return _ident("t_" + f)

    digits = f"replace({t('cmdCode')}, '.', '')"
    hs6 = (f"CASE WHEN upper({t('cmdCode')}) = 'TOTAL' THEN 'TOTAL' "
           f"WHEN NOT regexp_full_match({digits}, '[0-9]+') THEN NULL "
           f"WHEN length({digits}) IN (2, 4, 6) THEN {digits} "
           f"WHEN length({digits}) = 5 AND NOT {b('aggrLevel')} AND {n('aggrLevel')} = 6 "
           f"THEN lpad({digits}, 6, '0') "
           f"WHEN length({digits}) = 3 AND NOT {b('aggrLevel')} AND {n('aggrLevel')} = 4 "
           f"THEN lpad({digits}, 4, '0') "
           f"WHEN length({digits}) = 1 AND NOT {b('aggrLevel')} AND {n('aggrLevel')} = 2 "
           f"THEN lpad({digits}, 2, '0') END")
    cmd_level = ("CASE WHEN hs6 = 'TOTAL' THEN 'TOTAL' WHEN length(hs6) = 4 THEN 'HS4' "
                 "WHEN length(hs6) = 2 THEN 'HS2' WHEN hs6 IS NOT NULL THEN 'HS6' END")
    revision = "CASE upper({}) {} END".format(
        t("classificationCode"),
        " ".join(f"WHEN {_lit(k)} THEN {_lit(v)}" for k, v in HS_REVISIONS.items()))
    flow = "CASE upper({}) {} END".format(
        t("flowCode"), " ".join(f"WHEN {_lit(k)} THEN {_lit(v)}" for k, v in FLOWS.items()))

    def err(field, problem):
        return _lit(f"{field}|{problem}")

    def number_checks(f, required):
        out = [(f"NOT {b(f)} AND {n(f)} IS NULL", err(f, "not a number"))]
        if required:
            out.append((b(f), err(f, "missing")))
        out.append((f"NOT {b(f)} AND NOT {_whole(n(f))}", err(f, "not a whole number")))
        return out

    def int32(f):
        return (f"{n(f)} NOT BETWEEN {_INT32[0]} AND {_INT32[1]}",
                err(f, "out of the INTEGER range"))

    classes = ", ".join(HS_REVISIONS)
    # The checks of normalize_api_records, in its order: the first that applies decides.
    # 'skip:<reason>' rows are set aside (reasons of accounting.REASONS; 'skip:blank' is no row)
    steps: list[tuple[str, str]] = [("blank_row", "'skip:blank'")]
    steps += number_checks("partner2Code", False)
    steps += [(f"NOT {b('partner2Code')} AND {n('partner2Code')} <> 0", "'skip:breakdown'"),
              (f"{t('customsCode')} IS NOT NULL AND upper({t('customsCode')}) <> 'C00'",
               "'skip:breakdown'")]
    steps += number_checks("motCode", False)
    steps += [(f"NOT {b('motCode')} AND {n('motCode')} <> 0", "'skip:breakdown'"),
              (f"{t('flowCode')} IS NULL", err("flowCode", "missing")),
              ("flow IS NULL", "'skip:other_flow'")]
    steps += number_checks("aggrLevel", False)
    steps += [(f"{t('cmdCode')} IS NULL", err("cmdCode", "missing")),
              ("hs6 IS NULL", "'skip:other_level'"),
              ("hs_revision IS NULL", err("classificationCode",
                                          f"not an HS classification code ({classes})"))]
    steps += number_checks("refYear", True)
    steps += [(f"{n('refYear')} NOT BETWEEN 1900 AND 2100", err("refYear", "not a year")),
              (f"NOT {b('primaryValue')} AND {n('primaryValue')} IS NULL",
               err("primaryValue", "not a number")),
              (b("primaryValue"), err("primaryValue", "missing"))]
    steps += number_checks("partnerCode", True) + [int32("partnerCode")]
    steps += number_checks("reporterCode", True) + [int32("reporterCode")]
    steps += [(f"NOT {b(f)} AND {n(f)} IS NULL", err(f, "not a number")) for f in _MEASURES]
    status = "CASE " + " ".join(f"WHEN {c} THEN {o}" for c, o in steps) + " ELSE 'keep' END"
    err_value = "CASE split_part(status, '|', 1) " + " ".join(
        f"WHEN {_lit(f)} THEN {r(f)}" for f in (*_NUMERIC, *_TEXT)) + " END"

    def dbl(f):
        return f"CASE WHEN isnan({n(f)}) THEN NULL ELSE {n(f)} END"

    vintage_sql = (f"CASE WHEN {t('lastReleased')} IS NOT NULL THEN left({t('lastReleased')}, 10) "
                   f"WHEN {t('publicationDate')} IS NOT NULL "
                   f"THEN left({t('publicationDate')}, 10) "
                   f"ELSE {'NULL' if vintage is None else _lit(vintage)} END")
    typed = [
        f"TRY_CAST({n('refYear')} AS INTEGER) AS year",
        f"coalesce({t('period')}, CAST(TRY_CAST({n('refYear')} AS INTEGER) AS VARCHAR)) AS period",
        f"TRY_CAST({n('reporterCode')} AS INTEGER) AS reporter_code",
        f"{t('reporterISO')} AS reporter_iso3",
        f"TRY_CAST({n('partnerCode')} AS INTEGER) AS partner_code",
        f"CASE WHEN {n('partnerCode')} = 0 THEN {_lit(WORLD_ISO)} ELSE {t('partnerISO')} END "
        "AS partner_iso3",
        "flow", "hs6", "hs_revision", "cmd_level",
        f"upper({t('classificationCode')}) AS classification_code",
        f"{dbl('primaryValue')} AS primary_value_usd",
        *(f"{dbl(f)} AS {c}" for f, c in _MEASURES.items()),
        f"{t('qtyUnitAbbr')} AS qty_unit",
        f"CASE WHEN {_is_blank('v')} THEN NULL ELSE v END AS vintage",
    ]
    return f"""
CREATE TEMP TABLE {stage} AS
WITH src AS (
    SELECT row_number() OVER () AS rn, * FROM {read}
), w AS (
    SELECT {', '.join(layer0)} FROM src
), f AS (
    SELECT {', '.join(layer1)} FROM w
), d AS (
    SELECT *, {hs6} AS hs6, {revision} AS hs_revision, {flow} AS flow FROM f
), l AS (
    SELECT *, {cmd_level} AS cmd_level FROM d
), s AS MATERIALIZED (
    SELECT *, {status} AS status, {vintage_sql} AS v FROM l
)
SELECT rn, status,
       CASE WHEN status <> 'keep' THEN {err_value} END AS err_value,
       {', '.join(typed)}
FROM s WHERE status NOT LIKE 'skip:%'
UNION ALL
-- the rows set aside, one per reason, for the file's account
SELECT NULL AS rn, status, CAST(count(*) AS VARCHAR) AS err_value,
       {', '.join('NULL AS ' + c.rsplit(' AS ', 1)[-1] if ' AS ' in c else 'NULL AS ' + c
                  for c in typed)}
FROM s WHERE status LIKE 'skip:%' GROUP BY status
"""


# ---------------------------------------------------------------------------------------


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
    """Insert the normalized rows of one API/bulk-layout Comtrade file into ``table``.

    ``table`` (optionally schema-qualified) must exist with the columns of
    ``records.SCHEMA``. The rows are those ``read_comtrade_file(path, vintage, origin)``
    returns (``source = 'bulk'``), restricted to ``years`` when given (the whole file is
    still validated). Returns the number of rows inserted. Raises ``ValueError`` naming
    file, line and field on bad input, having inserted nothing. ``tally`` receives
    'read' and the rows set aside by reason ('breakdown', 'other_flow', 'other_level',
    'outside_window' and, within the file, 'duplicate').
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: line 0: field <file>: no such file")
    if not _TABLE_NAME.match(table):
        raise ValueError(f"not a table name: {table!r}")
    found = _DATE_IN_NAME.search(path.name)
    vintage = vintage or (found.group(1) if found else None)
    origin = origin or ("synthetic" if "synthetic" in path.name.lower() else "real")
    if origin not in ORIGINS:
        raise ValueError(f"origin must be one of {ORIGINS}, got {origin!r}")

    src = _File(path)
    src.read_header()
    names = [API_FIELDS.get(_norm(h)) for h in src.header]
    keys = {_norm(h) for h in src.header}
    if not all(k in keys for k in API_REQUIRED):
        missing = [k for k in API_REQUIRED if k not in keys]
        legacy = all(k in keys for k in LEGACY_REQUIRED)
        raise ValueError(
            f"{path}: line 1: field <header>: "
            + ("the legacy CSV layout: load it with read_comtrade_file" if legacy else
               f"not a Comtrade API/bulk layout; it lacks {missing}")
        )
    fields = {n: i for i, n in enumerate(names) if n is not None}  # the last one wins
    originals = {n: h.strip().lstrip("\ufeff") for h, n in zip(src.header, names, strict=True)
                 if n}

    stage = f"comtrade_bulk_stage_{uuid.uuid4().hex}"
    source, transcoded = path, None
    try:
        while True:
            read = _read_csv(source, len(src.header), src.delimiter, src.gz and not transcoded)
            try:
                con.execute(_stage_sql(stage, read, fields, len(src.header), vintage))
                break
            except duckdb.Error as err:
                message = str(err)
                if transcoded is None and "not utf-8 encoded" in message.lower():
                    transcoded = src.transcode(tempfile.gettempdir())
                    source = transcoded
                    continue
                raise _parse_error(src, message) from None
        bad = con.execute(
            f"SELECT rn, status, err_value FROM {stage} WHERE status <> 'keep' "
            "AND status NOT LIKE 'skip:%' ORDER BY rn LIMIT 1"
        ).fetchall()
        if bad:
            rn, status, value = bad[0]
            field, problem = status.split("|", 1)
            if value is None and field in fields:
                value = ""  # an empty cell: csv.reader gives ''
            line = src.line_of(rn)
            raise ValueError(f"{path}: line {line}: field {originals.get(field, field)!r}: "
                             f"{problem} (got {value!r})")
        where = "WHERE status = 'keep'"
        params: list = []
        if years is not None:
            where += " AND list_contains(?::INTEGER[], year)"
            params.append([int(y) for y in years])
        cols = ", ".join(c for c in COLUMNS if c not in ("origin", "source"))
        inserted = con.execute(
            f"INSERT INTO {table} BY NAME "
            f"SELECT {cols}, {_lit(origin)} AS origin, 'bulk' AS source FROM {stage} {where} "
            f"QUALIFY row_number() OVER (PARTITION BY {', '.join(KEY)} ORDER BY rn DESC) = 1",
            params,
        ).fetchall()
        if tally is not None:
            _tally(con, stage, years, int(inserted[0][0]), tally)
        return int(inserted[0][0])
    finally:
        # In an aborted caller transaction this fails; the rollback drops the table.
        with contextlib.suppress(duckdb.Error):
            con.execute(f"DROP TABLE IF EXISTS {stage}")
        if transcoded is not None:
            transcoded.unlink(missing_ok=True)


def _tally(con, stage: str, years: list[int] | None, inserted: int,
           tally: dict[str, int]) -> None:
    for status, n in con.execute(
            f"SELECT status, CAST(err_value AS BIGINT) FROM {stage} "
            "WHERE status LIKE 'skip:%'").fetchall():
        reason = status.removeprefix("skip:")
        if reason != "blank":
            tally[reason] = tally.get(reason, 0) + n
            tally["read"] = tally.get("read", 0) + n
    kept, in_window, before = con.execute(
        f"SELECT count(*), count(*) FILTER (WHERE ?::INTEGER[] IS NULL "
        f"OR list_contains(?::INTEGER[], year)), count(*) FILTER (WHERE year < ? AND NOT "
        f"coalesce(list_contains(?::INTEGER[], year), true)) FROM {stage} "
        "WHERE status = 'keep'",
        [years, years, int(WINDOW_START[:4]), years]).fetchone()
    tally["read"] = tally.get("read", 0) + kept
    tally["outside_window"] = tally.get("outside_window", 0) + before
    tally["other_run_window"] = tally.get("other_run_window", 0) + kept - in_window - before
    tally["duplicate"] = tally.get("duplicate", 0) + in_window - inserted


def _parse_error(src: _File, message: str) -> ValueError:
    if src.gz and ("gzip" in message.lower() or "zlib" in message.lower()):
        return src.broken_gzip(RuntimeError(message.splitlines()[0]))
    ragged = src.first_ragged_row()
    if ragged is not None:
        return ragged
    found = re.search(r"CSV Error on Line: (\d+)", message)
    line = int(found.group(1)) if found else 0
    detail = next((x for x in message.splitlines()[1:] if x.strip()
                   and not x.startswith("Original Line")), message.splitlines()[0])
    return ValueError(f"{src.path}: line {line}: field <row>: {detail.strip()}")

