#!/usr/bin/env bash
# Installs ferry and creates the local dev cluster the dev environment targets
# (kube context "ferry-local", see ferry.yaml).
set -euo pipefail

go install ferry.dev/ferry/cmd/ferry@v0.1.0

if ! k3d cluster list ferry-local >/dev/null 2>&1; then
  k3d cluster create ferry-local --agents 1 --wait
fi
# k3d names its context k3d-<cluster>; ferry.yaml uses ferry-local.
kubectl config rename-context k3d-ferry-local ferry-local 2>/dev/null || true

ferry version
ferry validate
