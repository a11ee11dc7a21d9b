#!/usr/bin/env bash
# Headless Chromium for the browser tests (services/claims/test/browser): Debian's `chromium` and
# `chromium-driver` packages, driven by playwright-core through executablePath (no browser download).
# Idempotent: does nothing when /usr/bin/chromium is already there. Needs root (apt-get) otherwise.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then exit 0; fi
echo "[chromium] installing Debian packages chromium chromium-driver" >&2
if [ "$(id -u)" != 0 ]; then
  echo "[chromium] not root: run 'sudo apt-get install chromium chromium-driver' first" >&2
  exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver
