#!/usr/bin/env bash
# The README's screenshots, from the example runs (copied as runs of one's own, so that every
# panel, the Experiments comparison included, shows them): bash scripts/make_screenshots.sh
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
"$repo/.venv/bin/geoae" examples --copy "$scratch/runs" >/dev/null
cd "$scratch"  # the browser then says "Runs in runs", no path of this machine
for shot in train:disks:train latent:disks:latent filters:disks:filters filters-position:position-encoder:filters \
  profile:disks-nobias:profile position:position-decoder:position experiments:disks-hole:experiments \
  latent-hole:disks-hole-psi3:latent; do
  IFS=: read -r name run panel <<<"$shot"
  QT_QPA_PLATFORM=offscreen GEOAE_GUI_SETTINGS="$scratch/settings.ini" "$repo/.venv/bin/geoae-gui" \
    --run "runs/$run" --panel "$panel" --screenshot "$repo/assets/screenshots/$name.png" >/dev/null
done
# the codes view (d = 3) needs a disks-xy run: GEOAE_XY_RUN=DIR reuses one, else it is trained (minutes)
if [ -n "${GEOAE_XY_RUN:-}" ]; then
  cp -r "$GEOAE_XY_RUN" runs/disks-xy
else
  "$repo/.venv/bin/geoae" train --preset disks-xy --out runs/disks-xy >/dev/null
fi
QT_QPA_PLATFORM=offscreen GEOAE_GUI_SETTINGS="$scratch/settings.ini" "$repo/.venv/bin/geoae-gui" \
  --run runs/disks-xy --panel latent --screenshot "$repo/assets/screenshots/latent-codes.png" >/dev/null
ls "$repo/assets/screenshots"
