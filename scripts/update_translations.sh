#!/usr/bin/env bash
# Refresh the translation catalogs: extract every marked string into messages.pot, merge it into
# each language's messages.po, then compile the .mo files Flask-Babel loads (build output, git-ignored).
#   scripts/update_translations.sh          extract, update, compile
#   scripts/update_translations.sh --check  the same, then fail if a catalog has fuzzy entries to review
set -euo pipefail

cd "$(dirname "$0")/.."
PYBABEL="${PYBABEL:-.venv/bin/pybabel}"
PYTHON="${PYTHON:-.venv/bin/python}"
TRANSLATIONS=incubator/translations
POT="$TRANSLATIONS/messages.pot"
LOCALES="km"

# Only the two source folders: scanning "." would also walk .venv, tests and migrations.
"$PYBABEL" --quiet extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 --no-wrap \
    --project=Incubator --version=1.0 --copyright-holder=Incubator -o "$POT" incubator templates

# WTForms ships no Khmer for its built-in validator messages ("This field is required."). Carry them in our
# catalog so they are translated too once the forms' Meta.get_translations returns Flask-Babel's catalog.
"$PYTHON" - "$POT" <<'PY'
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po
from wtforms.i18n import messages_path

pot_path = Path(sys.argv[1])
with pot_path.open("rb") as handle:
    pot = read_po(handle)
with (Path(messages_path()) / "wtforms.pot").open("rb") as handle:
    wtforms_pot = read_po(handle)
for message in wtforms_pot:
    if message.id and message.id not in pot:
        pot.add(message.id, flags=message.flags, auto_comments=["WTForms built-in validator message"])
with pot_path.open("wb") as handle:
    write_po(handle, pot, width=None)
PY

for locale in $LOCALES; do
    if [[ ! -f "$TRANSLATIONS/$locale/LC_MESSAGES/messages.po" ]]; then
        "$PYBABEL" --quiet init -i "$POT" -d "$TRANSLATIONS" -l "$locale" --no-wrap
    fi
done

# New and changed strings arrive untranslated (English is shown until translated). No fuzzy matching:
# a guessed translation from a similar string can carry other placeholders, and then compile fails.
"$PYBABEL" --quiet update -i "$POT" -d "$TRANSLATIONS" --ignore-obsolete --no-fuzzy-matching --no-wrap

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
