"""The pipeline's indices against a second computation from the same landed files.

tests/independent.py recomputes every batch-group series, V, G, tier and pattern from
the customs files of the session's first run in plain Python; the pipeline's table, as
that run left it, must agree on every row.
"""

import pytest

from orchestration.lib.months import months_between
from tests.conftest import FIRST_RUN_SNAPSHOT, WINDOW
from tests.independent import group_series, indices


def test_every_group_index_matches_the_second_computation(first_run):
    rows = FIRST_RUN_SNAPSHOT["ind_group_patterns"]
    expected = {
        k: indices(s)
        for k, s in group_series(
            FIRST_RUN_SNAPSHOT["customs_files"], months_between(*WINDOW)
        ).items()
    }
    assert {(r["batch"], r["group_id"]) for r in rows} == set(expected)
    for r in rows:
        want = expected[(r["batch"], r["group_id"])]
        key = (r["batch"], r["group_id"])
        assert r["v"] == pytest.approx(want["v"], abs=1e-6), key
        if want["g"] is None:
            assert r["g"] is None, key
        else:
            assert r["g"] == pytest.approx(want["g"], abs=1e-6), key
        assert (r["volatility_tier"], r["pattern"]) == (want["tier"], want["pattern"]), key
        assert r["n_periods_missing"] == want["missing"], key
    # the window holds the gap month: one group-month is missing, not zero
    assert any(w["missing"] for w in expected.values())
