#!/usr/bin/env bash
# Set up prunekd from a fresh clone: a virtual environment in .venv with `pip install -e ".[dev]" -c constraints.txt`,
# and, where apt is usable, Debian's dataset-fashion-mnist (the real Fashion-MNIST, no download at run time) and
# chromium (for the docs' browser tests).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo "$@"; else return 1; fi; }
if [ ! -x .venv/bin/python ]; then
  if ! $PY -m venv .venv 2>/dev/null; then
    rm -rf .venv
    as_root apt-get update -qq && as_root apt-get install -y -qq python3-venv
    $PY -m venv .venv
  fi
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[dev]" -c constraints.txt   # exact versions: the same environment on every fresh machine
if [ ! -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] && command -v apt-get >/dev/null; then
  if ! { as_root apt-get update -qq && as_root apt-get install -y -qq dataset-fashion-mnist; }; then
    echo "note: could not install Debian's dataset-fashion-mnist; prunekd will look in \$PRUNEKD_DATA or download it" >&2
  fi
fi
if ! command -v chromium >/dev/null && command -v apt-get >/dev/null; then    # the docs' browser tests (Playwright drives it)
  if ! { as_root apt-get update -qq && as_root apt-get install -y -qq chromium >/dev/null; }; then
    echo "note: could not install Debian's chromium; the browser tests will be skipped" >&2
  fi
fi
echo "prunekd set up in .venv"
