"""Headless batch experiments: experiment files -> many games -> Parquet (docs/batch.md).

    from game.batch import load_experiment, run_batch, run_game
    run_batch("sweep.yaml", "out/sweep", workers=4)        # resumable; see game.batch.sink
    run_game("baseline_2025", seed=1, turns=4)             # scalar outcomes of one game

The package holds the experiment files (experiment), design points and run specs (design),
dotted-path parameters (params), what is kept of each game (outcomes), playing runs
(runner), the executors (local processes, Dask), the Parquet sink and the driver.
"""

from .driver import BatchSummary, run_batch
from .experiment import Experiment, ExperimentError, RunSpec, load_experiment
from .params import ParamError, apply_params
from .runner import run_game
from .sink import BatchError

__all__ = ["run_batch", "run_game", "load_experiment", "apply_params", "Experiment", "RunSpec",
           "BatchSummary", "ExperimentError", "ParamError", "BatchError", "BatchModel"]


def __getattr__(name):
    if name == "BatchModel":          # Mesa only when asked for
        from .model import BatchModel
        return BatchModel
    raise AttributeError(name)
