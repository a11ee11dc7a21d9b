#!/usr/bin/env bash
# promtool (alert rules' checks and unit tests) and the Prometheus server the real-Prometheus test
# starts on a free port (test/ops): Debian's `prometheus` package. Installing it starts nothing here
# (no systemd as PID 1); where systemd runs, stop its prometheus.service after install.
# Idempotent: does nothing when promtool is already there. Needs root (apt-get) otherwise.
set -euo pipefail

if command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1; then exit 0; fi
echo "[prometheus] installing Debian package prometheus" >&2
if [ "$(id -u)" != 0 ]; then
  echo "[prometheus] not root: run 'sudo apt-get install prometheus' first" >&2
  exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus
