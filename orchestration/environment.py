"""The one place that decides which warehouse the pipeline runs against.

``CHOKEPOINT_TARGET`` (``Settings.runtime.target``) selects it: ``duckdb`` (default, a
local file under the data folder) or ``spark`` (the same dbt models through dbt-spark;
see README).
"""

from typing import get_args

from orchestration.settings import RuntimeSettings, load_group

TARGETS = get_args(RuntimeSettings.model_fields["target"].annotation)


def current_target() -> str:
    """The warehouse target the environment selects now.

    Raises:
        SettingsError: (a ValueError) naming CHOKEPOINT_TARGET when it is not a target.
    """
    return load_group(RuntimeSettings).target
