"""Low-level LP plumbing for the market: stacking goods' LPs into one block-diagonal model,
silencing HiGHS, and the scipy fallback solver. Part of the market; game.market solves."""

from __future__ import annotations

import ctypes
import os
import sys
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

if TYPE_CHECKING:
    from game.market import _LPBlock


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


#: The LP solver: "highspy" (HiGHS called directly) when the package is installed,
#: otherwise "linprog" (HiGHS through scipy.optimize.linprog, slower per call).
