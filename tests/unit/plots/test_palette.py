"""Colours that separate: every palette checked under simulated colour-vision deficiencies and against white.

Distances are CAM02-UCS ΔE (``colorspacious.deltaE``), where about 1 is a just-noticeable difference. Two colours
that must read as different categories at a glance, in a small legend swatch or a thin bar, need far more than
that: we require ΔE > 20 between the colours that must be told apart (about the distance between Okabe & Ito's
orange and vermillion with normal vision, which readers do tell apart) under normal vision and under full
(severity 100) deuteranopia, protanopia and tritanopia. Each colour must also stand out from the white
background by ΔE > 30, so nothing is faint on paper: the old 31-60 yellow (#F0E442) was only 16 away from white.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from matplotlib.colors import to_rgb

from apitoolkit.analysis.expirations import BUCKET_BOUNDS
from apitoolkit.plots.style import ACTION_COLORS, PALETTE, ROLE_COLORS, URGENCY

colorspacious = pytest.importorskip("colorspacious")  # a test dependency: installed by `make test`

APART = 20.0  # CAM02-UCS ΔE between colours that must be told apart, in every kind of vision
FROM_WHITE = 30.0  # CAM02-UCS ΔE of every colour from the white page
VISIONS = (None, "deuteranomaly", "protanomaly", "tritanomaly")


def seen(colour: str, vision: str | None) -> np.ndarray:
    """``colour`` as sRGB (0-1) seen with ``vision``: None for normal, else a full deficiency of that type."""
    rgb = np.array(to_rgb(colour))
    if vision is None:
        return rgb
    space = {"name": "sRGB1+CVD", "cvd_type": vision, "severity": 100}
    return np.clip(colorspacious.cspace_convert(rgb, space, "sRGB1"), 0, 1)


def distance(a: str, b: str, vision: str | None) -> float:
    return float(colorspacious.deltaE(seen(a, vision), seen(b, vision), input_space="sRGB1"))


def too_close(pairs: list[tuple[str, str]]) -> list[tuple[str, str, str | None, float]]:
    """The pairs closer than ``APART`` in some vision, with that vision and distance."""
    found = [(a, b, v, distance(a, b, v)) for a, b in pairs for v in VISIONS]
    return [(a, b, v, round(d, 1)) for a, b, v, d in found if d <= APART]


def faint(colours: list[str]) -> list[tuple[str, str | None, float]]:
    found = [(c, v, float(colorspacious.deltaE(seen(c, v), [1.0, 1.0, 1.0], input_space="sRGB1")))
             for c in colours for v in VISIONS]  # fmt: skip
    return [(c, v, round(d, 1)) for c, v, d in found if d <= FROM_WHITE]


def test_urgency__one_colour_per_bucket_neighbours_apart_and_none_faint() -> None:
    assert len(URGENCY) == len(BUCKET_BOUNDS) + 2  # expired, one per bound, later
    assert too_close(list(itertools.pairwise(URGENCY))) == []
    assert faint(list(URGENCY)) == []


def test_urgency__the_check_fails_for_the_old_palette() -> None:
    old = ["#D55E00", "#E69F00", "#F0E442", "#56B4E9", "#009E73"]  # expired and 0-30: two near-identical oranges
    assert too_close(list(itertools.pairwise(old)))
    assert faint(old)


def test_palette__every_pair_apart_and_none_faint() -> None:
    assert too_close(list(itertools.combinations(PALETTE, 2))) == []
    assert faint(list(PALETTE)) == []


@pytest.mark.parametrize("fixed", [ROLE_COLORS, ACTION_COLORS], ids=["roles", "actions"])
def test_fixed_colours__every_pair_apart_and_none_faint(fixed: dict[str, str]) -> None:
    assert too_close(list(itertools.combinations(fixed.values(), 2))) == []
    assert faint(list(fixed.values())) == []
