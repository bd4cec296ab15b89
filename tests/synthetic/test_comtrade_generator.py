"""The bundled synthetic Comtrade files have the awkward shapes of a real bulk download:
each year in the revision of its time with codes merged and split by value shares, a few
reporters on HS2007/HS2002, the EU as an aggregate of its members, breakdown rows and a
TOTAL record per reporter and year. Judged from the files and the UNSD tables alone."""

from __future__ import annotations

import csv
import hashlib
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from orchestration.synthetic import comtrade as generator
from tests.independent import (
    REFERENCE,
    SEEDS,
    comtrade_kept,
    comtrade_records,
    hs2017_of_hs2022,
    is_breakdown,
)


@pytest.fixture(scope="module")
def records(tmp_path_factory) -> list[dict]:
    out = tmp_path_factory.mktemp("synthetic-comtrade")
    return comtrade_records(generator.generate_comtrade(out, REFERENCE, SEEDS))


def _by_year(records: list[dict]) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = defaultdict(list)
    for r in records:
        out[int(r["refYear"])].append(r)
    return out


def test_one_record_per_key_and_one_revision_per_reporter_year(records):
    keys = Counter(
        (
            r["refYear"],
            r["reporterCode"],
            r["flowCode"],
            r["partnerCode"],
            r["partner2Code"],
            r["customsCode"],
            r["motCode"],
            r["cmdCode"],
        )
        for r in records
    )
    assert max(keys.values()) == 1
    revisions: dict[tuple, set] = defaultdict(set)
    for r in records:
        revisions[(int(r["refYear"]), int(r["reporterCode"]))].add(r["classificationCode"])
    assert all(len(v) == 1 for v in revisions.values())
    by_year: dict[int, Counter] = defaultdict(Counter)
    for (year, _), (cls,) in revisions.items():
        by_year[year][cls] += 1
    for year, counts in by_year.items():
        usual = "H4" if year <= 2016 else "H5" if year <= 2021 else "H6"
        assert counts.most_common(1)[0][0] == usual, (year, counts)
    # reporters still on HS2007 and HS2002 in 2015-2016, and on HS2012 after 2017
    assert {"H2", "H3"} <= set(by_year[2016]) and {"H2", "H3"} <= set(by_year[2015])
    assert "H4" in by_year[2017] and not {"H2", "H3"} & set(by_year[2017])


def test_a_reporter_year_has_the_revision_of_the_real_file():
    """The real legacy file is loaded beside these: a reporter-year the two share is in one
    revision, else the pipeline would see two revisions of one reporter-year."""
    real_file = next((REFERENCE.parent / "real" / "comtrade").glob("*.csv"))
    with real_file.open(encoding="utf-8-sig") as fh:
        real = {
            (int(r["Year"]), int(r["Reporter Code"])): r["Classification"]
            for r in csv.DictReader(fh)
        }
    shared = 0
    for (year, reporter), cls in real.items():
        if reporter in generator.REPORTERS and 2015 <= year <= 2024:
            assert generator._revision(year, reporter) == cls, (year, reporter)
            shared += 1
    assert shared > 50


def _china_exports(rows: list[dict]) -> dict[str, float]:
    return {
        r["cmdCode"]: float(r["primaryValue"])
        for r in comtrade_kept(rows)
        if (r["reporterCode"], r["flowCode"], r["partnerCode"]) == ("156", "X", "0")
        and r["cmdCode"] != "TOTAL"
    }


def test_codes_split_at_2022_by_value_shares_alike_for_every_reporter(records):
    """An HS2017 code with several HS2022 successors is dealt among them in shares that
    differ between codes, and the same shares hold for every reporter (the goods are split,
    not the reporters' numbers)."""
    rows = _by_year(records)[2022]
    parent = hs2017_of_hs2022()
    split: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for r in comtrade_kept(rows):
        if (
            (r["flowCode"], r["partnerCode"], r["classificationCode"]) == ("X", "0", "H6")
            and r["cmdCode"] in parent
            and r["reporterCode"] != "97"
        ):
            split[(r["reporterCode"], parent[r["cmdCode"]])][r["cmdCode"]] = float(
                r["primaryValue"]
            )
    shares: dict[str, list[tuple[float, tuple[float, ...]]]] = defaultdict(list)
    for (_, code), parts in split.items():
        if len(parts) > 1:
            total = sum(parts.values())
            shares[code].append((total, tuple(parts[c] / total for c in sorted(parts))))
    assert len(shares) >= 5  # several codes split
    for code, per_reporter in shares.items():
        biggest = max(per_reporter)[1]
        for total, s in per_reporter:
            # values are whole dollars: each part is off by half a dollar at most
            assert s == pytest.approx(biggest, abs=len(s) / total), code
    firsts = [max(s)[1][0] for s in shares.values()]
    assert max(firsts) - min(firsts) > 0.2  # shares drawn, not equal parts


def test_codes_merged_before_2017_hold_their_children(records):
    """An HS2012 code whose content HS2017 split is written whole in the H4 years: its
    children appear from 2017 (and China's HS2012 row is not one of them renamed)."""
    with (REFERENCE / "hs" / "hs2017_to_hs2012.csv").open(encoding="utf-8-sig") as fh:
        children: dict[str, set[str]] = defaultdict(set)
        for r in csv.DictReader(fh):
            children[r["HS4_6d"]].add(r["HS5_6d"])
    years = _by_year(records)
    y16, y17 = _china_exports(years[2016]), _china_exports(years[2017])
    merged = [c for c in y16 if len(children[c] & set(y17)) > 1]
    assert merged
    for code in merged:
        assert code not in y17 or len(children[code] & set(y17)) > 1


def test_the_eu_is_the_sum_of_its_members(records):
    members = generator.EU_MEMBERS
    for year, rows in _by_year(records).items():
        kept = [r for r in comtrade_kept(rows) if (r["flowCode"], r["partnerCode"]) == ("X", "0")]
        eu = {r["cmdCode"]: float(r["primaryValue"]) for r in kept if r["reporterCode"] == "97"}
        assert eu and all(r["isAggregate"] == "True" for r in rows if r["reporterCode"] == "97")
        sums: dict[str, float] = defaultdict(float)
        in_eu = members | ({826} if year <= 2019 else set())
        for r in kept:
            if int(r["reporterCode"]) in in_eu:
                sums[r["cmdCode"]] += float(r["primaryValue"])
        assert eu == pytest.approx(dict(sums)), year


def test_breakdown_rows_repeat_part_of_a_total(records):
    rows = _by_year(records)[2019]
    totals = {
        (r["reporterCode"], r["flowCode"], r["partnerCode"], r["cmdCode"]): float(r["primaryValue"])
        for r in comtrade_kept(rows)
    }
    breakdowns = [r for r in rows if is_breakdown(r)]
    kinds = {
        (
            "partner2"
            if r["partner2Code"] != "0"
            else "customs"
            if r["customsCode"] != "C00"
            else "mot"
        )
        for r in breakdowns
    }
    assert kinds == {"partner2", "customs", "mot"}
    for r in breakdowns:
        total = totals[(r["reporterCode"], r["flowCode"], r["partnerCode"], r["cmdCode"])]
        assert float(r["primaryValue"]) < total
    assert {r["reporterCode"] for r in breakdowns} > {"156"}  # exporters' too


def test_a_total_record_per_reporter_and_year(records):
    for year, rows in _by_year(records).items():
        kept = comtrade_kept(rows)
        exporters = {
            r["reporterCode"] for r in kept if (r["flowCode"], r["partnerCode"]) == ("X", "0")
        }
        with_total = {
            r["reporterCode"]
            for r in kept
            if r["cmdCode"] == "TOTAL" and (r["flowCode"], r["partnerCode"]) == ("X", "0")
        }
        assert with_total == exporters and len(exporters) > 20, year
        for r in kept:
            if r["cmdCode"] == "TOTAL":
                assert r["aggrLevel"] == "0"
        six = defaultdict(float)
        for r in kept:
            if (r["flowCode"], r["partnerCode"]) == ("X", "0") and r["cmdCode"] != "TOTAL":
                six[r["reporterCode"]] += float(r["primaryValue"])
        for r in kept:
            if (r["cmdCode"], r["flowCode"], r["partnerCode"]) == ("TOTAL", "X", "0"):
                assert float(r["primaryValue"]) > six[r["reporterCode"]]


def test_china_total_imports_repeat_the_customs_totals(tmp_path):
    customs = tmp_path / "customs"
    customs.mkdir()
    (customs / "synthetic_parameters.json").write_text(
        '{"import_totals_usd": {"2018": 2.1e12, "2019": 2.05e12}}'
    )
    rows = comtrade_records(
        generator.generate_comtrade(
            tmp_path / "ct", REFERENCE, SEEDS, 2018, 2019, customs_dir=customs
        )
    )
    china = {
        r["refYear"]: float(r["primaryValue"])
        for r in comtrade_kept(rows)
        if (r["reporterCode"], r["flowCode"], r["partnerCode"], r["cmdCode"])
        == ("156", "M", "0", "TOTAL")
    }
    assert china == {"2018": 2.1e12, "2019": 2.05e12}
    # the TOTAL arrives broken down as well, and the breakdowns are parts of it
    parts = [r for r in rows if is_breakdown(r) and r["cmdCode"] == "TOTAL"]
    assert parts and all(float(r["primaryValue"]) < china[r["refYear"]] for r in parts)


def test_the_same_seed_writes_the_same_bytes(tmp_path):
    def digest(folder: Path) -> dict[str, str]:
        paths = generator.generate_comtrade(folder, REFERENCE, SEEDS, 2021, 2022)
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}

    assert digest(tmp_path / "a") == digest(tmp_path / "b")
