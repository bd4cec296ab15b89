"""Deterministic synthetic inputs in the layouts of the real sources (labelled synthetic)."""

import shutil
from pathlib import Path

from orchestration.settings import DBT_PROJECT_DIR, Settings
from orchestration.synthetic.comtrade import generate_comtrade
from orchestration.synthetic.customs import generate_customs


def ensure_bundled_inputs(settings: Settings) -> dict[str, list[Path]]:
    """Fill empty landing folders with the bundled inputs.

    The inputs: synthetic customs and Comtrade files, and the real Comtrade legacy
    file. A folder that holds any file is left alone,
    so a user's own files are never mixed with generated ones.
    """
    written: dict[str, list[Path]] = {}
    customs = settings.landing("customs")
    if not any(p.is_file() for p in customs.glob("*")):
        written["customs"] = generate_customs(customs, settings.reference_dir)
    comtrade = settings.landing("comtrade")
    if not any(p.is_file() for p in comtrade.glob("*")):
        written["comtrade"] = generate_comtrade(
            comtrade,
            settings.reference_dir,
            DBT_PROJECT_DIR / "seeds" / "reference",
            # China's all-goods total repeats the customs files only when both are ours
            customs_dir=customs if "customs" in written else None,
        )
        for real in sorted((settings.real_dir / "comtrade").glob("*.csv")):
            target = comtrade / real.name
            shutil.copyfile(real, target)
            written["comtrade"].append(target)
    return written
