"""Monthly import series for the synthetic technology groups, drawn from stories.

The generator knows nothing of any study's results: it never computes V or G and has
no targets. Each group is given one of the stories below by a seeded shuffle that deals
every story out at least twice, so the paths of the method (growth above and below the
threshold, each volatility tier, a zero base, a month missing) all occur; the
parameters of the story are then drawn from the ranges listed. What the pipeline makes
of the series (the pattern matrix) is the generator's, not any study's.

A series is the product of a level, a trend, China's New Year dip (January and
February imports fall as factories close), a level shift, stockpiling bursts and
lognormal noise. Every draw comes from one ``numpy`` generator seeded with ``SEED``;
``parameters()`` returns them for the run report and the README.
"""

from __future__ import annotations

import dataclasses

import numpy as np

# The first seed counting up from 20150101 under which batch 1 shows every cell of the
# pattern matrix and a borderline group, over 2015-01 .. 2025-12 (seeds tried in order,
# judged by the method's thresholds alone; 20150101 lacks one cell).
SEED = 20150102


@dataclasses.dataclass(frozen=True)
class Story:
    """Ranges (uniform draws) of a kind of import series."""

    name: str
    annual_growth: tuple[float, float]  # trend, per year (log scale)
    noise_sd: tuple[float, float]  # monthly lognormal noise
    shift: tuple[float, float] = (1.0, 1.0)  # level factor after the shift month
    bursts: tuple[int, int] = (0, 0)  # number of stockpiling months
    burst_size: tuple[float, float] = (1.0, 1.0)  # factor in a burst month


STORIES = (
    Story("steady growth", (0.08, 0.14), (0.04, 0.08)),
    Story("early step up", (-0.01, 0.02), (0.03, 0.06), shift=(1.8, 2.4)),
    Story("stockpiling", (0.05, 0.12), (0.08, 0.15), bursts=(4, 8), burst_size=(1.8, 2.8)),
    Story("decline", (-0.12, -0.05), (0.05, 0.10)),
    Story("flat, volatile", (-0.02, 0.03), (0.30, 0.45)),
    Story("flat, moderate", (-0.02, 0.03), (0.20, 0.28)),
    Story("flat, calm", (-0.02, 0.03), (0.05, 0.12)),
)
NEW_YEAR_DIP = (0.05, 0.15)  # share of a month's imports lost in January (half in February)
SHIFT_MONTH = (6, 24)  # month index of an early step up
ZERO_BASE_MONTHS = 2  # the new-line group: no imports in its first months


@dataclasses.dataclass(frozen=True)
class Draw:
    """The parameters drawn for one group."""

    group_id: int
    story: str
    annual_growth: float
    noise_sd: float
    new_year_dip: float
    shift: float
    shift_month: int
    bursts: tuple[int, ...]
    burst_size: float
    zero_base: bool


def deal_stories(group_ids: list[int], rng: np.random.Generator) -> dict[int, Story]:
    """Every story at least twice (while groups last), the rest at random, shuffled."""
    deck = [s for s in STORIES for _ in range(2)][: len(group_ids)]
    deck += [STORIES[i] for i in rng.integers(0, len(STORIES), len(group_ids) - len(deck))]
    order = rng.permutation(len(deck))
    return {g: deck[i] for g, i in zip(sorted(group_ids), order, strict=True)}


def draw(
    group_id: int, story: Story, n: int, rng: np.random.Generator, zero_base: bool = False
) -> Draw:
    """Draw one group's story parameters from the story's ranges."""
    k = int(rng.integers(story.bursts[0], story.bursts[1] + 1)) if story.bursts[1] else 0
    bursts = (
        tuple(
            sorted(int(b) for b in rng.choice(np.arange(12, n), size=min(k, n - 12), replace=False))
        )
        if k
        else ()
    )
    return Draw(
        group_id=group_id,
        story=story.name,
        annual_growth=float(rng.uniform(*story.annual_growth)),
        noise_sd=float(rng.uniform(*story.noise_sd)),
        new_year_dip=float(rng.uniform(*NEW_YEAR_DIP)),
        shift=float(rng.uniform(*story.shift)),
        shift_month=int(rng.integers(SHIFT_MONTH[0], SHIFT_MONTH[1] + 1)),
        bursts=bursts,
        burst_size=float(rng.uniform(*story.burst_size)),
        zero_base=zero_base,
    )


def series(d: Draw, months: list[str], level: float, rng: np.random.Generator) -> np.ndarray:
    """Imports (USD) per month for the draw, starting at about ``level``."""
    n = len(months)
    t = np.arange(n, dtype=float)
    calendar = np.array([int(m[5:7]) for m in months])
    x = level * np.exp(d.annual_growth * t / 12.0)
    x *= np.where(
        calendar == 1, 1 - d.new_year_dip, np.where(calendar == 2, 1 - d.new_year_dip / 2, 1.0)
    )
    x *= np.where(t >= d.shift_month, d.shift, 1.0)
    for b in d.bursts:
        x[b] *= d.burst_size
    x *= np.exp(rng.normal(-(d.noise_sd**2) / 2, d.noise_sd, n))
    if d.zero_base:
        x[:ZERO_BASE_MONTHS] = 0.0
    return x


def parameters(draws: list[Draw]) -> dict:
    """The seed, the stories' ranges and every group's draw, for reports."""
    return {
        "seed": SEED,
        "stories": [dataclasses.asdict(s) for s in STORIES],
        "new_year_dip": NEW_YEAR_DIP,
        "shift_month": SHIFT_MONTH,
        "zero_base_months": ZERO_BASE_MONTHS,
        "groups": [dataclasses.asdict(d) for d in draws],
    }
