#!/usr/bin/env bash
# Renders a bundle's report, data/index.html, to a PNG with headless Chromium, to check that
# it reads well in a real browser. Usage: scripts/report-png.sh BUNDLE OUTPUT.png
# Chromium gets a proxy on a closed loopback port and its background services turned off,
# so nothing leaves the machine even if the page (or Chromium itself) tried to.
set -euo pipefail

BUNDLE=$1
OUTPUT=$2
BROWSER=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$BROWSER" ]; then
    echo "chromium is not installed: run make report-png, which installs it from Debian" >&2
    exit 2
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
tar -xf "$BUNDLE" -C "$WORK"
REPORT=$(find "$WORK" -mindepth 3 -maxdepth 3 -path '*/data/index.html' | head -n 1)
if [ -z "$REPORT" ]; then
    echo "no data/index.html found in $BUNDLE" >&2
    exit 2
fi

# --no-sandbox: Chromium refuses to start its sandbox as root, which CI containers often are.
"$BROWSER" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --disable-extensions \
    --disable-default-apps --no-pings --proxy-server=127.0.0.1:9 --user-data-dir="$WORK/profile" \
    --window-size=1280,${REPORT_HEIGHT:-3400} --screenshot="$WORK/report.png" "file://$REPORT" 2>"$WORK/chromium.log" || {
    cat "$WORK/chromium.log" >&2
    exit 2
}
mv "$WORK/report.png" "$OUTPUT"
echo "rendered $REPORT from $BUNDLE to $OUTPUT"
