"""The one place that decides which warehouse the pipeline runs against.

``CHOKEPOINT_TARGET`` selects it: ``duckdb`` (default, a local file under the data folder)
or ``spark`` (the same dbt models through dbt-spark; see README).
"""

import os

TARGETS = ("duckdb", "spark")


def current_target() -> str:
    target = os.environ.get("CHOKEPOINT_TARGET", "duckdb").strip().lower()
    if target not in TARGETS:
        raise ValueError(f"CHOKEPOINT_TARGET={target!r}: expected one of {', '.join(TARGETS)}")
    return target
