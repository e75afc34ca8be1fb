# Sourced by the tools/ scripts: create (once) and update the project's venv.
# Usage: . tools/venv.sh REQUIREMENTS_FILE...
# Sets VENV to the venv's directory ($HEALAPI_VENV, default .venv).

VENV=${HEALAPI_VENV:-$PWD/.venv}
if [ ! -x "$VENV/bin/python" ]; then
    echo "==> Creating a virtualenv in $VENV"
    python3 -m venv "$VENV"
fi
echo "==> Installing healapi and its requirements into $VENV"
requirements=()
for file in "$@"; do requirements+=(-r "$file"); done
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    "${requirements[@]}" -e .
