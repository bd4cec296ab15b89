"""The mirror fill on the bundled synthetic Comtrade files of the last two years, through
the real ingestion and dbt, against a second computation with pandas on the raw records.

2024 is the synthetic late year: the United Kingdom, India and Thailand sent nothing,
Canada only two codes in three. Their exports are estimated from what the importers report
buying from them (CIF) divided by the CIF/FOB factor; 2023 is complete and fills nothing.
"""

import duckdb
import pandas as pd
import pytest

from orchestration.settings import BUNDLED_DATA_DIR, DBT_PROJECT_DIR
from orchestration.synthetic import comtrade as synth
from tests.comtrade.conftest import build_comtrade_warehouse

YEARS = [2023, 2024]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("mirror")
    files = synth.generate_comtrade(
        data_dir / "generated",
        BUNDLED_DATA_DIR / "reference",
        DBT_PROJECT_DIR / "seeds" / "reference",
        2023,
        2024,
    )
    done = build_comtrade_warehouse(
        data_dir, files, YEARS, "+ind_mic25_export_share +ind_hs6_world_share"
    )
    assert done.returncode == 0, done.stdout[-4000:]
    raw = pd.concat(
        [pd.read_csv(f, sep="\t", dtype=str, compression="gzip") for f in files], ignore_index=True
    )
    return data_dir / "warehouse.duckdb", raw


def _expected_fill(raw: pd.DataFrame, year: int) -> pd.Series:
    """Per exporter: partners' imports from it of the codes it did not export, / 1.06."""
    raw = raw[raw.refYear.astype(int) == year]
    # breakdown rows (second partner, customs procedure, transport mode) repeat totals
    raw = raw[(raw.partner2Code == "0") & (raw.customsCode == "C00") & (raw.motCode == "0")]
    raw = raw.assign(value=raw.primaryValue.astype(float))
    world_x = raw[(raw.flowCode == "X") & (raw.partnerCode == "0")]
    reported = set(zip(world_x.reporterCode.astype(int), world_x.cmdCode, strict=True))
    imports = raw[(raw.flowCode == "M") & (raw.partnerCode != "0") & (raw.cmdCode != "TOTAL")]
    imports = imports.assign(exporter=imports.partnerCode.astype(int))
    missing = [
        (e, c) not in reported for e, c in zip(imports.exporter, imports.cmdCode, strict=True)
    ]
    return imports[missing].groupby("exporter").value.sum() / 1.06


def test_late_year_reporters_are_filled_from_partners_imports(built):
    warehouse, raw = built
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        ours = con.execute(
            "SELECT trade_year, reporter_code, fill_reason, sum(value_usd) AS value, "
            "bool_and(is_mirror) AS mirror FROM intermediate.int_comtrade__mirror_exports "
            "GROUP BY ALL ORDER BY ALL"
        ).df()
    finally:
        con.close()
    assert set(ours.trade_year) == {2024}  # 2023 is complete: nothing to fill
    assert ours.mirror.all()
    reasons = dict(zip(ours.reporter_code, ours.fill_reason, strict=True))
    assert reasons == {
        826: "reporter-year missing",
        699: "reporter-year missing",
        764: "reporter-year missing",
        124: "code missing from a reported year",
    }
    expected = _expected_fill(raw, 2024)
    assert sorted(expected.index) == sorted(reasons)
    for row in ours.itertuples():
        assert row.value == pytest.approx(expected[row.reporter_code], rel=1e-9)


def test_world_share_with_the_fill_adds_the_estimates(built):
    warehouse, _ = built
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        per_code = con.execute(
            "SELECT trade_year, sum(mirror_exports_usd), "
            "sum(world_exports_with_mirror_usd - world_exports_usd), "
            "count(*) FILTER (WHERE china_world_export_share_with_mirror "
            "< china_world_export_share), "
            "count(*) FILTER (WHERE china_world_export_share_with_mirror "
            "!= china_world_export_share) FROM indicators.ind_hs6_world_share "
            "GROUP BY 1 ORDER BY 1"
        ).fetchall()
        filled = con.execute(
            "SELECT sum(value_usd) FROM intermediate.int_comtrade__mirror_exports"
        ).fetchone()[0]
        sectors = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE trade_year = 2024 AND "
            "china_world_export_share_with_mirror < china_world_export_share), "
            "count(*) FILTER (WHERE trade_year = 2023 AND "
            "china_world_export_share_with_mirror != china_world_export_share) "
            "FROM indicators.ind_mic25_export_share"
        ).fetchone()
    finally:
        con.close()
    (y23, m23, d23, lower23, changed23), (y24, m24, d24, lower24, _) = per_code
    assert (y23, m23, d23, lower23, changed23) == (2023, 0, 0, 0, 0)
    assert y24 == 2024 and m24 == pytest.approx(filled) and d24 == pytest.approx(filled)
    assert lower24 > 0  # China's share falls once the missing exporters are counted
    assert sectors[0] > 0 and sectors[1] > 0 and sectors[2] == 0
