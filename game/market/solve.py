"""Solving the market's LPs: stacking goods' LPs into one block-diagonal model, HiGHS through
highspy (one silent instance a thread), and the scipy fallback solver. Part of the market;
game.market describes the model."""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

try:
    import highspy
except ImportError:  # the scipy fallback below does the same, more slowly
    highspy = None

if TYPE_CHECKING:
    from game.market.build import _LPBlock


def _quiet_call(fn):
    """Call fn with the process' stdout (file descriptor 1) sent to /dev/null: the
    Highs constructor prints a banner from C++ that no Python redirection catches."""
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError, AttributeError):
        return fn()
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 1)
            try:
                return fn()
            finally:
                try:            # what C++ wrote may still sit in the C library's buffer
                    ctypes.CDLL(None).fflush(None)
                except (OSError, AttributeError, TypeError):
                    pass
                os.dup2(saved, 1)
        finally:
            os.close(devnull)
    finally:
        os.close(saved)


def _assemble(live: list[_LPBlock]):
    """The blocks as one block-diagonal LP: (c, ub, start, index, value, row_lo, row_hi)."""
    starts, indices, ineq = [], [], []
    nnz = nrow = 0
    for b in live:
        starts.append(b.start[:-1] + nnz)
        indices.append(b.index + nrow)
        nnz += b.index.shape[0]
        ineq.append((nrow + b.n_bal, nrow + b.n_rows))
        nrow += b.n_rows
    starts.append(np.array([nnz], dtype=np.int32))
    row_lo = np.zeros(nrow)             # balance rows == 0, the others <= row_hi
    for lo, hi in ineq:
        row_lo[lo:hi] = -np.inf
    return (np.concatenate([b.c for b in live]), np.concatenate([b.ub for b in live]),
            np.concatenate(starts), np.concatenate(indices),
            np.concatenate([b.value for b in live]), row_lo,
            np.concatenate([b.row_hi for b in live]))


def _run_linprog(c, ub, start, index, value, row_lo, row_hi):
    n = c.shape[0]
    eq = row_lo == row_hi            # balance rows; the others are "<=" rows
    ineq = ~eq
    col = np.repeat(np.arange(n), np.diff(start))
    on_eq = eq[index]
    renumber = np.where(eq, np.cumsum(eq) - 1, np.cumsum(ineq) - 1)
    A_eq = sparse.csc_array((value[on_eq], (renumber[index[on_eq]], col[on_eq])),
                            shape=(int(eq.sum()), n))
    A_ub = b_ub = None
    if ineq.any():
        on_in = ~on_eq
        A_ub = sparse.csc_array((value[on_in], (renumber[index[on_in]], col[on_in])),
                                shape=(int(ineq.sum()), n))
        b_ub = row_hi[ineq]
    res = linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=row_hi[eq],
                  bounds=np.column_stack((np.zeros(n), ub)),
                  method="highs", options={"presolve": False})
    if res.status != 0 or res.x is None:
        raise RuntimeError(f"market LP failed (HiGHS status {res.status}): {res.message}")
    dual = np.empty(row_lo.shape[0])
    dual[eq] = res.eqlin.marginals
    if ineq.any():
        dual[ineq] = res.ineqlin.marginals
    return np.asarray(res.x), dual


_LOCAL = threading.local()


def _highs():
    """This thread's HiGHS instance (created on first use, silent, presolve off)."""
    h = getattr(_LOCAL, "highs", None)
    if h is None:
        h = _quiet_call(highspy.Highs)
        h.setOptionValue("output_flag", False)
        # presolve buys nothing on LPs this small and well scaled, and costs time
        h.setOptionValue("presolve", "off")
        h.setOptionValue("threads", 1)
        _LOCAL.highs = h
    return h


def _run_highspy(c, ub, start, index, value, row_lo, row_hi):
    h = _highs()
    n, nrow = c.shape[0], row_lo.shape[0]
    status = h.passModel(n, nrow, index.shape[0], int(highspy.MatrixFormat.kColwise),
                         int(highspy.ObjSense.kMinimize), 0.0, c, np.zeros(n), ub,
                         row_lo, row_hi, start, index, value, np.zeros(n, dtype=np.int32))
    if status == highspy.HighsStatus.kError:
        raise RuntimeError(f"market LP failed: HiGHS rejected the model ({status})")
    h.run()
    model_status = h.getModelStatus()
    if model_status != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"market LP failed (HiGHS status {model_status}): "
                           f"{h.modelStatusToString(model_status)}")
    sol = h.getSolution()
    # (highspy hands the vectors over as lists; fromiter reads them quicker than np.array)
    return np.fromiter(sol.col_value, np.float64, n), np.fromiter(sol.row_dual, np.float64, nrow)


#: The LP solver: "highspy" (HiGHS called directly) when the package is installed,
#: otherwise "linprog" (HiGHS through scipy.optimize.linprog, slower per call).
_SOLVER = "highspy" if highspy is not None else "linprog"


def _solve_blocks(blocks: list[_LPBlock], solver: str | None = None
                  ) -> list[tuple[np.ndarray, np.ndarray]]:
    """Solve independent LP blocks as one block-diagonal LP.

    Returns (x, row duals) per block, as HiGHS reports them. ``solver`` is "highspy" or
    "linprog" (default: ``_SOLVER``).
    """
    solver = _SOLVER if solver is None else solver
    run = {"highspy": _run_highspy, "linprog": _run_linprog}[solver]
    live = [b for b in blocks if b.n_vars > 0]
    out: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    if live:
        x, dual = run(*_assemble(live))
        nv = nr = 0
        for b in live:
            out[id(b)] = (x[nv:nv + b.n_vars], dual[nr:nr + b.n_rows])
            nv += b.n_vars
            nr += b.n_rows
    empty = (np.zeros(0), np.zeros(0))
    return [out.get(id(b), empty) for b in blocks]
