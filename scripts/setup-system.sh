#!/usr/bin/env bash
# System packages the test suites need (see ../../shared/peers.md, README "Tests").
# - all present: say nothing, exit 0
# - some missing, root with apt-get: apt-get update + install them (non-interactive)
# - otherwise: print what is missing and how to install it, exit 0 — the test helpers decide
#   (a missing peer is a skip locally and a failure under CI=true).
set -uo pipefail

# package → a file that package installs
declare -A probe=(
  [openssh-server]=/usr/sbin/sshd
  [openssh-client]=/usr/bin/ssh
  [tshark]=/usr/bin/tshark
  [tcpdump]=/usr/bin/tcpdump
  [sshpass]=/usr/bin/sshpass
  [chromium]=/usr/bin/chromium
  # a CJK font, so that the 简体中文 screenshots of the browser tests are readable
  [fonts-wqy-microhei]=/usr/share/fonts/truetype/wqy/wqy-microhei.ttc
)
order=(openssh-server openssh-client tshark tcpdump sshpass chromium fonts-wqy-microhei)

missing=()
for pkg in "${order[@]}"; do
  [ -e "${probe[$pkg]}" ] || missing+=("$pkg")
done

is_root=0
[ "$(id -u)" = 0 ] && is_root=1

ensure_run_sshd() {
  # sshd's privilege-separation directory; /run is a tmpfs, so it vanishes on reboot.
  if [ "$is_root" = 1 ] && [ ! -d /run/sshd ]; then
    mkdir -p /run/sshd && chmod 0755 /run/sshd
  fi
}

if [ "${#missing[@]}" -eq 0 ]; then
  ensure_run_sshd
  exit 0
fi

echo "[sshscope] system packages missing for the test suites: ${missing[*]}" >&2

if [ "$is_root" = 1 ] && command -v apt-get >/dev/null 2>&1; then
  echo "[sshscope] installing them with apt-get (running as root)" >&2
  export DEBIAN_FRONTEND=noninteractive
  # tshark asks whether non-root users may capture; answer no without a prompt.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
  # If another apt holds the lock, wait for it (never kill it): up to 5 minutes.
  lock_wait=(-o DPkg::Lock::Timeout=300)
  if apt-get "${lock_wait[@]}" update && \
     apt-get "${lock_wait[@]}" install -y --no-install-recommends "${missing[@]}"; then
    ensure_run_sshd
    still=()
    for pkg in "${missing[@]}"; do [ -x "${probe[$pkg]}" ] || still+=("$pkg"); done
    if [ "${#still[@]}" -eq 0 ]; then
      echo "[sshscope] installed: ${missing[*]}" >&2
      exit 0
    fi
    echo "[sshscope] apt-get finished but these are still missing: ${still[*]}" >&2
  else
    echo "[sshscope] apt-get failed; the suites that need these packages will be skipped (or fail under CI)" >&2
  fi
  exit 0
fi

cat >&2 <<EOF
[sshscope] not installing them (needs root and apt-get). To install on Debian/Ubuntu:
  sudo apt-get update
  echo "wireshark-common wireshark-common/install-setuid boolean false" | sudo debconf-set-selections
  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}
[sshscope] suites that need them are skipped locally and FAIL under CI=true.
EOF
ensure_run_sshd
exit 0
