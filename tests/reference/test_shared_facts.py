"""Facts shared by dbt and Python have one home, dbt_project/macros/shared_facts.sql:
Python reads the same values, and no other file of the pipeline writes them again."""

import re

from orchestration.lib.reference import shared_facts
from orchestration.settings import DBT_PROJECT_DIR, REPO_ROOT

# independent re-implementations, which must not read the code they check
INDEPENDENT = {"orchestration/bench/baseline.sql"}


def _pipeline_files():
    for pattern in ("**/*.sql", "**/*.py"):
        for root in (
            DBT_PROJECT_DIR / "macros",
            DBT_PROJECT_DIR / "models",
            DBT_PROJECT_DIR / "tests",
            REPO_ROOT / "orchestration",
        ):
            yield from root.glob(pattern)


def test_python_reads_the_windows_dbt_compiles():
    windows = shared_facts.hs_revision_windows()
    assert [w["hs_revision"] for w in windows] == ["HS2012", "HS2017", "HS2022"]
    # contiguous and in order: every year after the first has exactly one revision
    for before, after in zip(windows, windows[1:], strict=False):
        assert after["first_year"] == before["last_year"] + 1, (before, after)
    # hs_revision_of_year is built from them, not from its own years
    macro = (DBT_PROJECT_DIR / "macros" / "month_to_date.sql").read_text()
    body = macro[macro.index("macro hs_revision_of_year") :]
    assert "hs_revision_windows()" in body
    assert not re.search(r"\b20\d\d\b", body.split("endmacro")[0])


def test_no_other_file_writes_a_revision_window():
    """A year bound that yields an HS revision ('< 2017 then 'HS2012'') or a revision
    window in months is written only in shared_facts.sql."""
    bound = re.compile(
        r"[<>]=?\s*20\d\d\s+then\s+'HS20"
        r"|'HS20\d\d'\s*(AS\s+\w+\s*)?,\s*'20\d\d-0?1'",
        re.I,
    )
    offenders = [
        str(p.relative_to(REPO_ROOT))
        for p in _pipeline_files()
        if p.name != "shared_facts.sql" and bound.search(p.read_text())
    ]
    assert offenders == []


def test_pattern_labels_are_written_once():
    labels = shared_facts.pattern_labels()
    assert set(labels) == {"stockpiling", "no_effect", "substitution", "undefined"}
    distinctive = [v for k, v in labels.items() if k != "undefined"]
    offenders = sorted(
        {
            str(p.relative_to(REPO_ROOT))
            for p in _pipeline_files()
            for label in distinctive
            if p.name != "shared_facts.sql" and label in p.read_text()
        }
        - INDEPENDENT
    )
    assert offenders == []


def test_a_macro_without_a_literal_is_named():
    try:
        shared_facts.macro_literal("no_such_macro")
    except LookupError as exc:
        assert "shared_facts.sql" in str(exc) and "no_such_macro" in str(exc)
    else:
        raise AssertionError("no error for a missing macro")
