"""Demo data: a second run neither duplicates nor wipes."""

from sqlmodel import Session, select

from portal_app.models import Organization
from portal_app.services import accounts
from portal_app.services.demo import DEMO_ORGANIZATIONS, DEMO_PASSWORD, load_demo_data


def _names(engine) -> list[str]:
    with Session(engine) as s:
        return sorted(o.name for o in s.exec(select(Organization)))


def test_demo_data_loads_once(engine):
    with Session(engine) as s:
        first = load_demo_data(s)
        s.commit()
    with Session(engine) as s:
        second = load_demo_data(s)
        s.commit()
    assert all(line.startswith("created") for line in first)
    assert all(line.endswith("already present") for line in second)
    assert _names(engine) == sorted(org for org, _, _ in DEMO_ORGANIZATIONS)


def test_demo_logins_work(engine):
    with Session(engine) as s:
        load_demo_data(s)
        for _, _, email in DEMO_ORGANIZATIONS:
            assert accounts.login_with_password(s, email=email, password=DEMO_PASSWORD, ip="192.0.2.1").ticket


def test_demo_data_does_not_overwrite_changes(engine):
    with Session(engine) as s:
        load_demo_data(s)
        org = s.exec(select(Organization).where(Organization.slug == "acme-ltd")).one()
        org.name = "Acme Renamed"
        s.commit()
    with Session(engine) as s:
        load_demo_data(s)
        s.commit()
    assert "Acme Renamed" in _names(engine)
    assert len(_names(engine)) == len(DEMO_ORGANIZATIONS)
