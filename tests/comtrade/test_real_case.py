"""The real Comtrade legacy file shipped with the project (HS 848620, 903082, 903141,
every reporter, 2016-2020) through ingestion, conversion and ind_hs6_world_share.

For each of its 15 code-years, China's share of world exports and its import/export
ratio must be exactly what the raw file gives when each reporter's row is read in the
revision it was reported in (H2, H3, H4 or H5, code for code), computed here with plain
pandas from the CSV. The equal split of the old concordance sent a quarter of every
HS2012 903082 into the IC codes 8542.31-39 and gave China's 2016 share as 2.23%.
"""

import duckdb
import pandas as pd
import pytest

from tests.comtrade.conftest import REAL_FILE, build_comtrade_warehouse

AGGREGATES = {0, 97, 975}  # World, EU, ASEAN: groupings of reporters
CODES = ["848620", "903082", "903141"]
YEARS = [2016, 2017, 2018, 2019, 2020]


def _raw_figures() -> pd.DataFrame:
    raw = pd.read_csv(REAL_FILE, dtype=str, keep_default_na=False)
    raw = raw[raw["Trade Flow"].isin(["Import", "Export"]) & (raw["Partner Code"] == "0")]
    raw = raw[~raw["Reporter Code"].astype(int).isin(AGGREGATES)]
    raw = raw.assign(
        value=raw["Trade Value (US$)"].astype(float),
        year=raw["Year"].astype(int),
        code=raw["Commodity Code"].str.zfill(6),
    )
    china = raw["Reporter Code"] == "156"
    exports = raw["Trade Flow"] == "Export"
    out = []
    for (year, code), part in raw.groupby(["year", "code"]):
        c_x = part.loc[china & exports, "value"].sum()
        c_m = part.loc[china & ~exports, "value"].sum()
        world = part.loc[exports, "value"].sum()
        out.append(
            {
                "trade_year": year,
                "hs6": code,
                "share": c_x / world,
                "ratio": c_m / c_x,
                "china_revision": part.loc[china, "Classification"].iloc[0],
            }
        )
    return pd.DataFrame(out)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("real-comtrade")
    done = build_comtrade_warehouse(data_dir, [REAL_FILE], YEARS, "+ind_hs6_world_share")
    assert done.returncode == 0, done.stdout[-4000:]
    return data_dir / "warehouse.duckdb"


def test_every_code_year_matches_the_raw_file(warehouse):
    expected = _raw_figures()
    assert len(expected) == 15
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        ours = con.execute(
            "SELECT trade_year, hs6, china_world_export_share, china_import_export_ratio, "
            "china_hs_revision, hs_conversion, origin FROM indicators.ind_hs6_world_share "
            "ORDER BY hs6, trade_year"
        ).df()
    finally:
        con.close()
    assert sorted(zip(ours.trade_year, ours.hs6, strict=True)) == sorted(
        (y, c) for y in YEARS for c in CODES
    )
    merged = ours.merge(expected, on=["trade_year", "hs6"], validate="one_to_one")
    for row in merged.itertuples():
        assert row.china_world_export_share == pytest.approx(row.share, rel=1e-12), row
        assert row.china_import_export_ratio == pytest.approx(row.ratio, rel=1e-12), row
        assert row.origin == "real"
        revision = {"H4": "HS2012", "H5": "HS2017"}[row.china_revision]
        assert row.china_hs_revision == revision
    # reporters on older revisions (H2, H3) and HS2012 rows were carried one to one
    assert set(merged.hs_conversion) == {"unsd"}


def test_china_2016_903082_is_whole(warehouse):
    """The figure of the issue: 2.31% from the raw file, not 2.23%."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        share = con.execute(
            "SELECT china_world_export_share FROM indicators.ind_hs6_world_share "
            "WHERE hs6 = '903082' AND trade_year = 2016"
        ).fetchall()[0][0]
        in_8542 = con.execute(
            "SELECT count(*) FROM intermediate.int_comtrade__hs6_canonical "
            "WHERE hs6_reported = '903082' AND hs6 LIKE '8542%'"
        ).fetchall()[0][0]
    finally:
        con.close()
    raw = _raw_figures().set_index(["trade_year", "hs6"]).loc[(2016, "903082"), "share"]
    assert share == pytest.approx(raw, rel=1e-12)
    assert round(100 * raw, 2) == 2.31
    assert in_8542 == 0


def test_a_reporter_sent_again_in_another_revision_counts_once(tmp_path):
    """Mexico reported 2017 in H4 (the real file, published 2021-08-16). A later bulk file
    of Mexico 2017 in H5 (2023-01-03) holds the same goods, 848620, with another value:
    world exports count Mexico once, from the newer file, not twice."""
    import csv

    from orchestration.lib.comtrade.records import API_RECORD_FIELDS
    from tests.connectors.fake_servers import comtrade_record

    bulk = tmp_path / "src" / "COMTRADE-FINAL-CA4842017H5[2023-01-03].csv"
    bulk.parent.mkdir()
    with bulk.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=API_RECORD_FIELDS)
        writer.writeheader()
        writer.writerow(comtrade_record(2017, 484, "X", 0, "848620", 12_345_678.0, cl="H5"))
    data_dir = tmp_path / "data"
    done = build_comtrade_warehouse(
        data_dir, [REAL_FILE, bulk], [2017], "+ind_hs6_world_share stg_comtrade__revision_conflicts"
    )
    assert done.returncode == 0, done.stdout[-4000:]

    raw = pd.read_csv(REAL_FILE, dtype=str, keep_default_na=False)
    raw = raw[
        (raw["Year"] == "2017")
        & (raw["Commodity Code"] == "848620")
        & (raw["Trade Flow"] == "Export")
    ]
    mexico = raw["Reporter Code"] == "484"
    assert set(raw.loc[mexico, "Classification"]) == {"H4"}
    others = raw.loc[~mexico, "Trade Value (US$)"].astype(float).sum()

    con = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    try:
        world = con.execute(
            "SELECT world_exports_usd FROM indicators.ind_hs6_world_share "
            "WHERE hs6 = '848620' AND trade_year = 2017"
        ).fetchall()[0][0]
        left_out = con.execute(
            "SELECT hs_revision, n_rows_left_out FROM staging.stg_comtrade__revision_conflicts "
            "WHERE reporter_code = 484 AND n_rows_left_out > 0"
        ).fetchall()
    finally:
        con.close()
    assert world == pytest.approx(others + 12_345_678.0, rel=1e-12)
    assert ("HS2012", 1) in left_out


def test_real_file_has_nothing_to_mirror(warehouse):
    """The legacy file holds partner World only: no partner reports imports from anyone,
    so nothing is filled and the shares with the fill are the shares as reported."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        filled = con.execute(
            "SELECT count(*) FROM intermediate.int_comtrade__mirror_exports"
        ).fetchone()[0]
        differ = con.execute(
            "SELECT count(*) FROM indicators.ind_hs6_world_share WHERE "
            "china_world_export_share_with_mirror IS DISTINCT FROM china_world_export_share "
            "OR mirror_exports_usd != 0"
        ).fetchone()[0]
    finally:
        con.close()
    assert filled == 0 and differ == 0
