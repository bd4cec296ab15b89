"""Write, audit, publish on an ingested source: a bad input leaves the published table
exactly as it was, the check result names the rule and the row, and a corrected input
then loads."""

import shutil

import dagster as dg
import duckdb
import pytest

from orchestration.defs.gdp.assets import GDP_KEY, WEO_FILE, gdp_annual
from orchestration.defs.resources import WarehouseResource
from orchestration.settings import BUNDLED_DATA_DIR


def _materialize(warehouse, year: str):
    return dg.materialize(
        [gdp_annual],
        partition_key=year,
        raise_on_error=False,
        resources={"warehouse": WarehouseResource(path=str(warehouse))},
        instance=dg.DagsterInstance.ephemeral(),
    )


def _rows(warehouse) -> list:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute("SELECT * FROM raw.gdp_annual ORDER BY ALL").fetchall()
    finally:
        con.close()


@pytest.fixture
def own_reference(tmp_path, monkeypatch):
    """A data folder with its own copy of the WEO file, which a test may corrupt."""
    target = tmp_path / "reference" / WEO_FILE
    target.parent.mkdir(parents=True)
    shutil.copyfile(BUNDLED_DATA_DIR / "reference" / WEO_FILE, target)
    monkeypatch.setenv("CHOKEPOINT_DATA_DIR", str(tmp_path))
    return tmp_path, target


def test_a_refused_audit_publishes_nothing_and_says_why(own_reference):
    data_dir, weo = own_reference
    warehouse = data_dir / "chokepoint.duckdb"
    good = _materialize(warehouse, "2019")
    assert good.success
    before = _rows(warehouse)
    assert before

    original = weo.read_text()
    # China's 2019 GDP in USD turned negative: the parser takes it, the suite must not
    lines = [
        line.replace(",NGDPD,2019,", ",NGDPD,2019,-") if ",CHN," in line else line
        for line in original.splitlines()
    ]
    weo.write_text("\n".join(lines) + "\n")
    bad = _materialize(warehouse, "2019")
    assert not bad.success
    assert _rows(warehouse) == before  # the published table is exactly as it was
    [evaluation] = bad.get_asset_check_evaluations()
    assert evaluation.asset_key == GDP_KEY and not evaluation.passed
    assert evaluation.severity == dg.AssetCheckSeverity.ERROR
    assert evaluation.description.startswith("gdp_usd >= 0: 1 of ")
    offending = evaluation.metadata["failed_1"].value
    assert "CHN" in offending and "2019" in offending

    weo.write_text(original)
    again = _materialize(warehouse, "2019")
    assert again.success and _rows(warehouse) == before
    assert all(e.passed for e in again.get_asset_check_evaluations())
