"""Command line: `python -m portal_app <command>`.

  migrate     bring the database schema to the newest migration
  seed-demo   add the demo data that is missing (safe to run again)
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m portal_app", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=_migrate)
    sub.add_parser("seed-demo", help="load demo data (idempotent)").set_defaults(func=_seed_demo)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
