"""Physical properties: per-lithology signatures, latent profiles along a hole, and sensor models.

Each property is a class signature (from the packaged rules, the LILY paper's MAD densities and the
reflectance L* per principal) plus random effects that make classes overlap the way real ones do:
a hole offset, an interval (run) offset, a shared "terrigenous content" factor, and an AR(1)
process along the core. Sedimentary intervals also hold a share of the hole's background
sediment (`admixture_share`): their properties are a physical mixture of two classes'
signatures, so a described lithology grades into its neighbours in every sensor at once.
Sensors then add coring-system bias and liner under-fill (GRA), voids, spikes, counting noise (NGR)
and pixel texture (RGB).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.signal import lfilter
from scipy.special import ndtr, ndtri

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
PORE_WATER_G_CM3 = 1.024  # seawater density (the GRA porosity formula's, [PAPER])
SOLID_MIN_G_CM3 = 0.02  # floor of (density - water): soupy core still holds a few grains
DIAMAGNETIC_GROUPS = {"Carbonate", "Biogenic Silica", "Evaporite"}
# Crystalline rock is never mixed with the hole's background sediment; volcaniclastic rock (ash,
# tuff) and breccia are, as their matrix and reworked host sediment are.
CRYSTALLINE_GROUPS = {"Mafic Igneous", "Ultramafic", "Intermediate/Felsic Igneous", "Metamorphic"}
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
    admixable: np.ndarray  # 1.0 where the hole's background sediment can be mixed in, else 0.0
    tephra: np.ndarray  # 1.0 for volcaniclastic classes (their glass ranges basaltic-rhyolitic)


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
        admixable=(
            ~np.isin(vocab.group, sorted(CRYSTALLINE_GROUPS))
            & ~((vocab.group == "Other") & (names == "rock"))
        ).astype(float),
        tephra=(vocab.group == "Volcaniclastic").astype(float),
    )


@dataclass(frozen=True)
class PropertyNoise:
    """Sizes of the random effects and sensor noise ([CAL]: tuned to §3.1 quantiles, §3.3 r)."""

    # Unexplained (feature-independent) effects are small next to the lithology signal and the
    # shared composition factor, so features predict each other as in the real data (§3.3):
    # GRA's hole and run offsets are smaller than its compaction trend and class contrasts.
    hole_sd: tuple[float, float, float, float] = (0.06, 0.60, 0.05, 0.035)  # gra, lnMS, lnNGR, lnR
    run_sd: tuple[float, float, float, float] = (0.09, 0.70, 0.05, 0.035)
    ar_sd: tuple[float, float, float, float] = (0.05, 0.35, 0.06, 0.035)
    # A shared "terrigenous content" factor: more NGR (K, Th in clay), darker colour, a little
    # more MS; it carries most of the within-lithology variation of NGR and colour.
    composition_loading: tuple[float, float, float, float] = (0.0, 0.06, 0.31, -0.40)
    # A per-interval "dispersed volcanic ash" factor: more MS, darker, less K (NGR).
    ash_loading: tuple[float, float, float, float] = (0.0, 0.5, -0.1, -0.05)
    # Tephra composition: each volcaniclastic interval has a felsic fraction ~ Beta(a, b) (0 =
    # basaltic, 1 = rhyolitic glass). Felsic glass is lighter (vesicular, less Fe and Mg),
    # carries little magnetite and more K, and is light grey; the shifts below are GRA (g/cm3),
    # ln MS, ln NGR and ln R at a fully felsic interval.
    tephra_felsic_beta: tuple[float, float] = (2.0, 2.0)
    tephra_felsic_shift: tuple[float, float, float, float] = (-0.25, -2.3, 1.1, 0.45)
    # Volcanic and plutonic rocks vary far more in magnetite content than sediments.
    ms_rock_spread: float = 1.5
    ms_sediment_clip: float = 1.5  # largest |ln MS effect| of sediments (factor ~4.5)
    ms_rock_clip: float = 2.2  # and of rocks (the loop saturates near 10^4 instrument units)
    # Hole offsets of crystalline rocks are smaller (one hole can hold a whole class, e.g. gabbro).
    rock_hole_scale: float = 0.4
    # NGR and MS are counted per volume of core, and pore water holds no K, Th, U or magnetite:
    # they scale with the solid fraction (bulk density - water) / (grain density - water),
    # relative to the class's reference density (ratio ** exponent); NGR in proportion. MS is left
    # unscaled [CAL]: magnetite content varies orders of magnitude more than the solid fraction.
    ngr_density_exponent: float = 1.0
    ms_density_exponent: float = 0.0
    carbonate_purity_per_km: float = 4.5  # composition factor drop per km below the class median
    # ... saturating at this many composition units (a carbonate cannot get purer than pure):
    # without a bound, an ooze a kilometre below its class's median depth read R = 255.
    carbonate_purity_max: float = 2.0
    carbonate_composition_scale: float = 0.6
    igneous_composition_scale: float = 0.3
    ar_correlation_m: float = 0.6
    green_sd: float = 0.015
    blue_sd: float = 0.04
    gra_sensor_sd: float = 0.02
    ms_sensor_sd: float = 0.8
    ms_sensor_rel: float = 0.03
    # NGR sd = sqrt((NGR + 3) / count_time) per reading [CAL]; the NGRL counts for minutes per
    # position, so counting error is small next to the composition signal.
    ngr_count_time: float = 45.0
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
    # Admixture of the hole's background sediment: a described interval is named after its
    # dominant or notable component, and the rest of it is, most often, the sediment that fills
    # the hole around it (clay in a clay-dominated hole, nannofossil ooze in a pelagic one). Each
    # sedimentary, volcaniclastic or breccia interval of another class gets a background share
    # ~ Beta(mean, concentration), varying smoothly along the core (probit-scale AR(1), sd
    # `admixture_along_core_sd`); properties mix physically (density, susceptibility, counts,
    # reflectance). Crystalline rock (`CRYSTALLINE_GROUPS`) and the background class itself have
    # none; labels never change.
    admixture_mean: float = 0.45
    admixture_concentration: float = 4.0
    admixture_along_core_sd: float = 0.5
    admixture_correlation_m: float = 0.8


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


def background_class(
    run_class: np.ndarray, run_bounds_mm: np.ndarray, length_mm: int, sig: Signatures
) -> int | None:
    """A hole's background sediment: its sedimentary class with the most described length
    (None when the hole has no sedimentary interval)."""
    edges = np.concatenate([[0], run_bounds_mm, [length_mm]])
    lengths = np.diff(edges).astype(float)
    sedimentary = sig.igneous[run_class] == 0
    if not sedimentary.any():
        return None
    totals = np.bincount(run_class[sedimentary], weights=lengths[sedimentary])
    return int(totals.argmax())


@dataclass(frozen=True)
class _SharedEffects:
    """Random effects of one hole window, shared by every class whose properties are drawn."""

    run: np.ndarray  # run index of each cell
    depth: np.ndarray
    hole: list[float]
    hole_comp: float
    run_eff: list[np.ndarray]
    run_comp: np.ndarray
    ash: np.ndarray
    felsic: np.ndarray  # tephra felsic fraction of each cell's run (used by tephra classes only)
    ar: list[np.ndarray]


def _class_properties(
    cls: np.ndarray,
    fx: _SharedEffects,
    class_depth_m: np.ndarray,
    sig: Signatures,
    noise: PropertyNoise,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Latent GRA, MS, NGR and ln R of material of class `cls` under the shared effects."""
    run, depth = fx.run, fx.depth
    hole_scale = np.where(sig.hardness[cls] == HARDNESS.index("rock"), noise.rock_hole_scale, 1.0)
    hole_eff = [h * hole_scale for h in fx.hole]
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
    purity = noise.carbonate_purity_max * np.tanh(
        noise.carbonate_purity_per_km * deeper_km / noise.carbonate_purity_max
    )
    comp = (fx.hole_comp * 0.6 + fx.run_comp[run]) * comp_scale - sig.carbonate[cls] * purity
    ash_load = noise.ash_loading
    load = noise.composition_loading
    felsic = fx.felsic * sig.tephra[cls]  # 0 outside volcaniclastic classes
    shift = noise.tephra_felsic_shift
    ar = fx.ar
    gra = (
        sig.gra_g_cm3[cls]
        + sig.compaction_per_m[cls] * (depth - class_depth_m[cls])
        + hole_eff[0]
        + fx.run_eff[0][run]
        + ar[0]
        + load[0] * comp
        + shift[0] * felsic
    )
    gra = np.clip(gra, 1.03, 3.3)
    # Solid fraction relative to the class's reference density (grain density cancels out).
    solid_ratio = np.log(
        np.maximum(gra - PORE_WATER_G_CM3, SOLID_MIN_G_CM3)
        / np.maximum(sig.gra_g_cm3[cls] - PORE_WATER_G_CM3, SOLID_MIN_G_CM3)
    )
    # Sediment MS varies within a few-fold; igneous rocks span orders of magnitude (magnetite).
    igneous = sig.igneous[cls] > 0
    ms_effect = hole_eff[1] + fx.run_eff[1][run] + ar[1]
    ms_effect = np.where(
        igneous,
        np.clip(noise.ms_rock_spread * ms_effect, -noise.ms_rock_clip, noise.ms_rock_clip),
        np.clip(ms_effect, -noise.ms_sediment_clip, noise.ms_sediment_clip),
    )
    ms = sig.ms_scale[cls] * np.exp(
        ms_effect
        + shift[1] * felsic
        + load[1] * comp
        + ash_load[1] * fx.ash
        + noise.ms_density_exponent * solid_ratio
    )
    ms -= sig.ms_offset[cls]
    ngr = sig.ngr_scale[cls] * np.exp(
        hole_eff[2]
        + fx.run_eff[2][run]
        + ar[2]
        + load[2] * comp
        + ash_load[2] * fx.ash
        + shift[2] * felsic
        + noise.ngr_density_exponent * solid_ratio
    )
    spread = sig.red_spread[cls]
    log_red = (
        sig.log_red[cls]
        + spread * (hole_eff[3] + fx.run_eff[3][run] + ar[3])
        + load[3] * comp
        + ash_load[3] * fx.ash
        + shift[3] * felsic
    )
    return gra, ms, ngr, log_red


def admixture_share(
    described: np.ndarray,
    run: np.ndarray,
    n_runs: int,
    background: int | None,
    sig: Signatures,
    noise: PropertyNoise,
    step_m: float,
    rng: np.random.Generator,
) -> np.ndarray:
    """Share of background sediment in each cell (0 in crystalline rock, `Signatures.admixable`,
    and in the background class itself).

    Per interval a share ~ Beta(mean, concentration); along the core it wanders on the probit
    scale by an AR(1) of sd `admixture_along_core_sd`, so the mean share holds roughly and
    beds grade into each other.
    """
    mean, conc = noise.admixture_mean, noise.admixture_concentration
    if background is None or mean <= 0:
        return np.zeros(len(described))
    share = rng.beta(mean * conc, (1.0 - mean) * conc, n_runs)[run]
    wander = ar1(len(described), noise.admixture_correlation_m, step_m, rng)
    share = ndtr(ndtri(np.clip(share, 1e-6, 1 - 1e-6)) + noise.admixture_along_core_sd * wander)
    mixed = (sig.admixable[described] > 0) & (described != background)
    return np.where(mixed, share, 0.0)


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
    background: int | None = None,
) -> LatentProfile:
    """Latent GRA, MS, NGR and colour on the 2.5-cm grid over [c_start, c_end] of one hole.

    `run_bounds_mm` are the interior run boundaries (sorted); run r covers
    [bounds[r-1], bounds[r]). Hole-level effects are drawn here too, so call once per hole.
    `background` is the hole's background sediment (`background_class`) mixed into its other
    sedimentary intervals (none when None).
    """
    c = np.arange(c_start_mm, c_end_mm + CELL_MM, CELL_MM, dtype=np.int64)
    n_runs = len(run_class)
    run = np.searchsorted(run_bounds_mm, c, side="right")
    cls = run_class[run]
    step = CELL_MM / 1000.0
    fx = _SharedEffects(
        run=run,
        depth=depth_of_c(c),
        hole=[rng.normal(0.0, s) for s in noise.hole_sd],
        hole_comp=rng.normal(),
        run_eff=[rng.normal(0.0, s, n_runs) for s in noise.run_sd],
        run_comp=rng.normal(0.0, 1.0, n_runs),
        ash=rng.normal(0.0, 1.0, n_runs)[run],
        felsic=rng.beta(*noise.tephra_felsic_beta, n_runs)[run],
        ar=[ar1(len(c), noise.ar_correlation_m, step, rng) * s for s in noise.ar_sd],
    )
    gra, ms, ngr, log_red = _class_properties(cls, fx, class_depth_m, sig, noise)
    green_run = np.exp(rng.normal(0.0, noise.green_sd, n_runs))[run]
    blue_run = np.exp(rng.normal(0.0, noise.blue_sd, n_runs))[run]
    green = sig.green_ratio[cls] * green_run
    blue = sig.blue_ratio[cls] * blue_run
    share = admixture_share(cls, run, n_runs, background, sig, noise, step, rng)
    if share.any():
        bg = np.full(len(c), background)
        gra_b, ms_b, ngr_b, log_red_b = _class_properties(bg, fx, class_depth_m, sig, noise)
        keep = 1.0 - share
        # Density, susceptibility and counts per volume add by volume; reflectance by area.
        gra = keep * gra + share * gra_b
        ms = keep * ms + share * ms_b
        ngr = keep * ngr + share * ngr_b
        red, red_b = np.exp(log_red), np.exp(log_red_b)
        mixed_red = keep * red + share * red_b
        green_b = sig.green_ratio[bg] * green_run
        blue_b = sig.blue_ratio[bg] * blue_run
        green = (keep * red * green + share * red_b * green_b) / mixed_red
        blue = (keep * red * blue + share * red_b * blue_b) / mixed_red
        log_red = np.log(mixed_red)
    return LatentProfile(c, gra, ms, ngr, log_red, green, blue)


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
