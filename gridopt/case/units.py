"""Units a plan writes its targets in, and their factors to the model's units.

Each unit has a dimension and a factor to that dimension's base (MW, t CO2, GJ, t, m³, MWh,
pu, t CO2/MWh, t CO2 per unit of GDP). Chinese plan units are included: 万千瓦 (10⁴ kW = 10 MW),
亿千瓦时 (10⁸ kWh = 10⁵ MWh), 万吨 (10⁴ t), 万吨标准煤 (10⁴ tce), 亿立方米 (10⁸ m³). A tonne of
standard coal equivalent (tce) is 29.3076 GJ (GB/T 2589-2020: 7,000 kcal/kg), so a tonne of
raw coal of 5,000 kcal/kg (20.934 GJ) is 0.7143 tce, the official factor (20.93 GJ: 0.7141).
"""

from __future__ import annotations

#: GJ per tonne of standard coal equivalent (GB/T 2589: 7,000 kcal/kg × 4.1868 kJ/kcal).
TCE_GJ = 29.3076

#: unit → (dimension, factor to the dimension's base unit).
UNITS: dict[str, tuple[str, float]] = {
    # power, base MW
    "MW": ("power", 1.0), "GW": ("power", 1e3), "kW": ("power", 1e-3),
    "万千瓦": ("power", 10.0),
    # energy, base MWh
    "MWh": ("energy", 1.0), "GWh": ("energy", 1e3), "TWh": ("energy", 1e6),
    "亿千瓦时": ("energy", 1e5),
    # CO2, base t
    "t CO2": ("co2", 1.0), "kt CO2": ("co2", 1e3), "Mt CO2": ("co2", 1e6),
    "万吨CO2": ("co2", 1e4), "万吨 CO2": ("co2", 1e4),
    # heat, base GJ
    "GJ": ("heat", 1.0), "TJ": ("heat", 1e3), "tce": ("heat", TCE_GJ),
    "万吨标准煤": ("heat", 1e4 * TCE_GJ),
    # mass of a fuel, base t
    "t": ("mass", 1.0), "kt": ("mass", 1e3), "Mt": ("mass", 1e6), "万吨": ("mass", 1e4),
    # volume of a fuel, base m3
    "m3": ("volume", 1.0), "1000 m3": ("volume", 1e3), "万立方米": ("volume", 1e4),
    "亿立方米": ("volume", 1e8),
    # shares, base pu
    "pu": ("share", 1.0), "%": ("share", 0.01),
    # intensities
    "t CO2/MWh": ("co2_per_energy", 1.0), "kg CO2/kWh": ("co2_per_energy", 1.0),
    "g CO2/kWh": ("co2_per_energy", 1e-3),
    "t CO2/万元": ("co2_per_gdp", 1.0),
}


#: dimension → its base unit (the model's unit of that quantity).
BASE = {"power": "MW", "energy": "MWh", "co2": "t CO2", "heat": "GJ", "mass": "t",
        "volume": "m3", "share": "pu", "co2_per_energy": "t CO2/MWh",
        "co2_per_gdp": "t CO2/万元"}


def to_base(unit: str) -> float:
    """Base units per one ``unit`` (e.g. 10 MW per 万千瓦)."""
    return UNITS[str(unit).strip()][1]


def dimension(unit: str) -> str | None:
    """The dimension of ``unit`` (``None`` for a unit gridopt does not know)."""
    known = UNITS.get(str(unit).strip())
    return known[0] if known else None


def convert(value: float, unit: str, to: str) -> float:
    """``value`` in ``unit`` expressed in ``to`` (both of one dimension).

    >>> convert(60.0, "万千瓦", "MW")
    600.0
    """
    a, b = UNITS[str(unit).strip()], UNITS[str(to).strip()]
    if a[0] != b[0]:
        raise ValueError(f"cannot convert {unit} ({a[0]}) to {to} ({b[0]})")
    return value * a[1] / b[1]
