"""Comtrade files dropped by hand into landing/comtrade, read into the normalized schema.

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

Bad input raises ``ValueError`` naming the file, the line (the record for JSON) and the
field. The vintage is the publication date in the file name when there is one (bulk
files are named ``COMTRADE-FINAL-CA156201H5[2023-01-03].gz``), else the ``vintage``
argument, else none.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from pathlib import Path
from typing import Any

import pandas as pd

from orchestration.lib.comtrade.records import (
    API_RECORD_FIELDS,
    RecordError,
    normalize_api_records,
)

_DATE_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")

# Legacy header (normalized) -> API field name.
LEGACY_FIELDS = {
    "classification": "classificationCode",
    "year": "refYear",
    "period": "period",
    "aggregatelevel": "aggrLevel",
    "tradeflowcode": "legacyFlowCode",
    "tradeflow": "legacyFlow",
    "reportercode": "reporterCode",
    "reporteriso": "reporterISO",
    "partnercode": "partnerCode",
    "partneriso": "partnerISO",
    "2ndpartnercode": "partner2Code",
    "customsproccode": "customsCode",
    "modeoftransportcode": "motCode",
    "commoditycode": "cmdCode",
    "qtyunit": "qtyUnitAbbr",
    "qty": "qty",
    "altqty": "altQty",
    "netweightkg": "netWgt",
    "grossweightkg": "grossWgt",
    "tradevalueus": "primaryValue",
    "cifvalueus": "cifvalue",
    "ciftradevalueus": "cifvalue",
    "fobvalueus": "fobvalue",
    "fobtradevalueus": "fobvalue",
}
LEGACY_FLOWS = {"import": "M", "export": "X", "1": "M", "2": "X"}
LEGACY_OTHER_FLOWS = {"re-export", "re-import", "re-exports", "re-imports"}

# API v1 field names; normalized spelling -> API spelling.
API_FIELD_NAMES = [*API_RECORD_FIELDS, "lastReleased", "publicationDate"]
API_FIELDS = {re.sub(r"[^a-z0-9]", "", n.lower()): n for n in API_FIELD_NAMES}
API_REQUIRED = ("refyear", "reportercode", "flowcode", "partnercode", "cmdcode",
                "primaryvalue", "classificationcode")
LEGACY_REQUIRED = ("year", "tradeflow", "reportercode", "partnercode", "commoditycode",
                   "tradevalueus", "classification")


def _norm(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.strip().lstrip("\ufeff").lower())


def _read_bytes(path: Path) -> tuple[bytes, str]:
    """File bytes (gunzipped) and the name without a .gz suffix."""
    raw = path.read_bytes()
    name = path.name
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (EOFError, OSError, gzip.BadGzipFile) as err:
            raise ValueError(f"{path}: line 0: field <file>: broken gzip ({err})") from None
        if name.lower().endswith(".gz"):
            name = name[:-3]
    return raw, name


def _decode(raw: bytes, path: Path) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError(f"{path}: line 0: field <file>: not UTF-8 or cp1252 text")


def _records_from_json(text: str, path: Path) -> list[dict[str, Any]]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise ValueError(
            f"{path}: line {err.lineno}: field <json>: malformed JSON ({err.msg})"
        ) from None
    if isinstance(doc, dict):
        if doc.get("error"):
            raise ValueError(f"{path}: line 1: field 'error': API error {doc['error']!r}")
        doc = doc.get("data")
    if not isinstance(doc, list) or not all(isinstance(r, dict) for r in doc):
        raise ValueError(f"{path}: line 1: field 'data': expected a list of records")
    return doc


def _rows_from_text(text: str, path: Path) -> tuple[list[str], list[list[str]]]:
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first else ("," if "," in first else None)
    if delimiter is None:
        delimiter = ";" if ";" in first else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise ValueError(f"{path}: line 1: field <header>: empty file") from None
    rows = [row for row in reader]
    return header, rows


def _rename(header: list[str], mapping: dict[str, str]) -> list[str | None]:
    return [mapping.get(_norm(h)) for h in header]


def read_comtrade_file(
    path: str | Path, vintage: str | None = None, origin: str | None = None,
    tally: dict[str, int] | None = None,
) -> pd.DataFrame:
    """One hand-dropped Comtrade file -> the normalized frame (records.SCHEMA).
    ``tally`` receives the counts of ``normalize_api_records`` (blank lines are no rows).

    ``origin`` defaults to 'synthetic' when the file name contains 'synthetic', else
    'real'. Raises ValueError naming file, line and field on bad input.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: line 0: field <file>: no such file")
    raw, name = _read_bytes(path)
    text = _decode(raw, path)
    found = _DATE_IN_NAME.search(path.name)
    vintage = vintage or (found.group(1) if found else None)
    origin = origin or ("synthetic" if "synthetic" in path.name.lower() else "real")

    if name.lower().endswith(".json") or text.lstrip()[:1] in ("{", "["):
        records = _records_from_json(text, path)
        renamed = [{API_FIELDS.get(_norm(k), k): v for k, v in rec.items()} for rec in records]
        return _normalize(renamed, vintage, "bulk", origin, path, "record", 1, tally=tally)

    header, rows = _rows_from_text(text, path)
    keys = {_norm(h) for h in header}
    if all(k in keys for k in API_REQUIRED):
        names = _rename(header, API_FIELDS)
        records = _to_dicts(names, rows, path)
        return _normalize(records, vintage, "bulk", origin, path, "line", 2,
                          _originals(header, names), tally)
    if all(k in keys for k in LEGACY_REQUIRED):
        names = _rename(header, LEGACY_FIELDS)
        records = _to_dicts(names, rows, path)
        for offset, rec in enumerate(records):
            if not rec:
                continue
            code = str(rec.get("legacyFlowCode") or "").strip()
            label = str(rec.get("legacyFlow") or "").strip().lower()
            flow = LEGACY_FLOWS.get(label) if label else LEGACY_FLOWS.get(code)
            if flow is None and (
                label in LEGACY_OTHER_FLOWS or (not label and code in ("3", "4"))
            ):
                flow = "R"  # re-export / re-import: dropped by the normalizer
            if flow is None or (code and label and LEGACY_FLOWS.get(code, "R") != flow):
                raise ValueError(
                    f"{path}: line {offset + 2}: field 'Trade Flow': unknown or inconsistent "
                    f"flow {rec.get('legacyFlow')!r} (code {code!r})"
                )
            rec["flowCode"] = flow
        return _normalize(records, vintage, "legacy_csv", origin, path, "line", 2,
                          _originals(header, names), tally)
    missing_api = [k for k in API_REQUIRED if k not in keys]
    missing_legacy = [k for k in LEGACY_REQUIRED if k not in keys]
    raise ValueError(
        f"{path}: line 1: field <header>: not a Comtrade layout; API/bulk layout lacks "
        f"{missing_api}, legacy CSV layout lacks {missing_legacy}"
    )


def _to_dicts(names: list[str | None], rows: list[list[str]], path: Path) -> list[dict]:
    width = len(names)
    out = []
    for offset, row in enumerate(rows):
        if not row or all(not cell.strip() for cell in row):
            out.append({})  # blank line: skipped below, keeps line numbers
            continue
        if len(row) != width:
            raise ValueError(
                f"{path}: line {offset + 2}: field <row>: {len(row)} fields, header has "
                f"{width}"
            )
        out.append({n: v for n, v in zip(names, row, strict=True) if n is not None})
    return out


def _originals(header: list[str], names: list[str | None]) -> dict[str, str]:
    return {n: h.strip().lstrip("\ufeff") for h, n in zip(header, names, strict=True) if n}


def _normalize(records, vintage, source, origin, path, unit, first, originals=None,
               tally=None):
    # Blank lines were kept as {} so that line numbers stay exact; skip them here.
    kept = [(first + i, r) for i, r in enumerate(records) if r]
    try:
        return normalize_api_records(
            [r for _, r in kept], vintage, source=source, origin=origin,
            where=f"{path}: {unit}", lines=[n for n, _ in kept], tally=tally,
        )
    except RecordError as err:
        name = (originals or {}).get(err.field, err.field)
        raise ValueError(str(err).replace(f"field {err.field!r}", f"field {name!r}")) from None
