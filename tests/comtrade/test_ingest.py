"""Ingestion of Comtrade records that arrive more than once (two downloads, a file and
the API): the same record counts once, a newer vintage replaces an older one, and the
same record with another value and no newer vintage is refused with both files named
(it used to be settled by whichever row the engine read first)."""

import csv
import json

import duckdb
import pandas as pd
import pytest

from orchestration.defs.comtrade.assets import ConflictingRecords, ingest
from orchestration.lib.comtrade.records import API_RECORD_FIELDS
from orchestration.settings import Settings
from tests.connectors.fake_servers import comtrade_record


def _json(path, records):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"data": records}))


def _bulk_csv(path, records):
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=API_RECORD_FIELDS)
        writer.writeheader()
        writer.writerows(records)


def _rows(tmp_path) -> pd.DataFrame:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    try:
        ingest(con, Settings(data_dir=tmp_path), [2021])
        return con.execute(
            "SELECT reporter_code, hs6, primary_value_usd, vintage "
            "FROM raw.comtrade_annual_flows ORDER BY ALL"
        ).df()
    finally:
        con.close()


def test_the_same_record_twice_counts_once(tmp_path):
    records = [
        comtrade_record(2021, 156, "X", 0, "854231", 250.0),
        comtrade_record(2021, 156, "M", 0, "854231", 1000.0),
    ]
    landing = tmp_path / "landing" / "comtrade"
    _json(landing / "download_a.json", records)
    _bulk_csv(landing / "download_b.csv", records)
    rows = _rows(tmp_path)
    assert sorted(rows.primary_value_usd) == [250.0, 1000.0]


def test_a_newer_vintage_replaces_the_older(tmp_path):
    landing = tmp_path / "landing" / "comtrade"
    _json(
        landing / "comtrade_156_2021[2022-06-01].json",
        [comtrade_record(2021, 156, "X", 0, "854231", 250.0)],
    )
    _bulk_csv(
        landing / "comtrade_156_2021[2023-06-01].csv",
        [comtrade_record(2021, 156, "X", 0, "854231", 260.0)],
    )
    rows = _rows(tmp_path)
    assert rows.primary_value_usd.tolist() == [260.0]
    assert rows.vintage.tolist() == ["2023-06-01"]


def test_two_values_of_one_record_without_a_newer_vintage_are_refused(tmp_path):
    landing = tmp_path / "landing" / "comtrade"
    _json(landing / "first.json", [comtrade_record(2021, 156, "X", 0, "854231", 250.0)])
    _bulk_csv(landing / "second.csv", [comtrade_record(2021, 156, "X", 0, "854231", 251.0)])
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    try:
        with pytest.raises(ConflictingRecords) as err:
            ingest(con, Settings(data_dir=tmp_path), [2021])
        # nothing was written
        assert con.execute("SELECT count(*) FROM raw.comtrade_annual_flows").fetchall() == [(0,)]
    finally:
        con.close()
    message = str(err.value)
    assert "first.json" in message and "second.csv" in message
    assert "250.0" in message and "251.0" in message and "854231" in message
