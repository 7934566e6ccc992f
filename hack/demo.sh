#!/usr/bin/env bash
# Runs ferry's main job on the reference platform, on this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
bin/ferry version
