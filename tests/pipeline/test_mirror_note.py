"""The run report says what the mirror fill estimated (orchestration.runner)."""

import duckdb

from orchestration.runner import _mirror_notes


def test_run_report_names_the_filled_reporters_per_year_and_reason():
    con = duckdb.connect()
    con.execute("CREATE SCHEMA intermediate")
    con.execute(
        "CREATE TABLE intermediate.int_comtrade__mirror_exports AS SELECT * FROM (VALUES "
        "(2024, 826, 'GBR', 'reporter-year missing', 2.0e9), "
        "(2024, 826, 'GBR', 'reporter-year missing', 1.5e9), "
        "(2024, 699, 'IND', 'reporter-year missing', 0.5e9), "
        "(2024, 410, 'KOR', 'code missing from a reported year', 1.0e9)) "
        "AS t(trade_year, reporter_code, reporter_iso3, fill_reason, value_usd)"
    )
    notes = _mirror_notes(con)
    assert notes == [
        "mirror fill 2024: 1 reporters (KOR), code missing from a reported year: 1 code "
        "values, USD 1.0 bn estimated from partners' imports (is_mirror)",
        "mirror fill 2024: 2 reporters (GBR, IND), reporter-year missing: 3 code values, "
        "USD 4.0 bn estimated from partners' imports (is_mirror)",
    ]


def test_no_fill_no_note():
    con = duckdb.connect()
    con.execute("CREATE SCHEMA intermediate")
    con.execute(
        "CREATE TABLE intermediate.int_comtrade__mirror_exports (trade_year INTEGER, "
        "reporter_code INTEGER, reporter_iso3 VARCHAR, fill_reason VARCHAR, "
        "value_usd DOUBLE)"
    )
    assert _mirror_notes(con) == []
