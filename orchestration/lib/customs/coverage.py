"""`chokepoint customs coverage`.

What the loaded customs files cover, read from the coverage mart (marts.fct_customs_coverage, built
by every run), printed and written as CSV.

No Dagster import: the CLI reads the warehouse read-only.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import duckdb

from orchestration.lib.warehouse import connect_read_only

COLUMNS = [
    "period_month",
    "flow",
    "grain",
    "verdict",
    "batch_codes",
    "batch_codes_loaded",
    "batch_codes_missing",
    "codes_judged",
    "codes_loaded",
    "codes_no_trade",
    "codes_missing",
    "suspected_gaps",
    "codes_totalled_here",
    "list_codes",
    "list_codes_loaded",
    "list_share_loaded",
    "off_list_codes",
    "missing_batch_codes",
    "suspected_gap_codes",
    "off_list_code_list",
]


class NotBuilt(RuntimeError):
    """The warehouse has no coverage yet."""


def connect(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to a built warehouse (NotBuilt when there is none)."""
    if not warehouse.exists():
        raise NotBuilt(f"no warehouse at {warehouse}: run `chokepoint run` first")
    return connect_read_only(warehouse)


def coverage_rows(
    con: duckdb.DuckDBPyConnection,
    month_from: str | None = None,
    month_to: str | None = None,
    grain: str | None = None,
) -> list[dict]:
    """The coverage mart's rows of a window and grain, as dictionaries."""
    try:
        cur = con.execute(
            f"SELECT {', '.join(COLUMNS)} FROM marts.fct_customs_coverage "
            "WHERE period_month >= coalesce($from, '0000-00') "
            "AND period_month <= coalesce($to, '9999-99') "
            "AND ($grain IS NULL OR grain = $grain) ORDER BY flow, grain, period_month",
            {"from": month_from, "to": month_to, "grain": grain},
        )
    except duckdb.CatalogException as exc:
        raise NotBuilt(
            "the warehouse has no coverage table yet: run `chokepoint run` first"
        ) from exc
    return [dict(zip(COLUMNS, r, strict=True)) for r in cur.fetchall()]


def _codes(text: str | None, limit: int = 6) -> str:
    codes = (text or "").split()
    shown = " ".join(codes[:limit])
    return shown + (f" ... (+{len(codes) - limit})" if len(codes) > limit else "")


def _list_lines(rows: list[dict]) -> list[str]:
    """China Customs' full HS8 list of each year.

    How much of it is loaded, and the loaded codes it does not hold.
    """
    lines = ["China Customs' HS8 list in force each year: codes loaded, per flow and grain"]
    by_slice: dict[tuple, list[dict]] = {}
    for r in rows:
        by_slice.setdefault((r["flow"], r["grain"]), []).append(r)
    for (flow, grain), group in sorted(by_slice.items()):
        listed = [r for r in group if r["list_codes"]]
        if not listed:
            lines.append(f"  {flow:<7} {grain:<34} no list for these years")
            continue
        loaded = sum(r["list_codes_loaded"] for r in listed)
        total = sum(r["list_codes"] for r in listed)
        shares = [r["list_share_loaded"] for r in listed]
        off = {c for r in group for c in (r["off_list_code_list"] or "").split()}
        text = (
            f"  {flow:<7} {grain:<34} {loaded:,} of {total:,} code-months "
            f"({loaded / total:.1%}; months {min(shares):.1%} .. {max(shares):.1%})"
        )
        if off:
            text += f"; {len(off)} loaded codes not on the list: {_codes(' '.join(sorted(off)))}"
        lines.append(text)
    return lines


def render(rows: list[dict], show_all: bool = False, revisions: int | None = None) -> str:
    """The coverage as the text the command prints."""
    if not rows:
        return "No customs coverage in this window (nothing loaded)."
    months = sorted({r["period_month"] for r in rows})
    lines = [
        f"Customs coverage {months[0]} .. {months[-1]} (codes judged: the batch codes "
        "valid each month, for imports, and the HS8 codes the data holds for the flow "
        "that year)",
        "",
    ]
    by_slice: dict[tuple, Counter] = {}
    for r in rows:
        by_slice.setdefault((r["flow"], r["grain"]), Counter())[r["verdict"]] += 1
    lines.append("per flow and grain: months by verdict")
    for (flow, grain), counts in sorted(by_slice.items()):
        parts = ", ".join(
            f"{counts[v]} {v}"
            for v in ("complete", "partial", "incomplete", "not loaded")
            if counts[v]
        )
        lines.append(f"  {flow:<7} {grain:<34} {parts}")
    lines += ["", *_list_lines(rows)]
    shown = rows if show_all else [r for r in rows if r["verdict"] != "complete"]
    lines.append("")
    if not shown:
        lines.append("every month complete: every code judged is loaded or declared as no trade")
    else:
        lines.append(
            f"{'month':<8} {'flow':<7} {'grain':<20} {'verdict':<11} "
            f"{'batch':>9} {'codes':>11} {'missing':>7} {'no trade':>8} "
            f"{'gaps':>4}  missing batch codes / suspected gaps"
        )
        for r in shown:
            batch = f"{r['batch_codes_loaded']}/{r['batch_codes']}" if r["batch_codes"] else "-"
            detail = _codes(r["missing_batch_codes"])
            if r["suspected_gap_codes"]:
                detail += ("; " if detail else "") + "gaps: " + _codes(r["suspected_gap_codes"])
            lines.append(
                f"{r['period_month']:<8} {r['flow']:<7} {r['grain']:<20} {r['verdict']:<11} "
                f"{batch:>9} {r['codes_loaded']:>5}/{r['codes_judged']:<5} "
                f"{r['codes_missing']:>7} {r['codes_no_trade']:>8} {r['suspected_gaps']:>4}  "
                f"{detail}"
            )
    lines.append("")
    lines.append(
        "verdicts: complete = every code loaded or declared no trade; partial = "
        "codes not downloaded; incomplete = some look like gaps (loaded the month "
        "before and after); not loaded = nothing at this grain"
    )
    if revisions:
        lines.append(f"revisions: {revisions} keys changed by a newer file (raw.customs_revisions)")
    return "\n".join(lines)


def write_csv(rows: list[dict], path: Path) -> Path:
    """Write the coverage rows as CSV; returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def revision_count(con: duckdb.DuckDBPyConnection) -> int | None:
    """How many keys later files revised (None before the first load)."""
    try:
        return con.execute("SELECT count(*) FROM raw.customs_revisions").fetchone()[0]
    except duckdb.CatalogException:
        return None
