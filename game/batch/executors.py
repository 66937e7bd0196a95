"""Where chunks of runs are played: in this process, in local worker processes, or on Dask.

Every executor has the same four calls: `submit(job, specs)` gives a handle, `wait(handles)`
returns those finished, `result(handle)` gives the ChunkResult, `close()`. The scenario is
sent to each worker once (a process-pool initializer; a Dask broadcast), not with each chunk.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import threading
import warnings
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
    """`fork` while this process runs no other Python thread, else `forkserver`, else `spawn`.

    A forked worker starts at once with the engine already imported: measured on short
    batches, that saved about a second of start-up per batch over a forkserver (which
    imports the engine before its first fork) and two over spawn."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


# what a worker needs imported before its first game (imported here before forking,
# or by the forkserver before it forks)
PRELOAD = ["game.batch.runner", "game.api", "agents.policies", "game.tournament"]


class ProcessExecutor:
    """A pool of local worker processes started with an explicit multiprocessing context
    (`start_method`, by default `default_start_method()`).

    With `fork`, every worker is forked when the executor is made, before the pool starts
    its manager thread and before the progress bar's thread, so they copy a driver running
    the main Python thread alone. Python warns about any fork in a process with other OS
    threads, and numpy's BLAS keeps a pool of idle ones; they are made safe to fork by the
    library's own fork handlers, so that warning is silenced here, for these forks only.
    """

    def __init__(self, scenario, workers: int, start_method: str | None = None):
        self.scenario, self.workers = scenario, workers
        self.start_method = start_method or default_start_method()
        self.pool = self._start()

    def _start(self) -> cf.ProcessPoolExecutor:
        ctx = multiprocessing.get_context(self.start_method)
        if self.start_method == "forkserver":
            ctx.set_forkserver_preload(PRELOAD)
        if self.start_method == "fork":
            for name in PRELOAD:
                importlib.import_module(name)
        pool = cf.ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx,
                                      initializer=init_worker, initargs=(self.scenario,))
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"This process .* is multi-threaded",
                                    category=DeprecationWarning)
            pool.submit(int).result()     # starts every worker now (all at once with fork)
        return pool

    def restart(self) -> None:
        """A new pool after one of the workers died (which breaks the whole pool)."""
        self.pool.shutdown(wait=False, cancel_futures=True)
        if self.start_method == "fork" and threading.active_count() > 1:
            self.start_method = "forkserver"         # never fork beside running threads
        self.pool = self._start()

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
    (Dask retries it), and its results come back to this process, which writes them.

    A chunk can also finish and then lose its result: the result lives on the worker that
    made it until this process fetches it, so a worker that dies in between takes it along,
    and fetching it fails. Such a chunk is submitted again, up to LOST_RESULT_RETRIES times.
    The runs themselves never raise here (a run that fails is written as an error row by
    `run_chunk`), so a failure to fetch is always the cluster's, never the game's."""

    LOST_RESULT_RETRIES = 3

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
        self._inputs: dict = {}           # future key -> (job, specs), to submit it again

    def submit(self, job, specs):
        future = self.client.submit(run_chunk, self.scenario, job, specs, pure=False, retries=3)
        self._inputs[future.key] = (job, specs)
        return future

    def wait(self, handles):
        from distributed import wait
        done, _ = wait(handles, return_when="FIRST_COMPLETED")
        return list(done)

    def result(self, handle):
        job, specs = self._inputs.pop(handle.key)
        for attempt in range(self.LOST_RESULT_RETRIES + 1):
            try:
                return handle.result()
            except Exception:
                if attempt == self.LOST_RESULT_RETRIES:
                    raise
                handle = self.client.submit(run_chunk, self.scenario, job, specs, pure=False,
                                            retries=3)

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()
