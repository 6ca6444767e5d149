"""Checks of the ``hierarchy`` section that need the rest of the config (VAE and split names).

Apart from the clustering (`lithoflow.hierarchy.data_driven`) so that checking a config, done on
every workflow start, does not import scikit-learn.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from lithoflow.core.errors import format_list


def data_driven_problems(config: Mapping[str, Any]) -> Iterator[str]:
    """Section ``hierarchy.data_driven`` names an existing VAE or split and a usable k range."""
    section = (config.get("hierarchy") or {}).get("data_driven")
    if not section or not section["enabled"]:
        return
    key = "config key hierarchy.data_driven"
    vaes = sorted((config.get("vae") or {}).get("models") or {})
    if section["input"] == "embedding":
        if "vae" not in section:
            yield f"{key}.vae: input 'embedding' needs the name of a VAE model"
        elif section["vae"] not in vaes:
            yield f"{key}.vae: {section['vae']!r} is not one of vae.models ({format_list(vaes)})"
    else:
        if "vae" in section:
            yield f"{key}.vae: input 'raw' uses no VAE; remove the key (or set input: embedding)"
        methods = sorted(config["splits"]["methods"])
        if section["rows"] == "train" and section["split"] not in methods:
            yield (
                f"{key}.split: {section['split']!r} is not in splits.methods "
                f"({format_list(methods)})"
            )
    low, high = section["k_range"]
    if low > high:
        yield f"{key}.k_range: min must not exceed max, got {[low, high]}"
