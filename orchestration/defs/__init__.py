"""The Dagster definitions, one package per source or layer."""

import warnings

# Every process that loads the definitions (CLI, code server, each run worker) would print
# Dagster's beta notice once per asset that asks for a single-run backfill: a choice
# made on purpose (one DuckDB writer), not news to the user.
warnings.filterwarnings(
    "ignore",
    message=r"Parameter `backfill_policy` of function `asset`"
    r" is currently in beta",
)
