#!/bin/sh
# The whole test suite: static checks, pytest on SQLite and, when one answers, on
# PostgreSQL (the tests that use the database; those marked `one_database`, such as the
# journeys in Chromium, run there only). Environment:
#   HYGIE_TEST_DATABASE_URL        PostgreSQL to test on (default: local postgres/test)
#   HYGIE_TEST_REQUIRE_POSTGRES=1  fail instead of skipping PostgreSQL when it is unreachable
#   HYGIE_REQUIRE_BROWSER=1        fail instead of skipping browser tests without Chromium
#   HYGIE_REQUIRE_IMAP=1           fail instead of skipping report mailbox tests without Dovecot
#   HYGIE_TEST_ONE_AT_A_TIME=1     run the checks and the two databases one after the other
#   PYTEST_ARGS                    extra pytest arguments
#
# The static checks and the two databases' runs go side by side: many tests wait (on a
# process, a server, a browser, a lease), and one run alone leaves a core idle a third of
# the time. Each run writes to its own log, printed whole when it ends.
set -eu
cd "$(dirname "$0")/.."
BIN=.venv/bin
unset DATABASE_URL DEBUG SECRET_KEY ALLOWED_HOSTS
# Python keeps compiled modules (__pycache__, ignored by git): without them each test
# worker and each process a test starts compiles the whole project again.
unset PYTHONDONTWRITEBYTECODE
LOGS=$(mktemp -d)
trap 'rm -rf "$LOGS"' EXIT

# Translations first: tests read the French pages.
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

static_checks() {
    $BIN/ruff check . &&
        $BIN/ruff format --check . &&
        # Management commands and the mypy plugin load the settings: development mode.
        DEBUG=1 $BIN/mypy hygie &&
        { DEBUG=1 $BIN/python manage.py makemigrations --check --dry-run >/dev/null || {
            echo "Models changed without a migration: run manage.py makemigrations." >&2
            false
        }; }
}

run_pytest() {
    # Each run its own temporary directory: pytest clears the oldest of its shared ones.
    basetemp="$LOGS/tmp-$1"
    shift
    # pytest exits with 5 when it collected nothing: that is a failure here. (Its status is
    # taken without `set +e`/`set -e`, which would turn errexit on in the caller's subshell
    # and end it, on a failure, before it wrote the status.)
    status=0
    $BIN/pytest -n 2 -q --durations=15 --basetemp="$basetemp" "$@" ${PYTEST_ARGS:-} || status=$?
    if [ "$status" -eq 5 ]; then
        echo "pytest collected no tests." >&2
        return 1
    fi
    return "$status"
}

PG_URL=${HYGIE_TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test}
if $BIN/python -c "import sys, psycopg; psycopg.connect(sys.argv[1], connect_timeout=3).close()" "$PG_URL" 2>/dev/null; then
    POSTGRES=1
elif [ "${HYGIE_TEST_REQUIRE_POSTGRES:-0}" = "1" ]; then
    echo "PostgreSQL is required but $PG_URL does not answer." >&2
    exit 1
else
    POSTGRES=0
    echo "PostgreSQL skipped: $PG_URL does not answer." >&2
fi

# timed COMMAND...: run a part's command into its log; write its status and its duration.
timed() {
    started=$(date +%s)
    "$@" >>"$LOGS/$name.log" 2>&1
    echo $? >"$LOGS/$name.status"
    echo $(($(date +%s) - started)) >"$LOGS/$name.seconds"
}

# start NAME TITLE COMMAND...: run a part in the background (or at once, one at a time).
start() {
    name=$1 title=$2
    shift 2
    echo "$title" >"$LOGS/$name.log"
    if [ "${HYGIE_TEST_ONE_AT_A_TIME:-0}" = "1" ]; then
        set +e
        timed "$@"
        set -e
        cat "$LOGS/$name.log"
    else
        (
            set +e
            timed "$@"
        ) &
    fi
}

postgres_tests() {
    # Only the tests that use a database (marked `database` automatically, see
    # hygie/testing/selection.py): the others gave their answer on SQLite.
    (
        export DATABASE_URL="$PG_URL"
        run_pytest postgres -m database
    )
}

sqlite_tests() {
    if [ "$POSTGRES" = "1" ]; then
        # What a person sees (`one_database`) is checked once, on PostgreSQL below
        # (which takes only the tests that use a database).
        run_pytest sqlite -m "not (one_database and database)"
    else
        run_pytest sqlite
    fi
}

start static "== Static checks" static_checks
start sqlite "== Tests on SQLite" sqlite_tests
RAN="SQLite"
if [ "$POSTGRES" = "1" ]; then
    start postgres "== Tests on PostgreSQL ($PG_URL), those that use the database" postgres_tests
    RAN="$RAN and PostgreSQL"
fi
wait

failed=""
durations=""
for name in static sqlite postgres; do
    # A part that started has a log; one without a status did not finish its course.
    [ -f "$LOGS/$name.log" ] || continue
    [ "${HYGIE_TEST_ONE_AT_A_TIME:-0}" = "1" ] || cat "$LOGS/$name.log"
    if [ ! -f "$LOGS/$name.status" ]; then
        echo "== $name ended without writing its exit status." >&2
        failed="$failed $name"
    elif [ "$(cat "$LOGS/$name.status")" != "0" ]; then
        failed="$failed $name"
    fi
    durations="$durations $name $(cat "$LOGS/$name.seconds" 2>/dev/null || echo "?") s,"
done
echo "== Durations:${durations%,}"
if [ -n "$failed" ]; then
    echo "== Failed:$failed" >&2
    exit 1
fi
echo "== All checks passed, and all tests on: $RAN"
