"""Admixture of a hole's background sediment into intervals described as another lithology."""

import dataclasses

import numpy as np
import pytest

from lithoflow.simulate.calibration import load_calibration
from lithoflow.simulate.lithology import build_vocabulary
from lithoflow.simulate.properties import (
    CELL_MM,
    PropertyNoise,
    admixture_share,
    background_class,
    latent_profile,
    resolve_signatures,
)

FACTS = load_calibration()
VOCAB = build_vocabulary(FACTS)
SIG = resolve_signatures(FACTS, VOCAB)
CLAY, OOZE, BASALT, TUFF = (
    VOCAB.index(n) for n in ("clay", "nannofossil ooze", "basalt", "lapilli tuff")
)
STEP_M = CELL_MM / 1000.0
CLASS_DEPTH_M = np.full(len(VOCAB.names), 100.0)


def hole(run_classes: list[int], cells_per_run: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Described class and run index of every cell of a made-up hole."""
    run = np.repeat(np.arange(len(run_classes)), cells_per_run)
    return np.asarray(run_classes)[run], run


def test_background_is_the_sediment_with_the_most_described_length():
    # basalt is longest, but rock is never a background; clay (2 runs) beats ooze (1 long run)
    run_class = np.array([CLAY, OOZE, CLAY, BASALT])
    bounds = np.array([3000, 8000, 12000])  # lengths 3000, 5000, 4000, 20000 mm
    assert background_class(run_class, bounds, 32000, SIG) == CLAY
    assert background_class(np.array([OOZE, CLAY]), np.array([6000]), 10000, SIG) == OOZE
    assert background_class(np.array([BASALT]), np.zeros(0, dtype=np.int64), 5000, SIG) is None


def test_share_is_zero_in_crystalline_rock_and_in_the_background_itself():
    described, run = hole([CLAY, OOZE, BASALT, TUFF], [2000, 2000, 2000, 2000])
    share = admixture_share(
        described, run, 4, CLAY, SIG, PropertyNoise(), STEP_M, np.random.default_rng(1)
    )
    np.testing.assert_array_equal(share[described == CLAY], 0.0)
    np.testing.assert_array_equal(share[described == BASALT], 0.0)
    # ash and tuff take up host sediment; the share varies along the core inside an interval
    for cls in (OOZE, TUFF):
        inside = share[described == cls]
        assert inside.min() >= 0.0 and inside.max() <= 1.0
        assert inside.std() > 0.01
        # smooth, not cell-to-cell noise: neighbouring cells share most of their value
        assert np.corrcoef(inside[1:], inside[:-1])[0, 1] > 0.9


def test_mean_share_follows_the_configured_mean():
    described, run = hole([CLAY, *[OOZE] * 400], [100_000, *[200] * 400])
    for mean in (0.2, 0.45):
        noise = dataclasses.replace(PropertyNoise(), admixture_mean=mean)
        share = admixture_share(
            described, run, 401, CLAY, SIG, noise, STEP_M, np.random.default_rng(7)
        )
        assert share[described == OOZE].mean() == pytest.approx(mean, abs=0.05)


def test_no_admixture_when_switched_off_or_without_background():
    described, run = hole([CLAY, OOZE], [100, 100])
    off = dataclasses.replace(PropertyNoise(), admixture_mean=0.0)
    rng = np.random.default_rng(0)
    np.testing.assert_array_equal(
        admixture_share(described, run, 2, CLAY, SIG, off, STEP_M, rng), 0.0
    )
    np.testing.assert_array_equal(
        admixture_share(described, run, 2, None, SIG, PropertyNoise(), STEP_M, rng), 0.0
    )


def _profile(background: int | None, noise: PropertyNoise, seed: int = 3):
    # one long ooze interval between two clay intervals, 100 m of core
    bounds = np.array([20_000, 80_000])
    return latent_profile(
        0,
        100_000,
        bounds,
        np.array([CLAY, OOZE, CLAY]),
        lambda c: c / 1000.0,
        CLASS_DEPTH_M,
        SIG,
        noise,
        np.random.default_rng(seed),
        background=background,
    )


def test_mixed_ooze_moves_towards_clay_in_every_sensor_together():
    pure = _profile(None, PropertyNoise())
    mixed = _profile(CLAY, PropertyNoise())
    ooze = (pure.c_mm >= 20_000) & (pure.c_mm < 80_000)
    clay = ~ooze
    # the clay intervals (the background) are untouched: same draws, no share
    np.testing.assert_allclose(mixed.gra[clay], pure.gra[clay])
    np.testing.assert_allclose(mixed.log_red[clay], pure.log_red[clay])
    # clay in the ooze: darker, more NGR and MS, and the three move together along the core
    assert np.median(mixed.log_red[ooze]) < np.median(pure.log_red[ooze]) - 0.1
    assert np.median(mixed.ngr[ooze]) > np.median(pure.ngr[ooze]) * 1.2
    assert np.median(mixed.ms[ooze]) > np.median(pure.ms[ooze])
    shift_red = mixed.log_red[ooze] - pure.log_red[ooze]
    shift_ngr = np.log(mixed.ngr[ooze]) - np.log(pure.ngr[ooze])
    assert np.corrcoef(shift_red, shift_ngr)[0, 1] < -0.8
    # colour ratios stay between the two end members
    low = min(SIG.blue_ratio[CLAY], SIG.blue_ratio[OOZE]) * 0.8
    high = max(SIG.blue_ratio[CLAY], SIG.blue_ratio[OOZE]) * 1.2
    assert low < np.median(mixed.blue[ooze]) < high


def test_switched_off_admixture_draws_exactly_the_unmixed_profile():
    off = dataclasses.replace(PropertyNoise(), admixture_mean=0.0)
    a = _profile(CLAY, off)
    b = _profile(None, PropertyNoise())
    for field in ("gra", "ms", "ngr", "log_red", "green", "blue"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))


def test_same_seed_same_profile():
    a, b = _profile(CLAY, PropertyNoise()), _profile(CLAY, PropertyNoise())
    for field in ("gra", "ms", "ngr", "log_red", "green", "blue"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))


def test_carbonate_purity_with_depth_saturates():
    # the same ooze 1 km and 3 km below its class's median depth: brighter than at the median,
    # but no brighter at 3 km than at 1 km (unbounded, the trend lit deep holes at R = 255)
    def ooze_log_red(depth_m: float) -> np.ndarray:
        return latent_profile(
            0,
            10_000,
            np.zeros(0, dtype=np.int64),
            np.array([OOZE]),
            lambda c: depth_m + c / 1000.0,
            CLASS_DEPTH_M,
            SIG,
            PropertyNoise(),
            np.random.default_rng(11),
        ).log_red

    at_median, one_km, three_km = (ooze_log_red(d) for d in (100.0, 1100.0, 3100.0))
    assert np.median(one_km - at_median) > 0.5
    assert np.median(three_km - one_km) < 0.05
    # the bound: at most carbonate_purity_max composition units of brightening
    noise = PropertyNoise()
    bound = -noise.composition_loading[3] * noise.carbonate_purity_max
    assert np.median(three_km - at_median) < bound + 0.01


def _tuff_and_clay(noise: PropertyNoise):
    # 300 lapilli tuff intervals of 1 m, then 100 m of clay; no background mixed in
    n_tuff = 300
    bounds = np.arange(1, n_tuff + 1) * 1_000
    run_class = np.array([*[TUFF] * n_tuff, CLAY])
    profile = latent_profile(
        0,
        int(bounds[-1]) + 100_000,
        bounds,
        run_class,
        lambda c: c / 1000.0,
        CLASS_DEPTH_M,
        SIG,
        noise,
        np.random.default_rng(5),
    )
    run = np.searchsorted(bounds, profile.c_mm, side="right")
    return profile, run, n_tuff


def _interval_medians(values: np.ndarray, run: np.ndarray, n_runs: int) -> np.ndarray:
    return np.array([np.median(values[run == r]) for r in range(n_runs)])


def test_tephra_composition_ties_density_magnetite_potassium_and_colour():
    off = dataclasses.replace(PropertyNoise(), tephra_felsic_shift=(0.0, 0.0, 0.0, 0.0))
    mixed, run, n_tuff = _tuff_and_clay(PropertyNoise())
    plain, _, _ = _tuff_and_clay(off)

    def correlations(profile) -> dict[str, float]:
        ms = _interval_medians(np.log(profile.ms), run, n_tuff)
        return {
            "ngr": np.corrcoef(ms, _interval_medians(np.log(profile.ngr), run, n_tuff))[0, 1],
            "red": np.corrcoef(ms, _interval_medians(profile.log_red, run, n_tuff))[0, 1],
            "gra": np.corrcoef(ms, _interval_medians(profile.gra, run, n_tuff))[0, 1],
        }

    # felsic tuff: little magnetite, more K, lighter in colour and in density; without the
    # composition spectrum only the dispersed-ash factor ties MS to NGR (and a little to colour)
    tied, untied = correlations(mixed), correlations(plain)
    assert tied["ngr"] < untied["ngr"] - 0.15, (tied, untied)
    assert tied["red"] < untied["red"] - 0.2 and tied["red"] < -0.3, (tied, untied)
    assert tied["gra"] > untied["gra"] + 0.15 and abs(untied["gra"]) < 0.1, (tied, untied)
    # a felsic tuff's MS reaches down to a sediment's (clay ~20), a basaltic one's stays high
    ms = _interval_medians(mixed.ms, run, n_tuff)
    assert np.quantile(ms, 0.1) < 100 < 300 < np.quantile(ms, 0.9)
    # the clay interval draws exactly the same values either way
    clay = run == n_tuff
    for field in ("gra", "ms", "ngr", "log_red"):
        np.testing.assert_array_equal(getattr(mixed, field)[clay], getattr(plain, field)[clay])


def test_ngr_follows_the_solid_fraction_of_the_core():
    # 1 km of clay: compaction and the density effects move GRA; counts per volume come from the
    # grains only, so ln NGR rises one for one with ln(GRA - water), not with ln GRA
    profile = latent_profile(
        0,
        1_000_000,
        np.zeros(0, dtype=np.int64),
        np.array([CLAY]),
        lambda c: c / 1000.0,
        CLASS_DEPTH_M,
        SIG,
        PropertyNoise(),
        np.random.default_rng(2),
    )
    solid = np.log(profile.gra - 1.024)
    slope = np.polyfit(solid, np.log(profile.ngr), 1)[0]
    assert slope == pytest.approx(1.0, abs=0.1)
    assert np.polyfit(np.log(profile.gra), np.log(profile.ngr), 1)[0] > 1.8
