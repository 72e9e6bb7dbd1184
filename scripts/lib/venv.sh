# Shared by scripts/serve and scripts/test: create .venv when missing and reinstall
# the project only when pyproject.toml (or the extras asked for) changed.
ensure_venv() {
  local spec="$1"
  local python="${PYTHON:-python3.11}"
  command -v "$python" >/dev/null 2>&1 || python=python3
  if [ ! -x .venv/bin/python ]; then
    echo "creating .venv with $($python --version)"
    "$python" -m venv .venv
  fi
  local stamp=".venv/.fieldops-installed"
  local want
  want="$(sha256sum pyproject.toml | cut -d' ' -f1) $spec"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e "$spec"
    echo "$want" > "$stamp"
  fi
}
