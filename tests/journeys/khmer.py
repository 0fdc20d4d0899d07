"""Find English left on a page shown in Khmer: a heuristic, reported text by text for the translators.

Every text node and every text attribute people meet (labels for screen readers, titles, placeholders, button
values, select options) is collected in the browser. Data is not UI: the names, titles and notes stored in the
journey server's database are removed first, then emails, web addresses, time zone names and, next to Khmer
text, an English term given in brackets. Whatever still contains a Latin word, other than a short allow-list of
codes that stay Latin in Khmer too (USD, KPI, PDF…), is reported.
"""
from __future__ import annotations

import re
import sqlite3

# Codes and names that are written in Latin letters in Khmer text as well.
ALLOWED = {"USD", "KHR", "KPI", "KPIs", "CSV", "PDF", "API", "URL", "MVP", "ID", "OK", "PNG", "JPG", "JPEG", "SVG",
           "English", "TBI", "Stripe", "Bearer", "Authorization", "TOKEN", "https", "http", "www", "Google", "Zoom",
           "Meet", "Telegram", "Excel", "UTC", "GMT", "ICT", "Wi-Fi", "WiFi"}
# Stored values longer than this (emails in the outbox, report snapshots) are not looked for on pages.
MAX_DATA_LENGTH = 600
FREE_TEXT_COLUMNS = ("unit", "name", "title")
TEXTS_JS = """() => {
  const skip = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "TEXTAREA", "CODE", "PRE"]);
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.parentElement && !skip.has(node.parentElement.tagName) && node.textContent.trim()) {
      texts.push(node.textContent.trim());
    }
  }
  const labelled = "[aria-label], [title], [placeholder], [alt], input[type=submit][value]";
  for (const el of document.querySelectorAll(labelled)) {
    for (const name of ["aria-label", "title", "placeholder", "alt"]) {
      if (el.getAttribute(name)) texts.push(el.getAttribute(name).trim());
    }
    if (el.matches("input[type=submit]")) texts.push(el.value.trim());
  }
  texts.push(document.title);
  return texts;
}"""
EMAIL = re.compile(r"\S+@\S+")
URL = re.compile(r"(https?://|/)\S*")
TIME_ZONE = re.compile(r"\b[A-Z][A-Za-z]+/[A-Za-z_/+-]+")
KHMER = re.compile("[\u1780-\u17ff]")
GLOSS = re.compile(r"\([A-Za-z][A-Za-z \-]*\)")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*[A-Za-z]|[A-Za-z]")


def looks_typed(value: str) -> bool:
    """Names, titles and notes have a space, a capital, a digit or an @; enum values and codes are one lowercase
    word, and are not treated as data (an English enum value on a Khmer page is a missing label)."""
    return len(value) <= MAX_DATA_LENGTH and any(c.isspace() or c.isupper() or c.isdigit() or c == "@" for c in value)


def short(value: str) -> bool:
    return len(value) <= MAX_DATA_LENGTH


def data_strings(database) -> list[str]:
    """Every stored text that looks typed by a person, longest first (a title goes before a name inside it)."""
    values: set[str] = set()
    with sqlite3.connect(database) as conn:
        tables = [name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            columns = [row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')
                       if any(kind in (row[2] or "").upper() for kind in ("CHAR", "TEXT", "CLOB"))]
            for column in columns:
                for (value,) in conn.execute(f'SELECT DISTINCT "{column}" FROM "{table}"'):  # noqa: S608 (schema names)
                    # A unit, name or title is typed even when it is one lowercase word ("farmers").
                    typed = looks_typed if not column.endswith(FREE_TEXT_COLUMNS) else short
                    if isinstance(value, str) and value.strip() and typed(value.strip()):
                        values.add(value.strip())
    return sorted(values, key=len, reverse=True)


def leftover_english(text: str, data: list[str]) -> bool:
    for value in data:
        if value in text:
            text = text.replace(value, " ")
    text = TIME_ZONE.sub(" ", URL.sub(" ", EMAIL.sub(" ", text)))
    if KHMER.search(text):
        text = GLOSS.sub(" ", text)  # a Khmer term followed by the English one in brackets, on purpose
    return any(word not in ALLOWED and len(word) > 1 for word in LATIN_WORD.findall(text))


def untranslated_english(page, server) -> list[str]:
    """Distinct texts on ``page`` that still contain English words."""
    data = data_strings(server.database)
    found = []
    for text in page.evaluate(TEXTS_JS):
        if leftover_english(text, data) and text not in found:
            found.append(text[:120])
    return found
