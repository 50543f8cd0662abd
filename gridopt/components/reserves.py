"""Operating reserves: requirements met by generator and storage headroom. See
``models/reserves.md``.

For requirement k (direction up or down, buses B_k) and snapshot t, with r_{k,j,t} ≥ 0 the
reserve provider j holds for k (``reserves.generator`` for generators, ``reserves.storage``
for stores, one column per (requirement, provider at its buses)) and R^up_{j,t} / R^down_{j,t}
the sums over j's up / down requirements:

- ``reserves.requirement``: Σ_j r_{k,j,t} + s_{k,t} ≥ F_k + α_k D_{k,t} + β_k W_{k,t}
  + γ_k V_{k,t} (s: ``reserves.shortfall``, only with a shortfall cost; wind/solar new
  capacity moved to the left)
- ``reserves.generator_up``: p + R^up ≤ a S u (committable) or a P (others)
- ``reserves.generator_down``: p − R^down ≥ p^min S u (committable) or min(p^min, a) P
- ``reserves.generator_ramp_up`` / ``_ramp_down``: R ≤ r^up (1 h) S u or r^up (1 h) P, where
  r (1 h) < 1 (a 60-minute product)
- ``reserves.storage_up``: d − c + R^up ≤ P; ``reserves.storage_up_energy``: Δt R^up / η^d ≤ e
- ``reserves.storage_down``: c − d + R^down ≤ P; ``reserves.storage_down_energy``:
  η^c Δt R^down ≤ E − e
- objective: Σ w_t C^short_k s_{k,t} (``shortfall``)

D_{k,t} counts the load of the electricity buses of B_k only (``models/links.md``).
Nothing is added for a case without ``reserves.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gridopt.case.case import Case
from gridopt.case.schema import TRUE_WORDS
from gridopt.components._common import extendable_columns
from gridopt.components.carriers import electric_buses
from gridopt.components.commitment import committable, retrofits, units
from gridopt.components.network import bus_demand
from gridopt.components.storage import energy_capacity
from gridopt.model.arrays import ArrayModel

FAMILY = "reserves"
#: Carriers whose available output a requirement's ``wind_share`` / ``solar_share`` scales:
#: a generator counts as wind (solar) when its carrier contains one of these words.
WIND_WORDS = ("wind",)
SOLAR_WORDS = ("solar", "pv")


def bus_sets(case: Case) -> list[np.ndarray]:
    """Per requirement, the positions of its buses in the bus table (blank: every electricity
    bus, ``models/links.md``: a hydrogen or heat bus holds no electricity reserve)."""
    buses = case.table("buses").index
    every = np.flatnonzero(electric_buses(case))
    out = []
    for text in case.table(FAMILY)["buses"]:
        names = [b.strip() for b in str(text).split(";") if b.strip()]
        out.append(every if not names else buses.get_indexer(names))
    return out


def generator_providers(case: Case) -> np.ndarray:
    """Whether each generator may hold reserve: ``provides_reserve`` true/false, blank for
    thermal generators (a fuel, or committable)."""
    gens = case.table("generators")
    flag = gens["provides_reserve"].astype(str).str.strip().str.lower().to_numpy()
    thermal = (gens["fuel"] != "").to_numpy() | committable(case)
    return np.where(flag == "", thermal, np.isin(flag, TRUE_WORDS))


def carrier_mask(case: Case, words: tuple[str, ...]) -> np.ndarray:
    carriers = case.table("generators")["carrier"].astype(str).str.lower()
    return np.array([any(w in c for w in words) for c in carriers], bool)


@dataclass(frozen=True)
class Pairs:
    """The (requirement, provider) pairs of one provider table: requirement position k,
    provider position j and a label per pair."""

    k: np.ndarray
    j: np.ndarray
    labels: pd.Index


def pairs(case: Case, table: str, able: np.ndarray) -> Pairs:
    """Every (requirement, provider of ``table`` at its buses that ``able`` allows)."""
    frame = case.table(table)
    at = case.table("buses").index.get_indexer(frame["bus"].to_numpy()) if len(frame) else []
    ks, js = [], []
    for k, buses in enumerate(bus_sets(case)):
        j = np.flatnonzero(able & np.isin(at, buses))
        ks.append(np.full(j.size, k))
        js.append(j)
    k = np.concatenate(ks).astype(np.int64) if ks else np.zeros(0, np.int64)
    j = np.concatenate(js).astype(np.int64) if js else np.zeros(0, np.int64)
    names = case.table(FAMILY).index
    labels = pd.MultiIndex.from_arrays([names[k], frame.index[j]],
                                       names=["requirement", "provider"])
    return Pairs(k, j, labels)


def add_reserves(m: ArrayModel, case: Case) -> None:
    """Add the reserve variables, the requirements and the providers' headroom rows."""
    req = case.table(FAMILY)
    if req.empty:
        return
    up = (req["direction"].str.strip().str.lower() == "up").to_numpy()
    terms: list[tuple[np.ndarray, np.ndarray]] = []  # (pair columns, requirement of each)
    gens = case.table("generators")
    if not gens.empty:
        gp = pairs(case, "generators", generator_providers(case))
        r = m.add_variables(f"{FAMILY}.generator", (gp.labels, case.snapshots)).index()
        _add_generator_rows(m, case, gp, r, up)
        terms.append((r, gp.k))
    st = case.table("storage")
    if not st.empty:
        sp = pairs(case, "storage", st["provides_reserve"].to_numpy(bool))
        r = m.add_variables(f"{FAMILY}.storage", (sp.labels, case.snapshots)).index()
        _add_storage_rows(m, case, sp, r, up)
        terms.append((r, sp.k))
    _add_requirements(m, case, terms)


def requirement_mw(case: Case) -> np.ndarray:
    """R_{k,t} with the existing wind and solar capacity (K × T, MW)."""
    req = case.table(FAMILY)
    demand = bus_demand(case) * electric_buses(case)[:, None]  # electricity load only
    out = np.zeros((len(req), case.n_snapshots))
    gens = case.table("generators")
    at = case.table("buses").index.get_indexer(gens["bus"].to_numpy()) if len(gens) else []
    avail = case.series["availability_pu"][gens.index].to_numpy().T if len(gens) else None
    for k, buses in enumerate(bus_sets(case)):
        row = req.iloc[k]
        out[k] = row["fixed_mw"] + row["load_share"] * demand[buses].sum(axis=0)
        for share, words in ((row["wind_share"], WIND_WORDS), (row["solar_share"], SOLAR_WORDS)):
            g = np.flatnonzero(carrier_mask(case, words) & np.isin(at, buses)) if len(gens) \
                else []
            if share and len(g):
                out[k] += share * (avail[g] * gens["p_nom_mw"].to_numpy()[g, None]).sum(axis=0)
    return out


def _add_requirements(m: ArrayModel, case: Case,
                      terms: list[tuple[np.ndarray, np.ndarray]]) -> None:
    """Σ_j r_{k,j,t} (+ s_{k,t}) − β a p^new (wind, solar) ≥ R_{k,t}, one row per (k, t)."""
    req = case.table(FAMILY)
    n_t = case.n_snapshots
    entries = [((k[:, None] * n_t + np.arange(n_t)[None, :]), r, 1.0) for r, k in terms]
    entries += _new_variable_output(m, case)
    cost = req["shortfall_cost_per_mwh"].to_numpy(float)
    soft = np.flatnonzero(~np.isnan(cost))
    if soft.size:
        s = m.add_variables(f"{FAMILY}.shortfall", (req.index[soft], case.snapshots)).index()
        entries.append((soft[:, None] * n_t + np.arange(n_t)[None, :], s, 1.0))
        m.add_cost(FAMILY, "shortfall", s, cost[soft, None] * case.weights[None, :],
                   req.index.to_numpy(dtype=object)[soft, None])
    m.add_rows(f"{FAMILY}.requirement", (req.index, case.snapshots), entries, ">=",
               requirement_mw(case))


def _new_variable_output(m: ArrayModel, case: Case) -> list[tuple]:
    """−share · a_{g,t} p^new_g for extendable wind/solar generators at a requirement's buses."""
    gens = case.table("generators")
    if gens.empty or "generators.p_new" not in m.var_blocks:
        return []
    ext = gens["extendable"].to_numpy(bool)
    new = extendable_columns(len(gens), ext, m.var("generators.p_new"))
    at = case.table("buses").index.get_indexer(gens["bus"].to_numpy())
    avail = case.series["availability_pu"][gens.index].to_numpy().T
    req, n_t, out = case.table(FAMILY), case.n_snapshots, []
    for k, buses in enumerate(bus_sets(case)):
        for column, words in (("wind_share", WIND_WORDS), ("solar_share", SOLAR_WORDS)):
            share = float(req[column].iloc[k])
            g = np.flatnonzero(ext & carrier_mask(case, words) & np.isin(at, buses))
            if share and g.size:
                local = np.broadcast_to(k * n_t + np.arange(n_t)[None, :], (g.size, n_t))
                out.append((local, new[g][:, None], -share * avail[g]))
    return out


def _held(pr: Pairs, up: np.ndarray, direction: str) -> tuple[np.ndarray, np.ndarray]:
    """The pairs whose requirement is of ``direction`` and the providers they hold (sorted)."""
    keep = (up if direction == "up" else ~up)[pr.k]
    return keep, np.unique(pr.j[keep])


def _positions(held: np.ndarray, n: int) -> np.ndarray:
    """Local position of each of ``held`` among ``n`` providers (−1 for the others)."""
    pos = np.full(n, -1)
    pos[held] = np.arange(held.size)
    return pos


def _rows_of(j: np.ndarray, pos: np.ndarray, n_t: int) -> np.ndarray:
    """Local rows (provider position pos[j], snapshot t) of a block with one row per held
    provider and snapshot."""
    return pos[j][:, None] * n_t + np.arange(n_t)[None, :]


def _add_generator_rows(m: ArrayModel, case: Case, gp: Pairs, r: np.ndarray,
                        up: np.ndarray) -> None:
    """Headroom above (below) the dispatch of every generator holding up (down) reserve:
    capacity = S u (committable: ``commitment.status``), P̄ + p^new (extendable) or P̄."""
    gens = case.table("generators")
    n_g, n_t = len(gens), case.n_snapshots
    p = m.var("generators.dispatch")
    avail = case.series["availability_pu"][gens.index].to_numpy().T
    ext = gens["extendable"].to_numpy(bool)
    cap_col = np.broadcast_to(extendable_columns(n_g, ext, m.var("generators.p_new"))[:, None],
                              (n_g, n_t)).copy()
    per_mw = np.ones((n_g, 1))  # MW of capacity per unit of cap_col
    const = gens["p_nom_mw"].to_numpy(float)[:, None]  # MW of capacity not in cap_col
    uc = committable(case)
    if uc.any():
        un = units(case)
        cap_col[un.position] = m.var("commitment.status")
        per_mw[un.position, 0] = un.size
        const = np.where(uc[:, None], 0.0, const)
    p_min = gens["p_min_pu"].to_numpy(float)[:, None]
    floor = np.where(uc[:, None], p_min, np.minimum(p_min, avail))
    for direction, sign, share in (("up", 1.0, avail), ("down", -1.0, floor)):
        keep, held = _held(gp, up, direction)
        if held.size == 0:
            continue
        pos = _positions(held, n_g)
        own = _rows_of(held, pos, n_t)
        share = np.broadcast_to(share, (n_g, n_t))
        entries = [(own, p[held], sign), (_rows_of(gp.j[keep], pos, n_t), r[keep], 1.0),
                   (own, cap_col[held], -sign * share[held] * per_mw[held])]
        if direction == "down":
            entries += _retrofit_relief(m, case, held, pos, n_t)
        m.add_rows(f"{FAMILY}.generator_{direction}", (gens.index[held], case.snapshots),
                   entries, "<=", sign * share[held] * const[held])
        _add_generator_ramp(m, case, (gp.j[keep], r[keep]), direction, held, cap_col,
                            per_mw, const)


def _retrofit_relief(m: ArrayModel, case: Case, held: np.ndarray, pos: np.ndarray,
                     n_t: int) -> list[tuple]:
    """The down-reserve floor of a generator with a flexibility retrofit is its commitment
    floor p^min S (u − y) + p^r S y: the entry −(p^min − p^r) S y_t of the rows of ``held``
    generators with a retrofit option (none without one)."""
    if "commitment.retrofit_on" not in m.var_blocks:
        return []
    un = units(case)
    rf = retrofits(case, un)
    gen_pos = un.position[rf.member]
    mine = np.isin(gen_pos, held)
    if not mine.any():
        return []
    relief = ((un.p_min[rf.member] - rf.p_min) * un.size[rf.member])[mine][:, None]
    y = m.var("commitment.retrofit_on")[mine]
    return [(_rows_of(gen_pos[mine], pos, n_t), y, -relief)]


def _add_generator_ramp(m: ArrayModel, case: Case, held_pairs: tuple[np.ndarray, np.ndarray],
                        direction: str, held: np.ndarray, cap_col: np.ndarray,
                        per_mw: np.ndarray, const: np.ndarray) -> None:
    """R_{g,t} ≤ r (1 h) × capacity where r (1 h) < 1: reserve is a 60-minute product, at most
    what the generator (its committed units) can ramp in one hour."""
    gens = case.table("generators")
    rate = gens[f"ramp_{direction}_pu_per_h"].to_numpy(float)[:, None]
    lim = held[rate[held, 0] < 1.0]
    if lim.size == 0:
        return
    n_t = case.n_snapshots
    pos = _positions(lim, len(gens))
    j, cols = held_pairs
    keep = np.isin(j, lim)
    m.add_rows(f"{FAMILY}.generator_ramp_{direction}", (gens.index[lim], case.snapshots),
               [(_rows_of(j[keep], pos, n_t), cols[keep], 1.0),
                (_rows_of(lim, pos, n_t), cap_col[lim], -(rate * per_mw)[lim])],
               "<=", np.broadcast_to((rate * const)[lim], (lim.size, n_t)))


def _add_storage_rows(m: ArrayModel, case: Case, sp: Pairs, r: np.ndarray,
                      up: np.ndarray) -> None:
    """Power headroom (d − c + R^up ≤ P, c − d + R^down ≤ P) and the energy to sustain one
    snapshot of reserve (Δt R^up / η^d ≤ e_t, η^c Δt R^down ≤ E − e_t)."""
    st = case.table("storage")
    if sp.k.size == 0:
        return
    if case.periods is not None and case.periods.linked:
        raise ValueError("storage reserves need the state of charge of each snapshot: with "
                         "linked representative periods it is relative to the period's start; "
                         "set provides_reserve false for the stores, or solve without periods")
    n_s, n_t = len(st), case.n_snapshots
    c, d, e = (m.var(f"storage.{q}") for q in ("charge", "discharge", "soc"))
    ext = st["extendable"].to_numpy(bool)
    p_new = extendable_columns(n_s, ext, m.var("storage.p_new"))[:, None]
    e_new = extendable_columns(n_s, ext, m.var("storage.e_new"))[:, None]
    p_nom = st["p_nom_mw"].to_numpy(float)[:, None]
    e_nom = energy_capacity(st)[:, None]
    dt = case.durations[None, :]
    for direction, sign in (("up", 1.0), ("down", -1.0)):
        keep, held = _held(sp, up, direction)
        if held.size == 0:
            continue
        pos = _positions(held, n_s)
        local, own = _rows_of(sp.j[keep], pos, n_t), _rows_of(held, pos, n_t)
        coords = (st.index[held], case.snapshots)
        m.add_rows(f"{FAMILY}.storage_{direction}", coords,
                   [(local, r[keep], 1.0), (own, d[held], sign), (own, c[held], -sign),
                    (own, np.broadcast_to(p_new[held], (held.size, n_t)), -1.0)],
                   "<=", np.broadcast_to(p_nom[held], (held.size, n_t)))
        if direction == "up":  # Δt R^up / η^d − e_t ≤ 0
            per = dt / st["eff_discharge"].to_numpy(float)[:, None]
            entries = [(own, e[held], -1.0)]
            rhs = np.zeros((held.size, n_t))
        else:  # η^c Δt R^down + e_t − e^new ≤ Ē
            per = dt * st["eff_charge"].to_numpy(float)[:, None]
            entries = [(own, e[held], 1.0),
                       (own, np.broadcast_to(e_new[held], (held.size, n_t)), -1.0)]
            rhs = np.broadcast_to(e_nom[held], (held.size, n_t))
        m.add_rows(f"{FAMILY}.storage_{direction}_energy", coords,
                   [(local, r[keep], per[sp.j[keep]]), *entries], "<=", rhs)
