#!/usr/bin/env bash
# Refresh the translation catalogs: extract every marked string into messages.pot, merge it into
# each language's messages.po, then compile the .mo files Flask-Babel loads (build output, git-ignored).
#   scripts/update_translations.sh          extract, update, compile
#   scripts/update_translations.sh --check  the same, then fail if a catalog has fuzzy entries to review
set -euo pipefail

cd "$(dirname "$0")/.."
PYBABEL="${PYBABEL:-.venv/bin/pybabel}"
TRANSLATIONS=incubator/translations
POT="$TRANSLATIONS/messages.pot"
LOCALES="km"

# Only the two source folders: scanning "." would also walk .venv, tests and migrations.
"$PYBABEL" --quiet extract -F babel.cfg -k _l -k lazy_gettext --no-wrap \
    --project=Incubator --copyright-holder=Incubator -o "$POT" incubator templates

for locale in $LOCALES; do
    if [[ ! -f "$TRANSLATIONS/$locale/LC_MESSAGES/messages.po" ]]; then
        "$PYBABEL" --quiet init -i "$POT" -d "$TRANSLATIONS" -l "$locale" --no-wrap
    fi
done

# New strings arrive untranslated; changed ones arrive fuzzy, which gettext never shows, until reviewed.
"$PYBABEL" --quiet update -i "$POT" -d "$TRANSLATIONS" --ignore-obsolete --no-wrap

"$PYBABEL" compile -d "$TRANSLATIONS" --statistics

if [[ "${1:-}" == "--check" ]]; then
    status=0
    for po in "$TRANSLATIONS"/*/LC_MESSAGES/messages.po; do
        if grep -q '^#, .*fuzzy' "$po"; then
            echo "$po: fuzzy entries need review" >&2
            status=1
        fi
    done
    exit "$status"
fi
