#!/usr/bin/env bash
# Regenerate results/reference/: the reference sweep's figures and report, the sensitivity
# analysis and the scenario discovery, all from the committed configs and seeds.
#
#   bash scripts/make_reference.sh            # ~10 min on 2 cores (WORKERS=2 by default)
#   WORKERS=4 bash scripts/make_reference.sh
#
# The full run data (timeseries, per-condition files: several MB) go to results/reference_runs/,
# which git ignores; only the small, readable outputs (< 3 MB) are copied to results/reference/:
#   report.html (self-contained, open offline), figures/*.png, conditions.csv/.parquet, manifest.json,
#   sensitivity/{morris,sobol}.{csv,png} + sensitivity.json, discovery/{discovery.json,boxes.csv,discovery.png}.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
WORKERS=${WORKERS:-2}
RUNS=results/reference_runs
REF=results/reference
export PYTHONWARNINGS=ignore

# 1. the reference sweep: rumble_strips, coordinator FTE x sponsorship, plus the paired
#    dissemination-only baseline, 8 replicates, default horizon (10 years), root seed 0.
$BIN/copsim-run -m scenario=rumble_strips coordinator.fte=0,0.25,0.5,1.0 sponsor.level=0,0.5,1.0 \
    replicates=8 sweep_dir=$RUNS/sweep force=true hydra/launcher=joblib hydra.launcher.n_jobs=$WORKERS

# 2. sensitivity analysis (Morris + Sobol) of the uncertain behavioural parameters
$BIN/copsim-sensitivity sensitivity --out $RUNS/sweep/sensitivity \
    --workers "$WORKERS"

# 3. scenario discovery on a Latin-hypercube sample of levers and uncertain parameters
$BIN/copsim-discover --run lever_space --out $RUNS/lever_space --workers "$WORKERS" \
    --target "t50_years < 8"   # in rumble_strips no sampled run reaches 50 % within 4 years

# 4. figures and the report (embeds the sensitivity and discovery results)
$BIN/copsim-report $RUNS/sweep --discovery $RUNS/lever_space/discovery/discovery.json

# 5. copy the small outputs
rm -rf "$REF"
mkdir -p "$REF/figures" "$REF/sensitivity" "$REF/discovery"
cp $RUNS/sweep/report.html $RUNS/sweep/conditions.csv $RUNS/sweep/conditions.parquet $RUNS/sweep/manifest.json "$REF/"
cp $RUNS/sweep/figures/*.png "$REF/figures/"
cp $RUNS/sweep/sensitivity/*.csv $RUNS/sweep/sensitivity/*.png $RUNS/sweep/sensitivity/sensitivity.json \
    "$REF/sensitivity/"
cp $RUNS/lever_space/discovery/* "$REF/discovery/"
rm -f "$REF"/discovery/*.svg
du -sh "$REF"
echo "make_reference: wrote $REF (open $REF/report.html)"
