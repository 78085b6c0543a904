#!/usr/bin/env bash
# Foreign-platform RUN steps and containers on this machine: Debian's qemu-user-static, registered
# with the kernel's binfmt_misc (mounted here when it is not; containers without systemd start
# without it). Registered with the fix-binary flag, so the emulator also runs inside containers.
set -euo pipefail
binfmt=/proc/sys/fs/binfmt_misc
if [ ! -e "$binfmt/status" ]; then
  [ "$(id -u)" = 0 ] || { echo "ensure-emulation: binfmt_misc is not mounted; mounting it needs root" >&2; exit 1; }
  mount -t binfmt_misc binfmt_misc "$binfmt"
fi
if [ ! -e "$binfmt/qemu-aarch64" ]; then
  command -v update-binfmts >/dev/null || { echo "ensure-emulation: needs qemu-user-static and binfmt-support (Debian)" >&2; exit 1; }
  update-binfmts --enable >/dev/null
fi
grep -q '^enabled' "$binfmt/qemu-aarch64" || { echo "ensure-emulation: qemu-aarch64 is registered but not enabled" >&2; exit 1; }
