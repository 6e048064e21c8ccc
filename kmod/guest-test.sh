#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# kmod/guest-test.sh: the tutorial's real kernel modules, loaded in a qemu
# guest and driven by the same lockbench harness as the Go locks.
#
#   bash kmod/guest-test.sh [OUTDIR]        (default kmod/out)
#
# It installs what it needs (Debian), builds hello.ko and counter.ko against
# the headers of the kernel it boots (clean on W=1) and a static lockbench,
# packs an initramfs whose /init runs, for each lock= of the counter module,
# insmod, lsmod, `lockbench run -path file -target /proc/counter` (with
# -mix read90 as well for the read-side locks rwlock, rwsem and seqlock),
# cat and rmmod, then the conformance sequence and dmesg, and powers off. It boots
# that under qemu (KVM where it really works, TCG otherwise) with a hard
# timeout and writes OUTDIR/results.txt (Go benchmark format, locks named
# kernel-mutex, kernel-spinlock, ...), OUTDIR/conformance.txt and
# OUTDIR/guest.log.
#
# It fails if a sound lock's final value is wrong, if lock=none loses no
# update (the negative control must bite), if a conformance line differs
# from kmod/conformance.golden, or if the guest does not power off in time.
#
# Tunables: GUEST_G (goroutines, default 1,2,8), GUEST_DURATION (per trial,
# default 500ms), GUEST_COUNT (default 2), GUEST_TIMEOUT (seconds, default
# 600).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-$repo/kmod/out}" && cd "${1:-$repo/kmod/out}" && pwd)
G=${GUEST_G:-1,2,8}
D=${GUEST_DURATION:-500ms}
C=${GUEST_COUNT:-2}
T=${GUEST_TIMEOUT:-600}
locks="mutex spinlock atomic percpu rwlock rwsem seqlock none"
sound="mutex spinlock atomic percpu rwlock rwsem seqlock"

log() { echo "guest-test: $*" >&2; }
die() { echo "guest-test: FAIL: $*" >&2; exit 1; }

# 1. Tools.
missing=()
command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86)
dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static) # static: the initramfs has no libc
command -v cpio >/dev/null || missing+=(cpio)
command -v modinfo >/dev/null || missing+=(kmod)
command -v make >/dev/null && command -v gcc >/dev/null || missing+=(build-essential)
dpkg -s linux-headers-amd64 >/dev/null 2>&1 || missing+=(linux-headers-amd64)
if [ ${#missing[@]} -gt 0 ]; then
	log "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The headers and the image must be the same ABI: read it from the metapackage.
kver=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 | sed -n 's/.*linux-headers-\([^ ,]*\).*/\1/p')
[ -n "$kver" ] || die "cannot tell the kernel ABI from linux-headers-amd64"
vmlinuz="$out/vmlinuz-$kver"
if [ ! -s "$vmlinuz" ]; then
	# apt-get download, not install: installing an image runs update-initramfs.
	log "fetching the kernel image linux-image-$kver"
	dl=$(mktemp -d)
	chmod 777 "$dl" # apt downloads as its _apt user, which must write here
	(cd "$dl" && apt-get download -qq "linux-image-$kver" && dpkg-deb -x linux-image-*.deb x)
	cp "$dl/x/boot/vmlinuz-$kver" "$vmlinuz"
	rm -rf "$dl"
fi

# 2. The modules (clean on W=1) and a static lockbench.
log "building the modules against linux-headers-$kver"
build_log=$(make -C "$repo/kmod" KVER="$kver" W=1 2>&1) || { echo "$build_log"; die "make -C kmod failed"; }
if grep -q 'warning:' <<<"$build_log"; then echo "$build_log"; die "the modules are not clean on W=1"; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/root"
mkdir -p "$root"/{bin,proc,sys,dev,tmp,out}
(cd "$repo" && CGO_ENABLED=0 go build -trimpath -o "$root/lockbench" ./cmd/lockbench)
cp /bin/busybox "$root/bin/busybox"
cp "$repo/kmod/hello.ko" "$repo/kmod/counter.ko" "$root/"

# 3. The guest's /init.
accel=(-accel tcg,thread=multi -cpu max)
mode=tcg
if [ -e /dev/kvm ] && grep -qE '^kvm_(intel|amd) ' /proc/modules; then
	accel=(-accel kvm -cpu host)
	mode=kvm
fi
cat >"$root/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo "=== guest \$(uname -r) mode=$mode cpus=\$(nproc)"
for lock in $locks; do
	insmod /counter.ko lock=\$lock || echo "=== insmod failed \$lock"
	lsmod
	case \$lock in
	rwlock|rwsem|seqlock) mix=incdec,read90 ;; # the read side: cat /proc/counter takes it
	*) mix=incdec ;;
	esac
	/lockbench run -path file -target /proc/counter -locks kernel-\$lock -g $G -mix \$mix \\
		-duration $D -count $C -precision 0 -label emulation=$mode -label guest=qemu -o /out/\$lock >/out/\$lock.table 2>/out/\$lock.err
	echo "=== run kernel-\$lock rc=\$?"
	grep -o 'lost updates' /out/\$lock.err | head -1 | sed 's/^/=== bite kernel-'\$lock' /'
	grep '^lockbench: ' /out/\$lock.err | grep -v '^lockbench: [0-9]* trials' | head -3 | sed 's/^/=== err kernel-'\$lock' /'
	echo "=== value kernel-\$lock \$(cat /proc/counter)"
	rmmod counter
done
insmod /counter.ko lock=bogus 2>/dev/null || echo "=== insmod lock=bogus refused"
insmod /counter.ko lock=mutex
insmod /hello.ko
echo "=== conformance-begin"
/lockbench conformance -uid 65534 -rmmod "rmmod counter" /proc
echo "=== conformance-end"
rmmod hello
for lock in $locks; do
	echo "=== results-begin \$lock"
	cat /out/\$lock/results.txt 2>/dev/null
	echo "=== results-end \$lock"
done
echo "=== dmesg-begin"
dmesg | grep -E 'counter|hello'
echo "=== dmesg-end"
echo "=== poweroff"
poweroff -f
EOF
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initramfs.gz"

# 4. Boot.
log "booting $kver under qemu ($mode), timeout ${T}s"
set +e
timeout "$T" qemu-system-x86_64 -smp 2 -m 512 -nographic -no-reboot -nic none \
	"${accel[@]}" -kernel "$vmlinuz" -initrd "$work/initramfs.gz" \
	-append "console=ttyS0 quiet panic=-1 loglevel=3" </dev/null 2>&1 | tr -d '\r' >"$out/guest.log"
rc=${PIPESTATUS[0]}
set -e
[ "$rc" -ne 124 ] || die "the guest did not power off within ${T}s (see $out/guest.log)"
grep -q '^=== poweroff' "$out/guest.log" || die "the guest stopped before its end, qemu status $rc (see $out/guest.log)"

# 5. Results.
awk '/^=== results-begin/{on=1; next} /^=== results-end/{on=0} on' "$out/guest.log" >"$out/results.txt"
awk '/^=== conformance-begin/{on=1; next} /^=== conformance-end/{on=0} on' "$out/guest.log" >"$out/conformance.txt"
grep '^=== ' "$out/guest.log" | grep -vE '^=== (results|conformance)-(begin|end)' >&2 || true

# 6. Verdicts.
for lock in $sound; do
	grep -qx "=== run kernel-$lock rc=0" "$out/guest.log" || die "lock=$lock: the run failed or its final value was wrong (see $out/guest.log)"
done
grep -qx "=== bite kernel-none lost updates" "$out/guest.log" || die "lock=none lost no update: the negative control did not bite"
grep -qx "=== insmod lock=bogus refused" "$out/guest.log" || die "insmod counter lock=bogus was not refused"
diff -u "$repo/kmod/conformance.golden" "$out/conformance.txt" >&2 || die "the real kernel's conformance answers differ from kmod/conformance.golden"
[ -s "$out/results.txt" ] || die "no results came back from the guest"
log "SUCCESS: $(grep -c '^Benchmark' "$out/results.txt") results in $out/results.txt; compare with: lockbench report $out/results.txt"
