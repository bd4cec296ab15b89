"""GDP (IMF WEO file, World Bank API on a local fake) and FRED exchange rates."""

import csv
from pathlib import Path

import pytest

from orchestration.lib.gdp.sources import (
    GDP_COLUMNS,
    fetch_worldbank_gdp,
    read_fred_fx_annual,
    read_fred_fx_monthly,
    read_weo_gdp,
)
from tests.connectors.fake_servers import FakeServer, Response, worldbank_handler

REPO = Path(__file__).resolve().parents[2]
WEO = REPO / "data" / "reference" / "gdp" / "weo_2025oct_all_countries_ngdpd_ngdp.csv"
FRED_M = REPO / "data" / "reference" / "fx" / "fred_monthly.csv"
FRED_A = REPO / "data" / "reference" / "fx" / "fred_annual.csv"


@pytest.fixture(scope="module")
def weo():
    return read_weo_gdp(WEO)


def _file_value(path, **match):
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if all(row[k] == v for k, v in match.items()):
                return row
    raise AssertionError(match)


def test_weo_china_2024_matches_the_file(weo):
    row = _file_value(WEO, ref_area="CHN", concept="NGDPD", year="2024")
    assert row["scale"] == "9.0" and row["unit"] == "USD" and row["lastactualdate"] == "2024"
    china = weo[(weo.iso3 == "CHN") & (weo.year == 2024)].iloc[0]
    assert china.gdp_usd == pytest.approx(float(row["value"]) * 1e9)
    assert china.gdp_usd == pytest.approx(18_749.759e9)  # USD, not billions
    assert not china.is_estimate and china.source == "imf_weo" and china.vintage == "2025-10"


def test_weo_estimates_groups_and_codes(weo):
    assert list(weo.columns) == GDP_COLUMNS
    chn = weo[weo.iso3 == "CHN"].set_index("year")
    assert chn.loc[2025, "is_estimate"] and not chn.loc[2015, "is_estimate"]
    assert weo["iso3"].str.fullmatch(r"[A-Z]{3}").all()  # G001, GX123 ... dropped
    assert {"XKX", "PSE"} <= set(weo.iso3) and not {"KOS", "WBG"} & set(weo.iso3)
    assert not weo.duplicated(["iso3", "year"]).any()
    ind = weo[weo.iso3 == "IND"].set_index("year")  # last actual FY2024/25 = CY2024
    assert not ind.loc[2024, "is_estimate"] and ind.loc[2025, "is_estimate"]


def test_weo_bad_file(tmp_path):
    bad = tmp_path / "weo.csv"
    bad.write_text("ref_area,concept,year,value\nCHN,NGDPD,2024,1\n")
    with pytest.raises(ValueError, match="missing from the header"):
        read_weo_gdp(bad)
    bad.write_text(
        "unit,base_year,ref_area,freq,lastactualdate,scale,notes,concept,year,value\n"
        "USD,,CHN,A,2024,9.0,,NGDPD,2024,lots\n"
    )
    with pytest.raises(ValueError, match="line 2, field 'value'"):
        read_weo_gdp(bad)


def test_fred_monthly_and_annual():
    monthly = read_fred_fx_monthly(FRED_M)
    assert list(monthly.columns) == ["month", "country", "cny_per_usd"]
    assert set(monthly.country) == {"China"} and not monthly.month.duplicated().any()
    row = _file_value(FRED_M, Date="2024-01-01", Country="China")
    got = monthly.set_index("month").loc["2024-01", "cny_per_usd"]
    assert got == pytest.approx(float(row["Exchange rate"]))
    annual = read_fred_fx_annual(FRED_A)
    assert annual.set_index("year").loc[2024, "cny_per_usd"] == pytest.approx(7.1957)
    # the annual rate is close to the mean of the monthly rates
    mean_2024 = monthly[monthly.month.str.startswith("2024")].cny_per_usd.mean()
    assert mean_2024 == pytest.approx(7.1957, abs=0.01)


def test_fred_bad_file(tmp_path):
    bad = tmp_path / "fx.csv"
    bad.write_text("Date,Country,Exchange rate\n2024-01-01,China,seven\n")
    with pytest.raises(ValueError, match="line 2, field 'Exchange rate'"):
        read_fred_fx_monthly(bad)


WB_ROWS = [
    {
        "indicator": {"id": "NY.GDP.MKTP.CD", "value": "GDP (current US$)"},
        "country": {"id": "CN", "value": "China"},
        "countryiso3code": "CHN",
        "date": "2023",
        "value": 1.8e13,
        "unit": "",
        "obs_status": "",
        "decimal": 0,
    },
    {
        "indicator": {"id": "NY.GDP.MKTP.CD", "value": "GDP (current US$)"},
        "country": {"id": "CN", "value": "China"},
        "countryiso3code": "CHN",
        "date": "2022",
        "value": 1.75e13,
        "unit": "",
        "obs_status": "",
        "decimal": 0,
    },
    {
        "indicator": {"id": "NY.GDP.MKTP.CD", "value": "GDP (current US$)"},
        "country": {"id": "US", "value": "United States"},
        "countryiso3code": "USA",
        "date": "2023",
        "value": None,
        "unit": "",
        "obs_status": "",
        "decimal": 0,
    },
]
WB_PATH = "/country/CHN;USA/indicator/NY.GDP.MKTP.CD"


def test_worldbank_paging_vintage_and_retry():
    with FakeServer() as server:
        server.route(WB_PATH, worldbank_handler(WB_ROWS, "2025-07-01", per_page_cap=2))
        server.script(WB_PATH, Response(500, "oops"))
        df = fetch_worldbank_gdp(["usa", "CHN"], [2022, 2023], base_url=server.url, backoff_s=0)
        assert list(df.columns) == GDP_COLUMNS
        assert df[["year", "iso3", "gdp_usd"]].values.tolist() == [
            [2022, "CHN", 1.75e13],
            [2023, "CHN", 1.8e13],
        ]  # USA null left out
        assert set(df.vintage) == {"2025-07-01"} and set(df.source) == {"worldbank"}
        pages = sorted(r.query["page"] for r in server.requests)
        assert pages == ["1", "1", "2"]  # a 500, then two pages
        assert server.requests[-1].query["date"] == "2022:2023"


def test_worldbank_error_message():
    with FakeServer() as server:
        server.route(
            "/country/all/indicator/NY.GDP.MKTP.CD",
            lambda req: Response(200, [{"message": [{"id": "120", "key": "Invalid value"}]}]),
        )
        with pytest.raises(ValueError, match="Invalid value"):
            fetch_worldbank_gdp(None, [2023], base_url=server.url, backoff_s=0)


def test_weo_file_account_adds_up(tmp_path):
    """Seven rows: two GDP-in-USD rows of China in the window, one of 2014 outside it, an
    IMF group (G110), two other concepts (PPPGDP, NGDP) and a blank value."""
    from orchestration.defs.gdp.assets import gdp_account

    path = tmp_path / "weo_2025oct_test.csv"
    path.write_text(
        "unit,base_year,ref_area,freq,lastactualdate,scale,notes,concept,year,value\n"
        "USD,,CHN,A,2024,9.0,,NGDPD,2014,10475.0\n"
        "USD,,CHN,A,2024,9.0,,NGDPD,2015,11113.0\n"
        "USD,,CHN,A,2024,9.0,,NGDPD,2016,11227.0\n"
        "USD,,G110,A,,9.0,,NGDPD,2015,50000.0\n"
        "na,,CHN,A,2024,9.0,,PPPGDP,2015,19000.0\n"
        "XDC,2015,CHN,A,2024,9.0,,NGDP,2015,68000.0\n"
        "USD,,USA,A,2024,9.0,,NGDPD,2015,\n"
    )
    tally: dict[str, int] = {}
    df = read_weo_gdp(path, tally=tally)
    account = gdp_account(path.name, df, [2015, 2016], tally)
    assert (account.rows_read, account.rows_stored) == (7, 2)
    assert account.set_aside == {
        "other_series": 2,
        "other_level": 1,
        "no_value": 1,
        "outside_window": 1,
    }
    assert account.adds_up and account.warning() is None
    # a run of 2030 only: of the three GDP rows, 2015 and 2016 are outside this run's
    # window (a run of their years uses them) and 2014 is before the analysis starts
    none_stored = gdp_account(path.name, df, [2030], tally)
    assert none_stored.rows_stored == 0 and none_stored.adds_up
    assert (none_stored.set_aside["other_run_window"], none_stored.set_aside["outside_window"]) == (
        2,
        1,
    )
    # tied at 2 with other series, the reason listed first is named
    assert none_stored.warning() == (
        "gdp file weo_2025oct_test.csv: nothing stored of 7 rows; main reason: other "
        "series (another WEO concept than GDP in USD)"
    )
    only_window = gdp_account(path.name, df[df["year"] >= 2015], [2030], {"read": 2})
    assert only_window.set_aside == {"other_run_window": 2}
    assert only_window.warning() is None
