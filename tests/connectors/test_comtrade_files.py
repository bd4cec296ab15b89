"""read_comtrade_file on the real legacy CSV and on hand-made API / bulk files."""

import csv
import gzip
import json
from pathlib import Path

import pytest

from orchestration.lib.comtrade.files import read_comtrade_file
from orchestration.lib.comtrade.records import COLUMNS, KEY
from orchestration.lib.errors import SourceFileError
from tests.connectors.fake_servers import comtrade_record

REPO = Path(__file__).resolve().parents[2]
REAL = REPO / "data" / "real" / "comtrade"
LEGACY = REAL / "comtrade_legacy_SME_848620_903082_903141_2016_2020[2021-08-16].csv"
LICENSE = REAL / "LICENSE_comtrade_legacy.txt"


@pytest.fixture(scope="module")
def legacy():
    return read_comtrade_file(LEGACY)


def test_real_legacy_file_is_shipped_with_its_licence():
    assert LEGACY.is_file()
    text = LICENSE.read_text()
    assert "MIT License" in text and "Andre Barbe" in text and LEGACY.name in text


def test_legacy_layout(legacy):
    assert list(legacy.columns) == COLUMNS
    # 2,863 rows: 1,683 Import + 977 Export kept, 130 Re-Export + 73 Re-Import dropped.
    assert len(legacy) == 2660
    assert legacy["flow"].value_counts().to_dict() == {"import": 1683, "export": 977}
    assert set(legacy["source"]) == {"legacy_csv"} and set(legacy["origin"]) == {"real"}
    assert set(legacy["hs6"]) == {"848620", "903082", "903141"}
    assert set(legacy["partner_code"]) == {0} and set(legacy["partner_iso3"]) == {"W00"}
    assert legacy["year"].between(2016, 2020).all()
    assert not legacy.duplicated(KEY).any()
    by_cls = legacy.groupby("classification_code")["hs_revision"].first().to_dict()
    assert by_cls == {"H2": "HS2002", "H3": "HS2007", "H4": "HS2012", "H5": "HS2017"}


def test_legacy_china_2019_848620_by_hand(legacy):
    # From the file: China (156), 2019, 848620, "Export" 532574855, "Import" 10429742633.
    c = legacy[(legacy.year == 2019) & (legacy.hs6 == "848620")]
    exports = c[c.flow == "export"].set_index("reporter_code")["primary_value_usd"]
    imports = c[c.flow == "import"].set_index("reporter_code")["primary_value_usd"]
    assert exports[156] == 532_574_855.0
    assert imports[156] == 10_429_742_633.0
    # 63 reporters reported exports: world exports 42,825,320,337 USD.
    assert len(exports) == 63 and exports.sum() == 42_825_320_337.0
    share = exports[156] / exports.sum()
    assert share == pytest.approx(0.012436, abs=1e-6)  # about 1.24%
    assert imports[156] / exports[156] == pytest.approx(19.5836, abs=1e-4)  # about 19.6


def test_legacy_values_match_a_plain_csv_reading(legacy):
    with LEGACY.open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["Trade Flow"] in ("Import", "Export")]
    assert len(rows) == len(legacy)
    assert sum(float(r["Trade Value (US$)"]) for r in rows) == pytest.approx(
        legacy["primary_value_usd"].sum(), rel=1e-12
    )


def _records():
    return [
        comtrade_record(2021, 156, "M", 0, "854231", 1000.0),
        comtrade_record(2021, 156, "X", 0, "854231", 250.0),
        comtrade_record(2021, 156, "M", 0, "854231", 1.0, partner2=392),
        comtrade_record(2021, 156, "M", 0, "854231", 2.0, customs="C01"),
        comtrade_record(2021, 156, "M", 0, "854231", 3.0, mot=1000),
        comtrade_record(2021, 156, "RM", 0, "854231", 4.0),
        comtrade_record(2021, 156, "M", 0, "8542", 5.0),
        comtrade_record(2021, 156, "M", 0, "TOTAL", 9000.0),
    ]


def _write_delimited(path, records, delimiter, gz=False, rename=None):
    fields = list(records[0])
    header = [rename(f) if rename else f for f in fields]
    lines = [delimiter.join(header)]
    for r in records:
        lines.append(delimiter.join("" if r[f] is None else str(r[f]) for f in fields))
    data = ("\n".join(lines) + "\n").encode()
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def _check_small(df):
    assert list(df.columns) == COLUMNS
    assert sorted(zip(df.flow, df.hs6, df.cmd_level, df.primary_value_usd, strict=True)) == [
        ("export", "854231", "HS6", 250.0),
        ("import", "8542", "HS4", 5.0),
        ("import", "854231", "HS6", 1000.0),
        ("import", "TOTAL", "TOTAL", 9000.0),
    ]


def test_bulk_tab_gz_with_vintage_in_name(tmp_path):
    path = _write_delimited(
        tmp_path / "COMTRADE-FINAL-CA1562021H5[2023-01-03].gz", _records(), "\t", gz=True
    )
    df = read_comtrade_file(path)
    _check_small(df)
    assert set(df["vintage"]) == {"2023-01-03"} and set(df["source"]) == {"bulk"}


def test_api_csv_snake_case_and_synthetic_origin(tmp_path):
    def snake(name):
        return "".join("_" + c.lower() if c.isupper() else c for c in name)

    path = _write_delimited(tmp_path / "comtrade_synthetic_2021.csv", _records(), ",", rename=snake)
    df = read_comtrade_file(path, vintage="2024-02-02")
    _check_small(df)
    assert set(df["origin"]) == {"synthetic"} and set(df["vintage"]) == {"2024-02-02"}


def test_api_json_response(tmp_path):
    path = tmp_path / "response.json"
    path.write_text(json.dumps({"count": 8, "data": _records(), "error": ""}))
    _check_small(read_comtrade_file(path))


def test_synthetic_generator_output_is_readable(tmp_path):
    synth = pytest.importorskip("orchestration.synthetic.comtrade")
    from orchestration.settings import BUNDLED_DATA_DIR, DBT_PROJECT_DIR

    paths = synth.generate_comtrade(
        tmp_path,
        BUNDLED_DATA_DIR / "reference",
        DBT_PROJECT_DIR / "seeds" / "reference",
        2019,
        2019,
    )
    df = read_comtrade_file(paths[0])
    assert len(df) > 0 and set(df["origin"]) == {"synthetic"} and set(df["year"]) == {2019}


def test_bad_number_names_file_line_and_field(tmp_path):
    records = _records()
    records[1]["primaryValue"] = "12abc"
    path = _write_delimited(tmp_path / "bad.csv", records, ",")
    with pytest.raises(SourceFileError, match=r"bad\.csv, line 3, field 'primaryValue'"):
        read_comtrade_file(path)


def test_bad_classification_and_header_and_flow(tmp_path):
    records = _records()
    records[0]["classificationCode"] = "S4"
    with pytest.raises(SourceFileError, match=r"line 2, field 'classificationCode'"):
        read_comtrade_file(_write_delimited(tmp_path / "a.csv", records, ","))
    other = tmp_path / "other.csv"
    other.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(SourceFileError, match=r"other\.csv, line 1, field '<header>'"):
        read_comtrade_file(other)
    with LEGACY.open(encoding="utf-8") as fh:
        head = [next(fh), next(fh)]
    broken = tmp_path / "legacy.csv"
    broken.write_text(head[0] + head[1].replace(",Import,", ",Sideways,"))
    with pytest.raises(SourceFileError, match=r"legacy\.csv, line 2, field 'Trade Flow'"):
        read_comtrade_file(broken)
    money = tmp_path / "money.csv"
    money.write_text(head[0] + head[1].replace(",3830588,", ",n/a,"))
    with pytest.raises(SourceFileError, match=r"money\.csv, line 2, field 'Trade Value \(US\$\)'"):
        read_comtrade_file(money)
    ragged = tmp_path / "ragged.csv"
    ragged.write_text(head[0] + "H5,2017\n")
    with pytest.raises(SourceFileError, match=r"line 2, field '<row>'"):
        read_comtrade_file(ragged)
    bad_json = tmp_path / "bad.json"
    bad_json.write_text('{"data": [')
    with pytest.raises(SourceFileError, match=r"bad\.json, line 1, field '<json>'"):
        read_comtrade_file(bad_json)
    truncated = tmp_path / "cut.txt.gz"
    truncated.write_bytes(gzip.compress(b"refYear\treporterCode\n" * 50)[:30])
    with pytest.raises(SourceFileError, match="broken gzip"):
        read_comtrade_file(truncated)
