# lithoflow: raw IODP LILY core physical-property tables -> lithology datasets, borehole splits,
# a lithology hierarchy, a VAE, classifiers and reports. This file is the table of contents.

from snakemake.utils import min_version

min_version("9.0")


configfile: "config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/simulate.smk"
include: "workflow/rules/ingest.smk"
include: "workflow/rules/hierarchy.smk"
include: "workflow/rules/splits.smk"
include: "workflow/rules/analysis.smk"
include: "workflow/rules/vae.smk"
include: "workflow/rules/classify.smk"
include: "workflow/rules/validate.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/predict.smk"


rule all:
    default_target: True
    input:
        all_targets(),
