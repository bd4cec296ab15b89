"""The normalized UN Comtrade record, shared by the API connector and the file reader.

Every Comtrade source (API v1 JSON, bulk files, API CSV downloads, the legacy CSV) ends up
in one table whose columns are :data:`SCHEMA`. Only the rows the indicators can add up
without double counting are kept (docs/method.md section 1.2):

* ``partner2Code == 0`` (second partner World), ``customsCode == 'C00'`` (all customs
  procedures) and ``motCode == 0`` (all modes of transport). Breakdown rows repeat the
  totals and would be counted twice. A layout without these fields (the legacy CSV,
  where they are blank) has no breakdowns, so a blank value counts as the total.
* flows ``M`` (import) and ``X`` (export) only; re-exports, re-imports and the
  processing flows are dropped.
* commodity codes at six digits; ``TOTAL`` is kept as ``hs6 = 'TOTAL'``, four-digit
  headings as ``hs6 = '8542'`` and chapters as ``hs6 = '85'``, each marked by
  ``cmd_level`` ('HS6', 'HS4', 'HS2', 'TOTAL'): TOTAL and chapter rows give a reporter's
  all-goods and all-manufactured-goods figures, and an HS4 row may stand in for a heading
  whose six-digit detail is missing. Levels are never summed together: staging reads
  each level on its own. Any other code (odd lengths, 'AG1'...) is set aside.

``normalize_api_records(..., tally=counts)`` counts the rows read and the rows each
filter set aside (keys of ``orchestration.defs.accounting.REASONS``).

``isAggregate`` is deliberately *not* a filter. In Comtrade Plus it marks records that
UNSD derived by summation rather than received as reported, for example the partner
World row that UNSD adds up from a reporter's partner detail, or a six-digit row
converted from another HS revision. Those are exactly the World rows the indicators
use, so dropping ``isAggregate = True`` would silently remove whole reporters. Double
counting is prevented by the partner2 / customs / transport filters above and by using
one commodity level (HS6) at a time. Reporter aggregates (EU, code 97) are not dropped
here either; the connector leaves them out when it expands "every reporter".
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

# The 47 fields of an API v1 / bulk "final" record, in the API's order.
API_RECORD_FIELDS = [
    "typeCode", "freqCode", "refPeriodId", "refYear", "refMonth", "period", "reporterCode",
    "reporterISO", "reporterDesc", "flowCode", "flowDesc", "partnerCode", "partnerISO",
    "partnerDesc", "partner2Code", "partner2ISO", "partner2Desc", "classificationCode",
    "classificationSearchCode", "isOriginalClassification", "cmdCode", "cmdDesc",
    "aggrLevel", "isLeaf", "customsCode", "customsDesc", "mosCode", "motCode", "motDesc",
    "qtyUnitCode", "qtyUnitAbbr", "qty", "isQtyEstimated", "altQtyUnitCode",
    "altQtyUnitAbbr", "altQty", "isAltQtyEstimated", "netWgt", "isNetWgtEstimated",
    "grossWgt", "isGrossWgtEstimated", "cifvalue", "fobvalue", "primaryValue",
    "legacyEstimationFlag", "isReported", "isAggregate",
]

SCHEMA: list[tuple[str, str]] = [
    ("year", "INTEGER"),
    ("period", "VARCHAR"),
    ("reporter_code", "INTEGER"),
    ("reporter_iso3", "VARCHAR"),
    ("partner_code", "INTEGER"),
    ("partner_iso3", "VARCHAR"),
    ("flow", "VARCHAR"),
    ("hs6", "VARCHAR"),
    ("hs_revision", "VARCHAR"),
    ("classification_code", "VARCHAR"),
    ("primary_value_usd", "DOUBLE"),
    ("cif_value_usd", "DOUBLE"),
    ("fob_value_usd", "DOUBLE"),
    ("qty", "DOUBLE"),
    ("qty_unit", "VARCHAR"),
    ("alt_qty", "DOUBLE"),
    ("net_weight_kg", "DOUBLE"),
    ("gross_weight_kg", "DOUBLE"),
    ("vintage", "VARCHAR"),
    ("origin", "VARCHAR"),
    ("source", "VARCHAR"),
    ("cmd_level", "VARCHAR"),
]
COLUMNS: list[str] = [name for name, _ in SCHEMA]
# One record per (year, period, reporter, partner, flow, code, classification).
KEY: list[str] = [
    "year", "period", "reporter_code", "partner_code", "flow", "hs6", "classification_code",
]
SOURCES = ("api", "bulk", "legacy_csv")
ORIGINS = ("real", "synthetic")

# Comtrade classification codes of the HS revisions.
HS_REVISIONS: dict[str, str] = {
    "H0": "HS1992",
    "H1": "HS1996",
    "H2": "HS2002",
    "H3": "HS2007",
    "H4": "HS2012",
    "H5": "HS2017",
    "H6": "HS2022",
}
FLOWS: dict[str, str] = {"M": "import", "X": "export"}
WORLD_ISO = "W00"  # Comtrade API code of partner World (the legacy CSV says "WLD")

_PANDAS_TYPES = {"INTEGER": "Int32", "DOUBLE": "float64", "VARCHAR": "str"}


def schema_sql(table: str) -> str:
    """``CREATE TABLE IF NOT EXISTS`` statement for the normalized schema (DuckDB)."""
    cols = ",\n  ".join(f"{name} {kind}" for name, kind in SCHEMA)
    return f"CREATE TABLE IF NOT EXISTS {table} (\n  {cols}\n)"


def empty_frame() -> pd.DataFrame:
    """A frame with the normalized columns and types and no rows."""
    return pd.DataFrame({n: pd.Series(dtype=_PANDAS_TYPES[k]) for n, k in SCHEMA})


def hs_revision(classification_code: str | None) -> str | None:
    """'H5' -> 'HS2017'. None for an unknown code."""
    if classification_code is None:
        return None
    return HS_REVISIONS.get(str(classification_code).strip().upper())


class RecordError(ValueError):
    """A record that cannot be normalized: names the field and the record (line)."""

    def __init__(self, where: str, field: str, value: Any, problem: str):
        self.where, self.field, self.value = where, field, value
        super().__init__(f"{where}: field {field!r}: {problem} (got {value!r})")


def _blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip() in ("", "nan", "NaN", "None", "null")


def _number(value: Any, where: str, field: str) -> float | None:
    if _blank(value):
        return None
    if isinstance(value, bool):
        raise RecordError(where, field, value, "not a number")
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip().replace(",", "")
    try:
        return float(text)
    except ValueError:
        raise RecordError(where, field, value, "not a number") from None


def _integer(value: Any, where: str, field: str, required: bool = True) -> int | None:
    number = _number(value, where, field)
    if number is None:
        if required:
            raise RecordError(where, field, value, "missing")
        return None
    if not number.is_integer():
        raise RecordError(where, field, value, "not a whole number")
    return int(number)


def _text(value: Any) -> str | None:
    if _blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


_DIGITS = re.compile(r"^\d+$")


def commodity(code: Any, aggr_level: int | None) -> tuple[str | None, str | None]:
    """(code, level): a six-digit code and 'HS6', a four-digit heading and 'HS4', a
    chapter and 'HS2', or ('TOTAL', 'TOTAL'); (None, None) for any other code. A code
    that lost its leading zero (a CSV through a spreadsheet) is padded only when the
    record gives its level."""
    text = _text(code)
    if text is None:
        return None, None
    if text.upper() == "TOTAL":
        return "TOTAL", "TOTAL"
    text = text.replace(".", "")
    if not _DIGITS.match(text):
        return None, None
    if len(text) == 6:
        return text, "HS6"
    if len(text) == 5 and aggr_level == 6:
        return text.zfill(6), "HS6"
    if len(text) == 4:
        return text, "HS4"
    if len(text) == 3 and aggr_level == 4:
        return text.zfill(4), "HS4"
    if len(text) == 2:
        return text, "HS2"
    if len(text) == 1 and aggr_level == 2:
        return text.zfill(2), "HS2"
    return None, None


def _vintage_of(record: Mapping[str, Any], fallback: str | None) -> str | None:
    for field in ("vintage", "lastReleased", "publicationDate", "releaseDate"):
        text = _text(record.get(field))
        if text:
            return text[:10]
    return fallback


def normalize_api_records(
    records: Iterable[Mapping[str, Any]],
    vintage_fallback: str | None,
    *,
    source: str = "api",
    origin: str = "real",
    where: str = "record",
    first_line: int = 1,
    lines: list[int] | None = None,
    tally: dict[str, int] | None = None,
) -> pd.DataFrame:
    """API v1 / bulk records (camelCase field names, JSON types or strings) -> the
    normalized frame (:data:`SCHEMA`).

    ``vintage_fallback`` is used when a record carries no publication date of its own
    (API data records never do: the connector passes the availability ``lastReleased``).
    ``where`` and ``first_line`` (or ``lines``, one number per record) name the records
    in error messages ("file.csv: line 7").
    Raises :class:`RecordError` (a ValueError) naming the record and field.
    ``tally`` (a dict) receives 'read', 'kept' (before the one-row-per-KEY rule) and the
    set-aside counts 'breakdown', 'other_flow', 'other_level'.
    """
    counts = tally if tally is not None else {}
    for name in ("read", "kept", "breakdown", "other_flow", "other_level"):
        counts.setdefault(name, 0)
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}, got {source!r}")
    if origin not in ORIGINS:
        raise ValueError(f"origin must be one of {ORIGINS}, got {origin!r}")
    rows: list[dict[str, Any]] = []
    for offset, rec in enumerate(records):
        at = f"{where} {lines[offset] if lines is not None else first_line + offset}"
        counts["read"] += 1
        # Breakdown filters (a missing or blank field means the layout has no breakdown).
        if not _blank(rec.get("partner2Code")) and _integer(
            rec.get("partner2Code"), at, "partner2Code"
        ) != 0:
            counts["breakdown"] += 1
            continue
        customs = _text(rec.get("customsCode"))
        if customs is not None and customs.upper() != "C00":
            counts["breakdown"] += 1
            continue
        if not _blank(rec.get("motCode")) and _integer(rec.get("motCode"), at, "motCode") != 0:
            counts["breakdown"] += 1
            continue
        flow_code = _text(rec.get("flowCode"))
        if flow_code is None:
            raise RecordError(at, "flowCode", rec.get("flowCode"), "missing")
        flow = FLOWS.get(flow_code.upper())
        if flow is None:
            counts["other_flow"] += 1  # re-exports, re-imports, processing flows
            continue
        aggr = _integer(rec.get("aggrLevel"), at, "aggrLevel", required=False)
        if _blank(rec.get("cmdCode")):
            raise RecordError(at, "cmdCode", rec.get("cmdCode"), "missing")
        hs6, level = commodity(rec.get("cmdCode"), aggr)
        if hs6 is None:
            counts["other_level"] += 1
            continue
        classification = _text(rec.get("classificationCode"))
        revision = hs_revision(classification)
        if revision is None:
            raise RecordError(
                at, "classificationCode", rec.get("classificationCode"),
                f"not an HS classification code ({', '.join(HS_REVISIONS)})",
            )
        year = _integer(rec.get("refYear"), at, "refYear")
        if not 1900 <= year <= 2100:
            raise RecordError(at, "refYear", rec.get("refYear"), "not a year")
        primary = _number(rec.get("primaryValue"), at, "primaryValue")
        if primary is None:
            raise RecordError(at, "primaryValue", rec.get("primaryValue"), "missing")
        partner_code = _integer(rec.get("partnerCode"), at, "partnerCode")
        partner_iso = _text(rec.get("partnerISO"))
        if partner_code == 0:
            partner_iso = WORLD_ISO
        rows.append(
            {
                "year": year,
                "period": _text(rec.get("period")) or str(year),
                "reporter_code": _integer(rec.get("reporterCode"), at, "reporterCode"),
                "reporter_iso3": _text(rec.get("reporterISO")),
                "partner_code": partner_code,
                "partner_iso3": partner_iso,
                "flow": flow,
                "hs6": hs6,
                "hs_revision": revision,
                "classification_code": classification.upper(),
                "primary_value_usd": primary,
                "cif_value_usd": _number(rec.get("cifvalue"), at, "cifvalue"),
                "fob_value_usd": _number(rec.get("fobvalue"), at, "fobvalue"),
                "qty": _number(rec.get("qty"), at, "qty"),
                "qty_unit": _text(rec.get("qtyUnitAbbr")),
                "alt_qty": _number(rec.get("altQty"), at, "altQty"),
                "net_weight_kg": _number(rec.get("netWgt"), at, "netWgt"),
                "gross_weight_kg": _number(rec.get("grossWgt"), at, "grossWgt"),
                "vintage": _vintage_of(rec, vintage_fallback),
                "origin": origin,
                "source": source,
                "cmd_level": level,
            }
        )
    counts["kept"] += len(rows)
    return to_frame(rows)


def to_frame(rows: list[dict[str, Any]] | pd.DataFrame) -> pd.DataFrame:
    """Rows -> the normalized frame: columns in order, types set, one row per KEY (the
    last one wins when a record arrives twice)."""
    df = pd.DataFrame(rows) if not isinstance(rows, pd.DataFrame) else rows.copy()
    if df.empty:
        return empty_frame()
    for name, kind in SCHEMA:
        if name not in df.columns:
            df[name] = None
        if kind == "VARCHAR":
            df[name] = df[name].map(lambda v: None if _blank(v) else str(v)).astype("str")
        elif kind == "INTEGER":
            df[name] = pd.to_numeric(df[name]).astype("Int32")
        else:
            df[name] = pd.to_numeric(df[name]).astype("float64")
    df = df[COLUMNS]
    df = df.drop_duplicates(KEY, keep="last")
    return df.sort_values(KEY, kind="stable").reset_index(drop=True)
