"""China Customs' statistical commodity lists (one per year, 8-digit national lines).

The portal exports them as GB18030 text in a CSV-like layout that a CSV reader cannot
take as it is: descriptions hold unescaped double quotes (``with "herring-bone", for``)
and line breaks, some English files carry NUL bytes for empty unit names, and every line
ends with a comma. So records are cut where a line starts with an 8-digit code and a
comma, and each is read from both ends: the code first, the year and unit fields last,
the description is what lies between. A piece that is not a record is refused with the
file and line.

Kept free of Dagster so the synthetic generator and tests can read the lists cheaply.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from orchestration.lib.errors import SourceFileError

FILE = re.compile(r"^(en|zh)-hs8-(\d{4})\.csv$")
HEADERS = {
    "en": [
        "CODES",
        "DESCRIPTION",
        "YEAR",
        "UNIT_1_CODES",
        "UNIT_1_DESCRIPTION",
        "UNIT_2_CODES",
        "UNIT_2_DESCRIPTION",
    ],
    "zh": [
        "商品编码",
        "商品名称",
        "年份",
        "第一计量单位编码",
        "第一计量单位名称",
        "第二计量单位编码",
        "第二计量单位名称",
    ],
}
# a record starts a line with its code and a comma; it may span lines
RECORD_START = re.compile(r"\n(?=\d{8},)")
RECORD = re.compile(
    r'(\d{8}),"(.*)",(\d{4}),([^,"\n]*),"([^"\n]*)",([^,"\n]*),"([^"\n]*)",?\s*', re.S
)
COLUMNS = [
    "hs8",
    "list_year",
    "description_en",
    "description_zh",
    "unit1_code",
    "unit1_name_en",
    "unit1_name_zh",
    "unit2_code",
    "unit2_name_en",
    "unit2_name_zh",
    "source_files",
]


@dataclass(frozen=True)
class Line:
    """One code of a list file, with its description and units."""

    hs8: str
    description: str
    unit1_code: str | None
    unit1_name: str | None
    unit2_code: str | None
    unit2_name: str | None


def _clean(text: str) -> str | None:
    # line breaks inside a description are layout, not content; '?' marks no unit
    value = re.sub(r"\s+", " ", text.replace("\x00", "")).strip()
    return None if value in ("", "?") else value


def parse_file(path: Path) -> tuple[int, list[Line]]:
    """One list file -> (year, lines). The year in the name must be the year in the rows."""
    match = FILE.match(path.name)
    if not match:
        raise SourceFileError(
            path, None, None, "list files are named en-hs8-<year>.csv or zh-hs8-<year>.csv"
        )
    lang, year = match.group(1), int(match.group(2))
    raw = path.read_bytes()
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise SourceFileError(path, None, None, f"not GB18030 text ({exc})") from exc
    text = text.lstrip("\ufeff")
    header_end = text.find("\n") + 1 or len(text)
    header = [h.strip().strip('"') for h in text[:header_end].strip().rstrip(",").split(",")]
    if header != HEADERS[lang]:
        raise SourceFileError(path, 1, None, f"header {header} is not {HEADERS[lang]}")
    lines: list[Line] = []
    seen: set[str] = set()
    line_no = 2
    for chunk in RECORD_START.split(text[header_end:]):
        found = RECORD.fullmatch(chunk)
        if not found:
            if chunk.strip():
                snippet = chunk.strip().split("\n")[0][:60]
                raise SourceFileError(
                    path,
                    line_no,
                    None,
                    f'not a record (code,"description",year,units): {snippet!r}',
                )
            line_no += chunk.count("\n") + 1
            continue
        hs8, desc, row_year, u1, u1_name, u2, u2_name = found.groups()
        if int(row_year) != year:
            raise SourceFileError(
                path, line_no, HEADERS[lang][2], f"{row_year} in a file named for {year}"
            )
        if hs8 in seen:
            raise SourceFileError(path, line_no, HEADERS[lang][0], f"code {hs8} appears twice")
        seen.add(hs8)
        lines.append(
            Line(hs8, _clean(desc) or "", _clean(u1), _clean(u1_name), _clean(u2), _clean(u2_name))
        )
        line_no += chunk.count("\n") + 1
    if not lines:
        raise SourceFileError(path, None, None, "no codes")
    return year, lines


def read_lists(folder: Path) -> list[dict]:
    """Every list in ``folder`` as rows of COLUMNS, one per code and year.

    A year may come in English, Chinese or both; when both are there they must hold the
    same codes with the same unit codes.
    """
    by_year: dict[int, dict[str, dict[str, Line]]] = {}
    names: dict[int, list[str]] = {}
    for path in sorted(folder.glob("*.csv")):
        year, lines = parse_file(path)
        lang = path.name[:2]
        by_year.setdefault(year, {})[lang] = {line.hs8: line for line in lines}
        names.setdefault(year, []).append(path.name)
    rows: list[dict] = []
    for year in sorted(by_year):
        langs = by_year[year]
        if len(langs) == 2:
            only = set(langs["en"]) ^ set(langs["zh"])
            if only:
                raise SourceFileError(
                    folder,
                    None,
                    None,
                    f"en-hs8-{year}.csv and zh-hs8-{year}.csv differ "
                    f"in {len(only)} codes, e.g. {sorted(only)[:5]}",
                )
        codes = sorted(set().union(*(set(v) for v in langs.values())))
        for hs8 in codes:
            en, zh = langs.get("en", {}).get(hs8), langs.get("zh", {}).get(hs8)
            first = zh or en
            for a, b, field in ((en, zh, "unit1_code"), (en, zh, "unit2_code")):
                if a and b and getattr(a, field) != getattr(b, field):
                    raise SourceFileError(
                        folder,
                        None,
                        field,
                        f"code {hs8} of {year} has {field} "
                        f"{getattr(a, field)!r} in English and {getattr(b, field)!r} in Chinese",
                    )
            rows.append(
                {
                    "hs8": hs8,
                    "list_year": year,
                    "description_en": en.description if en else None,
                    "description_zh": zh.description if zh else None,
                    "unit1_code": first.unit1_code,
                    "unit1_name_en": en.unit1_name if en else None,
                    "unit1_name_zh": zh.unit1_name if zh else None,
                    "unit2_code": first.unit2_code,
                    "unit2_name_en": en.unit2_name if en else None,
                    "unit2_name_zh": zh.unit2_name if zh else None,
                    "source_files": " ".join(names[year]),
                }
            )
    return rows


def codes_by_year(folder: Path) -> dict[int, set[str]]:
    """The codes of every list in ``folder``, by list year."""
    out: dict[int, set[str]] = {}
    for row in read_lists(folder):
        out.setdefault(row["list_year"], set()).add(row["hs8"])
    return out


def list_year_in_force(year: int, list_years: list[int]) -> int:
    """The list a year is checked against.

    Its own, else the latest earlier one (so years after the newest list use the
    newest), else the earliest.
    """
    earlier = [y for y in list_years if y <= year]
    return max(earlier) if earlier else min(list_years)
