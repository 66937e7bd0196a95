"""Where chunks of runs are played: in this process, in local worker processes, or on Dask.

Every executor has the same four calls: `submit(job, specs)` gives a handle, `wait(handles)`
returns those finished, `result(handle)` gives the ChunkResult, `close()`. The scenario is
sent to each worker once (a process-pool initializer; a Dask broadcast), not with each chunk.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent import futures as cf

from .runner import init_worker, run_chunk, run_chunk_in_worker


def cpu_count() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


class SerialExecutor:
    """Plays each chunk in this process when it is submitted (workers=1)."""
    workers = 1

    def __init__(self, scenario):
        self.scenario = scenario

    def submit(self, job, specs):
        fut = cf.Future()
        fut.set_result(run_chunk(self.scenario, job, specs))
        return fut

    def wait(self, handles):
        return list(handles)

    def result(self, handle):
        return handle.result()

    def close(self) -> None:
        pass


def default_start_method() -> str:
    """`fork` when this process runs no other thread (workers start at once, with the engine
    already imported and nothing to re-import), else `forkserver` (workers fork from a clean
    server process that imports the engine once), else `spawn`, the portable one."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


class ProcessExecutor:
    """A pool of local worker processes started with an explicit multiprocessing context
    (`start_method`, by default `default_start_method()`). The pool starts its processes
    before its own manager thread, so a forked worker copies a single-threaded driver."""

    def __init__(self, scenario, workers: int, start_method: str | None = None):
        method = start_method or default_start_method()
        self.start_method = method
        ctx = multiprocessing.get_context(method)
        if method == "forkserver":
            ctx.set_forkserver_preload(["game.batch.runner", "game.api"])
        self.workers = workers
        self.pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                                           initializer=init_worker, initargs=(scenario,))

    def submit(self, job, specs):
        return self.pool.submit(run_chunk_in_worker, job, specs)

    def wait(self, handles):
        done, _ = cf.wait(handles, return_when=cf.FIRST_COMPLETED)
        return list(done)

    def result(self, handle):
        return handle.result()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """Chunks as tasks on a Dask cluster: at a scheduler address, from a scheduler file, or
    on a local cluster started here. A chunk whose worker is lost is run again elsewhere
    (Dask retries it), and its results come back to this process, which writes them."""

    def __init__(self, scenario, *, address: str | None = None, scheduler_file: str | None = None,
                 local_workers: int | None = None):
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise RuntimeError("Dask is not installed: pip install 'chokepoint[dask]'") from None
        self.cluster = None
        if local_workers is not None:
            self.cluster = LocalCluster(n_workers=local_workers, threads_per_worker=1, processes=True,
                                        dashboard_address=None)
            self.client = Client(self.cluster)
        elif scheduler_file:
            self.client = Client(scheduler_file=scheduler_file)
        else:
            self.client = Client(address)
        self.workers = max(1, sum(self.client.nthreads().values()))
        [self.scenario] = self.client.scatter([scenario], broadcast=True)

    def submit(self, job, specs):
        return self.client.submit(run_chunk, self.scenario, job, specs, pure=False, retries=3)

    def wait(self, handles):
        from distributed import wait
        done, _ = wait(handles, return_when="FIRST_COMPLETED")
        return list(done)

    def result(self, handle):
        return handle.result()

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()
