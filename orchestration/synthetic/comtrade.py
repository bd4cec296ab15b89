"""Synthetic UN Comtrade annual HS6 data, written as Comtrade bulk files.

The layout is the API v1 / bulk "final" record (47 camelCase fields, tab separated,
gzip). China's imports and exports (partner World and, for the OECD share, by partner)
and every reporter's exports to World cover the Made in China 2025 sector codes and the
HS4 headings of seed 002 Table 7. Codes of the real legacy file (848620, 903082, 903141)
are left out: real data covers them. Every file name carries 'synthetic'.

Values are drawn at the finest detail, HS2017 six-digit codes (every HS2017 sibling of a
drawn code under the same HS2012 code is drawn too, so a merged code holds all of its
content), and each year is written in the revision of its time, H4 to 2016, H5 to 2021,
H6 after, by the UNSD tables of the reference folder:

* HS2012 (H4): hs2017_to_hs2012.csv gives every HS2017 code one HS2012 code; the HS2017
  values of one HS2012 code are summed into it (codes merged back at 2017).
* HS2022 (H6): hs2022_to_hs2017.csv gives every HS2022 code one HS2017 code (with the
  project's corrections, ref_hs_conversion_corrections, where the shipped target is
  wrong); an HS2017 code with several HS2022 successors is split among them with shares
  drawn from a symmetric Dirichlet (SPLIT_ALPHA), fixed per code, so its parts differ
  from code to code and sum to its value exactly.
* HS2007 (H3) and HS2002 (H2), for the reporters that still used them in 2015-2016
  (OLD_REVISION): from HS2012 back through the UNSD correlation steps '2012 to 2007' and
  '2007 to 2002' of HS_consolidated_comtrade_concordances.csv, summing where codes merged
  and splitting with the same Dirichlet shares where a code had several predecessors.

A reporter reports a year in one revision. Other awkward shapes of a real download:

* the EU (reporterCode 97, isAggregate True) reports its exports to World, each code the
  sum of its members' rows in the same file (EU_MEMBERS, with the United Kingdom to
  2019): the pipeline must leave it out of world totals;
* breakdown rows (a second partner, a customs procedure other than C00, a transport
  mode) repeat part of the totals of every BREAKDOWN_EVERY-th code of China's imports
  and of three exporters (BREAKDOWN_EXPORTERS), and of China's TOTAL imports: the
  pipeline must drop them;
* every reporter sends a TOTAL record (cmdCode TOTAL, aggrLevel 0) per year for its
  exports to World: the sum of its six-digit exports divided by a coverage drawn per
  reporter from TOTAL_COVERAGE (the codes here are a small part of all goods); China's
  TOTAL imports repeat the customs files of the same run (none written without them).

Partner-level rows, as in a real bulk download, for the mirror fill and the
reconciliation of China's imports (dbt int_comtrade__mirror_exports, ind_china_mirror_gap):
China's import partners report their exports to China; the reporters that are missing
in the last year (LATE_MISSING) are also reported by a few importers every year, so
their exports can be estimated from the importers' side; China's import partners report
their all-goods exports to China. The importers' CIF values are their partner's FOB
exports times a CIF margin around 6% with noise: nothing here is aimed at any published
figure.
"""

import csv
import gzip
import io
import json
from collections import defaultdict
from pathlib import Path

import numpy as np

from orchestration.lib.comtrade.api import TABLE7_HS4
from orchestration.lib.comtrade.records import API_RECORD_FIELDS
from orchestration.settings import FIRST_YEAR

SEED = 20250101
FIELDS = API_RECORD_FIELDS
REAL_CODES = {"848620", "903082", "903141"}
# Comtrade reporter code -> ISO3 of the reporters whose exports make "the world".
REPORTERS = {
    156: "CHN",
    842: "USA",
    276: "DEU",
    392: "JPN",
    410: "KOR",
    251: "FRA",
    380: "ITA",
    826: "GBR",
    528: "NLD",
    56: "BEL",
    757: "CHE",
    124: "CAN",
    484: "MEX",
    699: "IND",
    490: "S19",
    702: "SGP",
    458: "MYS",
    764: "THA",
    704: "VNM",
    724: "ESP",
    752: "SWE",
    40: "AUT",
    203: "CZE",
    616: "POL",
    36: "AUS",
    76: "BRA",
    643: "RUS",
    344: "HKG",
    608: "PHL",
    508: "MOZ",
}
# Partners of China's imports (for the OECD share): a few OECD members and others.
IMPORT_PARTNERS = {
    392: "JPN",
    410: "KOR",
    842: "USA",
    276: "DEU",
    490: "S19",
    458: "MYS",
    643: "RUS",
    251: "FRA",
}
REVISION_OF_YEAR = [(2016, "H4"), (2021, "H5"), (9999, "H6")]
# Reporters that kept reporting in the older revision after a new one came in force, as
# the real legacy Comtrade file shipped beside these files shows (Mexico in HS2012 for
# 2017-2020, Singapore and Viet Nam for 2017, the Philippines for 2017-2018, Mozambique
# for 2017): a reporter reports a year in one revision, and the same one as in the real
# file, which is loaded beside these (two revisions of one reporter-year are a conflict).
LATE_REVISION = {
    **{(484, y): "H4" for y in range(2017, 2021)},
    (702, 2017): "H4",
    (704, 2017): "H4",
    (608, 2017): "H4",
    (608, 2018): "H4",
    (508, 2017): "H4",
}
# Reporters still on HS2002 or HS2007 when HS2012 was in force, as the real file has them
# in 2016 (the Philippines in HS2002, Mozambique in HS2007), and so in 2015 too. Neither
# is an EU member, a mirror importer or one of China's import partners, so each shape is
# tested on its own.
OLD_REVISION = {(608, 2015): "H2", (608, 2016): "H2", (508, 2015): "H3", (508, 2016): "H3"}
# Concentration of the shares a split code's value is dealt among its successors
# (symmetric Dirichlet): 2.0 gives parts between about a tenth and nine tenths for a
# split in two, never a split by a count.
SPLIT_ALPHA = 2.0

# Reporters missing from the last year, as real Comtrade is for the latest years: absent
# whole ("all"), or reporting only some codes ("some": every third code left out).
LATE_MISSING = {826: "all", 699: "all", 764: "all", 124: "some"}
# Reporters whose imports by partner are written for the mirror of LATE_MISSING.
MIRROR_IMPORTERS = {
    842: "USA",
    276: "DEU",
    392: "JPN",
    528: "NLD",
    251: "FRA",
    344: "HKG",
    702: "SGP",
}
CIF_MARGIN = 1.06

# The EU as a reporter: the sum of its members' records, flagged isAggregate.
EU_CODE, EU_ISO = 97, "EUR"
EU_MEMBERS = {276, 251, 380, 528, 56, 724, 752, 40, 203, 616}
EU_LEFT = {826: 2019}  # the United Kingdom, a member to 2019
ISO_OF = {**REPORTERS, 156: "CHN", EU_CODE: EU_ISO}

# Breakdown rows: every BREAKDOWN_EVERY-th code of China's imports (and of these
# exporters' exports to World) also arrives split by transport mode, by customs procedure
# and, for imports, by a second partner. Each breakdown repeats part of the total row.
BREAKDOWN_EVERY = 4
BREAKDOWN_EXPORTERS = {842, 392, 702}
# (field, code, description, share of the total row's value)
BREAKDOWNS = [
    ("motCode", 2100, "Sea", 0.62),
    ("motCode", 1000, "Air", 0.31),
    ("customsCode", "C01", "Customs procedure 1", 0.45),
    ("customsCode", "C02", "Customs procedure 2", 0.40),
]
PARTNER2_SHARE = 0.25  # imports: a part consigned from a second partner (Hong Kong)
# The codes drawn are a small part of a reporter's trade in all goods: its TOTAL record
# is its six-digit exports divided by a coverage drawn per reporter from this range.
TOTAL_COVERAGE = (0.02, 0.08)


def _is_missing(reporter: int, year: int, last_year: int, code_index: int) -> bool:
    rule = LATE_MISSING.get(reporter) if year == last_year else None
    return rule == "all" or (rule == "some" and code_index % 3 == 0)


def _customs_import_totals(customs_dir: Path) -> dict[int, float]:
    """China's yearly import totals as the customs generator wrote them.

    USD total of the imports the customs generator wrote, per year, as it recorded them
    in synthetic_parameters.json (every key once, at its newest value).
    """
    params = customs_dir / "synthetic_parameters.json"
    if not params.is_file():
        return {}
    totals = json.loads(params.read_text(encoding="utf-8")).get("import_totals_usd", {})
    return {int(year): float(value) for year, value in totals.items()}


def _revision(year: int, reporter: int | None = None) -> str:
    late = LATE_REVISION.get((reporter, year)) or OLD_REVISION.get((reporter, year))
    return late or next(code for last, code in REVISION_OF_YEAR if year <= last)


def _eu_members(year: int) -> set[int]:
    return EU_MEMBERS | {r for r, last in EU_LEFT.items() if year <= last}


class Revisions:
    """Carries a dict of HS2017 code -> value into another revision, by the UNSD tables."""

    def __init__(self, reference_dir: Path, seeds_dir: Path):
        """Read the HS correspondences of the bundled reference folder."""
        hs = reference_dir / "hs"
        with (hs / "hs2017_to_hs2012.csv").open(encoding="utf-8-sig") as fh:
            # one HS2012 code per HS2017 code in this table
            self.to_2012 = {r[0]: r[3] for r in list(csv.reader(fh))[1:]}
        # the shipped table sends a few new HS2022 codes to a wrong HS2017 code (display
        # modules and e-waste to telephones and ICs); the project's corrections say where
        # their content came from, so the content is drawn under that code
        corrected: dict[str, str] = {}
        fixes = seeds_dir / "ref_hs_conversion_corrections.csv"
        if fixes.exists():
            with fixes.open(encoding="utf-8-sig") as fh:
                corrected = {
                    r["hs6"]: r["hs6_target"]
                    for r in csv.DictReader(fh)
                    if (r["from_revision"], r["to_revision"]) == ("HS2022", "HS2017")
                }
        self.to_2022: dict[str, list[str]] = defaultdict(list)
        with (hs / "hs2022_to_hs2017.csv").open(encoding="utf-8-sig") as fh:
            for r in list(csv.reader(fh))[1:]:
                self.to_2022[corrected.get(r[0], r[3])].append(r[0])
        # older revisions: an HS2012 code -> its HS2007 predecessors, HS2007 -> HS2002
        self.back: dict[str, dict[str, list[str]]] = {
            "H3": defaultdict(list),
            "H2": defaultdict(list),
        }
        steps = {"2012 to 2007": "H3", "2007 to 2002": "H2"}
        with (hs / "HS_consolidated_comtrade_concordances.csv").open(encoding="utf-8-sig") as fh:
            for r in csv.DictReader(fh):
                step = steps.get(r["adjustment"])
                if step:
                    after, before = r["code.after"].zfill(6), r["code.before"].zfill(6)
                    if before not in self.back[step][after]:
                        self.back[step][after].append(before)

    @staticmethod
    def shares(code: str, n: int, step: str) -> np.ndarray:
        """Split a code among its successors.

        The split of ``code`` among its ``n`` successors: fixed per code and step, so a
        code is split alike in every year and by every reporter.
        """
        rng = np.random.default_rng([SEED, sum(map(ord, step)), int(code)])
        return rng.dirichlet(np.full(n, SPLIT_ALPHA))

    def _split(self, values: dict[str, float], targets, step: str) -> dict[str, float]:
        out: dict[str, float] = defaultdict(float)
        for code, value in values.items():
            successors = sorted(targets.get(code) or [code])
            for target, share in zip(
                successors, self.shares(code, len(successors), step), strict=True
            ):
                out[target] += value * float(share)
        return dict(out)

    def carry(self, values: dict[str, float], cls: str) -> dict[str, float]:
        """HS2017 values written in revision ``cls`` (H2 to H6)."""
        if cls == "H5":
            return dict(values)
        if cls == "H6":
            return self._split(values, self.to_2022, "H6")
        merged: dict[str, float] = defaultdict(float)
        for code, value in values.items():
            merged[self.to_2012.get(code, code)] += value
        if cls == "H4":
            return dict(merged)
        h3 = self._split(merged, self.back["H3"], "H3")
        return h3 if cls == "H3" else self._split(h3, self.back["H2"], "H2")


def _hs2017_codes(reference_dir: Path, seeds_dir: Path) -> list[tuple[str, str]]:
    """The HS2017 codes the synthetic Comtrade files hold.

    (hs6 in HS2017, sector or 'table7' or 'sibling') for the codes the indicators need,
    with every HS2017 code sharing an HS2012 code with one of them (its content merged
    into the same code before 2017).
    """
    out: dict[str, str] = {}
    sectors = seeds_dir / "ref_mic25_sectors.csv"
    if sectors.exists():
        with sectors.open(encoding="utf-8-sig") as fh:
            for row in csv.DictReader(fh):
                hs6 = (row.get("hs6") or "").strip()
                if len(hs6) == 6:
                    out.setdefault(hs6, row["sector_id"])
    with (reference_dir / "hs" / "hs2017_to_hs2012.csv").open(encoding="utf-8-sig") as fh:
        pairs = [(r[0], r[3]) for r in list(csv.reader(fh))[1:]]
    all17 = sorted({a for a, _ in pairs})
    for hs4 in TABLE7_HS4:
        for code in [c for c in all17 if c.startswith(hs4)][:2]:
            out.setdefault(code, "table7")
    parents = {b for a, b in pairs if a in out and a not in REAL_CODES}
    for a, b in pairs:
        if b in parents:
            out.setdefault(a, "sibling")
    return sorted((k, v) for k, v in out.items() if k not in REAL_CODES)


def _record(
    year: int,
    reporter: int,
    flow: str,
    partner: int,
    partner_iso: str,
    cmd: str,
    value: float,
    cls: str,
    breakdown: tuple | None = None,
    partner2: tuple[int, str] | None = None,
) -> dict:
    rec = {
        "typeCode": "C",
        "freqCode": "A",
        "refPeriodId": f"{year}0101",
        "refYear": year,
        "refMonth": 52,
        "period": year,
        "reporterCode": reporter,
        "reporterISO": ISO_OF.get(reporter, ""),
        "reporterDesc": "European Union" if reporter == EU_CODE else "",
        "flowCode": flow,
        "flowDesc": "Import" if flow == "M" else "Export",
        "partnerCode": partner,
        "partnerISO": partner_iso,
        "partnerDesc": "World" if partner == 0 else "",
        "partner2Code": 0,
        "partner2ISO": "W00",
        "partner2Desc": "World",
        "classificationCode": cls,
        "classificationSearchCode": "HS",
        "isOriginalClassification": "True",
        "cmdCode": cmd,
        "cmdDesc": f"synthetic HS {cmd}",
        "aggrLevel": 0 if cmd == "TOTAL" else 6,
        "isLeaf": "False" if cmd == "TOTAL" else "True",
        "customsCode": "C00",
        "customsDesc": "TOTAL CPC",
        "mosCode": 0,
        "motCode": 0,
        "motDesc": "TOTAL MOT",
        "qtyUnitCode": 8,
        "qtyUnitAbbr": "kg",
        "qty": round(value / 30.0),
        "isQtyEstimated": "False",
        "altQtyUnitCode": -1,
        "altQtyUnitAbbr": "N/A",
        "altQty": 0,
        "isAltQtyEstimated": "False",
        "netWgt": round(value / 30.0),
        "isNetWgtEstimated": "False",
        "grossWgt": 0,
        "isGrossWgtEstimated": "False",
        "cifvalue": round(value, 0) if flow == "M" else "",
        "fobvalue": round(value, 0) if flow == "X" else "",
        "primaryValue": round(value, 0),
        "legacyEstimationFlag": 0,
        "isReported": "False" if reporter == EU_CODE else "True",
        "isAggregate": "True" if reporter == EU_CODE else "False",
    }
    if breakdown is not None:
        field, code, desc = breakdown
        rec[field] = code
        rec["motDesc" if field == "motCode" else "customsDesc"] = desc
    if partner2 is not None:
        rec["partner2Code"], rec["partner2ISO"] = partner2
        rec["partner2Desc"] = ""
    return rec


def _breakdown_rows(rec: dict, imports: bool) -> list[dict]:
    """The breakdown rows of a total record.

    Rows repeating part of the total record ``rec``, by transport mode, by customs
    procedure and (imports) by a second partner.
    """
    value = float(rec["primaryValue"])
    args = (
        rec["refYear"],
        rec["reporterCode"],
        rec["flowCode"],
        rec["partnerCode"],
        rec["partnerISO"],
        rec["cmdCode"],
    )
    out = [
        _record(*args, value * share, rec["classificationCode"], (field, code, desc))
        for field, code, desc, share in BREAKDOWNS
    ]
    if imports:
        out.append(
            _record(*args, value * PARTNER2_SHARE, rec["classificationCode"], partner2=(344, "HKG"))
        )
    return out


def records_adder(records: dict[tuple, dict]):
    """A function that adds records, one per key.

    A function adding a record to ``records`` under its key; a second record of one
    key is a bug of the generator (a real file has one), so it stops.
    """

    def add(rec: dict) -> None:
        key = (
            rec["reporterCode"],
            rec["flowCode"],
            rec["partnerCode"],
            rec["partner2Code"],
            rec["customsCode"],
            rec["motCode"],
            rec["cmdCode"],
        )
        if key in records:
            raise RuntimeError(f"synthetic Comtrade: two records of one key {key}")
        records[key] = rec

    return add


def _profiles(codes: list[tuple[str, str]], rng: np.random.Generator) -> dict[str, tuple]:
    """Per code: China's share of world exports and its import/export ratio, with drifts.

    They drift over time, so ratings move between years as they do in seed 002.
    """
    profile = {}
    for hs6, _sector in codes:
        share0 = float(np.clip(rng.beta(1.3, 5.0), 0.005, 0.8))
        ratio0 = float(np.exp(rng.normal(0.0, 1.3)))
        profile[hs6] = (share0, ratio0, rng.normal(0.01, 0.01), rng.normal(-0.04, 0.05))
    return profile


def _year_groups(
    year: int,
    k: int,
    last_year: int,
    codes: list[tuple[str, str]],
    profile: dict[str, tuple],
    rng: np.random.Generator,
    prng: np.random.Generator,
) -> dict[tuple, dict[str, float]]:
    """One year's values: (reporter, flow, partner, partner ISO) -> HS2017 code -> value.

    Before the reporter's revision is applied. ``rng`` draws the world rows, ``prng``
    the partner-level rows, code by code in one order.
    """
    groups: dict[tuple, dict[str, float]] = defaultdict(dict)
    others = [r for r in REPORTERS if r != 156]
    for index, (hs6, _sector) in enumerate(codes):
        share0, ratio0, dshare, dratio = profile[hs6]
        world = float(np.exp(rng.normal(20.5, 1.0))) * (1.03**k)
        share = float(np.clip(share0 + dshare * k, 0.001, 0.9))
        china_x = world * share
        w = rng.dirichlet(np.ones(len(others)) * 0.7) * (world - china_x)
        groups[(156, "X", 0, "W00")][hs6] = china_x
        for reporter, value in zip(others, w, strict=True):
            if not _is_missing(reporter, year, last_year, index):
                groups[(reporter, "X", 0, "W00")][hs6] = float(value)
        china_m = china_x * ratio0 * float(np.exp(dratio * k))
        groups[(156, "M", 0, "W00")][hs6] = china_m
        pw = rng.dirichlet(np.ones(len(IMPORT_PARTNERS)))
        for (partner, iso), p in zip(IMPORT_PARTNERS.items(), pw, strict=True):
            groups[(156, "M", partner, iso)][hs6] = china_m * float(p)
            # the partner's own report of the same goods, FOB, with the usual asymmetry
            fob = china_m * float(p) / CIF_MARGIN * float(np.exp(prng.normal(0, 0.05)))
            if not _is_missing(partner, year, last_year, index):
                groups[(partner, "X", 156, "CHN")][hs6] = fob
        _mirror_imports(groups, hs6, dict(zip(others, w, strict=True)), prng)
    return groups


def _mirror_imports(groups: dict, hs6: str, exports_of: dict, prng: np.random.Generator) -> None:
    """The late-missing exporters' goods as their partners report them, CIF."""
    for exporter in LATE_MISSING:
        # most of its exports go to importers that report them, CIF
        dest = prng.dirichlet(np.ones(len(MIRROR_IMPORTERS) + 1))[:-1]
        for (importer, _iso), d in zip(MIRROR_IMPORTERS.items(), dest, strict=True):
            cif = (
                float(exports_of[exporter])
                * float(d)
                * CIF_MARGIN
                * float(np.exp(prng.normal(0, 0.03)))
            )
            groups[(importer, "M", exporter, ISO_OF[exporter])][hs6] = cif


def _reporter_records(
    add, year: int, groups: dict, revisions: "Revisions", breakdown_codes: set[str]
) -> tuple[dict, dict]:
    """Add every reporter's records in its revision; returns EU and world export sums.

    Returns (EU members' exports per written code, each reporter's world exports).
    """
    eu_x: dict[str, float] = defaultdict(float)
    totals_x: dict[int, float] = defaultdict(float)
    members = _eu_members(year)
    for (reporter, flow, partner, iso), values in groups.items():
        cls = _revision(year, reporter)
        world_x = flow == "X" and partner == 0
        has_breakdown = (reporter, flow, partner) == (156, "M", 0) or (
            world_x and reporter in BREAKDOWN_EXPORTERS
        )
        # the written codes holding a code that arrives broken down as well
        broken = (
            set(revisions.carry({c: 1.0 for c in values if c in breakdown_codes}, cls))
            if has_breakdown
            else set()
        )
        for cmd, value in sorted(revisions.carry(values, cls).items()):
            rec = _record(year, reporter, flow, partner, iso, cmd, value, cls)
            add(rec)
            if world_x:
                totals_x[reporter] += value
                if reporter in members:
                    eu_x[cmd] += float(rec["primaryValue"])
            for extra in _breakdown_rows(rec, flow == "M") if cmd in broken else []:
                add(extra)
    return eu_x, totals_x


def _total_records(add, year: int, eu_x: dict, totals_x: dict, coverage: dict) -> None:
    """Add the EU's records and every reporter's all-goods exports (TOTAL)."""
    members = _eu_members(year)
    # the EU's exports: its members' rows of this file, summed, in the year's revision
    eu_cls = _revision(year)
    for cmd, value in sorted(eu_x.items()):
        add(_record(year, EU_CODE, "X", 0, "W00", cmd, value, eu_cls))
    eu_total = 0.0
    for reporter in sorted(totals_x):
        total = round(totals_x[reporter] / coverage[reporter], 0)
        add(_record(year, reporter, "X", 0, "W00", "TOTAL", total, _revision(year, reporter)))
        eu_total += total if reporter in members else 0.0
    add(_record(year, EU_CODE, "X", 0, "W00", "TOTAL", eu_total, eu_cls))


def _china_total_records(
    add, year: int, total: float, last_year: int, prng: np.random.Generator
) -> None:
    """Add China's TOTAL imports (the customs files' total) and its partners' reports."""
    china_total = _record(year, 156, "M", 0, "W00", "TOTAL", total, _revision(year))
    add(china_total)
    for extra in _breakdown_rows(china_total, True):
        add(extra)
    # the partners that report cover part of China's imports, not all
    share = prng.dirichlet(np.ones(len(IMPORT_PARTNERS))) * prng.uniform(0.6, 0.8)
    for partner, q in zip(IMPORT_PARTNERS, share, strict=True):
        if LATE_MISSING.get(partner) != "all" or year != last_year:
            add(
                _record(
                    year,
                    partner,
                    "X",
                    156,
                    "CHN",
                    "TOTAL",
                    total * float(q) / CIF_MARGIN,
                    _revision(year, partner),
                )
            )


def _write_year(out_dir: Path, year: int, records: dict[tuple, dict]) -> Path:
    """Write one year's records as a gzipped bulk file, atomically; returns its path."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=FIELDS, delimiter="\t", lineterminator="\n")
    writer.writeheader()
    writer.writerows(records.values())
    path = out_dir / f"comtrade_synthetic_C_A_HS_{year}.txt.gz"
    tmp = path.with_suffix(".tmp")
    # mtime=0 keeps the gzip bytes (and so the content hash) deterministic.
    with tmp.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        gz.write(buf.getvalue().encode("utf-8"))
    tmp.replace(path)
    return path


def generate_comtrade(
    out_dir: Path,
    reference_dir: Path,
    seeds_dir: Path,
    first_year: int = FIRST_YEAR,
    last_year: int = 2024,
    customs_dir: Path | None = None,
) -> list[Path]:
    """Write the synthetic Comtrade bulk files, one a year; returns their paths.

    ``customs_dir``: the synthetic customs files of the same run, whose import totals
    China's TOTAL rows repeat (none written without it). The helpers draw from three
    seeded streams in a fixed order, so the files are the same on every run.
    """
    rng = np.random.default_rng(SEED)
    # a second stream for the partner-level rows, so the world rows stay as they were
    prng = np.random.default_rng(SEED + 1)
    # a third for the TOTAL records' coverages
    trng = np.random.default_rng(SEED + 2)
    customs_totals = _customs_import_totals(customs_dir) if customs_dir is not None else {}
    revisions = Revisions(reference_dir, seeds_dir)
    codes = _hs2017_codes(reference_dir, seeds_dir)
    profile = _profiles(codes, rng)
    coverage = {r: float(trng.uniform(*TOTAL_COVERAGE)) for r in sorted(REPORTERS)}
    breakdown_codes = {hs6 for i, (hs6, _) in enumerate(codes) if i % BREAKDOWN_EVERY == 0}

    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for year in range(first_year, last_year + 1):
        groups = _year_groups(year, year - first_year, last_year, codes, profile, rng, prng)
        records: dict[tuple, dict] = {}
        add = records_adder(records)
        eu_x, totals_x = _reporter_records(add, year, groups, revisions, breakdown_codes)
        _total_records(add, year, eu_x, totals_x, coverage)
        if year in customs_totals:
            _china_total_records(add, year, customs_totals[year], last_year, prng)
        written.append(_write_year(out_dir, year, records))
    return written
