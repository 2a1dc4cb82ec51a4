#!/bin/sh
# Install Debian's Chromium for the end-to-end tests when it is missing and we can.
# Exit 0 when a browser is available afterwards, 1 otherwise.
BROWSER=${HYGIE_CHROMIUM:-/usr/bin/chromium}
if [ -x "$BROWSER" ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "Chromium not found at $BROWSER and apt-get is not available." >&2
    exit 1
fi
if [ "$(id -u)" = "0" ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
else
    echo "Chromium not found at $BROWSER and installing it needs root." >&2
    exit 1
fi
echo "Installing Debian's chromium for the browser tests..."
$SUDO apt-get update -qq >/dev/null && \
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
[ -x "$BROWSER" ]
