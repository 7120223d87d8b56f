"""Simulated time of the emulator: spans of the clock cut into days, each drawn from its own random stream."""

from __future__ import annotations

import itertools

DAY = 86_400


def day_spans(start: int, end: int) -> list[tuple[int, int]]:
    """``[start, end)`` (seconds since the epoch) cut at UTC midnights; empty when ``end <= start``.

    Example:
        >>> day_spans(3_600, 2 * 86_400 + 60)
        [(3600, 86400), (86400, 172800), (172800, 172860)]
    """
    cuts = [start, *range((start // DAY + 1) * DAY, end, DAY), end]
    return [(a, b) for a, b in itertools.pairwise(cuts) if b > a]
