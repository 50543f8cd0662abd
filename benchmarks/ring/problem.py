"""The ring problem's data: N buses on a ring with chords, T hours, seeded synthetic series.

Every tool receives the same :class:`RingData` (same seed → same numbers) and must build the
same linear program from it. The formulation, written once in words so that every adapter can
be checked against it (columns × hours unless said otherwise):

- ``shed[b,t]`` in [0, D[b,t]] at ``VOLL`` per MWh (× w)
- ``flow[l,t]`` in [−F, F] (transport model, lines fixed)
- ``gen[k,b,t]`` ≥ 0 for k in wind, solar, gas; ``cap[k,b]`` ≥ 0 at ``CAPEX[k]`` per MW-year;
  ``gen − a[k,b,t] · cap ≤ 0`` (a = 1 for gas); gas costs ``GAS_MC`` per MWh (× w)
- battery: ``charge``, ``discharge``, ``soc`` ≥ 0, ``p_new``, ``e_new`` ≥ 0 per bus;
  ``soc[t] − soc[t−1] − η·charge[t] + discharge[t]/η = 0`` (cyclic: t−1 of the first hour is
  the last hour); ``charge ≤ p_new``, ``discharge ≤ p_new``, ``soc ≤ e_new``;
  ``e_new − DURATION · p_new = 0``; ``p_new`` at ``BATTERY_CAPEX`` per MW-year
- balance: ``Σ_k gen + shed + discharge − charge + Σ_{l in} flow − Σ_{l out} flow = D``

w = 8760 / T is the snapshot weight (annualised operating cost; w = 1 for a full year).
Capital costs are already annual (discount rate 0, lifetime 1 year: CRF = 1).

**The commitment variant** (``--variant uc``, a MIP; same buses, lines, load, wind and
solar series): nothing is built and there is no battery; the cost is that of the T hours
(w = 1). Per bus: wind ``UC_WIND_MW`` and solar ``UC_SOLAR_MW`` fixed, ``gen`` in
[0, a[t] · P]; load shedding as above; and the two committable gas units of ``UC_UNITS``
(one unit each, P_g MW, p^min_g, marginal cost c_g, start-up cost C_g, minimum up/down times
K^up_g, K^down_g hours), every unit on before the first hour with no time left to serve in
that state. Per unit g, bus b and hour t (g, b omitted), with u, v, w ∈ {0, 1} (on, started,
stopped) and p ≥ 0 its output (upper bound P):

- ``transition``: u_t − u_{t−1} − v_t + w_t = 0 (u_{−1} = 1)
- ``min_up``: Σ_{τ = t−K^up+1}^{t} v_τ − u_t ≤ 0 (τ ≥ 0)
- ``min_down``: Σ_{τ = t−K^down+1}^{t} w_τ + u_t ≤ 1 (τ ≥ 0)
- ``dispatch_lower``: p_t − p^min P u_t ≥ 0; ``dispatch_upper``: p_t − P u_t ≤ 0
- balance: wind + solar + Σ_g p + shed + flows in − flows out = D
- objective: Σ VOLL · shed + Σ c_g p + Σ C_g v

This is gridopt's clustered formulation (``models/commitment.md``) with one unit, no ramp
limits and start-up/shut-down ramps of 1 (their terms vanish), i.e. the tight rows of
Morales-España et al. (2013) for this case; gridopt, the floor, linopy and Pyomo lay out
exactly these rows. PyPSA writes its own committable rows (start-up v ≥ u_t − u_{t−1} and
shut-down w ≥ u_{t−1} − u_t as inequalities, the same minimum up/down sums); its optimum is
the same.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy.signal import lfilter

TECHS = ("wind", "solar", "gas")
CAPEX = {"wind": 120_000.0, "solar": 60_000.0, "gas": 50_000.0}  # per MW-year
GAS_MC = 80.0  # per MWh
BATTERY_CAPEX = 90_000.0  # per MW-year of power
EFF = 0.95  # charge and discharge, each way
DURATION = 4.0  # hours: e_new = 4 · p_new
VOLL = 10_000.0  # per MWh of load shed
LINE_CAP = 1_000.0  # MW, both directions
HIGHS_OPTIONS = {"solver": "ipm", "run_crossover": "off"}

# The commitment variant (``--variant uc``): fixed wind and solar, two committable gas units
# per bus. A unit: (name, P MW, p_min share of P, marginal cost per MWh, start-up cost,
# minimum up hours, minimum down hours).
UC_WIND_MW = 1_500.0
UC_SOLAR_MW = 1_000.0
UC_UNITS: tuple[tuple[str, float, float, float, float, int, int], ...] = (
    ("ccgt", 900.0, 0.5, 50.0, 40_000.0, 6, 6),
    ("ocgt", 500.0, 0.25, 110.0, 5_000.0, 2, 2),
)
UC_HIGHS_OPTIONS = {"mip_rel_gap": 1e-3}

#: Timestamps a tool may set (``mark("input_ready")`` once its own input object exists).
MARKS: dict[str, float] = {}


def mark(name: str) -> None:
    """Record ``time.perf_counter()`` under ``name`` (read by the benchmark child)."""
    MARKS[name] = time.perf_counter()


@dataclass(frozen=True)
class RingData:
    """The inputs every tool builds from; series are hours × buses (MW or per unit)."""

    buses: list[str]
    bus0: np.ndarray  # line → index of its "from" bus
    bus1: np.ndarray  # line → index of its "to" bus
    load: np.ndarray
    wind: np.ndarray
    solar: np.ndarray

    @property
    def n_buses(self) -> int:
        return len(self.buses)

    @property
    def hours(self) -> int:
        return self.load.shape[0]

    @property
    def lines(self) -> list[str]:
        return [f"l{i:03d}" for i in range(len(self.bus0))]

    @property
    def weight(self) -> float:
        """Snapshot weight w = 8760 / T (hours each snapshot stands for in the objective)."""
        return 8760.0 / self.hours

    def availability(self, tech: str) -> np.ndarray:
        """a[t, b] of a technology (gas: always 1)."""
        if tech == "gas":
            return np.ones_like(self.load)
        return {"wind": self.wind, "solar": self.solar}[tech]


def ring_edges(n: int) -> list[tuple[int, int]]:
    """The ring (i → i+1) plus a chord i → i + n//2 from every third bus, no duplicates."""
    if n < 2:
        return []
    edges: list[tuple[int, int]] = []
    seen: set[frozenset[int]] = set()
    ring = [(i, (i + 1) % n) for i in range(n if n > 2 else 1)]
    chords = [(i, (i + n // 2) % n) for i in range(0, n, 3)]
    for a, b in ring + chords:
        key = frozenset((a, b))
        if a != b and key not in seen:
            seen.add(key)
            edges.append((a, b))
    return edges


def make_ring(n_buses: int, hours: int, seed: int = 42) -> RingData:
    """Seeded synthetic data: load with daily, weekly and seasonal shape; wind; solar."""
    rng = np.random.default_rng(seed)
    t = np.arange(hours)[:, None]
    edges = ring_edges(n_buses)
    return RingData(
        buses=[f"b{i:03d}" for i in range(n_buses)],
        bus0=np.array([a for a, _ in edges], dtype=np.int64),
        bus1=np.array([b for _, b in edges], dtype=np.int64),
        load=_load(rng, t, n_buses),
        wind=_wind(rng, t, n_buses),
        solar=_solar(rng, t, n_buses),
    )


def _load(rng: np.random.Generator, t: np.ndarray, n: int) -> np.ndarray:
    hour, day = t % 24, t // 24
    daily = 1.0 + 0.06 * np.sin(2 * np.pi * (hour - 9) / 24) - 0.02 * np.cos(4 * np.pi * hour / 24)
    weekly = np.where(day % 7 >= 5, 0.96, 1.0)
    seasonal = 1.0 + 0.04 * np.cos(2 * np.pi * (day - 15) / 365)
    base = rng.uniform(1_200.0, 1_300.0, n)[None, :]
    noise = 1.0 + 0.01 * rng.standard_normal((len(t), n))
    return base * daily * weekly * seasonal * noise


def _wind(rng: np.random.Generator, t: np.ndarray, n: int) -> np.ndarray:
    common = lfilter([1.0], [1.0, -0.97], rng.standard_normal((len(t), 1)), axis=0)
    local = lfilter([1.0], [1.0, -0.9], rng.standard_normal((len(t), n)), axis=0)
    seasonal = 0.08 * np.cos(2 * np.pi * (t // 24) / 365)
    raw = 0.35 + seasonal + 0.035 * common + 0.03 * local
    return np.clip(raw, 0.0, 1.0)


def _solar(rng: np.random.Generator, t: np.ndarray, n: int) -> np.ndarray:
    hour, day = t % 24, t // 24
    length = 12.0 + 3.0 * np.sin(2 * np.pi * (day - 80) / 365)  # hours of daylight
    elevation = np.sin(np.pi * (hour + 0.5 - (12.0 - length / 2)) / length)
    n_days = int(day.max()) + 1
    clouds = rng.uniform(0.35, 1.0, (n_days, n))[day[:, 0]]
    return np.clip(0.8 * elevation * clouds, 0.0, 1.0)


def lp_size(n_buses: int, hours: int) -> tuple[int, int]:
    """Columns and rows of the ring LP as gridopt and the floor lay it out."""
    n_lines = len(ring_edges(n_buses))
    cols = (7 * n_buses + n_lines) * hours + 5 * n_buses
    rows = 8 * n_buses * hours + n_buses
    return cols, rows


def uc_size(n_buses: int, hours: int) -> tuple[int, int, int]:
    """Columns, rows and integer columns of the commitment variant as gridopt lays it out:
    per bus and hour shed, wind, solar and per unit p, u, v, w; a flow per line and hour; a
    balance row per bus and hour and five rows per unit and hour."""
    n_lines = len(ring_edges(n_buses))
    k = len(UC_UNITS)
    cols = ((3 + 4 * k) * n_buses + n_lines) * hours
    rows = (1 + 5 * k) * n_buses * hours
    return cols, rows, 3 * k * n_buses * hours
