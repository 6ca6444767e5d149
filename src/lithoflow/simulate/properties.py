"""Physical properties: per-lithology signatures, latent profiles along a hole, and sensor models.

Each property is a class signature (from the packaged rules, the LILY paper's MAD densities and the
reflectance L* per principal) plus random effects that make classes overlap the way real ones do:
a hole offset, an interval (run) offset, a shared "terrigenous content" factor, and an AR(1)
process along the core. Sensors then add coring-system bias and liner under-fill (GRA), voids,
spikes, counting noise (NGR) and pixel texture (RGB).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.signal import lfilter

from lithoflow.simulate.calibration import CalibrationFacts
from lithoflow.simulate.lithology import Vocabulary

HARDNESS = ("soft", "medium", "hard", "rock")
# Density a class keeps relative to its MAD mean ([CAL]: fits the §3.4 GRA medians; MAD samples
# sit deeper than the average 20-cm bin of unconsolidated sediment).
MAD_ADJUST_G_CM3 = {"soft": 0.0, "medium": -0.12, "hard": -0.10, "rock": 0.0}
# Mean GRA minus MAD density by core type [PAPER]; RCB by hardness (hard rock 0.2-0.4 low, mud/clay
# 0.1-0.2 low, oozes <= 0.02 low).
COMPACTED_CLAY = ("claystone", "mudstone")
CORING_BIAS_G_CM3 = {
    "APC": (0.036, 0.036, 0.036, 0.036),
    "HLAPC": (0.016, 0.016, 0.016, 0.016),
    "XCB": (-0.02, -0.048, -0.08, -0.10),
    "RCB": (-0.02, -0.15, -0.25, -0.30),
}
# Density gain with burial [CAL]: porosity loss of the upper kilometre (Athy-like, §3.5 APC 64 %
# vs RCB 37 % porosity) ties GRA to depth, and through counts per volume to NGR.
COMPACTION_PER_KM = {"soft": 0.7, "medium": 0.7, "hard": 0.3, "rock": 0.0}
STRATIGRAPHIC_RANK = {"soft": 0.2, "medium": 0.3, "hard": 0.6, "rock": 0.9}
# Liner under-fill of XCB/RCB cores: fill fraction ~ Beta(mean, concentration) per core piece.
# Massive plutonic pieces (intrusive subtype) fill the liner better than fractured lavas [CAL].
FILL = {"soft": (1.0, 0.0), "medium": (1.0, 0.0), "hard": (0.96, 25.0), "rock": (0.72, 3.0)}
FILL_INTRUSIVE = (0.85, 4.0)
# ln(R) = a + b * L*, fitted to the §3.4 sediment medians (clay, silty clay, ooze, sand) [CAL].
RED_FROM_LIGHTNESS = (1.97, 0.0451)
DIAMAGNETIC_GROUPS = {"Carbonate", "Biogenic Silica", "Evaporite"}
IGNEOUS_MS_GROUPS = {
    "Mafic Igneous",
    "Volcaniclastic",
    "Ultramafic",
    "Intermediate/Felsic Igneous",
    "Other",
    "Conglomerate/Breccia",
}


@dataclass(frozen=True)
class Signatures:
    """Per-class property parameters (index = class id)."""

    gra_g_cm3: np.ndarray  # true bulk density at the class's median depth
    compaction_per_m: np.ndarray  # density gain per metre of depth
    ms_scale: np.ndarray  # MS = ms_scale * exp(effects) - ms_offset
    ms_offset: np.ndarray
    ngr_scale: np.ndarray  # NGR = ngr_scale * exp(effects)
    log_red: np.ndarray  # ln of the class's median R
    red_spread: np.ndarray  # multiplier of the brightness random effects (from L* rsd)
    green_ratio: np.ndarray
    blue_ratio: np.ndarray
    hardness: np.ndarray  # int index into HARDNESS
    coring_class: np.ndarray  # int index into HARDNESS used for GRA coring bias and liner fill
    run_bins: np.ndarray  # mean described-interval length in 20-cm bins
    rank: np.ndarray  # stratigraphic rank 0 (top) .. 1 (basement)
    fill_mean: np.ndarray
    fill_concentration: np.ndarray
    carbonate: np.ndarray  # 1.0 for the Carbonate group, else 0.0
    igneous: np.ndarray  # 1.0 for volcanic, plutonic and breccia groups, else 0.0


def resolve_signatures(facts: CalibrationFacts, vocab: Vocabulary) -> Signatures:
    """Apply the packaged rules to every class: group row, keyword rows, MAD density, name row."""
    rules = facts.signature_rules
    fields = (
        "gra_g_cm3",
        "ms_median",
        "ngr_median_cps",
        "red_median",
        "green_ratio",
        "blue_ratio",
        "hardness",
        "run_bins",
    )
    mad = facts.mad.set_index("principal_lithology")["bulk_density_mean"].to_dict()
    group_rows = rules[rules["match"] == "group"].set_index("rule")
    keyword_rows = rules[rules["match"] == "keyword"]
    name_rows = rules[rules["match"] == "name"].set_index("rule")
    light_known = ~np.isnan(vocab.lightness_mean)
    default_lightness = float(np.nanmedian(vocab.lightness_mean))
    out: dict[str, list] = {f: [] for f in fields}
    for j, name in enumerate(vocab.names):
        values = {f: group_rows.loc[vocab.group[j], f] for f in fields}
        for row in keyword_rows.itertuples(index=False):
            if row.rule in name:
                for f in fields:
                    value = getattr(row, f)
                    if isinstance(value, str) or not np.isnan(value):
                        values[f] = value
        if name in mad:
            # Compacted clay (claystone, mudstone) sits at its MAD density (GRA 1.9-2.1 [FIG]).
            compacted_clay = any(k in name for k in COMPACTED_CLAY)
            adjust = 0.0 if compacted_clay else MAD_ADJUST_G_CM3[values["hardness"]]
            values["gra_g_cm3"] = mad[name] + adjust
        if name in name_rows.index:
            for f in fields:
                value = name_rows.loc[name, f]
                if isinstance(value, str) or not np.isnan(value):
                    values[f] = value
        if isinstance(values["red_median"], float) and np.isnan(values["red_median"]):
            lightness = vocab.lightness_mean[j] if light_known[j] else default_lightness
            values["red_median"] = np.exp(RED_FROM_LIGHTNESS[0] + RED_FROM_LIGHTNESS[1] * lightness)
        for f in fields:
            out[f].append(values[f])
    hardness = np.array([HARDNESS.index(h) for h in out["hardness"]])
    names = np.array([HARDNESS[h] for h in hardness])
    ms_median = np.array(out["ms_median"], dtype=float)
    ms_offset = np.array([1.0 if g in DIAMAGNETIC_GROUPS else 0.0 for g in vocab.group])
    rsd = np.where(np.isnan(vocab.lightness_rsd), 0.2, vocab.lightness_rsd)
    intrusive = (names == "rock") & (vocab.subtype == "intrusive")
    # Lithified muds and chalk core like mud (RCB 0.1-0.2 low [PAPER]), not like hard rock.
    mud_like = np.array(
        [any(k in n for k in ("claystone", "mudstone", "chalk")) for n in vocab.names]
    )
    coring_class = np.where(mud_like, HARDNESS.index("medium"), hardness)
    coring_names = np.array([HARDNESS[h] for h in coring_class])
    rank = np.array([STRATIGRAPHIC_RANK[h] for h in names])
    rank = np.where(vocab.group == "Volcaniclastic", 0.45, rank)
    rank = np.where((vocab.group == "Carbonate") & (names == "hard"), 0.5, rank)
    rank = np.where(vocab.group == "Diamict", 0.35, rank)
    return Signatures(
        gra_g_cm3=np.array(out["gra_g_cm3"], dtype=float),
        compaction_per_m=np.array([COMPACTION_PER_KM[h] / 1000.0 for h in names]),
        ms_scale=np.maximum(ms_median + ms_offset, 0.3),
        ms_offset=ms_offset,
        ngr_scale=np.maximum(np.array(out["ngr_median_cps"], dtype=float), 0.05),
        log_red=np.log(np.array(out["red_median"], dtype=float)),
        red_spread=np.clip(rsd / 0.2, 0.6, 1.6),
        green_ratio=np.array(out["green_ratio"], dtype=float),
        blue_ratio=np.array(out["blue_ratio"], dtype=float),
        hardness=hardness,
        coring_class=coring_class,
        run_bins=np.array(out["run_bins"], dtype=float),
        rank=rank,
        fill_mean=np.where(intrusive, FILL_INTRUSIVE[0], [FILL[h][0] for h in coring_names]),
        fill_concentration=np.where(
            intrusive, FILL_INTRUSIVE[1], [FILL[h][1] for h in coring_names]
        ),
        carbonate=(vocab.group == "Carbonate").astype(float),
        igneous=np.isin(vocab.group, sorted(IGNEOUS_MS_GROUPS)).astype(float),
    )


@dataclass(frozen=True)
class PropertyNoise:
    """Sizes of the random effects and sensor noise ([CAL]: tuned to §3.1 quantiles, §3.3 r)."""

    # Unexplained (feature-independent) effects are small next to the lithology signal and the
    # shared composition factor, so features predict each other as in the real data (§3.3):
    # GRA's hole and run offsets are smaller than its compaction trend and class contrasts.
    hole_sd: tuple[float, float, float, float] = (0.06, 0.60, 0.05, 0.05)  # gra, lnMS, lnNGR, lnR
    run_sd: tuple[float, float, float, float] = (0.08, 0.70, 0.05, 0.05)
    ar_sd: tuple[float, float, float, float] = (0.05, 0.35, 0.06, 0.05)
    # A shared "terrigenous content" factor: more NGR (K, Th in clay), darker colour, a little
    # more MS; it carries most of the within-lithology variation of NGR and colour.
    composition_loading: tuple[float, float, float, float] = (0.0, 0.05, 0.28, -0.38)
    # A per-interval "dispersed volcanic ash" factor: more MS, darker, less K (NGR).
    ash_loading: tuple[float, float, float, float] = (0.0, 0.5, -0.1, -0.05)
    # Volcanic and plutonic rocks vary far more in magnetite content than sediments.
    ms_rock_spread: float = 1.5
    ms_sediment_clip: float = 1.5  # largest |ln MS effect| of sediments (factor ~4.5)
    ms_rock_clip: float = 2.2  # and of rocks (the loop saturates near 10^4 instrument units)
    # Hole offsets of crystalline rocks are smaller (one hole can hold a whole class, e.g. gabbro).
    rock_hole_scale: float = 0.4
    # NGR and MS are counted per volume of core: they scale with density (ratio ** exponent).
    ngr_density_exponent: float = 2.5
    ms_density_exponent: float = 0.0
    carbonate_purity_per_km: float = 4.5  # composition factor drop per km below the class median
    carbonate_composition_scale: float = 0.6
    igneous_composition_scale: float = 0.3
    ar_correlation_m: float = 0.6
    green_sd: float = 0.015
    blue_sd: float = 0.04
    gra_sensor_sd: float = 0.02
    ms_sensor_sd: float = 0.8
    ms_sensor_rel: float = 0.03
    ngr_count_time: float = 9.0  # NGR sd = sqrt((NGR + 3) / count_time)
    pixel_sd: float = 0.06
    pixel_correlation_m: float = 0.02
    channel_sd: float = 0.012
    void_section_rate: float = 0.025
    void_length_m: tuple[float, float] = (0.02, 0.30)
    gra_spike_rate: float = 2e-5
    gra_nan_rate: float = 1e-5
    ms_artefact_rate: float = 3e-6
    fill_piece_m: float = 0.15
    soft_fill: tuple[float, float] = (0.975, 12.0)  # (mean, concentration) of ordinary cores


CELL_MM = 25  # latent profiles live on a 2.5-cm grid along the curated coordinate


def ar1(n: int, correlation_m: float, step_m: float, rng: np.random.Generator) -> np.ndarray:
    """A unit-variance AR(1) series of length n with the given correlation length."""
    if n == 0:
        return np.zeros(0)
    phi = float(np.exp(-step_m / correlation_m))
    shocks = rng.normal(0.0, np.sqrt(1.0 - phi * phi), n)
    shocks[0] = rng.normal()
    # x_t = phi x_{t-1} + e_t, vectorised through scipy's linear filter.
    return lfilter([1.0], [1.0, -phi], shocks)


@dataclass(frozen=True)
class LatentProfile:
    """Latent properties of one hole on a regular grid along the curated coordinate."""

    c_mm: np.ndarray  # int64 grid positions
    gra: np.ndarray
    ms: np.ndarray
    ngr: np.ndarray
    log_red: np.ndarray
    green: np.ndarray  # per-cell green/red ratio (constant within a run)
    blue: np.ndarray


def latent_profile(
    c_start_mm: int,
    c_end_mm: int,
    run_bounds_mm: np.ndarray,
    run_class: np.ndarray,
    depth_of_c: Callable[[np.ndarray], np.ndarray],
    class_depth_m: np.ndarray,
    sig: Signatures,
    noise: PropertyNoise,
    rng: np.random.Generator,
) -> LatentProfile:
    """Latent GRA, MS, NGR and colour on the 2.5-cm grid over [c_start, c_end] of one hole.

    `run_bounds_mm` are the interior run boundaries (sorted); run r covers
    [bounds[r-1], bounds[r]). Hole-level effects are drawn here too, so call once per hole.
    """
    c = np.arange(c_start_mm, c_end_mm + CELL_MM, CELL_MM, dtype=np.int64)
    n_runs = len(run_class)
    run = np.searchsorted(run_bounds_mm, c, side="right")
    cls = run_class[run]
    depth = depth_of_c(c)
    hole_scale = np.where(sig.hardness[cls] == HARDNESS.index("rock"), noise.rock_hole_scale, 1.0)
    hole_eff = [rng.normal(0.0, s) * hole_scale for s in noise.hole_sd]
    hole_comp = rng.normal()
    run_eff = [rng.normal(0.0, s, n_runs) for s in noise.run_sd]
    run_comp = rng.normal(0.0, 1.0, n_runs)
    deeper_km = (depth - class_depth_m[cls]) / 1000.0
    # How much a class's composition varies: a sediment as much as its reflectance L* does
    # (red_spread), so the within-class colour spread travels with NGR and MS; a carbonate's
    # clay content varies less per interval (its long-term purity trend is below); igneous
    # rocks have no terrigenous admixture.
    comp_scale = (
        1.0
        + (noise.carbonate_composition_scale - 1.0) * sig.carbonate[cls]
        + (noise.igneous_composition_scale - 1.0) * sig.igneous[cls]
    ) * np.where(sig.igneous[cls] > 0, 1.0, sig.red_spread[cls])
    # Older carbonate is purer (less clay): brighter, lower NGR and MS.
    comp = (hole_comp * 0.6 + run_comp[run]) * comp_scale - (
        sig.carbonate[cls] * noise.carbonate_purity_per_km * deeper_km
    )
    ash = rng.normal(0.0, 1.0, n_runs)[run]
    ash_load = noise.ash_loading
    step = CELL_MM / 1000.0
    ar = [ar1(len(c), noise.ar_correlation_m, step, rng) * s for s in noise.ar_sd]
    load = noise.composition_loading
    gra = (
        sig.gra_g_cm3[cls]
        + sig.compaction_per_m[cls] * (depth - class_depth_m[cls])
        + hole_eff[0]
        + run_eff[0][run]
        + ar[0]
        + load[0] * comp
    )
    gra = np.clip(gra, 1.03, 3.3)
    density_ratio = np.log(gra / sig.gra_g_cm3[cls])
    # Sediment MS varies within a few-fold; igneous rocks span orders of magnitude (magnetite).
    igneous = sig.igneous[cls] > 0
    ms_effect = hole_eff[1] + run_eff[1][run] + ar[1]
    ms_effect = np.where(
        igneous,
        np.clip(noise.ms_rock_spread * ms_effect, -noise.ms_rock_clip, noise.ms_rock_clip),
        np.clip(ms_effect, -noise.ms_sediment_clip, noise.ms_sediment_clip),
    )
    ms = sig.ms_scale[cls] * np.exp(
        ms_effect + load[1] * comp + ash_load[1] * ash + noise.ms_density_exponent * density_ratio
    )
    ms -= sig.ms_offset[cls]
    ngr = sig.ngr_scale[cls] * np.exp(
        hole_eff[2]
        + run_eff[2][run]
        + ar[2]
        + load[2] * comp
        + ash_load[2] * ash
        + noise.ngr_density_exponent * density_ratio
    )
    spread = sig.red_spread[cls]
    log_red = (
        sig.log_red[cls]
        + spread * (hole_eff[3] + run_eff[3][run] + ar[3])
        + load[3] * comp
        + ash_load[3] * ash
    )
    green_run = sig.green_ratio[run_class] * np.exp(rng.normal(0.0, noise.green_sd, n_runs))
    blue_run = sig.blue_ratio[run_class] * np.exp(rng.normal(0.0, noise.blue_sd, n_runs))
    return LatentProfile(c, gra, ms, ngr, log_red, green_run[run], blue_run[run])


def sample(profile_values: np.ndarray, profile_c: np.ndarray, c_mm: np.ndarray) -> np.ndarray:
    """Latent values at row positions (linear interpolation along the curated coordinate)."""
    return np.interp(c_mm.astype(float), profile_c.astype(float), profile_values)


def measure_gra(
    true_gra: np.ndarray,
    c_mm: np.ndarray,
    kind_index: np.ndarray,
    hardness: np.ndarray,
    fill_mean: np.ndarray,
    fill_conc: np.ndarray,
    void_mask: np.ndarray,
    noise: PropertyNoise,
    rng: np.random.Generator,
) -> np.ndarray:
    """Gamma-ray attenuation density as the track reports it (g/cm3, NaN for a few rows).

    `kind_index` indexes ("APC", "HLAPC", "XCB", "RCB"); XCB/RCB cores of hard material do not
    fill the liner (fill fraction per ~15-cm piece), voids read near or below zero.
    """
    kinds = ("APC", "HLAPC", "XCB", "RCB")
    bias_table = np.array([CORING_BIAS_G_CM3[k] for k in kinds])
    value = true_gra + bias_table[kind_index, hardness]
    n = len(value)
    # Every liner is a little under-filled here and there (gas voids, cracks, disturbed tops);
    # XCB/RCB cores of lithified rock much more so (pieces narrower than the liner).
    drilled = (kind_index >= 2) & (fill_conc > 0)
    mean = np.where(drilled, fill_mean, noise.soft_fill[0])
    conc = np.where(drilled, fill_conc, noise.soft_fill[1])
    piece = (c_mm // int(noise.fill_piece_m * 1000)).astype(np.int64)
    uniq, inverse = np.unique(piece, return_inverse=True)
    # One fill draw per piece (the piece's first row's parameters stand for the piece).
    first = np.zeros(len(uniq), dtype=np.int64)
    first[inverse[::-1]] = np.arange(n)[::-1]
    draws = rng.beta(mean[first] * conc[first], (1.0 - mean[first]) * conc[first])
    value *= draws[inverse]
    value = value + rng.normal(0.0, noise.gra_sensor_sd, n)
    value[void_mask] = rng.normal(0.15, 0.35, int(void_mask.sum()))
    spikes = rng.random(n) < noise.gra_spike_rate
    value[spikes] = rng.uniform(4.0, 8.5, int(spikes.sum()))
    value[rng.random(n) < noise.gra_nan_rate] = np.nan
    return value


def measure_ms(true_ms: np.ndarray, noise: PropertyNoise, rng: np.random.Generator) -> np.ndarray:
    """Loop magnetic susceptibility (instrument units): sensor noise and rare artefacts."""
    n = len(true_ms)
    value = true_ms * (1.0 + rng.normal(0.0, noise.ms_sensor_rel, n))
    value += rng.normal(0.0, noise.ms_sensor_sd, n)
    artefact = rng.random(n) < noise.ms_artefact_rate
    value[artefact] = -rng.uniform(100.0, 480.0, int(artefact.sum()))
    return value


def measure_ngr(
    true_ngr: np.ndarray, noise: PropertyNoise, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """NGR total counts (cps) with counting noise after background subtraction, and its error."""
    error = np.sqrt((np.maximum(true_ngr, 0.0) + 3.0) / noise.ngr_count_time)
    return true_ngr + rng.normal(0.0, 1.0, len(true_ngr)) * error, error


def measure_rgb(
    log_red: np.ndarray,
    green: np.ndarray,
    blue: np.ndarray,
    noise: PropertyNoise,
    spacing_m: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """R, G, B (0-255) of image pixel rows: correlated texture noise on a shared brightness."""
    n = len(log_red)
    texture = ar1(n, noise.pixel_correlation_m, spacing_m, rng) * noise.pixel_sd
    red = np.exp(log_red + texture)
    grn = red * green * np.exp(rng.normal(0.0, noise.channel_sd, n))
    blu = red * blue * np.exp(rng.normal(0.0, noise.channel_sd, n))
    return (np.clip(red, 0.5, 255.0), np.clip(grn, 0.5, 255.0), np.clip(blu, 0.5, 255.0))
