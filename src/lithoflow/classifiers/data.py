"""The rows a classifier run sees: its split parts (or the whole dataset for group K-fold), each
row's target (label, expert group or data-driven group), and its raw inputs (the features or a
VAE's mu, with the depth context joined)."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from lithoflow.classifiers.spec import CONTEXT_OPTION_PREFIX, GROUP_TARGETS, ClassifierSpec
from lithoflow.core.dataset import KEY_COLUMNS, LABEL_COLUMN, read_dataset
from lithoflow.core.errors import InputDataError, format_list
from lithoflow.core.io import read_parquet_metadata
from lithoflow.features.context import ContextConfig, join_context, read_context_table
from lithoflow.features.scaling import ScalingConfig
from lithoflow.hierarchy.mapping import UNSEEN_GROUP, groups_of, read_mapping
from lithoflow.vae import embeddings as emb

log = logging.getLogger(__name__)

# The parts of a split; under group K-fold each unit assigns its own (lithoflow.classifiers.
# evaluation).
PARTS: tuple[str, ...] = ("train", "val", "test")


def targets_of(
    frame: pd.DataFrame, target: str, mapping: Mapping[str, str] | None, path: str | None = None
) -> np.ndarray:
    """The target of each row: its label (lithology), or its label's group (group, data_group);
    a label missing from the mapping is an error counting its rows."""
    labels = frame[LABEL_COLUMN].astype(str)
    if target == "lithology":
        return labels.to_numpy(dtype=object)
    if mapping is None:
        raise InputDataError(f"target {target} needs its hierarchy mapping")
    return groups_of(labels, mapping, path).to_numpy(dtype=object)


def unplaced_rows(
    frame: pd.DataFrame, targets: np.ndarray, path: str | None = None
) -> dict[str, Any]:
    """Count (and log) the rows whose label the data-driven hierarchy could not place (its
    `UNSEEN_GROUP`: no fitting row). They are kept, as that group: leaving them out could empty
    the test part (a test borehole holding only labels unseen in training), and keeping them
    shows the cost of a hierarchy that cannot place new labels. When the run's split is the
    hierarchy's, no training row holds that group, so its recall is zero by construction."""
    unplaced = np.asarray(targets == UNSEEN_GROUP, dtype=bool)
    parts = frame["_part"].to_numpy(dtype=object).astype(str)
    record = {
        "group": UNSEEN_GROUP,
        "mapping": path,
        "handling": "kept as their own class",
        "labels": sorted(set(frame.loc[unplaced, LABEL_COLUMN].astype(str))),
        "rows": int(unplaced.sum()),
        "rows_by_part": {
            part or "all": int((unplaced & (parts == part)).sum()) for part in sorted(set(parts))
        },
    }
    if record["rows"]:
        log.warning(
            "%d row(s) of %d label(s) the data-driven hierarchy could not place are kept as the "
            "class %r: %s",
            record["rows"],
            len(record["labels"]),
            UNSEEN_GROUP,
            format_list(record["labels"]),
        )
    return record


@dataclass(frozen=True)
class ContextBlock:
    """One depth context set's columns for every pool row."""

    config: ContextConfig
    columns: list[str]
    values: np.ndarray  # pool rows × columns


@dataclass
class ClassifierData:
    """Every row a run sees (its pool), with raw inputs, targets and, for a split, its parts."""

    classes: tuple[str, ...]
    input_columns: list[str]  # features, then context columns
    transforms: tuple[str, ...]  # per input column, for the scaler of raw-feature runs
    keys: pd.DataFrame  # borehole_id, depth_bin_m per pool row
    x: np.ndarray  # raw inputs (NaN where missing), rows × input columns
    y: np.ndarray  # class index per pool row
    part: np.ndarray  # "train" | "val" | "test" per pool row (split evaluation), else ""
    source: str  # "raw" (the dataset's features) or "embedding" (a VAE's mu)
    vae: str | None
    features: list[str]  # the input columns before depth context
    context: ContextConfig | None
    context_columns: list[str]
    units: dict[str, str]
    leakage: dict[str, Any] | None = None
    unplaced: dict[str, Any] | None = None  # data_group: rows of labels without a data group
    # Every depth context set the run may use (a search chooses among them), by name.
    contexts: dict[str, ContextBlock] = field(default_factory=dict)

    @property
    def boreholes(self) -> np.ndarray:
        return self.keys["borehole_id"].to_numpy()


@dataclass(frozen=True)
class ClassifierInputs:
    """The files a run reads: split parts or the whole dataset, and optional extras."""

    split_paths: Mapping[str, str | os.PathLike[str]] | None = None
    features_path: str | os.PathLike[str] | None = None
    embeddings_path: str | os.PathLike[str] | None = None
    mapping_path: str | os.PathLike[str] | None = None
    context_path: str | os.PathLike[str] | None = None
    # Depth context sets a search may choose from (set name -> table), besides the run's own.
    context_paths: Mapping[str, str | os.PathLike[str]] | None = None

    @classmethod
    def from_named(cls, named: Any) -> ClassifierInputs:
        """The files of a classifier rule's named inputs (Snakemake's `input`, or any mapping with
        `keys()`, `get()` and `[]`): the split parts or `features`, and the optional extras; the
        context sets a search chooses from are named `CONTEXT_OPTION_PREFIX` + set name."""
        keys = list(named.keys())
        return cls(
            split_paths={p: named[p] for p in PARTS} if "train" in keys else None,
            features_path=named.get("features"),
            embeddings_path=named.get("embeddings"),
            mapping_path=named.get("hierarchy"),
            context_path=named.get("context"),
            context_paths={
                key.removeprefix(CONTEXT_OPTION_PREFIX): named[key]
                for key in keys
                if key.startswith(CONTEXT_OPTION_PREFIX)
            },
        )

    def files(self) -> list[str | os.PathLike[str]]:
        files = [self.split_paths[p] for p in PARTS] if self.split_paths else []
        extras = (self.features_path, self.embeddings_path, self.mapping_path, self.context_path)
        options = list((self.context_paths or {}).values())
        return files + [p for p in extras if p is not None] + options


def _pool_frame(spec: ClassifierSpec, files: ClassifierInputs) -> tuple[pd.DataFrame, list[str]]:
    """Every row of the run with its part, and the dataset's feature names."""
    if spec.evaluation == "split":
        if files.split_paths is None:
            raise InputDataError(f"run {spec.name} (split evaluation) needs the split parts")
        datasets = {part: read_dataset(files.split_paths[part]) for part in PARTS}
        for part in ("train", "test"):
            if datasets[part].frame.empty:
                raise InputDataError(f"the {part} part is empty", path=str(files.split_paths[part]))
        frames = [d.frame.assign(_part=part) for part, d in datasets.items()]
        return pd.concat(frames, ignore_index=True), list(datasets["train"].features)
    if spec.cv_pool == "train_val":
        # Group K-fold over the split's train and val boreholes: its test boreholes stay out.
        if files.split_paths is None:
            raise InputDataError(f"run {spec.name} (cv_pool train_val) needs the split parts")
        datasets = [read_dataset(files.split_paths[part]) for part in ("train", "val")]
        frames = [d.frame for d in datasets]
        pooled = pd.concat(frames, ignore_index=True).assign(_part="")
        return pooled, list(datasets[0].features)
    if files.features_path is None:
        raise InputDataError(f"run {spec.name} (group_kfold evaluation) needs the dataset")
    dataset = read_dataset(files.features_path)
    return dataset.frame.reset_index(drop=True).assign(_part=""), list(dataset.features)


def prepare_classifier_data(
    spec: ClassifierSpec, files: ClassifierInputs, scaling: ScalingConfig
) -> ClassifierData:
    """Read the run's rows, build targets and raw inputs (μ or features, plus depth context)."""
    frame, features = _pool_frame(spec, files)
    mapping = None
    path = None if files.mapping_path is None else str(files.mapping_path)
    if spec.target in GROUP_TARGETS and path is not None:
        mapping = read_mapping(path)
    targets = targets_of(frame, spec.target, mapping, path)
    unplaced = None
    if spec.target == "data_group":
        unplaced = unplaced_rows(frame, targets, path)
    classes = tuple(sorted(set(targets)))
    index = {name: i for i, name in enumerate(classes)}

    leakage = None
    if spec.input == "embedding":
        if files.embeddings_path is None:
            raise InputDataError(f"run {spec.name} needs the VAE embeddings")
        table, metadata = emb.read_embeddings(files.embeddings_path)
        columns = list(metadata["latent_columns"])
        x = emb.join_embeddings(frame, table, columns, files.embeddings_path)
        transforms = ("identity",) * len(columns)
        seen = emb.vae_training_boreholes(table, metadata)
        test_boreholes = set(frame.loc[frame["_part"].isin(["test", ""]), "borehole_id"])
        leakage = {
            "vae": metadata.get("vae", spec.vae),
            "vae_split": metadata.get("split_method"),
            "vae_train_on": metadata.get("train_on"),
            "vae_scaler_fit": metadata.get("scaler_fit"),
            "test_boreholes": len(test_boreholes),
            "test_boreholes_seen_by_vae": len(test_boreholes & seen),
        }
        if leakage["test_boreholes_seen_by_vae"]:
            log.warning(
                "the VAE was trained on %d of the %d test boreholes (transductive leakage)",
                leakage["test_boreholes_seen_by_vae"],
                leakage["test_boreholes"],
            )
    else:
        columns = features
        x = frame[columns].to_numpy(dtype=np.float64)
        transforms = scaling.transforms_for(columns)
    features = list(columns)
    context, context_columns = None, []
    blocks = {
        name: context_block(frame, path) for name, path in (files.context_paths or {}).items()
    }
    if files.context_path is not None:
        own = context_block(frame, files.context_path)
        context, context_columns = own.config, own.columns
        x = np.hstack((x, own.values))
        columns = [*columns, *context_columns]
        transforms = (*transforms, *["identity"] * len(context_columns))
        if spec.context is not None:
            blocks.setdefault(spec.context, own)
    return ClassifierData(
        classes=classes,
        input_columns=list(columns),
        transforms=tuple(transforms),
        keys=frame[list(KEY_COLUMNS)].reset_index(drop=True),
        x=x,
        y=np.array([index[t] for t in targets], dtype=np.int64),
        part=frame["_part"].to_numpy(dtype=object).astype(str),
        source=spec.input,
        vae=spec.vae,
        features=features,
        context=context,
        context_columns=list(context_columns),
        units={},
        leakage=leakage,
        unplaced=unplaced,
        contexts=blocks,
    )


def context_block(frame: pd.DataFrame, path: str | os.PathLike[str]) -> ContextBlock:
    """A depth context table's settings and columns, joined to the rows of `frame`."""
    table, columns = read_context_table(path)
    config = ContextConfig.from_config(read_parquet_metadata(path)["settings"])
    return ContextBlock(config, list(columns), join_context(frame, table, columns, str(path)))


def with_context(data: ClassifierData, name: str | None) -> ClassifierData:
    """The same rows with the depth context set `name` as the context columns (None: none)."""
    n = len(data.features)
    base = data.x[:, :n]
    transforms = data.transforms[:n]
    if name is None:
        return replace(
            data,
            x=base,
            input_columns=list(data.features),
            transforms=tuple(transforms),
            context=None,
            context_columns=[],
        )
    if name not in data.contexts:
        raise InputDataError(
            f"depth context set {name!r} was not given to the run (it has "
            f"{format_list(data.contexts)})"
        )
    block = data.contexts[name]
    return replace(
        data,
        x=np.hstack((base, block.values)),
        input_columns=[*data.features, *block.columns],
        transforms=(*transforms, *["identity"] * len(block.columns)),
        context=block.config,
        context_columns=list(block.columns),
    )
