#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Regenerates the documents in this folder: what Debian 12's virt-install 4.1
# prints (--print-xml) for typical installs, and what `virsh dumpxml` gives for
# the same VM once libvirt 9.0 has defined it (controllers, addresses and
# defaults filled in). They are test data written by those tools, not by us.
#
# Not part of CI: it needs virtinst, libvirt-daemon and libvirt-daemon-driver-qemu
# (apt-get install --no-install-recommends virtinst libvirt-daemon
# libvirt-daemon-driver-qemu libvirt-clients ovmf) and a running libvirtd
# (as root: mkdir -p /var/log/libvirt; virtlogd -d; libvirtd -d). The files a
# document names (ISO, images) are empty stand-ins made in a temporary folder,
# renamed to the usual paths afterwards (the block device, the host's /dev/vda, becomes
# /dev/vdb). A document libvirt refuses to define (the TPM one, without swtpm)
# has no dumpxml twin. Every VM it defines is undefined again.
#
#   tests/domain-xml/real-world/generate.sh

set -euo pipefail
cd "$(dirname "$0")"

uri=qemu:///system
tmp=$(mktemp -d /tmp/hv-real-world-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
for f in debian-12.5.0-amd64-netinst.iso ubuntu-22.04.4-live-server-amd64.iso Win10_22H2_English_x64.iso \
        Fedora-Workstation-Live-x86_64-37.iso alpine-virt-3.17.0-x86_64.iso FreeBSD-13.1-RELEASE-amd64-disc1.iso \
        debian-11.9.0-i386-netinst.iso virtio-win.iso; do
        truncate -s 1M "$tmp/$f"
done
for f in debian-12-genericcloud-amd64.qcow2 jammy-server-cloudimg-amd64.img rhel-9.1-x86_64-kvm.qcow2; do
        truncate -s 1M "$tmp/$f"
done

# name, then virt-install arguments (without --name, --connect, --print-xml)
cases=(
        "debian12-netinst|--memory 2048 --vcpus 2 --cdrom $tmp/debian-12.5.0-amd64-netinst.iso --osinfo debian11 --disk size=20"
        "debian12-headless|--memory 1024 --vcpus 1 --cdrom $tmp/debian-12.5.0-amd64-netinst.iso --osinfo debian11 --disk size=10 --graphics none --console pty,target_type=serial"
        "debian-cloud-import|--memory 2048 --vcpus 2 --import --disk $tmp/debian-12-genericcloud-amd64.qcow2 --osinfo debian11 --graphics none --network network=default"
        "ubuntu-server|--memory 4096 --vcpus 4 --cdrom $tmp/ubuntu-22.04.4-live-server-amd64.iso --osinfo ubuntu22.04 --disk size=25,format=qcow2,bus=virtio --network network=default,model=virtio"
        "ubuntu-cloud-bridge|--memory 2048 --vcpus 2 --import --disk $tmp/jammy-server-cloudimg-amd64.img,device=disk,bus=virtio --osinfo ubuntu22.04 --network bridge=br0,model=virtio --graphics vnc,listen=127.0.0.1 --noautoconsole"
        "windows10|--memory 4096 --vcpus 2 --cdrom $tmp/Win10_22H2_English_x64.iso --osinfo win10 --disk size=64"
        "windows10-virtio|--memory 8192 --vcpus 4 --cdrom $tmp/Win10_22H2_English_x64.iso --osinfo win10 --disk size=64,bus=virtio --disk $tmp/virtio-win.iso,device=cdrom --network network=default,model=virtio --boot uefi"
        "fedora-uefi|--memory 4096 --vcpus 2 --cdrom $tmp/Fedora-Workstation-Live-x86_64-37.iso --osinfo fedora37 --disk size=20 --boot uefi"
        "fedora-tpm|--memory 4096 --vcpus 2 --cdrom $tmp/Fedora-Workstation-Live-x86_64-37.iso --osinfo fedora37 --disk size=20 --tpm emulator,model=tpm-crb,version=2.0"
        "alpine-small|--memory 512 --vcpus 1 --cdrom $tmp/alpine-virt-3.17.0-x86_64.iso --osinfo alpinelinux3.17 --disk size=2 --graphics none"
        "freebsd|--memory 2048 --vcpus 2 --cdrom $tmp/FreeBSD-13.1-RELEASE-amd64-disc1.iso --osinfo freebsd13.1 --disk size=20 --network network=default,model=e1000"
        "debian11-i686|--arch i686 --memory 1024 --vcpus 1 --cdrom $tmp/debian-11.9.0-i386-netinst.iso --osinfo debian11 --disk size=10"
        "rhel9-host-passthrough|--memory 4096 --vcpus 4 --import --disk $tmp/rhel-9.1-x86_64-kvm.qcow2 --osinfo rhel9.1 --cpu host-passthrough --graphics none"
        "rhel9-host-model-topology|--memory 4096 --vcpus 4,sockets=1,cores=2,threads=2 --import --disk $tmp/rhel-9.1-x86_64-kvm.qcow2 --osinfo rhel9.1 --cpu host-model"
        "block-disk|--memory 2048 --vcpus 2 --import --disk /dev/vda --osinfo debian11 --graphics none"
        "no-network|--memory 1024 --vcpus 1 --import --disk $tmp/debian-12-genericcloud-amd64.qcow2 --osinfo debian11 --network none --graphics none"
        "spice-desktop|--memory 4096 --vcpus 2 --cdrom $tmp/Fedora-Workstation-Live-x86_64-37.iso --osinfo fedora37 --disk size=20 --graphics spice --video qxl --channel spicevmc"
        "extras|--memory 2048 --vcpus 2 --import --disk $tmp/debian-12-genericcloud-amd64.qcow2 --osinfo debian11 --graphics none --rng /dev/urandom --watchdog i6300esb,action=reset --memballoon virtio --filesystem /srv/share,share0"
        "e1000e-rtl8139|--memory 2048 --vcpus 2 --import --disk $tmp/debian-12-genericcloud-amd64.qcow2 --osinfo debian11 --graphics none --network network=default,model=e1000e --network network=default,model=rtl8139"
        "memory-current|--memory 4096,currentMemory=2048 --vcpus 2,maxvcpus=4 --import --disk $tmp/debian-12-genericcloud-amd64.qcow2 --osinfo debian11 --graphics none"
)

rename_paths() {
        sed -e "s|$tmp/\([^'\"<]*\.iso\)|/var/lib/libvirt/images/\1|g" \
                -e "s|$tmp/\([^'\"<]*\)|/var/lib/libvirt/images/\1|g" \
                -e "s|/dev/vda|/dev/vdb|"
}

for entry in "${cases[@]}"; do
        name=${entry%%|*}
        args=${entry#*|}
        # shellcheck disable=SC2086
        virt-install --connect "$uri" --print-xml 1 --dry-run --name "$name" $args --check all=off >"$tmp/$name.xml"
        rename_paths <"$tmp/$name.xml" >"virt-install-$name.xml"
        if virsh -c "$uri" define "$tmp/$name.xml" >/dev/null; then
                virsh -c "$uri" dumpxml --inactive "$name" | rename_paths >"dumpxml-$name.xml"
                virsh -c "$uri" undefine --nvram "$name" >/dev/null 2>&1 || virsh -c "$uri" undefine "$name" >/dev/null
        fi
        echo "$name"
done
