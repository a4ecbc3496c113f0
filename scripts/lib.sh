# Shared by scripts/run and scripts/test: idempotent install steps.
# Sourced, not executed. Each step is skipped when its inputs have not changed since it
# last ran: a stamp file holds the sha256 of what the step was run against.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$REPO_ROOT/.venv"
WEB="$REPO_ROOT/web"

heading() {
    if [[ -t 1 ]]; then
        printf '\n\033[1m==> %s\033[0m\n' "$*"
    else
        printf '\n==> %s\n' "$*"
    fi
}

die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

_sha256() {
    cat "$@" | sha256sum | cut -c1-64
}

_python() {
    local candidate
    for candidate in python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 \
            && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            echo "$candidate"
            return
        fi
    done
    die "JointPlan needs Python 3.11 or newer (python3.11 or python3 on PATH)."
}

# The uv release that reads and writes uv.lock. It comes from PyPI (pip installs it into
# .venv); pyproject.toml's [tool.uv] required-version names the same line.
UV_VERSION="0.13.9"

_uv() {
    UV_PROJECT_ENVIRONMENT="$VENV" "$VENV/bin/python" -m uv "$@"
}

# ensure_uv creates .venv if needed and puts uv in it; ensure_python then installs the locked dependencies (uv.lock) and the package,
# with extras "dev" when asked. `uv sync --locked` fails, rather than resolving anew, when
# pyproject.toml asks for something uv.lock does not hold: run scripts/upgrade-deps (or
# `uv lock`) and commit the lock.
ensure_uv() {
    if [[ ! -x "$VENV/bin/python" ]]; then
        heading "Creating the Python environment in .venv"
        local python
        python="$(_python)"
        "$python" -m venv "$VENV" \
            || die "could not create .venv (on Debian: apt-get install python3-venv)"
    fi
    if [[ "$("$VENV/bin/python" -m uv --version 2>/dev/null)" != "uv $UV_VERSION"* ]]; then
        heading "Installing uv $UV_VERSION into .venv"
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
    fi
}

ensure_python() {
    local extras="${1:-}"
    ensure_uv
    local stamp="$VENV/.jointplan-install${extras:+-$extras}"
    local want
    want="$(_sha256 "$REPO_ROOT/uv.lock" "$REPO_ROOT/pyproject.toml")"
    if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
        heading "Installing JointPlan${extras:+ [$extras]} and its locked dependencies into .venv"
        # --inexact: leaves what is not in the lock (uv itself, tools installed by hand).
        _uv sync --locked --inexact --quiet ${extras:+--extra "$extras"} \
            || die "uv.lock does not match pyproject.toml: run scripts/upgrade-deps"
        echo "$want" >"$stamp"
        # The dev extras include everything the plain install has.
        if [[ -n "$extras" ]]; then echo "$want" >"$VENV/.jointplan-install"; fi
    fi
    export PATH="$VENV/bin:$PATH"
}

# `npm ci` in a folder with a package.json when node_modules is missing or the lock changed.
ensure_node_modules() {
    local dir="$1"
    command -v npm >/dev/null 2>&1 || die "JointPlan's web app needs Node.js 20 and npm on PATH."
    local lock="$dir/package-lock.json"
    [[ -f "$lock" ]] || lock="$dir/package.json"
    local stamp="$dir/node_modules/.jointplan-lock"
    local want
    want="$(_sha256 "$lock")"
    if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
        heading "Installing Node packages in ${dir#"$REPO_ROOT"/}"
        if [[ -f "$dir/package-lock.json" ]]; then
            (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
        else
            (cd "$dir" && npm install --no-audit --no-fund --loglevel=error)
        fi
        echo "$want" >"$stamp"
    fi
}

# True when web/dist is missing or older than anything it is built from.
web_needs_build() {
    local built="$WEB/dist/index.html"
    [[ -f "$built" ]] || return 0
    local newer
    newer="$(find "$WEB/src" "$WEB/public" "$WEB/index.html" "$WEB/package.json" \
        "$WEB/package-lock.json" "$WEB"/vite.config.* "$WEB"/tsconfig*.json \
        -newer "$built" -print -quit 2>/dev/null)"
    [[ -n "$newer" ]]
}

build_web() {
    heading "Building the web app"
    (cd "$WEB" && npm run build --silent)
}
