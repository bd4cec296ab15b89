"""The bundled synthetic Comtrade shapes through the real ingestion and dbt, against a
second computation in plain Python on the raw records (tests/independent.py).

2016 holds HS2012 reporters beside one on HS2007 and one on HS2002; 2017 holds the new
HS2017 beside late HS2012 reporters; 2022 the split codes of HS2022. Every year holds the
EU (an aggregate of its members, in the same file), breakdown rows and a TOTAL record per
reporter: breakdowns must be dropped, the EU left out of world totals, and nothing else.
"""

from collections import defaultdict

import duckdb
import pytest

from orchestration.settings import BUNDLED_DATA_DIR, DBT_PROJECT_DIR
from orchestration.synthetic import comtrade as synth
from tests.comtrade.conftest import build_comtrade_warehouse
from tests.independent import (
    aggregate_reporters,
    comtrade_kept,
    comtrade_records,
    hs2017_of_hs2022,
)

YEARS = [2016, 2017, 2022]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("shapes")
    every = synth.generate_comtrade(
        data_dir / "generated",
        BUNDLED_DATA_DIR / "reference",
        DBT_PROJECT_DIR / "seeds" / "reference",
    )
    files = [p for p in every if int(p.name.split("_")[-1][:4]) in YEARS]
    done = build_comtrade_warehouse(
        data_dir, files, YEARS, "+ind_mic25_export_share +ind_hs6_world_share"
    )
    assert done.returncode == 0, done.stdout[-4000:]
    return data_dir / "warehouse.duckdb", comtrade_records(files)


def _query(warehouse, sql):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _world_exports(records):
    """(year, reporter) -> [(code, value)] of exports to World, breakdowns dropped."""
    out = defaultdict(list)
    for r in comtrade_kept(records):
        if (r["flowCode"], r["partnerCode"]) == ("X", "0"):
            out[(int(r["refYear"]), int(r["reporterCode"]))].append(
                (r["cmdCode"], float(r["primaryValue"]))
            )
    return out


def test_stored_records_are_the_totals_and_nothing_else(built):
    warehouse, records = built
    kept = comtrade_kept(records)
    assert len(kept) < len(records)  # there were breakdowns to drop
    want = sorted(
        (
            int(r["refYear"]),
            int(r["reporterCode"]),
            int(r["partnerCode"]),
            r["flowCode"],
            r["cmdCode"],
            float(r["primaryValue"]),
        )
        for r in kept
    )
    got = _query(
        warehouse,
        "SELECT year, reporter_code, partner_code, "
        "CASE flow WHEN 'import' THEN 'M' ELSE 'X' END, hs6, primary_value_usd "
        "FROM raw.comtrade_annual_flows ORDER BY ALL",
    )
    assert got == want


def test_world_exports_leave_the_aggregate_out_and_keep_every_revision(built):
    """Per year, world exports over all codes are the sum of every non-aggregate
    reporter's six-digit exports, whatever revision it reported in (the conversion moves
    value between codes, never creates or loses it)."""
    warehouse, records = built
    aggregates = aggregate_reporters()
    world = defaultdict(float)
    eu = defaultdict(float)
    for (year, reporter), rows in _world_exports(records).items():
        six = sum(v for c, v in rows if c != "TOTAL")
        (eu if reporter in aggregates else world)[year] += six
    assert all(eu[y] > 0.2 * world[y] for y in YEARS)  # counting the EU would show
    got = dict(
        _query(
            warehouse,
            "SELECT trade_year, sum(world_exports_usd) "
            "FROM indicators.ind_hs6_world_share GROUP BY 1",
        )
    )
    assert set(got) == set(YEARS)
    for year in YEARS:
        assert got[year] == pytest.approx(world[year], rel=1e-12), year
    revisions = dict(
        _query(
            warehouse,
            "SELECT trade_year, string_agg(DISTINCT "
            "hs_revision, ',' ORDER BY hs_revision) FROM "
            "staging.stg_comtrade__annual_flows GROUP BY 1",
        )
    )
    assert revisions[2016] == "HS2002,HS2007,HS2012"


def test_split_codes_of_2022_add_up_in_hs2017(built):
    """2022: world and China's exports per HS2017 code are the HS2022 codes summed onto
    their HS2017 code by the UNSD table (corrected), computed here from the rows."""
    warehouse, records = built
    parent = hs2017_of_hs2022()
    aggregates = aggregate_reporters()
    world, china = defaultdict(float), defaultdict(float)
    for (year, reporter), rows in _world_exports(records).items():
        if year != 2022 or reporter in aggregates:
            continue
        for code, value in rows:
            if code != "TOTAL":
                world[parent.get(code, code)] += value
                if reporter == 156:
                    china[parent.get(code, code)] += value
    got = {
        hs6: (w, c)
        for hs6, w, c in _query(
            warehouse,
            "SELECT hs6, world_exports_usd, china_exports_usd FROM "
            "indicators.ind_hs6_world_share WHERE trade_year = 2022",
        )
    }
    assert set(got) == set(world)
    for code, value in world.items():
        assert got[code] == pytest.approx((value, china[code]), rel=1e-12), code


def test_all_goods_share_from_every_reporters_total(built):
    """China's share of world exports of all goods: its TOTAL record over the sum of every
    non-aggregate reporter's TOTAL record."""
    warehouse, records = built
    aggregates = aggregate_reporters()
    got = dict(
        _query(
            warehouse,
            "SELECT DISTINCT trade_year, all_goods_china_share "
            "FROM indicators.ind_mic25_export_share",
        )
    )
    for year in YEARS:
        totals = {
            reporter: v
            for (y, reporter), rows in _world_exports(records).items()
            if y == year and reporter not in aggregates
            for c, v in rows
            if c == "TOTAL"
        }
        assert got[year] == pytest.approx(totals[156] / sum(totals.values()), rel=1e-12)
