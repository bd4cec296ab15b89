"""The rules of the technology batches as loaded (raw_ref.tech_batches).

Row rules of the loaded batch files are a GE suite here, run as a blocking check after
the reference asset; the rules of the staged batches (code lists, chains, one line per
period) are dbt tests (dbt_project/tests/reference). The SQL rules are the files of sql/;
the HS revision windows are read from dbt (lib/reference/shared_facts.py), not written
here again.
"""

from pathlib import Path

from orchestration.defs.quality.checks import build_check
from orchestration.lib.quality.expectations import between, not_null, regex
from orchestration.lib.quality.suite import SqlRule, Suite, load_sql
from orchestration.lib.reference.shared_facts import hs_revision_windows

SQL = Path(__file__).parent / "sql"


def _windows(keys: list) -> dict:
    """The revision windows as month bounds ('YYYY-01' to 'YYYY-12')."""
    del keys  # the batches are not partitioned
    windows = hs_revision_windows()
    return {
        "revisions": [w["hs_revision"] for w in windows],
        "first_months": [f"{w['first_year']:04d}-01" for w in windows],
        "last_months": [f"{w['last_year']:04d}-12" for w in windows],
    }


SUITE = Suite(
    name="tech_batches",
    table="raw_ref.tech_batches",
    columns=("batch", "hs8", "group_id", "valid_from", "valid_to"),
    expectations=(
        # no uniqueness here: dbt's assert_batch_code_once_per_period refuses a code twice
        # in overlapping months of a batch, which includes the same start month
        regex("hs8", r"^\d{8}$"),
        not_null("group_id"),
        between("group_id", 1, 17),
    ),
    rules=(
        SqlRule(
            "every code's first six digits exist in the HS revision in force when it is valid",
            load_sql(SQL, "codes_in_revision"),
            "no code outside its revision's nomenclature",
            params=_windows,
        ),
        SqlRule(
            "no code sits in two groups of the same batch",
            load_sql(SQL, "one_group_per_code"),
            "one group per code and batch",
        ),
    ),
)
SUITES = (SUITE,)
CHECKS = [build_check(SUITE)]
