#!/usr/bin/env bash
# Print the path of a working Python 3.12, or explain how to get one and fail.
set -euo pipefail
try() { "$@" -c 'import sys; assert sys.version_info[:2] == (3, 12); print(sys.executable)' 2>/dev/null; }
if [ -n "${PYTHON:-}" ] && try "$PYTHON"; then exit 0; fi
if command -v python3.12 >/dev/null 2>&1 && try python3.12; then exit 0; fi
if command -v pyenv >/dev/null 2>&1; then
  for v in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.12(\.|$)' | sort -V -r); do
    if try "$(pyenv root)/versions/$v/bin/python3.12"; then exit 0; fi
  done
fi
for p in /usr/bin/python3.12 /usr/local/bin/python3.12 "$HOME"/.pyenv/versions/3.12*/bin/python3.12; do
  if [ -x "$p" ] && try "$p"; then exit 0; fi
done
echo "Damai needs Python 3.12, and none was found." >&2
echo "Install it (e.g. 'pyenv install 3.12' or 'apt-get install python3.12'), or set PYTHON=/path/to/python3.12." >&2
exit 1
