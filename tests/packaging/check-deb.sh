#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Builds the Debian packages (debian/) from a copy of the tracked files,
# checks them with lintian (no errors) and checks each package's file list:
# units, bus policy and activation, polkit actions, configuration, firmware
# directory, man pages, library, headers, typelib, completion. CI runs it
# (.ci/run); it takes a full build, so it is no meson test.
#
# Usage: tests/packaging/check-deb.sh [WORK-DIR]   (default: a new temporary directory)
# CHECK_DEB_REUSE=1 checks the packages a previous run left in WORK-DIR without building again.
# Ends with "N passed, N failed" like the other CI stages.

set -uo pipefail
cd "$(dirname "$0")/../.."
top=$PWD
work=${1:-$(mktemp -d /tmp/hv-deb-XXXXXX)}
passed=0
failed=0

check() {
        local what=$1; shift
        if "$@"; then
                echo "ok: $what"
                passed=$((passed + 1))
        else
                echo "FAIL: $what"
                failed=$((failed + 1))
        fi
}

finish() {
        echo "$passed passed, $failed failed"
        [ "$failed" = 0 ]
        exit $?
}

for tool in dpkg-buildpackage dh lintian; do
        command -v $tool >/dev/null || { echo "FAIL: '$tool' not found (tests/setup-packages.txt)"; failed=1; finish; }
done

version=$(dpkg-parsechangelog -l debian/changelog -S Version)
src=$work/hypervisord-${version%-*}
if [ -z "${CHECK_DEB_REUSE:-}" ]; then
        rm -rf "$src" && mkdir -p "$src"
        # The tracked files (and debian/ as it is), not build directories.
        (git ls-files; find debian -type f) | sort -u | tar -cf - -T - | tar -xf - -C "$src"
fi

echo "building in $src"
if [ -n "${CHECK_DEB_REUSE:-}" ] && ls "$work"/hypervisord_*.changes >/dev/null 2>&1; then
        echo "CHECK_DEB_REUSE: checking the packages already in $work"
elif ! (cd "$src" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" dpkg-buildpackage -us -uc -b >"$work/build.log" 2>&1); then
        tail -n 40 "$work/build.log"
        check "dpkg-buildpackage" false
        finish
fi
check "dpkg-buildpackage" true

changes=$(ls "$work"/hypervisord_*.changes)
lintian --fail-on error "$changes" >"$work/lintian.log" 2>&1
status=$?
cat "$work/lintian.log"
check "lintian: no errors" [ $status = 0 ]

# has PACKAGE PATH...: the package holds every path.
has() {
        local package=$1; shift
        local deb list
        deb=$(ls "$work"/${package}_*.deb 2>/dev/null | head -n 1)
        [ -n "$deb" ] || { echo "no package $package"; return 1; }
        list=$(dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|; s|/$||')
        for path in "$@"; do
                if ! grep -qxF "$path" <<<"$list" && ! grep -qx "$path" <<<"$list"; then
                        echo "$package lacks $path"
                        return 1
                fi
        done
}

multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
check "hypervisord: daemon, units, bus, polkit, config, firmware directory, man pages" \
        has hypervisord /usr/libexec/hypervisord \
                /lib/systemd/system/hypervisord.service /usr/lib/systemd/user/hypervisord.service \
                /usr/share/dbus-1/system.d/org.example.Hypervisor.conf \
                /usr/share/dbus-1/system-services/org.example.Hypervisor.service \
                /usr/share/dbus-1/services/org.example.Hypervisor.service \
                /usr/share/polkit-1/actions/org.example.hypervisor.policy \
                /etc/hypervisor/hypervisord.conf /usr/share/hypervisor/firmware \
                /usr/share/man/man8/hypervisord.8.gz /usr/share/man/man5/hypervisord.conf.5.gz \
                /usr/share/man/man5/hypervisord-domain.5.gz
check "libhypervisor-1-1: the shared library" \
        has libhypervisor-1-1 "/usr/lib/$multiarch/libhypervisor-1.so.1" "/usr/lib/$multiarch/libhypervisor-1.so.1.0.0"
check "libhypervisor-1-dev: headers, .so, pkg-config, GIR" \
        has libhypervisor-1-dev /usr/include/hypervisor-1/hypervisor.h "/usr/lib/$multiarch/libhypervisor-1.so" \
                "/usr/lib/$multiarch/pkgconfig/hypervisor-1.pc" /usr/share/gir-1.0/Hypervisor-1.0.gir
check "gir1.2-hypervisor-1.0: the typelib" \
        has gir1.2-hypervisor-1.0 "/usr/lib/$multiarch/girepository-1.0/Hypervisor-1.0.typelib"
check "hvctl: the tool, its completion and man page" \
        has hvctl /usr/bin/hvctl /usr/share/bash-completion/completions/hvctl /usr/share/man/man1/hvctl.1.gz
# Debian's helpers write the maintainer scripts: systemd reload and unit handling.
check "hypervisord: maintainer scripts from dh_installsystemd" \
        bash -c "dpkg-deb -e '$(ls "$work"/hypervisord_*.deb | head -n 1)' '$work/control' && grep -q deb-systemd-helper '$work/control/postinst'"
finish
