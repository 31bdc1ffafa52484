# shellcheck shell=bash
# test/lib/pg_versions.sh -- PostgreSQL majors other than Debian 12's own 15, for building
# and testing the extension against them on a Debian 12 machine. Source it (functions
# below) or run it:
#
#   bash test/lib/pg_versions.sh setup 17      build (or reuse) the private root for 17;
#                                              the last stdout line is its pg_config
#   bash test/lib/pg_versions.sh pg-config 18  print the pg_config of a finished root
#   bash test/lib/pg_versions.sh verify 17     re-check that the root is self-contained
#   bash test/lib/pg_versions.sh clean 17      remove the root (the downloaded .debs stay)
#   bash test/lib/pg_versions.sh purge 17      remove the root and the downloaded .debs
#
#   PG_CONFIG=$(bash test/lib/pg_versions.sh setup 17 | tail -n 1) bash test/run_all.sh
#
# How: Debian 12 has no PostgreSQL 17 or 18, but Debian's newer suites do (17: trixie,
# 18: sid). Their binary packages, and every library they depend on, are fetched with a
# private apt configuration (the machine's /etc/apt and dpkg database stay untouched),
# unpacked with `dpkg -x` into one private root per major (never `dpkg -i`: they need a
# newer glibc than Debian 12's), and the root's programs are pointed at the root's own
# dynamic loader and libraries with patchelf. LD_LIBRARY_PATH is no alternative: Debian
# 12's /bin/sh crashes under the newer libc, and pg_regress starts psql through /bin/sh.
# The rpath is written as DT_RPATH (not DT_RUNPATH) because only DT_RPATH of the program
# also applies to the libraries' own dependencies and to modules loaded with dlopen.
# Then every program and module is checked to resolve all its libraries inside the root
# (a library missing there would silently come from Debian 12 instead), and PGXS's
# Makefile.global is adjusted so that Debian 12's gcc/g++ 12 can build extensions.
#
# A major that Debian 12 ships itself (15) needs no root: `setup 15` prints the system's
# pg_config.
#
# Settings (environment):
#   SD_PG_ROOTS   cache folder, default /var/cache/softdelete-pg; a major's files go to
#                 $SD_PG_ROOTS/NN/{debs,apt,root}
#   SD_PG_SUITE   Debian suite to take the packages from (default: 17 trixie, 18 sid)
#   SD_PG_MIRROR  default http://deb.debian.org/debian
#   SD_PG_REFRESH=1  resolve and download again (apt-get update) although .debs are cached
#
# Needs root for the first set-up (installs patchelf with apt-get when missing, writes
# under /var/cache); a finished root is readable and runnable by every user.

# Bump when the recipe changes: a root stamped with another recipe is rebuilt.
SD_PG_RECIPE=1

# The packages of a root; their library dependencies are added recursively.
SD_PG_PACKAGES=(postgresql-@V@ postgresql-client-@V@ postgresql-server-dev-@V@ libpq5 libpq-dev)

# Sections whose packages count as libraries when following dependencies (a dependency
# outside them, e.g. postgresql-common, perl, debconf, clang, is not needed by the root).
SD_PG_LIB_SECTIONS='^(libs|oldlibs)$'

if ! declare -F sd_apt_install_missing >/dev/null; then
    # shellcheck source=test/lib/deps.sh
    . "$(dirname "${BASH_SOURCE[0]}")/deps.sh"
fi

sd_pg_die() {
    printf 'pg_versions: error: %s\n' "$*" >&2
    return 1
}

# sd_pg_suite NN: the Debian suite that has PostgreSQL NN.
sd_pg_suite() {
    if [ -n "${SD_PG_SUITE:-}" ]; then
        echo "$SD_PG_SUITE"
        return 0
    fi
    case $1 in
        17) echo trixie ;;
        18) echo sid ;;
        *) sd_pg_die "no known Debian suite for PostgreSQL $1 (set SD_PG_SUITE)" ;;
    esac
}

# sd_pg_base NN / sd_pg_root NN / sd_pg_root_config NN: folders and pg_config of a major.
sd_pg_base() { echo "${SD_PG_ROOTS:-/var/cache/softdelete-pg}/$1"; }
sd_pg_root() { echo "$(sd_pg_base "$1")/root"; }
sd_pg_root_config() { echo "$(sd_pg_root "$1")/usr/lib/postgresql/$1/bin/pg_config"; }

# sd_pg_system_config NN: Debian 12's own pg_config for NN, if installed.
sd_pg_system_config() {
    local c=/usr/lib/postgresql/$1/bin/pg_config
    [ -x "$c" ] && echo "$c"
}

sd_pg_check_major() {
    [[ ${1:-} =~ ^[0-9]{2}$ ]] || sd_pg_die "expected a PostgreSQL major version like 17, got '${1:-}'"
}

# sd_pg_apt NN: fill the array SD_PG_APT_OPTS with the private apt configuration.
sd_pg_apt() {
    local base apt suite
    base=$(sd_pg_base "$1")
    apt=$base/apt
    suite=$(sd_pg_suite "$1") || return 1
    mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
    printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' \
        "${SD_PG_MIRROR:-http://deb.debian.org/debian}" "$suite" >"$apt/sources.list"
    : >"$apt/status"
    # Dir::State::status: an empty dpkg database, so that what Debian 12 has installed
    # plays no part in choosing versions; the sandbox user root: private folders are
    # root's, _apt could not write them.
    SD_PG_APT_OPTS=(
        -o "Dir::Etc::SourceList=$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
        -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache"
        -o "Dir::State::status=$apt/status"
        -o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null
        -o APT::Sandbox::User=root -o Acquire::Languages=none
    )
}

# sd_pg_pick_deps: read `apt-cache depends --important` output, print "PKG DEP" for each
# dependency; of alternatives the first, of a virtual package its first provider.
sd_pg_pick_deps() {
    awk '
        /^[^ ]/ { pkg = $1; open_group = 0; next }
        /^ [ |](Pre)?Depends: / {
            if (!open_group) { chosen = 0 }
            open_group = (substr($0, 2, 1) == "|")
            waiting = 0
            dep = $2
            if (chosen) next
            if (dep ~ /^</) { waiting = 1; next }
            print pkg, dep; chosen = 1
            next
        }
        /^    [^ ]/ {
            if (waiting && !chosen) { print pkg, $1; chosen = 1; waiting = 0 }
        }'
}

# sd_pg_resolve NN: print "PKG VERSION ARCH" for the root's packages and, recursively,
# every library package they depend on (from the private apt lists).
sd_pg_resolve() {
    local v=$1 p dep sect ver arch
    local -A seen=() info=()
    local queue=() next=() pairs
    for p in "${SD_PG_PACKAGES[@]}"; do
        queue+=("${p//@V@/$v}")
    done
    # The requested packages are taken whatever their section.
    while read -r p ver arch sect; do
        info[$p]="$ver $arch"
    done < <(sd_pg_show "${queue[@]}")
    for p in "${queue[@]}"; do
        [ -n "${info[$p]:-}" ] || sd_pg_die "package $p not found in $(sd_pg_suite "$v")" || return 1
        seen[$p]=1
    done
    while [ ${#queue[@]} -gt 0 ]; do
        pairs=$(apt-cache "${SD_PG_APT_OPTS[@]}" depends --important "${queue[@]}" | sd_pg_pick_deps) ||
            return 1
        next=()
        local candidates=()
        while read -r p dep; do
            [ -n "$dep" ] || continue
            dep=${dep%:any}
            [ -z "${seen[$dep]:-}" ] || continue
            seen[$dep]=1
            candidates+=("$dep")
        done <<<"$pairs"
        if [ ${#candidates[@]} -gt 0 ]; then
            while read -r p ver arch sect; do
                sect=${sect##*/}
                [[ $sect =~ $SD_PG_LIB_SECTIONS ]] || continue
                info[$p]="$ver $arch"
                next+=("$p")
            done < <(sd_pg_show "${candidates[@]}")
        fi
        queue=("${next[@]}")
    done
    for p in "${!info[@]}"; do
        echo "$p ${info[$p]}"
    done | sort
}

# sd_pg_show PKG...: "PKG VERSION ARCH SECTION" of each package's candidate version.
sd_pg_show() {
    apt-cache "${SD_PG_APT_OPTS[@]}" show --no-all-versions "$@" 2>/dev/null | awk '
        /^Package: / { p = $2 } /^Version: / { v = $2 } /^Architecture: / { a = $2 }
        /^Section: / { s = $2 }
        /^$/ { if (p != "") print p, v, a, s; p = v = a = s = "" }
        END { if (p != "") print p, v, a, s }'
}

# sd_pg_deb_name PKG VERSION ARCH: the file name apt-get download gives a package
# (an epoch's colon written as %3a).
sd_pg_deb_name() { echo "$1_${2//:/%3a}_$3.deb"; }

# sd_pg_download NN: resolve and download the .debs into $base/debs (those already there
# are kept) and write $base/debs/manifest, the list of files the root is made of.
# Skipped when a manifest exists and all its files are there (unless SD_PG_REFRESH=1).
sd_pg_download() {
    local v=$1 base debs list p ver arch f missing=() n
    base=$(sd_pg_base "$v")
    debs=$base/debs
    if [ "${SD_PG_REFRESH:-0}" != 1 ] && [ -s "$debs/manifest" ]; then
        n=0
        while read -r f; do
            [ -s "$debs/$f" ] || n=$((n + 1))
        done <"$debs/manifest"
        if [ "$n" -eq 0 ]; then
            sd_log "PostgreSQL $v: reusing $(wc -l <"$debs/manifest") downloaded packages in $debs"
            return 0
        fi
    fi
    sd_pg_apt "$v" || return 1
    sd_log "PostgreSQL $v: apt-get update ($(sd_pg_suite "$v"), private lists)"
    apt-get "${SD_PG_APT_OPTS[@]}" -q update </dev/null >&2 || sd_pg_die "apt-get update failed" || return 1
    list=$(sd_pg_resolve "$v") || return 1
    mkdir -p "$debs"
    while read -r p ver arch; do
        [ -s "$debs/$(sd_pg_deb_name "$p" "$ver" "$arch")" ] || missing+=("$p=$ver")
    done <<<"$list"
    if [ ${#missing[@]} -gt 0 ]; then
        sd_log "PostgreSQL $v: downloading ${#missing[@]} of $(wc -l <<<"$list") packages"
        (cd "$debs" && apt-get "${SD_PG_APT_OPTS[@]}" -q download "${missing[@]}" </dev/null >&2) ||
            sd_pg_die "apt-get download failed" || return 1
    fi
    : >"$debs/manifest.new"
    while read -r p ver arch; do
        f=$(sd_pg_deb_name "$p" "$ver" "$arch")
        [ -s "$debs/$f" ] || sd_pg_die "download of $p $ver left no $debs/$f" || return 1
        echo "$f" >>"$debs/manifest.new"
    done <<<"$list"
    mv "$debs/manifest.new" "$debs/manifest"
}

# sd_pg_is_elf FILE: true for an ELF file.
sd_pg_is_elf() {
    [ -f "$1" ] && [ "$(head -c 4 "$1" | od -An -c | tr -d ' ')" = '177ELF' ]
}

# sd_pg_libdirs NN: the root's library folders, in search order (colon-separated).
sd_pg_libdirs() {
    local root d out=()
    root=$(sd_pg_root "$1")
    for d in "$root/usr/lib/x86_64-linux-gnu" "$root/lib/x86_64-linux-gnu" \
        "$root/usr/lib/postgresql/$1/lib"; do
        [ -d "$d" ] && [ ! -L "$d" ] && out+=("$d")
    done
    (IFS=:; echo "${out[*]}")
}

# sd_pg_loader NN: the root's dynamic loader (real file).
sd_pg_loader() {
    local root f
    root=$(sd_pg_root "$1")
    for f in "$root/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" \
        "$root/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2" "$root/usr/lib64/ld-linux-x86-64.so.2"; do
        if [ -e "$f" ]; then
            readlink -f "$f"
            return 0
        fi
    done
    sd_pg_die "no ld-linux-x86-64.so.2 in $root"
}

# sd_pg_programs NN: every dynamically linked program of the root's PostgreSQL (bin/ and
# the test runners under lib/pgxs).
sd_pg_programs() {
    local pg f
    pg=$(sd_pg_root "$1")/usr/lib/postgresql/$1
    find "$pg/bin" "$pg/lib/pgxs" -type f -perm -u+x | sort | while read -r f; do
        sd_pg_is_elf "$f" && patchelf --print-interpreter "$f" >/dev/null 2>&1 && echo "$f"
    done
}

# sd_pg_fix_symlinks ROOT: a symlink with an absolute target would lead out of the root
# (to Debian 12's file); point it at the root's own copy instead.
sd_pg_fix_symlinks() {
    local root=$1 l t
    find "$root" -type l | while read -r l; do
        t=$(readlink "$l")
        case $t in
            /*) ln -sfn "$root$t" "$l" ;;
        esac
    done
}

# sd_pg_patch NN: set interpreter and DT_RPATH of every program.
sd_pg_patch() {
    local v=$1 ld dirs f n=0
    ld=$(sd_pg_loader "$v") || return 1
    dirs=$(sd_pg_libdirs "$v")
    while read -r f; do
        patchelf --set-interpreter "$ld" --force-rpath --set-rpath "$dirs" "$f" ||
            sd_pg_die "patchelf failed on $f" || return 1
        n=$((n + 1))
    done < <(sd_pg_programs "$v")
    [ "$n" -gt 0 ] || sd_pg_die "no programs found to patch" || return 1
    sd_log "PostgreSQL $v: patched $n programs (interpreter $ld)"
}

# sd_pg_find_lib NAME DIRS: the path NAME resolves to in the colon-separated DIRS.
sd_pg_find_lib() {
    local name=$1 d
    local IFS=:
    for d in $2; do
        if [ -e "$d/$name" ]; then
            echo "$d/$name"
            return 0
        fi
    done
    return 1
}

# sd_pg_check_module FILE ROOT DIRS: resolve FILE's libraries, recursively, the way they
# are found once the module is loaded into a patched program (through the program's
# DT_RPATH, i.e. DIRS); print a line for each one that is not found inside ROOT.
sd_pg_check_module() {
    local root=$2 dirs=$3 lib path real
    local -A visited=()
    local todo=("$1")
    while [ ${#todo[@]} -gt 0 ]; do
        local cur=${todo[0]}
        todo=("${todo[@]:1}")
        while read -r lib; do
            [ -n "$lib" ] || continue
            [ -z "${visited[$lib]:-}" ] || continue
            visited[$lib]=1
            case $lib in ld-linux-x86-64.so.2) continue ;; esac
            if ! path=$(sd_pg_find_lib "$lib" "$dirs"); then
                echo "$1: $lib not found in the root"
                continue
            fi
            real=$(readlink -f "$path")
            case $real in
                "$root"/*) todo+=("$real") ;;
                *) echo "$1: $lib resolves to $real, outside the root" ;;
            esac
        done < <(patchelf --print-needed "$cur" 2>/dev/null)
    done
}

# sd_pg_verify NN: every program resolves all its libraries (as the loader reports them)
# inside the root, with the root's loader; every module in pkglibdir resolves them inside
# the root through the programs' rpath. Fails listing each library found elsewhere.
sd_pg_verify() {
    local v=$1 root dirs ld f line lib path real bad=() nprog=0 nmod=0 pkglib out
    sd_pg_check_major "$v" || return 1
    root=$(sd_pg_root "$v")
    [ -d "$root" ] || sd_pg_die "no root for PostgreSQL $v at $root" || return 1
    root=$(readlink -f "$root")
    dirs=$(sd_pg_libdirs "$v")
    ld=$(sd_pg_loader "$v") || return 1
    while read -r f; do
        nprog=$((nprog + 1))
        [ "$(patchelf --print-interpreter "$f")" = "$ld" ] || bad+=("$f: interpreter is not $ld")
        # The kernel starts the program through its PT_INTERP: this is the real lookup.
        if ! out=$(LD_TRACE_LOADED_OBJECTS=1 "$f" </dev/null 2>&1); then
            bad+=("$f: the loader could not list its libraries: $out")
            continue
        fi
        while read -r line; do
            case $line in
                linux-vdso*) continue ;;
                *'=> not found'*) bad+=("$f: ${line%% *} not found") ;;
                *' => '*)
                    lib=${line%% =>*}
                    path=${line#*=> }
                    path=${path%% (*}
                    real=$(readlink -f "$path")
                    case $real in
                        "$root"/*) ;;
                        *) bad+=("$f: $lib resolves to $real, outside the root") ;;
                    esac
                    ;;
                /*)
                    path=${line%% (*}
                    [ "$(readlink -f "$path")" = "$ld" ] || bad+=("$f: loader $path is not the root's")
                    ;;
                *) bad+=("$f: unexpected loader output: $line") ;;
            esac
        done <<<"$out"
    done < <(sd_pg_programs "$v")
    pkglib=$root/usr/lib/postgresql/$v/lib
    while read -r f; do
        nmod=$((nmod + 1))
        while read -r line; do
            [ -n "$line" ] && bad+=("$line")
        done < <(sd_pg_check_module "$f" "$root" "$dirs")
    done < <(find "$pkglib" -maxdepth 1 -name '*.so' -type f | sort)
    # The shared libraries the programs load (libpq, libicu, ...) count as modules too:
    # checked through the programs above.
    [ "$nprog" -gt 0 ] || bad+=("no programs found under $root")
    [ "$nmod" -gt 0 ] || bad+=("no modules found in $pkglib")
    if [ ${#bad[@]} -gt 0 ]; then
        printf 'pg_versions: PostgreSQL %s root is not self-contained:\n' "$v" >&2
        printf '  %s\n' "${bad[@]}" >&2
        return 1
    fi
    sd_log "PostgreSQL $v: $nprog programs and $nmod modules resolve all libraries inside $root"
}

# sd_pg_clean_compile COMPILER LANG FLAG...: true if COMPILER compiles a small file with
# the FLAGs without a single diagnostic.
sd_pg_clean_compile() {
    local compiler=$1 lang=$2 out
    shift 2
    out=$(echo 'int sd_probe;' | "$compiler" -x "$lang" -c -o /dev/null "$@" - 2>&1) && [ -z "$out" ]
}

# sd_pg_fix_makefile NN: in the root's PGXS Makefile.global drop the compiler flags
# Debian 12's gcc/g++ reject (e.g. -fexcess-precision=standard for g++ 12,
# -Wmissing-variable-declarations for gcc 12), and turn off LLVM bitcode (its clang is
# not here). A flag is dropped when the variable's whole set of flags compiles cleanly
# without it but not with it (the whole set, because some flags need others, e.g.
# -Wformat-security needs -Wformat).
sd_pg_fix_makefile() {
    local v=$1 mk var compiler lang line flags=() i try changed dropped=()
    mk=$(sd_pg_root "$v")/usr/lib/postgresql/$v/lib/pgxs/src/Makefile.global
    [ -f "$mk" ] || sd_pg_die "no $mk" || return 1
    [ -f "$mk.orig" ] || cp -p "$mk" "$mk.orig"
    cp -p "$mk.orig" "$mk"
    for var in CFLAGS CFLAGS_SL CFLAGS_SL_MODULE CFLAGS_UNROLL_LOOPS CFLAGS_VECTORIZE \
        PERMIT_DECLARATION_AFTER_STATEMENT PERMIT_MISSING_VARIABLE_DECLARATIONS \
        CXXFLAGS CXXFLAGS_SL_MODULE; do
        case $var in
            CXX*) compiler=g++ lang=c++ ;;
            *) compiler=gcc lang=c ;;
        esac
        line=$(sed -n "s/^${var}[[:space:]]*=[[:space:]]*//p" "$mk" | head -n 1)
        [ -n "$line" ] || continue
        read -r -a flags <<<"$line"
        changed=0
        while ! sd_pg_clean_compile "$compiler" "$lang" "${flags[@]}"; do
            try=-1
            for i in "${!flags[@]}"; do
                [[ ${flags[i]} == -[fWm]* ]] || continue
                if sd_pg_clean_compile "$compiler" "$lang" "${flags[@]:0:i}" "${flags[@]:i+1}"; then
                    try=$i
                    break
                fi
            done
            if [ "$try" -lt 0 ]; then
                sd_pg_die "$compiler does not accept $var of $mk:" \
                    "$(echo 'int sd_probe;' | "$compiler" -x "$lang" -c -o /dev/null "${flags[@]}" - 2>&1)"
                return 1
            fi
            dropped+=("$var:${flags[try]}")
            flags=("${flags[@]:0:try}" "${flags[@]:try+1}")
            changed=1
        done
        if [ "$changed" = 1 ]; then
            # Flags hold no '|', '&' or newline.
            sed -i "s|^${var}[[:space:]]*=.*|$var = ${flags[*]}|" "$mk"
        fi
    done
    sed -i 's/^with_llvm[[:space:]]*=.*/with_llvm = no/' "$mk"
    sd_log "PostgreSQL $v: Makefile.global: with_llvm = no; dropped: ${dropped[*]:-nothing}"
}

# sd_pg_build NN: (re)build the root from the downloaded .debs. Called under the lock.
sd_pg_build() {
    local v=$1 base root debs f
    base=$(sd_pg_base "$v")
    root=$base/root
    debs=$base/debs
    rm -f "$base/stamp"
    rm -rf "$root"
    mkdir -p "$root"
    sd_log "PostgreSQL $v: unpacking $(wc -l <"$debs/manifest") packages into $root"
    while read -r f; do
        dpkg -x "$debs/$f" "$root" || sd_pg_die "dpkg -x $f failed" || return 1
    done <"$debs/manifest"
    [ -x "$root/usr/lib/postgresql/$v/bin/postgres" ] ||
        sd_pg_die "no postgres binary in $root" || return 1
    sd_pg_fix_symlinks "$root"
    sd_pg_patch "$v" || return 1
    sd_pg_fix_makefile "$v" || return 1
    # PostgreSQL refuses to run as root: the tests' user must read and run the tree.
    chmod -R a+rX,go-w "$root"
    sd_pg_verify "$v" || return 1
    "$root/usr/lib/postgresql/$v/bin/pg_config" --version >/dev/null ||
        sd_pg_die "the root's pg_config does not run" || return 1
    sd_pg_stamp_text "$v" >"$base/stamp"
}

# sd_pg_stamp_text NN: what the stamp of a finished root says (a root with another text
# is rebuilt).
sd_pg_stamp_text() {
    local base
    base=$(sd_pg_base "$1")
    printf 'recipe=%s major=%s root=%s\n' "$SD_PG_RECIPE" "$1" "$base/root"
    cat "$base/debs/manifest"
}

# sd_pg_ready NN: true when NN's root is finished (stamp matches) and pg_config runs.
sd_pg_ready() {
    local base cfg
    base=$(sd_pg_base "$1")
    cfg=$(sd_pg_root_config "$1")
    [ -s "$base/stamp" ] && [ -s "$base/debs/manifest" ] && [ -x "$cfg" ] &&
        [ "$(cat "$base/stamp")" = "$(sd_pg_stamp_text "$1")" ] &&
        "$cfg" --version >/dev/null 2>&1
}

# sd_pg_setup NN: make NN's root ready (download, unpack, patch, verify: skipped for a
# finished one) and set SD_PG_CONFIG to its pg_config. For Debian 12's own major, no root:
# SD_PG_CONFIG is the system's pg_config.
sd_pg_setup() {
    local v=$1 base sys
    sd_pg_check_major "$v" || return 1
    if [ -z "${SD_PG_SUITE:-}" ] && sys=$(sd_pg_system_config "$v"); then
        sd_log "PostgreSQL $v: Debian 12's own ($sys)"
        SD_PG_CONFIG=$sys
        export SD_PG_CONFIG
        return 0
    fi
    sd_pg_suite "$v" >/dev/null || return 1
    base=$(sd_pg_base "$v")
    if ! sd_pg_ready "$v" || [ "${SD_PG_REFRESH:-0}" = 1 ]; then
        if ! command -v patchelf >/dev/null 2>&1; then
            sd_apt_install_missing patchelf >&2 || return 1
        fi
        mkdir -p "$base" || return 1
        chmod a+rx "${SD_PG_ROOTS:-/var/cache/softdelete-pg}" "$base"
        # One set-up per major at a time; the second waits and then finds it finished.
        (
            flock 9 || exit 1
            if sd_pg_ready "$v" && [ "${SD_PG_REFRESH:-0}" != 1 ]; then
                sd_log "PostgreSQL $v: root ready (finished by another set-up)"
                exit 0
            fi
            sd_pg_download "$v" || exit 1
            if [ "${SD_PG_REFRESH:-0}" = 1 ] || ! sd_pg_ready "$v"; then
                sd_pg_build "$v" || exit 1
            fi
        ) 9>"$base/lock" || { sd_pg_die "set-up of PostgreSQL $v failed"; return 1; }
    else
        sd_log "PostgreSQL $v: root ready ($base/root)"
    fi
    SD_PG_CONFIG=$(sd_pg_root_config "$v")
    export SD_PG_CONFIG
}

sd_pg_usage() {
    cat <<'EOF'
usage: pg_versions.sh setup NN...     build or reuse the private root(s); prints pg_config
       pg_versions.sh pg-config NN    pg_config of a finished root (or Debian 12's own)
       pg_versions.sh verify NN       check that the root resolves every library inside
       pg_versions.sh clean NN        remove the root, keep the downloaded packages
       pg_versions.sh purge NN        remove the root and the downloaded packages
EOF
}

# sd_pg_main ARGS: the command line.
sd_pg_main() {
    local cmd=${1:-} v sys
    shift || true
    case $cmd in
        setup)
            [ $# -gt 0 ] || { sd_pg_usage >&2; return 2; }
            for v in "$@"; do
                sd_pg_setup "$v" >&2 || return 1
                echo "$SD_PG_CONFIG"
            done
            ;;
        pg-config)
            [ $# -eq 1 ] || { sd_pg_usage >&2; return 2; }
            sd_pg_check_major "$1" || return 1
            if [ -z "${SD_PG_SUITE:-}" ] && sys=$(sd_pg_system_config "$1"); then
                echo "$sys"
            elif sd_pg_ready "$1"; then
                sd_pg_root_config "$1"
            else
                sd_pg_die "PostgreSQL $1 is not set up (run: $0 setup $1)"
            fi
            ;;
        verify)
            [ $# -gt 0 ] || { sd_pg_usage >&2; return 2; }
            for v in "$@"; do
                sd_pg_verify "$v" >&2 || return 1
            done
            ;;
        clean | purge)
            [ $# -gt 0 ] || { sd_pg_usage >&2; return 2; }
            for v in "$@"; do
                sd_pg_check_major "$v" || return 1
                rm -rf "$(sd_pg_base "$v")/root" "$(sd_pg_base "$v")/stamp"
                if [ "$cmd" = purge ]; then
                    rm -rf "$(sd_pg_base "$v")"
                fi
            done
            ;;
        -h | --help | help) sd_pg_usage ;;
        *) sd_pg_usage >&2; return 2 ;;
    esac
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -uo pipefail
    sd_pg_main "$@"
    exit $?
fi
