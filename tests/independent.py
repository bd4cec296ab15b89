"""A second computation of the technology-group indices, straight from the landed customs
files, in plain Python: no DuckDB, no dbt, no code of the pipeline.

It follows the method as written: a key (month, flow, grain, partner, code) takes the
value of the newest file holding it; a code's month total comes from the commodity grain
where a file of that grain holds it, else from the sum of its partner rows; values in RMB
are divided by the month's CNY per USD (FRED); a group-month sums the batch codes valid
that month and is missing when one of them is in no file (and no manifest says it was
asked for); V is the sample standard deviation over the mean, G the growth index with
weights t (the month's position from the first month with a value) and the first value
as base; tiers and patterns by the thresholds of the method.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import statistics
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "data" / "reference"
G_THRESHOLD, V_HIGH, V_LOW = 0.5, 0.30, 0.235

_COLUMNS = {  # header (Chinese or English interface) -> field
    "数据年月": "period",
    "Date of data": "period",
    "贸易伙伴编码": "partner",
    "Trading partner code": "partner",
    "商品编码": "hs8",
    "Commodity code": "hs8",
    "人民币": "cny",
    "美元": "usd",
    "US dollar": "usd",
}


def fx() -> dict[str, float]:
    with (REFERENCE / "fx" / "fred_monthly.csv").open(encoding="utf-8") as fh:
        return {
            r["Date"][:7]: float(r["Exchange rate"])
            for r in csv.DictReader(fh)
            if r["Country"] == "China"
        }


def _rows(path: Path):
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030")
    reader = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(reader)]
    fields = {i: _COLUMNS[h] for i, h in enumerate(header) if h in _COLUMNS}
    for line in reader:
        if line:
            yield {f: line[i] for i, f in fields.items()}


def _flow(path: Path) -> str:
    words = path.stem.replace("-", "_").split("_")
    return "export" if "export" in words else "import"


def month_totals(files: list[Path], months: set[str]) -> tuple[dict, dict]:
    """(month, hs8) -> USD of imports, and (month) -> codes declared asked for."""
    rate = fx()
    files = sorted(
        (p for p in files if _flow(p) == "import"), key=lambda p: (p.stat().st_mtime_ns, p.name)
    )
    keyed: dict[tuple, float] = {}
    declared: dict[str, set[str]] = defaultdict(set)
    for path in files:
        seen_months = set()
        for row in _rows(path):
            month = f"{row['period'][:4]}-{row['period'][4:6]}"
            if month not in months:
                continue
            seen_months.add(month)
            native = float((row.get("usd") or row["cny"]).replace(",", ""))
            usd = native if "usd" in row else native / rate[month]
            grain = "commodity,partner" if "partner" in row else "commodity"
            keyed[(month, grain, row.get("partner"), row["hs8"])] = usd  # newest wins
        manifest = path.with_name(path.name + ".manifest.json")
        if manifest.is_file():
            for month in seen_months:
                declared[month] |= set(json.loads(manifest.read_text())["codes"])
    commodity = {(m, h): v for (m, g, _, h), v in keyed.items() if g == "commodity"}
    partners: dict[tuple, float] = defaultdict(float)
    for (m, g, _, h), v in keyed.items():
        if g != "commodity":
            partners[(m, h)] += v
    return {**partners, **commodity}, declared


def batch_codes() -> list[dict]:
    out = []
    for path in sorted((REFERENCE / "batches").glob("batch_*.csv")):
        batch = int(path.name.split("_")[1])
        with path.open(encoding="utf-8-sig") as fh:
            for r in csv.DictReader(fh):
                out.append(
                    {
                        "batch": batch,
                        "group_id": int(r["group_id"]),
                        "hs8": r["hs8"].strip().zfill(8),
                        "from": r["valid_from"] or "2015-01",
                        "to": r["valid_to"] or "9999-12",
                    }
                )
    return out


def group_series(files: Path | list[Path], months: list[str]) -> dict[tuple[int, int], dict]:
    """(batch, group) -> {month: USD or None (a code not downloaded)}, from the files given
    (or every CSV of a folder)."""
    if isinstance(files, Path):
        files = sorted(files.glob("*.csv"))
    totals, declared = month_totals(files, set(months))
    members = batch_codes()
    out: dict[tuple[int, int], dict] = defaultdict(dict)
    for key in sorted({(c["batch"], c["group_id"]) for c in members}):
        for month in months:
            live = {
                c["hs8"]
                for c in members
                if (c["batch"], c["group_id"]) == key and c["from"] <= month <= c["to"]
            }
            if not live:
                continue
            missing = [h for h in live if (month, h) not in totals and h not in declared[month]]
            out[key][month] = None if missing else sum(totals.get((month, h), 0.0) for h in live)
    return dict(out)


def indices(values: dict[str, float | None]) -> dict:
    """V, G, tier and pattern of one series (months in order)."""
    months = sorted(values)
    index = {m: int(m[:4]) * 12 + int(m[5:7]) for m in months}
    x = [(index[m], values[m]) for m in months if values[m] is not None]
    first = x[0][0]
    base = x[0][1]
    xs = [v for _, v in x]
    v = statistics.stdev(xs) / statistics.mean(xs)
    g = (
        None
        if base == 0
        else (
            sum((i - first + 1) * (val - base) / base for i, val in x)
            / sum(i - first + 1 for i, _ in x)
        )
    )
    tier = "high" if v > V_HIGH else "medium" if v >= V_LOW else "low"
    if g is None:
        pattern = "undefined"
    elif g > G_THRESHOLD:
        pattern = "stockpiling or policy disturbance" if v > V_HIGH else "no discernable effect"
    else:
        pattern = "successful import substitution"
    return {
        "v": v,
        "g": g,
        "tier": tier,
        "pattern": pattern,
        "n": len(xs),
        "missing": x[-1][0] - first + 1 - len(xs),
    }


# ---------------------------------------------------------------------------------------
# Comtrade: the same filters and the HS2022 -> HS2017 conversion, written again from the
# rules (docs/method.md section 1.2 and the UNSD table with the project's corrections),
# not from the code.

SEEDS = REPO / "dbt_project" / "seeds" / "reference"


def comtrade_records(files: list[Path]) -> list[dict]:
    """Every record of the bulk files (tab separated, gzip), as text."""
    out = []
    for path in files:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            out.extend(csv.DictReader(fh, delimiter="\t"))
    return out


def is_breakdown(rec: dict) -> bool:
    """A second partner, a customs procedure or a transport mode other than the total."""
    return (
        rec["partner2Code"] not in ("", "0")
        or rec["customsCode"] not in ("", "C00")
        or rec["motCode"] not in ("", "0")
    )


def comtrade_kept(records: list[dict]) -> list[dict]:
    """The records the indicators may add up: totals of every breakdown, imports and
    exports, six-digit or TOTAL codes."""
    return [
        r
        for r in records
        if not is_breakdown(r)
        and r["flowCode"] in ("M", "X")
        and (len(r["cmdCode"]) == 6 or r["cmdCode"] == "TOTAL")
    ]


def aggregate_reporters() -> set[int]:
    with (SEEDS / "ref_comtrade_aggregate_reporters.csv").open(encoding="utf-8") as fh:
        return {int(r["comtrade_code"]) for r in csv.DictReader(fh)}


def hs2017_of_hs2022() -> dict[str, str]:
    """HS2022 code -> its HS2017 code: the UNSD table, where the project corrects it the
    correction."""
    with (SEEDS / "ref_hs_conversion_corrections.csv").open(encoding="utf-8") as fh:
        fixes = {
            r["hs6"]: r["hs6_target"]
            for r in csv.DictReader(fh)
            if (r["from_revision"], r["to_revision"]) == ("HS2022", "HS2017")
        }
    with (REFERENCE / "hs" / "hs2022_to_hs2017.csv").open(encoding="utf-8-sig") as fh:
        return {r["HS6_6d"]: fixes.get(r["HS6_6d"], r["HS5_6d"]) for r in csv.DictReader(fh)}
