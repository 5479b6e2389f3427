#!/usr/bin/env bash
# Refresh the front-end files Docket serves itself (no CDN at run time) and the axe-core
# copy the browser tests inject. Run by hand when upgrading; the results are committed.
#   scripts/vendor-assets.sh
set -euo pipefail
GOVUK_FRONTEND=5.14.0
HTMX=2.0.7
AXE=4.11.0
SASS=1.93.2

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
npm init -y >/dev/null
npm install --silent --no-audit --no-fund \
  "govuk-frontend@$GOVUK_FRONTEND" "htmx.org@$HTMX" "axe-core@$AXE" "sass@$SASS"

dest="$root/static/vendor"
rm -rf "$dest"
mkdir -p "$dest/govuk-frontend" "$dest/htmx"
cp -r node_modules/govuk-frontend/dist/govuk/assets "$dest/govuk-frontend/assets"
rm -rf "$dest/govuk-frontend/assets/fonts"   # council branding: Arial, not GDS Transport
cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js "$dest/govuk-frontend/"
echo "govuk-frontend $GOVUK_FRONTEND, MIT licence, Crown copyright (Government Digital Service)" > "$dest/govuk-frontend/LICENSE.txt"
cp node_modules/htmx.org/dist/htmx.min.js "$dest/htmx/"
cp node_modules/htmx.org/LICENSE "$dest/htmx/LICENSE"

# GOV.UK Frontend's styles, compiled with the council's font and without the crown's typeface.
cat > docket-govuk.scss <<'SCSS'
$govuk-font-family: arial, sans-serif;
$govuk-include-default-font-face: false;
$govuk-assets-path: "/static/vendor/govuk-frontend/assets/";
@import "govuk-frontend/dist/govuk/index";
SCSS
npx sass --no-source-map --style=compressed --quiet-deps --silence-deprecation=import \
  --load-path=node_modules docket-govuk.scss "$dest/govuk-frontend/govuk-frontend.min.css"

mkdir -p "$root/tests/vendor"
cp node_modules/axe-core/axe.min.js "$root/tests/vendor/axe.min.js"
cp node_modules/axe-core/LICENSE "$root/tests/vendor/axe-core-LICENSE"
echo "Vendored govuk-frontend $GOVUK_FRONTEND, htmx $HTMX, axe-core $AXE"
