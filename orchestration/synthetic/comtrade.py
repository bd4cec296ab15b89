"""Synthetic UN Comtrade annual HS6 data, written as Comtrade bulk files.

The layout is the API v1 / bulk "final" record (47 camelCase fields, tab separated,
gzip). China's imports and exports (partner World and, for the OECD share, by partner)
and every reporter's exports to World cover the Made in China 2025 sector codes and the
HS4 headings of seed 002 Table 7. The reporting revision follows the year (H4 to 2016,
H5 to 2021, H6 after), with codes carried across revisions by the UNSD concordance.
Codes of the real legacy file (848620, 903082, 903141) are left out: real data covers
them. Every file name carries 'synthetic'.

Partner-level rows, as in a real bulk download, for the mirror fill and the
reconciliation of China's imports (dbt int_comtrade__mirror_exports, ind_china_mirror_gap):
China's import partners report their exports to China; the reporters that are missing
in the last year (LATE_MISSING) are also reported by a few importers every year, so
their exports can be estimated from the importers' side; with the customs files of the
same run, China reports its all-goods total (cmdCode TOTAL) as its customs add up to,
and its import partners their all-goods exports to China. The importers' CIF values are
their partner's FOB exports times a CIF margin around 6% with noise: nothing here is
aimed at any published figure.
"""

import csv
import gzip
import io
import json
from pathlib import Path

import numpy as np

from orchestration.defs.comtrade.records import API_RECORD_FIELDS

SEED = 20250101
FIELDS = API_RECORD_FIELDS
REAL_CODES = {"848620", "903082", "903141"}
TABLE7_HS4 = ["2801", "2810", "2840", "2836", "2802", "2901", "2902", "3002", "3004",
              "3501", "3502", "3821", "3822", "8486", "8478", "8444", "8411", "8805", "9012"]
# Comtrade reporter code -> ISO3 of the reporters whose exports make "the world".
REPORTERS = {
    156: "CHN", 842: "USA", 276: "DEU", 392: "JPN", 410: "KOR", 251: "FRA", 380: "ITA",
    826: "GBR", 528: "NLD", 56: "BEL", 757: "CHE", 124: "CAN", 484: "MEX", 699: "IND",
    490: "S19", 702: "SGP", 458: "MYS", 764: "THA", 704: "VNM", 724: "ESP", 752: "SWE",
    40: "AUT", 203: "CZE", 616: "POL", 36: "AUS", 76: "BRA", 643: "RUS", 344: "HKG",
}
# Partners of China's imports (for the OECD share): a few OECD members and others.
IMPORT_PARTNERS = {392: "JPN", 410: "KOR", 842: "USA", 276: "DEU", 490: "S19", 458: "MYS",
                   643: "RUS", 251: "FRA"}
REVISION_OF_YEAR = [(2016, "H4"), (2021, "H5"), (9999, "H6")]
# Reporters that kept reporting in the older revision after a new one came in force, as
# the real legacy Comtrade file shipped beside these files shows (Mexico in HS2012 for
# 2017-2020, Singapore and Viet Nam for 2017): a reporter reports a year in one revision.
LATE_REVISION = {**{(484, y): "H4" for y in range(2017, 2021)}, (702, 2017): "H4",
                 (704, 2017): "H4"}


# Reporters missing from the last year, as real Comtrade is for the latest years: absent
# whole ("all"), or reporting only some codes ("some": every third code left out).
LATE_MISSING = {826: "all", 699: "all", 764: "all", 124: "some"}
# Reporters whose imports by partner are written for the mirror of LATE_MISSING.
MIRROR_IMPORTERS = {842: "USA", 276: "DEU", 392: "JPN", 528: "NLD", 251: "FRA",
                    344: "HKG", 702: "SGP"}
CIF_MARGIN = 1.06
ISO_OF = {**REPORTERS, 156: "CHN"}


def _is_missing(reporter: int, year: int, last_year: int, code_index: int) -> bool:
    rule = LATE_MISSING.get(reporter) if year == last_year else None
    return rule == "all" or (rule == "some" and code_index % 3 == 0)


def _customs_import_totals(customs_dir: Path) -> dict[int, float]:
    """USD total of the imports the customs generator wrote, per year, as it recorded them
    in synthetic_parameters.json (every key once, at its newest value)."""
    params = customs_dir / "synthetic_parameters.json"
    if not params.is_file():
        return {}
    totals = json.loads(params.read_text(encoding="utf-8")).get("import_totals_usd", {})
    return {int(year): float(value) for year, value in totals.items()}


def _revision(year: int, reporter: int | None = None) -> str:
    late = LATE_REVISION.get((reporter, year))
    return late or next(code for last, code in REVISION_OF_YEAR if year <= last)


def _concordance(reference_dir: Path) -> tuple[dict[str, str], dict[str, str]]:
    """HS2017 code -> HS2012 code and HS2017 code -> HS2022 code (first match)."""
    to_2012: dict[str, str] = {}
    with (reference_dir / "hs" / "hs2017_to_hs2012.csv").open(encoding="utf-8-sig") as fh:
        for row in list(csv.reader(fh))[1:]:
            to_2012.setdefault(row[0], row[3])
    to_2022: dict[str, str] = {}
    with (reference_dir / "hs" / "hs2022_to_hs2017.csv").open(encoding="utf-8-sig") as fh:
        for row in list(csv.reader(fh))[1:]:
            to_2022.setdefault(row[3], row[0])
    return to_2012, to_2022


def _hs2017_codes(reference_dir: Path, seeds_dir: Path) -> list[tuple[str, str]]:
    """(hs6 in HS2017, sector or 'table7') for the codes the indicators need."""
    out: dict[str, str] = {}
    sectors = seeds_dir / "ref_mic25_sectors.csv"
    if sectors.exists():
        with sectors.open(encoding="utf-8-sig") as fh:
            for row in csv.DictReader(fh):
                hs6 = (row.get("hs6") or "").strip()
                if len(hs6) == 6:
                    out.setdefault(hs6, row["sector_id"])
    with (reference_dir / "hs" / "hs2017_to_hs2012.csv").open(encoding="utf-8-sig") as fh:
        all17 = sorted({r[0] for r in list(csv.reader(fh))[1:]})
    for hs4 in TABLE7_HS4:
        for code in [c for c in all17 if c.startswith(hs4)][:2]:
            out.setdefault(code, "table7")
    return sorted((k, v) for k, v in out.items() if k not in REAL_CODES)


def _record(year: int, reporter: int, flow: str, partner: int, partner_iso: str, cmd: str,
            value: float) -> dict:
    cls = _revision(year, reporter)
    return {
        "typeCode": "C", "freqCode": "A", "refPeriodId": f"{year}0101", "refYear": year,
        "refMonth": 52, "period": year, "reporterCode": reporter,
        "reporterISO": REPORTERS.get(reporter, ""), "reporterDesc": "",
        "flowCode": flow, "flowDesc": "Import" if flow == "M" else "Export",
        "partnerCode": partner, "partnerISO": partner_iso,
        "partnerDesc": "World" if partner == 0 else "", "partner2Code": 0,
        "partner2ISO": "W00", "partner2Desc": "World", "classificationCode": cls,
        "classificationSearchCode": "HS", "isOriginalClassification": "True",
        "cmdCode": cmd, "cmdDesc": f"synthetic HS {cmd}", "aggrLevel": 0 if cmd == "TOTAL" else 6,
        "isLeaf": "True",
        "customsCode": "C00", "customsDesc": "TOTAL CPC", "mosCode": 0, "motCode": 0,
        "motDesc": "TOTAL MOT", "qtyUnitCode": 8, "qtyUnitAbbr": "kg",
        "qty": round(value / 30.0), "isQtyEstimated": "False", "altQtyUnitCode": -1,
        "altQtyUnitAbbr": "N/A", "altQty": 0, "isAltQtyEstimated": "False",
        "netWgt": round(value / 30.0), "isNetWgtEstimated": "False", "grossWgt": 0,
        "isGrossWgtEstimated": "False", "cifvalue": round(value, 0) if flow == "M" else "",
        "fobvalue": round(value, 0) if flow == "X" else "", "primaryValue": round(value, 0),
        "legacyEstimationFlag": 0, "isReported": "True", "isAggregate": "False",
    }


def generate_comtrade(
    out_dir: Path, reference_dir: Path, seeds_dir: Path, first_year: int = 2015,
    last_year: int = 2024, customs_dir: Path | None = None,
) -> list[Path]:
    """``customs_dir``: the synthetic customs files of the same run, whose import totals
    China's TOTAL rows repeat (none written without it)."""
    rng = np.random.default_rng(SEED)
    # a second stream for the partner-level rows, so the world rows stay as they were
    prng = np.random.default_rng(SEED + 1)
    customs_totals = (
        _customs_import_totals(customs_dir) if customs_dir is not None else {}
    )
    to_2012, to_2022 = _concordance(reference_dir)
    codes = _hs2017_codes(reference_dir, seeds_dir)
    years = list(range(first_year, last_year + 1))
    # Per code: China's share of world exports and its import/export ratio drift over time,
    # so ratings move between years as they do in seed 002.
    profile = {}
    for hs6, _sector in codes:
        share0 = float(np.clip(rng.beta(1.3, 5.0), 0.005, 0.8))
        ratio0 = float(np.exp(rng.normal(0.0, 1.3)))
        profile[hs6] = (share0, ratio0, rng.normal(0.01, 0.01), rng.normal(-0.04, 0.05))

    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for year in years:
        k = year - first_year
        cls = _revision(year)
        rows = []
        for index, (hs6, _sector) in enumerate(codes):
            cmd = to_2012.get(hs6, hs6) if cls == "H4" else (
                to_2022.get(hs6, hs6) if cls == "H6" else hs6)
            share0, ratio0, dshare, dratio = profile[hs6]
            world = float(np.exp(rng.normal(20.5, 1.0))) * (1.03 ** k)
            share = float(np.clip(share0 + dshare * k, 0.001, 0.9))
            china_x = world * share
            others = [r for r in REPORTERS if r != 156]
            w = rng.dirichlet(np.ones(len(others)) * 0.7) * (world - china_x)
            rows.append(_record(year, 156, "X", 0, "W00", cmd, china_x))
            code_of = {}
            for reporter, value in zip(others, w, strict=True):
                late = LATE_REVISION.get((reporter, year))
                code_of[reporter] = cmd if late is None else to_2012.get(hs6, hs6)
                if not _is_missing(reporter, year, last_year, index):
                    rows.append(_record(year, reporter, "X", 0, "W00", code_of[reporter],
                                        float(value)))
            china_m = china_x * ratio0 * float(np.exp(dratio * k))
            rows.append(_record(year, 156, "M", 0, "W00", cmd, china_m))
            pw = rng.dirichlet(np.ones(len(IMPORT_PARTNERS)))
            for (partner, iso), p in zip(IMPORT_PARTNERS.items(), pw, strict=True):
                rows.append(_record(year, 156, "M", partner, iso, cmd, china_m * float(p)))
                # the partner's own report of the same goods, FOB, with the usual asymmetry
                fob = china_m * float(p) / CIF_MARGIN * float(np.exp(prng.normal(0, 0.05)))
                if not _is_missing(partner, year, last_year, index):
                    rows.append(_record(year, partner, "X", 156, "CHN", code_of[partner], fob))
            exports_of = dict(zip(others, w, strict=True))
            for exporter in LATE_MISSING:
                # most of its exports go to importers that report them, CIF
                dest = prng.dirichlet(np.ones(len(MIRROR_IMPORTERS) + 1))[:-1]
                for (importer, _iso), d in zip(MIRROR_IMPORTERS.items(), dest, strict=True):
                    cif = float(exports_of[exporter]) * float(d) * CIF_MARGIN * float(
                        np.exp(prng.normal(0, 0.03)))
                    rows.append(_record(year, importer, "M", exporter, ISO_OF[exporter],
                                        code_of[importer], cif))
        if year in customs_totals:
            total = customs_totals[year]
            rows.append(_record(year, 156, "M", 0, "W00", "TOTAL", total))
            # the partners that report cover part of China's imports, not all
            share = prng.dirichlet(np.ones(len(IMPORT_PARTNERS))) * prng.uniform(0.6, 0.8)
            for partner, q in zip(IMPORT_PARTNERS, share, strict=True):
                if LATE_MISSING.get(partner) != "all" or year != last_year:
                    rows.append(_record(year, partner, "X", 156, "CHN", "TOTAL",
                                        total * float(q) / CIF_MARGIN))
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=FIELDS, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        path = out_dir / f"comtrade_synthetic_C_A_HS_{year}.txt.gz"
        tmp = path.with_suffix(".tmp")
        # mtime=0 keeps the gzip bytes (and so the content hash) deterministic.
        with tmp.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
            gz.write(buf.getvalue().encode("utf-8"))
        tmp.replace(path)
        written.append(path)
    return written
