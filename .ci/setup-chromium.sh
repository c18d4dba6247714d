#!/bin/sh
# Install Debian's Chromium for the workbench's browser tests (tests/test_ui_e2e.py). Python
# Playwright (the `test` extra) drives /usr/bin/chromium; `playwright install` is never run
# (it downloads browser builds). Without Chromium those tests skip and say why.
set -eu
if [ -x /usr/bin/chromium ]; then
    echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo present)"
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "apt-get is missing: install Chromium at /usr/bin/chromium by other means" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core
/usr/bin/chromium --version 2>/dev/null || true
