# Sourced by scripts/serve and scripts/test: install conflictkg into .venv, quietly.
# pip runs with -qq: only errors are printed (no wall of build or resolver warnings on every
# run), and it runs only when pyproject.toml changed since the last install (or the install is
# missing), so starting again is fast.
PY=${PYTHON:-python3}

install_conflictkg() {
  local target=$1 stamp=.venv/.conflictkg-install
  local want
  want="$target $(sha256sum pyproject.toml | cut -d' ' -f1)"
  if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
  fi
  if [ -x .venv/bin/conflictkg ] && [ -f "$stamp" ] && grep -qxF "$want" "$stamp"; then
    return 0
  fi
  .venv/bin/python -m pip install -qq --upgrade pip
  .venv/bin/python -m pip install -qq -e "$target"
  echo "$want" >> "$stamp"
}
