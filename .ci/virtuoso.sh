#!/usr/bin/env bash
# Install Debian's Virtuoso 7, start it on loopback only with a scratch database, allow SPARQL
# updates, and print the variable that turns on the remote-backend variant of the API tests.
#
#   eval "$(.ci/virtuoso.sh)"       # installs (as root), starts, exports CONFLICTKG_TEST_VIRTUOSO
#   .ci/virtuoso.sh stop            # stops it
#
# Only the export line goes to standard output; progress goes to standard error.
# Ports: 127.0.0.1:11111 (SQL, for isql) and 127.0.0.1:18890 (HTTP, SPARQL at /sparql).
set -euo pipefail

VIRTUOSO_DIR="${VIRTUOSO_DIR:-/tmp/conflictkg-virtuoso}"
SQL_PORT="${VIRTUOSO_SQL_PORT:-11111}"
HTTP_PORT="${VIRTUOSO_HTTP_PORT:-18890}"
ISQL=(isql-vt "127.0.0.1:${SQL_PORT}" dba dba)

up() {  # is the SPARQL endpoint answering?
    python3 -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)" \
        "http://127.0.0.1:${HTTP_PORT}/sparql?query=ASK%7B%7D" >/dev/null 2>&1
}

if [[ "${1:-}" == "stop" ]]; then
    "${ISQL[@]}" -K >/dev/null 2>&1 || true
    exit 0
fi

SUDO=""
if [[ "$(id -u)" != 0 ]]; then SUDO="sudo"; fi
if ! command -v virtuoso-t >/dev/null 2>&1; then
    # policy-rc.d keeps the package's system service (which would listen on all interfaces) from starting
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\nexit 101\n' | ${SUDO} tee /usr/sbin/policy-rc.d >/dev/null
        ${SUDO} chmod +x /usr/sbin/policy-rc.d
        remove_policy=1
    fi
    ${SUDO} apt-get update -qq >&2
    ${SUDO} env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        virtuoso-opensource-7 >&2
    if [[ "${remove_policy:-0}" == 1 ]]; then ${SUDO} rm -f /usr/sbin/policy-rc.d; fi
    # the system service must not run: stop it if the package started it anyway
    ${SUDO} service virtuoso-opensource-7 stop >/dev/null 2>&1 || true
fi

if ! up; then
    rm -rf "${VIRTUOSO_DIR}"
    mkdir -p "${VIRTUOSO_DIR}"
    INI_SOURCE="$(dpkg -L virtuoso-opensource-7 | grep '/virtuoso.ini$' | head -n 1)"
    python3 - "${INI_SOURCE}" "${VIRTUOSO_DIR}" "${SQL_PORT}" "${HTTP_PORT}" <<'PY'
import re
import sys

source, scratch, sql_port, http_port = sys.argv[1:]
text = open(source, encoding="utf-8").read()
section = None
out = []
for line in text.splitlines():
    stripped = line.strip()
    if stripped.startswith("[") and stripped.endswith("]"):
        section = stripped[1:-1]
    key = stripped.split("=", 1)[0].strip() if "=" in stripped and not stripped.startswith(";") else None
    if key in ("DatabaseFile", "ErrorLogFile", "TransactionFile", "xa_persistent_file"):
        name = {"DatabaseFile": "virtuoso.db", "ErrorLogFile": "virtuoso.log",
                "TransactionFile": "virtuoso.trx", "xa_persistent_file": "virtuoso.pxa"}[key]
        if section in ("Database", "TempDatabase"):
            name = ("temp-" if section == "TempDatabase" else "") + name
        line = f"{key} = {scratch}/{name}"
    elif key == "ServerPort" and section == "Parameters":
        line = f"ServerPort = 127.0.0.1:{sql_port}"
    elif key == "ServerPort" and section == "HTTPServer":
        line = f"ServerPort = 127.0.0.1:{http_port}"
    elif key == "DirsAllowed":
        line = f"DirsAllowed = ., {scratch}"
    elif key == "ResultSetMaxRows":
        line = "ResultSetMaxRows = 1000000"  # conflictkg enforces its own cap, as an error
    elif key == "MaxQueryCostEstimationTime":
        line = "MaxQueryCostEstimationTime = 0"  # no refusal by estimate: conflictkg's time limit decides
    elif key == "MaxQueryExecutionTime":
        line = "MaxQueryExecutionTime = 5"  # the server stops abandoned queries soon after conflictkg gives up
    out.append(line)
open(f"{scratch}/virtuoso.ini", "w", encoding="utf-8").write("\n".join(out) + "\n")
PY
    (cd "${VIRTUOSO_DIR}" && virtuoso-t +configfile "${VIRTUOSO_DIR}/virtuoso.ini" +wait) >&2
    for _ in $(seq 1 60); do
        up && break
        sleep 0.5
    done
    "${ISQL[@]}" exec='GRANT SPARQL_UPDATE TO "SPARQL";' >/dev/null
fi

up || { echo "Virtuoso did not start; see ${VIRTUOSO_DIR}/virtuoso.log" >&2; exit 1; }
echo "Virtuoso SPARQL endpoint: http://127.0.0.1:${HTTP_PORT}/sparql" >&2
echo "export CONFLICTKG_TEST_VIRTUOSO=http://127.0.0.1:${HTTP_PORT}/sparql"
