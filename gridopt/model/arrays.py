"""The array model: variables and constraints described as index and coefficient arrays.

Component families add *blocks* of variables and constraints for all their members at once.
Nothing here creates a Python object per variable or per row: a block is an offset, a shape
and the labels of each axis, and a constraint block is three flat arrays (row, column, value)
plus the row bounds. :meth:`ArrayModel.matrix` assembles one sparse matrix; the HiGHS
backend hands it to ``highspy`` in one call and the Pyomo backend builds a ``ConcreteModel``
from the same arrays.

Names are namespaced ``"<family>.<quantity>"`` (e.g. ``"generators.dispatch"``,
``"storage.soc_balance"``) so that an LP file, a dual table and an infeasibility report read
as they stand.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import scipy.sparse as sp

INF = np.inf
#: Index type of rows and columns: HiGHS indexes with 32-bit integers, so positions are made
#: int32 once, where they are allocated, and never converted again.
IDX = np.int32
IDX_MAX = int(np.iinfo(IDX).max)
S = TypeVar("S")


@dataclass(frozen=True)
class Block:
    """A block of variables or rows: positions ``start .. start+size`` with labelled axes."""

    name: str
    start: int
    coords: tuple[pd.Index, ...]

    @cached_property
    def shape(self) -> tuple[int, ...]:
        """Lengths of the axes (cached: it is read for every term and bound of the block)."""
        return tuple(len(c) for c in self.coords)

    @cached_property
    def size(self) -> int:
        return math.prod(self.shape) if self.coords else 1

    def index(self) -> np.ndarray:
        """Global positions of the block's entries, shaped like the block."""
        return np.arange(self.start, self.start + self.size, dtype=IDX).reshape(self.shape)

    @property
    def family(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def quantity(self) -> str:
        return self.name.split(".", 1)[-1]


@dataclass
class CostTerm:
    """A named objective contribution: Σ coef · x[cols], reported per element.

    ``names[codes[i]]`` is the element (generator, store, …) that entry ``i`` of ``cols``
    belongs to: elements are kept as integer codes into a few names, not as one string per
    entry (a string per entry cost more than the rest of ``add_cost`` on large blocks).
    """

    family: str
    kind: str
    cols: np.ndarray
    coefs: np.ndarray
    codes: np.ndarray
    names: np.ndarray

    @property
    def elements(self) -> np.ndarray:
        """The element of each entry (one label per entry)."""
        return self.names[self.codes]


@dataclass
class ArrayModel:
    """A linear program min cᵀx + c₀ s.t. r_lo ≤ A x ≤ r_hi, x_lo ≤ x ≤ x_hi, built by blocks."""

    snapshots: pd.DatetimeIndex
    var_blocks: dict[str, Block] = field(default_factory=dict)
    con_blocks: dict[str, Block] = field(default_factory=dict)
    cost_terms: list[CostTerm] = field(default_factory=list)
    constant_costs: list[tuple[str, str, str, float]] = field(default_factory=list)
    _lb: list[np.ndarray] = field(default_factory=list)
    _ub: list[np.ndarray] = field(default_factory=list)
    #: Per variable block: ``None`` (continuous) or a bool array of the block's integer entries.
    _int: list[np.ndarray | None] = field(default_factory=list)
    _rows: list[np.ndarray] = field(default_factory=list)
    _cols: list[np.ndarray] = field(default_factory=list)
    _vals: list[np.ndarray] = field(default_factory=list)
    _row_lo: list[np.ndarray] = field(default_factory=list)
    _row_hi: list[np.ndarray] = field(default_factory=list)
    injections: list[tuple[str, np.ndarray, np.ndarray, float]] = field(default_factory=list)
    #: Typed state that component families share while building (one object per type,
    #: see :meth:`state`), e.g. the demand-response terms of ``gridopt.components._dr``.
    states: dict[type, Any] = field(default_factory=dict)
    n_cols: int = 0
    n_rows: int = 0
    #: Set by :meth:`relax_integrality`: integer columns are solved as continuous.
    relaxed: bool = False

    # -- variables ---------------------------------------------------------------------------
    def add_variables(self, name: str, coords: Sequence[pd.Index], lower: object = 0.0,
                      upper: object = INF, integer: object = False) -> Block:
        """Add a block of variables with bounds broadcast to the block's shape.

        ``integer``: ``True`` makes every entry of the block an integer variable; a bool array
        (broadcast to the block's shape) makes only the marked entries integer. Integer
        columns keep their bounds (``lower=0, upper=1`` is a binary).
        """
        if name in self.var_blocks:
            raise ValueError(f"variable block {name!r} exists already")
        block = Block(name, self.n_cols, tuple(coords))
        _check_size(block)
        self._lb.append(np.broadcast_to(np.asarray(lower, float), block.shape).ravel())
        self._ub.append(np.broadcast_to(np.asarray(upper, float), block.shape).ravel())
        marks = np.broadcast_to(np.asarray(integer, bool), block.shape).ravel()
        self._int.append(marks.copy() if marks.any() else None)
        self.var_blocks[name] = block
        self.n_cols += block.size
        return block

    def state(self, kind: type[S]) -> S:
        """The model's one instance of ``kind``, made (``kind()``) on first use.

        Families that share state across calls (enrolment columns used by two scopes, the
        responses that VPP limits and the peak-response rows sum) keep it in a typed object
        of their own module instead of string-keyed entries on the model.
        """
        if kind not in self.states:
            self.states[kind] = kind()
        return self.states[kind]

    def var(self, name: str) -> np.ndarray:
        """Global column indices of a variable block, shaped like the block."""
        return self.var_blocks[name].index()

    # -- constraints -------------------------------------------------------------------------
    def add_constraints(self, name: str, coords: Sequence[pd.Index],
                        terms: Sequence[tuple[np.ndarray, object]], sense: str,
                        rhs: object) -> Block:
        """Add rows ``Σ_k coef_k · x[cols_k]  (sense)  rhs``, one row per block entry.

        Each term is ``(cols, coefs)``; both broadcast to the block's shape. A column index of
        ``-1`` drops that entry (used for the wrap-around of the first snapshot).
        """
        block = Block(name, self.n_rows, tuple(coords))
        _check_size(block)
        rows = block.index()
        parts = [(rows, np.asarray(c), np.asarray(v, float)) for c, v in terms]
        return self._add_rows(block, parts, sense, rhs)

    def add_rows(self, name: str, coords: Sequence[pd.Index], entries: Sequence[tuple],
                 sense: str, rhs: object) -> Block:
        """Add rows from explicit ``(local_row, cols, coefs)`` triples (ragged sums)."""
        block = Block(name, self.n_rows, tuple(coords))
        _check_size(block)
        parts = [(block.start + np.asarray(r), np.asarray(c), np.asarray(v, float))
                 for r, c, v in entries]
        return self._add_rows(block, parts, sense, rhs)

    def _add_rows(self, block: Block, parts: list, sense: str, rhs: object) -> Block:
        if block.name in self.con_blocks:
            raise ValueError(f"constraint block {block.name!r} exists already")
        for r, c, v in parts:
            r, c, v = np.broadcast_arrays(r, c, v)
            keep = (c >= 0) & (v != 0)  # −1: no variable here; 0: no entry
            if keep.all():  # the usual case: no masked copy, only the flattening
                r, c, v = r.ravel(), c.ravel(), v.ravel()
            else:
                r, c, v = r[keep], c[keep], v[keep]
            self._rows.append(r.astype(IDX, copy=False))
            self._cols.append(c.astype(IDX, copy=False))
            self._vals.append(v)
        rhs = np.broadcast_to(np.asarray(rhs, float), block.shape).ravel()
        if np.isnan(rhs).any():
            raise ValueError(f"constraint block {block.name!r} has a NaN right-hand side")
        lo, hi = {"<=": (-INF, rhs), ">=": (rhs, INF), "==": (rhs, rhs)}[sense]
        self._row_lo.append(np.broadcast_to(lo, rhs.shape))
        self._row_hi.append(np.broadcast_to(hi, rhs.shape))
        self.con_blocks[block.name] = block
        self.n_rows += block.size
        return block

    # -- objective ---------------------------------------------------------------------------
    def add_cost(self, family: str, kind: str, cols: np.ndarray, coefs: object,
                 elements: object) -> None:
        """Add Σ coefs · x[cols] to the objective, labelled by family, kind and element.

        ``cols``, ``coefs`` and ``elements`` broadcast together (e.g. one name per row of a
        generator × snapshot block); a column of −1 means "no variable here". Labels are coded
        once, un-broadcast, in order of appearance (any hashable label, blanks included).
        """
        cols, coefs = np.asarray(cols), np.asarray(coefs, float)
        labels = np.asarray(elements, dtype=object)
        shape = np.broadcast_shapes(cols.shape, coefs.shape, labels.shape)
        codes, names = pd.factorize(labels.ravel(), use_na_sentinel=False)
        codes = np.broadcast_to(codes.reshape(labels.shape).astype(IDX), shape).ravel()
        coefs = np.broadcast_to(coefs, shape).ravel()
        cols = np.broadcast_to(cols, shape).ravel()
        keep = cols >= 0
        if not keep.all():
            cols, coefs, codes = cols[keep], coefs[keep], codes[keep]
        self.cost_terms.append(CostTerm(family, kind, cols, coefs, codes, names))

    def keep_costs(self, kinds: frozenset[str] = frozenset(), constants: bool = False) -> None:
        """Drop every cost term whose kind is not in ``kinds`` (and the constant costs unless
        ``constants``): for a model that reuses families' rows under another objective."""
        self.cost_terms = [t for t in self.cost_terms if t.kind in kinds]
        if not constants:
            self.constant_costs = []

    def add_constant_cost(self, family: str, kind: str, element: str, value: float) -> None:
        """Add a constant (e.g. fixed O&M of existing capacity) to the objective."""
        if value != 0.0:
            self.constant_costs.append((family, kind, element, float(value)))

    # -- the nodal balance ---------------------------------------------------------------------
    def add_injection(self, family: str, cols: np.ndarray, bus_idx: np.ndarray,
                      sign: float) -> None:
        """Register ``sign · x[cols[e, t]]`` as injected at bus ``bus_idx[e]`` in hour t."""
        self.injections.append((family, np.asarray(cols), np.asarray(bus_idx), float(sign)))

    def close_balance(self, buses: pd.Index, demand: np.ndarray) -> Block:
        """Add the nodal balance Σ injections(b, t) = demand(b, t) once, for every bus."""
        n_t = len(self.snapshots)
        entries = []
        for _, cols, bus_idx, sign in self.injections:
            local = bus_idx[:, None] * n_t + np.arange(n_t)[None, :]
            entries.append((local, cols, sign))
        return self.add_rows("buses.balance", (buses, self.snapshots), entries, "==", demand)

    # -- assembly ------------------------------------------------------------------------------
    @property
    def lower(self) -> np.ndarray:
        return np.concatenate(self._lb) if self._lb else np.zeros(0)

    @property
    def upper(self) -> np.ndarray:
        return np.concatenate(self._ub) if self._ub else np.zeros(0)

    @property
    def integrality(self) -> np.ndarray:
        """Whether each column is solved as integer (bool, length ``n_cols``; all False for an
        LP or a relaxed model)."""
        if self.relaxed:
            return np.zeros(self.n_cols, bool)
        return self.declared_integer

    @property
    def declared_integer(self) -> np.ndarray:
        """Whether each column was added as integer, relaxed or not (bool, ``n_cols``)."""
        parts = [np.zeros(b.size, bool) if marks is None else marks
                 for b, marks in zip(self.var_blocks.values(), self._int, strict=True)]
        return np.concatenate(parts) if parts else np.zeros(0, bool)

    @property
    def n_integer(self) -> int:
        """How many columns were added as integer (relaxed or not)."""
        return int(sum(marks.sum() for marks in self._int if marks is not None))

    @property
    def is_mip(self) -> bool:
        """Whether the model is solved as a MIP: an integer column, not relaxed."""
        return not self.relaxed and any(marks is not None for marks in self._int)

    def relax_integrality(self) -> None:
        """Solve every integer column as continuous (the LP relaxation); bounds are kept."""
        self.relaxed = True

    def fix_integers(self, x: np.ndarray) -> ArrayModel:
        """A copy whose integer columns are continuous and fixed at ``round(x)`` (the LP that
        prices a MIP solution); the matrix, costs and every other column are shared."""
        lower, upper, marks = self.lower.copy(), self.upper.copy(), self.declared_integer
        value = np.clip(np.round(np.asarray(x, float)[marks]), lower[marks], upper[marks])
        lower[marks] = upper[marks] = value
        return replace(self, _lb=[lower], _ub=[upper], _int=[None] * len(self._int),
                       relaxed=False)

    @property
    def row_lower(self) -> np.ndarray:
        return np.concatenate(self._row_lo) if self._row_lo else np.zeros(0)

    @property
    def row_upper(self) -> np.ndarray:
        return np.concatenate(self._row_hi) if self._row_hi else np.zeros(0)

    def cost_vector(self) -> np.ndarray:
        """The objective coefficients c (sum of all cost terms)."""
        if not self.cost_terms:
            return np.zeros(self.n_cols)
        cols = np.concatenate([t.cols for t in self.cost_terms])
        coefs = np.concatenate([t.coefs for t in self.cost_terms])
        if cols.size and (cols.min() < 0 or cols.max() >= self.n_cols):
            raise IndexError("a cost term refers to a column outside the model")
        c = np.bincount(cols, weights=coefs, minlength=self.n_cols)  # sums repeats
        return c.astype(float, copy=False)

    @property
    def offset(self) -> float:
        """The objective constant c₀ (fixed costs of existing capacity)."""
        return float(sum(v for *_, v in self.constant_costs))

    def matrix(self, fmt: str = "csc") -> sp.spmatrix:
        """The constraint matrix A (duplicates summed) in CSC or CSR form."""
        rows = np.concatenate(self._rows) if self._rows else np.zeros(0, np.int32)
        cols = np.concatenate(self._cols) if self._cols else np.zeros(0, np.int32)
        vals = np.concatenate(self._vals) if self._vals else np.zeros(0)
        kind = sp.csc_matrix if fmt == "csc" else sp.csr_matrix
        return kind((vals, (rows, cols)), shape=(self.n_rows, self.n_cols))  # sums duplicates

    def block_of_row(self, row: int) -> tuple[Block, tuple]:
        """The constraint block and the labels of one global row (for reports)."""
        return _locate(self.con_blocks, row)

    def block_of_col(self, col: int) -> tuple[Block, tuple]:
        """The variable block and the labels of one global column."""
        return _locate(self.var_blocks, col)


def _check_size(block: Block) -> None:
    """Positions are int32 (HiGHS's index type): refuse a model that would not fit."""
    if block.start + block.size > IDX_MAX:
        raise OverflowError(f"block {block.name!r} would take the model past "
                            f"{IDX_MAX:,} columns or rows, HiGHS's limit")


def _locate(blocks: dict[str, Block], pos: int) -> tuple[Block, tuple]:
    for block in blocks.values():
        if block.start <= pos < block.start + block.size:
            local = np.unravel_index(pos - block.start, block.shape)
            return block, tuple(c[i] for c, i in zip(block.coords, local, strict=True))
    raise IndexError(pos)
