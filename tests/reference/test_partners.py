"""ref_gacc_partners against GACC's own partner list (shipped in data/reference): the same
codes and names, every ISO3 a real ISO code whose name matches GACC's, and every partner
without ISO3 explained in the seed and listed in data/reference/README.md."""

import csv
import io
import re

import pytest

from orchestration.settings import BUNDLED_DATA_DIR, DBT_PROJECT_DIR

REF = BUNDLED_DATA_DIR / "reference"
PARTNERS = REF / "gacc_codes" / "partners"
SEED = DBT_PROJECT_DIR / "seeds" / "reference" / "ref_gacc_partners.csv"
# matched by hand where neither the ISO Chinese nor English name is GACC's wording
BY_HAND = {"303": "GBR", "356": "VAT", "409": "BES", "502": "USA", "625": "WLF"}


def _gacc(name: str) -> dict[str, str]:
    """GACC's export: code, then the name up to the trailing comma (names hold commas)."""
    text = (PARTNERS / name).read_bytes().decode("gb18030").replace("\x00", "")
    out = {}
    for line in text.splitlines()[1:]:
        if line.strip():
            code, rest = line.split(",", 1)
            out[code.strip()] = " ".join(rest.removesuffix(",").split())
    return out


@pytest.fixture(scope="module")
def seed() -> dict[str, dict]:
    with SEED.open(encoding="utf-8") as fh:
        return {r["gacc_code"]: r for r in csv.DictReader(fh)}


def test_codes_and_names_are_gaccs(seed):
    zh, en = _gacc("zh-TradingPartner.csv"), _gacc("en-TradingPartner.csv")
    cleaned = {
        r["code"]: r["en"].strip()
        for r in csv.DictReader(
            io.StringIO(
                (PARTNERS / "en-TradingPartner-cleaned-manually.csv")
                .read_text(encoding="utf-8")
                .replace("\x00", "")
            )
        )
    }
    assert sorted(seed) == sorted(zh) == sorted(en)
    assert {c: r["name_zh"] for c, r in seed.items()} == zh
    # the seed writes ' as ’ (dbt-spark cannot load a seed value holding ')
    assert {c: r["name_en_gacc"] for c, r in seed.items()} == {
        c: n.replace("'", "’") for c, n in en.items()
    }
    assert {c: r["name_en"] for c, r in seed.items()} == cleaned


def test_every_iso3_is_an_iso_code_of_that_partner(seed):
    with (REF / "countries" / "country-codes.csv").open(encoding="utf-8") as fh:
        iso = {r["ISO3166-1-Alpha-3"]: r for r in csv.DictReader(fh) if r["ISO3166-1-Alpha-3"]}
    unmatched = {}
    for code, row in seed.items():
        if not row["iso3"]:
            continue
        assert row["iso3"] in iso, (code, row["iso3"])
        c = iso[row["iso3"]]
        zh_names = {c["official_name_cn"], c["UNTERM Chinese Short"]}
        en_names = {c["official_name_en"], c["CLDR display name"], c["UNTERM English Short"]}
        if not (
            row["name_zh"] in zh_names
            or any(row["name_zh"] in n or n in row["name_zh"] for n in zh_names if n)
            or row["name_en"] in en_names
        ):
            unmatched[code] = row["iso3"]
    assert unmatched == BY_HAND


def test_every_partner_without_iso3_is_explained_and_listed(seed):
    readme = (REF / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Partners without ISO3", 1)[1]
    listed = set(re.findall(r"^\| (\d{3}) \|", section, flags=re.M))
    without = {c for c, r in seed.items() if not r["iso3"]}
    assert all(seed[c]["note"] for c in without)
    assert listed == without
    assert f"{len(seed) - len(without)} have an ISO 3166-1 code" in section
