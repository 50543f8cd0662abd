"""Plots written as PNG (matplotlib, no screen needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd


def plot_cost_curve(curve: pd.DataFrame, currency: str, path: str | Path,
                    title: str = "") -> Path:
    """Annual cost increase and marginal cost against the required peak-response share."""
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=120)
    share = curve.index.to_numpy() * 100
    ax.plot(share, curve["cost_increase"] / 1e6, "o-", color="tab:blue",
            label="cost increase vs no target")
    ax.set_xlabel("required peak-load response, % of peak load")
    ax.set_ylabel(f"annual cost increase, million {currency}")
    ax2 = ax.twinx()
    ax2.plot(share, curve["marginal_cost_per_mw_yr"] / 1e3, "s--", color="tab:red",
             label="marginal cost (dual)")
    ax2.set_ylabel(f"marginal cost, thousand {currency} per MW-year")
    unreachable = curve["objective"].isna()
    for s in share[unreachable.to_numpy()]:
        ax.axvline(s, color="grey", alpha=0.3)
    lines = ax.get_legend_handles_labels()[0] + ax2.get_legend_handles_labels()[0]
    labels = ax.get_legend_handles_labels()[1] + ax2.get_legend_handles_labels()[1]
    ax.legend(lines, labels, loc="upper left", fontsize=8)
    ax.set_title(title or "Cost of the peak-load response target", fontsize=10)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return Path(path)
