#!/usr/bin/env bash
# Installs what the platform and its tests need from the operating system and
# that a fresh machine of this kind lacks:
#   - Chromium (Debian package) for the Playwright browser tests,
#   - Noto CJK fonts so PDFs (Typst, embedded as subsets) and screenshots render Chinese.
# Idempotent: does nothing when everything is already present.
set -euo pipefail

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || need+=(fonts-noto-cjk)
command -v fc-list >/dev/null 2>&1 || need+=(fontconfig)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

echo "安装系统依赖 / installing system packages: ${need[*]}"
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fc-cache -f >/dev/null 2>&1 || true
