#!/bin/sh
# Install Debian's Dovecot IMAP server for the report mailbox tests when it is
# missing and we can. The tests start their own instance (own port, own config in
# a temporary directory); the system service is never used.
# Exit 0 when dovecot is available afterwards, 1 otherwise.
DOVECOT=${HYGIE_DOVECOT:-/usr/sbin/dovecot}
if [ -x "$DOVECOT" ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "Dovecot not found at $DOVECOT and apt-get is not available." >&2
    exit 1
fi
if [ "$(id -u)" = "0" ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
else
    echo "Dovecot not found at $DOVECOT and installing it needs root." >&2
    exit 1
fi
echo "Installing Debian's dovecot-imapd for the report mailbox tests..."
$SUDO apt-get update -qq >/dev/null && \
    DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 $SUDO apt-get install -y -qq \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
        dovecot-imapd >/dev/null
[ -x "$DOVECOT" ]
