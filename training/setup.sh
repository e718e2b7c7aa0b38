#!/usr/bin/env bash
# Installs what training needs and renders the openclipart training images.
#   - Debian: openclipart-svg (public-domain SVG clip art), librsvg2-bin (rsvg-convert),
#     synfig + synfig-examples (GPL-2+ animations rendered for the realistic data)
#   - the venv's optional extra "train" (torch==2.13.0, the CPU build; pip finds the wheel
#     through its configured find-links and never needs a CUDA download)
# Usage: training/setup.sh [VENV_BIN]   (default .venv/bin)
set -euo pipefail
BIN=${1:-.venv/bin}
SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
if ! dpkg -s openclipart-svg librsvg2-bin synfig synfig-examples >/dev/null 2>&1; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    openclipart-svg librsvg2-bin synfig synfig-examples
fi
if ! "$BIN/python" -c "import torch" 2>/dev/null; then
  "$BIN/pip" install -q -e '.[train]'
fi
"$BIN/python" -c "import torch; assert not torch.version.cuda, 'a CUDA torch build was installed'"
"$BIN/python" -m training.data
