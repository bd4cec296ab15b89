"""Builders of the expectation kinds the suites use (GE 1.x class names and arguments)."""

from orchestration.lib.quality.ge_runner import Expectation


def between(column: str, low=None, high=None, severity: str = "error") -> Expectation:
    """Values of ``column`` within [low, high]; a missing bound is open."""
    kwargs = {"column": column}
    if low is not None:
        kwargs["min_value"] = low
    if high is not None:
        kwargs["max_value"] = high
    return Expectation("ExpectColumnValuesToBeBetween", kwargs, severity)


def not_null(column: str) -> Expectation:
    """No empty value in ``column``."""
    return Expectation("ExpectColumnValuesToNotBeNull", {"column": column})


def in_set(column: str, values: list) -> Expectation:
    """Every value of ``column`` is one of ``values``."""
    return Expectation("ExpectColumnValuesToBeInSet", {"column": column, "value_set": values})


def regex(column: str, pattern: str) -> Expectation:
    """Every value of ``column`` matches ``pattern`` (a search, as in pandas)."""
    return Expectation("ExpectColumnValuesToMatchRegex", {"column": column, "regex": pattern})


def unique(columns: list[str]) -> Expectation:
    """One row per value of ``columns`` (one column or a compound key)."""
    if len(columns) == 1:
        return Expectation("ExpectColumnValuesToBeUnique", {"column": columns[0]})
    return Expectation("ExpectCompoundColumnsToBeUnique", {"column_list": list(columns)})


def has_columns(columns: list[str]) -> Expectation:
    """The table has at least ``columns`` (more are allowed)."""
    return Expectation(
        "ExpectTableColumnsToMatchSet", {"column_set": list(columns), "exact_match": False}
    )
