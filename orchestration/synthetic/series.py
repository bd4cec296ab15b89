"""Monthly series with a chosen growth index G and volatility index V.

The bundled data is synthetic (no product-level China trade is public here), so it is
shaped to demonstrate the method of seed 000: every pattern and every volatility tier
occurs. The targets below mirror the published pattern matrix (METHOD.md section 4), so
the default run's matrix can be read against the study's; the figures remain synthetic.
"""

import numpy as np

# group_id -> (target G, target V). Published cells: high G & high V, high G & medium V,
# high G & low V, low G at each tier.
GROUP_TARGETS: dict[int, tuple[float, float]] = {
    3: (1.20, 0.42),  # Silicon Processing: stockpiling / policy disturbance
    4: (0.95, 0.36),  # Energy Equipment
    6: (1.40, 0.48),  # Lithography for Electronics
    8: (1.10, 0.40),  # Cleanroom Process Equipment
    11: (1.00, 0.38),  # Hot or Cold Process Equipment
    17: (1.30, 0.45),  # Medicaments
    2: (0.85, 0.27),  # Integrated Circuits: no discernable effect, medium V
    5: (0.80, 0.26),  # Laser or Optical Measurement Devices
    15: (0.75, 0.28),  # Medical and Bio Precision Equipment
    9: (0.60, 0.20),  # Fluid Control Equipment: no discernable effect, low V
    16: (0.20, 0.40),  # Aviation and Aerospace: import substitution, high V
    1: (0.25, 0.27),  # Passive Components: medium V
    7: (0.10, 0.26),  # Telecommunication Equipment
    10: (0.15, 0.15),  # Bearings and Alloy Steel: low V
    12: (0.30, 0.16),  # Polymers
    13: (0.35, 0.18),  # Batteries and Components
    14: (0.05, 0.12),  # Automotive and Power Systems
}


def growth_index(x: np.ndarray) -> float:
    """G with linear weights w_t = t and the first period as base (METHOD.md 3.3)."""
    t = np.arange(1, len(x) + 1, dtype=float)
    return float(np.sum(t * (x - x[0]) / x[0]) / np.sum(t))


def volatility_index(x: np.ndarray) -> float:
    """V = sample SD over mean (METHOD.md 3.2)."""
    return float(np.std(x, ddof=1) / np.mean(x))


def _bisect(f, lo: float, hi: float, steps: int = 60) -> float:
    for _ in range(steps):
        mid = (lo + hi) / 2
        if f(mid) > 0:
            hi = mid
        else:
            lo = mid
    return (lo + hi) / 2


def shaped_series(
    n: int, target_g: float, target_v: float, rng: np.random.Generator, base: float = 1.0
) -> np.ndarray:
    """A positive series of n months whose G and V hit the targets (to about 1e-3).

    A linear trend sets G; a noise shape with a few stockpiling bursts sets V. The first
    month carries no noise so the base of G stays where the trend puts it.
    """
    t = np.arange(n, dtype=float)
    shape = rng.normal(0.0, 1.0, n)
    bursts = rng.choice(np.arange(12, n), size=max(1, n // 40), replace=False)
    shape[bursts] += 3.0
    shape[0] = 0.0
    shape -= np.average(shape[1:]) * (t > 0)
    shape[0] = 0.0

    def build(slope: float, amp: float) -> np.ndarray:
        trend = 1.0 + slope * t / max(n - 1, 1)
        return base * np.clip(trend * (1.0 + amp * shape), 0.05, None)

    slope, amp = 1.5 * target_g, 0.1
    for _ in range(8):
        amp = _bisect(lambda a, s=slope: volatility_index(build(s, a)) - target_v, 0.0, 3.0)
        slope = _bisect(lambda s, a=amp: growth_index(build(s, a)) - target_g, -0.9, 6.0)
    return build(slope, amp)
