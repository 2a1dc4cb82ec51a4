#!/bin/sh
# Print the path of a Python >= 3.12 interpreter, or fail with a clear message.
for candidate in python3.14 python3.13 python3.12 python3 python; do
    path=$(command -v "$candidate" 2>/dev/null) || continue
    if "$path" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
        echo "$path"
        exit 0
    fi
done
echo "Hygie needs Python 3.12 or newer; none was found on PATH." >&2
exit 1
