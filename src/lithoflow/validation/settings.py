"""The ``validation`` section's cross-key checks: it validates a configured VAE, with usable
bands, against a raw-feature classifier run. The section is optional (the LILY investigation's
preset has it; a config that only trains classifiers leaves it out), and it needs a VAE."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from lithoflow.classifiers.spec import RAW_INPUT, run_settings
from lithoflow.core.config import bands_problem
from lithoflow.core.errors import format_list


def validation_problems(config: Mapping[str, Any]) -> Iterator[str]:
    """validation.vae is a VAE of the config; the bands increase; the VAE comparison's direct
    run is a raw-feature classifier run."""
    validation = config.get("validation")
    if validation is None:
        return
    if config.get("hierarchy") is None:
        yield (
            "config key validation: compares the VAE's latent space with the expert lithology "
            "groups; add a hierarchy section or remove the validation section"
        )
    vaes = sorted((config.get("vae") or {}).get("models") or {})
    if not vaes:
        yield (
            "config key validation: validates a VAE, but the config has no vae section; add one "
            "or remove the validation section"
        )
    elif validation["vae"] not in vaes:
        yield (
            f"config key validation.vae: {validation['vae']!r} is not one of vae.models "
            f"({format_list(vaes)})"
        )
    for key in ("coherence_bands", "reconstruction_bands"):
        problem = bands_problem(validation[key])
        if problem:
            yield f"config key validation.{key}: {problem}"
    direct = (validation.get("vae_comparison") or {}).get("direct_run")
    runs = config["classifiers"]["runs"]
    key = "config key validation.vae_comparison.direct_run"
    if direct is None:
        return
    if direct not in runs:
        yield f"{key}: {direct!r} is not one of classifiers.runs ({format_list(sorted(runs))})"
    elif run_settings(config["classifiers"], direct)["input"] != RAW_INPUT:
        yield f"{key}: {direct!r} is an embedding run; name a run with input 'raw'"
