"""Mentor profiles, the expertise taxonomy, conflicts of interest and startups' needs.

Services flush; the caller commits. Every refusal is a ``ServiceError`` naming the field.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from incubator.audit.services import record
from incubator.auth.models import Role, User
from incubator.cohorts.choices import SECTORS
from incubator.cohorts.models import Startup
from incubator.core.errors import ConflictError, ServiceError
from incubator.extensions import db
from incubator.mentoring.models import (
    ACTIVE_STATUSES,
    LANGUAGES,
    ExpertiseTag,
    Match,
    MentorConflict,
    MentorLanguage,
    MentorProfile,
    MentorSector,
    NeedPriority,
    StartupNeeds,
    StartupNeedTag,
)
from incubator.mentoring.models.profiles import MAX_CAPACITY
from incubator.progress.services import unique_or_conflict

MAX_NEED_TAGS = 12
MAX_EXPERTISE_TAGS = 15
DEFAULT_STARTUP_LANGUAGES = ("km", "en")


# The taxonomy ---------------------------------------------------------------------------------------


def save_tag(actor: User, tag: ExpertiseTag | None, data: dict) -> ExpertiseTag:
    """Add a tag to the taxonomy, or rename/re-describe one.

    :param tag: the tag to change, or ``None`` to add one.
    :param data: ``name``, ``category``, ``description``.
    :raises ConflictError: another tag already has this name (case-insensitive).
    """
    name = " ".join((data.get("name") or "").split())
    category = " ".join((data.get("category") or "").split())
    description = (data.get("description") or "").strip()
    if not name:
        raise ServiceError.on("name", _("Give the tag a name."))
    if len(name) > 80 or len(category) > 80:
        raise ServiceError.on("name" if len(name) > 80 else "category", _("Keep it under 80 characters."))
    if len(description) > 255:
        raise ServiceError.on("description", _("Keep the description under 255 characters."))
    taken = ConflictError.on("name", _("The taxonomy already has a tag called “%(name)s”.", name=name))
    same = sa.select(ExpertiseTag.id).where(sa.func.lower(ExpertiseTag.name) == name.lower())
    if tag is not None:
        same = same.where(ExpertiseTag.id != tag.id)
    if db.session.scalar(same):
        raise taken
    created = tag is None
    if created:
        tag = ExpertiseTag()
        db.session.add(tag)
    tag.name, tag.category, tag.description = name, category, description
    with unique_or_conflict(taken):
        db.session.flush()
    record(actor, "expertise_tag.created" if created else "expertise_tag.updated", tag)
    return tag


def set_tag_archived(actor: User, tag: ExpertiseTag, archived: bool) -> ExpertiseTag:
    """Archive a tag (kept where it is used, no longer offered) or bring it back."""
    if tag.archived != archived:
        tag.archived = archived
        db.session.flush()
        record(actor, "expertise_tag.updated", tag, archived=archived)
    return tag


def active_tags() -> list[ExpertiseTag]:
    """The taxonomy offered in forms, by category then name."""
    return list(db.session.scalars(
        sa.select(ExpertiseTag).where(ExpertiseTag.archived.is_(False))
        .order_by(ExpertiseTag.category, ExpertiseTag.name)))


def _tags(ids, allowed_archived: set[int], field: str) -> list[ExpertiseTag]:
    ids = sorted({int(i) for i in ids})
    tags = list(db.session.scalars(sa.select(ExpertiseTag).where(ExpertiseTag.id.in_(ids)))) if ids else []
    if len(tags) != len(ids) or any(t.archived and t.id not in allowed_archived for t in tags):
        raise ServiceError.on(field, _("Choose tags from the list."))
    return tags


# Mentor profiles ------------------------------------------------------------------------------------


def profile_for(mentor: User) -> MentorProfile | None:
    """The mentor's profile with its tags, languages and sectors loaded, or ``None``."""
    return db.session.scalar(
        sa.select(MentorProfile).where(MentorProfile.user_id == mentor.id)
        .options(selectinload(MentorProfile.expertise), selectinload(MentorProfile.language_rows),
                 selectinload(MentorProfile.sector_rows))
    )


def _codes(values, known, field: str, message: str, required: bool) -> list[str]:
    codes = sorted({str(v) for v in values or []})
    if any(code not in known for code in codes):
        raise ServiceError.on(field, _("Choose from the list."))
    if required and not codes:
        raise ServiceError.on(field, message)
    return codes


def save_profile(actor: User, mentor: User, data: dict) -> MentorProfile:
    """Create or update a mentor's profile.

    :param data: ``headline``, ``bio``, ``languages`` (codes of ``LANGUAGES``), ``other_languages``,
        ``sectors`` (codes of ``SECTORS``), ``capacity`` (0–20; 0 = not taking new startups), ``tag_ids``.
    :raises ServiceError: a field is not valid, or the account is not a mentor.
    """
    if mentor.role != Role.MENTOR:
        raise ServiceError(_("Only mentor accounts have a mentor profile."))
    errors: dict[str, list[str]] = {}

    def check(fn, *args):
        try:
            return fn(*args)
        except ServiceError as exc:
            for key, messages in exc.fields.items():
                errors.setdefault(key, []).extend(messages)
            return None

    headline = " ".join((data.get("headline") or "").split())
    bio = (data.get("bio") or "").strip()
    other = " ".join((data.get("other_languages") or "").split())
    if len(headline) > 160:
        errors["headline"] = [_("Keep the headline under 160 characters.")]
    if len(bio) > 5000:
        errors["bio"] = [_("Keep the biography under 5,000 characters.")]
    languages = check(_codes, data.get("languages"), LANGUAGES, "languages",
                      _("Choose at least one language you mentor in."), True)
    if languages and "other" in languages and not other:
        errors["other_languages"] = [_("Name the other languages you speak.")]
    if len(other) > 120:
        errors["other_languages"] = [_("Keep it under 120 characters.")]
    sectors = check(_codes, data.get("sectors"), SECTORS, "sectors", "", False)
    capacity = data.get("capacity")
    if not isinstance(capacity, int) or isinstance(capacity, bool) or not 0 <= capacity <= MAX_CAPACITY:
        errors["capacity"] = [_("Give a number from 0 to %(max)d.", max=MAX_CAPACITY)]
    profile = profile_for(mentor)
    current = {t.id for t in profile.expertise} if profile else set()
    tag_ids = data.get("tag_ids") or []
    if len(set(tag_ids)) > MAX_EXPERTISE_TAGS:
        errors["tag_ids"] = [_("Choose at most %(n)d areas of expertise.", n=MAX_EXPERTISE_TAGS)]
    tags = check(_tags, tag_ids, current, "tag_ids") if "tag_ids" not in errors else None
    if errors:
        raise ServiceError(_("Please correct the highlighted fields."), errors)

    if profile is None:
        profile = MentorProfile(user_id=mentor.id)
        db.session.add(profile)
    profile.headline, profile.bio, profile.capacity = headline, bio, capacity
    profile.other_languages = other if "other" in languages else ""
    profile.expertise = tags
    _replace_codes(profile.language_rows, languages, lambda code: MentorLanguage(mentor_id=mentor.id, code=code))
    _replace_codes(profile.sector_rows, sectors, lambda code: MentorSector(mentor_id=mentor.id, code=code))
    db.session.flush()
    record(actor, "mentor_profile.updated", mentor, label=mentor.name)
    return profile


def _replace_codes(rows: list, codes: list[str], make) -> None:
    wanted = set(codes)
    for row in [r for r in rows if r.code not in wanted]:
        rows.remove(row)
    have = {r.code for r in rows}
    rows.extend(make(code) for code in codes if code not in have)


def declare_conflict(actor: User, mentor: User, startup: Startup, reason: str = "") -> MentorConflict:
    """Record that ``mentor`` may not mentor ``startup``; matching will never pair them.

    :raises ConflictError: already declared, or the two are matched (end or decline the match first).
    """
    reason = " ".join((reason or "").split())
    if len(reason) > 255:
        raise ServiceError.on("reason", _("Keep the reason under 255 characters."))
    if mentor.role != Role.MENTOR:
        raise ServiceError(_("Only mentors declare conflicts of interest."))
    taken = ConflictError.on("startup_id", _("A conflict with %(startup)s is already declared.", startup=startup.name))
    exists = sa.select(MentorConflict.id).where(MentorConflict.mentor_id == mentor.id,
                                                MentorConflict.startup_id == startup.id)
    if db.session.scalar(exists):
        raise taken
    matched = db.session.scalar(sa.select(Match).where(Match.mentor_id == mentor.id, Match.startup_id == startup.id,
                                                       Match.status.in_(ACTIVE_STATUSES)).limit(1))
    if matched is not None:
        raise ConflictError.on("startup_id", _(
            "%(mentor)s is matched with %(startup)s. Decline or end that match first.",
            mentor=mentor.name, startup=startup.name))
    conflict = MentorConflict(mentor_id=mentor.id, startup_id=startup.id, reason=reason, declared_by_id=actor.id)
    with unique_or_conflict(taken):
        db.session.add(conflict)
    record(actor, "mentor_conflict.declared", mentor, label=mentor.name, startup=startup.name)
    return conflict


def remove_conflict(actor: User, conflict: MentorConflict) -> None:
    """Withdraw a declared conflict of interest."""
    record(actor, "mentor_conflict.removed", conflict.mentor, label=conflict.mentor.name,
           startup=conflict.startup.name)
    db.session.delete(conflict)
    db.session.flush()


# Startup needs --------------------------------------------------------------------------------------


def needs_for(startup: Startup) -> StartupNeeds | None:
    return db.session.scalar(
        sa.select(StartupNeeds).where(StartupNeeds.startup_id == startup.id).options(selectinload(StartupNeeds.tags)))


def save_needs(actor: User, startup: Startup, data: dict) -> StartupNeeds:
    """Set what help a startup wants from mentors.

    :param data: ``languages`` (at least one code of ``LANGUAGES``), ``tags`` (tag id → ``"must"`` or
        ``"nice"``), ``notes``.
    :raises ServiceError: a field is not valid.
    """
    errors: dict[str, list[str]] = {}
    try:
        languages = _codes(data.get("languages"), LANGUAGES, "languages",
                           _("Choose at least one language your team can be mentored in."), True)
    except ServiceError as exc:
        errors.update(exc.fields)
        languages = []
    notes = (data.get("notes") or "").strip()
    if len(notes) > 2000:
        errors["notes"] = [_("Keep the note under 2,000 characters.")]
    wanted = {int(k): v for k, v in (data.get("tags") or {}).items()}
    if any(v not in (NeedPriority.MUST.value, NeedPriority.NICE.value) for v in wanted.values()):
        errors["tags"] = [_("Choose must have or nice to have.")]
    elif len(wanted) > MAX_NEED_TAGS:
        errors["tags"] = [_("Choose at most %(n)d needs: the ones that matter most.", n=MAX_NEED_TAGS)]
    needs = needs_for(startup)
    current = {row.tag_id for row in needs.tags} if needs else set()
    if "tags" not in errors:
        try:
            _tags(wanted, current, "tags")
        except ServiceError as exc:
            errors.update(exc.fields)
    if errors:
        raise ServiceError(_("Please correct the highlighted fields."), errors)
    if needs is None:
        needs = StartupNeeds(startup_id=startup.id)
        db.session.add(needs)
    needs.languages, needs.notes, needs.updated_by_id = languages, notes, actor.id
    by_tag = {row.tag_id: row for row in needs.tags}
    for tag_id, row in by_tag.items():
        if tag_id not in wanted:
            needs.tags.remove(row)
    for tag_id, priority in sorted(wanted.items()):
        if tag_id in by_tag:
            by_tag[tag_id].priority = NeedPriority(priority)
        else:
            needs.tags.append(StartupNeedTag(startup_id=startup.id, tag_id=tag_id, priority=NeedPriority(priority)))
    db.session.flush()
    record(actor, "startup_needs.updated", startup, tags=len(wanted), languages=languages)
    return needs
