"""`a4kplay export SEASON_DIR --cluster ADDRESS`: the segments as Ray tasks.

This module is the only one that imports Ray (an optional extra: ``pip install
'a4kplay[cluster]'``), and only when --cluster is given. It owns the connection (``local``
starts a one-machine Ray on the loopback address; any other ADDRESS is a running cluster's
head, ``HOST:PORT``), the task (tools/export_segments.py's ``encode_segment`` in a Ray
worker, asking for one GPU where the cluster has GPUs, else one CPU), Ray's retries of a
task whose worker or node died, and each result's attempt number (the report's retries). What a task does and how results are kept and joined is export_segments.py's.

Loopback: Ray swaps a loopback address for the machine's interface address, both when a
driver connects to ``127.0.0.1:PORT`` and when ``local`` starts a node, unless its switch
for one-machine clusters, the environment variable RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0,
is set before Ray is imported. It is set here for ``local`` and for a loopback ADDRESS (a
user's setting wins), so such a job never listens or connects beyond 127.0.0.1.
"""
from __future__ import annotations

import logging
import os
import socket

from player.base.errors import A4kError
from player.tools.export_segments import SegmentResult, SegmentWork, encode_segment

MAX_RETRIES = 5                # per task, for a worker or node that dies under it
_LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")
_SWITCH = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"


class SegmentFailed:
    """A worker's answer for a segment that cannot be made (bad data): the file fails."""

    def __init__(self, index: int, message: str):
        self.index, self.message = index, message


def _host_port(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise A4kError(f"--cluster {address!r} is not HOST:PORT or 'local'",
                       hint="the head's address, as `ray start --head` prints it")
    return host.strip("[]"), int(port)


def _import_ray(loopback: bool, local: bool):
    if loopback:
        os.environ.setdefault(_SWITCH, "0")
    if local:   # a cluster we start is ours: it reports no usage statistics to Ray's site
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    try:
        import ray
    except ImportError:
        raise A4kError("--cluster needs Ray, which is not installed",
                       hint="pip install 'a4kplay[cluster]'") from None
    return ray


def _attempt() -> int:
    """This task's attempt, 1 for the first run (Ray counts retries from 0). Ray has it
    only on its core worker, not in the public runtime context."""
    try:
        from ray._private.worker import global_worker
        return int(global_worker.core_worker.get_current_task_attempt_number()) + 1
    except Exception:   # a report detail: never fail a segment for it
        return 1


def _run(work: SegmentWork):
    """The Ray task (module level, so workers import it by name)."""
    import ray
    node = f"{ray.util.get_node_ip_address()}/{ray.get_runtime_context().get_node_id()[:8]}"
    try:
        result = encode_segment(work)
    except A4kError as e:
        return SegmentFailed(work.index, str(e))
    result.node, result.attempts = node, _attempt()
    return result


class RayRunner:
    """Submit SegmentWork, wait for results; ``close()`` disconnects (and stops a cluster
    that ``local`` started)."""

    def __init__(self, address: str):
        loopback = address == "local"
        if not loopback:
            host, port = _host_port(address)
            loopback = host in _LOOPBACK
            try:
                socket.create_connection((host, port), timeout=5).close()
            except OSError as e:
                raise A4kError(f"cannot reach the Ray cluster at {address}: "
                               f"{e.strerror or e}",
                               hint="start it with `ray start --head`, or use --cluster "
                                    "local") from None
        self.ray = ray = _import_ray(loopback, address == "local")
        kw = dict(logging_level=logging.ERROR, log_to_driver=False)
        try:
            if address == "local":
                ray.init(include_dashboard=False, **kw)
            else:
                ray.init(address=address, **kw)
        except Exception as e:   # Ray raises plain Exception when its node does not start
            try:
                ray.shutdown()
            except Exception:
                pass
            what = "start Ray on this machine" if address == "local" else \
                f"connect to the Ray cluster at {address}"
            first = (str(e).strip().splitlines() or [type(e).__name__])[0]
            raise A4kError(f"cannot {what}: {first}") from None
        self.address = address
        res = ray.cluster_resources()
        self.gpus = int(res.get("GPU", 0))
        self.slots = max(1, self.gpus or int(res.get("CPU", 1)))
        self.nodes = len([n for n in ray.nodes() if n.get("Alive")])
        self._task = ray.remote(_run).options(
            max_retries=MAX_RETRIES, num_gpus=1 if self.gpus else 0, num_cpus=1)

    def describe(self) -> str:
        def n(count: int, word: str) -> str:
            return f"{count} {word}{'s' if count != 1 else ''}"
        what = n(self.gpus, "GPU") if self.gpus else n(self.slots, "CPU") + ", no GPU"
        return f"Ray cluster at {self.address}: {n(self.nodes, 'node')}, {what}"

    def submit(self, work: SegmentWork):
        return self._task.remote(work)

    def wait(self, handles: list, timeout: float) -> list:
        done, _ = self.ray.wait(handles, num_returns=1, timeout=timeout)
        if done:   # take every other finished one too
            more, _ = self.ray.wait(handles, num_returns=len(handles), timeout=0)
            done = list({h: None for h in done + more})
        return done

    def result(self, handle) -> SegmentResult | SegmentFailed:
        """The task's result; a task Ray gave up on (retries spent) is an A4kError."""
        from ray import exceptions as rx
        try:
            return self.ray.get(handle)
        except rx.RayTaskError as e:
            cause = e.cause if getattr(e, "cause", None) is not None else e
            raise A4kError(f"internal error in a worker: {type(cause).__name__}: "
                           f"{str(cause).splitlines()[-1] if str(cause) else ''}") from None
        except rx.RayError as e:
            raise A4kError(f"a segment failed on the cluster after {MAX_RETRIES} retries: "
                           f"{type(e).__name__}") from None

    def cancel(self, handles) -> None:
        """Stop caring for ``handles``: nothing is cancelled one by one (a reply racing a
        forced cancel can abort Ray's driver); ``close()`` ends this job, and Ray ends the
        tasks of a job whose driver is gone."""

    def close(self) -> None:
        try:
            self.ray.shutdown()
        except Exception:
            pass


def connect(address: str) -> RayRunner:
    return RayRunner(address)


__all__ = ["RayRunner", "SegmentFailed", "connect", "MAX_RETRIES"]
