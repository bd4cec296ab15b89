"""Chokepoint: China's technology import dependence, as an orchestrated pipeline."""
