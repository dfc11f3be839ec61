"""Mail delivery as a job: queued after the commit that wrote the outbox row
(`services.mail.queue_mail`), retried with backoff by scheduling itself
again, and given up after `integrations.mail.MAX_ATTEMPTS` (shown in the
staff outbox, where an admin can send it again)."""

from __future__ import annotations

from portal_app.integrations import mail
from portal_app.jobs.queue import huey


@huey.task(name="mail.deliver")
def deliver_mail(mail_id: int) -> str:
    outcome = mail.deliver(mail_id)
    if outcome.retry_in is not None:
        deliver_mail.schedule((mail_id,), delay=outcome.retry_in)
    return outcome.status
