"""Case ``flatten``: JSON:API page bodies to one frame, apitoolkit against json_normalize and the Arrow floor.

Each prepare function imports what its contender needs and loads the page bytes from disk (untimed); the
returned callable is the timed work.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from benchmarks import data
from benchmarks.harness import Case, Contender, Stats, Target, ratio

Work = Callable[[], Any]


def setup(records: int) -> None:
    """Generate the pages once."""
    data.ensure_pages(records)


def json_normalize(records: int) -> Work:
    """What users write today: ``json.loads`` every page, then ``pd.json_normalize`` of all records."""
    import json

    import pandas as pd

    pages = data.load_pages(records)

    def work() -> pd.DataFrame:
        rows: list[dict[str, Any]] = []
        for page in pages:
            rows.extend(json.loads(page)["data"])
        return pd.json_normalize(rows)

    return work


def pyarrow_floor(records: int) -> Work:
    """The floor: pages joined by newlines and parsed by ``pyarrow.json.read_json``; no schema, no pandas."""
    import io

    import pyarrow.json as pj

    pages = data.load_pages(records)
    return lambda: pj.read_json(io.BytesIO(b"\n".join(pages)))


def apitoolkit(records: int) -> Work:
    """``apitoolkit.frames.pages_to_frame(pages, schema)``."""
    from apitoolkit.frames import pages_to_frame

    pages = data.load_pages(records)
    schema = data.schema()
    return lambda: pages_to_frame(pages, schema)


def _memory_over_frame(stats: dict[str, Stats]) -> float:
    s = stats["apitoolkit"]
    return s.increase_median / (s.result_bytes or 1)


def build(records: int) -> Case:
    """The case for ``records`` records."""
    kwargs = {"records": records}
    here = __name__
    return Case(
        name="flatten",
        contenders=[
            Contender("json_normalize", f"{here}:json_normalize", kwargs),
            Contender("pyarrow_floor", f"{here}:pyarrow_floor", kwargs),
            Contender("apitoolkit", f"{here}:apitoolkit", kwargs),
        ],
        setup=f"{here}:setup",
        setup_kwargs=kwargs,
        targets=[
            Target("apitoolkit speed-up over json_normalize", ratio("json_normalize", "apitoolkit"), ">=", 5),
            Target("apitoolkit time / pyarrow_floor time", ratio("apitoolkit", "pyarrow_floor"), "<=", 1.5),
            Target("apitoolkit peak RSS increase / frame deep memory", _memory_over_frame, "<", 2),
        ],
    )
