"""Fixtures shared by the customs tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

GRAINS = Path(__file__).resolve().parents[1] / "fixtures" / "customs" / "grains"


@pytest.fixture()
def landing(tmp_path) -> Path:
    """The grain fixtures of both stages in one landing folder (stage 2 revises stage 1)."""
    folder = tmp_path / "landing"
    shutil.copytree(GRAINS / "stage1", folder)
    for f in (GRAINS / "stage2").iterdir():
        shutil.copy(f, folder / f.name)
    return folder
