#!/usr/bin/env bash
# Runs the Python client's tests (client/python/tests) with an interpreter found by python-env.sh,
# against the Java build in samples/target (mvn -B verify runs this at the integration-test phase
# of the samples module). Fails if no test ran.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
root="$(cd "$here/../.." && pwd)"
py=$("$here/tools/python-env.sh") || exit 1
echo "python tests: $py ($("$py" --version 2>&1)), $("$py" -c 'import numpy, torch; print("numpy", numpy.__version__, "torch", torch.__version__)')"
basetemp="$root/samples/target/pytest-tmp"
rm -rf "$basetemp"
cd "$here"
"$py" -m pytest -p no:cacheprovider --basetemp="$basetemp" -rf "$@" tests
rc=$?
if [ $rc -eq 5 ]; then
  echo "python tests: FAILED: pytest collected no tests in $here/tests" >&2
  exit 1
fi
exit $rc
