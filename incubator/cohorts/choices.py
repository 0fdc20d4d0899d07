"""Fixed vocabularies (sectors, stages, provinces, genders) with translatable labels."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

SECTORS = {
    "agritech": _l("Agritech"),
    "digital": _l("Digital / ICT"),
    "biotech": _l("Biotech"),
    "food": _l("Food processing"),
    "clean_energy": _l("Clean energy"),
    "manufacturing": _l("Manufacturing"),
    "health": _l("Health"),
    "education": _l("Education"),
    "other": _l("Other"),
}

STAGES = {
    "idea": _l("Idea"),
    "prototype": _l("Prototype / MVP"),
    "early_revenue": _l("Early revenue"),
    "growth": _l("Growth"),
}

PROVINCES = {
    "phnom_penh": _l("Phnom Penh"),
    "banteay_meanchey": _l("Banteay Meanchey"),
    "battambang": _l("Battambang"),
    "kampong_cham": _l("Kampong Cham"),
    "kampong_chhnang": _l("Kampong Chhnang"),
    "kampong_speu": _l("Kampong Speu"),
    "kampong_thom": _l("Kampong Thom"),
    "kampot": _l("Kampot"),
    "kandal": _l("Kandal"),
    "kep": _l("Kep"),
    "koh_kong": _l("Koh Kong"),
    "kratie": _l("Kratie"),
    "mondulkiri": _l("Mondulkiri"),
    "oddar_meanchey": _l("Oddar Meanchey"),
    "pailin": _l("Pailin"),
    "preah_sihanouk": _l("Preah Sihanouk"),
    "preah_vihear": _l("Preah Vihear"),
    "prey_veng": _l("Prey Veng"),
    "pursat": _l("Pursat"),
    "ratanakiri": _l("Ratanakiri"),
    "siem_reap": _l("Siem Reap"),
    "stung_treng": _l("Stung Treng"),
    "svay_rieng": _l("Svay Rieng"),
    "takeo": _l("Takeo"),
    "tbong_khmum": _l("Tbong Khmum"),
    "outside": _l("Outside Cambodia"),
}

GENDERS = {
    "female": _l("Female"),
    "male": _l("Male"),
    "other": _l("Another gender"),
    "undisclosed": _l("Prefer not to say"),
}


def choices(vocabulary: dict) -> list[tuple[str, str]]:
    return list(vocabulary.items())


def label(vocabulary: dict, key: str | None) -> str:
    return str(vocabulary.get(key, key or ""))
