"""Command line: `python -m portal_app <command>`.

  migrate     bring the database schema to the newest migration
  seed-demo   add the demo data that is missing (safe to run again)
  seed-demo --if-empty
              add demo data only to a new, empty database, unless PORTAL_DEMO=0
              (what scripts/run.sh does on every start); then say how to sign in
  remove-demo delete the demo organisations and logins with everything that
              hangs off them (one transaction, audited)
  worker      run background jobs (mail, periodic tasks) in this process until
              stopped (Ctrl-C finishes the running jobs first); for when
              PORTAL_REDIS_URL is set, or PORTAL_JOBS_IN_PROCESS=0
  create-admin --email E --name N
              create a back-office admin (the password is asked for, or read
              from standard input with --password-stdin), or make an
              existing staff member an admin
"""

from __future__ import annotations

import argparse
import sys


def _migrate(_args: argparse.Namespace) -> int:
    from portal_app.migrations import upgrade_to_head
    from portal_app.settings import get_settings

    settings = get_settings()
    settings.secret_key  # noqa: B018  (generated and kept on first start)
    upgrade_to_head()
    print(f"==> database is at the newest schema ({settings.data_dir})")
    return 0


def _python() -> str:
    """How to call this Python from the project directory: the venv that
    scripts/setup.sh made is not active in the newcomer's own shell."""
    from pathlib import Path

    from portal_app.settings import PROJECT_ROOT

    venv = PROJECT_ROOT / ".venv"
    return ".venv/bin/python" if Path(sys.prefix).resolve() == venv.resolve() else "python"


def _print_sign_in_help(session) -> None:  # noqa: ANN001
    """Demo logins that still work (published password verified), and how to
    make the first admin when there is none."""
    from portal_app.services.demo import demo_logins, has_admin

    logins = demo_logins(session)
    if logins:
        print("==> demo logins (for trying the portal; `python -m portal_app remove-demo` removes them):")
        for line in logins:
            print(f"      {line}")
    if not has_admin(session):
        print("==> there is no back-office admin yet; create the first one with:")
        print(f"      {_python()} -m portal_app create-admin --email you@example.com --name 'Your Name'")


def _seed_demo(args: argparse.Namespace) -> int:
    from portal_app.db import session_scope
    from portal_app.services.demo import load_demo_data, seed_if_empty
    from portal_app.settings import get_settings

    with session_scope() as session:
        if not args.if_empty:
            lines = load_demo_data(session)
        elif not get_settings().demo_data:
            lines = ["PORTAL_DEMO=0: no demo data"]
        else:
            lines = seed_if_empty(session) or ["the database is not new: no demo data added"]
    for line in lines:
        print(f"==> {line}")
    with session_scope() as session:
        _print_sign_in_help(session)
    return 0


def _remove_demo(_args: argparse.Namespace) -> int:
    from portal_app.db import session_scope
    from portal_app.integrations.storage import get_storage
    from portal_app.services.demo import remove_demo

    with session_scope() as session:
        removal = remove_demo(session)
    storage = get_storage()
    for key in removal.file_keys:  # only once the rows are gone for good
        storage.delete(key)
    for line in removal.lines:
        print(f"==> {line}")
    with session_scope() as session:
        _print_sign_in_help(session)
    return 0


def _read_password(args: argparse.Namespace) -> str:
    import getpass

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password for the new admin: ")
    if getpass.getpass("Repeat it: ") != first:
        raise SystemExit("The two passwords are not the same.")
    return first


def _create_admin(args: argparse.Namespace) -> int:
    from portal_app.db import session_scope
    from portal_app.models import User
    from portal_app.services.errors import PortalError
    from portal_app.services.staff import create_admin

    try:
        with session_scope() as session:
            exists = session.query(User.id).filter(User.email == args.email.strip().lower()).first()
            password = "" if exists else _read_password(args)
            user, created = create_admin(session, email=args.email, name=args.name, password=password)
            email = user.email
    except PortalError as err:
        print(f"error: {err.message}", file=sys.stderr)
        return 2
    print(f"==> {'created admin' if created else 'made admin:'} {email}")
    return 0


def _worker(args: argparse.Namespace) -> int:
    import logging

    from portal_app.jobs import huey
    from portal_app.jobs.queue import consumer

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    print(f"==> running jobs from {type(huey.storage).__name__} with {args.workers} worker threads")
    consumer(workers=args.workers).run()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m portal_app", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=_migrate)
    seed = sub.add_parser("seed-demo", help="load demo data (idempotent)")
    seed.add_argument("--if-empty", action="store_true",
                      help="only into a new, empty database, and not with PORTAL_DEMO=0")
    seed.set_defaults(func=_seed_demo)
    sub.add_parser("remove-demo", help="delete the demo data (audited)").set_defaults(func=_remove_demo)
    worker = sub.add_parser("worker", help="run background jobs until stopped")
    worker.add_argument("--workers", type=int, default=2, help="threads running jobs (default 2)")
    worker.set_defaults(func=_worker)
    admin = sub.add_parser("create-admin", help="create a back-office admin")
    admin.add_argument("--email", required=True)
    admin.add_argument("--name", default="Administrator")
    admin.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    admin.set_defaults(func=_create_admin)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
