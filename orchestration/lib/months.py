"""Calendar months as 'YYYY-MM' strings: the partition keys of every monthly table."""


def months_between(start: str, end: str) -> list[str]:
    """Every 'YYYY-MM' from ``start`` to ``end``, both included (none when end < start)."""
    y, m = int(start[:4]), int(start[5:7])
    out = []
    while (y, m) <= (int(end[:4]), int(end[5:7])):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def previous_month(month: str) -> str:
    """The month before ``month``."""
    y, m = int(month[:4]), int(month[5:7])
    return f"{y - (m == 1):04d}-{12 if m == 1 else m - 1:02d}"
