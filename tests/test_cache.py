"""cache.py: keys, verified reads, corruption recovery, atomic and concurrent writes."""

from __future__ import annotations

import multiprocessing
import sys
from pathlib import Path

import pytest

from printedition.cache import Store, cache_key, code_version


def test_keys_depend_on_every_part_and_the_code_version() -> None:
    a = cache_key("model", b"page", "https://x", code="c1")
    assert a == cache_key("model", b"page", "https://x", code="c1")
    assert a != cache_key("model", b"page", "https://y", code="c1")
    assert a != cache_key("model", b"page", "https://x", code="c2")
    assert a != cache_key("image", b"page", "https://x", code="c1")
    assert cache_key("k", "ab", "c", code="c") != cache_key("k", "a", "bc", code="c")
    assert cache_key("k", {"b": 1, "a": 2}, code="c") == cache_key("k", {"a": 2, "b": 1}, code="c")
    assert len(code_version()) == 20


def test_round_trip_and_miss(tmp_path: Path) -> None:
    store = Store(tmp_path)
    key = cache_key("epub", b"x")
    assert store.get("epub", key) is None
    store.put("epub", key, b"payload")
    assert store.get("epub", key) == b"payload"
    assert (store.stats.hits, store.stats.misses, store.stats.writes) == (1, 1, 1)
    assert not list(tmp_path.rglob("*.part"))


def test_truncated_and_corrupt_entries_are_discarded_and_reported(tmp_path: Path) -> None:
    store = Store(tmp_path)
    k1, k2, k3 = (cache_key("pdf", str(i)) for i in range(3))
    for k in (k1, k2, k3):
        store.put("pdf", k, b"%PDF-1.7 " + k.encode() * 50)
    p1, p2, p3 = (store.path("pdf", k) for k in (k1, k2, k3))
    p1.write_bytes(p1.read_bytes()[:-100])  # truncated
    data = bytearray(p2.read_bytes())
    data[-10] ^= 0xFF  # one flipped byte
    p2.write_bytes(bytes(data))
    p3.write_bytes(b"")  # emptied by a crash of some other tool
    assert store.get("pdf", k1) is None and store.get("pdf", k2) is None
    assert store.get("pdf", k3) is None
    assert not p1.exists() and not p2.exists() and not p3.exists()
    assert [p.code for p in store.problems] == ["cache-corrupt"] * 3
    assert store.stats.corrupt == 3
    store.put("pdf", k1, b"rebuilt")
    assert store.get("pdf", k1) == b"rebuilt"


def test_json_helpers(tmp_path: Path) -> None:
    store = Store(tmp_path)
    key = cache_key("report", "a")
    store.put_json("report", key, {"b": [1, 2], "a": "é"})
    assert store.get_json("report", key) == {"a": "é", "b": [1, 2]}


def test_disabled_store_never_hits(tmp_path: Path) -> None:
    store = Store(tmp_path, enabled=False)
    key = cache_key("x", "y")
    store.put("x", key, b"1")
    assert store.get("x", key) is None and not any(tmp_path.iterdir())


def _hammer(root: str, worker: int, rounds: int) -> int:
    store = Store(Path(root))
    bad = 0
    for i in range(rounds):
        key = cache_key("shared", str(i % 5))
        payload = (str(i % 5) * 20000).encode()
        store.put("shared", key, payload)
        got = store.get("shared", key)
        if got is not None and got != payload:
            bad += 1
    return bad + store.stats.corrupt


def test_two_processes_sharing_one_cache_never_see_partial_entries(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        results = pool.starmap(_hammer, [(str(tmp_path), w, 150) for w in range(2)])
    assert results == [0, 0]
    assert not list(tmp_path.rglob("*.part")) and not list(tmp_path.rglob(".*"))


# --- where the cache lives, and pruning it ------------------------------------------------------


def _aged(path: Path, seconds_ago: float) -> None:
    import os
    import time

    when = time.time() - seconds_ago
    os.utime(path, (when, when))


def test_prune_removes_the_least_recently_used_first(tmp_path: Path) -> None:
    from printedition.cache import prune

    store = Store(tmp_path)
    keys = [cache_key("pdf", str(i)) for i in range(4)]
    for age, key in zip((400, 300, 200, 100), keys, strict=True):
        store.put("pdf", key, b"x" * 1000)
        _aged(store.path("pdf", key), age)
    # The oldest entry was read just now: it is the most recently used.
    assert store.get("pdf", keys[0]) is not None
    entry = store.path("pdf", keys[0]).stat().st_size
    result = prune(tmp_path, 2 * entry)
    assert result.removed == 2 and result.entries == 2
    assert [store.path("pdf", k).exists() for k in keys] == [True, False, False, True]
    assert result.size == 2 * entry


def test_prune_deletes_only_what_the_cache_wrote(tmp_path: Path) -> None:
    """A --cache-dir pointed at the wrong folder must not cost a user their files."""
    from printedition.cache import prune

    store = Store(tmp_path)
    key = cache_key("epub", "a")
    store.put("epub", key, b"y" * 500)
    mine = tmp_path / "notes.txt"
    mine.write_text("my own file")
    deep = tmp_path / "photos" / "ab" / "holiday.jpg"
    deep.parent.mkdir(parents=True)
    deep.write_bytes(b"jpeg")
    fresh_part = tmp_path / "epub" / "ab"
    fresh_part.mkdir(parents=True, exist_ok=True)
    live = fresh_part / ".x.part"  # a write in progress in another build
    live.write_bytes(b"half")
    stale = fresh_part / ".y.part"  # a killed build's
    stale.write_bytes(b"half")
    _aged(stale, 2 * 3600)
    result = prune(tmp_path, 0)
    assert mine.exists() and deep.exists() and live.exists()
    assert not stale.exists()
    assert not store.path("epub", key).exists()
    assert result.entries == 0 and result.removed == 2


def test_sizes_are_read_as_people_write_them() -> None:
    from printedition.cache import parse_size
    from printedition.errors import ConfigError

    assert parse_size("1000") == 1000
    assert parse_size("500M") == 500 * 1024**2
    assert parse_size("2G") == parse_size("2GB") == parse_size("2GiB") == 2 * 1024**3
    assert parse_size("1.5k") == 1536
    with pytest.raises(ConfigError):
        parse_size("lots")


def test_the_cache_lives_in_the_platform_cache_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    import platformdirs

    from printedition.cache import default_cache_dir

    monkeypatch.delenv("PRINTEDITION_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", "/xdg/cache")
    assert default_cache_dir() == platformdirs.user_cache_path("printedition", appauthor=False)
    if sys.platform.startswith("linux"):
        assert default_cache_dir() == Path("/xdg/cache/printedition")
    monkeypatch.setenv("PRINTEDITION_CACHE", "/somewhere/else")
    assert default_cache_dir() == Path("/somewhere/else")


def test_cache_prune_command(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from printedition.cli import main

    store = Store(tmp_path / "c")
    for i in range(3):
        store.put("model", cache_key("model", str(i)), b"z" * 2000)
    result = CliRunner().invoke(
        main, ["cache", "prune", "--max-size", "3k", "--cache-dir", str(tmp_path / "c")]
    )
    assert result.exit_code == 0, result.output
    assert "removed 2 file(s)" in result.output and "1 entries" in result.output
    assert len(store.entries()) == 1
    bad = CliRunner().invoke(
        main, ["cache", "prune", "--max-size", "huge", "--cache-dir", str(tmp_path)]
    )
    assert bad.exit_code == 2
    assert bad.stderr.startswith("Error: size 'huge'")
