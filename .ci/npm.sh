#!/bin/sh
# Install the graphology GraphML/GEXF parsers that tests/test_exports_*.py use to read the
# exports back (the parsers behind Gephi Lite). Needs Node.js >= 18 and npm (Debian: nodejs npm).
set -eu
cd "$(dirname "$0")/../tests/js"
if ! command -v npm >/dev/null 2>&1; then
    if command -v apt-get >/dev/null 2>&1; then
        apt-get update
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs npm
    else
        echo "npm is missing: install Node.js and npm" >&2
        exit 1
    fi
fi
npm ci --no-audit --no-fund
