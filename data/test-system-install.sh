#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Runs the install commands of docs/getting-started.md (section 1, between
# the "system-install" markers) into a temporary build directory and a
# DESTDIR, and checks that the system service's files land where dbus-daemon,
# polkitd and systemd look: below /usr (and /etc), never /usr/local.
#
# START is where the user starts from:
#   fresh       no build directory yet
#   configured  the build directory exists already, configured with meson's
#               default prefix (/usr/local), as a first plain 'meson setup'
#               leaves it; 'meson setup --prefix=/usr' alone keeps that
#               prefix ("already configured") - the trap of issue 20.
#
# The test does not compile: 'meson compile' only regenerates the build files
# (what it does first after 'meson configure'), and the install is limited to
# the files tagged 'system-service' (bus policy, activation files, units,
# polkit actions, configuration), which exist once meson is configured.
# Everything else of each line runs as documented.
#
# Usage: test-system-install.sh SOURCE-DIR GETTING-STARTED.md START

set -eu

fail() {
        echo "FAIL: $*" >&2
        exit 1
}

[ $# -eq 3 ] || fail "usage: $0 SOURCE-DIR GETTING-STARTED.md fresh|configured"
src=$1 doc=$2 start=$3
command -v meson >/dev/null || fail "'meson' not found (package 'meson')"
command -v ninja >/dev/null || fail "'ninja' not found (package 'ninja-build')"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
build=$tmp/build-system
root=$tmp/root

# The documented lines: the shell block between the markers, comments cut.
sed -n '/<!-- system-install:/,/<!-- system-install: end -->/p' "$doc" |
        sed -n '/^```sh$/,/^```$/p' | grep -v '^```' |
        sed -E 's/[[:space:]]+#.*$//' >"$tmp/lines"
[ -s "$tmp/lines" ] || fail "no install lines between the system-install markers of $doc"
grep -q 'meson install' "$tmp/lines" || fail "the documented lines of $doc never run 'meson install'"
echo "documented lines:"
sed 's/^/    /' "$tmp/lines"

case $start in
fresh) ;;
configured)
        (cd "$src" && meson setup "$build" -Dtests=false >"$tmp/pre.log" 2>&1) ||
                { cat "$tmp/pre.log" >&2; fail "could not prepare the build directory"; }
        ;;
*) fail "unknown start '$start'" ;;
esac

# Each line as documented, with the build directory in $tmp.
while read -r line; do
        [ -n "$line" ] || continue
        line=${line//build-system/$build}
        case $line in
        ./setup.sh) echo "skipped (packages): $line"; continue ;;
        "meson compile -C "*)
                # Only what compiling does first: regenerate after 'meson configure'.
                line="ninja -C ${line#meson compile -C } build.ninja" ;;
        "sudo meson install "*)
                line="${line#sudo } --no-rebuild --destdir $root --tags system-service" ;;
        "meson setup "* | "meson configure "*) ;;
        *) fail "the test does not know how to run '$line'; teach it" ;;
        esac
        echo "+ $line"
        (cd "$src" && eval "$line") >"$tmp/out" 2>&1 || { cat "$tmp/out" >&2; fail "'$line' failed"; }
done <"$tmp/lines"

[ -d "$root" ] || fail "nothing was installed"
echo "installed:"
(cd "$root" && find . -type f | sort | sed 's/^/    /')

[ -e "$root/usr/local" ] && fail "files were installed below /usr/local, where the system bus and polkit never look"

expect() {
        [ -f "$root/$1" ] || fail "no $1"
        echo "ok: /$1"
}
expect usr/share/dbus-1/system.d/org.example.Hypervisor.conf
expect usr/share/dbus-1/system-services/org.example.Hypervisor.service
expect usr/share/dbus-1/services/org.example.Hypervisor.service
expect usr/share/polkit-1/actions/org.example.hypervisor.policy
expect etc/hypervisor/hypervisord.conf

unit=
for dir in lib/systemd/system usr/lib/systemd/system; do
        [ -f "$root/$dir/hypervisord.service" ] && unit=$root/$dir/hypervisord.service
done
[ -n "$unit" ] || fail "no hypervisord.service in lib/systemd/system or usr/lib/systemd/system"
echo "ok: ${unit#"$root"}"

# The activation file and the unit start the daemon where it is installed.
grep -qx 'Exec=/usr/libexec/hypervisord --system' \
        "$root/usr/share/dbus-1/system-services/org.example.Hypervisor.service" ||
        fail "the system activation file does not start /usr/libexec/hypervisord --system"
grep -qx 'ExecStart=/usr/libexec/hypervisord --system' "$unit" ||
        fail "the system unit does not start /usr/libexec/hypervisord --system"
echo "ok: both start /usr/libexec/hypervisord --system"
