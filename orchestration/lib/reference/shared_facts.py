"""Facts written once in dbt_project/macros/shared_facts.sql, read here for Python.

Each macro there returns a literal that is Python syntax as well as Jinja (lists, dicts,
strings, integers), so Python reads the same values dbt compiles into SQL.
"""

import ast
import re
from functools import cache

from orchestration.settings import DBT_PROJECT_DIR

MACROS = DBT_PROJECT_DIR / "macros" / "shared_facts.sql"


@cache
def macro_literal(name: str):
    """The literal the macro ``name`` of shared_facts.sql returns."""
    text = MACROS.read_text(encoding="utf-8")
    match = re.search(
        r"\{%\s*macro\s+" + re.escape(name) + r"\(\)\s*-?%\}\s*\{\{-?\s*return\("
        r"(?P<literal>.*?)\)\s*-?\}\}\s*\{%-?\s*endmacro",
        text,
        re.S,
    )
    if match is None:
        raise LookupError(f"{MACROS}: no macro {name}() returning a literal")
    return ast.literal_eval(match.group("literal"))


def hs_revision_windows() -> list[dict]:
    """Which HS revision China's tariff followed in which years (first and last year)."""
    return macro_literal("hs_revision_windows")


def pattern_labels() -> dict[str, str]:
    """The labels of the four patterns, by key (stockpiling, no_effect, ...)."""
    return macro_literal("pattern_labels")
