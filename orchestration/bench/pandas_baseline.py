"""The notebook way: pandas over the customs files (small scale only).

Run as a script in its own process so its peak memory can be read on its own; prints
one JSON line with seconds and rows.
"""

import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd


def main(landing: Path, reference: Path, window_start: str) -> None:
    """``landing``: the folder holding ``customs/`` (the bench's generated source set)."""
    started = time.perf_counter()
    frames = []
    for path in sorted((landing / "customs").glob("*.csv")):
        # the portal's GB18030; the trailing comma reads as an empty last column
        df = pd.read_csv(path, dtype=str, encoding="gb18030")
        frames.append(df)
    customs = pd.concat(frames, ignore_index=True)
    customs["period_month"] = customs["数据年月"].str[:4] + "-" + customs["数据年月"].str[4:6]
    customs["value_usd"] = customs["美元"].str.replace(",", "").astype(float)
    batches = pd.concat(
        [
            pd.read_csv(p, dtype=str).assign(batch=int(p.name.split("_")[1]))
            for p in sorted((reference / "batches").glob("batch_*.csv"))
        ]
    )
    batches["valid_from"] = batches["valid_from"].fillna(window_start)
    batches["valid_to"] = batches["valid_to"].fillna("9999-12")
    merged = customs.merge(batches, left_on="商品编码", right_on="hs8")
    merged = merged[
        (merged["period_month"] >= merged["valid_from"])
        & (merged["period_month"] <= merged["valid_to"])
    ]
    panel = merged.groupby(["batch", "group_id", "period_month"], as_index=False)["value_usd"].sum()
    results = []
    for (batch, group), part in panel.groupby(["batch", "group_id"]):
        x = part.sort_values("period_month")["value_usd"].to_numpy()
        t = np.arange(1, len(x) + 1)
        v = x.std(ddof=1) / x.mean() if len(x) > 1 else np.nan
        g = (t * (x - x[0]) / x[0]).sum() / t.sum() if x[0] > 0 else np.nan
        results.append((batch, group, v, g))
    seconds = time.perf_counter() - started
    print(json.dumps({"pandas_s": round(seconds, 3), "rows": len(customs), "groups": len(results)}))


if __name__ == "__main__":
    # the window start comes from the caller (settings.WINDOW_START): this script
    # imports nothing of the pipeline, so its peak memory is pandas' alone
    main(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3])
