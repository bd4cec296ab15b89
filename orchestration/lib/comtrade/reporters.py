"""Which Comtrade reporter codes are known: a row of an unknown reporter is set aside.

Comtrade numbers reporters by UN M49, except where UNSD keeps its own code (a territory
the reporter's figures cover differs from the M49 area, or a former state). Those codes
are facts of the Comtrade reporter list, written out here. A reporter is known when its
code is an M49 code of the bundled country table or one of these, or when the file gives
an ISO3 code the country table knows (old files carry retired codes such as Italy's 381
beside the ISO code ITA). Reporter 0 (World) and blank codes are not reporters.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

COUNTRY_TABLE = "countries/country-codes.csv"
COMTRADE_OWN_CODES: dict[int, str] = {
    58: "Belgium-Luxembourg (...1998)",
    97: "European Union",
    200: "Czechoslovakia (...1992)",
    230: "Ethiopia (...1992)",
    251: "France",
    278: "Dem. Rep. of Germany (...1990)",
    280: "Fed. Rep. of Germany (...1990)",
    459: "Peninsula Malaysia (...1963)",
    461: "Sabah (...1963)",
    490: "Other Asia, nes",
    530: "Netherlands Antilles (...2010)",
    532: "Netherlands Antilles and Aruba (...1985)",
    579: "Norway",
    582: "Pacific Isds (...1991)",
    588: "East and West Pakistan (...1971)",
    590: "Panama, excl. Canal Zone (...1977)",
    592: "Panama-Canal-Zone (...1977)",
    658: "Saint Kitts, Nevis and Anguilla (...1980)",
    699: "India",
    711: "Southern African Customs Union (...1999)",
    717: "Rhodesia Nyas (...1964)",
    720: "Dem. Yemen (...1990)",
    736: "Sudan (...2011)",
    757: "Switzerland",
    810: "USSR (...1990)",
    835: "Tanganyika (...1964)",
    836: "Zanzibar and Pemba Isd (...1964)",
    841: "USA and Puerto Rico (...1980)",
    842: "USA",
    866: "Dem. Rep. of Vietnam (...1974)",
    868: "Rep. of Vietnam (...1974)",
    886: "Arab Rep. of Yemen (...1990)",
    890: "Yugoslavia (...1991)",
    891: "Serbia and Montenegro (...2005)",
    975: "ASEAN",
}


@cache
def known(reference_dir: Path) -> tuple[frozenset[int], frozenset[str]]:
    """(known reporter codes, known ISO3 codes) from the bundled country table."""
    codes, isos = set(COMTRADE_OWN_CODES), set()
    with (reference_dir / COUNTRY_TABLE).open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            m49 = (row.get("M49") or "").strip()
            if m49.isdigit() and int(m49) != 1:  # 001 is the World
                codes.add(int(m49))
            iso = (row.get("ISO3166-1-Alpha-3") or "").strip()
            if len(iso) == 3:
                isos.add(iso)
    return frozenset(codes), frozenset(isos)
