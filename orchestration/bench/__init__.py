"""``chokepoint bench``: the generated scale sets, the measured runs and the README table."""
