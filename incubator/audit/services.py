"""Recording audit entries inside the caller's unit of work."""
from __future__ import annotations

from incubator.audit.models import AuditEntry
from incubator.extensions import db


def record(actor, action: str, target, label: str | None = None, **details) -> AuditEntry:
    """Append an audit entry in the current transaction.

    :param actor: the acting ``User`` or ``None`` for the public or the system.
    :param action: a dotted verb such as ``invitation.sent`` or ``application.accepted``.
    :param target: the model instance acted upon (must have been flushed).
    :param label: a human description of the target kept even if it is later renamed.
    :return: the new entry.
    """
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        action=action,
        target_type=type(target).__tablename__,
        target_id=target.id,
        target_label=(label if label is not None else str(getattr(target, "name", "") or getattr(target, "email", "")))[
            :255
        ],
        details={k: v for k, v in details.items() if v is not None},
    )
    db.session.add(entry)
    db.session.flush()
    return entry
