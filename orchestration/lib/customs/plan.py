"""`chokepoint customs plan`: the portal queries still needed to complete a window.

The customs statistics portal groups a query by one or two fields, takes at most five
condition codes per field, spans months of one year (with "by month" ticked, each row
carries its month), and cuts a result at 10,000 rows. The plan reads what is loaded from
the coverage model (intermediate.int_customs__code_coverage, built by every run) and lists
queries that fit those limits, skipping every code-month already covered:

- commodity grain: a month and flow with nothing loaded, or with more codes missing than
  ``ALL_CODES_ABOVE``, gets one query for all codes (about 8,500 rows, one month); the
  other missing codes get queries of five condition codes over the months they miss.
  A code covered at a finer grain (partner rows) needs nothing: totals are read from it.
- a grain with partners: the batch codes (imports), five per query, months split so that
  the expected rows (codes x months x partners per code) stay under the limit.

The scope says which codes the commodity grain must complete: ``analysis`` (the batch
codes and the codes the data already holds that year) or ``list`` (China Customs' whole
HS8 list in force that year as well, what the "all goods" totals need).

Each query has a file name to save the download under. The plan records those names in
``landing/customs/_plans/queries.json`` with the flow and the codes asked for, so the
loader knows the flow and counts a code asked for but absent as "no trade".
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import json
from collections import defaultdict
from pathlib import Path

import duckdb

from orchestration.lib.atomic import write_text
from orchestration.lib.customs.coverage import NotBuilt
from orchestration.lib.customs.parsing import PLAN_MANIFEST, PORTAL_ROW_LIMIT
from orchestration.lib.months import months_between

MAX_CONDITION_CODES = 5  # the portal takes at most five condition codes per field
ALL_CODES_ABOVE = 10 * MAX_CONDITION_CODES  # more missing codes: one all-codes query
ROW_BUDGET = int(PORTAL_ROW_LIMIT * 0.8)  # headroom for an estimate that runs low
DEFAULT_CODES_PER_MONTH = 8_600  # HS8 lines with trade in a month, per flow (2015-2023)
DEFAULT_PARTNERS_PER_CODE = 60  # rows per code and month when grouped by partner
GRAINS = ("commodity", "commodity,partner")
SCOPES = ("analysis", "list")
_GROUP_BY = {
    "commodity": "商品 (HS8) only / Commodity only",
    "commodity,partner": "商品 (HS8) + 贸易伙伴 / Commodity + Trading partner",
}


@dataclasses.dataclass
class Query:
    """One portal query: flow, grain, months, condition codes, expected rows."""

    no: int
    flow: str
    grain: str
    month_from: str
    month_to: str
    codes: list[str] | None  # None: every code (no condition codes)
    est_rows: int
    save_as: str = ""

    @property
    def codes_text(self) -> str:
        """The condition codes as the portal takes them."""
        return "all codes (no condition)" if self.codes is None else ",".join(self.codes)


def _runs(months: list[str]) -> list[tuple[str, str]]:
    """Contiguous runs of sorted months (within one year)."""
    runs: list[list[str]] = []
    for month in months:
        if runs and months_between(runs[-1][-1], month)[1:2] == [month]:
            runs[-1].append(month)
        else:
            runs.append([month])
    return [(r[0], r[-1]) for r in runs]


def _save_as(q: Query) -> str:
    key = json.dumps([q.flow, q.grain, q.month_from, q.month_to, q.codes])
    digest = hashlib.sha256(key.encode()).digest()
    # letters only, so the id can never read as a month or a flow word
    tag = "".join(chr(ord("a") + b % 26) for b in digest[:6])
    months = q.month_from if q.month_from == q.month_to else f"{q.month_from}_{q.month_to}"
    return f"gacc_{q.flow}_{q.grain.replace(',', '-')}_{months}_q{tag}.csv"


def _load(con: duckdb.DuckDBPyConnection, grain: str, months: list[str], scope: str):
    """(universe, covered, loaded months per flow, batch codes per month, estimates)."""
    try:
        rows = con.execute(
            """SELECT period_month, flow, hs8, bool_or(is_batch_code),
                      bool_or(is_held_code OR ($scope = 'list' AND is_list_code)),
                      bool_or(status <> 'not downloaded'),
                      bool_or(grain = $grain AND status <> 'not downloaded'),
                      bool_or(is_loaded)
               FROM intermediate.int_customs__code_coverage
               WHERE list_contains($months, period_month)
               GROUP BY ALL""",
            {"grain": grain, "months": months, "scope": scope},
        ).fetchall()
        batch = con.execute(
            """SELECT DISTINCT hs8, valid_from, valid_to
               FROM staging.stg_reference__tech_batches"""
        ).fetchall()
        per_month = dict(
            con.execute(
                """SELECT flow, max(n) FROM (SELECT flow, period_month, count(DISTINCT hs8) AS n
               FROM staging.stg_customs__monthly_trade GROUP BY ALL) GROUP BY flow"""
            ).fetchall()
        )
        if scope == "list":  # an all-codes query returns the whole list of the year
            for flow, n in con.execute(
                """SELECT flow, max(n) FROM (SELECT flow, period_month,
                              count(DISTINCT hs8) AS n
                       FROM intermediate.int_customs__code_coverage WHERE is_list_code
                       GROUP BY ALL) GROUP BY flow"""
            ).fetchall():
                per_month[flow] = max(per_month.get(flow) or 0, n)
        partners = con.execute(
            """SELECT avg(n) FROM (SELECT period_month, flow, hs8, count(*) AS n
               FROM staging.stg_customs__monthly_trade WHERE grain = $grain
               GROUP BY ALL)""",
            {"grain": grain},
        ).fetchone()[0]
    except duckdb.CatalogException as exc:
        raise NotBuilt(
            "the warehouse has no coverage tables yet: run `chokepoint run` first"
        ) from exc
    return rows, batch, per_month, partners


def _missing_codes(rows, grain: str) -> tuple[dict, set, set]:
    """Codes missing per flow and month.

    ``missing[(flow, month)]`` = wanted codes not covered, the (flow, month) pairs with
    any code covered, and the pairs the coverage table holds at all.
    """
    missing: dict[tuple[str, str], set[str]] = defaultdict(set)
    touched: set[tuple[str, str]] = set()
    seen: set[tuple[str, str]] = set()
    for month, flow, hs8, is_batch, is_wanted, any_cov, grain_cov, _loaded in rows:
        seen.add((flow, month))
        covered = any_cov if grain == "commodity" else grain_cov
        if covered:
            touched.add((flow, month))
        wanted = (
            (is_batch or is_wanted) if grain == "commodity" else (is_batch and flow == "import")
        )
        if wanted and not covered:
            missing[(flow, month)].add(hs8)
    return missing, touched, seen


def _add_unseen_months(missing: dict, seen: set, batch, flows, months: list[str]) -> None:
    """A month outside the data misses every batch code valid then (imports)."""
    for flow in flows:
        for month in months:
            if (flow, month) not in seen:
                missing[(flow, month)] |= {
                    h for h, f, t in batch if flow == "import" and f <= month <= t
                }


def _all_codes_queries(
    missing: dict, touched: set, flows, months: list[str], per_month: dict, grain: str
) -> list[Query]:
    """All-codes queries.

    One all-codes query per month with nothing covered or too much missing; those
    months leave ``missing``.
    """
    queries = []
    for flow in flows:
        full = [
            m
            for m in months
            if (flow, m) not in touched or len(missing[(flow, m)]) > ALL_CODES_ABOVE
        ]
        for month in full:
            missing.pop((flow, month), None)
        est = per_month.get(flow) or DEFAULT_CODES_PER_MONTH
        queries.extend(Query(0, flow, grain, m, m, None, int(est)) for m in full)
    return queries


def _code_spans(missing: dict) -> dict[tuple, list[str]]:
    """Missing codes by contiguous span of months.

    ``(flow, first, last month) -> codes`` missing over that contiguous span (within a
    year); codes with the same months share queries.
    """
    by_span: dict[tuple, list[str]] = defaultdict(list)
    code_months: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for (flow, month), codes in missing.items():
        for code in codes:
            code_months[(flow, month[:4], code)].append(month)
    for (flow, _year, code), ms in code_months.items():
        for start, end in _runs(sorted(ms)):
            by_span[(flow, start, end)].append(code)
    return by_span


def _code_queries(missing: dict, grain: str, per_code_month: int) -> list[Query]:
    """Queries of at most five condition codes, their months cut to the row budget."""
    queries = []
    for (flow, start, end), codes in sorted(_code_spans(missing).items()):
        codes = sorted(codes)
        span = months_between(start, end)
        for i in range(0, len(codes), MAX_CONDITION_CODES):
            chunk = codes[i : i + MAX_CONDITION_CODES]
            per_query = max(1, ROW_BUDGET // (len(chunk) * per_code_month))
            for j in range(0, len(span), per_query):
                part = span[j : j + per_query]
                queries.append(
                    Query(
                        0,
                        flow,
                        grain,
                        part[0],
                        part[-1],
                        chunk,
                        len(chunk) * len(part) * per_code_month,
                    )
                )
    return queries


def build_plan(
    con: duckdb.DuckDBPyConnection,
    month_from: str,
    month_to: str,
    grain: str = "commodity",
    scope: str = "analysis",
) -> list[Query]:
    """The portal queries still needed for the window, numbered and named (module text)."""
    if grain not in GRAINS:
        raise ValueError(f"grain must be one of {', '.join(GRAINS)}")
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {', '.join(SCOPES)}")
    months = months_between(month_from, month_to)
    rows, batch, per_month, partners = _load(con, grain, months, scope)
    missing, touched, seen = _missing_codes(rows, grain)
    flows = ("import", "export") if grain == "commodity" else ("import",)
    _add_unseen_months(missing, seen, batch, flows, months)
    if grain == "commodity":
        queries = _all_codes_queries(missing, touched, flows, months, per_month, grain)
        per_code_month = 1
    else:
        queries = []
        per_code_month = max(1, round(partners or DEFAULT_PARTNERS_PER_CODE))
    queries += _code_queries(missing, grain, per_code_month)
    queries.sort(
        key=lambda q: (q.flow != "import", q.month_from, q.codes is not None, q.codes or [])
    )
    for n, q in enumerate(queries, start=1):
        q.no = n
        q.save_as = _save_as(q)
    return queries


def render(queries: list[Query], month_from: str, month_to: str, grain: str) -> str:
    """The plan as text: the portal settings, then one line per query."""
    total = sum(q.est_rows for q in queries)
    head = [
        f"Download plan {month_from} .. {month_to}, grain {grain}: {len(queries)} "
        f"portal queries, about {total:,} rows"
    ]
    if not queries:
        return head[0] + "\nNothing to download: every code-month of the window is covered."
    head += [
        "",
        "Portal settings for every query (customs statistics online query, by HS8):",
        f"  flow 进口/出口 as listed; currency 人民币 (RMB) or 美元 (USD); tick 分月展示 "
        f"(by month); group by (输出字段) {_GROUP_BY[grain]};",
        "  condition codes (商品编码) as listed, comma-separated (none = leave empty);",
        "  months: the year and the start and end month listed; then download the CSV and "
        "save it under the name given, in landing/customs/.",
        "",
        f"{'#':>4}  {'flow':<6}  {'months':<17}  {'~rows':>6}  {'codes':<44}  save as",
    ]
    for q in queries:
        months = q.month_from if q.month_from == q.month_to else f"{q.month_from}..{q.month_to}"
        head.append(
            f"{q.no:>4}  {q.flow:<6}  {months:<17}  {q.est_rows:>6,}  "
            f"{q.codes_text:<44}  {q.save_as}"
        )
    return "\n".join(head)


CSV_COLUMNS = [
    "query",
    "flow",
    "grain",
    "year",
    "month_from",
    "month_to",
    "n_codes",
    "codes",
    "est_rows",
    "save_as",
]


def write_csv(queries: list[Query], path: Path) -> Path:
    """The plan as CSV, one row per query."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(CSV_COLUMNS)
        for q in queries:
            writer.writerow(
                [
                    q.no,
                    q.flow,
                    q.grain,
                    q.month_from[:4],
                    q.month_from,
                    q.month_to,
                    "all" if q.codes is None else len(q.codes),
                    "all" if q.codes is None else " ".join(q.codes),
                    q.est_rows,
                    q.save_as,
                ]
            )
    return path


def write_manifest(queries: list[Query], landing: Path) -> Path:
    """Merge the plan's file names into the plan manifest.

    Merge the plan's file names into the plan manifest (entries are never removed: a
    download saved under an older plan's name still finds its entry).
    """
    path = landing / PLAN_MANIFEST
    path.parent.mkdir(parents=True, exist_ok=True)
    entries = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    for q in queries:
        entry = {
            "flow": q.flow,
            "codes": "all" if q.codes is None else q.codes,
            "grain": q.grain,
            "months": [q.month_from, q.month_to],
        }
        if q.month_from == q.month_to:
            entry["month"] = q.month_from
        entries[q.save_as] = entry
    write_text(path, json.dumps(entries, indent=1, ensure_ascii=False))
    return path
