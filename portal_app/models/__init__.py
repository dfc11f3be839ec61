"""SQLModel tables. Importing this package registers every table on
`SQLModel.metadata`, which Alembic compares against the migrations."""

from portal_app.models.audit import AuditEvent
from portal_app.models.identity import (
    Invitation, LoginSession, Membership, OneTimeToken, Organization, RecoveryCode, Throttle, User,
)
from portal_app.models.mail import OutgoingMail

__all__ = ["AuditEvent", "Invitation", "LoginSession", "Membership", "OneTimeToken", "Organization", "OutgoingMail", "RecoveryCode", "Throttle", "User"]
