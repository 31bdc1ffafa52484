# shellcheck shell=bash
# test/lib/deps.sh -- shared by test/run_all.sh and test/demo.sh (source it, don't run it):
# installs the Debian 12 packages needed to build, test and demo the extension (and
# those the client examples in examples/ need), and
# prepares the unprivileged user that runs PostgreSQL (which refuses to run as root).
#
# Settings (environment): PG_CONFIG (default: pg_config, else Debian's PG 15 one),
# SD_USER (default: sdtest; ignored when not run as root: then the caller's own user).

SD_DEBIAN_PACKAGES=(
    postgresql-15 postgresql-server-dev-15 postgresql-client-15 libipc-run-perl
    build-essential g++ make cmake googletest libgtest-dev clang-format
)

# Extensions that test/t/050_coexistence.pl runs beside softdelete (pg_stat_statements
# and auto_explain come with postgresql-15). Installed when apt can; the test skips the
# part of a package that is missing, naming it.
SD_COEXIST_PACKAGES=(
    postgresql-15-cron postgresql-15-partman postgresql-15-repack postgresql-15-pgaudit
)

# Client libraries of the examples (examples/run.sh, the "examples" stage of
# test/run_all.sh): Debian's python3 packages. Node.js and npm are checked by command
# (see sd_install_example_deps); the Sequelize example's packages come from `npm ci`.
SD_EXAMPLE_PACKAGES=(
    python3 python3-sqlalchemy python3-asyncpg python3-django python3-psycopg2
)

sd_log() { printf '==> %s\n' "$*"; }

# sd_apt_install_missing PKG...: apt-get install the packages that are not installed
# (apt-get update only then).
sd_apt_install_missing() {
    local missing=() pkg
    for pkg in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$pkg")
        fi
    done
    if [ ${#missing[@]} -eq 0 ]; then
        sd_log "dependencies present: $*"
        return 0
    fi
    if [ "$(id -u)" -ne 0 ]; then
        echo "missing packages: ${missing[*]} (run as root, or install them first)" >&2
        return 1
    fi
    sd_log "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q </dev/null
    apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
}

# sd_install_deps: what building, testing and the demo need; then, without failing,
# the coexistence test's extensions.
sd_install_deps() {
    sd_apt_install_missing "${SD_DEBIAN_PACKAGES[@]}" || return 1
    if ! sd_apt_install_missing "${SD_COEXIST_PACKAGES[@]}"; then
        sd_log "could not install ${SD_COEXIST_PACKAGES[*]}:" \
            "test/t/050_coexistence.pl skips their parts"
    fi
    return 0
}

# sd_install_example_deps: what the client examples need. node and npm count when
# their commands exist, whoever installed them (NodeSource's nodejs package bundles
# npm and conflicts with Debian's npm package); otherwise Debian's nodejs and npm.
sd_install_example_deps() {
    local pkgs=("${SD_EXAMPLE_PACKAGES[@]}")
    command -v node >/dev/null 2>&1 || pkgs+=(nodejs)
    command -v npm >/dev/null 2>&1 || pkgs+=(npm)
    sd_apt_install_missing "${pkgs[@]}"
}

# sd_setup_env: PG_CONFIG, PG_BINDIR, SD_USER, and a stable locale.
sd_setup_env() {
    if [ -z "${PG_CONFIG:-}" ]; then
        if command -v pg_config >/dev/null 2>&1; then
            PG_CONFIG=pg_config
        else
            PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
        fi
    fi
    PG_CONFIG=$(command -v "$PG_CONFIG") || { echo "pg_config not found" >&2; return 1; }
    PG_BINDIR=$("$PG_CONFIG" --bindir)
    export PG_CONFIG PG_BINDIR
    if [ "$(id -u)" -eq 0 ]; then
        SD_USER=${SD_USER:-sdtest}
    else
        SD_USER=$(id -un)
    fi
    export SD_USER
    # C.UTF-8 is built into Debian 12's glibc: same messages and sorting everywhere.
    export LANG=C.UTF-8
    unset LC_ALL LANGUAGE
}

# sd_ensure_user: create the unprivileged system user if missing (as root).
sd_ensure_user() {
    [ "$(id -u)" -eq 0 ] || return 0
    if ! id "$SD_USER" >/dev/null 2>&1; then
        sd_log "creating user $SD_USER"
        useradd --system --create-home --shell /bin/bash "$SD_USER"
    fi
}

# sd_as_user CMD...: run CMD as the unprivileged user (directly when not root).
sd_as_user() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u "$SD_USER" -- env HOME="$(getent passwd "$SD_USER" | cut -d: -f6)" \
            PATH="$PATH" LANG="$LANG" PG_CONFIG="$PG_CONFIG" "$@"
    else
        "$@"
    fi
}

# sd_as_root CMD...: run CMD as root (via sudo when not root), for `make install`.
sd_as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    else
        sudo "$@"
    fi
}

# sd_copy_tree SRC DST: copy the source tree (without VCS data and build outputs)
# into DST, wiped first, owned by the unprivileged user.
sd_copy_tree() {
    local src=$1 dst=$2
    rm -rf "$dst"
    mkdir -p "$dst"
    tar -C "$src" -cf - \
        --exclude=./.git --exclude=./build --exclude='./build-*' --exclude='./tmp_check*' \
        --exclude=./results --exclude=./output_iso --exclude=./log \
        --exclude=node_modules --exclude=__pycache__ \
        --exclude='*.o' --exclude='*.bc' --exclude='*.so' --exclude='./src/*.d' . |
        tar -C "$dst" -xf -
    if [ "$(id -u)" -eq 0 ]; then
        chown -R "$SD_USER": "$dst"
    fi
}
