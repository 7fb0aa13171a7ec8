#!/usr/bin/env bash
# Finds a Python interpreter that imports numpy, torch, pytest, h5py and mypy (what the Python tests and
# the type check need) and prints its path. Tries $BATCHER_PYTHON, /usr/bin/python3, then python3 on PATH. If none does: as
# root with apt-get, installs Debian's python3-numpy python3-pytest python3-torch python3-h5py python3-mypy; else
# pip-installs client/python/requirements-test.txt. If that fails too, it fails at once, naming
# what is missing. It never skips.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
need="import numpy, torch, pytest, h5py, mypy.api"
tried=""

candidates() {
  [ -n "${BATCHER_PYTHON:-}" ] && echo "$BATCHER_PYTHON"
  [ -x /usr/bin/python3 ] && echo /usr/bin/python3
  command -v python3 2>/dev/null
}

find_python() {
  local py why
  tried=""
  for py in $(candidates | awk '!seen[$0]++'); do
    if why=$("$py" -c "$need" 2>&1); then
      echo "$py"
      return 0
    fi
    tried="$tried
  $py: $(echo "$why" | tail -1)"
  done
  return 1
}

if py=$(find_python); then echo "$py"; exit 0; fi

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  find_python >/dev/null   # again outside a subshell, to list what each candidate lacks
  echo "python-env: no interpreter imports numpy, torch, pytest, h5py and mypy;$tried" >&2
  echo "python-env: installing Debian's python3-numpy python3-pytest python3-torch python3-h5py python3-mypy" >&2
  if apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y python3-numpy python3-pytest python3-torch python3-h5py python3-mypy >&2; then
    if py=$(find_python); then echo "$py"; exit 0; fi
  fi
fi

for py in $(candidates | awk '!seen[$0]++'); do
  if "$py" -m pip --version >/dev/null 2>&1; then
    echo "python-env: pip-installing $here/requirements-test.txt with $py" >&2
    if "$py" -m pip install -r "$here/requirements-test.txt" >&2 && "$py" -c "$need" 2>/dev/null; then
      echo "$py"; exit 0
    fi
  fi
done

find_python >/dev/null
echo "python-env: FAILED: the Python tests need an interpreter that imports numpy, torch, pytest, h5py and mypy.
Tried:$tried
Install them (Debian, as root: apt-get install python3-numpy python3-pytest python3-torch python3-h5py python3-mypy;
elsewhere: pip install -r $here/requirements-test.txt), or set BATCHER_PYTHON to an interpreter that has them." >&2
exit 1
