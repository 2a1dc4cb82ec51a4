#!/bin/sh
# The inner loop: lint, types, and the tests that start no server, browser or process, on
# SQLite. `make test` (and CI) still runs everything on both databases.
set -eu
cd "$(dirname "$0")/.."
BIN=.venv/bin
unset DATABASE_URL DEBUG SECRET_KEY ALLOWED_HOSTS
# Python keeps compiled modules (__pycache__, ignored by git): without them each test
# worker and each process a test starts compiles the whole project again.
unset PYTHONDONTWRITEBYTECODE
$BIN/ruff check .
$BIN/ruff format --check .
# Types are checked while the tests start (their workers spend seconds importing and
# collecting); the result is printed, and counted, after the tests.
TYPES=$(mktemp)
trap 'rm -f "$TYPES"' EXIT
DEBUG=1 $BIN/mypy hygie >"$TYPES" 2>&1 &
MYPY=$!
# Tests read the French pages: compile the catalogues that changed since they last were.
for po in locale/*/LC_MESSAGES/*.po; do
    if [ ! "${po%.po}.mo" -nt "$po" ]; then
        DEBUG=1 $BIN/python manage.py compile_translations >/dev/null
        break
    fi
done
set +e
$BIN/pytest -n 2 -q -m "not slow" --durations=10 ${PYTEST_ARGS:-}
tests=$?
wait "$MYPY"
types=$?
set -e
cat "$TYPES"
[ "$types" -eq 0 ] && [ "$tests" -eq 0 ]
