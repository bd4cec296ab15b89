"""Synthetic China Customs (GACC) monthly HS8 files, in the portal's export layout.

No product-level China trade data can be shipped here, so the default run works on
files this module writes: GB18030, every field quoted, a trailing comma per line, the
portal's Chinese headers, thousands separators and '?' for a missing unit. Years up to
2019 are written in RMB (converted with the FRED monthly rate), later years in USD, so
both currencies go through the loader. Every file name carries 'synthetic'.
"""

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from orchestration.defs.reference.gacc_codes import codes_by_year
from orchestration.settings import DBT_PROJECT_DIR
from orchestration.synthetic.series import GROUP_TARGETS, shaped_series

SEED = 20150101

# GACC partner codes (the portal's own numbering, not ISO) used by the generator.
PARTNERS = {
    "116": "日本",
    "133": "韩国",
    "143": "中国台湾",
    "304": "德国",
    "502": "美国",
    "309": "荷兰",
}

# Typical monthly import value per technology group in USD at the start of the window;
# chosen so the group shares of GDP land in the range seed 000 reports.
GROUP_BASE_USD = {
    1: 1.0e9, 2: 18.0e9, 3: 0.3e9, 4: 0.5e9, 5: 0.8e9, 6: 0.25e9, 7: 0.6e9, 8: 0.3e9,
    9: 0.7e9, 10: 0.5e9, 11: 0.4e9, 12: 1.2e9, 13: 0.4e9, 14: 1.5e9, 15: 0.9e9,
    16: 1.0e9, 17: 2.0e9,
}

# Background (non-technology) imports per SNA class, USD per month, so shares of GDP are
# of the order seed 000 reports (capital about 2%, intermediates about 6.5% of GDP).
BACKGROUND_USD = {"capital": 16.0e9, "intermediate": 52.0e9, "consumption": 9.0e9}
BACKGROUND_CODES_PER_CLASS = 40
EXPORT_CODES = 40
EXPORT_BASE_USD = 170.0e9

HEADER_CNY = [
    "数据年月", "贸易伙伴编码", "贸易伙伴名称", "商品编码", "商品名称",
    "第一数量", "第一计量单位", "第二数量", "第二计量单位", "人民币",
]
HEADER_USD = HEADER_CNY[:-1] + ["美元"]



@dataclass(frozen=True)
class TechCode:
    hs8: str
    description: str
    group_id: int
    valid_from: str
    valid_to: str | None


def months_between(start: str, end: str) -> list[str]:
    y, m = int(start[:4]), int(start[5:7])
    out = []
    while (y, m) <= (int(end[:4]), int(end[5:7])):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def read_tech_codes(batch_dir: Path) -> list[TechCode]:
    codes: dict[str, TechCode] = {}
    for path in sorted(batch_dir.glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                hs8 = row["hs8"].strip().zfill(8)
                key = f"{hs8}|{row['valid_from']}"
                codes.setdefault(
                    key,
                    TechCode(
                        hs8=hs8,
                        description=row.get("description", "").strip() or hs8,
                        group_id=int(row["group_id"]),
                        valid_from=(row.get("valid_from") or "2015-01").strip(),
                        valid_to=(row.get("valid_to") or "").strip() or None,
                    ),
                )
    return sorted(codes.values(), key=lambda c: (c.group_id, c.hs8, c.valid_from))


def read_stable_hs6_by_class(reference_dir: Path) -> dict[str, list[str]]:
    """HS6 codes identical in HS2012, HS2017 and HS2022 with a single BEC class, whose
    line <hs6>00 is in China Customs' list of every year, so the background series need
    no renumbering and no row is an unknown code."""

    def codes(path: Path, col: int) -> set[str]:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return {r[col] for r in list(csv.reader(fh))[1:]}

    stable = codes(reference_dir / "hs" / "hs2022_to_hs2012.csv", 0) & codes(
        reference_dir / "hs" / "hs2022_to_hs2012.csv", 3
    )
    every_year = set.intersection(*codes_by_year(reference_dir / "gacc_codes" / "commodities")
                                  .values())
    stable = {hs6 for hs6 in stable if f"{hs6}00" in every_year}
    # the same BEC -> SNA table the models use
    with (DBT_PROJECT_DIR / "seeds" / "ref_bec_sna.csv").open(encoding="utf-8") as fh:
        sna_of_bec = {r["bec4"]: r["sna_class"] for r in csv.DictReader(fh)}
    by_class: dict[str, list[str]] = {k: [] for k in BACKGROUND_USD}
    with (reference_dir / "bec" / "unsd_hs2017_to_bec4.csv").open(encoding="utf-8-sig") as fh:
        for hs6, bec, rel in list(csv.reader(fh))[1:]:
            sna = sna_of_bec.get(bec)
            if rel == "n:1" and sna in by_class and hs6 in stable:
                by_class[sna].append(hs6)
    return {k: sorted(v) for k, v in by_class.items()}


def read_fx(reference_dir: Path) -> dict[str, float]:
    with (reference_dir / "fx" / "fred_monthly.csv").open(encoding="utf-8") as fh:
        return {
            r["Date"][:7]: float(r["Exchange rate"])
            for r in csv.DictReader(fh)
            if r["Country"] == "China"
        }


def _fmt_int(value: float) -> str:
    return f"{int(round(value)):,}"


def _write_gacc_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    buf = io.StringIO()
    writer = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator=",\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(buf.getvalue().encode("gb18030"))
    tmp.replace(path)


def generate_customs(
    out_dir: Path,
    reference_dir: Path,
    start: str = "2015-01",
    end: str = "2025-12",
    usd_from_year: int = 2020,
) -> list[Path]:
    """Write one import and one export file per year; returns the paths written."""
    rng = np.random.default_rng(SEED)
    months = months_between(start, end)
    n = len(months)
    fx = read_fx(reference_dir)
    tech = read_tech_codes(reference_dir / "batches")
    background = read_stable_hs6_by_class(reference_dir)
    partner_codes = sorted(PARTNERS)

    rows_by_year: dict[tuple[int, str], list[list[str]]] = {}

    def emit(flow: str, month: str, partner: str, hs8: str, name: str, usd: float) -> None:
        year = int(month[:4])
        if usd < 1:
            return
        kg = usd / 25.0
        value = usd * fx[month] if year < usd_from_year else usd
        rows_by_year.setdefault((year, flow), []).append([
            month.replace("-", ""), partner, PARTNERS[partner], hs8, name,
            _fmt_int(kg), "千克", "0", "?", _fmt_int(value),
        ])

    for group_id in sorted(GROUP_TARGETS):
        target_g, target_v = GROUP_TARGETS[group_id]
        series = shaped_series(n, target_g, target_v, rng, base=GROUP_BASE_USD[group_id])
        group_codes = [c for c in tech if c.group_id == group_id]
        weights = {c.hs8: rng.uniform(0.5, 1.5) for c in group_codes}
        pshare = rng.dirichlet(np.ones(len(partner_codes)) * 3)
        for i, month in enumerate(months):
            live = [
                c for c in group_codes
                if c.valid_from <= month and (c.valid_to is None or month <= c.valid_to)
            ]
            if not live:
                continue
            total_w = sum(weights[c.hs8] for c in live)
            for c in live:
                for p, share in zip(partner_codes, pshare, strict=True):
                    usd = series[i] * weights[c.hs8] / total_w * share
                    emit("import", month, p, c.hs8, c.description, usd)

    tech_hs6 = {c.hs8[:6] for c in tech}
    for sna, monthly_usd in BACKGROUND_USD.items():
        pool = [c for c in background[sna] if c not in tech_hs6]
        chosen = sorted(rng.choice(pool, size=min(BACKGROUND_CODES_PER_CLASS, len(pool)),
                                   replace=False))
        weights = rng.dirichlet(np.ones(len(chosen)))
        trend = np.linspace(1.0, 1.25, n) * (1 + 0.05 * np.sin(np.arange(n) / 1.9))
        for i, month in enumerate(months):
            for hs6, w in zip(chosen, weights, strict=True):
                emit("import", month, "304" if w > 0.02 else "116", f"{hs6}00",
                     f"synthetic {sna} goods {hs6}", monthly_usd * w * trend[i])

    export_pool = sorted(set(background["consumption"]) | set(background["capital"]))
    export_codes = sorted(rng.choice(export_pool, size=EXPORT_CODES, replace=False))
    export_w = rng.dirichlet(np.ones(EXPORT_CODES))
    export_trend = np.cumprod(np.full(n, 1.0045)) * (1 + 0.04 * np.sin(np.arange(n) / 2.3))
    for i, month in enumerate(months):
        for hs6, w in zip(export_codes, export_w, strict=True):
            emit("export", month, "502", f"{hs6}00", f"synthetic export goods {hs6}",
                 EXPORT_BASE_USD * w * export_trend[i])

    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for (year, flow), rows in sorted(rows_by_year.items()):
        header = HEADER_CNY if year < usd_from_year else HEADER_USD
        path = out_dir / f"gacc_synthetic_{year}_{flow}.csv"
        _write_gacc_csv(path, header, rows)
        written.append(path)
    return written
