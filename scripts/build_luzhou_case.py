#!/usr/bin/env python
"""Build the Luzhou 2030 default case (``data/luzhou-2030``) from stated sources and methods.

Run from anywhere::

    python scripts/build_luzhou_case.py           # (re)write the case (not README) and pathway
    python scripts/build_luzhou_case.py --check   # rebuild in memory, compare with both folders
    python scripts/build_luzhou_case.py --variant open-caps --out /tmp/open   # sensitivity case

Everything numeric in the case is written by this script, so that each conversion (USD2010 → CNY,
EUR → CNY, MMBtu → GJ, per kW → per MW) is computed in one place and the origin of every number
goes into ``sources.csv`` next to it. Edit the case here, not in the CSVs.

Inputs (all inside the repository, nothing is downloaded):

* ``data/china-profiles/load_sichuan_chongqing_hourly.csv`` (Apache-2.0, see its NOTICE.md):
  the hourly Sichuan load shape.
* pvlib's bundled data (Linke turbidity climatology and altitude lookup) for the solar series.

Derived series (see ``data/luzhou-2030/README.md`` for the caveats):

* load: the Sichuan column scaled to a Luzhou 2030 energy, split between two buses;
* solar: pvlib clear sky at Luzhou, scaled month by month to an Angstrom-Prescott irradiation
  (annual level 1,035 kWh/m2) with a seeded day-to-day cloud process, transposed to the array
  plane, PVWatts DC/AC;
* wind: SYNTHETIC, NOT MEASURED: a seeded AR(1)/Weibull wind-speed process at two ridge sites
  with seasonal and diurnal modulation, through a generic IEC class III power curve, calibrated
  to a stated full-load-hours figure;
* imports and run-of-river hydro: monthly wet/dry-season availability shapes; the import price
  (``price_per_mwh.csv``): the Sichuan market's level by season x the TOU ratio of the hour;
* coal availability: planned overhauls and a forced-outage derating.

Sensitivity variants (``--variant``, written elsewhere, never over the default case): no build
caps on renewables (``open-caps``), the first case's flat import price (``flat-import``), gas at
the price implied by Sichuan's gas-power tariff (``gas-tariff``), a 2,500 MW import limit
(``import-2500``). The 2025–2030–2035 pathway (``pathway``) is a shipped variant: written with the
default case into ``data/luzhou-pathway`` (and checked with it), or elsewhere with ``--variant``.

Every random draw uses ``numpy.random.default_rng(SEED)`` with fixed seeds, so the output is
byte-identical from run to run on the same library versions.
"""

from __future__ import annotations

import argparse
import io
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
PROFILE_CSV = REPO / "data" / "china-profiles" / "load_sichuan_chongqing_hourly.csv"
OUT_DIR = REPO / "data" / "luzhou-2030"

YEAR = 2030
HOURS = 8760
TZ = "Asia/Shanghai"  # UTC+8, no daylight saving time since 1991

# ---------------------------------------------------------------------------------------------
# Short names of the sources cited below (full references in data/luzhou-2030/README.md).
# ---------------------------------------------------------------------------------------------
FACTS = "LUZHOU-FACTS.md"   # gridopt shared reference fact sheet (Nov 2026 draft), by section
PLAN = "Plan (泸州市碳达峰实施方案, 泸市府发〔2024〕2号)"
LITREV = "PyPSA-China lit. review (PyPSA-China-PIK tech_costs_subset_litreview.csv)"

# ---------------------------------------------------------------------------------------------
# Conversion factors
# ---------------------------------------------------------------------------------------------
GJ_PER_MMBTU = 1.055056
SRC_MMBTU = "1 MMBtu = 1.055056 GJ (International Table Btu = 1,055.056 J; NIST SP 811 App. B)"
CNY_PER_USD2010 = 6.77
SRC_USD = ("USD2010 -> CNY at 6.77 CNY/USD (2010 average rate, the factor used in " + FACTS +
           " section D); 2010 price level kept, no inflation adjustment (open doubt)")
CNY_PER_EUR = 7.8
SRC_EUR = ("EUR -> CNY at 7.8 CNY/EUR: assumption (unverified value, approx. 2023-2024 average "
           "exchange rate from general knowledge)")
KJ_PER_KCAL = 4.1868
TCE_GJ = 7000 * KJ_PER_KCAL / 1000   # GJ per tonne of standard coal (7,000 kcal/kg) = 29.3076
PER_KW_TO_PER_MW = 1000.0
SRC_KW = "per kW -> per MW: x 1,000"


def usd2010(x: float) -> float:
    return x * CNY_PER_USD2010


def mmbtu_to_gj(x: float) -> float:
    return x * GJ_PER_MMBTU


def crf(rate: float, years: float) -> float:
    """Capital recovery factor (used only for the printed sanity summary)."""
    return rate / (1 - (1 + rate) ** -years)


# =============================================================================================
# 1. Load
# =============================================================================================
SICHUAN_TWH_2024 = 399.97          # FACTS A (PyPSA-China-PIK load file, NBS 2024)
LUZHOU_GDP_2022 = 2601.5           # FACTS A, 100 M CNY (L: garbled source)
SICHUAN_GDP_2022 = 56610.2         # FACTS A, 100 M CNY (NBS via PyPSA-China-PIK)
GROWTH_CENTRAL = 0.05              # FACTS I: central case ≈ 5 %/yr
GROWTH_YEARS = YEAR - 2024
SOUTH_LOAD_SHARE = 0.20            # assumption (see SRC_LOAD_SPLIT)

LUZHOU_SHARE = LUZHOU_GDP_2022 / SICHUAN_GDP_2022
LUZHOU_TWH_2024 = LUZHOU_SHARE * SICHUAN_TWH_2024
LUZHOU_TWH_2030 = LUZHOU_TWH_2024 * (1 + GROWTH_CENTRAL) ** GROWTH_YEARS

SRC_LOAD_ENERGY = (
    "assumption (proxy per " + FACTS + " section I, 'Luzhou annual electricity consumption' and "
    "'Luzhou 2030 demand'): Luzhou 2024 = Sichuan 2024 demand 399.97 TWh (A: PyPSA-China-PIK "
    "Provincial_Load_2020_2060_MWh.csv, 2025 column = NBS 2024) x Luzhou share of Sichuan GDP 2022 "
    "2,601.5/56,610.2 = 4.60 % (A: Luzhou 2022 statistical summary (L) / NBS) = 18.38 TWh; grown "
    "at "
    "the central 5 %/yr for 6 years (x 1.3401) = 24.63 TWh in 2030. Order-of-magnitude "
    "placeholder, "
    "not a Luzhou statistic")
SRC_LOAD_SHAPE = (
    "hourly shape = column sichuan_load_MW of "
    "data/china-profiles/load_sichuan_chongqing_hourly.csv "
    "(Lavender105/solar_wind_complementarity commit 2d5f1a7, Apache-2.0; reconstructed ≈2018 "
    "provincial load on a 2022 weekday calendar, see its PROVENANCE.md), hour 1 taken as "
    "2030-01-01 00:00 local time, NOT rolled (fixed-date holiday troughs kept in place; weekdays "
    "are off by 3 days; Spring Festival trough on 16-20 Feb instead of 3 Feb 2030), scaled to the "
    "annual energy, rounded to 0.1 MW")
SRC_LOAD_SPLIT = (
    "assumption: luzhou_south (Gulin + Xuyong) takes 20 % of Luzhou load, luzhou_north 80 %, same "
    "hourly shape. Gulin + Xuyong hold roughly a quarter of Luzhou's 4,254,149 residents (inferred "
    "from the size classes in the 泸州市第七次全国人口普查公报, 27 May 2021, via 泸州新闻网: "
    "Luxian, "
    "Jiangyang and Hejiang = 52.06 %; exact county figures not read); set lower than the "
    "population share because industry concentrates in the urban districts, Luxian and Hejiang")


def build_load(snapshots: pd.DatetimeIndex) -> pd.DataFrame:
    prof = pd.read_csv(PROFILE_CSV)
    shape = prof["sichuan_load_MW"].to_numpy(float)
    if shape.size != HOURS:
        raise SystemExit(f"{PROFILE_CSV}: expected {HOURS} rows, found {shape.size}")
    total = shape / shape.sum() * LUZHOU_TWH_2030 * 1e6  # MW in each hour (MWh/h)
    out = pd.DataFrame(index=snapshots)
    out["load_north"] = np.round(total * (1 - SOUTH_LOAD_SHARE), 1)
    out["load_south"] = np.round(total * SOUTH_LOAD_SHARE, 1)
    return out


# =============================================================================================
# 2. Solar PV (pvlib)
# =============================================================================================
LAT, LON = 28.87, 105.44          # Luzhou city (china-profiles PROVENANCE.md, fallback recipe)
# FAO-56 (Allen et al. 1998, Irrigation and Drainage Paper 56, eq. 35) default Angstrom-Prescott
# coefficients when no local calibration is available.
AP_A, AP_B = 0.25, 0.50
# Relative sunshine (sunshine hours / possible hours): Chongqing city proper ranges from 8 % in
# December/January to 48 % in August (Wikipedia climate section, CMA normals, reproduced at
# chongqing.indiansinchina.com/climate). Assumption: linear in day of year between those anchors.
SIGMA_MIN, SIGMA_MAX = 0.08, 0.48
SIGMA_MIN_DOY, SIGMA_MAX_DOY, SIGMA_MIN_DOY_DEC = 15, 227, 350   # mid-Jan, mid-Aug, mid-Dec
# Annual GHI (assumption): 1,035 kWh/m2 = midpoint of the Sichuan-Basin band 905-1,164 kWh/m2:
# 905 = minimum of the CMA 2010 national solar assessment, at the Chongqing low-value centre
# (Xinhua, 21 Nov, on the climate-change green paper; copy at caowua.com/news/35023.html);
# 1,164 kWh/m2 = 4,190 MJ/m2, the upper bound of the lowest (class V, Sichuan-Guizhou) region of
# the 1980s five-class scheme (class IV starts at 419 x 10^4 kJ/m2; msthinker.com/solar-home.net).
GHI_ANNUAL_KWH_M2 = (905.0 + 4190.0 / 3.6) / 2
CLOUD_SEED = 20300101
CLOUD_RHO = 0.5        # day-to-day autocorrelation of the cloud index (assumption)
CLOUD_NU = 4.0         # Beta precision of the daily clear-sky index (assumption)
DC_AC_RATIO = 1.2      # china-profiles PROVENANCE fallback recipe
GAMMA_PDC = -0.004     # 1/K, crystalline-silicon power temperature coefficient (assumption)
ALBEDO = 0.2

# Monthly mean daily max/min air temperature (°C) at Fuling, Chongqing, 1971-2000 (Weather China
# via liquisearch.com/fuling_district/climate); Fuling lies in the same basin ≈ 200 km east of
# Luzhou: proxy for Luzhou air temperature (assumption).
T_HIGH = [9.7, 12.1, 16.9, 22.5, 26.6, 29.2, 33.0, 33.9, 28.0, 22.0, 16.6, 11.2]
T_LOW = [5.7, 7.1, 10.5, 14.9, 18.7, 21.6, 24.3, 24.4, 20.8, 16.2, 11.8, 7.5]


@dataclass(frozen=True)
class PvSystem:
    name: str
    tilt: float
    azimuth: float
    temp_model: str   # key of pvlib.temperature.TEMPERATURE_MODEL_PARAMETERS['sapm']


PV_UTILITY = PvSystem("solar_utility_south", 20.0, 180.0, "open_rack_glass_polymer")
PV_ROOFTOP = PvSystem("solar_rooftop_north", 10.0, 180.0, "close_mount_glass_glass")


def solar_weather(snapshots: pd.DatetimeIndex) -> dict[str, pd.Series | pd.DataFrame]:
    """All-sky GHI/DNI/DHI and air temperature at Luzhou for the 8760 snapshots (hour-beginning)."""
    import pvlib
    from scipy import stats

    alt = float(pvlib.location.lookup_altitude(LAT, LON))   # 306 m
    loc = pvlib.location.Location(LAT, LON, tz=TZ, altitude=alt, name="Luzhou")
    # Evaluate at mid-hour: snapshot 00:00 stands for 00:00-01:00 local time.
    times = (snapshots + pd.Timedelta(minutes=30)).tz_localize(TZ)
    sp = loc.get_solarposition(times)
    cs = loc.get_clearsky(times, model="ineichen", solar_position=sp)   # bundled Linke turbidity
    dni_extra = pvlib.irradiance.get_extra_radiation(times)
    cosz = np.cos(np.radians(sp["apparent_zenith"].clip(upper=90.0)))
    h0 = (dni_extra * np.cos(np.radians(sp["zenith"].clip(upper=90.0)))).clip(lower=0.0)

    month = np.asarray(times.month)
    doy = np.asarray(times.day_of_year)
    day = (doy - 1)
    # Monthly Angstrom-Prescott irradiation from the relative-sunshine climatology.
    sigma_doy = np.interp(np.arange(1, 366), [SIGMA_MIN_DOY, SIGMA_MAX_DOY, SIGMA_MIN_DOY_DEC],
                          [SIGMA_MIN, SIGMA_MAX, SIGMA_MIN])   # flat 8 % outside mid-Dec..mid-Jan
    ghi_clear = cs["ghi"].to_numpy()
    h0v = h0.to_numpy()
    target_m = np.zeros(13)
    clear_m = np.zeros(13)
    for m in range(1, 13):
        sel = month == m
        sig_m = sigma_doy[np.unique(day[sel])].mean()
        target_m[m] = h0v[sel].sum() * (AP_A + AP_B * sig_m)
        clear_m[m] = ghi_clear[sel].sum()
    # Level: one factor for all months so that the year's GHI equals the stated annual figure (the
    # FAO default coefficients over-estimate irradiation under the basin's haze and low cloud).
    target_m *= GHI_ANNUAL_KWH_M2 * 1000 / target_m.sum()
    ratio_m = np.divide(target_m, clear_m, out=np.zeros(13), where=clear_m > 0)   # all-sky/clear

    # Day-to-day cloudiness: Gaussian AR(1) (rho) mapped through a Beta marginal whose mean is the
    # month's ratio; then renormalised so that every month's irradiation is met exactly.
    rng = np.random.default_rng(CLOUD_SEED)
    z = np.empty(365)
    z[0] = rng.standard_normal()
    for d in range(1, 365):
        z[d] = CLOUD_RHO * z[d - 1] + math.sqrt(1 - CLOUD_RHO**2) * rng.standard_normal()
    u = stats.norm.cdf(z)
    day_month = pd.date_range(f"{YEAR}-01-01", periods=365, freq="D").month.to_numpy()
    mu = ratio_m[day_month]
    r_day = stats.beta.ppf(u, mu * CLOUD_NU, (1 - mu) * CLOUD_NU)
    clear_day = np.bincount(day, weights=ghi_clear, minlength=365)
    for _ in range(50):   # rescale month by month, respecting r <= 1 (no day above clear sky)
        for m in range(1, 13):
            sel = day_month == m
            got = (r_day[sel] * clear_day[sel]).sum()
            r_day[sel] = np.minimum(r_day[sel] * target_m[m] / got, 1.0)
    ghi = ghi_clear * r_day[day]
    erbs = pvlib.irradiance.erbs(ghi, sp["zenith"].to_numpy(), times)
    dni = np.where(cosz > 0.0, erbs["dni"], 0.0)
    dhi = np.where(ghi > 0.0, erbs["dhi"], 0.0)

    # Air temperature: sinusoid between monthly mean daily min (05:00) and max (15:00) (assumption).
    hour = np.asarray(times.hour) + 0.5
    t_hi = np.array(T_HIGH)[month - 1]
    t_lo = np.array(T_LOW)[month - 1]
    temp_air = (t_hi + t_lo) / 2 + (t_hi - t_lo) / 2 * np.cos(2 * np.pi * (hour - 15) / 24)
    return {"times": times, "solpos": sp, "ghi": ghi, "dni": dni, "dhi": dhi,
            "dni_extra": dni_extra.to_numpy(), "temp_air": temp_air, "ghi_clear": ghi_clear,
            "target_m": target_m[1:], "clear_m": clear_m[1:], "r_day": r_day, "altitude": alt}


def solar_profile(w: dict, system: PvSystem) -> np.ndarray:
    """AC output per unit of DC nameplate (kWp): the availability of 1 MWp of PV."""
    import pvlib

    sp = w["solpos"]
    poa = pvlib.irradiance.get_total_irradiance(
        system.tilt, system.azimuth, sp["apparent_zenith"], sp["azimuth"],
        dni=w["dni"], ghi=w["ghi"], dhi=w["dhi"], dni_extra=w["dni_extra"],
        model="haydavies", albedo=ALBEDO)
    aoi = pvlib.irradiance.aoi(system.tilt, system.azimuth, sp["apparent_zenith"], sp["azimuth"])
    iam = pvlib.iam.physical(aoi)
    eff = (poa["poa_direct"] * iam + poa["poa_sky_diffuse"] + poa["poa_ground_diffuse"]).fillna(0.0)
    params = pvlib.temperature.TEMPERATURE_MODEL_PARAMETERS["sapm"][system.temp_model]
    poa_global = poa["poa_global"].fillna(0.0)
    t_cell = pvlib.temperature.sapm_cell(poa_global, w["temp_air"], 1.0, **params)
    losses = pvlib.pvsystem.pvwatts_losses() / 100.0        # PVWatts v5 defaults: 14.08 %
    pdc = pvlib.pvsystem.pvwatts_dc(eff, t_cell, 1.0, GAMMA_PDC) * (1 - losses)
    pac0 = 1.0 / DC_AC_RATIO
    pac = pvlib.inverter.pvwatts(pdc, pac0 / 0.96, eta_inv_nom=0.96)
    return np.clip(np.nan_to_num(np.asarray(pac, float)), 0.0, 1.0)


# =============================================================================================
# 3. Wind (SYNTHETIC, NOT MEASURED)
# =============================================================================================
WIND_SEED = 20300102
WIND_SITES = ("Gulin ridge (≈28.04 N, 105.81 E, 726 m)",
              "Xuyong ridge (≈28.17 N, 105.44 E, 1090 m)")
WIND_PHI = 0.97          # hourly AR(1) coefficient of each Gaussian driver (≈33 h memory)
WIND_COMMON = 0.7        # share of variance from a driver common to both sites
WEIBULL_K = 2.0          # Rayleigh-like shape (assumption)
SEASON_PEAK_DOY = 80     # windiest around late March (dry-season spring maximum, assumption)
DIURNAL_AMP = 0.08       # ±8 % of the Weibull scale, maximum at 02:00 (ridge-top night maximum)
DIURNAL_PEAK_H = 2.0
V_CUT_IN, V_RATED, V_CUT_OUT = 3.0, 10.0, 22.0    # generic IEC class III curve (assumption)
WIND_LOSSES = 0.15       # wake + availability + electrical (PROVENANCE recipe: 10-15 %)
WIND_H1_FLH = 1294.0     # Sichuan H1 2014 full-load hours, lowest of FACTS G (1,294-1,654)
WIND_H1_SHARE = 0.60     # assumption: the first half-year yields 60 % of the annual energy


def power_curve(v: np.ndarray) -> np.ndarray:
    p = (v**3 - V_CUT_IN**3) / (V_RATED**3 - V_CUT_IN**3)
    p = np.where(v < V_CUT_IN, 0.0, np.where(v >= V_RATED, 1.0, p))
    return np.where(v >= V_CUT_OUT, 0.0, p)


def wind_drivers(n: int) -> np.ndarray:
    """Two standard-normal AR(1) site drivers (n × 2), correlated through a common component."""
    rng = np.random.default_rng(WIND_SEED)
    eps = rng.standard_normal((n, 3))
    x = np.empty((n, 3))
    x[0] = eps[0]
    s = math.sqrt(1 - WIND_PHI**2)
    for t in range(1, n):
        x[t] = WIND_PHI * x[t - 1] + s * eps[t]
    common, local = x[:, :1], x[:, 1:]
    return math.sqrt(WIND_COMMON) * common + math.sqrt(1 - WIND_COMMON) * local


def wind_cf(snapshots: pd.DatetimeIndex, scale: float, amp: float, z: np.ndarray) -> np.ndarray:
    from scipy import stats

    doy = np.asarray(snapshots.day_of_year)
    hour = np.asarray(snapshots.hour) + 0.5
    season = 1 + amp * np.cos(2 * np.pi * (doy - SEASON_PEAK_DOY) / 365)
    diurnal = 1 + DIURNAL_AMP * np.cos(2 * np.pi * (hour - DIURNAL_PEAK_H) / 24)
    u = stats.norm.cdf(z)
    weib = (-np.log1p(-u)) ** (1 / WEIBULL_K)                    # unit-scale Weibull quantile
    v = scale * (season * diurnal)[:, None] * weib
    return (power_curve(v) * (1 - WIND_LOSSES)).mean(axis=1)      # average of the two sites


def _bisect(f, lo: float, hi: float, n: int = 60) -> float:
    flo = f(lo)
    for _ in range(n):
        mid = (lo + hi) / 2
        fm = f(mid)
        if (fm > 0) == (flo > 0):
            lo, flo = mid, fm
        else:
            hi = mid
    return (lo + hi) / 2


def build_wind(snapshots: pd.DatetimeIndex) -> tuple[np.ndarray, dict]:
    z = wind_drivers(len(snapshots))
    h1 = np.asarray(snapshots.month) <= 6

    def calibrated_scale(amp: float) -> float:
        return _bisect(lambda c: wind_cf(snapshots, c, amp, z)[h1].sum() - WIND_H1_FLH, 2.0, 20.0)

    def share_gap(amp: float) -> float:
        cf = wind_cf(snapshots, calibrated_scale(amp), amp, z)
        return cf[h1].sum() / cf.sum() - WIND_H1_SHARE

    amp = _bisect(share_gap, 0.0, 0.6, n=30)
    scale = calibrated_scale(amp)
    cf = wind_cf(snapshots, scale, amp, z)
    return cf, {"weibull_scale_mps": scale, "season_amp": amp}


# =============================================================================================
# 4. Imports and run-of-river hydro: monthly wet/dry-season shapes
# =============================================================================================
# Share of the import limit the provincial grid can deliver, by month (assumption): wet season
# June-October 1.0 (Sichuan tariff wet period; Reuters: wet season May-October), May and November
# 0.8 (transition), December-April 0.6 (dry season: less hydro in the province).
IMPORT_MONTHLY = [0.6, 0.6, 0.6, 0.6, 0.8, 1.0, 1.0, 1.0, 1.0, 1.0, 0.8, 0.6]
HYDRO_FLH = 4000.0   # FACTS C/G: Sichuan hydro ≈ 400 TWh / ≈ 100 GW ≈ 4,000 h/yr (derived, L)


def monthly_series(snapshots: pd.DatetimeIndex, values: list[float]) -> np.ndarray:
    return np.asarray(values)[np.asarray(snapshots.month) - 1]


# Price of the provincial market, by month (CNY/MWh): Sichuan 2025 as compiled in
# johnhany/BladeBend docs/各省数据2025/四川.md (commit bf8c7db), citing 四川电力交易中心 (L): the
# centralised-trade monthly averages read for the dry season (March 398.62, April 401.02) and the
# wet season (June 121.48, August 122.10); the flat months (May, November) take the dry level x
# the ratio of the flat- to the dry-season price cap (333.84 / 415.63), an assumption.
MARKET_DRY = (398.62 + 401.02) / 2
MARKET_WET = (121.48 + 122.10) / 2
MARKET_FLAT = MARKET_DRY * 333.84 / 415.63
IMPORT_PRICE_MONTHLY = [MARKET_DRY] * 4 + [MARKET_FLAT] + [MARKET_WET] * 5 + [MARKET_FLAT,
                                                                               MARKET_DRY]


def tou_ratio(snapshots: pd.DatetimeIndex) -> np.ndarray:
    """Sichuan time-of-use ratios from 1 Jun 2023 (川发改价格规〔2023〕186号, FACTS D): valley
    23-07 h x 0.4, flat 07-10, 12-15 and 21-23 h x 1.0, peak 10-12 and 15-21 h x 1.6, critical
    peak (Jul and Aug 15-17 h, Jan and Dec 19-21 h) = peak x 1.2. A day averages 1.0 (1.027 on
    critical-peak days)."""
    h = np.asarray(snapshots.hour)
    m = np.asarray(snapshots.month)
    ratio = np.where((h >= 23) | (h < 7), 0.4,
                     np.where(((h >= 10) & (h < 12)) | ((h >= 15) & (h < 21)), 1.6, 1.0))
    crit = ((np.isin(m, [7, 8]) & (h >= 15) & (h < 17))
            | (np.isin(m, [1, 12]) & (h >= 19) & (h < 21)))
    return np.where(crit, 1.6 * 1.2, ratio)


def import_price(snapshots: pd.DatetimeIndex) -> np.ndarray:
    """Hourly import price = the month's market level x the TOU ratio of the hour."""
    return np.round(monthly_series(snapshots, IMPORT_PRICE_MONTHLY) * tou_ratio(snapshots), 2)


# Coal availability: planned overhaul of one 600 MW unit for 28 days in June and of the other in
# October (assumption: wet-season months of low load, when Sichuan's thermal plants stand by; no
# planned-outage statistic was found), and a forced-outage derating of 32.42 h/yr (equivalent
# unplanned outage hours of the worst of three 600/300 MW unit classes at the NEA/CEC 2020
# reliability conference, Shanghai Electric release of 1 Jul 2020, via satasort.org; L-M).
COAL_FORCED_H = 32.42
COAL_OVERHAUL = (("2030-06-01", "2030-06-29"), ("2030-10-01", "2030-10-29"))


def coal_availability(snapshots: pd.DatetimeIndex) -> np.ndarray:
    """Share of Chuannan's 1,200 MW available: (1 − EUOH/8760) x (1 − 0.5 per unit in overhaul)."""
    out = np.full(len(snapshots), 1.0)
    for start, end in COAL_OVERHAUL:
        out[(snapshots >= start) & (snapshots < end)] -= 0.5
    return out * (1.0 - COAL_FORCED_H / 8760.0)


# =============================================================================================
# 5. Tables
# =============================================================================================
IMPORT_LIMIT_MW = 3000.0
LINE_MW = 1200.0
VOLL = 10000.0

# Fuels -------------------------------------------------------------------------------------
COAL_T_GJ = 5500 * KJ_PER_KCAL / 1000          # GJ per t of 5,500 kcal/kg reference coal = 23.03
COAL_PORT_CNY_T = (570 + 770) / 2              # NDRC 303 band midpoint
COAL_FREIGHT_CNY_T = 60.0                      # assumption
COAL_PRICE = (COAL_PORT_CNY_T + COAL_FREIGHT_CNY_T) / COAL_T_GJ
GAS_CNY_M3 = 1.65                              # Sichuan DRC max non-residential city-gate 2015
GAS_GJ_1000M3 = 38.98
GAS_PRICE = GAS_CNY_M3 * 1000 / GAS_GJ_1000M3
BIOMASS_PRICE = 20.0                           # assumption

FUELS = [
    dict(name="coal", price_per_gj=COAL_PRICE, co2_t_per_gj=0.09552 / GJ_PER_MMBTU,
         gj_per_unit=20.93, unit="t"),
    dict(name="gas", price_per_gj=GAS_PRICE, co2_t_per_gj=0.05306 / GJ_PER_MMBTU,
         gj_per_unit=GAS_GJ_1000M3, unit="1000 m3"),
    dict(name="biomass", price_per_gj=BIOMASS_PRICE, co2_t_per_gj=0.0, gj_per_unit=1.0, unit="GJ"),
]

FUEL_SOURCES = {
    ("coal", "price_per_gj"): (
        "NDRC 发改价格〔2022〕303号 thermal-coal reference band 570-770 CNY/t (Qinhuangdao, 5,500 "
        "kcal/kg; " + FACTS + " D), midpoint 670 CNY/t, + 60 CNY/t freight and handling to Luzhou "
        "(assumption: Chuannan burns coal from the nearby Guxu field, FACTS B, so only a short "
        "haul "
        "is added) = 730 CNY/t / 23.03 GJ/t (5,500 kcal/kg x 4.1868 kJ/kcal) = 31.70 CNY/GJ "
        "(= 663.5 CNY per t of 20.93 GJ raw coal)", "M"),
    ("coal", "co2_t_per_gj"): (
        "SWITCH-China inputs/fuels.csv 0.09552 tCO2/MMBtu (" + FACTS + " F) / 1.055056 GJ/MMBtu "
        "= 0.09054 t/GJ", "M"),
    ("coal", "gj_per_unit"): (
        "average raw coal 20.93 GJ/t LHV (China statistics; NRC 2000 'Cooperation in the Energy "
        "Futures of China and the United States', Energy Conversion appendix, J.E. Sinton/LBNL; " +
        FACTS + " F)", "M"),
    ("gas", "price_per_gj"): (
        "Sichuan DRC notice of 19 Nov 2015: maximum non-residential city-gate price cut from 2.35 "
        "to "
        "1.65 CNY/m3 from 20 Nov 2015 (reported by 中小企业局, copy at chengdu.baogaosu.com, "
        "20 Nov 2015) / 38.98 GJ per 1000 m3 = 42.33 CNY/GJ. A 2015 ceiling used as the 2030 "
        "central price (assumption; local shale gas, Plan T8, may be cheaper). High case: "
        "SWITCH-China "
        "Sichuan tier 15.63 USD2010/MMBtu ≈ 100 CNY/GJ (" + FACTS + " D, I)", "L"),
    ("gas", "co2_t_per_gj"): (
        "SWITCH-China inputs/fuels.csv 0.05306 tCO2/MMBtu (" + FACTS + " F) / 1.055056 GJ/MMBtu "
        "= 0.05029 t/GJ", "M"),
    ("gas", "gj_per_unit"): (
        "natural gas 38.98 GJ per 1000 m3 LHV (China statistics; NRC 2000 / Sinton, LBNL; "
        "" + FACTS +
        " F)", "M-H"),
    ("biomass", "price_per_gj"): (
        "assumption (no source in " + FACTS + "): agricultural/forestry residue delivered at "
        "20 CNY/GJ (unverified order of magnitude: ≈ 300 CNY/t straw at ≈ 15 GJ/t)", "L"),
    ("biomass", "co2_t_per_gj"): (
        "assumption: biogenic CO2 counted as 0 (accounting convention; combustion CO2 not "
        "zero)", "L"),
    ("biomass", "gj_per_unit"): ("unit is GJ (no physical unit tracked)", "H"),
}

# Generators ----------------------------------------------------------------------------------
# Coal (Chuannan 2 x 600 MW): SWITCH-China existing-plant entry.
# Coal: China's average supply coal consumption of coal power, 305.5 gce/kWh in 2020 (NDRC & NEA,
# Nov 2021, FACTS F) x 29.3076 GJ/tce; a 2007 subcritical unit is likely worse (no figure
# for the unit type was found), so this is a floor.
SUPPLY_COAL_GCE_KWH = 305.5
COAL_HR = SUPPLY_COAL_GCE_KWH * TCE_GJ / 1000
# CCGT: the project's design figures, ≈ 0.6 bn m3 of gas for ≈ 3.5 TWh/yr (FACTS B), at 38.98 GJ
# per 1000 m3: 0.6e6 x 38.98 / 3.5e6 = 6.682 GJ/MWh (53.9 %, LHV).
CCGT_DESIGN_MWH = 3.5e6
CCGT_DESIGN_1000M3 = 0.6e6
CCGT_HR = CCGT_DESIGN_1000M3 * 38.98 / CCGT_DESIGN_MWH
OCGT_HR = mmbtu_to_gj(9.76)
BIOMASS_HR = 12.0       # assumption: 30 % net electrical efficiency

GEN_COLUMNS = ["name", "bus", "carrier", "p_nom_mw", "extendable", "p_nom_max_mw", "p_min_pu",
               "p_max_pu", "capex_per_mw", "lifetime_yr", "fom_per_mw_yr", "vom_per_mwh", "fuel",
               "heat_rate_gj_per_mwh", "co2_t_per_mwh", "ramp_up_pu_per_h", "ramp_down_pu_per_h"]
COAL_RAMP = 0.5   # p.u./h, PyPSA-China-PIK fossil_ramps (FACTS E, L)


def g(**kw) -> dict:
    row = {c: "" for c in GEN_COLUMNS}
    row.update(kw)
    return row


GENERATORS = [
    g(name="coal_chuannan", bus="luzhou_north", carrier="coal", p_nom_mw=1200.0,
      extendable=False, p_min_pu=0.0, p_max_pu=1.0, capex_per_mw=3500 * PER_KW_TO_PER_MW,
      lifetime_yr=40.0, fom_per_mw_yr=usd2010(10514), vom_per_mwh=usd2010(3), fuel="coal",
      heat_rate_gj_per_mwh=COAL_HR, ramp_up_pu_per_h=COAL_RAMP, ramp_down_pu_per_h=COAL_RAMP),
    g(name="gas_ccgt_luzhou", bus="luzhou_north", carrier="gas", p_nom_mw=1400.0,
      extendable=False, p_min_pu=0.0, p_max_pu=1.0, capex_per_mw=2000 * PER_KW_TO_PER_MW,
      lifetime_yr=25.0, fom_per_mw_yr=usd2010(6400), vom_per_mwh=usd2010(2), fuel="gas",
      heat_rate_gj_per_mwh=CCGT_HR),
    g(name="gas_ocgt_new", bus="luzhou_north", carrier="gas", p_nom_mw=0.0, extendable=True,
      p_min_pu=0.0, p_max_pu=1.0, capex_per_mw=usd2010(465714), lifetime_yr=25.0,
      fom_per_mw_yr=usd2010(4657), vom_per_mwh=usd2010(2), fuel="gas",
      heat_rate_gj_per_mwh=OCGT_HR),
    g(name="wind_gulin_xuyong", bus="luzhou_south", carrier="wind", p_nom_mw=250.0,
      extendable=True, p_nom_max_mw=1000.0, p_min_pu=0.0, p_max_pu=1.0,
      capex_per_mw=5600 * PER_KW_TO_PER_MW, lifetime_yr=30.0,
      fom_per_mw_yr=0.0122 * 5600 * PER_KW_TO_PER_MW, vom_per_mwh=0.0, heat_rate_gj_per_mwh=0.0,
      co2_t_per_mwh=0.0),
    g(name="solar_utility_south", bus="luzhou_south", carrier="solar", p_nom_mw=0.0,
      extendable=True, p_nom_max_mw=1000.0, p_min_pu=0.0, p_max_pu=1.0,
      capex_per_mw=2200 * PER_KW_TO_PER_MW, lifetime_yr=40.0,
      fom_per_mw_yr=0.0248 * 2200 * PER_KW_TO_PER_MW, vom_per_mwh=0.0, heat_rate_gj_per_mwh=0.0,
      co2_t_per_mwh=0.0),
    g(name="solar_rooftop_north", bus="luzhou_north", carrier="solar", p_nom_mw=0.0,
      extendable=True, p_nom_max_mw=800.0, p_min_pu=0.0, p_max_pu=1.0,
      capex_per_mw=2500 * PER_KW_TO_PER_MW, lifetime_yr=40.0,
      fom_per_mw_yr=0.0248 * 2500 * PER_KW_TO_PER_MW, vom_per_mwh=0.0, heat_rate_gj_per_mwh=0.0,
      co2_t_per_mwh=0.0),
    g(name="hydro_ror_south", bus="luzhou_south", carrier="hydro", p_nom_mw=0.0, extendable=True,
      p_nom_max_mw=100.0, p_min_pu=0.0, p_max_pu=1.0, capex_per_mw=13319 * PER_KW_TO_PER_MW,
      lifetime_yr=50.0, fom_per_mw_yr=0.0, vom_per_mwh=0.0, heat_rate_gj_per_mwh=0.0,
      co2_t_per_mwh=0.0),
    g(name="wte_naxi_phase1", bus="luzhou_north", carrier="biomass", p_nom_mw=12.0,
      extendable=False, p_min_pu=1.0, p_max_pu=1.0, capex_per_mw=0.0, lifetime_yr=25.0,
      fom_per_mw_yr=0.0, vom_per_mwh=0.0, heat_rate_gj_per_mwh=0.0, co2_t_per_mwh=0.0),
    g(name="wte_naxi_expansion", bus="luzhou_north", carrier="biomass", p_nom_mw=12.0,
      extendable=False, p_min_pu=1.0, p_max_pu=1.0, capex_per_mw=0.0, lifetime_yr=25.0,
      fom_per_mw_yr=0.0, vom_per_mwh=0.0, heat_rate_gj_per_mwh=0.0, co2_t_per_mwh=0.0),
    g(name="biomass_agri_hejiang", bus="luzhou_north", carrier="biomass", p_nom_mw=0.0,
      extendable=True, p_nom_max_mw=30.0, p_min_pu=0.0, p_max_pu=1.0,
      capex_per_mw=4709 * PER_KW_TO_PER_MW, lifetime_yr=25.0, fom_per_mw_yr=0.0,
      vom_per_mwh=0.0, fuel="biomass", heat_rate_gj_per_mwh=BIOMASS_HR),
    g(name="biomass_agri_gulin_xuyong", bus="luzhou_south", carrier="biomass", p_nom_mw=0.0,
      extendable=True, p_nom_max_mw=60.0, p_min_pu=0.0, p_max_pu=1.0,
      capex_per_mw=4709 * PER_KW_TO_PER_MW, lifetime_yr=25.0, fom_per_mw_yr=0.0,
      vom_per_mwh=0.0, fuel="biomass", heat_rate_gj_per_mwh=BIOMASS_HR),
    g(name="import_sichuan_grid", bus="luzhou_north", carrier="import", p_nom_mw=IMPORT_LIMIT_MW,
      extendable=False, p_min_pu=0.0, p_max_pu=1.0, capex_per_mw=0.0, lifetime_yr=25.0,
      fom_per_mw_yr=0.0, vom_per_mwh=0.0, heat_rate_gj_per_mwh=0.0, co2_t_per_mwh=0.1404),
]

_UNUSED_EXISTING = "not used: existing, non-extendable capacity"
_ASSUMED_ZERO_FOM = ("assumption: 0 (no fixed O&M figure in " + FACTS +
                     "; understates the cost of this option)")
_FLEX = ("0 in this LP: the minimum stable output, 0.35 after a standard flexibility retrofit "
         "(NEA thermal-flexibility pilot, 14 Jun 2016, via CNREC; " + FACTS + " E; Plan §二(一)5 "
         "推进高效燃煤机组灵活性改造) or 0.40 before (SWITCH-China minimum_loading), applies to a "
         "committed unit and needs unit commitment; as an hourly floor it would keep both units "
         "on through the wet season, when Sichuan's coal fleet stands by (coal < 9 % of Sichuan's "
         "capacity but 13 % of its energy, expected for 2023 by the NEA Sichuan office, via "
         "南方能源观察, "
         "grayscaleinsight.com/topic-post/2461; historically < 3,000 h/yr, Nikkei Asia 5 Sep "
         "2022). "
         "Understates the cost of cycling: no start-up costs, no minimum up/down times")

GEN_SOURCES: dict[tuple[str, str], tuple[str, str]] = {
    # --- coal
    ("coal_chuannan", "p_nom_mw"): (
        "2 x 600 MW, Sichuan Luzhou Chuannan Power Generation Co., units commissioned 2007/2008 "
        "(SWITCH-China database/existing_plants.csv; " + FACTS + " B); assumed still in service "
        "in 2030", "M"),
    ("coal_chuannan", "p_min_pu"): (_FLEX, "M"),
    ("coal_chuannan", "p_max_pu"): ("unused: hourly availability in availability_pu.csv "
                                    "(overhauls and forced outages)", "H"),
    ("coal_chuannan", "ramp_up_pu_per_h"): (
        "0.5 p.u./h (PyPSA-China-PIK config/technology_config.yaml fossil_ramps; " + FACTS +
        " E); no China-specific unit figure found", "L"),
    ("coal_chuannan", "ramp_down_pu_per_h"): ("0.5 p.u./h, as ramp up", "L"),
    ("coal_chuannan", "capex_per_mw"): (
        "reference only (" + _UNUSED_EXISTING + "): coal capex 3,500 CNY/kW 2030 (Zhu et al. 2025 "
        "in " + LITREV + "; " + FACTS + " E) x 1,000", "M"),
    ("coal_chuannan", "lifetime_yr"): ("40 yr (PyPSA-China-PIK costs_2030, Lazard; " + FACTS +
                                       " E); not used for existing capacity", "M"),
    ("coal_chuannan", "fom_per_mw_yr"): (
        "SWITCH-China existing_plants.csv Chuannan fixed O&M 10,514 USD2010/MW-yr (" + FACTS +
        " B) x 6.77 CNY/USD = 71,180 CNY/MW-yr", "L"),
    ("coal_chuannan", "vom_per_mwh"): (
        "SWITCH-China Chuannan VOM 3 USD2010/MWh (" + FACTS + " B) x 6.77 = 20.31 CNY/MWh", "L"),
    ("coal_chuannan", "heat_rate_gj_per_mwh"): (
        "China's average supply coal consumption of coal power 305.5 gce/kWh in 2020 (NDRC & NEA "
        "《全国煤电机组改造升级实施方案》, Nov 2021, via Reuters; " + FACTS + " F) x 29.3076 "
        "GJ/tce "
        f"= {COAL_HR:.4f} GJ/MWh sent out (40.2 %). Chuannan's units are 2007/2008 subcritical "
        "600 MW units (SWITCH-China; W-flame boilers if, as " + FACTS + " B says is very likely "
        "but not confirmed, Chuannan is the reviewed Luzhou Power Plant), a class likely worse "
        "than the national mean, which includes supercritical units: a floor (no unit-type "
        "figure found). SWITCH-China's 7.93 "
        "MMBtu/MWh for this plant (43 %) was better than the national mean and is not used", "M"),
    # --- CCGT
    ("gas_ccgt_luzhou", "p_nom_mw"): (
        "Luzhou gas power project 2 x 700 MW H-class CCGT (Sichuan Investment Group news 3 Jan "
        "2023; Chuantou Gas Power news 18 Sep 2024; Plan §二(一)1; " + FACTS + " B); assumption "
        "(" + FACTS + " I): in service in 2030 (commissioning ≈ 2025 not confirmed)", "M"),
    ("gas_ccgt_luzhou", "p_min_pu"): (
        "0 in this LP: the SWITCH-China minimum loading 0.45 (" + FACTS + " E) applies per "
        "committed unit and needs unit commitment; as an hourly floor it would force ≈ 5.5 TWh/yr "
        "of gas, far above the project's planned 3.5 TWh/yr", "M"),
    ("gas_ccgt_luzhou", "p_max_pu"): ("default 1 (no outage data for the new units)", "L"),
    ("gas_ccgt_luzhou", "capex_per_mw"): (
        "reference only (" + _UNUSED_EXISTING + "): gas capex 2,000 CNY/kW 2030 (Zhu et al. 2025 "
        "in " + LITREV + ") x 1,000; the project's own figure is ≈ 2,500 CNY/kW (3.5 bn CNY / "
        "1,400 MW, " + FACTS + " B)", "M"),
    ("gas_ccgt_luzhou", "lifetime_yr"): ("25 yr (DEA via PyPSA-China-PIK costs_2030; " + FACTS +
                                         " E); not used for existing capacity", "M"),
    ("gas_ccgt_luzhou", "fom_per_mw_yr"): (
        "SWITCH-China Gas_CCGT_RC fixed O&M 6,400 USD2010/MW-yr (" + FACTS + " E) x 6.77 = "
        "43,328 CNY/MW-yr", "M"),
    ("gas_ccgt_luzhou", "vom_per_mwh"): (
        "SWITCH-China Gas_CCGT_RC VOM 2 USD2010/MWh (" + FACTS + " E) x 6.77 = 13.54 CNY/MWh", "M"),
    ("gas_ccgt_luzhou", "heat_rate_gj_per_mwh"): (
        "the project's design figures: ≈ 0.6 bn m3 of gas (6亿方) for ≈ 3.5 TWh/yr (35亿千瓦时) "
        "(Sichuan Investment Group news 3 Jan 2023; " + FACTS + " B) x 38.98 GJ per 1000 m3 = "
        f"{CCGT_HR:.4f} GJ/MWh (53.9 %, LHV; includes the design's own part load and starts). "
        "SWITCH-China's generic CCGT (7.02 MMBtu/MWh, 48.6 %) is no longer used", "M"),
    # --- OCGT option
    ("gas_ocgt_new", "p_nom_mw"): ("option: nothing existing", "H"),
    ("gas_ocgt_new", "p_nom_max_mw"): ("no cap (blank = inf): optional peaker, only built if "
                                        "economic; gas supply not limited in this case", "L"),
    ("gas_ocgt_new", "capex_per_mw"): (
        "SWITCH-China Gas_Combustion_Turbine_RC 465,714 USD2010/MW (" + FACTS + " E) x 6.77 = "
        "3,152,884 CNY/MW", "M"),
    ("gas_ocgt_new", "lifetime_yr"): ("25 yr (DEA OCGT via PyPSA-China-PIK costs_2030; " + FACTS +
                                      " E)", "M"),
    ("gas_ocgt_new", "fom_per_mw_yr"): (
        "SWITCH-China OCGT fixed O&M 4,657 USD2010/MW-yr x 6.77 = 31,528 CNY/MW-yr", "M"),
    ("gas_ocgt_new", "vom_per_mwh"): ("SWITCH-China OCGT VOM 2 USD2010/MWh x 6.77 = 13.54", "M"),
    ("gas_ocgt_new", "heat_rate_gj_per_mwh"): (
        "SWITCH-China OCGT heat rate 9.76 MMBtu/MWh (≈ 35 %) x 1.055056 = 10.2974 GJ/MWh", "M"),
    ("gas_ocgt_new", "p_min_pu"): ("0 (peaker; no commitment in the LP)", "M"),
    ("gas_ocgt_new", "p_max_pu"): ("default 1", "M"),
    # --- wind
    ("wind_gulin_xuyong", "p_nom_mw"): (
        "250 MW existing = the Plan's 2025 wind target (§二(一)3 风电总装机容量达到25万千瓦) used "
        "as "
        "the installed 2025 fleet (" + FACTS + " I proxy); the 2030 target (+350 MW new, total "
        "≈ 600 MW, Plan T2) is not in this column: it is the enforced row T2-wind-2030 of "
        "targets.csv (capacity_min wind 60 万千瓦)", "M"),
    ("wind_gulin_xuyong", "p_nom_max_mw"): (
        "assumption: 1,000 MW total, ≈ 1.7 x the Plan's 2030 total of 600 MW, so that the model "
        "may "
        "build beyond the plan; no wind resource or land assessment for Gulin/Xuyong exists "
        "here", "L"),
    ("wind_gulin_xuyong", "capex_per_mw"): (
        "5,600 CNY/kW 2030 (Sun et al. in " + LITREV + "; range 4,200-5,800; high end chosen "
        "because mountain sites in Gulin/Xuyong are likely at the high end, " + FACTS + " E) "
        "x 1,000", "M"),
    ("wind_gulin_xuyong", "lifetime_yr"): ("30 yr (PyPSA-China-PIK costs_2030; " + FACTS + " E)",
                                           "M"),
    ("wind_gulin_xuyong", "fom_per_mw_yr"): (
        "1.22 %/yr of capex (PyPSA-China-PIK costs_2030 onshore wind; " + FACTS + " E) x 5,600,000 "
        "= 68,320 CNY/MW-yr", "M"),
    ("wind_gulin_xuyong", "vom_per_mwh"): ("0 (no VOM given)", "M"),
    ("wind_gulin_xuyong", "p_min_pu"): ("0", "H"),
    ("wind_gulin_xuyong", "p_max_pu"): ("unused: hourly series in availability_pu.csv", "H"),
    ("wind_gulin_xuyong", "heat_rate_gj_per_mwh"): ("0 (no fuel)", "H"),
    ("wind_gulin_xuyong", "co2_t_per_mwh"): ("0 (no direct emissions)", "H"),
    # --- solar
    ("solar_utility_south", "p_nom_mw"): (
        "0 existing "
        "(" + FACTS + " I: existing solar is a GAP, start at 0 and let the model build); "
        "p_nom is DC peak capacity (MWp), the unit of Chinese PV statistics and capex", "M"),
    ("solar_utility_south", "p_nom_max_mw"): (
        "assumption: 1,000 MWp of utility and 'PV+' (光伏+, Plan §二(一)3) plants on farm, park "
        "and "
        "municipal land in the southern counties; no land or resource assessment exists here "
        "(scenario parameter)", "L"),
    ("solar_utility_south", "capex_per_mw"): (
        "utility PV 2,200 CNY/kW 2030 (Zhu et al. 2025 in " + LITREV + "; LBNL also 2,200; range "
        "2,200-2,800) x 1,000", "M"),
    ("solar_utility_south", "lifetime_yr"): ("40 yr (DEA via PyPSA-China-PIK costs_2030; " + FACTS +
                                             " E)", "M"),
    ("solar_utility_south", "fom_per_mw_yr"): (
        "2.48 %/yr of capex (DEA via PyPSA-China-PIK; " + FACTS + " E) x 2,200,000 = 54,560", "M"),
    ("solar_rooftop_north", "p_nom_mw"): ("0 existing (" + FACTS + " I); MWp", "M"),
    ("solar_rooftop_north", "p_nom_max_mw"): (
        "assumption: 800 MWp rooftop potential (scenario parameter per " + FACTS + " I): ≈ 10 % of "
        "Luzhou's 1,503,753 family households (census bulletin 2021) x 5 kWp ≈ 750 MWp plus "
        "≈ 50 MWp on public and factory roofs (Plan §二(四)3-4 rooftop PV); the 10 % and 5 kWp are "
        "assumptions", "L"),
    ("solar_rooftop_north", "capex_per_mw"): (
        "rooftop/distributed PV 2,500 CNY/kW 2030 (Zhu et al. 2025 in " + LITREV + "; range "
        "2,400-3,500) x 1,000", "M"),
    ("solar_rooftop_north", "lifetime_yr"): ("40 yr, as utility PV (assumption)", "L"),
    ("solar_rooftop_north", "fom_per_mw_yr"): (
        "2.48 %/yr (utility PV figure, DEA via PyPSA-China-PIK, applied to rooftop: assumption) x "
        "2,500,000 = 62,000", "L"),
    # --- hydro
    ("hydro_ror_south", "p_nom_mw"): (
        "0 existing: Luzhou hydro capacity is a GAP "
        "(" + FACTS + " B, I); small run-of-river plants "
        "exist (Dongwo, 1925) but no capacity figure was found", "L"),
    ("hydro_ror_south", "p_nom_max_mw"): (
        "assumption: 100 MW of new small hydro on the Chishui/Yongning rivers (Plan: "
        "统筹推动水电开发"
        "与生态保护); no source", "L"),
    ("hydro_ror_south", "capex_per_mw"): ("hydro 13,319 CNY/kW 2030 (Zhu et al. 2025 in " + LITREV +
                                          ") x 1,000", "M"),
    ("hydro_ror_south", "lifetime_yr"): ("assumption: 50 yr (no figure in " + FACTS + ")", "L"),
    ("hydro_ror_south", "fom_per_mw_yr"): (_ASSUMED_ZERO_FOM, "L"),
    # --- waste to energy
    ("wte_naxi_phase1", "p_nom_mw"): (
        "Luzhou municipal WtE plant phase I (Naxi, in service 28 Dec 2015): ≈ 105 GWh/yr / 8,760 h "
        "= 12 MW average (Southwest Business Daily 30 Dec 2015; " + FACTS + " B); modelled as a "
        "12 MW flat must-run block (generator nameplate not stated)", "M"),
    ("wte_naxi_phase1", "p_min_pu"): ("1.0: must-run at its average output (waste must be burnt; "
                                      + FACTS + " I)", "M"),
    ("wte_naxi_expansion", "p_nom_mw"): (
        "assumption (" + FACTS + " I): the Plan's WtE expansion (泸州市垃圾焚烧发电厂扩能工程, "
        "§二(一)3) is built by 2030 and doubles output to 2 x 12 MW; the 2014 planning figure for "
        "the full build-out is 187 GWh/yr ≈ 21 MW (cdepe.com), slightly less", "L"),
    ("wte_naxi_expansion", "p_min_pu"): ("1.0: must-run (as phase I)", "M"),
    ("wte_naxi_phase1", "co2_t_per_mwh"): (
        "assumption: 0 (biogenic share counted as carbon-neutral; fossil share of the waste "
        "ignored)", "L"),
    ("wte_naxi_expansion", "co2_t_per_mwh"): ("assumption: 0 (as phase I)", "L"),
    # --- agri/forestry biomass
    ("biomass_agri_hejiang", "p_nom_max_mw"): (
        "assumption: one 30 MW agri/forestry biomass plant in Hejiang (Plan §二(一)3 supports "
        "biomass plants in Hejiang, Xuyong, Gulin; sizes GAP, 30 MW = a typical unit size, "
        "unverified)", "L"),
    ("biomass_agri_gulin_xuyong", "p_nom_max_mw"): (
        "assumption: two 30 MW plants, Xuyong and Gulin (Plan §二(一)3; sizes GAP)", "L"),
    ("biomass_agri_hejiang", "capex_per_mw"): ("biomass 4,709 CNY/kW 2030 (Zhu et al. 2025 in " +
                                               LITREV + ") x 1,000", "M"),
    ("biomass_agri_gulin_xuyong", "capex_per_mw"): ("as biomass_agri_hejiang", "M"),
    ("biomass_agri_hejiang", "heat_rate_gj_per_mwh"): (
        "assumption: 12.0 GJ/MWh = 30 % net efficiency (no figure in " + FACTS + ")", "L"),
    ("biomass_agri_gulin_xuyong", "heat_rate_gj_per_mwh"): ("as biomass_agri_hejiang", "L"),
    ("biomass_agri_hejiang", "fom_per_mw_yr"): (_ASSUMED_ZERO_FOM, "L"),
    ("biomass_agri_gulin_xuyong", "fom_per_mw_yr"): (_ASSUMED_ZERO_FOM, "L"),
    ("biomass_agri_hejiang", "lifetime_yr"): ("assumption: 25 yr (the format default)", "L"),
    ("biomass_agri_gulin_xuyong", "lifetime_yr"): ("assumption: 25 yr", "L"),
    # --- imports
    ("import_sichuan_grid", "p_nom_mw"): (
        "assumption (GAP, " + FACTS + " I: 'import limit = Luzhou's 500 kV transformer capacity'): "
        "3,000 MW, e.g. two 500/220 kV substations with 2 x 750 MVA each (a common configuration, "
        "unverified for Luzhou). NOT a finding: the value was first chosen so that the existing "
        "fleet plus imports covers every hour of the 2030 load, so the adequacy margin the "
        "builder prints follows from it (see README; the import-2500 variant shows the "
        "alternative)", "L"),
    ("import_sichuan_grid", "vom_per_mwh"): (
        "not used: the import's hourly price is in price_per_mwh.csv (it replaces the marginal "
        "cost, models/generators.md)", "H"),
    ("import_sichuan_grid", "co2_t_per_mwh"): (
        "Sichuan grid emission factor 0.1404 kgCO2/kWh, 2022 data (MEE release 26 Dec 2024 via "
        "Sandpiper; " + FACTS + " F)", "M"),
    ("import_sichuan_grid", "p_max_pu"): ("unused: hourly series in availability_pu.csv", "H"),
}

# Storage -------------------------------------------------------------------------------------
BAT_EFF = math.sqrt(0.767)  # SWITCH-China round trip 0.767, split evenly
STORAGE_COLUMNS = ["name", "bus", "carrier", "p_nom_mw", "e_nom_mwh", "extendable", "duration_h",
                   "p_nom_max_mw", "e_nom_max_mwh", "capex_per_mw", "capex_per_mwh", "lifetime_yr",
                   "fom_per_mw_yr", "vom_per_mwh", "eff_charge", "eff_discharge",
                   "standing_loss_per_h", "cyclic", "soc_initial_pu"]


def battery(name: str, bus: str) -> dict:
    return dict(name=name, bus=bus, carrier="battery", p_nom_mw=0.0, e_nom_mwh=0.0,
                extendable=True, duration_h="", p_nom_max_mw="", e_nom_max_mwh="",
                capex_per_mw=160 * CNY_PER_EUR * PER_KW_TO_PER_MW,
                capex_per_mwh=310 * PER_KW_TO_PER_MW, lifetime_yr=15.0, fom_per_mw_yr=0.0,
                vom_per_mwh=0.0, eff_charge=BAT_EFF, eff_discharge=BAT_EFF,
                standing_loss_per_h=0.0, cyclic=True, soc_initial_pu=0.0)


STORAGE = [battery("battery_north", "luzhou_north"), battery("battery_south", "luzhou_south")]
STORAGE_SOURCES = {
    ("*", "p_nom_mw"): ("0 existing new-type storage (新型储能, Plan §二(一)5 names it; no "
                        "installed "
                        "figure found)", "L"),
    ("*", "e_nom_mwh"): ("0 existing", "L"),
    ("*", "capex_per_mw"): (
        "inverter/power part 160 EUR/kW (DEA via PyPSA-China-PIK costs_2030; " + FACTS + " E, I) x "
        "7.8 CNY/EUR (assumption, unverified rate) x 1,000 = 1,248,000 CNY/MW", "M"),
    ("*", "capex_per_mwh"): (
        "310 CNY/kWh 2030 (LBNL 2022-24 in " + LITREV + "; " + FACTS + " E, I) x 1,000 = "
        "310,000 CNY/MWh", "M"),
    ("*", "lifetime_yr"): ("15 yr (SWITCH-China generator_info; " + FACTS + " E)", "M"),
    ("*", "eff_charge"): ("sqrt(0.767) = 0.8758: SWITCH-China storage_efficiency 0.767 round trip "
                          "(" + FACTS + " E) split evenly between charge and discharge", "M"),
    ("*", "eff_discharge"): ("as eff_charge", "M"),
    ("*", "fom_per_mw_yr"): (_ASSUMED_ZERO_FOM, "L"),
    ("*", "vom_per_mwh"): ("assumption: 0 (degradation not priced)", "L"),
    ("*", "standing_loss_per_h"): ("assumption: 0 (Li-ion self-discharge negligible at hourly "
                                   "resolution)", "M"),
    ("*", "p_nom_max_mw"): ("no cap (blank = inf); duration free (blank): the model sizes power "
                            "and energy separately", "M"),
    ("*", "soc_initial_pu"): ("not used: cyclic", "H"),
}


# =============================================================================================
# 6. Demand response, VPP and the peak-load response target (Plan T1)
# =============================================================================================
# The Plan (§二(一)5): "完善用电需求响应机制，开展虚拟电厂建设，引导自备电厂、传统高载能工业负荷、
# 工商业可中断负荷、电动汽车充电网络等参与负荷需求侧响应 … 推广 … 电动汽车有序充电 … 到2030年，
# 尖峰负荷响应能力不低于5%"; §二(四)3: "光储直柔" buildings and 建筑设备智能群控和电力需求侧响应;
# §二(一)4: 因地制宜开展新建风电、光伏等新能源项目制氢; §二(一)1: 继续实施自备电厂停发替代.
# The Plan gives no MW for any of them: every potential below is a proxy (stated in sources.csv).
CLAUSE_DR = (PLAN + " §二(一)5 (完善用电需求响应机制，开展虚拟电厂建设，引导自备电厂、"
             "传统高载能工业负荷、工商业可中断负荷、电动汽车充电网络等参与负荷需求侧响应 … "
             "电动汽车有序充电 … 到2030年，尖峰负荷响应能力不低于5%)")
NEA_2024 = ("NEA, 需求侧响应有效助力四川迎峰度夏电力保供, 18 Oct 2024 (nea.gov.cn/2024-10/18/"
            "c_1212405431.htm, copy at gkfz.org.cn/show-38130.html)")
SC_VPP_2025 = ("Sichuan DRC & Energy Bureau, 四川省虚拟电厂建设运营管理实施方案 "
               "(川发改能源〔2025〕278号, 24 Jun 2025; reported by 北极星售电网 14 Jul 2025, "
               "m.bjx.com.cn/mnews/20250714/1450813.shtml)")
LUZHOU_NEV_2024 = ("泸州市发展改革委 via 龙马融媒 / 酒城e通, 10 Dec 2024 "
                   "(lmtrm.com.cn/2024/1210/66274.html)")

# Sichuan summer 2024 (NEA_2024): peak 69.29 GW; largest DR response 7.03 GW; resource pool 11 GW.
SC_PEAK_2024_GW, SC_DR_2024_GW, SC_DR_POOL_2024_GW = 69.29, 7.03, 11.0
SC_DR_DAYS_2024 = 16                  # days with DR called in summer 2024 (NEA_2024)
PARTICIPATION_DR = SC_DR_2024_GW / SC_DR_POOL_2024_GW    # 0.639: delivered / mobilised pool
# Event payments: the Sichuan 2022 peak-shifting price and the top of the 2023 bid band (FACTS D).
DR_PRICE_SHIFT = 0.4                  # CNY/kWh, 2022, peak-shifting/avoiding users (错峰避峰)
DR_PRICE_CUT = 3.0                    # CNY/kWh, top of the 2023 bid band 0-3 (Pinghu 2024: 2.96)
EVENT_H = 2                           # h per event day (Sichuan critical-peak blocks are 2 h)
# One-off set-up incentives of the 2012 central DSM pilots (FACTS H): 100 CNY/kW for temporary
# (peak-shift) load, 550 CNY/kW (central-west, permanent reduction) taken for retrofits.
SETUP_LOW, SETUP_HIGH = 100.0, 550.0  # CNY/kW, one-off
SETUP_LIFE_YR = 10.0                  # assumption: life of controls, metering, communication
DISCOUNT = 0.06


def setup_per_mw_yr(cny_per_kw: float) -> float:
    return cny_per_kw * PER_KW_TO_PER_MW * crf(DISCOUNT, SETUP_LIFE_YR)


def availability_per_mw_yr(cny_per_kwh: float) -> float:
    return SC_DR_DAYS_2024 * EVENT_H * cny_per_kwh * PER_KW_TO_PER_MW


ENROL_SHIFT = setup_per_mw_yr(SETUP_LOW) + availability_per_mw_yr(DR_PRICE_SHIFT)
ENROL_CUT = setup_per_mw_yr(SETUP_LOW) + availability_per_mw_yr(DR_PRICE_CUT)
ENROL_RETROFIT = setup_per_mw_yr(SETUP_HIGH) + availability_per_mw_yr(DR_PRICE_SHIFT)

# Potentials (shares of the 2030 peak P of load_mw.csv).
LOAD_CONTROL_CAP = 0.10               # 2010 DSM rule: load control >= 10 % of max load (FACTS H, I)
LARGE_INDUSTRY_SHARE = 350.0 / 24.0 / 65.0   # Sichuan 2022: 350 GWh/day large industry; 65 GW peak
SHIFTABLE_SHARE_OF_LARGE = 0.20       # assumption (proxy: Aug 2022 orderly use cut 190/350 = 54 %)
COOLING_SHARE = 0.16                  # IEA: space cooling ≈ 16 % of China's peak load (2017)
COMMERCIAL_COOLING_SHARE = 0.5        # assumption: public + commercial share of cooling at peak
CONTROLLED_BUILDING_SHARE = 0.3       # assumption: share with group control or 光储直柔 (2030)
CONTROLLABLE_COOLING = 0.5            # assumption: share of their HVAC power that can be moved
BUILDING_BAND_H = 2.0                 # MWh per MW: pre-cooling/thermal mass + 光储直柔 batteries
BUILDING_LOSS = 0.10                  # per hour
VPP_SHARE = 0.03                      # Sichuan VPP target for 2027: 3 % of the grid's max load

# EVs: Luzhou end of Nov 2024: 628,400 cars, 35,900 NEVs (5.71 %), 14,800 NEVs added Jan-Nov 2024,
# 18,500 charging piles (vehicle-to-pile ≈ 2:1) (LUZHOU_NEV_2024).
NEV_STOCK_2024 = 35_900
NEV_ADDED_2024_11M = 14_800
NEV_YEARS = 6 + 1 / 12                # end Nov 2024 -> end Dec 2030
NEV_2030 = NEV_STOCK_2024 + NEV_ADDED_2024_11M * 12 / 11 * NEV_YEARS
EV_NORTH_SHARE = 1 - SOUTH_LOAD_SHARE  # the north bus's share, as for load
EV_HOME_SHARE = 0.7                   # assumption: vehicles that charge mainly at home overnight
CHARGER_KW = 7.0                      # 32 A single-phase AC (GB/T 20234.2 AC coupler), assumption
BATTERY_KWH = 50.0                    # assumption
KM_PER_DAY, KWH_PER_KM = 40.0, 0.15   # assumption (59-69 % of days < 50 km: WEVJ 12(4):169)
EV_EFF = 0.9                          # AC charging, assumption
EV_SMART_SHARE = 0.5                  # assumption: chargers able to take part in orderly charging
EV_ENROLLED_SHARE = 0.1               # assumption: of all chargers, enrolled by 2030 (pilots)
EV_PARTICIPATION = 0.8                # assumption
EV_MIN_SOC = 0.5                      # assumption

# Hourly shapes (0..23 h), same every day (the load shape's calendar is not the 2030 calendar).
EV_HOME_PLUGGED = [0.9] * 7 + [0.6, 0.2] + [0.0] * 8 + [0.15, 0.35, 0.6, 0.8] + [0.9] * 3
EV_DAY_PLUGGED = [0.1] * 8 + [0.3] + [0.5] * 8 + [0.3] + [0.1] * 6
EV_DRIVING_W = [0, 0, 0, 0, 0, 0, 0, 3, 3, 1, 0.5, 0.5, 1, 1, 0.5, 0.5, 1, 3, 3, 1, 0.5, 0.5,
                0, 0]
BUILDING_HOURLY = [0.1] * 7 + [0.4, 0.8] + [1.0] * 9 + [0.8, 0.6, 0.6, 0.4, 0.2, 0.1]
BUILDING_MONTHLY = [0.6, 0.6, 0.3, 0.3, 0.6, 1.0, 1.0, 1.0, 1.0, 0.6, 0.3, 0.6]

# Electrolyser: sized on three hydrogen refuelling stations of the Xichang 500 kg/day class.
H2_KG_PER_DAY = 3 * 500.0
H2_MWH_PER_KG = 0.0333                # LHV (models/electrolysers.md)
ELY_EFF = 0.65                        # MWh H2 (LHV) per MWh: ≈ 51 kWh/kg, assumption
ELY_RATED_MW = 5.0
ELY_MIN_LOAD = 0.2
ELY_STORE_H = 12.0                    # assumption: hours of demand in the store (tube trailers)
H2_MWH_PER_H = H2_KG_PER_DAY * H2_MWH_PER_KG / 24.0

# Self-owned (captive) plant: placeholder block, gas-fired, raise-on-call headroom.
CAPTIVE_MW = 20.0
CAPTIVE_ENROLLED = 10.0

ENROLLED_SHARE = {"shiftable": 0.5, "interruptible": 0.25, "flexible_buildings": 0.1}

DR_COMMON = ["name", "bus", "vpp", "potential_mw", "enrolled_mw", "extendable", "participation",
             "enrolment_cost_per_mw_yr", "activation_cost_per_mwh", "notice_h"]
VPP_NAME = "luzhou_municipal_vpp"


def hourly_series(snapshots: pd.DatetimeIndex, by_hour: list[float],
                  by_month: list[float] | None = None) -> np.ndarray:
    out = np.asarray(by_hour, float)[np.asarray(snapshots.hour)]
    if by_month is not None:
        out = out * np.asarray(by_month, float)[np.asarray(snapshots.month) - 1]
    return out


def ev_baseline_pu(plugged: np.ndarray, driving: np.ndarray) -> np.ndarray:
    """Uncontrolled charging per MW of chargers (E × T), with gridopt's own recursion."""
    sys.path.insert(0, str(REPO))
    from gridopt.components.ev_fleets import uncontrolled_charging

    n = plugged.shape[0]
    need_h = KM_PER_DAY * KWH_PER_KM / CHARGER_KW
    base, _, problems = uncontrolled_charging(
        pd.DataFrame(index=pd.Index([f"f{k}" for k in range(n)])), plugged, driving * need_h,
        np.full(n, BATTERY_KWH / CHARGER_KW), np.full(n, EV_EFF), 1.0)
    if problems:
        raise SystemExit(f"EV fleet data infeasible: {problems}")
    return base


def build_dr(snapshots: pd.DatetimeIndex, load: pd.DataFrame) -> dict:
    """DR tables, their series and the numbers the sources cite."""
    tot = load.sum(axis=1)
    peak = float(tot.max())
    t_peak = int(np.argmax(tot.to_numpy()))
    south = SOUTH_LOAD_SHARE
    buses = (("north", "luzhou_north", 1 - south), ("south", "luzhou_south", south))

    # EV fleets (north bus) ----------------------------------------------------------------
    drive = hourly_series(snapshots, EV_DRIVING_W)
    drive = drive / np.sum(EV_DRIVING_W)
    plugged = np.vstack([hourly_series(snapshots, EV_HOME_PLUGGED),
                         hourly_series(snapshots, EV_DAY_PLUGGED)])
    driving = np.vstack([drive, drive])
    base = ev_baseline_pu(plugged, driving)
    ev_names = ("ev_home_north", "ev_daytime_north")
    vehicles = NEV_2030 * EV_NORTH_SHARE * np.array([EV_HOME_SHARE, 1 - EV_HOME_SHARE])
    chargers = vehicles * CHARGER_KW / 1e3
    ev_pot = EV_SMART_SHARE * chargers
    ev_enr = EV_ENROLLED_SHARE * chargers
    ev_rows = [dict(name=n, bus="luzhou_north", vpp=VPP_NAME, potential_mw=ev_pot[k],
                    enrolled_mw=ev_enr[k], extendable=True, participation=EV_PARTICIPATION,
                    enrolment_cost_per_mw_yr=ENROL_SHIFT, activation_cost_per_mwh=0.0,
                    notice_h=1.0, vehicles=int(np.rint(vehicles[k])), charger_kw=CHARGER_KW,
                    battery_kwh=BATTERY_KWH, daily_energy_kwh=KM_PER_DAY * KWH_PER_KM,
                    min_soc_departure_pu=EV_MIN_SOC, v2g=False, eff_charge=EV_EFF,
                    eff_discharge=1.0)
               for k, n in enumerate(ev_names)]
    ev_base_mw = base * chargers[:, None]           # whole fleets, in load_mw.csv
    ev_pot_at_peak = float((base[:, t_peak] * ev_pot).sum())

    # Shiftable energy-intensive industry ---------------------------------------------------
    shift_total = LARGE_INDUSTRY_SHARE * SHIFTABLE_SHARE_OF_LARGE * peak
    # Flexible buildings (north bus: urban public and commercial buildings) ----------------------
    build_total = (COOLING_SHARE * COMMERCIAL_COOLING_SHARE * CONTROLLED_BUILDING_SHARE
                   * CONTROLLABLE_COOLING * peak)
    # Interruptible C&I: what remains of the 10 % load-control reference -----------------------
    cut_total = LOAD_CONTROL_CAP * peak - shift_total - build_total - ev_pot_at_peak

    shift_rows, cut_rows = [], []
    for tag, bus, share in buses:
        pot = shift_total * share
        shift_rows.append(dict(
            name=f"industry_shiftable_{tag}", bus=bus, vpp="", potential_mw=pot,
            enrolled_mw=ENROLLED_SHARE["shiftable"] * pot, extendable=True,
            participation=PARTICIPATION_DR, enrolment_cost_per_mw_yr=ENROL_SHIFT,
            activation_cost_per_mwh=DR_PRICE_SHIFT * PER_KW_TO_PER_MW, notice_h=24.0,
            max_delay_h=8.0, max_advance_h=0.0, window_h=24.0, rebound_pu=0.0))
        pot = cut_total * share
        cut_rows.append(dict(
            name=f"ci_interruptible_{tag}", bus=bus, vpp=VPP_NAME, potential_mw=pot,
            enrolled_mw=ENROLLED_SHARE["interruptible"] * pot, extendable=True,
            participation=PARTICIPATION_DR, enrolment_cost_per_mw_yr=ENROL_CUT,
            activation_cost_per_mwh=DR_PRICE_CUT * PER_KW_TO_PER_MW, notice_h=24.0,
            max_hours_per_event=4.0, max_events_per_yr=float(SC_DR_DAYS_2024),
            max_hours_per_yr=""))
    build_rows = [dict(
        name="buildings_flex_north", bus="luzhou_north", vpp=VPP_NAME, potential_mw=build_total,
        enrolled_mw=ENROLLED_SHARE["flexible_buildings"] * build_total, extendable=True,
        participation=0.8, enrolment_cost_per_mw_yr=ENROL_RETROFIT,
        activation_cost_per_mwh=DR_PRICE_SHIFT * PER_KW_TO_PER_MW, notice_h=1.0,
        energy_band_mwh_per_mw=BUILDING_BAND_H, loss_per_h=BUILDING_LOSS, window_h=24.0)]
    h2_base = H2_MWH_PER_H / ELY_EFF
    ely_rows = [dict(
        name="electrolyser_green_h2_south", bus="luzhou_south", vpp=VPP_NAME,
        potential_mw=h2_base - ELY_MIN_LOAD * ELY_RATED_MW, enrolled_mw=0.0, extendable=True,
        participation=1.0, enrolment_cost_per_mw_yr=ENROL_SHIFT, activation_cost_per_mwh=0.0,
        notice_h=1.0, p_nom_mw=ELY_RATED_MW, efficiency_mwh_h2_per_mwh=ELY_EFF,
        h2_storage_mwh=ELY_STORE_H * H2_MWH_PER_H, h2_demand_mwh_per_h=H2_MWH_PER_H,
        min_load_pu=ELY_MIN_LOAD)]
    captive_rows = [dict(
        name="captive_gas_chp_north", bus="luzhou_north", vpp="", potential_mw=CAPTIVE_MW,
        enrolled_mw=CAPTIVE_ENROLLED, extendable=True, participation=1.0,
        enrolment_cost_per_mw_yr=ENROL_SHIFT, activation_cost_per_mwh=0.0, notice_h=4.0,
        ramp_pu_per_h=0.5, p_max_pu=0.9, fuel="gas", heat_rate_gj_per_mwh=OCGT_HR,
        vom_per_mwh=usd2010(2.0), co2_t_per_mwh="")]
    vpp_rows = [dict(name=VPP_NAME, aggregate_mw=VPP_SHARE * peak, availability_pu=1.0,
                     notice_h=24.0, enrolment_cost_per_mw_yr=0.0, activation_cost_per_mwh=0.0)]

    def frame(rows: list[dict]) -> pd.DataFrame:
        return pd.DataFrame([{k: fmt(v) for k, v in r.items()} for r in rows])

    tables = {"vpps": frame(vpp_rows), "interruptible": frame(cut_rows),
              "shiftable": frame(shift_rows), "ev_fleets": frame(ev_rows),
              "self_owned_plants": frame(captive_rows), "electrolysers": frame(ely_rows),
              "flexible_buildings": frame(build_rows)}
    series = {
        "ev_plugged_pu": pd.DataFrame(plugged.T, index=snapshots, columns=list(ev_names)),
        "ev_driving_pu": pd.DataFrame(driving.T, index=snapshots, columns=list(ev_names)),
        "building_occupancy_pu": pd.DataFrame(
            {"buildings_flex_north": hourly_series(snapshots, BUILDING_HOURLY, BUILDING_MONTHLY)},
            index=snapshots),
    }
    info = dict(peak=peak, t_peak=str(snapshots[t_peak]), shift_total=shift_total,
                build_total=build_total, cut_total=cut_total, ev_pot_at_peak=ev_pot_at_peak,
                ev_vehicles=vehicles, ev_chargers=chargers, ev_base_mw=ev_base_mw,
                ev_energy_twh=float(ev_base_mw.sum()) / 1e6, h2_base=h2_base,
                base_at_peak=base[:, t_peak])
    return dict(tables=tables, series=series, info=info, rows=dict(
        vpps=vpp_rows, interruptible=cut_rows, shiftable=shift_rows, ev_fleets=ev_rows,
        self_owned_plants=captive_rows, electrolysers=ely_rows, flexible_buildings=build_rows))


class SourceRows(list):
    """Rows of sources.csv: (file, element, column, value, source, confidence)."""

    def add(self, table: str, name: str, col: str, value: object, text: str,
            conf: str) -> None:
        self.append((f"{table}.csv", name, col, f"{fmt(value)}" if value != "" else "", text,
                     conf))


def dr_texts(dr: dict) -> dict[str, str]:
    """The cost and participation texts that several DR tables' sources share."""
    i = dr["info"]
    peak = i["peak"]
    p_txt = f"P = {peak:,.1f} MW (annual peak of load_mw.csv, {i['t_peak']})"
    setup_lo, setup_hi = setup_per_mw_yr(SETUP_LOW), setup_per_mw_yr(SETUP_HIGH)
    avail_lo = availability_per_mw_yr(DR_PRICE_SHIFT)
    avail_hi = availability_per_mw_yr(DR_PRICE_CUT)
    crf10 = crf(DISCOUNT, SETUP_LIFE_YR)
    cost_rule = (
        "programme cost of holding 1 MW enrolled for a year = (a) one-off set-up incentive "
        "annualised at 6 % over 10 yr (CRF 0.13587; 10 yr = assumed life of controls/metering) + "
        "(b) availability: 16 event days (Sichuan summer 2024, " + NEA_2024 + ") x 2 h (the "
        "Sichuan critical-peak block, " + FACTS + " D) x the family's event price x 1,000 "
        "(CNY/kWh -> CNY/MWh); per kW -> per MW x 1,000")
    low = (f"{cost_rule}: (a) 100 CNY/kW (2012 central DSM pilot incentive for temporary "
           f"peak-shift load, " + FACTS + f" H) x 1,000 x {crf10:.5f} = {setup_lo:,.0f}; (b) 16 x "
           f"2 x 0.4 CNY/kWh (Sichuan 2022 payment to peak-shifting users, 错峰避峰, " + FACTS +
           f" D) x 1,000 = {avail_lo:,.0f}; total {ENROL_SHIFT:,.0f} CNY/MW-yr")
    cut = (f"{cost_rule}: (a) 100 CNY/kW (2012 DSM pilot, temporary load) -> {setup_lo:,.0f}; "
           f"(b) 16 x 2 x 3.0 CNY/kWh (top of the Sichuan 2023 DR bid band 0-3 CNY/kWh, " + FACTS +
           " D; Pinghu, Zhejiang, Aug 2024: ≈ 2.96 CNY/kWh, " + FACTS + " H; interruption loses "
           f"output, so the top of the band) x 1,000 = {avail_hi:,.0f}; total {ENROL_CUT:,.0f} "
           "CNY/MW-yr")
    retro = (f"{cost_rule}: (a) 550 CNY/kW (2012 DSM pilot incentive, central-west, the top of "
             f"the 100-550 CNY/kW band, " + FACTS + " H; taken as the cost of group-control / "
             f"光储直柔 retrofits, assumption) x 1,000 x {crf10:.5f} = {setup_hi:,.0f}; "
             f"(b) 16 x 2 x "
             f"0.4 CNY/kWh (pre-cooling moves energy, priced as peak shifting) = {avail_lo:,.0f}; "
             f"total {ENROL_RETROFIT:,.0f} CNY/MW-yr")
    part_dr = (f"{PARTICIPATION_DR:.3f} = Sichuan summer 2024 largest DR response 7.03 GW / DR "
               "resource pool mobilised 11 GW (" + NEA_2024 + "); a lower bound of participation "
               "(not every call needed the whole pool)")
    notice_day = ("assumption: 24 h = day-ahead invitation (Sichuan market DR is organised as "
                  "invitations to bid; notice not stated in the sources read); eligible under "
                  "peak_response.max_notice_h 24")
    enrol_txt = ("assumption (what the Plan's programmes hold under contract in 2030; no Luzhou "
                 "figure exists): ")
    return {"p_txt": p_txt, "low": low, "cut": cut, "retro": retro, "part_dr": part_dr,
            "notice_day": notice_day, "enrol_txt": enrol_txt}


def _vpp_sources(rows: SourceRows, dr: dict, t: dict[str, str]) -> None:
    """sources.csv rows of vpps.csv."""
    add = rows.add
    p_txt = t["p_txt"]
    notice_day = t["notice_day"]
    v = dr["rows"]["vpps"][0]
    add("vpps", VPP_NAME, "aggregate_mw", v["aggregate_mw"],
        f"3 % x {p_txt}: the Sichuan VPP programme target for 2027, 'total adjustable capability "
        "of VPPs ≈ 3 % of the Sichuan grid's maximum load' (" + SC_VPP_2025 + "), applied to "
        "Luzhou as the municipal VPP's platform capability (assumption; the Plan §二(一)5 asks "
        "for 开展虚拟电厂建设 without a size). For comparison: Sichuan had 7 VPPs in 2024, the "
        "largest single response 120 MW (" + NEA_2024 + "); national target > 50 GW by 2030 "
        "≈ 1.4-1.5 % of national peak (" + FACTS + " H)", "L")
    add("vpps", VPP_NAME, "availability_pu", 1.0, "assumption: platform always available "
        "(Sichuan 2024: 4 of 7 VPPs responded, " + NEA_2024 + "; not used as a derating)", "L")
    add("vpps", VPP_NAME, "notice_h", 24.0, notice_day, "L")
    add("vpps", VPP_NAME, "enrolment_cost_per_mw_yr", 0.0, "assumption: platform costs are "
        "carried by the members' set-up cost (no separate platform fee)", "L")
    add("vpps", VPP_NAME, "activation_cost_per_mwh", 0.0, "assumption: no platform fee per MWh "
        "(members' event payments are in their own costs)", "L")
    add("vpps", VPP_NAME, "name", "", "Luzhou municipal VPP (Plan §二(一)5 开展虚拟电厂建设): "
        "aggregates interruptible C&I, EV charging, flexible buildings and the electrolyser; "
        "large industry and the captive plant bid directly in the provincial DR market "
        "(blank vpp)", "L")


def _shiftable_sources(rows: SourceRows, dr: dict, t: dict[str, str]) -> None:
    """sources.csv rows of shiftable.csv."""
    add = rows.add
    i = dr["info"]
    p_txt = t["p_txt"]
    low = t["low"]
    part_dr = t["part_dr"]
    notice_day = t["notice_day"]
    enrol_txt = t["enrol_txt"]
    add("shiftable", "*", "potential_mw", f"{i['shift_total']:.1f} total",
        "传统高载能工业负荷 (" + CLAUSE_DR + f"): {p_txt} x large-industry share of peak "
        f"{LARGE_INDUSTRY_SHARE:.4f} (Sichuan 2022: large industry used 350 GWh/day = 14.6 GW on "
        f"29 Aug after restoration, vs the 65 GW summer peak; Xinhua 30 Aug 2022, " + FACTS +
        " A; proxy for Luzhou, L) x 0.20 shiftable within a day (assumption; for scale: in "
        "Aug 2022 orderly use cut 190 of 350 GWh/day = 54 % of large-industry consumption, a "
        "mandatory upper bound) = "
        f"{i['shift_total']:.1f} MW; split 80/20 between the buses like load", "L")
    add("shiftable", "*", "enrolled_mw", "50 % of potential", enrol_txt +
        "half of the potential, because large industry already bids in the Sichuan market DR "
        "(since 2023, ≈ 4,000 enterprises expected, " + FACTS + " D; summer 2024: 7.03 GW = "
        f"{SC_DR_2024_GW / SC_PEAK_2024_GW:.1%} of the provincial peak, " + NEA_2024 + ")", "L")
    add("shiftable", "*", "participation", PARTICIPATION_DR, part_dr, "M")
    add("shiftable", "*", "enrolment_cost_per_mw_yr", ENROL_SHIFT, low, "L")
    add("shiftable", "*", "activation_cost_per_mwh", DR_PRICE_SHIFT * 1000,
        "0.4 CNY/kWh (Sichuan 2022 payment to peak-shifting users, " + FACTS + " D) x 1,000",
        "M")
    add("shiftable", "*", "notice_h", 24.0, notice_day, "L")
    add("shiftable", "*", "max_delay_h", 8.0, "assumption: production postponed by at most one "
        "8-h shift", "L")
    add("shiftable", "*", "max_advance_h", 0.0, "assumption: consumption only postponed, never "
        "brought forward (conservative)", "L")
    add("shiftable", "*", "window_h", 24.0, "assumption: energy recovered within the calendar "
        "day", "L")
    add("shiftable", "*", "rebound_pu", 0.0, "assumption: no extra energy when recovering", "L")
    add("shiftable", "*", "extendable", "true", "the remaining potential may be enrolled at the "
        "enrolment cost", "L")


def _interruptible_sources(rows: SourceRows, dr: dict, t: dict[str, str]) -> None:
    """sources.csv rows of interruptible.csv."""
    add = rows.add
    i = dr["info"]
    peak = i["peak"]
    cut = t["cut"]
    part_dr = t["part_dr"]
    notice_day = t["notice_day"]
    enrol_txt = t["enrol_txt"]
    add("interruptible", "*", "potential_mw", f"{i['cut_total']:.1f} total",
        "工商业可中断负荷 (" + CLAUSE_DR + f"): what remains of the total curtailable reference "
        f"10 % x P = {LOAD_CONTROL_CAP * peak:.1f} MW (2010 DSM rule: load control ≥ 10 % of "
        "max load, used as the cap on curtailable load per " + FACTS + " H, I) after shiftable "
        f"industry {i['shift_total']:.1f}, flexible buildings {i['build_total']:.1f} and the EV "
        f"fleets' potential baseline at the peak hour {i['ev_pot_at_peak']:.1f} MW = "
        f"{i['cut_total']:.1f} MW (assumption, method); split 80/20 like load. For scale: Sichuan "
        f"delivered {SC_DR_2024_GW / SC_PEAK_2024_GW:.1%} of its peak in summer 2024 from a pool "
        f"of {SC_DR_POOL_2024_GW / SC_PEAK_2024_GW:.1%} (" + NEA_2024 + ")", "L")
    add("interruptible", "*", "enrolled_mw", "25 % of potential", enrol_txt +
        "a quarter of the potential: general C&I users take part in the provincial DR less than "
        "large industry (assumption)", "L")
    add("interruptible", "*", "participation", PARTICIPATION_DR, part_dr, "M")
    add("interruptible", "*", "enrolment_cost_per_mw_yr", ENROL_CUT, cut, "L")
    add("interruptible", "*", "activation_cost_per_mwh", DR_PRICE_CUT * 1000,
        "3.0 CNY/kWh (top of the Sichuan 2023 DR bid band, " + FACTS + " D) x 1,000; also VoLL "
        "10,000 CNY/MWh sits above it", "M")
    add("interruptible", "*", "notice_h", 24.0, notice_day, "L")
    add("interruptible", "*", "max_hours_per_event", 4.0, "assumption: two 2-h critical-peak "
        "blocks at most per day", "L")
    add("interruptible", "*", "max_events_per_yr", float(SC_DR_DAYS_2024),
        "16 = days with DR called in Sichuan in summer 2024 (" + NEA_2024 + ")", "M")
    add("interruptible", "*", "max_hours_per_yr", "", "blank = 16 events x 4 h = 64 h/yr", "L")
    add("interruptible", "*", "extendable", "true", "the remaining potential may be enrolled",
        "L")


def _ev_sources(rows: SourceRows, dr: dict, t: dict[str, str]) -> None:
    """sources.csv rows of ev_fleets.csv."""
    add = rows.add
    i = dr["info"]
    low = t["low"]
    enrol_txt = t["enrol_txt"]
    ev_txt = (f"Luzhou NEVs 2030 = {NEV_STOCK_2024:,} (end Nov 2024) + {NEV_ADDED_2024_11M:,} "
              f"added in Jan-Nov 2024 x 12/11 x {NEV_YEARS:.3f} yr to end 2030 = {NEV_2030:,.0f} "
              "(" + LUZHOU_NEV_2024 + "; linear extrapolation of 2024 additions, assumption; "
              "the Plan's T9, ≈ 40 % of new vehicles new-energy by 2030, §二(五)2, would give "
              "more if car sales are ≥ 40,000/yr) x 80 % at the north bus (the load split; "
              "south-bus EVs are in load but not modelled as DR) x 70 % charging mainly at home "
              "/ 30 % at workplace or public chargers in the day (assumption)")
    add("ev_fleets", "*", "vehicles", "; ".join(f"{n['name']} {n['vehicles']:,}" for n in
                                              dr["rows"]["ev_fleets"]), ev_txt, "L")
    add("ev_fleets", "*", "charger_kw", CHARGER_KW, "assumption: 7 kW = 32 A single-phase AC "
        "charging per vehicle (Luzhou had ≈ 1 pile per 2 NEVs in 2024, " + LUZHOU_NEV_2024 +
        "; pile power mix not stated)", "L")
    add("ev_fleets", "*", "potential_mw", "50 % of chargers", "电动汽车充电网络 / 有序充电 (" +
        CLAUSE_DR + "): assumption: half of the chargers able to take part in orderly charging "
        "by 2030 (vehicles x charger_kw / 1,000 x 0.5)", "L")
    add("ev_fleets", "*", "enrolled_mw", "10 % of chargers", enrol_txt +
        "orderly-charging pilots cover 10 % of the charger power", "L")
    add("ev_fleets", "*", "participation", EV_PARTICIPATION, "assumption: 80 % of enrolled "
        "vehicles follow the schedule (owners may override)", "L")
    add("ev_fleets", "*", "enrolment_cost_per_mw_yr", ENROL_SHIFT, low + " (per MW of charger "
        "power)", "L")
    add("ev_fleets", "*", "activation_cost_per_mwh", 0.0, "assumption: 0 — deferring charging "
        "costs the owner nothing while departure needs are met; the energy is paid at nodal "
        "prices in the balance", "L")
    add("ev_fleets", "*", "notice_h", 1.0, "assumption: automatic charger control", "L")
    add("ev_fleets", "*", "battery_kwh", BATTERY_KWH, "assumption: usable battery of a "
        "mid-size Chinese BEV (PHEVs smaller)", "L")
    add("ev_fleets", "*", "daily_energy_kwh", KM_PER_DAY * KWH_PER_KM,
        "assumption: 40 km/day x 0.15 kWh/km; 59-69 % of driving days are under 50 km in seven "
        "Chinese cities incl. Chengdu (World Electr. Veh. J. 2021, 12(4), 169, "
        "doi:10.3390/wevj12040169)", "L")
    add("ev_fleets", "*", "min_soc_departure_pu", EV_MIN_SOC, "assumption: plugged vehicles "
        "keep half their battery (capped by the uncontrolled state, models/ev_fleets.md)", "L")
    add("ev_fleets", "*", "eff_charge", EV_EFF, "assumption: AC charging losses 10 %", "L")
    add("ev_fleets", "*", "eff_discharge", 1.0, "not used: no V2G (v2g false; the Plan names "
        "orderly charging, not V2G)", "M")
    add("ev_fleets", "*", "v2g", "false", "the Plan names orderly charging (有序充电) only", "M")
    add("ev_fleets", "*", "extendable", "true", "the remaining potential may be enrolled", "L")
    bl = i["ev_base_mw"]
    add("ev_fleets", "*", "name",
        f"uncontrolled baseline: {i['ev_energy_twh']:.3f} TWh/yr, max {bl.sum(axis=0).max():.0f} "
        "MW", "LOAD ACCOUNTING: load_mw.csv is taken to include both fleets' uncontrolled "
        "charging (gridopt.components.ev_fleets.baseline_mw); nothing is added for it. The load "
        "shape is the scaled Sichuan profile and has no explicit EV component: the fleets' "
        f"baseline ({i['ev_energy_twh'] / (LUZHOU_TWH_2030):.1%} of annual energy) is declared a "
        "part of load_north, not measured", "L")


def _ev_series_sources(rows: SourceRows, dr: dict, t: dict[str, str]) -> None:
    """sources.csv rows of the EV series."""

    e = "ev_plugged_pu.csv"
    rows.append((e, "*", "snapshot", "", "hour-beginning local time", "H"))
    rows.append((e, "*", "ev_home_north", "0.9 at night, 0 from 9 to 16 h",
                 "assumption: share of home-charging vehicles plugged in, same every day: "
                 f"{EV_HOME_PLUGGED}", "L"))
    rows.append((e, "*", "ev_daytime_north", "0.5 from 9 to 16 h, 0.1 at night",
                 "assumption: share of workplace/public-charging vehicles plugged in, same every "
                 f"day: {EV_DAY_PLUGGED}", "L"))
    e = "ev_driving_pu.csv"
    rows.append((e, "*", "snapshot", "", "hour-beginning local time", "H"))
    for n in ("ev_home_north", "ev_daytime_north"):
        rows.append((e, "*", n, "each day sums to 1",
                     "assumption: commuting peaks 07-09 h and 17-19 h, weights "
                     f"{EV_DRIVING_W} / 20 per hour, same every day", "L"))


def _building_sources(rows: SourceRows, dr: dict, t: dict[str, str]) -> None:
    """sources.csv rows of flexible_buildings.csv."""
    add = rows.add
    i = dr["info"]
    p_txt = t["p_txt"]
    retro = t["retro"]
    enrol_txt = t["enrol_txt"]
    add("flexible_buildings", "buildings_flex_north", "potential_mw", i["build_total"],
        "光储直柔 buildings and building-equipment group control (" + PLAN + " §二(四)3: "
        "推动建设集光伏发电、储能、直流配电、柔性用电为一体的“光储直柔”建筑。"
        "探索建筑设备智能群控和电力需求侧响应) "
        f"= {p_txt} x space cooling ≈ 16 % of China's peak load (IEA, The Future of Cooling in "
        "China, 2019, " + FACTS + " H; Sichuan summer 2024: air-conditioning load > 20 GW of "
        "69.29 GW ≈ 29 % on 25 days, " + NEA_2024 + ") x 0.5 in public and commercial buildings "
        "x 0.3 of those with group control or 光储直柔 by 2030 x 0.5 of their HVAC power movable "
        "(three assumptions); urban buildings at the north bus", "L")
    add("flexible_buildings", "buildings_flex_north", "enrolled_mw", "10 % of potential",
        enrol_txt + "10 %: the Plan only 'explores' (探索) building DR; pilots", "L")
    add("flexible_buildings", "buildings_flex_north", "participation", 0.8,
        "assumption: 80 % of the enrolled buildings respond (automatic control, some opt-outs)",
        "L")
    add("flexible_buildings", "buildings_flex_north", "enrolment_cost_per_mw_yr",
        ENROL_RETROFIT, retro, "L")
    add("flexible_buildings", "buildings_flex_north", "activation_cost_per_mwh",
        DR_PRICE_SHIFT * 1000, "0.4 CNY/kWh (Sichuan 2022 peak-shifting payment, " + FACTS +
        " D) x 1,000", "L")
    add("flexible_buildings", "buildings_flex_north", "notice_h", 1.0,
        "assumption: automatic group control", "L")
    add("flexible_buildings", "buildings_flex_north", "energy_band_mwh_per_mw",
        BUILDING_BAND_H, "assumption: ±1 h of full deviation (pre-cooling in the building's "
        "thermal mass and the batteries of 光储直柔 buildings)", "L")
    add("flexible_buildings", "buildings_flex_north", "loss_per_h", BUILDING_LOSS,
        "assumption: 10 % of the stored cooling lost per hour", "L")
    add("flexible_buildings", "buildings_flex_north", "window_h", 24.0,
        "back to neutral every day (assumption)", "L")
    add("flexible_buildings", "buildings_flex_north", "extendable", "true",
        "the remaining potential may be enrolled", "L")
    rows.append(("building_occupancy_pu.csv", "*", "snapshot", "", "hour-beginning local time",
                 "H"))
    rows.append(("building_occupancy_pu.csv", "*", "buildings_flex_north",
                 "hourly x monthly factor",
                 "assumption: share of the enrolled flexible power available = opening hours of "
                 f"public/commercial buildings {BUILDING_HOURLY} (0-23 h, same every day, since "
                 "the load shape's weekdays are not 2030's) x HVAC season "
                 f"{BUILDING_MONTHLY} (Jan-Dec: cooling June-September, reverse-cycle heating "
                 "December-February in the hot-summer/cold-winter zone)", "L"))


def _electrolyser_sources(rows: SourceRows, dr: dict, t: dict[str, str]) -> None:
    """sources.csv rows of electrolysers.csv."""
    add = rows.add
    i = dr["info"]
    low = t["low"]
    ely = dr["rows"]["electrolysers"][0]
    add("electrolysers", "*", "h2_demand_mwh_per_h", H2_MWH_PER_H,
        "新能源项目制氢 (" + PLAN + " §二(一)4: 因地制宜开展新建风电、光伏等新能源项目制氢; 建设"
        "“油—气—电—氢”交通综合供能站; hydrogen vehicles in logistics, buses, sanitation): "
        "assumption sized on three hydrogen refuelling stations of the Xichang (Liangshan) "
        "class, 500 kg/day each (Xinhua, 3 Jun 2021, copy at tinaungzawtrading.com) = 1,500 "
        "kg/day x 0.0333 MWh/kg (LHV) / 24 h; flat demand. Consumption is NOT in load_mw.csv "
        f"(the family adds it: ≈ {i['h2_base']:.2f} MW, {i['h2_base'] * 8.76:.1f} GWh/yr)", "L")
    add("electrolysers", "*", "efficiency_mwh_h2_per_mwh", ELY_EFF, "assumption: 0.65 MWh H2 "
        "(LHV) per MWh ≈ 51 kWh/kg, a typical alkaline system", "L")
    add("electrolysers", "*", "p_nom_mw", ELY_RATED_MW, "assumption: rated ≈ 1.5 x the "
        "baseline so that the plant can move consumption (co-located with the Gulin/Xuyong "
        "wind, south bus)", "L")
    add("electrolysers", "*", "min_load_pu", ELY_MIN_LOAD, "assumption: alkaline minimum load "
        "20 %", "L")
    add("electrolysers", "*", "h2_storage_mwh", ely["h2_storage_mwh"], "assumption: 12 h of "
        "demand in tube trailers/station storage", "L")
    add("electrolysers", "*", "potential_mw", ely["potential_mw"], "all the drop physically "
        "possible: baseline - min load x rating", "M")
    add("electrolysers", "*", "enrolled_mw", 0.0, "assumption: the project is not built today; "
        "none enrolled", "L")
    add("electrolysers", "*", "participation", 1.0, "single plant under direct control", "M")
    add("electrolysers", "*", "enrolment_cost_per_mw_yr", ENROL_SHIFT, low, "L")
    add("electrolysers", "*", "activation_cost_per_mwh", 0.0, "assumption: 0 — the hydrogen "
        "store moves consumption at no cost to the owner; electricity is paid at nodal prices",
        "L")
    add("electrolysers", "*", "notice_h", 1.0, "assumption: automatic control", "L")
    add("electrolysers", "*", "extendable", "true", "may be enrolled", "L")


def _captive_sources(rows: SourceRows, dr: dict, t: dict[str, str]) -> None:
    """sources.csv rows of self_owned_plants.csv."""
    add = rows.add
    low = t["low"]
    enrol_txt = t["enrol_txt"]
    add("self_owned_plants", "*", "potential_mw", CAPTIVE_MW,
        "自备电厂 (" + CLAUSE_DR + "; " + PLAN + " §二(一)1: 继续实施自备电厂停发替代, "
        "i.e. captive plants keep being shut and substituted): Luzhou's captive fleet is a "
        "GAP (" + FACTS + " B, I). Placeholder: 20 MW of raise-on-call headroom in "
        "gas-fired captive CHP "
        "(assumption, order of one small industrial block); the owners' grid draw at usual "
        "output is part of load_mw.csv", "L")
    add("self_owned_plants", "*", "enrolled_mw", CAPTIVE_ENROLLED, enrol_txt + "half of the "
        "placeholder", "L")
    add("self_owned_plants", "*", "participation", 1.0, "single plant; availability in "
        "p_max_pu", "M")
    add("self_owned_plants", "*", "p_max_pu", 0.9, "assumption: 10 % forced/planned outage", "L")
    add("self_owned_plants", "*", "ramp_pu_per_h", 0.5, "0.5 p.u./h (PyPSA-China-PIK "
        "fossil_ramps, " + FACTS + " E)", "L")
    add("self_owned_plants", "*", "heat_rate_gj_per_mwh", OCGT_HR, "as gas_ocgt_new: SWITCH-"
        "China Gas_Combustion_Turbine 9.76 MMBtu/MWh x 1.055056 (" + FACTS + " E); small "
        "captive units proxy", "L")
    add("self_owned_plants", "*", "vom_per_mwh", usd2010(2.0), "as gas_ocgt_new: 2 USD2010/MWh "
        "x 6.77", "L")
    add("self_owned_plants", "*", "co2_t_per_mwh", "", "blank = heat rate x gas co2_t_per_gj",
        "M")
    add("self_owned_plants", "*", "enrolment_cost_per_mw_yr", ENROL_SHIFT, low, "L")
    add("self_owned_plants", "*", "activation_cost_per_mwh", 0.0, "assumption: 0 beyond fuel "
        "and VOM (priced in operation)", "L")
    add("self_owned_plants", "*", "notice_h", 4.0, "assumption: start-up and ramp of a small "
        "gas unit", "L")
    add("self_owned_plants", "*", "extendable", "true", "the rest of the placeholder may be "
        "enrolled", "L")


def dr_sources(dr: dict) -> list[tuple]:
    """sources.csv rows of the DR tables and series."""
    rows, texts = SourceRows(), dr_texts(dr)
    for part in (_vpp_sources, _shiftable_sources, _interruptible_sources, _ev_sources,
                 _ev_series_sources, _building_sources, _electrolyser_sources,
                 _captive_sources):
        part(rows, dr, texts)
    return list(rows)


# =============================================================================================
# 7. Assemble, check, write
# =============================================================================================
def case_yaml() -> str:
    return f"""\
# Luzhou (泸州, Sichuan) 2030 default case: written by scripts/build_luzhou_case.py.
# Every number here and in the CSVs has its origin in sources.csv; read README.md first.
name: luzhou-2030
description: "Luzhou 2030, 8760 h, 2 buses: least-cost dispatch and capacity plan (see README)"
currency: CNY
snapshots:
  start: "{YEAR}-01-01 00:00"
  hours: {HOURS}
  step_h: 1
  annualise: true
discount_rate: 0.06
voll_per_mwh: {VOLL:g}
solver:
  solver: simplex
  simplex_strategy: 3
  threads: 2
  time_limit: 3600
peak_response:        # Plan T1: peak-load response capability >= 5 % (see README, sources.csv)
  share: {PEAK_SHARE:g}
  hours: top_k
  k: {PEAK_K}
  event_duration_h: {EVENT_H}
  max_notice_h: {MAX_NOTICE_H:g}
  enforce: false
"""


PEAK_SHARE, PEAK_K, MAX_NOTICE_H = 0.05, 2, 24.0
CASE_SOURCES = [
    ("snapshots", "2030 calendar, 8760 hourly snapshots, hour-beginning, local time (UTC+8)", "H"),
    ("discount_rate", "0.06 (PyPSA-China-PIK config/technology_config.yaml discountrate; " + FACTS +
     " E, I); sensitivity 0.08 (SWITCH-China)", "M"),
    ("voll_per_mwh", "assumption: 10,000 CNY/MWh (10 CNY/kWh), ≈ 3.3 x the top of the Sichuan 2023 "
     "demand-response bid band 0-3 CNY/kWh (" + FACTS + " D) so that any DR is used before load is "
     "shed; not a measured value of lost load", "L"),
    ("solver", "HiGHS options: dual simplex (basic solution, exact duals for nodal prices) with "
     "single-iteration parallelism (simplex_strategy 3) on 2 threads: on the full year with the "
     "DR families and the hourly import price 159-216 s on a two-core machine (2026-12-03; "
     "117 s before the price series; serial dual simplex 154-175 s and interior point with "
     "crossover 630 s were measured on the first version; see README); 1 h time limit; no "
     "data", "H"),
    ("peak_response", "share 0.05 = " + PLAN + " §二(一)5 target T1 "
     "'到2030年，尖峰负荷响应能力不低于5%' (peak-load response capability ≥ 5 % of peak "
     "load); hours top_k with k 2 = the two highest hours of system load in load_mw.csv "
     "(assumption: the Plan does not define the peak "
     "hours); event_duration_h 2 = the Sichuan critical-peak (尖峰) tariff windows are 2-hour "
     "blocks (Jul/Aug 15-17 h, Jan/Dec 19-21 h; 川发改价格规〔2023〕186号, " + FACTS + " D); "
     "max_notice_h 24 = a day-ahead call (assumption: resources that need more notice than a day "
     "do not count); enforce false = the default case verifies the target (gridopt "
     "peak-response) but does not impose it on the plan (a scenario choice)", "M"),
]


def fmt(x: object) -> object:
    if isinstance(x, bool):
        return "true" if x else "false"
    if x == "":
        return x
    if isinstance(x, float):
        return float(f"{x:.6g}") if abs(x) < 1e6 else round(x, 1)
    return x


def build_tables() -> dict[str, pd.DataFrame]:
    gens = pd.DataFrame([{k: fmt(v) for k, v in r.items()} for r in GENERATORS],
                        columns=GEN_COLUMNS)
    fuels = pd.DataFrame([{k: fmt(v) for k, v in r.items()} for r in FUELS])
    storage = pd.DataFrame([{k: fmt(v) for k, v in r.items()} for r in STORAGE],
                           columns=STORAGE_COLUMNS)
    buses = pd.DataFrame([
        dict(name="luzhou_north", voll_per_mwh="", x=105.44, y=28.87),
        dict(name="luzhou_south", voll_per_mwh="", x=105.625, y=28.105),
    ])
    lines = pd.DataFrame([dict(name="north_south", bus0="luzhou_north", bus1="luzhou_south",
                               cap_fwd_mw=LINE_MW, cap_rev_mw="")])
    loads = pd.DataFrame([dict(name="load_north", bus="luzhou_north"),
                          dict(name="load_south", bus="luzhou_south")])
    return {"buses": buses, "lines": lines, "fuels": fuels, "generators": gens,
            "storage": storage, "loads": loads}


def build_series(snapshots: pd.DatetimeIndex) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    load = build_load(snapshots)
    w = solar_weather(snapshots)
    avail = pd.DataFrame(index=snapshots)
    wind, wind_info = build_wind(snapshots)
    avail["wind_gulin_xuyong"] = wind
    avail[PV_UTILITY.name] = solar_profile(w, PV_UTILITY)
    avail[PV_ROOFTOP.name] = solar_profile(w, PV_ROOFTOP)
    imp = monthly_series(snapshots, IMPORT_MONTHLY)
    avail["import_sichuan_grid"] = imp
    avail["coal_chuannan"] = coal_availability(snapshots)
    avail["hydro_ror_south"] = imp * HYDRO_FLH / imp.sum()
    avail = avail.round(4)
    info = dict(wind_info)
    info["ghi_kwh_m2"] = w["ghi"].sum() / 1000
    info["ghi_clear_kwh_m2"] = w["ghi_clear"].sum() / 1000
    info["ghi_monthly_kwh_m2"] = np.round(w["target_m"] / 1000, 1)
    info["clear_ratio_monthly"] = np.round(w["target_m"] / w["clear_m"], 3)
    info["altitude_m"] = w["altitude"]
    return load, avail, info


def wind_solar_sources(info: dict) -> list[tuple[str, str, str, str, str, str]]:
    a = "availability_pu.csv"
    return [
        (a, "*", "snapshot", "2030-01-01 00:00 ... 2030-12-31 23:00",
         "hour-beginning local time (UTC+8); solar evaluated at mid-hour", "H"),
        (a, "*", "wind_gulin_xuyong",
         f"{info['wind_flh']:.0f} full-load h/yr; H1 {info['wind_h1']:.0f} h",
         "SYNTHETIC, NOT MEASURED (no reanalysis or measured series available offline): average of "
         "two seeded (seed 20300102) Gaussian AR(1) drivers (phi 0.97/h; 70 % of variance common "
         "to "
         "the Gulin and Xuyong ridge sites) mapped to Weibull wind speed (k = 2) whose scale has a "
         f"seasonal cosine (amplitude {info['season_amp']:.3f}, maximum day 80 = late March) and a "
         "diurnal cosine (±8 %, maximum 02:00); generic IEC class III power curve (cut-in 3, rated "
         "10, cut-out 22 m/s, cubic in between) and 15 % losses; Weibull scale "
         f"{info['weibull_scale_mps']:.2f} m/s calibrated so that the first half-year gives "
         "1,294 full-load hours (Sichuan H1 2014, the lowest of 1,294-1,654 h in " + FACTS + " G, "
         "chosen because the Plan itself speaks of weak-wind development, 弱风) and the seasonal "
         "amplitude so that H1 carries 60 % of the annual yield (assumption reflecting the "
         "dry-season wind maximum, " + FACTS + " G). Annual full-load hours are therefore an "
         "outcome, comparable with the unverified 2,200-2,500 h Sichuan range", "L"),
        (a, "*", "solar_utility_south",
         f"{info['pv_util_flh']:.0f} full-load h/yr per MWp",
         "derived with pvlib 0.16.1 at Luzhou (28.87 N, 105.44 E, altitude "
         f"{info['altitude_m']:.0f} m from pvlib lookup_altitude), 2030, Asia/Shanghai: Ineichen "
         "clear sky (bundled Linke turbidity) scaled month by month to a monthly irradiation whose "
         "shape is Angstrom-Prescott H = H0 (0.25 + 0.50 n/N) (FAO-56 default coefficients) with "
         "relative sunshine n/N linear in day of year between 8 % (mid-Jan, also mid-Dec) and 48 % "
         "(mid-Aug) (Chongqing city proper, CMA normals via "
         "Wikipedia/chongqing.indiansinchina.com; "
         "Luzhou proxy, assumption) and whose level is an annual GHI of 1,035 kWh/m2 (assumption: "
         "midpoint of the Sichuan-Basin band 905-1,164 kWh/m2: 905 = minimum of the CMA 2010 "
         "national solar assessment at the Chongqing low-value centre, Xinhua 21 Nov via "
         "caowua.com/news/35023.html; 1,164 = 4,190 MJ/m2, upper bound of the lowest class of the "
         "1980s five-class scheme, via msthinker.com); day-to-day cloudiness: seeded (20300101) "
         "AR(1) (rho 0.5) daily "
         "clear-sky index with a Beta marginal (precision 4), renormalised to each month's total, "
         "no day above clear sky; Erbs decomposition, Hay-Davies transposition to 20° tilt facing "
         "south, albedo 0.2, physical IAM, SAPM open-rack cell temperature with Fuling (Chongqing) "
         "1971-2000 monthly max/min air temperature (Weather China via liquisearch) and 1 m/s "
         "wind, PVWatts DC (gamma -0.4 %/K) with PVWatts v5 default losses 14.08 %, DC/AC 1.2, "
         "inverter 96 %; value = AC output per MWp DC. Full-load hours are an outcome; they fall "
         "below the unverified 900-1,100 h (" + FACTS + " Unverified), consistent with the "
         "low-irradiance basin", "L"),
        (a, "*", "solar_rooftop_north",
         f"{info['pv_roof_flh']:.0f} full-load h/yr per MWp",
         "same weather as solar_utility_south; 10° tilt facing south and SAPM close-mount "
         "glass/glass cell temperature (rooftop; assumption)", "L"),
        (a, "*", "import_sichuan_grid", "0.6 Dec-Apr, 0.8 May and Nov, 1.0 Jun-Oct",
         "assumption: share of the import limit the provincial grid (western Sichuan hydro and "
         "clean-energy bases, Plan §二(一)3) can deliver, shaped by the wet season (Reuters: May-"
         "October; Sichuan tariff wet period June-October; " + FACTS + " C); the dry-season 0.6 is "
         "not sourced (2022 drought: hydro output -51 % in August, " + FACTS + " C, is a stress "
         "scenario, not the default)", "L"),
        (a, "*", "hydro_ror_south", "4,000 full-load h/yr",
         "assumption: the import seasonal shape scaled to 4,000 h/yr (Sichuan hydro utilisation "
         "≈ 400 TWh / ≈ 100 GW, derived, " + FACTS + " C/G)", "L"),
    ]


def sources_table(info: dict, load: pd.DataFrame) -> pd.DataFrame:
    rows: list[tuple] = []
    for key, text, conf in CASE_SOURCES:
        val = {"discount_rate": "0.06", "voll_per_mwh": f"{VOLL:g}",
               "snapshots": "start 2030-01-01 00:00; hours 8760; step_h 1; annualise true",
               "solver": "simplex; simplex_strategy 3; threads 2; time_limit 3600",
               "peak_response": f"share {PEAK_SHARE:g}; hours top_k; k {PEAK_K}; "
                                f"event_duration_h {EVENT_H}; max_notice_h {MAX_NOTICE_H:g}; "
                                "enforce false"}[key]
        rows.append(("case.yaml", "*", key, val, text, conf))
    rows += [
        ("buses.csv", "*", "x", "", "longitude (plots only): north = Luzhou city 105.44 E; south = "
         "midpoint of the Xuyong (105.44 E) and Gulin (105.81 E) county seats (china-profiles "
         "PROVENANCE.md)", "M"),
        ("buses.csv", "*", "y", "", "latitude (plots only): 28.87 N; 28.105 N (as x)", "M"),
        ("buses.csv", "luzhou_north", "name", "",
         "assumption (network is a 2-zone abstraction): urban districts Jiangyang, Longmatan, Naxi "
         "+ "
         "Luxian + Hejiang; holds Chuannan coal, the gas project (Jiangbei town, Jiangyang), WtE "
         "(Naxi), the 500 kV connection to the provincial grid", "L"),
        ("buses.csv", "luzhou_south", "name", "",
         "assumption: Gulin and Xuyong counties: wind sites, Guxu coal field, biomass sites", "L"),
        ("buses.csv", "*", "voll_per_mwh", "", "blank = case value", "H"),
        ("lines.csv", "north_south", "cap_fwd_mw", f"{LINE_MW:g}",
         "assumption: aggregate 220 kV transfer capacity between the urban area and Gulin/Xuyong, "
         "taken as two 220 kV double-circuit corridors at ≈ 300 MW per circuit (typical planning "
         "rating of a 220 kV circuit with 2 x 400 mm2 conductors, unverified); no Luzhou grid data "
         "(the Plan names only the Xuyong Xinglong 110 kV project and 35 kV substations)", "L"),
        ("lines.csv", "north_south", "cap_rev_mw", "", "blank = same as cap_fwd_mw", "L"),
        ("loads.csv", "*", "bus", "", "one load per bus", "H"),
        ("load_mw.csv", "*", "snapshot", "2030-01-01 00:00 ... 2030-12-31 23:00",
         "hour-beginning local time", "H"),
    ]
    tot = load.sum(axis=1)
    for col in ("load_north", "load_south"):
        rows.append(("load_mw.csv", "*", col,
                     f"{load[col].sum() / 1e6:.2f} TWh; peak {load[col].max():.0f} MW",
                     SRC_LOAD_ENERGY + "; " + SRC_LOAD_SHAPE + "; " + SRC_LOAD_SPLIT, "L"))
    rows.append(("load_mw.csv", "*", "*",
                 f"total {tot.sum() / 1e6:.2f} TWh; peak {tot.max():.0f} MW "
                 f"at {tot.idxmax():%Y-%m-%d %H:%M}", "sum of the two columns (see above)", "L"))
    rows += wind_solar_sources(info)
    for f in FUELS:
        for col in ("price_per_gj", "co2_t_per_gj", "gj_per_unit"):
            text, conf = FUEL_SOURCES[(f["name"], col)]
            rows.append(("fuels.csv", f["name"], col, f"{fmt(f[col])}", text, conf))
    rows += [
        ("generators.csv", "*", "bus", "", "by location: Chuannan coal, the gas project (Jiangbei "
         "town, Jiangyang), WtE (Naxi), rooftop PV (urban roofs), agri biomass in Hejiang and the "
         "provincial-grid import (500 kV) at luzhou_north; wind (Gulin/Xuyong ridges), utility PV, "
         "small hydro and agri biomass in Xuyong/Gulin at luzhou_south (" + PLAN + " §二(一)3; " +
         FACTS + " B)", "M"),
        ("generators.csv", "*", "carrier", "", "technology family; WtE counted as biomass "
         "(non-fossil "
         "in Chinese statistics; assumption)", "M"),
        ("generators.csv", "*", "fuel", "", "coal, gas, biomass from fuels.csv; blank = no fuel "
         "(wind, solar, hydro, WtE waste, imports)", "H"),
        ("fuels.csv", "*", "unit", "", "physical unit of gj_per_unit: t of raw coal, 1000 m3 of "
         "gas, "
         "GJ for biomass", "H"),
        ("lines.csv", "north_south", "bus0", "", "2-bus abstraction (see buses.csv)", "L"),
        ("lines.csv", "north_south", "bus1", "", "2-bus abstraction (see buses.csv)", "L"),
    ]
    num_cols = [c for c in GEN_COLUMNS if c not in ("name", "bus", "carrier", "fuel")]
    defaults = {
        "p_nom_max_mw": "blank = no cap (non-extendable capacity)",
        "p_min_pu": "0 (no must-run)", "p_max_pu": "default 1 (no derating)",
        "capex_per_mw": "0 / not used (existing, non-extendable)",
        "lifetime_yr": "not used (existing, non-extendable)", "fom_per_mw_yr": "0 (none charged)",
        "vom_per_mwh": "0 (none)", "heat_rate_gj_per_mwh": "0 (no fuel)",
        "co2_t_per_mwh": "blank = heat rate x fuel co2_t_per_gj (see fuels.csv)",
        "extendable": "case design (existing plant vs option); see README",
        "ramp_up_pu_per_h": "blank = no ramp limit", "ramp_down_pu_per_h": "blank = no ramp limit",
    }
    for gen in GENERATORS:
        for col in num_cols:
            key = (gen["name"], col)
            if key in GEN_SOURCES:
                text, conf = GEN_SOURCES[key]
            elif col == "extendable":
                text, conf = defaults[col], "M"
            elif col in ("p_max_pu",) and gen["name"] in ("solar_utility_south",
                                                          "solar_rooftop_north", "hydro_ror_south"):
                text, conf = "unused: hourly series in availability_pu.csv", "H"
            elif col in ("heat_rate_gj_per_mwh", "co2_t_per_mwh", "vom_per_mwh", "p_min_pu") and \
                    gen["carrier"] in ("solar", "hydro", "wind"):
                text, conf = "0 (no fuel, no direct emissions, no VOM given, no must-run)", "M"
            elif gen["name"].startswith("biomass_agri") and col == "vom_per_mwh":
                text, conf = "assumption: 0 (fuel cost carried by fuels.csv biomass)", "L"
            elif gen["name"].startswith("biomass_agri") and col == "co2_t_per_mwh":
                text, conf = "blank = from fuel biomass (0, accounting convention)", "L"
            elif gen["name"].startswith(("biomass_agri", "gas_ocgt", "solar", "hydro")) and \
                    col == "p_nom_mw":
                text, conf = "0 existing (option)", "M"
            elif gen["name"].startswith("wte") and col in ("capex_per_mw", "lifetime_yr",
                                                           "fom_per_mw_yr", "vom_per_mwh",
                                                           "heat_rate_gj_per_mwh", "p_max_pu",
                                                           "p_nom_max_mw"):
                text, conf = ("not used / 0: existing must-run block; costs are sunk and the "
                              "waste has no fuel price (gate fees not modelled)"), "L"
            elif gen["name"] == "import_sichuan_grid" and col in ("capex_per_mw", "lifetime_yr",
                                                                  "fom_per_mw_yr", "p_min_pu",
                                                                  "heat_rate_gj_per_mwh",
                                                                  "p_nom_max_mw"):
                text, conf = ("not used: the import is priced per MWh (vom_per_mwh); no "
                              "investment, no fixed cost, no must-take"), "L"
            else:
                text, conf = defaults.get(col, "default"), "M"
            rows.append(("generators.csv", gen["name"], col, f"{fmt(gen[col])}", text, conf))
    for (name, col), (text, conf) in STORAGE_SOURCES.items():
        val = STORAGE[0].get(col, "")
        rows.append(("storage.csv", name, col, f"{fmt(val)}", text, conf))
    rows.append(("storage.csv", "*", "e_nom_max_mwh", "", "no cap (blank = inf)", "M"))
    rows.append(("storage.csv", "*", "duration_h", "", "blank: power and energy sized freely", "M"))
    rows.append(("storage.csv", "*", "cyclic", "true", "state of charge at the end of the year "
                 "equals that at the start (no free initial energy)", "H"))
    rows.append(("storage.csv", "*", "bus", "", "one battery option at each bus", "M"))
    rows.append(("storage.csv", "*", "carrier", "battery", "new-type storage (新型储能) "
                 "modelled as "
                 "Li-ion battery (LBNL/SWITCH-China cost and efficiency rows)", "M"))
    rows.append(("storage.csv", "*", "extendable", "true", "new-type storage as an investment "
                 "option at both buses; pumped hydro not included (no site identified)", "M"))
    return pd.DataFrame(rows, columns=["table", "name", "column", "value", "source", "confidence"])


# -- the plan's targets (targets.csv; models/targets.md) ---------------------------------------
# Inputs of the non-fossil share (T3) outside the power system, for the city (all proxies, L):
# Sichuan 2021 energy use 230 Mtce, of it coal 25.9 %, oil 17 %, gas 16.7 % (Sichuan Statistics
# Bureau analysis of 15 May 2022, via cnjg.gov.cn/new/detail/20220516094113774.html); less the
# fuel of Sichuan's thermal power: generation 2021 = hydro 353.14 TWh / 0.816 = 432.8 TWh, of it
# hydro 353.14 and wind 10.62 (same analysis) -> thermal and other ≈ 69.0 TWh x 305.5 gce/kWh
# (FACTS F) ≈ 21.1 Mtce; non-power fossil ≈ 137.1 - 21.1 = 116.0 Mtce; x Luzhou's share of
# Sichuan GDP 4.53 % (2023: 2,725.90 亿元, gongweng.com aggregator, L-M / 60,132.9 亿元, FACTS A);
# held flat to 2030 (assumption).
SC_ENERGY_MTCE_2021 = 230.0
SC_FOSSIL_SHARE_2021 = 0.259 + 0.17 + 0.167
SC_GEN_TWH_2021 = 353.14 / 0.816
SC_THERMAL_TWH_2021 = SC_GEN_TWH_2021 - 353.14 - 10.62
LUZHOU_GDP_SHARE_2023 = 2725.90 / 60132.9
NONPOWER_FOSSIL_TCE = round((SC_ENERGY_MTCE_2021 * SC_FOSSIL_SHARE_2021
                             - SC_THERMAL_TWH_2021 * 305.5 / 1000) * 1e6
                            * LUZHOU_GDP_SHARE_2023, -4)
#: The same proxy for the city's non-power raw coal (T4's `other`, 万吨): Sichuan 2021 coal 25.9 %
#: of 230 Mtce less the thermal power fuel (all of it taken as coal, an upper reading), x
#: Luzhou's GDP share, / 0.7143 tce per t of raw coal (GB/T 2589 factor, FACTS F).
NONPOWER_COAL_WT = round((SC_ENERGY_MTCE_2021 * 0.259 - SC_THERMAL_TWH_2021 * 305.5 / 1000)
                         * LUZHOU_GDP_SHARE_2023 / 0.7143 * 100, 1)
#: Non-fossil share of Sichuan's generation 2021: hydro 81.6 % + wind 10.62 / 432.8 TWh (same
#: analysis; solar not given, so a slight understatement); the share of imports that is non-fossil.
IMPORT_NONFOSSIL = round(0.816 + 10.62 / SC_GEN_TWH_2021, 3)
#: Coal substitution rate: the 2025 national target for supply coal consumption, 300 gce/kWh
#: (NDRC & NEA, Nov 2021, FACTS F; the rate FACTS I names for T3).
SUBSTITUTION_GCE_KWH = 300.0
T3_INPUTS = dict(method="coal_substitution", gce_per_kwh=SUBSTITUTION_GCE_KWH,
                 import_nonfossil_pu=IMPORT_NONFOSSIL, other_nonfossil_tce=0.0,
                 other_total_tce=NONPOWER_FOSSIL_TCE)
T3_SCOPE = ("whole city, coal-substitution method (China's official 发电煤耗法, " + FACTS +
            " F) at 300 gce/kWh; imports " + f"{IMPORT_NONFOSSIL:.1%}" + " non-fossil (Sichuan "
            "2021 generation); the city's non-power energy is a PROXY (Sichuan 2021 non-power "
            "fossil energy x Luzhou's GDP share, flat to 2030; non-power non-fossil energy 0): "
            "reported only")

#: (name, year, kind, bound, unit, carrier, fuel, enforce, name_zh, name_en, scope, extra
#: columns, source). T1 (peak response) is case.yaml's peak_response. T5 (energy per GDP) has no
#: kind: the city's energy use is mostly outside the power system.
PLAN_TARGETS = [
    ("T2-wind-2025", 2025, "capacity_min", 25.0, "万千瓦", "wind", "", False,
     "风电总装机容量达到25万千瓦", "wind installed capacity reaches 250 MW",
     "Luzhou, installed wind", {}, PLAN + " T2 (2025)"),
    ("T2-wind-2030", 2030, "capacity_min", 60.0, "万千瓦", "wind", "", True,
     "风电新增装机容量35万千瓦", "350 MW of new wind after 2025 (≈ 600 MW in all)",
     "Luzhou, installed wind: the 2025 total plus the new 35 万千瓦", {},
     PLAN + " T2 (2030: 25 + 35 万千瓦 ≈ 60 万千瓦)"),
    ("T3-nonfossil-2025", 2025, "nonfossil_share_min", 31.5, "%", "wind;solar;hydro;biomass", "",
     False, "非化石能源消费比重达到31.5%左右", "non-fossil share of energy consumption ≈ 31.5 %",
     T3_SCOPE, T3_INPUTS, PLAN + " T3 (2025)"),
    ("T3-nonfossil-2030", 2030, "nonfossil_share_min", 33.5, "%", "wind;solar;hydro;biomass", "",
     False, "非化石能源消费比重达到33.5%左右", "non-fossil share of energy consumption ≈ 33.5 %",
     T3_SCOPE, T3_INPUTS, PLAN + " T3 (2030)"),
    ("T4-coal-2025", 2025, "fuel_max", 620.0, "万吨", "", "coal", False,
     "原煤消费量不超过620万吨", "raw coal consumption at most 6.2 Mt",
     "whole city: power-sector coal plus a PROXY of the non-power coal (as T4-coal-2030)",
     {"other": NONPOWER_COAL_WT}, PLAN + " T4 (2025)"),
    ("T4-coal-2030", 2030, "fuel_max", 660.0, "万吨", "", "coal", False,
     "原煤消费量不超过660万吨", "raw coal consumption at most 6.6 Mt",
     "whole city: power-sector coal plus the city's non-power coal, a GAP in " + FACTS +
     " replaced by a PROXY (other: Sichuan 2021 non-power coal x Luzhou's GDP share, flat to "
     "2030, the same proxy as T3's non-power energy); reported, not enforced",
     {"other": NONPOWER_COAL_WT}, PLAN + " T4 (2030)"),
    ("T6-co2-gdp-2025", 2025, "co2_intensity_max", "", "t CO2/万元", "", "", False,
     "单位地区生产总值二氧化碳排放下降19.5%", "CO2 per unit of GDP down 19.5 % from 2020",
     "whole city against 2020: the 2020 baseline and the 2025 GDP are GAPs, so not evaluated "
     "(the 2030 figure is 'the provincial target', no number)", {"change_pct": -19.5},
     PLAN + " T6 (2025)"),
    ("T8-gas-2025", 2025, "fuel_max", 50.0, "亿立方米", "", "gas", False,
     "页岩气年产量力争达到50亿立方米", "shale-gas output of 5 bcm/yr",
     "as T8-gas-2030; reported", {}, PLAN + " T8 (2025)"),
    ("T8-gas-2030", 2030, "fuel_max", 100.0, "亿立方米", "", "gas", False,
     "页岩气年产量力争达到100亿立方米", "shale-gas output of 10 bcm/yr",
     "the plan sets Luzhou's shale-gas output; read here as an upper bound on the gas its gas "
     "units burn (an assumption: output is not supply to Luzhou); reported", {},
     PLAN + " T8 (2030)"),
]
TARGET_COLUMNS = ["name", "year", "kind", "bound", "unit", "carrier", "fuel", "enforce",
                  "name_zh", "name_en", "scope"]
EXTRA_TARGET_COLUMNS = ["other", "change_pct", "method", "gce_per_kwh", "import_nonfossil_pu",
                        "other_nonfossil_tce", "other_total_tce"]
T3_SOURCES = {
    "gce_per_kwh": "2025 national target for the supply coal consumption of coal power, 300 "
                   "gce/kWh (NDRC & NEA, Nov 2021; " + FACTS + " F, I: the rate for T3)",
    "import_nonfossil_pu": "Sichuan 2021 generation: hydro 81.6 % + wind 10.62 TWh / 432.8 TWh "
                           "(Sichuan Statistics Bureau, 15 May 2022, via cnjg.gov.cn); solar "
                           "not given (M-H data, derived)",
    "other_total_tce": "PROXY: (Sichuan 2021 energy use 230 Mtce x fossil share 59.6 % - "
                       "thermal power fuel ≈ 69.0 TWh x 305.5 gce/kWh) x Luzhou share of "
                       "Sichuan GDP 4.53 % (2023); flat to 2030 (assumption). Sichuan figures: "
                       "Sichuan Statistics Bureau, 15 May 2022, via cnjg.gov.cn; Luzhou GDP "
                       "2023: 2,725.90 亿元 (gongweng.com aggregator, L-M)",
    "other_nonfossil_tce": "assumption: 0 (non-power non-fossil energy, e.g. biomass heat, "
                           "unknown)",
}
T4_OTHER_SOURCE = (
    "PROXY for the city's non-power raw coal (a GAP in " + FACTS + "): (Sichuan 2021 energy use "
    "230 Mtce x coal 25.9 % - thermal power fuel ≈ 69.0 TWh x 305.5 gce/kWh, all taken as coal) "
    "x Luzhou share of Sichuan GDP 4.53 % (2023) / 0.7143 tce/t; flat to 2030 (assumption). "
    "Sichuan figures: Sichuan Statistics Bureau, 15 May 2022, via cnjg.gov.cn; 69.0 TWh = "
    "generation 432.8 TWh less hydro 353.14 and wind 10.62 TWh (the remainder includes solar, "
    "not given); Luzhou's chemical and building-materials industry may burn more than its GDP "
    "share")


def build_targets() -> tuple[pd.DataFrame, list[tuple]]:
    """targets.csv and its sources rows (every number cited per row)."""
    rows = []
    for t in PLAN_TARGETS:
        row = dict(zip(TARGET_COLUMNS, [fmt(v) for v in t[:11]], strict=True))
        row.update({c: fmt(t[11].get(c, "")) for c in EXTRA_TARGET_COLUMNS})
        rows.append(row)
    sources = [("targets.csv", t[0], col, f"{fmt(v)}", t[-1], "H")
               for t in PLAN_TARGETS for col, v in (("year", t[1]), ("bound", t[3]),
                                                    ("change_pct", t[11].get("change_pct")))
               if v is not None]
    sources += [("targets.csv", t[0], "other", f"{fmt(NONPOWER_COAL_WT)}", T4_OTHER_SOURCE, "L")
                for t in PLAN_TARGETS if t[0].startswith("T4")]
    sources += [("targets.csv", t[0], col, f"{fmt(T3_INPUTS[col])}", text,
                 "M" if col in ("gce_per_kwh", "import_nonfossil_pu") else "L")
                for t in PLAN_TARGETS if t[11] is T3_INPUTS for col, text in T3_SOURCES.items()]
    return pd.DataFrame(rows, columns=TARGET_COLUMNS + EXTRA_TARGET_COLUMNS), sources


def adequacy(load: pd.DataFrame, avail: pd.DataFrame) -> dict:
    """Existing capacity only (no new build): can every hour's load be met at each bus?"""
    gens = pd.DataFrame(GENERATORS).set_index("name")
    cap = {}
    for bus in ("luzhou_north", "luzhou_south"):
        tot = np.zeros(len(load))
        for name, row in gens[gens["bus"] == bus].iterrows():
            a = (avail[name].to_numpy() if name in avail
                 else np.full(len(load), float(row["p_max_pu"])))
            tot += float(row["p_nom_mw"]) * a
        cap[bus] = tot
    south_short = np.maximum(load["load_south"].to_numpy() - cap["luzhou_south"], 0.0)
    south_surplus = np.minimum(np.maximum(cap["luzhou_south"] - load["load_south"].to_numpy(), 0),
                               LINE_MW)
    north_margin = cap["luzhou_north"] + south_surplus - load["load_north"].to_numpy()
    margin = north_margin  # after shipping any south shortfall (if <= line) from the north
    margin = margin - south_short
    return {"min_margin_mw": float(margin.min()),
            "min_margin_at": str(load.index[int(margin.argmin())]),
            "south_max_shortfall_mw": float(south_short.max()),
            "line_ok": bool(south_short.max() <= LINE_MW),
            "coal_floor_ok": bool((load.sum(axis=1) >= 0.35 * 1200 + 24).all())}


def series_csv(frame: pd.DataFrame, float_format: str) -> str:
    """A time series as CSV with hour-beginning local timestamps."""
    f = frame.copy()
    f.index = f.index.strftime("%Y-%m-%d %H:%M")
    f.index.name = "snapshot"
    return f.to_csv(lineterminator="\n", float_format=float_format)


def price_outage_sources() -> list[tuple]:
    """sources.csv rows of price_per_mwh.csv and of the coal availability."""
    levels = " / ".join(f"{v:.2f}" for v in (MARKET_DRY, MARKET_FLAT, MARKET_WET))
    return [
        ("price_per_mwh.csv", "*", "snapshot", "", "hour-beginning local time", "H"),
        ("price_per_mwh.csv", "*", "import_sichuan_grid", f"month level {levels} x TOU ratio",
         "price of the provincial market by season x the Sichuan TOU ratio of the hour. Level "
         "(CNY/MWh, Sichuan 2025 centralised-trade monthly averages as compiled in "
         "johnhany/BladeBend docs/各省数据2025/四川.md, commit bf8c7db, citing 四川电力交易中心; "
         "L): dry months Jan-Apr and Dec = mean of March 398.62 and April 401.02 = "
         f"{MARKET_DRY:.2f}; wet months Jun-Oct = mean of June 121.48 and August 122.10 = "
         f"{MARKET_WET:.2f}; flat months May and Nov = dry x flat/dry price cap 333.84/415.63 "
         f"(same note) = {MARKET_FLAT:.2f} (assumption). For scale: the same note gives the 2025 "
         "in-province annual average 241.8 and the coal contract price 439.2 CNY/MWh; the coal "
         "benchmark 0.4012 CNY/kWh (unverified, " + FACTS + " Unverified) sits at the dry level. "
         "Shape: TOU ratios from 1 Jun 2023 (川发改价格规〔2023〕186号 via m.ddtbk.com; " + FACTS +
         " D): valley 23-07 h x 0.4, flat x 1.0, peak 10-12 and 15-21 h x 1.6, critical peak "
         "(Jul/Aug 15-17 h, Jan/Dec 19-21 h) x 1.92; retail TOU ratios applied to the wholesale "
         "import price (assumption; the 2025 spot trial ranged from -50 to 800 CNY/MWh, Caixin "
         "23 Sep 2025 and the same note)", "L"),
        ("availability_pu.csv", "*", "coal_chuannan", "0.5-1.0",
         "(1 - 32.42/8760) x (1 - 0.5 for each 600 MW unit in overhaul): a planned overhaul of "
         "28 days per unit and year, unit 1 from 1 June and unit 2 from 1 October (assumption: "
         "no planned-outage statistic was found; wet-season months of low load, when Sichuan's "
         "thermal plants stand by); forced outages as 32.42 equivalent unplanned outage hours "
         "per unit-year, the worst of the three 600/300 MW unit classes reported at the NEA/CEC "
         "2020 reliability conference (Shanghai Electric release, 1 Jul 2020, via satasort.org; "
         "L-M), spread over the year as a derating", "L"),
    ]


def case_files(snapshots: pd.DatetimeIndex, load: pd.DataFrame, avail: pd.DataFrame,
               dr: dict) -> dict[str, str]:
    """Every file of the case but sources.csv and targets.csv, as text."""
    files: dict[str, str] = {"case.yaml": case_yaml()}
    for kind, frame in build_tables().items():
        files[f"{kind}.csv"] = frame.to_csv(index=False, lineterminator="\n")
    files["load_mw.csv"] = series_csv(load, "%.1f")
    files["availability_pu.csv"] = series_csv(avail, "%.4f")
    price = pd.DataFrame({"import_sichuan_grid": import_price(snapshots)}, index=snapshots)
    files["price_per_mwh.csv"] = series_csv(price, "%.2f")
    for kind, frame in dr["tables"].items():
        files[f"{kind}.csv"] = frame.to_csv(index=False, lineterminator="\n")
    for name, frame in dr["series"].items():
        files[f"{name}.csv"] = series_csv(frame, "%.4f")
    return files


def build(out: Path) -> dict:
    snapshots = pd.date_range(f"{YEAR}-01-01 00:00", periods=HOURS, freq="h", name="snapshot")
    load, avail, info = build_series(snapshots)
    h1 = np.asarray(snapshots.month) <= 6
    info["wind_flh"] = avail["wind_gulin_xuyong"].sum()
    info["wind_h1"] = avail["wind_gulin_xuyong"].to_numpy()[h1].sum()
    info["pv_util_flh"] = avail[PV_UTILITY.name].sum()
    info["pv_roof_flh"] = avail[PV_ROOFTOP.name].sum()
    dr = build_dr(snapshots, load)
    ev_total = dr["info"]["ev_base_mw"].sum(axis=0)
    if (ev_total > load["load_north"].to_numpy()).any():
        raise SystemExit("EV baseline exceeds load_north: load_mw.csv cannot include it")
    files = case_files(snapshots, load, avail, dr)
    targets, target_sources = build_targets()
    files["targets.csv"] = targets.to_csv(index=False, lineterminator="\n")
    columns = ["table", "name", "column", "value", "source", "confidence"]
    parts = [sources_table(info, load),
             pd.DataFrame(dr_sources(dr) + price_outage_sources() + target_sources,
                          columns=columns)]
    files["sources.csv"] = pd.concat(parts, ignore_index=True).to_csv(index=False,
                                                                       lineterminator="\n")
    info["dr"] = dr["info"]
    info["adequacy"] = adequacy(load, avail)
    info["files"] = files
    info["load"] = load
    info["avail"] = avail
    info["price"] = import_price(snapshots)
    return info


def summary(info: dict) -> str:
    load, avail = info["load"], info["avail"]
    tot = load.sum(axis=1)
    gens = pd.DataFrame(GENERATORS).set_index("name")
    fuels = pd.DataFrame(FUELS).set_index("name")
    lines = [
        f"Luzhou 2030 energy {tot.sum() / 1e6:.3f} TWh "
        f"(north {load['load_north'].sum() / 1e6:.3f}, "
        f"south {load['load_south'].sum() / 1e6:.3f}); peak {tot.max():.1f} MW at {tot.idxmax()}; "
        f"min {tot.min():.1f} MW; load factor {tot.mean() / tot.max():.3f}",
        f"GHI {info['ghi_kwh_m2']:.0f} kWh/m2/yr (clear sky {info['ghi_clear_kwh_m2']:.0f}); "
        f"monthly GHI {info['ghi_monthly_kwh_m2'].tolist()}; "
        f"all-sky/clear-sky {info['clear_ratio_monthly'].tolist()}",
        f"PV full-load h per MWp: utility {info['pv_util_flh']:.0f}, "
        f"rooftop {info['pv_roof_flh']:.0f}",
        f"wind (synthetic) full-load h {info['wind_flh']:.0f}, H1 {info['wind_h1']:.0f} "
        f"(share {info['wind_h1'] / info['wind_flh']:.2f}); Weibull scale "
        f"{info['weibull_scale_mps']:.2f} m/s, seasonal amplitude {info['season_amp']:.3f}",
        f"import availability mean {avail['import_sichuan_grid'].mean():.3f}; hydro ROR FLH "
        f"{avail['hydro_ror_south'].sum():.0f}",
        f"adequacy with existing capacity only: {info['adequacy']}",
        "marginal costs (CNY/MWh):",
    ]
    for name, row in gens.iterrows():
        fp = fuels.loc[row["fuel"], "price_per_gj"] if row["fuel"] else 0.0
        mc = fp * float(row["heat_rate_gj_per_mwh"] or 0) + float(row["vom_per_mwh"] or 0)
        lines.append(f"  {name:28s} {mc:8.1f}")
    for name in ("wind_gulin_xuyong", "solar_utility_south", "solar_rooftop_north"):
        row = gens.loc[name]
        ann = float(row["capex_per_mw"]) * crf(0.06, float(row["lifetime_yr"])) + \
            float(row["fom_per_mw_yr"])
        lines.append(f"  LCOE {name:23s} {ann / avail[name].sum():8.1f}")
    d = info["dr"]
    ev = d["ev_base_mw"].sum(axis=0)
    lines += [
        f"peak-response target 5 % x {d['peak']:.1f} MW = {0.05 * d['peak']:.1f} MW; "
        f"10 % curtailable reference {0.1 * d['peak']:.1f} MW",
        f"DR potentials (MW): shiftable industry {d['shift_total']:.1f}, interruptible C&I "
        f"{d['cut_total']:.1f}, flexible buildings {d['build_total']:.1f}, EV baseline of the "
        f"potential at the peak hour {d['ev_pot_at_peak']:.1f}",
        f"EV fleets: {d['ev_vehicles'].round().tolist()} vehicles, chargers "
        f"{d['ev_chargers'].round(1).tolist()} MW; baseline {d['ev_energy_twh']:.3f} TWh/yr, "
        f"max {ev.max():.1f} MW; per MW of chargers at the peak hour "
        f"{d['base_at_peak'].round(3).tolist()}",
        f"electrolyser baseline {d['h2_base']:.2f} MW; enrolment costs (CNY/MW-yr): shift "
        f"{ENROL_SHIFT:,.0f}, interruptible {ENROL_CUT:,.0f}, retrofit {ENROL_RETROFIT:,.0f}",
    ]
    return "\n".join(lines)


def _table(files: dict[str, str], name: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(files[name]), keep_default_na=False, dtype=str)


def _open_caps(files: dict[str, str]) -> str:
    gens = _table(files, "generators.csv")
    capped = gens["carrier"].isin(["wind", "solar", "hydro", "biomass"]) & \
        (gens["extendable"].str.lower() == "true")
    gens.loc[capped, "p_nom_max_mw"] = ""
    files["generators.csv"] = gens.to_csv(index=False, lineterminator="\n")
    return "no build caps on wind, solar, hydro and agri biomass (p_nom_max_mw blank)"


def _flat_import(files: dict[str, str]) -> str:
    price = _table(files, "price_per_mwh.csv")
    price["import_sichuan_grid"] = "401.20"
    files["price_per_mwh.csv"] = price.to_csv(index=False, lineterminator="\n")
    return "the import at a flat 401.2 CNY/MWh (the coal benchmark, unverified; the first case)"


#: Gas price implied by Sichuan's linked energy price for H-class gas units, 0.4186 CNY/kWh with
#: VAT (notice reprinted at m.haojifu.com/article/109298.html, issuer and date not shown; M-L):
#: / 1.13 VAT x 1,000 − VOM 13.54 CNY/MWh, / CCGT_HR GJ/MWh.
GAS_TARIFF_PRICE = (418.6 / 1.13 - usd2010(2)) / CCGT_HR


def _gas_tariff(files: dict[str, str]) -> str:
    fuels = _table(files, "fuels.csv")
    fuels.loc[fuels["name"] == "gas", "price_per_gj"] = f"{GAS_TARIFF_PRICE:.4f}"
    files["fuels.csv"] = fuels.to_csv(index=False, lineterminator="\n")
    return (f"gas at {GAS_TARIFF_PRICE:.2f} CNY/GJ (≈ {GAS_TARIFF_PRICE * 38.98 / 1000:.2f} "
            "CNY/m3), the fuel cost implied by Sichuan's H-class linked energy price")


def _import_limit(files: dict[str, str]) -> str:
    gens = _table(files, "generators.csv")
    gens.loc[gens["name"] == "import_sichuan_grid", "p_nom_mw"] = "2500.0"
    files["generators.csv"] = gens.to_csv(index=False, lineterminator="\n")
    return "import limit 2,500 MW instead of the assumed 3,000 MW"


PATHWAY_DIR = REPO / "data" / "luzhou-pathway"
#: The pathway's years and their load: the central growth of 5 %/yr (FACTS I, as for 2030)
#: from 2030 back to 2025 and on to 2035 (an extrapolation past the plan's horizon).
PATHWAY_YEARS = (2025, 2030, 2035)
PATHWAY_LOAD_SCALE = {y: round((1 + GROWTH_CENTRAL) ** (y - YEAR), 6) for y in PATHWAY_YEARS
                      if y != YEAR}


def pathway_yaml(case_yaml_text: str) -> str:
    """case.yaml of the 2025–2030–2035 pathway: the 2030 case's settings and its years."""
    text = case_yaml_text.replace("name: luzhou-2030", "name: luzhou-pathway", 1)
    text = text.replace(
        'description: "Luzhou 2030, 8760 h, 2 buses: least-cost dispatch and capacity plan '
        '(see README)"',
        'description: "Luzhou 2025-2030-2035 pathway, 8760 h a year, 2 buses: what to build '
        'when (see README)"', 1)
    scale = ", ".join(f"{y}: {v}" for y, v in PATHWAY_LOAD_SCALE.items())
    return text + f"""pathway:              # models/pathway.md; sources.csv rows 'pathway'
  years: [{", ".join(map(str, PATHWAY_YEARS))}]
  base_year: {PATHWAY_YEARS[0]}
  final_span_yr: 5
  load_scale: {{{scale}}}
"""


def _pathway(files: dict[str, str]) -> str:
    files["case.yaml"] = pathway_yaml(files["case.yaml"])
    files["README.md"] = PATHWAY_README
    return ("the 2030 case as a 2025-2030-2035 pathway: load x " +
            ", ".join(f"{v} in {y}" for y, v in PATHWAY_LOAD_SCALE.items()) +
            " (the central 5 %/yr growth of the 2030 load, " + FACTS + " I, extrapolated to 2035, "
            "L); the fleet, its costs, the import price and limit, the DR and VPP potentials of "
            "2030 in every year (ASSUMPTION: no year-specific data; wind 250 MW existing = the "
            + PLAN + " 2025 target used as actual, the 2 x 700 MW CCGT in service from 2025 as "
            "planned, no retirement before 2035: the Chuannan coal units' commissioning years "
            "are a GAP); each year stands for 5 years, costs discounted to 1 January 2025 at the "
            "case's 0.06")


PATHWAY_README = """\
# Luzhou 2025–2030–2035 pathway (variant of `luzhou-2030`)

Written by `scripts/build_luzhou_case.py` (checked in CI with `--check`): the default case
`data/luzhou-2030` solved for 2025, 2030 and 2035 in one model (`case.yaml: pathway`,
`models/pathway.md`). Read `data/luzhou-2030/README.md` for every number of the case; the rows
of `sources.csv` with table `case.yaml` and column `pathway` or `variant` say what differs.

- **Years**: 2025, 2030, 2035, each standing for five years (2025–29, 2030–34, 2035–39);
  costs discounted to 1 January 2025 at 6 %/yr; an asset pays its annuity in every year of
  that horizon it is in service (the rest of its life is not counted).
- **Load**: the 2030 hourly shape scaled by the central growth of 5 %/yr (LUZHOU-FACTS.md I):
  × 0.783526 in 2025 and × 1.276282 in 2035 (an extrapolation beyond the plan, L).
- **Fleet**: as in 2030 in every year (ASSUMPTION): wind 250 MW existing (the plan's 2025 target
  used as actual), the 2 × 700 MW CCGT in service from 2025 as planned, no retirements (the
  Chuannan coal units' commissioning years are a GAP). New capacity of any year is a vintage with
  the technology's lifetime. The import price series, the 3,000 MW import limit and the DR and
  VPP potentials are the 2030 case's in every year: no year-specific data exists in the
  reference; treat 2025 and 2035 as "the 2030 system at that year's load".
- **Targets**: `targets.csv` holds the plan's rows for 2025 and 2030; each is judged in its own
  year (T2 wind ≥ 600 MW enforced in 2030; the 2025 rows are reported). 2035 has no target of
  the plan. The peak-response target T1 (5 %) is reported for every year.

Run: `gridopt run luzhou-pathway --periods 12` (12 representative days a year: ≈ 25 s on two
cores, 2026-12-03). `gridopt run luzhou-pathway` solves the three full years as one LP (three
times the 2030 case's columns): not measured to the end here; a run on a shared two-core
machine was stopped after 21 CPU-minutes at 3.5 GB, so plan on representative periods.
"""


VARIANTS = {"open-caps": _open_caps, "flat-import": _flat_import, "gas-tariff": _gas_tariff,
            "import-2500": _import_limit, "pathway": _pathway}


def apply_variant(files: dict[str, str], name: str) -> dict[str, str]:
    """A sensitivity variant of the default case: files changed and the change in sources.csv."""
    files = dict(files)
    what = VARIANTS[name](files)
    sources = _table(files, "sources.csv")
    kind = "PATHWAY VARIANT of" if name == "pathway" else "SENSITIVITY VARIANT, not"
    sources.loc[len(sources)] = ["case.yaml", "*", "variant", name,
                                 f"{kind} the default case: {what}", "L"]
    files["sources.csv"] = sources.to_csv(index=False, lineterminator="\n")
    if name != "pathway":
        files["case.yaml"] = files["case.yaml"].replace("name: luzhou-2030",
                                                        f"name: luzhou-2030-{name}", 1)
    else:  # a shipped variant: its settings sourced like the case's
        sources.loc[len(sources)] = ["case.yaml", "*", "pathway",
                                     "years 2025, 2030, 2035; base_year 2025; final_span_yr 5; "
                                     "load_scale " + ", ".join(
                                         f"{y}: {v}" for y, v in PATHWAY_LOAD_SCALE.items()),
                                     "the row 'variant' above; " + FACTS + " I (growth)", "L"]
        files["sources.csv"] = sources.to_csv(index=False, lineterminator="\n")
    return files


def _write_or_check(out: Path, files: dict[str, str], check: bool) -> list[str]:
    """Write ``files`` into ``out``, or (``check``) the names whose file differs."""
    if check:
        return [n for n, text in files.items()
                if not (out / n).exists() or (out / n).read_text() != text]
    out.mkdir(parents=True, exist_ok=True)
    for n, text in files.items():
        (out / n).write_text(text)
    print(f"wrote {len(files)} files to {out}")
    return []


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="rebuild in memory and compare with the files in data/luzhou-2030")
    ap.add_argument("--out", type=Path, default=OUT_DIR, help="output folder")
    ap.add_argument("--variant", choices=sorted(VARIANTS),
                    help="write a sensitivity variant (needs --out pointing elsewhere)")
    args = ap.parse_args(argv)
    if args.variant and args.out.resolve() == OUT_DIR.resolve():
        ap.error("--variant writes a sensitivity case: give --out another folder")
    info = build(args.out)
    files = apply_variant(info["files"], args.variant) if args.variant else info["files"]
    print(summary(info))
    bad = _write_or_check(args.out, files, args.check)
    if not args.variant and args.out.resolve() == OUT_DIR.resolve():  # the shipped pathway too
        pathway = apply_variant(info["files"], "pathway")
        bad += [f"luzhou-pathway/{n}" for n in _write_or_check(PATHWAY_DIR, pathway, args.check)]
    if args.check:
        print("up to date" if not bad else f"differs: {bad}")
        return 1 if bad else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
