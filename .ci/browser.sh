#!/usr/bin/env bash
# Browser test: open the workflow's HTML report (`snakemake --report`) in headless Chromium with
# Playwright (pytest marker "browser"). Installs Debian's chromium with apt-get when no Chromium
# is on PATH (needs root, like .ci/cluster.sh for SLURM); Playwright drives it through its
# executable path, so no browser download from Playwright's servers is needed.
# `--install-only`: only make sure a Chromium is there (`make test` then runs the browser test in
# the same pytest session as the rest of the suite, sharing its completed tiny run).
set -euo pipefail
cd "$(dirname "$0")/.."

make install
if ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null; then
    command -v apt-get >/dev/null || { echo "browser.sh: no chromium and no apt-get" >&2; exit 1; }
    [[ $(id -u) -eq 0 ]] || { echo "browser.sh: installing chromium needs root" >&2; exit 1; }
    echo "browser.sh: installing chromium with apt-get" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
[[ "${1:-}" == "--install-only" ]] && exit 0
LITHOFLOW_REQUIRE_BROWSER=1 timeout --signal=INT --kill-after=60 1200 \
    .venv/bin/pytest -m browser tests/workflow/test_report_browser.py
