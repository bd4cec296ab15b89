"""Synthetic China Customs (GACC) monthly HS8 files, shaped as users really download them.

No product-level China trade data can be shipped here, so the default run works on
files this module writes. They carry the awkward shapes of real downloads, because those
are what break pipelines:

- several partial files per year and flow (codes split across queries), one of which
  repeats some rows of another exactly (they collapse);
- a file at the commodity grain (no partner columns) beside the partner files of the
  same months (2019-01 .. 2019-06; totals equal the partner sums, so the grain
  reconciliation passes);
- a later file revising a few keys (2018-07);
- a gap: two codes of one group missing from 2019-03 (not downloaded, so the
  group-month is null with a reason);
- a new-line group with no imports in its first two months, declared in a manifest as
  asked for and absent (no trade, a real zero: the zero base of the growth index);
- unknown partner codes (a few rows with a code not in China Customs' partner list);
- HS8 lines renumbered at 2017 and 2022 (the batch lists' validity dates);
- GB18030 with Chinese headers to 2021, UTF-8 with the English interface's headers from
  2022; RMB to 2019, USD from 2020; every field quoted, a trailing comma per line,
  thousands separators and '?' for a missing unit.

Magnitudes follow China's real totals (imports about 1.6-2.7 trillion USD a year,
``TOTAL_IMPORTS_USD``); the technology groups' series come from ``series.py`` and aim at
no published figure. Every file name carries 'synthetic'.
"""

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from orchestration.lib.months import months_between
from orchestration.lib.reference.gacc_codes import codes_by_year
from orchestration.settings import DBT_PROJECT_DIR, WINDOW_START
from orchestration.synthetic import series as stories

# GACC partner codes (the portal's own numbering, not ISO) used by the generator.
PARTNERS = {
    "116": ("日本", "Japan"),
    "133": ("韩国", "Korea, Rep."),
    "143": ("中国台湾", "Taiwan, China"),
    "304": ("德国", "Germany"),
    "502": ("美国", "United States"),
    "309": ("荷兰", "Netherlands"),
}
UNKNOWN_PARTNER = "798"  # not in China Customs' partner list

# China's imports and exports of all goods, billion USD a year, rounded from China
# Customs' published annual totals (2025 carried from 2024): the scale of the synthetic
# background, so that shares of GDP are of the right order without aiming at any study.
TOTAL_IMPORTS_USD = {
    2015: 1680,
    2016: 1588,
    2017: 1843,
    2018: 2135,
    2019: 2077,
    2020: 2056,
    2021: 2687,
    2022: 2716,
    2023: 2556,
    2024: 2586,
    2025: 2586,
}
TOTAL_EXPORTS_USD = {
    2015: 2273,
    2016: 2098,
    2017: 2263,
    2018: 2487,
    2019: 2499,
    2020: 2590,
    2021: 3362,
    2022: 3594,
    2023: 3380,
    2024: 3577,
    2025: 3577,
}
# Integrated circuits are China's largest import (about 230 billion USD in 2015); the
# other groups' levels are drawn log-uniformly in this range, USD a month.
IC_GROUP = 2
IC_LEVEL_USD = 19.0e9
GROUP_LEVEL_USD = (0.2e9, 3.0e9)
# The non-technology rest of imports by SNA class: shares of the rest (intermediate
# goods dominate China's imports).
BACKGROUND_SHARES = {"capital": 0.18, "intermediate": 0.68, "consumption": 0.14}
BACKGROUND_CODES_PER_CLASS = 40
EXPORT_CODES = 40
WEIGHT_DRIFT_SD = 0.03  # monthly random walk of a code's share of its group
IMPORT_PARTS = 3  # partial files per year of imports
OVERLAP_CODES = 3  # codes of part 1 repeated in part 2
USD_FROM_YEAR = 2020
ENGLISH_FROM_YEAR = 2022
COMMODITY_GRAIN_MONTHS = ("2019-01", "2019-06")
REVISION_MONTH, REVISED_KEYS = "2018-07", 4
GAP_MONTH, GAP_CODES = "2019-03", 2
UNKNOWN_PARTNER_YEAR, UNKNOWN_PARTNER_ROWS = 2018, 5

HEADER_CNY = [
    "数据年月",
    "贸易伙伴编码",
    "贸易伙伴名称",
    "商品编码",
    "商品名称",
    "第一数量",
    "第一计量单位",
    "第二数量",
    "第二计量单位",
    "人民币",
]
HEADER_USD = HEADER_CNY[:-1] + ["美元"]
HEADER_EN = [
    "Date of data",
    "Trading partner code",
    "Trading partner name",
    "Commodity code",
    "Commodity name",
    "First quantity",
    "First unit of measurement",
    "Second quantity",
    "Second unit of measurement",
    "US dollar",
]


@dataclass(frozen=True)
class TechCode:
    """One technology HS8 code of a batch, with its group and validity."""

    hs8: str
    description: str
    group_id: int
    valid_from: str
    valid_to: str | None


def read_tech_codes(batch_dir: Path) -> list[TechCode]:
    """The technology codes of every batch file."""
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
                        valid_from=(row.get("valid_from") or WINDOW_START).strip(),
                        valid_to=(row.get("valid_to") or "").strip() or None,
                    ),
                )
    return sorted(codes.values(), key=lambda c: (c.group_id, c.hs8, c.valid_from))


def read_stable_hs6_by_class(reference_dir: Path) -> dict[str, list[str]]:
    """HS6 codes for the background series.

    HS6 codes identical in HS2012, HS2017 and HS2022 with a single BEC class, whose
    line <hs6>00 is in China Customs' list of every year, so the background series need
    no renumbering and no row is an unknown code.
    """

    def codes(path: Path, col: int) -> set[str]:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return {r[col] for r in list(csv.reader(fh))[1:]}

    stable = codes(reference_dir / "hs" / "hs2022_to_hs2012.csv", 0) & codes(
        reference_dir / "hs" / "hs2022_to_hs2012.csv", 3
    )
    every_year = set.intersection(
        *codes_by_year(reference_dir / "gacc_codes" / "commodities").values()
    )
    stable = {hs6 for hs6 in stable if f"{hs6}00" in every_year}
    # the same BEC -> SNA table the models use
    with (DBT_PROJECT_DIR / "seeds" / "ref_bec_sna.csv").open(encoding="utf-8") as fh:
        sna_of_bec = {r["bec4"]: r["sna_class"] for r in csv.DictReader(fh)}
    by_class: dict[str, list[str]] = {k: [] for k in BACKGROUND_SHARES}
    with (reference_dir / "bec" / "unsd_hs2017_to_bec4.csv").open(encoding="utf-8-sig") as fh:
        for hs6, bec, rel in list(csv.reader(fh))[1:]:
            sna = sna_of_bec.get(bec)
            if rel == "n:1" and sna in by_class and hs6 in stable:
                by_class[sna].append(hs6)
    return {k: sorted(v) for k, v in by_class.items()}


def read_fx(reference_dir: Path) -> dict[str, float]:
    """CNY per USD by month (YYYY-MM) from the bundled FRED file."""
    with (reference_dir / "fx" / "fred_monthly.csv").open(encoding="utf-8") as fh:
        return {
            r["Date"][:7]: float(r["Exchange rate"])
            for r in csv.DictReader(fh)
            if r["Country"] == "China"
        }


Key = tuple[str, str, str]  # (month, partner code, hs8)


def _live(c: TechCode, month: str) -> bool:
    return c.valid_from <= month and (c.valid_to is None or month <= c.valid_to)


def _tech_imports(
    months: list[str],
    tech: list[TechCode],
    rng: np.random.Generator,
) -> tuple[dict[Key, list], np.ndarray, list[stories.Draw], int]:
    """The technology codes' monthly imports.

    (month, partner, hs8) -> [name, USD] for the technology codes, their monthly total,
    the draws, and the new-line group (zero base).
    """
    n = len(months)
    group_ids = sorted({c.group_id for c in tech})
    dealt = stories.deal_stories(group_ids, rng)
    lo, hi = np.log(GROUP_LEVEL_USD)
    levels = {
        g: IC_LEVEL_USD if g == IC_GROUP else float(np.exp(rng.uniform(lo, hi))) for g in group_ids
    }
    new_line = int(rng.choice([g for g in group_ids if g != IC_GROUP]))
    draws = [stories.draw(g, dealt[g], n, rng, zero_base=g == new_line) for g in group_ids]
    partners = sorted(PARTNERS)
    rows: dict[Key, list] = {}
    total = np.zeros(n)
    for d in draws:
        x = stories.series(d, months, levels[d.group_id], rng)
        total += x
        codes = {c.hs8: c for c in tech if c.group_id == d.group_id}
        # a code's share of its group wanders, so batches holding other codes of a
        # group see other series
        weight = {
            h: rng.uniform(0.5, 1.5) * np.exp(np.cumsum(rng.normal(0.0, WEIGHT_DRIFT_SD, n)))
            for h in sorted(codes)
        }
        pshare = rng.dirichlet(np.ones(len(partners)) * 3)
        for i, month in enumerate(months):
            live = [c for c in tech if c.group_id == d.group_id and _live(c, month)]
            live_codes = sorted({c.hs8 for c in live})
            total_w = sum(weight[h][i] for h in live_codes)
            for h in live_codes:
                for p, share in zip(partners, pshare, strict=True):
                    usd = x[i] * weight[h][i] / total_w * share
                    if usd >= 1:
                        rows[(month, p, h)] = [codes[h].description, usd]
    return rows, total, draws, new_line


def _background_imports(
    months: list[str], tech_total: np.ndarray, pool: dict[str, list[str]], rng: np.random.Generator
) -> dict[Key, list]:
    """The rest of China's imports, so the month's total follows TOTAL_IMPORTS_USD."""
    n = len(months)
    calendar = np.array([int(m[5:7]) for m in months])
    seasonal = np.where(calendar == 1, 0.92, np.where(calendar == 2, 0.85, 1.02))
    all_goods = np.array([TOTAL_IMPORTS_USD[int(m[:4])] * 1e9 / 12 for m in months])
    rest = np.maximum(
        all_goods * seasonal * np.exp(rng.normal(0, 0.03, n)) - tech_total, 0.3 * all_goods
    )
    rows: dict[Key, list] = {}
    for sna, share in BACKGROUND_SHARES.items():
        chosen = sorted(
            rng.choice(
                pool[sna], size=min(BACKGROUND_CODES_PER_CLASS, len(pool[sna])), replace=False
            )
        )
        weights = rng.dirichlet(np.ones(len(chosen)))
        for hs6, w in zip(chosen, weights, strict=True):
            first, second = rng.choice(sorted(PARTNERS), size=2, replace=False)
            for i, month in enumerate(months):
                usd = rest[i] * share * w
                rows[(month, str(first), f"{hs6}00")] = [f"synthetic {sna} goods {hs6}", 0.6 * usd]
                rows[(month, str(second), f"{hs6}00")] = [f"synthetic {sna} goods {hs6}", 0.4 * usd]
    return rows


def _exports(
    months: list[str],
    pool: list[str],
    rng: np.random.Generator,
) -> dict[Key, list]:
    n = len(months)
    calendar = np.array([int(m[5:7]) for m in months])
    seasonal = np.where(calendar == 2, 0.80, 1.0)
    all_goods = np.array([TOTAL_EXPORTS_USD[int(m[:4])] * 1e9 / 12 for m in months])
    level = all_goods * seasonal * np.exp(rng.normal(0, 0.03, n))
    codes = sorted(rng.choice(pool, size=EXPORT_CODES, replace=False))
    weights = rng.dirichlet(np.ones(EXPORT_CODES))
    pshare = rng.dirichlet(np.ones(len(PARTNERS)))
    rows: dict[Key, list] = {}
    for hs6, w in zip(codes, weights, strict=True):
        for p, share in zip(sorted(PARTNERS), pshare, strict=True):
            for i, month in enumerate(months):
                rows[(month, p, f"{hs6}00")] = [
                    f"synthetic export goods {hs6}",
                    level[i] * w * share,
                ]
    return rows


def _fmt_int(value: float) -> str:
    return f"{int(round(value)):,}"


class _Writer:
    """Writes rows in the layout of the year.

    GB18030 and Chinese headers, or UTF-8 and the English interface's; RMB or USD.
    """

    def __init__(self, out_dir: Path, fx: dict[str, float]):
        self.out_dir, self.fx, self.written = out_dir, fx, []

    def native(self, month: str, usd: float) -> int:
        value = usd * self.fx[month] if int(month[:4]) < USD_FROM_YEAR else usd
        return int(round(value))

    def write(
        self, name: str, year: int, rows: list[tuple[Key, str, float]], partners: bool = True
    ) -> Path:
        english = year >= ENGLISH_FROM_YEAR
        header = HEADER_EN if english else (HEADER_CNY if year < USD_FROM_YEAR else HEADER_USD)
        unit = "kilogram" if english else "千克"
        body = []
        for (month, partner, hs8), product, usd in rows:
            value = self.native(month, usd)
            lead = [month.replace("-", "")]
            if partners:
                zh, en = PARTNERS.get(partner, ("未列明", "Unlisted"))
                lead += [partner, en if english else zh]
            body.append(lead + [hs8, product, _fmt_int(usd / 25.0), unit, "0", "?", f"{value:,}"])
        if not partners:
            header = [header[0], *header[3:]]
        buf = io.StringIO()
        writer = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator=",\r\n")
        writer.writerow(header)
        writer.writerows(body)
        path = self.out_dir / name
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(buf.getvalue().encode("utf-8" if english else "gb18030"))
        tmp.replace(path)
        self.written.append(path)
        return path


def _by_year(rows: dict[Key, list]) -> dict[int, list[tuple[Key, str, float]]]:
    out: dict[int, list] = {}
    for key in sorted(rows):
        out.setdefault(int(key[0][:4]), []).append((key, *rows[key]))
    return out


def _punch_gap(
    imports: dict, tech: list[TechCode], months: list[str], rng: np.random.Generator
) -> list[str]:
    """Remove two integrated-circuit codes from GAP_MONTH (a gap); returns the codes."""
    gap_codes: list[str] = []
    if GAP_MONTH in months:
        gap_group = sorted({c.hs8 for c in tech if c.group_id == IC_GROUP and _live(c, GAP_MONTH)})
        gap_codes = sorted(rng.choice(gap_group, size=GAP_CODES, replace=False))
    for key in [k for k in imports if k[0] == GAP_MONTH and k[2] in gap_codes]:
        del imports[key]
    return gap_codes


def _add_unknown_partners(imports: dict, tech_rows: dict, rng: np.random.Generator) -> None:
    """Add rows with a partner code China Customs does not list."""
    unknown_keys = [k for k in sorted(tech_rows) if k[0].startswith(str(UNKNOWN_PARTNER_YEAR))]
    for i in (
        rng.choice(len(unknown_keys), size=UNKNOWN_PARTNER_ROWS, replace=False)
        if unknown_keys
        else []
    ):
        month, _, hs8 = unknown_keys[int(i)]
        imports[(month, UNKNOWN_PARTNER, hs8)] = [tech_rows[unknown_keys[int(i)]][0], 2.0e5]


def _write_import_parts(
    writer: "_Writer", out_dir: Path, imports: dict, new_line_codes: list[str], first_year: int
) -> None:
    """Write each year's imports as partial files, one overlapping another by a few codes."""
    for year, rows in _by_year(imports).items():
        codes = sorted({key[2] for key, _, _ in rows})
        part_of = {h: i % IMPORT_PARTS for i, h in enumerate(codes)}
        overlap = set(codes[::IMPORT_PARTS][:OVERLAP_CODES])
        for part in range(IMPORT_PARTS):
            chosen = [
                r for r in rows if part_of[r[0][2]] == part or (part == 1 and r[0][2] in overlap)
            ]
            name = f"gacc_synthetic_{year}_import_part{part + 1}.csv"
            writer.write(name, year, chosen)
            asked = sorted(
                {r[0][2] for r in chosen} | {h for h in new_line_codes if part_of.get(h, 0) == part}
            )
            if year == first_year:
                # the queries of the first year asked for the new line: absent is no trade
                (out_dir / f"{name}.manifest.json").write_text(
                    json.dumps({"flow": "import", "codes": asked}), encoding="utf-8"
                )


def _write_commodity_file(writer: "_Writer", imports: dict) -> None:
    """Write the commodity-grain file: the partner rows as written, summed."""
    first, last = COMMODITY_GRAIN_MONTHS
    # the commodity file sums the partner rows as written (whole units of currency)
    totals: dict[Key, list] = {}
    for (month, _partner, hs8), (product, usd) in sorted(imports.items()):
        if first <= month <= last:
            totals.setdefault((month, "", hs8), [product, 0])[1] += writer.native(month, usd)
    if totals:
        writer.write(
            f"gacc_synthetic_{first[:4]}_import_commodity.csv",
            int(first[:4]),
            [
                (k, product, _usd_of(writer, k[0], native))
                for k, (product, native) in sorted(totals.items())
            ],
            partners=False,
        )


def _write_revision(
    writer: "_Writer", imports: dict, tech_rows: dict, rng: np.random.Generator
) -> list[Key]:
    """Write a later file revising a few keys of REVISION_MONTH; returns the keys."""
    revised = [k for k in sorted(tech_rows) if k[0] == REVISION_MONTH and k in imports]
    picked = (
        sorted(revised[int(i)] for i in rng.choice(len(revised), size=REVISED_KEYS, replace=False))
        if revised
        else []
    )
    if picked:
        revised_rows = [(k, imports[k][0], imports[k][1] * rng.uniform(1.02, 1.08)) for k in picked]
        writer.write(
            f"gacc_synthetic_{REVISION_MONTH[:4]}_import_revised.csv",
            int(REVISION_MONTH[:4]),
            revised_rows,
        )
        for k, product, usd in revised_rows:
            imports[k] = [product, usd]
    return picked


def generate_customs(
    out_dir: Path, reference_dir: Path, start: str = WINDOW_START, end: str = "2025-12"
) -> list[Path]:
    """Write the bundled customs files (see the module's docstring); returns their paths.

    The generator's parameters are written beside them as synthetic_parameters.json.
    The helpers draw from one generator in a fixed order, so the files are the same on
    every run.
    """
    rng = np.random.default_rng(stories.SEED)
    months = months_between(start, end)
    tech = read_tech_codes(reference_dir / "batches")
    background = read_stable_hs6_by_class(reference_dir)
    tech_rows, tech_total, draws, new_line = _tech_imports(months, tech, rng)
    tech_hs6 = {c.hs8[:6] for c in tech}
    pool = {k: [c for c in v if c not in tech_hs6] for k, v in background.items()}
    imports = {**_background_imports(months, tech_total, pool, rng), **tech_rows}

    # each crafted shape where its month falls in the window (the default one has all)
    gap_codes = _punch_gap(imports, tech, months, rng)
    _add_unknown_partners(imports, tech_rows, rng)

    out_dir.mkdir(parents=True, exist_ok=True)
    writer = _Writer(out_dir, read_fx(reference_dir))
    new_line_codes = sorted({c.hs8 for c in tech if c.group_id == new_line and _live(c, months[0])})
    _write_import_parts(writer, out_dir, imports, new_line_codes, int(months[0][:4]))
    _write_commodity_file(writer, imports)
    for year, rows in _by_year(
        _exports(months, sorted(set(background["consumption"]) | set(background["capital"])), rng)
    ).items():
        writer.write(f"gacc_synthetic_{year}_export.csv", year, rows)
    picked = _write_revision(writer, imports, tech_rows, rng)
    # China's imports of all goods as these files add up (the newest value of each key),
    # for the synthetic Comtrade files to report the same total
    yearly: dict[int, float] = {}
    for (month, _partner, _hs8), (_product, usd) in imports.items():
        yearly[int(month[:4])] = yearly.get(int(month[:4]), 0.0) + usd
    (out_dir / "synthetic_parameters.json").write_text(
        json.dumps(
            {
                **stories.parameters(draws),
                "new_line_group": new_line,
                "gap": {"month": GAP_MONTH, "codes": gap_codes},
                "revised_keys": [list(k) for k in picked],
                "commodity_grain_months": list(COMMODITY_GRAIN_MONTHS),
                "total_imports_usd_bn": TOTAL_IMPORTS_USD,
                "import_totals_usd": {str(y): round(v, 2) for y, v in sorted(yearly.items())},
            },
            indent=1,
        ),
        encoding="utf-8",
    )
    return writer.written


def _usd_of(writer: _Writer, month: str, native: int) -> float:
    """The USD amount that writes as ``native`` in the month's currency."""
    return native / writer.fx[month] if int(month[:4]) < USD_FROM_YEAR else float(native)
