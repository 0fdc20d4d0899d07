"""Cross-cutting helpers shared by every domain: authorization, errors, i18n, uploads."""
