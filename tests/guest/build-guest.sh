#!/bin/bash
# Build the tiny real test guest: a Debian kernel booted by PVH plus a busybox initramfs.
#
# Usage: build-guest.sh OUTDIR
#
# Writes OUTDIR/vmlinux (uncompressed ELF kernel, boots by PVH on pc/q35/microvm),
# OUTDIR/initramfs.cpio.gz (busybox-static, /init, the modules the guest needs) and
# OUTDIR/cmdline (the base kernel command line; tests append 'hv.action=...'),
# OUTDIR/vmlinuz (the same kernel as a bzImage with its EFI stub, for UEFI boots).
#
# Everything comes from Debian packages: the kernel package is fetched with
# 'apt-get download' and unpacked with 'dpkg-deb -x' (never installed), busybox comes
# from the installed busybox-static package. The .deb and the carved vmlinux are cached
# in ${HV_GUEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hypervisord-guest}, so a rebuild
# does not download again.
#
# Environment:
#   HV_GUEST_CACHE        cache directory (see above)
#   HV_GUEST_KERNEL_PKG   kernel package to use instead of the one linux-image-amd64 depends on
#   HV_GUEST_TSC_KHZ      value for tsc_early_khz= instead of the host's 'cpu MHz'

set -euo pipefail

die() {
        echo "build-guest: $*" >&2
        exit 1
}

log() {
        echo "build-guest: $*" >&2
}

[ $# -eq 1 ] || die "usage: build-guest.sh OUTDIR"

SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUTDIR=$(mkdir -p "$1" && cd "$1" && pwd)

if [ -n "${HV_GUEST_CACHE:-}" ]; then
        CACHE=$HV_GUEST_CACHE
elif [ -n "${XDG_CACHE_HOME:-}" ]; then
        CACHE=$XDG_CACHE_HOME/hypervisord-guest
elif [ -n "${HOME:-}" ] && [ -d "$HOME" ] && [ -w "$HOME" ]; then
        CACHE=$HOME/.cache/hypervisord-guest
else
        CACHE=$OUTDIR/cache
fi
mkdir -p "$CACHE"

for tool in apt-get apt-cache dpkg-deb xz cpio gzip grep; do
        command -v "$tool" >/dev/null || die "'$tool' not found (install the packages in tests/setup-packages.txt)"
done

export LC_ALL=C

WORK=$(mktemp -d "$OUTDIR/.build-guest.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# ---------------------------------------------------------------------------------------
# 1. The kernel package: the one Debian's linux-image-amd64 metapackage depends on.

find_cached_deb() {
        # newest cached .deb of package $1, if any
        local newest=""
        local f
        for f in "$CACHE/$1"_*_amd64.deb; do
                [ -f "$f" ] || continue
                if [ -z "$newest" ] || [ "$f" -nt "$newest" ]; then
                        newest=$f
                fi
        done
        echo "$newest"
}

KPKG=${HV_GUEST_KERNEL_PKG:-}
if [ -z "$KPKG" ]; then
        KPKG=$(apt-cache depends linux-image-amd64 2>/dev/null |
               sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n1) || true
fi
if [ -z "$KPKG" ]; then
        # apt lists missing (offline, no 'apt-get update'): fall back to a cached package
        cached=""
        for f in "$CACHE"/linux-image-*-amd64_*_amd64.deb; do
                [ -f "$f" ] || continue
                if [ -z "$cached" ] || [ "$f" -nt "$cached" ]; then
                        cached=$f
                fi
        done
        [ -n "$cached" ] || die "cannot find the kernel package: 'apt-cache depends linux-image-amd64' gave nothing (run 'apt-get update') and '$CACHE' has no cached kernel .deb"
        KPKG=$(basename "$cached")
        KPKG=${KPKG%%_*}
        log "apt-cache knows no linux-image-amd64; using cached '$KPKG'"
fi
[[ "$KPKG" =~ ^linux-image-[0-9][A-Za-z0-9.+-]*-amd64$ ]] || die "unexpected kernel package name '$KPKG'"

DEB=$(find_cached_deb "$KPKG")
if [ -z "$DEB" ]; then
        log "downloading '$KPKG' into '$CACHE'"
        mkdir -p "$WORK/download"
        # apt-get download writes into the current directory
        (cd "$WORK/download" && apt-get download -q -o APT::Sandbox::User=root "$KPKG" >&2) ||
                die "'apt-get download $KPKG' failed"
        for f in "$WORK/download/$KPKG"_*_amd64.deb; do
                [ -f "$f" ] || die "'apt-get download $KPKG' produced no .deb"
                mv -f "$f" "$CACHE/"
        done
        DEB=$(find_cached_deb "$KPKG")
        [ -n "$DEB" ] || die "downloaded .deb of '$KPKG' not found in '$CACHE'"
else
        log "using cached '$DEB'"
fi

DEBNAME=$(basename "$DEB" .deb)

# Unpacked afresh each time into the scratch directory (~400 MB, a few seconds): keeping
# the tree in the cache would cost that much disk for little time.
KROOT=$WORK/kernel
log "unpacking '$DEB'"
dpkg-deb -x "$DEB" "$KROOT"

KVER=${KPKG#linux-image-}
KCONFIG=$KROOT/boot/config-$KVER
BZIMAGE=$KROOT/boot/vmlinuz-$KVER
MODDIR=$KROOT/lib/modules/$KVER
[ -f "$KCONFIG" ] || die "'$KCONFIG' missing from '$DEB'"
[ -f "$BZIMAGE" ] || die "'$BZIMAGE' missing from '$DEB'"
[ -d "$MODDIR" ] || die "'$MODDIR' missing from '$DEB'"

kconfig() {
        # value of CONFIG_$1 (y, m, or empty when not set)
        sed -n "s/^CONFIG_$1=\(.*\)$/\1/p" "$KCONFIG"
}

# Facilities the guest relies on that must be built in.
for sym in PVH DEVTMPFS BLK_DEV_INITRD RD_GZIP SERIAL_8250_CONSOLE MAGIC_SYSRQ \
           PCIEPORTBUS HOTPLUG_PCI HOTPLUG_PCI_PCIE HOTPLUG_PCI_ACPI; do
        [ "$(kconfig "$sym")" = y ] || die "kernel '$KVER' lacks built-in CONFIG_$sym"
done

# ---------------------------------------------------------------------------------------
# 2. vmlinux: the ELF kernel carved out of the bzImage. The bzImage's payload is one XZ
# stream; find its magic, decompress that single stream and keep the first result that is
# an ELF file (the magic bytes may also occur by chance before the real stream).

VMLINUX_CACHED=$CACHE/$DEBNAME.vmlinux
if [ ! -f "$VMLINUX_CACHED" ]; then
        log "carving vmlinux out of '$BZIMAGE'"
        found=""
        for offset in $(grep -obUaP '\xfd7zXZ\x00' "$BZIMAGE" | cut -d: -f1); do
                tail -c +$((offset + 1)) "$BZIMAGE" |
                        xz -dc --single-stream >"$WORK/vmlinux" 2>/dev/null || true
                if [ "$(head -c 4 "$WORK/vmlinux" | od -An -tx1 | tr -d ' \n')" = 7f454c46 ]; then
                        found=$offset
                        break
                fi
        done
        [ -n "$found" ] || die "no XZ-compressed ELF kernel found in '$BZIMAGE'"
        mv "$WORK/vmlinux" "$VMLINUX_CACHED.tmp"
        mv "$VMLINUX_CACHED.tmp" "$VMLINUX_CACHED"
fi

# ---------------------------------------------------------------------------------------
# 3. Modules. Each wanted module is 'name:CONFIG_SYMBOL'; built-in ones need nothing,
# modular ones are copied with their dependencies (read from each module's .modinfo,
# as the package ships no modules.dep) and listed in load order for /init.

WANTED_MODULES=(
        virtio:VIRTIO
        virtio_pci:VIRTIO_PCI
        virtio_mmio:VIRTIO_MMIO
        virtio_blk:VIRTIO_BLK
        virtio_net:VIRTIO_NET
        virtio_console:VIRTIO_CONSOLE
        virtio_rng:HW_RANDOM_VIRTIO
        virtio_balloon:VIRTIO_BALLOON
        vmw_vsock_virtio_transport:VIRTIO_VSOCKETS
        pvpanic_mmio:PVPANIC_MMIO
        pvpanic_pci:PVPANIC_PCI
        button:ACPI_BUTTON
        evdev:INPUT_EVDEV
        ahci:SATA_AHCI
        sd_mod:BLK_DEV_SD
        sr_mod:BLK_DEV_SR
        virtio_scsi:SCSI_VIRTIO
        9p:9P_FS
        9pnet_virtio:NET_9P_VIRTIO
        qemu_fw_cfg:FW_CFG_SYSFS
)

declare -A MODFILE=()
while IFS= read -r -d '' f; do
        base=${f##*/}
        base=${base%.xz}
        base=${base%.zst}
        base=${base%.ko}
        MODFILE[${base//-/_}]=$f
done < <(find "$MODDIR/kernel" -name '*.ko' -print0 -o -name '*.ko.xz' -print0 -o -name '*.ko.zst' -print0)

module_contents() {
        case "$1" in
        *.ko.xz) xz -dc "$1" ;;
        *.ko.zst) zstd -dc "$1" ;;
        *) cat "$1" ;;
        esac
}

module_depends() {
        module_contents "$1" | tr '\0' '\n' | sed -n 's/^depends=//p' | head -n1 | tr ',' ' '
}

declare -A MOD_STATE=()    # name -> visiting | added
LOAD_ORDER=()

add_module() {
        local name=$1
        local dep
        case "${MOD_STATE[$name]:-}" in
        added) return 0 ;;
        visiting) die "module dependency cycle at '$name'" ;;
        esac
        [ -n "${MODFILE[$name]:-}" ] || die "module '$name' not found in '$MODDIR'"
        MOD_STATE[$name]=visiting
        for dep in $(module_depends "${MODFILE[$name]}"); do
                add_module "${dep//-/_}"
        done
        MOD_STATE[$name]=added
        LOAD_ORDER+=("$name")
}

MODULE_REPORT=""
for entry in "${WANTED_MODULES[@]}"; do
        name=${entry%%:*}
        sym=${entry#*:}
        case "$(kconfig "$sym")" in
        y) MODULE_REPORT+="$name(built-in) " ;;
        m) add_module "$name"; MODULE_REPORT+="$name(module) " ;;
        *) die "kernel '$KVER' has no CONFIG_$sym (needed for '$name')" ;;
        esac
done
log "modules: $MODULE_REPORT"

# ---------------------------------------------------------------------------------------
# 4. The initramfs root.

ROOT=$WORK/root
mkdir -p "$ROOT"/{bin,sbin,usr/bin,usr/sbin,etc/acpi/PWRF,proc,sys,dev,run,tmp,var/log,root}
mkdir -p "$ROOT/lib/modules/$KVER"

BUSYBOX=/bin/busybox
dpkg -S "$BUSYBOX" 2>/dev/null | grep -q '^busybox-static:' ||
        die "'$BUSYBOX' does not come from the busybox-static package (install busybox-static)"
cp "$BUSYBOX" "$ROOT/bin/busybox"
for applet in $("$BUSYBOX" --list-full); do
        [ "$applet" = bin/busybox ] && continue
        [ -d "$ROOT/${applet%/*}" ] || mkdir -p "$ROOT/${applet%/*}"
        ln -sf /bin/busybox "$ROOT/$applet"
done
[ -L "$ROOT/bin/sh" ] || die "busybox has no 'sh' applet"

install -m 0755 "$SRCDIR/init.sh" "$ROOT/init"

: >"$ROOT/etc/hv-modules"
for name in "${LOAD_ORDER[@]}"; do
        module_contents "${MODFILE[$name]}" >"$ROOT/lib/modules/$KVER/$name.ko"
        echo "/lib/modules/$KVER/$name.ko" >>"$ROOT/etc/hv-modules"
done

# busybox acpid maps the evdev KEY_POWER press to the description
# "button/power PWRF 00000080"; the action file maps any description containing the key
# (first column) to a path below the config directory /etc/acpi, which acpid executes
# (or run-parts if it is a directory). Both keys point to the same handler.
cat >"$ROOT/etc/acpid.conf" <<'EOF'
PWRF PWRF/00000080
PWRB PWRF/00000080
EOF
cat >"$ROOT/etc/acpi/PWRF/00000080" <<'EOF'
#!/bin/sh
# leading newline: a shell prompt may be on the console line
printf '\nHV-GUEST: power button pressed, powering off\n' >/dev/console
exec /bin/busybox poweroff -f
EOF
chmod 0755 "$ROOT/etc/acpi/PWRF/00000080"

echo "root:x:0:0:root:/root:/bin/sh" >"$ROOT/etc/passwd"
echo "root:x:0:" >"$ROOT/etc/group"
echo "hv-test-guest" >"$ROOT/etc/hostname"

# Reproducible archive: sorted names, fixed owner and timestamps.
find "$ROOT" -exec touch -h -d @0 {} +
(cd "$ROOT" && find . -print0 | sort -z |
        cpio --quiet --null -o -H newc -R 0:0 --reproducible) |
        gzip -9n >"$WORK/initramfs.cpio.gz"

# ---------------------------------------------------------------------------------------
# 5. The kernel command line.
#
# quiet                   only warnings on the console, so test markers are easy to find
# tsc_early_khz=          skip TSC calibration against the PIT: it can fail under TCG and
#                         hang microvm at boot (under TCG the guest TSC is the host's)
# mitigations=off, cryptomgr.notests, no_timer_check, audit=0, nowatchdog
#                         skip work that costs boot time and is useless in a test guest
# 8250.nr_uarts=1         probe one UART (ttyS0) instead of four
# random.trust_cpu=on     do not wait for entropy
# panic=-1                reboot at once on panic: with -no-reboot QEMU exits instead of
#                         the guest hanging until the test times out

TSC_KHZ=${HV_GUEST_TSC_KHZ:-}
if [ -z "$TSC_KHZ" ]; then
        TSC_KHZ=$(awk -F: '/^cpu MHz/ { printf "%d\n", $2 * 1000 + 0.5; exit }' /proc/cpuinfo)
fi
CMDLINE="console=ttyS0 quiet"
if [ -n "$TSC_KHZ" ] && [ "$TSC_KHZ" -gt 0 ]; then
        CMDLINE+=" tsc_early_khz=$TSC_KHZ"
else
        log "no 'cpu MHz' in /proc/cpuinfo: leaving out tsc_early_khz (microvm may hang at boot)"
fi
CMDLINE+=" mitigations=off cryptomgr.notests 8250.nr_uarts=1 no_timer_check"
CMDLINE+=" random.trust_cpu=on audit=0 nowatchdog panic=-1"
echo "$CMDLINE" >"$WORK/cmdline"

# ---------------------------------------------------------------------------------------
# 6. Publish: replace each output atomically.

cp "$VMLINUX_CACHED" "$WORK/vmlinux"
# The bzImage as Debian ships it, with its EFI stub: what UEFI firmware (OVMF) boots.
cp "$BZIMAGE" "$WORK/vmlinuz"
for f in vmlinux vmlinuz initramfs.cpio.gz cmdline; do
        mv -f "$WORK/$f" "$OUTDIR/$f"
done
echo "$KPKG $(basename "$DEB")" >"$OUTDIR/kernel-version"

log "kernel '$KPKG', vmlinux $(stat -c %s "$OUTDIR/vmlinux") bytes," \
    "initramfs $(stat -c %s "$OUTDIR/initramfs.cpio.gz") bytes, in '$OUTDIR'"
