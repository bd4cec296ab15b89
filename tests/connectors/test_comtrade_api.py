"""ComtradeConnector against a local fake Comtrade API (no network)."""

import gzip
import inspect
import logging

import comtradeapicall
import pandas as pd
import pytest

from orchestration.lib.comtrade import api as api_mod
from orchestration.lib.comtrade.api import (
    KEY_ENV,
    ComtradeAuthError,
    ComtradeConnector,
    ComtradeError,
    ComtradeRequestFailed,
    MissingApiKey,
    NotAvailable,
    SubQuery,
    call_official_client,
    indicator_queries,
)
from orchestration.lib.comtrade.records import COLUMNS, KEY
from tests.connectors.fake_servers import (
    AVAIL,
    DATA,
    FakeComtrade,
    FakeServer,
    Response,
    comtrade_record,
)

KEY_VALUE = "test-key-SECRET-123"
CODES = ["854231", "854232", "848620"]


@pytest.fixture
def server():
    with FakeServer() as srv:
        yield srv


@pytest.fixture
def fake(server):
    fc = FakeComtrade(server, key=KEY_VALUE)
    year = 2022
    for reporter in (156, 842, 392, 276, 97):
        fc.publish(reporter, year, "2024-07-01" if reporter != 156 else "2024-06-30")
        for i, code in enumerate(CODES):
            base = 1_000_000.0 * (i + 1) + reporter
            fc.add(comtrade_record(year, reporter, "X", 0, code, base))
            fc.add(comtrade_record(year, reporter, "M", 0, code, base * 2))
        fc.add(comtrade_record(year, reporter, "X", 0, "TOTAL", 9e9 + reporter))
    # Breakdowns, other flows and levels that must not be counted.
    fc.add(comtrade_record(year, 156, "M", 0, "854231", 5.0, partner2=392))
    fc.add(comtrade_record(year, 156, "M", 0, "854231", 6.0, customs="C01"))
    fc.add(comtrade_record(year, 156, "M", 0, "854231", 7.0, mot=1000))
    fc.add(comtrade_record(year, 156, "RX", 0, "854231", 8.0))
    fc.add(comtrade_record(year, 156, "M", 0, "8542", 9.0))
    # China's imports by partner.
    fc.add(comtrade_record(year, 156, "M", 392, "854231", 400_000.0))
    fc.add(comtrade_record(year, 156, "M", 410, "854231", 600_000.0))
    # Partner-level records: exports to China, and imports from Korea (410), which has
    # not published 2022, for the mirror fill.
    fc.add(comtrade_record(year, 842, "X", 156, "854231", 250_000.0))
    fc.add(comtrade_record(year, 392, "X", 156, "854231", 380_000.0))
    fc.add(comtrade_record(year, 392, "X", 156, "TOTAL", 1.5e8))
    fc.add(comtrade_record(year, 842, "M", 410, "854231", 90_000.0))
    fc.add(comtrade_record(year, 276, "M", 410, "854231", 30_000.0))
    fc.add(comtrade_record(year, 842, "M", 410, "854231", 1.0, customs="C01"))
    return fc


def make(server, tmp_path, **kw):
    kw.setdefault("api_key", KEY_VALUE)
    kw.setdefault("backoff_s", 0.0)
    kw.setdefault("max_retries", 3)
    return ComtradeConnector(tmp_path / "cache", base_url=server.url, **kw)


def china(conn, **kw):
    args = {
        "reporter_codes": [156],
        "partner_codes": [0],
        "flow_codes": ["M", "X"],
        "cmd_codes": CODES,
    }
    args.update(kw)
    return conn.fetch(2022, **args)


def test_fetch_normalizes_and_filters(server, fake, tmp_path):
    df = china(make(server, tmp_path))
    assert list(df.columns) == COLUMNS
    assert len(df) == 6  # 3 codes x 2 flows; breakdowns, RX and HS4 dropped
    assert set(df["flow"]) == {"import", "export"}
    assert set(df["hs6"]) == set(CODES)
    assert set(df["vintage"]) == {"2024-06-30"}
    assert set(df["hs_revision"]) == {"HS2017"}
    assert set(df["source"]) == {"api"} and set(df["origin"]) == {"real"}
    m = df[(df.flow == "import") & (df.hs6 == "854231")]
    assert m["primary_value_usd"].tolist() == [2 * (1_000_000.0 + 156)]
    assert m["partner_iso3"].tolist() == ["W00"]


def test_429_then_success(server, fake, tmp_path):
    server.script(
        DATA,
        Response(
            429,
            {"statusCode": 429, "message": "Rate limit is exceeded. Try again in 1 seconds."},
            {"Retry-After": "2"},
        ),
    )
    waits = []
    conn = make(server, tmp_path, sleep=waits.append)
    df = china(conn)
    assert len(df) == 6
    assert server.count(DATA) == 2
    assert waits == [2.0]  # the Retry-After header wins over backoff_s=0


def test_500_then_success(server, fake, tmp_path):
    server.script(DATA, Response(500, "internal error"), Response(503, "busy"))
    conn = make(server, tmp_path)
    assert len(china(conn)) == 6
    assert server.count(DATA) == 3


def test_malformed_json_then_success(server, fake, tmp_path):
    server.script(DATA, Response(200, '{"elapsedTime": "0.1", "data": [{"refYear": 20'))
    assert len(china(make(server, tmp_path))) == 6
    assert server.count(DATA) == 2


@pytest.mark.parametrize("declared", [True, False])
def test_truncated_gzip_then_success(server, fake, tmp_path, declared):
    body = gzip.compress(b'{"count": 1, "data": [' + b'{"refYear": 2022},' * 200 + b"{}]}")
    if declared:
        bad = Response(200, body[:60], {"Content-Encoding": "gzip"})
    else:
        bad = Response(200, body[:60], {"Content-Type": "application/gzip"})
    server.script(DATA, bad)
    assert len(china(make(server, tmp_path))) == 6
    assert server.count(DATA) == 2


def test_retries_exhausted_raise_and_cache_nothing(server, fake, tmp_path):
    server.script(DATA, *[Response(502, "bad gateway")] * 4)
    conn = make(server, tmp_path, max_retries=3)
    with pytest.raises(ComtradeRequestFailed, match="4 attempts"):
        china(conn)
    assert not list((tmp_path / "cache").glob("data-*"))
    assert not list((tmp_path / "cache").glob(".*tmp"))


def test_empty_result_is_an_empty_frame(server, fake, tmp_path):
    df = china(make(server, tmp_path), cmd_codes=["999999"])
    assert isinstance(df, pd.DataFrame) and df.empty
    assert list(df.columns) == COLUMNS


def test_unpublished_year_is_not_available(server, fake, tmp_path):
    conn = make(server, tmp_path)
    result = conn.fetch(
        2025, reporter_codes=[156], partner_codes=[0], flow_codes=["M"], cmd_codes=CODES
    )
    assert isinstance(result, NotAvailable)
    assert result.year == 2025 and "2025" in str(result)
    assert server.count(DATA) == 0  # no data call, no zeros
    assert conn.available_years(156, [2022, 2025]) == {2022: "2024-06-30", 2025: None}
    every = conn.fetch(2025, reporter_codes=None, cmd_codes=["AG6"])
    assert isinstance(every, NotAvailable)


def test_partly_published_reporters(server, fake, tmp_path):
    df = make(server, tmp_path).fetch(
        2022, reporter_codes=[156, 4], partner_codes=[0], flow_codes=["X"], cmd_codes=CODES
    )
    assert set(df["reporter_code"]) == {156}
    assert df.attrs["not_available"] == [4]


def test_cache_hit_costs_no_calls(server, fake, tmp_path):
    first = china(make(server, tmp_path))
    calls = server.count()
    assert calls == 2  # availability + one data call
    again = china(make(server, tmp_path))  # a new connector on the same cache
    assert server.count() == calls
    pd.testing.assert_frame_equal(first, again)
    files = list((tmp_path / "cache").glob("*.json.gz"))
    assert len(files) == 2 and all(gzip.decompress(f.read_bytes()) for f in files)


def test_corrupt_cache_file_is_fetched_again(server, fake, tmp_path):
    china(make(server, tmp_path))
    for path in (tmp_path / "cache").glob("data-*"):
        path.write_bytes(path.read_bytes()[:20])
    assert len(china(make(server, tmp_path))) == 6
    assert server.count(DATA) == 2


def test_new_release_is_fetched_again(server, fake, tmp_path):
    china(make(server, tmp_path, availability_ttl_s=0))
    fake.publish(156, 2022, "2025-01-15")
    df = china(make(server, tmp_path, availability_ttl_s=0))
    assert set(df["vintage"]) == {"2025-01-15"}
    assert server.count(DATA) == 2


def test_resume_after_interruption(server, fake, tmp_path):
    args = {"reporter_codes": None, "partner_codes": [0], "flow_codes": ["X"], "cmd_codes": CODES}
    # 10 records a call: 2 reporters (6 records) per call, 4 reporters -> 2 calls.
    conn = make(server, tmp_path, max_records=10, max_retries=1)
    assert len(conn.plan(2022, [156, 276, 392, 842], [0], ["X"], CODES)) == 2
    server.script(
        DATA,
        Response(500, "down"),
        Response(500, "down"),
        when=lambda q: "842" in q.get("reporterCode", ""),
    )
    with pytest.raises(ComtradeRequestFailed):
        conn.fetch(2022, **args)
    before = server.count(DATA)
    assert before == 3  # one call done, the other failed twice
    df = make(server, tmp_path, max_records=10).fetch(2022, **args)
    assert server.count(DATA) == before + 1  # only the missing call
    assert sorted(set(df["reporter_code"])) == [156, 276, 392, 842]  # EU (97) left out
    assert len(df) == 12 and not df.duplicated(KEY).any()


def test_no_duplicate_rows_from_overlapping_queries(server, fake, tmp_path):
    df = china(
        make(server, tmp_path),
        cmd_codes=["854231", "854231", "AG6", "TOTAL"],
        flow_codes=["M", "X"],
    )
    assert not df.duplicated(KEY).any()
    assert len(df) == 7  # 3 HS6 x 2 flows + China's export TOTAL, each once


def test_truncated_response_is_split(server, fake, tmp_path):
    conn = make(server, tmp_path, max_records=4)
    q = SubQuery(2022, (156, 842), (0,), ("M", "X"), ("854231", "854232"))
    frames = conn._run(q, {156: "2024-06-30", 842: "2024-07-01"})
    df = pd.concat(frames)
    assert len(df) == 8 and not df.duplicated(KEY).any()


def test_key_never_in_urls_cache_or_logs(server, fake, tmp_path, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    server.script(DATA, Response(429, f"slow down, key {KEY_VALUE}"))
    conn = make(server, tmp_path)
    china(conn)
    server.script(DATA, Response(400, f"bad request for {KEY_VALUE}"))
    with pytest.raises(ComtradeError) as err:
        conn.fetch(
            2022, reporter_codes=[156], cmd_codes=["TOTAL"], flow_codes=["M"], partner_codes=[0]
        )
    assert KEY_VALUE not in str(err.value) and "***" in str(err.value)
    out = capsys.readouterr()
    assert KEY_VALUE not in caplog.text + out.out + out.err
    assert "***" in caplog.text
    assert KEY_VALUE not in repr(conn)
    for req in server.requests:
        assert KEY_VALUE not in req.raw_url
    for path in (tmp_path / "cache").rglob("*"):
        raw = path.read_bytes()
        assert KEY_VALUE.encode() not in raw and KEY_VALUE.encode() not in gzip.decompress(raw)
        assert KEY_VALUE not in path.name


def test_missing_key_message(server, fake, tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    conn = make(server, tmp_path, api_key=None)
    with pytest.raises(MissingApiKey, match=KEY_ENV):
        china(conn)
    assert server.count(DATA) == 0
    # availability is public: without a key it uses the public endpoint
    assert conn.available_years(156, [2022]) == {2022: "2024-06-30"}


def test_key_from_environment(server, fake, tmp_path, monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY_VALUE)
    assert len(china(make(server, tmp_path, api_key=None))) == 6


def test_wrong_key_fails_at_once(server, fake, tmp_path):
    conn = make(server, tmp_path, api_key="wrong")
    with pytest.raises(ComtradeAuthError, match=KEY_ENV):
        china(conn)
    assert server.count(AVAIL) == 1  # refused at the first call, no retries
    assert server.count(DATA) == 0


def test_indicator_queries_run_through_fetch(server, fake, tmp_path):
    queries = indicator_queries(2022, sector_hs6=["854231", "854232"], hs4_headings=["8486"])
    assert [q["purpose"] for q in queries] == [
        "china_hs6_world",
        "china_imports_by_partner",
        "world_exports_hs6",
        "exports_to_china",
        "imports_by_partner_for_mirror",
    ]
    assert "848620" in queries[1]["cmd_codes"]
    conn = make(server, tmp_path)
    frames = {q["purpose"]: conn.fetch(2022, **q) for q in queries}
    assert len(frames["china_hs6_world"]) == 7  # 3 codes x 2 flows + export TOTAL
    by_partner = frames["china_imports_by_partner"]
    assert set(by_partner["partner_code"]) == {0, 392, 410}
    world = frames["world_exports_hs6"]
    assert 97 not in set(world["reporter_code"])
    totals = world[world.hs6 == "TOTAL"]
    assert len(totals) == 4
    to_china = frames["exports_to_china"]
    assert set(to_china["partner_code"]) == {156}
    assert sorted(
        zip(to_china.reporter_code, to_china.hs6, to_china.primary_value_usd, strict=True)
    ) == [(392, "854231", 380_000.0), (392, "TOTAL", 1.5e8), (842, "854231", 250_000.0)]
    assert set(to_china["vintage"]) == {"2024-07-01"}  # the reporters' release
    mirror = frames["imports_by_partner_for_mirror"]
    from_korea = mirror[mirror.partner_code == 410]
    # Korea did not publish 2022; the partners that did report importing from it (the
    # customs-procedure breakdown left out), China's own import rows included
    assert sorted(zip(from_korea.reporter_code, from_korea.primary_value_usd, strict=True)) == [
        (156, 600_000.0),
        (276, 30_000.0),
        (842, 90_000.0),
    ]


def test_default_indicator_queries_use_project_references():
    queries = indicator_queries(2022)
    assert queries[0]["cmd_codes"] == ["TOTAL", "AG6"]
    assert len(queries[1]["cmd_codes"]) > 50
    assert queries[2]["reporter_codes"] is None
    assert queries[3]["partner_codes"] == [156] and queries[3]["flow_codes"] == ["X"]
    assert queries[4]["partner_codes"] is None
    assert queries[4]["cmd_codes"] == queries[1]["cmd_codes"]


def test_official_client_equivalent_arguments_bind():
    q = SubQuery(2022, (156,), None, ("M",), ("854231", "854232"))
    kwargs = q.comtradeapicall_kwargs()
    inspect.signature(comtradeapicall.getFinalData).bind(subscription_key="k", **kwargs)
    assert kwargs["partnerCode"] is None and kwargs["cmdCode"] == "854231,854232"


def test_call_official_client_raises_what_it_prints(monkeypatch):
    class FakeResp:
        status = 429
        data = b'{"statusCode": 429, "message": "Rate limit is exceeded."}'

    class FakePool:
        def request(self, *args, **kwargs):
            assert "SECRET" in str(kwargs.get("fields"))  # the client puts it in the URL
            return FakeResp()

    monkeypatch.setattr(comtradeapicall.PreviewGet.urllib3, "PoolManager", FakePool)
    q = SubQuery(2022, (156,), (0,), ("M",), ("TOTAL",))
    with pytest.raises(ComtradeError, match="Rate limit") as err:
        call_official_client(
            comtradeapicall.getFinalData, subscription_key="SECRET", **q.comtradeapicall_kwargs()
        )
    assert "SECRET" not in str(err.value)


def test_module_has_no_dagster_import():
    assert "dagster" not in inspect.getsource(api_mod)


def test_a_bad_api_record_names_the_response_record_and_field(server, tmp_path):
    """API records go through the same SQL as files: a bad one is a SourceFileError
    naming the cached response (no URL, so no key), the record and the field."""
    from orchestration.lib.errors import SourceFileError

    fc = FakeComtrade(server, key=KEY_VALUE)
    fc.publish(156, 2022, "2024-06-30")
    fc.add(comtrade_record(2022, 156, "X", 0, "854231", 10.0))
    bad = comtrade_record(2022, 156, "M", 0, "854231", 20.0)
    bad["primaryValue"] = "12abc"
    fc.add(bad)
    conn = make(server, tmp_path)
    with pytest.raises(SourceFileError) as caught:
        china(conn, cmd_codes=["854231"])
    err = caught.value
    cached = [p.name for p in (tmp_path / "cache").glob("data-2022-*.json.gz")]
    assert err.file == f"Comtrade API response {cached[0]}" and KEY_VALUE not in str(err)
    assert (err.field, err.reason) == ("primaryValue", "not a number (got '12abc')")
    assert err.line == 2  # the record's index + 1 in the response
