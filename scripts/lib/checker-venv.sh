# Sourced by the dataset checkers (check-manifests, check-coco): their Python packages live in one cached
# virtualenv (.cache/pyenv, or $CHECK_MANIFESTS_VENV), installed offline from a directory of wheels on first use.
#   checker_venv NAME "IMPORTS" PACKAGE...   sets $py; exits 2 when the packages cannot be installed
checker_venv() {
  local name="$1" imports="$2"
  shift 2
  local venv="${CHECK_MANIFESTS_VENV:-$here/.cache/pyenv}"
  local wheels="${CHECK_MANIFESTS_WHEELS:-/opt/pypi/files}"
  py="$venv/bin/python"
  checker_has() { [ -x "$py" ] && "$py" -c "import $imports" >/dev/null 2>&1; }
  if ! checker_has; then
    mkdir -p "$(dirname "$venv")"
    exec 9>"$venv.lock"
    flock 9   # concurrent first runs (parallel tests) build the virtualenv once
    if ! checker_has; then
      echo "$name: installing $* into $venv from $wheels (offline)" >&2
      [ -x "$py" ] || python3 -m venv "$venv" >&2
      if ! "$py" -m pip install -q --disable-pip-version-check --no-index --find-links "$wheels" "$@" >&2; then
        echo "$name: cannot install $* from $wheels for $("$py" --version 2>&1)" >&2
        exit 2
      fi
    fi
    exec 9>&-
  fi
}
