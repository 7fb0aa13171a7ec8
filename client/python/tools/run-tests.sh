#!/usr/bin/env bash
# Type-checks the Python client (mypy --strict, configured in client/python/pyproject.toml) and runs
# its tests (client/python/tests) with an interpreter found by python-env.sh, against the Java build
# in samples/target (mvn -B verify runs this at the integration-test phase of the samples module).
# Fails if mypy finds an error, if a test fails, or if no test ran.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
root="$(cd "$here/../.." && pwd)"
py=$("$here/tools/python-env.sh") || exit 1
echo "python tests: $py ($("$py" --version 2>&1)), $("$py" -c 'import numpy, torch, mypy.version; print("numpy", numpy.__version__, "torch", torch.__version__, "mypy", mypy.version.__version__)')"
cd "$here"
"$py" -m mypy --config-file "$here/pyproject.toml" --cache-dir "$root/samples/target/mypy-cache"
typed=$?
if [ $typed -ne 0 ]; then
  echo "python tests: FAILED: mypy found type errors in $here/batcher (see above)" >&2
fi
basetemp="$root/samples/target/pytest-tmp"
rm -rf "$basetemp"
"$py" -m pytest -p no:cacheprovider --basetemp="$basetemp" -rf "$@" tests
rc=$?
if [ $rc -eq 5 ]; then
  echo "python tests: FAILED: pytest collected no tests in $here/tests" >&2
  exit 1
fi
if [ $rc -eq 0 ] && [ $typed -ne 0 ]; then
  exit 1
fi
exit $rc
