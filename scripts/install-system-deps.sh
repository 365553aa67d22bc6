#!/usr/bin/env bash
# Install the Debian packages the tests need, only those whose command or file is missing.
# Run by `make test`; safe to run again (it does nothing when everything is there).
set -euo pipefail

needed=()
need() {  # need <package> <command | /absolute/path | lib:soname>
  local package=$1 probe=$2
  case $probe in
    /*) [[ -e $probe ]] && return 0 ;;
    lib:*) /sbin/ldconfig -p | grep -q "${probe#lib:}" && return 0 ;;
    *) command -v "$probe" >/dev/null && return 0 ;;
  esac
  needed+=("$package")
}

need chromium /usr/bin/chromium          # browser tests (driven by Playwright, never downloaded)
need poppler-utils pdftotext             # PDF tests read text back
need gettext msgfmt                      # translation tests: GNU msgfmt checks the PO files
need fonts-dejavu-core /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
need fonts-noto-cjk /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc  # Chinese PDFs (other fonts ship inside coursepack)
need libpango-1.0-0 lib:libpango-1.0.so.0   # WeasyPrint
need libpangoft2-1.0-0 lib:libpangoft2-1.0.so.0
need default-jre-headless java          # the Nu HTML checker (vnu.jar, from tests/package.json)
# Node.js may come from another package source that bundles npm; only add Debian's when absent.
need nodejs node
need npm npm

if ((${#needed[@]} == 0)); then
  exit 0
fi
echo "installing Debian packages: ${needed[*]}"
sudo=""
[[ $(id -u) -ne 0 ]] && sudo=sudo
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${needed[@]}"
