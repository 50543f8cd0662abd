#!/usr/bin/env python
"""Solve the Luzhou 2030 default case and its sensitivity variants; write what each plan is.

    python scripts/luzhou_sensitivity.py                       # every variant, full year
    python scripts/luzhou_sensitivity.py --variants open-caps  # some of them
    python scripts/luzhou_sensitivity.py --periods 12          # quicker, on 12 typical days

Each variant is the default case with one input changed (``build_luzhou_case.py --variant``,
recorded in its ``sources.csv``). The table goes to ``docs/luzhou-2030-sensitivity.md`` (and
``.csv``): objective, what is built, the energy mix, imports, coal and gas use, CO2, plant hours
and the mean price, so that the case README can say which of its inputs set the answer. Not run
in CI (a full year takes minutes per variant); the numbers in the README come from it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_luzhou_case as builder

import gridopt
from gridopt.periods import aggregate
from gridopt.results.results import Results

OUT = builder.REPO / "docs"


def write_case(folder: Path, variant: str | None) -> None:
    """The default case (variant None) or a variant, written into ``folder``."""
    info = builder.build(folder)
    files = builder.apply_variant(info["files"], variant) if variant else info["files"]
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)


def describe(res: Results) -> dict[str, float]:
    """The figures of one solved plan, in the units a planner reads."""
    energy, caps = res.energy, res.capacities
    twh = energy.groupby("carrier")["energy_mwh"].sum() / 1e6
    gens = caps.loc["generators"]
    store = caps.loc["storage"] if "storage" in caps.index.get_level_values(0) else None
    demand = res.summary()["demand_mwh"]
    row: dict[str, float] = {"objective_m_cny": res.objective / 1e6}
    for carrier in ("wind", "solar", "hydro", "biomass", "coal", "gas", "import"):
        row[f"{carrier}_twh"] = float(twh.get(carrier, 0.0))
    for name in ("wind_gulin_xuyong", "solar_utility_south", "solar_rooftop_north",
                 "hydro_ror_south", "gas_ocgt_new"):
        row[f"{name}_mw"] = float(gens.loc[name, "total_mw"])
    row["biomass_new_mw"] = float(gens.loc[gens.index.str.startswith("biomass_agri"),
                                           "new_mw"].sum())
    row["battery_mw"] = float(store["total_mw"].sum()) if store is not None else 0.0
    row["battery_mwh"] = float(store["total_mwh"].sum()) if store is not None else 0.0
    row["import_share"] = row["import_twh"] * 1e6 / demand
    row["coal_h"] = float(energy.loc["coal_chuannan", "energy_mwh"] / 1200.0)
    row["ccgt_h"] = float(energy.loc["gas_ccgt_luzhou", "energy_mwh"] / 1400.0)
    row["coal_mt"] = float(energy.loc[energy["fuel"] == "coal", "fuel_use"].sum() / 1e6)
    row["gas_bn_m3"] = float(energy.loc[energy["fuel"] == "gas", "fuel_use"].sum() / 1e6)
    row["co2_mt"] = res.total_emissions_t / 1e6
    row["co2_t_per_mwh"] = res.total_emissions_t / demand
    row["load_shed_mwh"] = res.summary()["load_shed_mwh"]
    row["mean_price"] = res.summary().get("mean_price_per_mwh", float("nan"))
    return row


def markdown(frame: pd.DataFrame) -> str:
    """A plain Markdown table (4 significant digits)."""
    head = "| | " + " | ".join(frame.columns) + " |"
    rule = "|---|" + "---:|" * len(frame.columns)
    body = ["| " + str(i) + " | " + " | ".join(f"{v:,.4g}" for v in row) + " |"
            for i, row in frame.iterrows()]
    return "\n".join([head, rule, *body])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--variants", nargs="*", default=["default", *sorted(builder.VARIANTS)])
    ap.add_argument("--periods", type=int, default=None, help="plan on K typical days")
    ap.add_argument("--out", type=Path, default=OUT, help="folder of the table")
    args = ap.parse_args(argv)
    rows = {}
    for variant in args.variants:
        with tempfile.TemporaryDirectory() as tmp:
            write_case(Path(tmp), None if variant == "default" else variant)
            case = gridopt.read_case(tmp)
            if args.periods:
                case = aggregate(case, args.periods)
            res = gridopt.solve(case)
            if not res.ok:
                print(f"{variant}: {res.status}")
                continue
            rows[variant] = describe(res)
            print(f"{variant}: {rows[variant]['objective_m_cny']:,.1f} M CNY/yr "
                  f"({res.summary()['solve_seconds']:.0f} s)", flush=True)
    table = pd.DataFrame(rows).T
    args.out.mkdir(parents=True, exist_ok=True)
    earlier = args.out / "luzhou-2030-sensitivity.csv"
    if earlier.exists() and not args.periods:  # keep the variants not solved this time
        old = pd.read_csv(earlier, index_col=0)
        table = pd.concat([old.drop(index=table.index, errors="ignore"), table])
        order = ["default", *sorted(builder.VARIANTS)]
        table = table.loc[[v for v in order if v in table.index]]
    table.to_csv(args.out / "luzhou-2030-sensitivity.csv", float_format="%.6g")
    (args.out / "luzhou-2030-sensitivity.md").write_text(
        "# Luzhou 2030: default case and sensitivity variants\n\nWritten by "
        "`scripts/luzhou_sensitivity.py`" + (f" on {args.periods} typical days"
                                             if args.periods else " (full year)") +
        "; each variant changes one input (`build_luzhou_case.py --variant`; the change is "
        "in the variant's `sources.csv`).\n\n" + markdown(table.T) + "\n")
    print(table.T.to_string(float_format=lambda v: f"{v:.4g}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
