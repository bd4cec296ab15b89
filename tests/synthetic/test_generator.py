"""The bundled synthetic customs files: every path of the method occurs, the awkward shapes
of real downloads are there, magnitudes are of the right order, and nothing depends on a
published figure. Judged from the files alone by the second computation (tests/independent)."""

from __future__ import annotations

import csv
import hashlib
from collections import defaultdict
from pathlib import Path

import pytest

from orchestration.lib.months import months_between
from orchestration.synthetic import customs as generator
from tests.independent import G_THRESHOLD, V_HIGH, V_LOW, _rows, group_series, indices

REPO = Path(__file__).resolve().parents[2]
REFERENCE = REPO / "data" / "reference"
CELLS = {
    ("stockpiling or policy disturbance", "high"),
    ("no discernable effect", "medium"),
    ("no discernable effect", "low"),
    ("successful import substitution", "high"),
    ("successful import substitution", "medium"),
    ("successful import substitution", "low"),
}


@pytest.fixture(scope="module")
def bundled(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("synthetic-customs")
    generator.generate_customs(out, REFERENCE)
    return out


def _borderline(r: dict) -> bool:
    return r["g"] is not None and (
        abs(r["g"] - G_THRESHOLD) < 0.01
        or abs(r["v"] - V_HIGH) < 0.01
        or abs(r["v"] - V_LOW) < 0.01
    )


def test_every_path_of_the_method_occurs_over_the_whole_record(bundled):
    months = months_between("2015-01", "2025-12")
    results = {k: indices(s) for k, s in group_series(bundled, months).items()}
    batch1 = [r for (batch, _), r in results.items() if batch == 1]
    assert {(r["pattern"], r["tier"]) for r in batch1} >= CELLS
    assert any(_borderline(r) for r in batch1)
    assert any(r["g"] is None for r in batch1)  # the new line's zero base
    assert any(r["missing"] for r in batch1)  # the gap month
    # a batch of other codes of the same groups is not a copy of batch 1
    for (batch, group), r in results.items():
        if batch == 2 and (1, group) in results:
            assert r["v"] != pytest.approx(results[(1, group)]["v"], rel=1e-3), group


def _import_files(folder: Path) -> dict[int, list[Path]]:
    out: dict[int, list[Path]] = defaultdict(list)
    for p in sorted(folder.glob("*_import*.csv")):
        out[int(p.name.split("_")[2])].append(p)
    return out


def test_files_have_the_awkward_shapes_of_real_downloads(bundled):
    files = _import_files(bundled)
    assert all(len(v) >= 3 for v in files.values())  # partial files every year
    parts = {
        p.name: {(r["period"], r.get("partner"), r["hs8"]): r for r in _rows(p)}
        for p in bundled.glob("*_import_part*.csv")
    }
    y19 = [parts[f"gacc_synthetic_2019_import_part{i}.csv"] for i in (1, 2, 3)]
    shared = set(y19[0]) & set(y19[1])
    assert shared and all(y19[0][k] == y19[1][k] for k in shared)  # identical overlap
    assert not set(y19[0]) & set(y19[2])  # disjoint otherwise
    commodity = list(_rows(bundled / "gacc_synthetic_2019_import_commodity.csv"))
    assert commodity and "partner" not in commodity[0]
    revised = {
        (r["period"], r["partner"], r["hs8"]): r["cny"]
        for r in _rows(bundled / "gacc_synthetic_2018_import_revised.csv")
    }
    earlier = {k: r["cny"] for n, rows in parts.items() if "2018" in n for k, r in rows.items()}
    assert revised and all(k in earlier and earlier[k] != v for k, v in revised.items())
    with (REPO / "dbt_project" / "seeds" / "reference" / "ref_gacc_partners.csv").open(
        encoding="utf-8"
    ) as fh:
        known = {r["gacc_code"] for r in csv.DictReader(fh)}
    partners = {k[1] for rows in parts.values() for k in rows}
    assert partners - known  # unknown partner codes
    heads = {p.name: p.read_bytes()[:40] for p in bundled.glob("*.csv")}
    assert heads["gacc_synthetic_2019_import_part1.csv"].decode("gb18030").startswith('"数据年月"')
    assert (
        heads["gacc_synthetic_2023_import_part1.csv"].decode("utf-8").startswith('"Date of data"')
    )
    assert "cny" in next(_rows(files[2019][0])) and "usd" in next(_rows(files[2020][0]))
    # HS8 lines renumbered at 2017: the old IC lines stop, the new ones start
    codes_by_year = defaultdict(set)
    for name, rows in parts.items():
        codes_by_year[int(name.split("_")[2])] |= {k[2] for k in rows}
    assert "85423100" in codes_by_year[2016] and "85423100" not in codes_by_year[2017]
    assert "85423190" in codes_by_year[2017] and "85423190" not in codes_by_year[2016]


def test_yearly_totals_are_of_the_real_order(bundled):
    """China's imports of all goods are 1.5-2.8 trillion USD a year in every year."""
    rate = {}
    with (REFERENCE / "fx" / "fred_monthly.csv").open(encoding="utf-8") as fh:
        rate = {
            r["Date"][:7]: float(r["Exchange rate"])
            for r in csv.DictReader(fh)
            if r["Country"] == "China"
        }
    totals: dict[int, float] = defaultdict(float)
    for p in bundled.glob("*_import_part*.csv"):
        seen = set()
        for r in _rows(p):
            key = (r["period"], r["partner"], r["hs8"])
            if key in seen:
                continue
            seen.add(key)
            month = f"{r['period'][:4]}-{r['period'][4:]}"
            value = float((r.get("usd") or r["cny"]).replace(",", ""))
            totals[int(month[:4])] += value if "usd" in r else value / rate[month]
    assert set(totals) == set(range(2015, 2026))
    assert all(1.5e12 < v < 2.8e12 for v in totals.values()), totals


def test_the_generator_reads_no_published_figure():
    for path in (REPO / "orchestration" / "synthetic").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for word in ("ref_published", "published_figures", "seed 000", "method.md section 4"):
            assert word not in text, (path.name, word)


def test_the_same_seed_writes_the_same_bytes(tmp_path):
    def digest(folder: Path) -> dict[str, str]:
        generator.generate_customs(folder, REFERENCE, start="2018-01", end="2019-12")
        return {
            p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())
        }

    assert digest(tmp_path / "a") == digest(tmp_path / "b")
