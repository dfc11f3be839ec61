"""Command line: `python -m portal_app <command>`.

  migrate     bring the database schema to the newest migration
  seed-demo   add the demo data that is missing (safe to run again)
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


def _seed_demo(_args: argparse.Namespace) -> int:
    from portal_app.db import session_scope
    from portal_app.services.demo import demo_logins, load_demo_data

    with session_scope() as session:
        lines = load_demo_data(session)
    for line in lines:
        print(f"==> {line}")
    print("==> demo logins (for trying the portal; remove them before real use):")
    for line in demo_logins():
        print(f"      {line}")
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m portal_app", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=_migrate)
    sub.add_parser("seed-demo", help="load demo data (idempotent)").set_defaults(func=_seed_demo)
    admin = sub.add_parser("create-admin", help="create a back-office admin")
    admin.add_argument("--email", required=True)
    admin.add_argument("--name", default="Administrator")
    admin.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    admin.set_defaults(func=_create_admin)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
