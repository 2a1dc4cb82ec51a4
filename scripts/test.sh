#!/bin/sh
# The whole test suite: static checks, then pytest on SQLite and, when one
# answers, on PostgreSQL (the tests that use the database). Environment:
#   HYGIE_TEST_DATABASE_URL        PostgreSQL to test on (default: local postgres/test)
#   HYGIE_TEST_REQUIRE_POSTGRES=1  fail instead of skipping PostgreSQL when it is unreachable
#   HYGIE_REQUIRE_BROWSER=1        fail instead of skipping browser tests without Chromium
#   HYGIE_REQUIRE_IMAP=1           fail instead of skipping report mailbox tests without Dovecot
#   PYTEST_ARGS                    extra pytest arguments
set -eu
cd "$(dirname "$0")/.."
BIN=.venv/bin
unset DATABASE_URL DEBUG SECRET_KEY ALLOWED_HOSTS
# Python keeps compiled modules (__pycache__, ignored by git): without them each test
# worker and each process a test starts compiles the whole project again.
unset PYTHONDONTWRITEBYTECODE

echo "== Static checks"
$BIN/ruff check .
$BIN/ruff format --check .
# Management commands and the mypy plugin load the settings: development mode for them.
DEBUG=1 $BIN/mypy hygie
DEBUG=1 $BIN/python manage.py makemigrations --check --dry-run >/dev/null || {
    echo "Models changed without a migration: run manage.py makemigrations." >&2; exit 1; }
DEBUG=1 $BIN/python manage.py compile_translations

if scripts/install-browser.sh; then
    export HYGIE_BROWSER_AVAILABLE=1
elif [ "${HYGIE_REQUIRE_BROWSER:-0}" = "1" ]; then
    echo "Browser tests are required but Chromium could not be installed." >&2
    exit 1
else
    echo "Browser tests will be skipped: Chromium is not available." >&2
fi

if scripts/install-imap.sh; then
    :
elif [ "${HYGIE_REQUIRE_IMAP:-0}" = "1" ]; then
    echo "Report mailbox tests are required but Dovecot could not be installed." >&2
    exit 1
else
    echo "Report mailbox tests will be skipped: Dovecot (dovecot-imapd) is not available." >&2
fi

run_pytest() {
    # pytest exits with 5 when it collected nothing: that is a failure here.
    set +e
    $BIN/pytest -n 2 -q --durations=15 "$@" ${PYTEST_ARGS:-}
    status=$?
    set -e
    if [ "$status" -eq 5 ]; then
        echo "pytest collected no tests." >&2
        exit 1
    fi
    [ "$status" -eq 0 ] || exit "$status"
}

echo "== Tests on SQLite"
run_pytest
RAN="SQLite"

PG_URL=${HYGIE_TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test}
if $BIN/python -c "import sys, psycopg; psycopg.connect(sys.argv[1], connect_timeout=3).close()" "$PG_URL" 2>/dev/null; then
    # Only the tests that use a database (marked `database` automatically, see
    # hygie/testing/selection.py): the others gave their answer on SQLite.
    echo "== Tests on PostgreSQL ($PG_URL), those that use the database"
    DATABASE_URL=$PG_URL run_pytest -m database
    RAN="$RAN and PostgreSQL"
elif [ "${HYGIE_TEST_REQUIRE_POSTGRES:-0}" = "1" ]; then
    echo "PostgreSQL is required but $PG_URL does not answer." >&2
    exit 1
else
    echo "PostgreSQL skipped: $PG_URL does not answer." >&2
fi
echo "== All tests passed on: $RAN"
