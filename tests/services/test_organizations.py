"""Creating organisations: validation that refuses bad input with a message
and writes nothing, on SQLite and PostgreSQL."""

import pytest
from sqlmodel import Session, func, select

from portal_app.models import Organization
from portal_app.services import organizations
from portal_app.services.errors import Invalid


def _count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Organization)).one()


def test_create_trims_the_name_and_makes_a_slug(any_engine):
    with Session(any_engine) as session:
        org = organizations.create_organization(session, name="  Acme Ltd.  ")
        session.commit()
        assert (org.name, org.slug) == ("Acme Ltd.", "acme-ltd")
        assert org.created_at.tzinfo is not None


def test_slugs_stay_unique(any_engine):
    with Session(any_engine) as session:
        a = organizations.create_organization(session, name="Acme")
        b = organizations.create_organization(session, name="ACME")
        session.commit()
        assert (a.slug, b.slug) == ("acme", "acme-2")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Company name is required."),
        ("   \t ", "Company name is required."),
        (None, "Company name is required."),
        ("x" * 10_000, "Company name must be at most 200 characters."),
        (12345, "Company name must be text."),
        (["Acme"], "Company name must be text."),
        ("Acme\nLtd", "Company name must be a single line of text."),
        ("Acme\x00Ltd", "Company name must be a single line of text."),
    ],
)
def test_bad_names_are_refused_with_a_message_and_write_nothing(session, name, message):
    with pytest.raises(Invalid) as err:
        organizations.create_organization(session, name=name)
    assert err.value.message == message
    assert err.value.field == "company"
    session.rollback()
    assert _count(session) == 0


def test_html_in_a_name_is_kept_as_text(session):
    """Stored verbatim; the UI renders it as text (never as HTML)."""
    hostile = '<script>alert("x")</script> Acme'
    org = organizations.create_organization(session, name=hostile)
    assert org.name == hostile
    assert org.slug == "script-alert-x-script-acme"


def test_non_latin_names_get_a_fallback_slug(session):
    org = organizations.create_organization(session, name="株式会社")
    assert org.name == "株式会社" and org.slug == "org"
