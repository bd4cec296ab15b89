"""The counts per technology and group in data/reference/README.md are the batch file's,
computed here from the rows and their `continues` chains."""

import csv
import re

from orchestration.defs.reference.assets import read_batches
from orchestration.settings import BUNDLED_DATA_DIR, DBT_PROJECT_DIR

REF = BUNDLED_DATA_DIR / "reference"


def _lineages(rows: list[dict]) -> int:
    parent: dict[str, str] = {}

    def root(code: str) -> str:
        while parent.setdefault(code, code) != code:
            code = parent[code]
        return code

    for r in rows:
        for old in (r["continues"] or "").split():
            parent[root(r["hs8"])] = root(old)
    return len({root(r["hs8"]) for r in rows})


def _lines(rows: list[dict], year: int) -> int:
    month = f"{year}-06"
    return len({r["hs8"] for r in rows if r["valid_from"] <= month <= (r["valid_to"] or "9999-12")})


def _table(section: str, first: str) -> dict[str, list[str]]:
    out = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0] not in (first, "---") and not cells[0].startswith("-"):
            out[cells[0]] = cells
    return out


def test_counts_per_technology_and_group_match_the_batch():
    rows = [r for r in read_batches(REF / "batches") if r["batch"] == 1]
    readme = (REF / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Codes per technology and group (batch 1)", 1)[1].split("\n## ", 1)[0]
    tech_part, group_part = section.split("| group |", 1)
    techs = _table(tech_part, "tech")
    groups = _table("| group |" + group_part, "group")
    with (DBT_PROJECT_DIR / "seeds" / "reference" / "ref_chokepoint_technologies.csv").open(
        encoding="utf-8"
    ) as fh:
        tech_nos = [int(r["tech_no"]) for r in csv.DictReader(fh)]
    assert sorted(int(t) for t in techs if t != "all") == sorted(tech_nos)
    for t in tech_nos:
        mine = [r for r in rows if r["tech_no"] == t]
        expected = [
            str(len(mine)),
            str(_lines(mine, 2018)),
            str(_lines(mine, 2023)),
            str(_lineages(mine)),
        ]
        assert techs[str(t)][3:] == expected, t
    assert techs["all"][3:] == [
        str(len(rows)),
        str(_lines(rows, 2018)),
        str(_lines(rows, 2023)),
        str(_lineages(rows)),
    ]
    for g, cells in groups.items():
        mine = [r for r in rows if r["group_id"] == int(g)]
        assert cells[2:] == [
            str(len(mine)),
            str(_lines(mine, 2018)),
            str(_lines(mine, 2023)),
            str(_lineages(mine)),
        ], g
    assert sorted(int(g) for g in groups) == sorted({r["group_id"] for r in rows})
    # the prose: lines named in each year and the lineage count
    per_year = {y: _lines(rows, y) for y in range(2015, 2024)}
    assert set(per_year[y] for y in range(2015, 2021)) == {per_year[2015]}
    said = re.search(
        r"has (\d+) rows in (\d+) lineages.*?names (\d+) lines \(2015-2020\), "
        r"(\d+) \(2021\), (\d+) \(2022\) and (\d+) \(2023\)",
        section,
        flags=re.S,
    )
    assert said and [int(x) for x in said.groups()] == [
        len(rows),
        _lineages(rows),
        per_year[2015],
        per_year[2021],
        per_year[2022],
        per_year[2023],
    ]
