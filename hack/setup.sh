#!/usr/bin/env bash
# Installs or builds what the tests need when it is missing. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in git go; do
  command -v "$tool" >/dev/null || { echo "setup: $tool is required" >&2; exit 1; }
done
