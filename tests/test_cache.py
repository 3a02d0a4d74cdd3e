"""cache.py: keys, verified reads, corruption recovery, atomic and concurrent writes."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

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
