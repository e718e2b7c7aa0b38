"""`a4kplay export SEASON_DIR --cluster HOST:PORT` on a real two-node Ray cluster.

The module starts one cluster for all its tests, as Ray's own tests do
(``ray.cluster_utils.Cluster``: a head and a second node, one CPU each, a small object
store, no dashboard), on the loopback address only: Ray's switch for one-machine clusters
(RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0, set before Ray is imported) keeps it from swapping
in the machine's interface address, and one test reads ``ss`` to check that no process of
the test listens or connects anywhere else. The season is two 2.5 s episodes (one VFR,
audio and subtitles each) and a file that is not a video. What is checked: the outputs
equal a one-process export frame for frame, at the input's times, with the input's audio
packets; a node killed while it encodes a segment costs a retry, not a frame; Ctrl+C
leaves no partial output and the rerun goes on from the segments it kept; a rerun of a
finished job does nothing; the bad file is one line and exit status 1.
"""
from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

from tests.media.season_export import LOOPBACK_ENV  # noqa: E402

os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")   # before Ray is imported
ray_cluster_utils = pytest.importorskip("ray.cluster_utils",
                                        reason="Ray is the optional extra a4kplay[cluster]")

from player.media.mediagen import psnr, read_index            # noqa: E402
from tests.media.season_export import (FRAMES, a4kplay, content, descendants,  # noqa: E402
                                       episodes, is_loopback, sockets_of, title)

pytestmark = pytest.mark.media

ARGS = ["--scale", "2", "--profile", "Fast", "--preset", "veryfast"]
LONG = 240            # frames of the Ctrl+C test's episodes
NODE = dict(num_cpus=1, object_store_memory=100 * 1024 * 1024, node_ip_address="127.0.0.1")


@pytest.fixture(scope="module")
def cluster():
    saved = {k: os.environ.get(k) for k in LOOPBACK_ENV}
    os.environ.update(LOOPBACK_ENV)       # the nodes and the drivers the tests start
    c = ray_cluster_utils.Cluster(initialize_head=True,
                                  head_node_args=dict(include_dashboard=False, **NODE))
    second = c.add_node(**NODE)
    try:
        yield c, second
    finally:
        c.shutdown()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture(scope="module")
def season(tmp_path_factory):
    """The season, and its one-process export (no Ray) to compare with."""
    root = tmp_path_factory.mktemp("season")
    good = episodes(root / "S")
    ref = root / "ref"
    p = a4kplay("export", root / "S", "-o", ref, *ARGS)
    _, err = p.communicate(timeout=600)
    assert p.returncode == 1, err.decode()
    return root, good, ref


def _raylet_pid(node) -> int:
    from ray._private import ray_constants
    return node.all_processes[ray_constants.PROCESS_TYPE_RAYLET][0].process.pid


def _busy_worker(raylet: int) -> int | None:
    """A worker process of that node while it runs a segment task."""
    for pid in descendants(raylet):
        if title(pid).startswith("ray::_run"):
            return pid
    return None


def _report(path: Path) -> dict:
    return json.loads(path.read_text())


def test_a_node_killed_mid_job_costs_a_retry_not_a_frame(cluster, season, tmp_path):
    c, second = cluster
    root, good, ref = season
    out, report = tmp_path / "out", tmp_path / "report.json"
    p = a4kplay("export", root / "S", "-o", out, *ARGS, "--segment-seconds", "1",
                "--cluster", c.address, "--json", report)
    raylet = _raylet_pid(second)
    deadline = time.monotonic() + 300
    while _busy_worker(raylet) is None:
        assert p.poll() is None, p.communicate()[1].decode()
        assert time.monotonic() < deadline, "the second node never ran a segment"
        time.sleep(0.01)
    # Loopback only: every socket of every process of this test (the nodes, their
    # workers, the driver) is on 127.0.0.1, listening or connected.
    mine = descendants(os.getpid())
    socks = sockets_of(mine)
    assert any(state == "LISTEN" for state, *_ in socks)
    assert any(state == "ESTAB" for state, *_ in socks)
    for state, local, peer in socks:
        assert is_loopback(local), (state, local, peer)
        if state != "LISTEN":
            assert is_loopback(peer), (state, local, peer)
    doomed = descendants(raylet)
    # The node dies with everything on it, the worker busy with a segment included
    # (a worker whose raylet is gone would otherwise finish its task and reply).
    c.remove_node(second, allow_graceful=False)
    for pid in doomed:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    _, err = p.communicate(timeout=600)
    err = err.decode()
    assert p.returncode == 1, err                        # the bad file
    assert f"{root / 'S' / 'ep3.mkv'}: not a media file" in err
    data = _report(report)
    files = {Path(f["input"]).name: f for f in data["files"]}
    assert files["ep3.mkv"]["status"] == "failed"
    assert [files[n]["status"] for n in ("ep1.mkv", "ep2.mkv")] == ["done", "done"]
    assert data["retries"] >= 1, data                     # the killed node's segment
    print(f"retries after the kill: {data['retries']}; nodes: "
          f"{sorted({n for f in data['files'] for n in f['nodes']})}")
    for src in good:
        a, b, r = content(src), content(out / src.name), content(ref / src.name)
        # every segment exactly once: frame k is frame k, at IN's time
        assert len(b["times"]) == FRAMES
        assert [read_index(img) for img in b["frames"]] == list(range(FRAMES))
        assert b["times"] == pytest.approx(a["times"], abs=0.0011)
        assert b["times"] == r["times"]
        assert b["audio"] == a["audio"] and b["subs"] == a["subs"]
        scores = [psnr(x, y) for x, y in zip(b["frames"], r["frames"])]
        assert min(scores) >= 38, scores
    assert sorted(os.listdir(out)) == [".a4kplay-export.json", "ep1.mkv", "ep2.mkv"]

    # A rerun does nothing: no cluster needed, nothing rewritten.
    before = {n: (out / n).stat().st_mtime_ns for n in ("ep1.mkv", "ep2.mkv")}
    p = a4kplay("export", root / "S", "-o", out, *ARGS, "--segment-seconds", "1",
                "--cluster", c.address)
    _, err = p.communicate(timeout=300)
    err = err.decode()
    assert p.returncode == 1
    assert f"{out / 'ep1.mkv'}: up to date" in err and f"{out / 'ep2.mkv'}: up to date" in err
    assert "0 exported" in err.splitlines()[-1]
    assert {n: (out / n).stat().st_mtime_ns for n in before} == before


def test_ctrl_c_leaves_no_partial_output_and_the_rerun_resumes(cluster, tmp_path):
    c, _ = cluster
    # episodes long enough that the job is still running when Ctrl+C lands, on a quiet
    # machine too (the shared 60-frame season was done in under 3 s)
    root = tmp_path / "long"
    good = episodes(root / "S", frames=LONG)
    out, report = tmp_path / "out", tmp_path / "report.json"
    p = a4kplay("export", root / "S", "-o", out, *ARGS, "--segment-seconds", "0.5",
                "--cluster", c.address)
    work = out / ".a4kplay-export"
    deadline = time.monotonic() + 300
    while not any(n.endswith(".bin") for _, _, names in os.walk(work) for n in names):
        assert p.poll() is None, p.communicate()[1].decode()
        assert time.monotonic() < deadline, "no segment was finished"
        time.sleep(0.02)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=120)
    assert p.returncode == 130, err.decode()
    assert "interrupted; no partial output" in err.decode()
    outputs = [n for n in os.listdir(out) if not n.startswith(".")]
    leftovers = [n for _, _, names in os.walk(out) for n in names if n.endswith(".part")]
    assert leftovers == []
    kept = sum(1 for _, _, names in os.walk(work) for n in names if n.endswith(".bin"))
    assert kept >= 1 or outputs
    # The same command again: only what is missing is made.
    p = a4kplay("export", root / "S", "-o", out, *ARGS, "--segment-seconds", "0.5",
                "--cluster", c.address, "--json", report)
    _, err = p.communicate(timeout=600)
    assert p.returncode == 1, err.decode()
    data = _report(report)
    reused = sum(f.get("reused") or 0 for f in data["files"])
    assert reused + sum(1 for f in data["files"] if f["status"] == "up to date") >= 1
    for src in good:
        b = content(out / src.name)
        assert [read_index(img) for img in b["frames"]] == list(range(LONG))
        assert b["audio"] == content(src)["audio"]
    assert not work.exists()
