"""The frame cache: round trip with dtypes, expiry, atomic replacement, unreadable files and frames of another
schema (warned, never served), info and clear."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest

from apitoolkit.cache import CacheWarning, FrameCache, cache_info, clear_cache, query_key, schema_mismatch
from apitoolkit.exceptions import CacheError, InvalidArgumentError
from apitoolkit.frames import empty_frame, pages_to_frame
from apitoolkit.stores.files import DirectoryStore
from tests.helpers import USERS, cached, cached_meta, page, rec


@pytest.fixture
def frame() -> pd.DataFrame:
    return pages_to_frame([page(rec(1), rec(2, reputation=None))], USERS)


def test_frame_cache__round_trip_keeps_dtypes(tmp_path: Path, frame: pd.DataFrame) -> None:
    fc = FrameCache(tmp_path)
    fc.put("users-x", frame, ttl=60)
    back = fc.get("users-x")
    assert back is not None
    pd.testing.assert_frame_equal(back.frame, frame)
    assert back.expires_at - back.stored_at == pytest.approx(60)


def test_frame_cache__expired_is_a_miss_unless_allowed(tmp_path: Path, frame: pd.DataFrame) -> None:
    fc = FrameCache(tmp_path)
    fc.put("k", frame, ttl=0.05)
    time.sleep(0.1)
    assert fc.get("k") is None
    assert fc.get("k", allow_expired=True) is not None


def test_frame_cache__replace_is_atomic_and_leaves_no_temp_files(tmp_path: Path, frame: pd.DataFrame) -> None:
    fc = FrameCache(tmp_path)
    fc.put("k", frame, ttl=60)
    fc.put("k", frame.iloc[:1], ttl=60)
    assert len(cached(fc, "k").frame) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["k.parquet"]


def test_frame_cache__corrupt_file_is_a_miss_with_a_warning_naming_it(tmp_path: Path, frame: pd.DataFrame) -> None:
    fc = FrameCache(tmp_path)
    fc.put("k", frame, ttl=60)
    (tmp_path / "k.parquet").write_bytes(b"PAR1 garbage")
    with pytest.warns(CacheWarning, match=f"{tmp_path / 'k.parquet'} could not be read"):
        assert fc.get("k") is None


def test_frame_cache__warns_once_per_entry_and_reason(tmp_path: Path, frame: pd.DataFrame) -> None:
    fc = FrameCache(tmp_path)
    fc.put("k", frame, ttl=60)
    (tmp_path / "k.parquet").write_bytes(b"PAR1 garbage")
    with pytest.warns(CacheWarning) as record:
        assert fc.get("k") is None and fc.get("k", allow_expired=True) is None
    assert len(record) == 1


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda f: f.drop(columns=["reputation"]), "lacks the column reputation"),
        (lambda f: f.astype({"id": "float64"}), "holds id as Float64, not Int64"),
    ],
    ids=["missing", "dtype"],
)
def test_frame_cache__frame_of_another_schema_is_not_served(
    tmp_path: Path, frame: pd.DataFrame, change: object, reason: str
) -> None:
    fc = FrameCache(tmp_path)
    fc.put("k", change(frame), ttl=60)  # type: ignore[operator]
    assert fc.get("k") is not None  # without a schema, anything readable is served
    with pytest.warns(CacheWarning, match=reason):
        assert fc.get("k", schema=USERS) is None


def test_frame_cache__the_schema_columns_in_another_order_are_served_in_its_order(
    tmp_path: Path, frame: pd.DataFrame
) -> None:
    fc = FrameCache(tmp_path)
    shuffled = frame.assign(unknown=1)[[frame.columns[1], "unknown", frame.columns[0], *frame.columns[2:]]]
    fc.put("k", shuffled, ttl=60)
    hit = fc.get("k", schema=USERS, allow_expired=True)
    assert hit is not None
    assert list(hit.frame.columns) == [*USERS.columns, "unknown"]
    pd.testing.assert_frame_equal(hit.frame[USERS.columns], frame[USERS.columns])


def test_frame_cache__frame_of_the_schema_is_served_with_extra_columns(tmp_path: Path, frame: pd.DataFrame) -> None:
    fc = FrameCache(tmp_path)
    fc.put("k", frame.assign(unknown_attribute="x"), ttl=60)
    fc.put("empty", empty_frame(USERS), ttl=60)
    assert fc.get("k", schema=USERS) is not None
    assert fc.get("empty", schema=USERS) is not None


def test_schema_mismatch__loader_frames_fit_their_schema(frame: pd.DataFrame) -> None:
    assert schema_mismatch(frame, USERS) is None
    assert schema_mismatch(empty_frame(USERS), USERS) is None


def test_frame_cache__unwritable_directory_is_cache_error(tmp_path: Path, frame: pd.DataFrame) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(CacheError, match="APITOOLKIT_CACHE"):
        FrameCache(blocker / "sub").put("k", frame, ttl=60)


def test_query_key__stable_and_distinct() -> None:
    assert query_key("logs", {"a": 1, "b": [1, 2]}) == query_key("logs", {"b": [1, 2], "a": 1})
    assert query_key("logs", {"a": 1}) != query_key("logs", {"a": 2})


def test_cache_info__empty_cache_has_columns(cache_dir: Path) -> None:
    info = cache_info()
    assert info.empty and list(info.columns) == ["service", "account", "kind", "files", "bytes", "updated", "path"]
    assert clear_cache() == 0


def test_frame_cache__arrow_format_round_trip_and_meta(tmp_path: Path, frame: pd.DataFrame) -> None:
    fc = FrameCache(tmp_path, fmt="arrow")
    fc.put("k", frame, ttl=60, extra={"cursor": "123"})
    assert (tmp_path / "k.arrow").exists()
    pd.testing.assert_frame_equal(cached(fc, "k").frame, frame)
    assert cached_meta(fc, "k")["extra"] == {"cursor": "123"}
    stored = fc.get_table("k")
    assert stored is not None
    table, meta = stored
    assert table.num_rows == len(frame) and meta["extra"]["cursor"] == "123"
    (tmp_path / "k.arrow").write_bytes(b"ARROW1 garbage")
    with pytest.warns(CacheWarning, match="could not be read"):
        assert fc.get("k") is None
    assert fc.meta("k") is None


def test_frame_cache__unknown_format() -> None:
    with pytest.raises(ValueError, match="parquet"):
        FrameCache(Path("/tmp"), fmt="csv")


def test_frame_cache__store_keeps_its_own_format(tmp_path: Path, frame: pd.DataFrame) -> None:
    store = DirectoryStore(tmp_path, fmt="arrow")
    fc = FrameCache(store)
    fc.put("k", frame, ttl=60)
    assert fc.fmt == "arrow" and fc.where == str(tmp_path) and store.path("k").exists()
    with pytest.raises(ValueError, match="arrow"):
        FrameCache(store, fmt="parquet")


def test_clear_cache__a_service_the_registry_does_not_know_is_refused(tmp_path: Path, frame: pd.DataFrame) -> None:
    FrameCache(tmp_path / "frames" / "itglue-0123").put("users-abc", frame, ttl=60)
    with pytest.raises(InvalidArgumentError, match="itglue") as caught:
        clear_cache("it-glue", cache=tmp_path)
    assert "it-glue" in str(caught.value)
    assert clear_cache("itglue", cache=tmp_path) > 0  # nothing was deleted by the refused call
