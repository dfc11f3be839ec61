"""Background jobs on huey: one queue (`queue.huey`), tasks by domain
(`mail.py`), and every periodic task declared in `periodic.py`.

Importing this package registers every task, which a consumer needs before it
starts (the in-process one and `python -m portal_app worker` both import it)."""

from portal_app.jobs import mail, periodic  # noqa: F401  (registers the tasks)
from portal_app.jobs.queue import huey  # noqa: F401
