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

These rules are implemented once, in SQL (:mod:`orchestration.lib.comtrade.bulk_duckdb`):
API records, JSON files, API/bulk CSV files and the legacy CSV are all put into a DuckDB
relation in the raw Comtrade field names and go through the same staging query. This
module holds the shared vocabulary: field names, the schema, the codes.

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
from typing import Any

import pandas as pd

# The 47 fields of an API v1 / bulk "final" record, in the API's order.
API_RECORD_FIELDS = [
    "typeCode",
    "freqCode",
    "refPeriodId",
    "refYear",
    "refMonth",
    "period",
    "reporterCode",
    "reporterISO",
    "reporterDesc",
    "flowCode",
    "flowDesc",
    "partnerCode",
    "partnerISO",
    "partnerDesc",
    "partner2Code",
    "partner2ISO",
    "partner2Desc",
    "classificationCode",
    "classificationSearchCode",
    "isOriginalClassification",
    "cmdCode",
    "cmdDesc",
    "aggrLevel",
    "isLeaf",
    "customsCode",
    "customsDesc",
    "mosCode",
    "motCode",
    "motDesc",
    "qtyUnitCode",
    "qtyUnitAbbr",
    "qty",
    "isQtyEstimated",
    "altQtyUnitCode",
    "altQtyUnitAbbr",
    "altQty",
    "isAltQtyEstimated",
    "netWgt",
    "isNetWgtEstimated",
    "grossWgt",
    "isGrossWgtEstimated",
    "cifvalue",
    "fobvalue",
    "primaryValue",
    "legacyEstimationFlag",
    "isReported",
    "isAggregate",
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
    "year",
    "period",
    "reporter_code",
    "partner_code",
    "flow",
    "hs6",
    "classification_code",
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

# API v1 field names; normalized spelling -> API spelling. The publication dates a
# record may carry (for its vintage) come last, in the order they are looked at.
VINTAGE_FIELDS = ("vintage", "lastReleased", "publicationDate", "releaseDate")
API_FIELD_NAMES = [*API_RECORD_FIELDS, *VINTAGE_FIELDS]
API_FIELDS = {re.sub(r"[^a-z0-9]", "", n.lower()): n for n in API_FIELD_NAMES}
API_REQUIRED = (
    "refyear",
    "reportercode",
    "flowcode",
    "partnercode",
    "cmdcode",
    "primaryvalue",
    "classificationcode",
)

# Legacy CSV header (normalized) -> API field name. The legacy flow comes as a code and
# a label, mapped to flowCode in SQL (bulk_duckdb).
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
LEGACY_OTHER_FLOWS = ("re-export", "re-import", "re-exports", "re-imports")
LEGACY_OTHER_CODES = ("3", "4")
LEGACY_REQUIRED = (
    "year",
    "tradeflow",
    "reportercode",
    "partnercode",
    "commoditycode",
    "tradevalueus",
    "classification",
)
DATE_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")


def norm_header(header: str) -> str:
    """A header cell compared lower-case without punctuation ('partner_2_code')."""
    return re.sub(r"[^a-z0-9]", "", header.strip().lstrip("\ufeff").lower())


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


def _blank(value: Any) -> bool:
    """True for what Comtrade writes for "no value" (bulk_duckdb.BLANK_TEXTS, None, NaN)."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip() in ("", "nan", "NaN", "None", "null")


def to_frame(rows: list[dict[str, Any]] | pd.DataFrame) -> pd.DataFrame:
    """Normalized rows -> the normalized frame.

    Columns in order, pandas types set, one row per KEY (the last one wins when a record
    arrives twice, e.g. in two API calls). It types and deduplicates; it does not
    normalize: the rows come from the staging SQL.
    """
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
