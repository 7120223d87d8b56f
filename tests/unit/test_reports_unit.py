"""Report helpers without a kernel: the header a report opens with, its setup, failures and file modes."""

from __future__ import annotations

import stat
import warnings
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest

from apitoolkit.exceptions import InvalidArgumentError, StaleDataWarning
from apitoolkit.reports import (
    REPORTS,
    SOURCE_WORDS,
    _failure,
    _keep_failed,
    _write_atomically,
    report_header,
    report_parameters,
    report_setup,
)


def _frame(rows: int, **info: object) -> pd.DataFrame:
    frame = pd.DataFrame({"id": range(rows)})
    frame.attrs["apitoolkit"] = dict(info)
    return frame


def test_report_header__as_of_sources_freshness_and_parameters() -> None:
    header = report_header(
        parameters={"horizon": 90, "organization": None, "tz": "Europe/London", "roles": ["Editor"]},
        now=pd.Timestamp("2026-12-04 20:31:59", tz="UTC"),
        users=_frame(40, source="network"),
        hitask_items=_frame(1, source="delta"),
        logs=_frame(3000, source="frame-cache", stored_at="2026-12-04T19:02:10+00:00"),
        organizations=_frame(12, source="http-cache"),
        expirations=_frame(300, source="stale-cache", stored_at="2026-12-01T08:15+00:00"),
        derived=pd.DataFrame({"id": [1, 2]}),
    )
    assert header.splitlines() == [
        "As of 2026-12-04 20:31 UTC.",
        "",
        "Sources:",
        "",
        "- users: 40 rows from the API, fresh",
        "- hitask items: 1 row synced with the API (changes only), fresh",
        "- logs: 3,000 rows from the cache stored 2026-12-04 19:02 UTC",
        "- organizations: 12 rows from the HTTP cache",
        "- expirations: 300 rows **stale: the API could not be reached, cached copy from 2026-12-01 08:15 UTC**",
        "- derived: 2 rows from an unknown source",
        "",
        r"Parameters: horizon=90, organization=default, tz=Europe/London, roles=\['Editor'\].",
    ]


def test_report_header__now_in_another_zone_or_naive_and_by_default() -> None:
    assert report_header(parameters={}, now="2026-06-01T09:05:00+02:00").startswith("As of 2026-06-01 07:05 UTC.\n")
    assert report_header(parameters={}, now=datetime(2026, 6, 1, 9, 5)).startswith("As of 2026-06-01 09:05 UTC.")
    before = datetime.now(UTC).replace(second=0, microsecond=0)
    first = report_header(parameters={}).splitlines()[0]
    stamp = datetime.strptime(first, "As of %Y-%m-%d %H:%M UTC.").replace(tzinfo=UTC)
    assert before <= stamp <= datetime.now(UTC)
    assert report_header(parameters={}, now="2026-06-01").splitlines()[-1] == "Parameters: none."


def test_report_header__markdown_in_values_is_shown_as_text() -> None:
    header = report_header(parameters={"organization": "*Acme* <b>_Ltd_</b>"}, now="2026-01-01")
    assert header.endswith(r"organization=\*Acme\* \<b\>\_Ltd\_\</b\>.")


def test_report_header__uses_the_words_of_describe_sources() -> None:
    for source, words in SOURCE_WORDS.items():
        if source != "stale-cache":
            assert words in report_header(parameters={}, now="2026-01-01", data=_frame(2, source=source))


def test_report_setup__silences_stale_and_glyph_warnings_and_sets_display(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(warnings, "filters", list(warnings.filters))
    with pd.option_context("display.max_columns", 3, "display.width", 80):
        report_setup()
        assert (pd.get_option("display.max_columns"), pd.get_option("display.width")) == (12, 160)
        with warnings.catch_warnings(record=True) as caught:
            warnings.warn("users: IT Glue could not be reached", StaleDataWarning, stacklevel=1)
            warnings.warn(
                "Glyph 32874 (\\N{CJK UNIFIED IDEOGRAPH-806A}) missing from font(s) DejaVu Sans.",
                UserWarning,
                stacklevel=1,
            )
            warnings.warn("something else", UserWarning, stacklevel=1)
        assert [str(w.message) for w in caught] == ["something else"]


def test_write_atomically__files_are_world_readable(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    _write_atomically(target, "<p>ok</p>")
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert list(tmp_path.iterdir()) == [target]


def test_keep_failed__keeps_the_executed_notebook_and_removes_an_older_html(tmp_path: Path) -> None:
    work, out = tmp_path / "work", tmp_path / "out"
    work.mkdir()
    out.mkdir()
    (work / "expirations.ipynb").write_text('{"cells": []}')
    (out / "expirations.html").write_text("old")
    (out / "reputation.html").write_text("another report")
    kept = _keep_failed(work / "expirations.ipynb", "expirations", out)
    assert kept == out / "expirations.ipynb" and kept.read_text() == '{"cells": []}'
    assert sorted(p.name for p in out.iterdir()) == ["expirations.ipynb", "reputation.html"]


def test_keep_failed__without_an_executed_notebook_removes_the_old_one(tmp_path: Path) -> None:
    (tmp_path / "expirations.ipynb").write_text("old")
    (tmp_path / "expirations.html").write_text("old")
    assert _keep_failed(tmp_path / "missing.ipynb", "expirations", tmp_path) is None
    assert list(tmp_path.iterdir()) == []


def test_failure__names_the_cell_the_notebook_and_the_setting_a_notebook_user_sets() -> None:
    class CellError(Exception):
        ename, evalue, exec_count = "ServerError", "IT Glue 503: cached data stays usable with offline=True.", 4

    message = str(_failure("expirations", CellError(), Path("reports/expirations.ipynb")))
    assert message == (
        "Report 'expirations' failed in cell [4]: ServerError: IT Glue 503: cached data stays usable with "
        "APITOOLKIT_OFFLINE=1. Open the executed notebook reports/expirations.ipynb to see the cell and its output."
    )
    assert "no executed notebook" in str(_failure("expirations", RuntimeError("dead"), None))


def test_report_parameters__defaults_and_help_of_every_report() -> None:
    expirations = report_parameters("expirations")
    assert expirations["horizon"][0] == "90" and expirations["horizon"][1]
    for name in REPORTS:
        assert report_parameters(name), name
    with pytest.raises(InvalidArgumentError, match="Unknown report weekly"):
        report_parameters("weekly")


def test_report_header__times_and_dates_as_parameters_read_as_text() -> None:
    header = report_header(
        parameters={"now": pd.Timestamp("2026-12-01 09:00", tz="UTC"), "end": date(2026, 11, 30)}, now="2026-12-04"
    )
    assert header.endswith("Parameters: now=2026-12-01 09:00:00+00:00, end=2026-11-30.")
