"""The statement of account: the balance brought forward, entries in date
order with the running balance, the closing balance; void invoices and
drafts left out; another organisation's documents never in it; who may
read it; the period's checks; CSV (injection guarded) and PDF; and the
same few SQL statements however many invoices."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
import time_machine
from pypdf import PdfReader
from sqlalchemy import update
from sqlmodel import Session

from portal_app.models import Organization
from portal_app.services import invoices, payments, statements
from portal_app.services.errors import Forbidden, Invalid, NotFound
from portal_app.services.principal import Principal
from tests.factories import ours_and_theirs, staff_admin, staff_member
from tests.permissions import join

LINES = [{"description": "Support plan", "quantity": "1", "unit_price": "300.00", "tax_rate": "20"}]  # £360


def _people(session: Session) -> dict[str, Principal]:
    people = ours_and_theirs(session)
    admin = staff_admin(session)
    people["staff"] = staff_member(session, admin, "billing")
    people["member"] = join(session, people["owner"], "mem@example.com", "member", "Mem Ber")
    people["billing"] = join(session, people["owner"], "bill@example.com", "billing", "Bill Payer")
    session.commit()
    return people


@pytest.fixture
def org(engine, seeded, session) -> dict[str, Principal]:
    return seeded(engine, _people)


def _ours(people) -> int:
    return people["owner"].current.org_id


def _theirs(people) -> int:
    return people["theirs"].current.org_id


def _issue(session: Session, staff: Principal, org_id: int, lines=LINES) -> invoices.Invoice:
    draft = invoices.do_create_draft(session, staff, org_id, lines=lines)
    invoice = invoices.do_issue(session, staff, draft.id)
    session.commit()
    return invoice


def _on(day: str):
    return time_machine.travel(f"{day} 10:00Z", tick=False)


@pytest.fixture
def history(session, org) -> dict[str, str]:
    """January: INV-1 (£360), £100 paid. February: INV-2 (£360), INV-3
    issued and voided, £60 credited on INV-1, £200 paid on INV-2 and £50 of
    it refunded; a draft; Theirs invoiced too."""
    staff = org["staff"]
    with _on("2026-01-10"):
        first = _issue(session, staff, _ours(org))
    with _on("2026-01-20"):
        payments.do_record_payment(session, staff, first.id, amount="100", method="bank_transfer", reference="BACS 1")
    with _on("2026-02-05"):
        second = _issue(session, staff, _ours(org))
        third = _issue(session, staff, _ours(org))
        invoices.do_void(session, staff, third.id, reason="Raised twice")
    with _on("2026-02-10"):
        note = invoices.do_credit(session, staff, first.id, amount="60", reason="Goodwill")
    with _on("2026-02-15"):
        payments.do_record_payment(session, staff, second.id, amount="200", method="card")
    with _on("2026-02-20"):
        payments.do_refund(session, staff, second.id, amount="50", method="card", reference="=HYPERLINK(\"x\")")
        invoices.do_create_draft(session, staff, _ours(org), lines=LINES)
        _issue(session, staff, _theirs(org))
    session.commit()
    return {"first": first.number, "second": second.number, "third": third.number, "note": note.number}


def test_a_month_with_its_balance_brought_forward_and_running_balance(session, org, history) -> None:
    result = statements.statement(session, org["owner"], _ours(org), since="2026-02-01", until="2026-02-28")
    assert (result.since, result.until, result.currency) == (date(2026, 2, 1), date(2026, 2, 28), "GBP")
    assert result.opening == 26000  # £360 invoiced less £100 paid in January
    rows = [(e.day.isoformat(), e.kind, e.number, e.debit, e.credit, e.balance) for e in result.entries]
    assert rows == [
        ("2026-02-05", "invoice", history["second"], 36000, 0, 62000),
        ("2026-02-10", "credit_note", history["note"], 0, 6000, 56000),
        ("2026-02-15", "payment", history["second"], 0, 20000, 36000),
        ("2026-02-20", "refund", history["second"], 5000, 0, 41000),
    ]
    assert result.closing == 41000 and (result.debits, result.credits) == (41000, 26000)
    assert history["third"] not in {e.number for e in result.entries}  # void: left out
    assert f"Credit for {history['first']}: Goodwill" == result.entries[1].description
    assert [e.description for e in result.entries[2:]] == ["Card", 'Card · =HYPERLINK("x")']  # how, and its reference


def test_the_closing_balance_is_what_is_owed(session, org, history) -> None:
    whole = statements.statement(session, org["owner"], _ours(org), since="2026-01-01", until="2026-03-31")
    assert whole.opening == 0 and [e.day.month for e in whole.entries] == [1, 1, 2, 2, 2, 2]
    owed = sum(invoices.balance(i) for i in session.exec(invoices.visible_to(org["owner"]).where(
        invoices.Invoice.org_id == _ours(org), invoices.Invoice.status != "void")).all())
    assert whole.closing == owed == 41000
    after = statements.statement(session, org["billing"], _ours(org), since="2026-03-01", until="2026-03-31")
    assert (after.opening, after.entries, after.closing) == (41000, [], 41000)
    before = statements.statement(session, org["owner"], _ours(org), since="2025-12-01", until="2025-12-31")
    assert (before.opening, before.entries, before.closing) == (0, [], 0)


def test_another_organisations_documents_never_appear(session, org, history) -> None:
    theirs = statements.statement(session, org["theirs"], _theirs(org), since="2026-01-01", until="2026-12-31")
    assert [e.kind for e in theirs.entries] == ["invoice"] and theirs.closing == 36000
    assert not {e.number for e in theirs.entries} & set(history.values())
    with pytest.raises(NotFound):
        statements.statement(session, org["theirs"], _ours(org), since="2026-01-01", until="2026-12-31")
    for wrong in ("1", None, 0, 2**63, True):
        with pytest.raises(NotFound):
            statements.statement(session, org["owner"], wrong)


def test_a_plain_member_is_refused_until_the_organisation_allows(session, org, history) -> None:
    with pytest.raises(Forbidden):
        statements.statement(session, org["member"], _ours(org), since="2026-01-01", until="2026-12-31")
    with pytest.raises(Forbidden):
        statements.statement_csv(session, org["member"], _ours(org))
    invoices.set_open_to_members(session, org["owner"], _ours(org), value=True)
    session.commit()
    allowed = statements.statement(session, org["member"], _ours(org), since="2026-01-01", until="2026-12-31")
    assert allowed.closing == 41000


def test_the_period_defaults_to_this_month_so_far(session, org, history) -> None:
    with _on("2026-02-18"):
        result = statements.statement(session, org["owner"], _ours(org))
    assert (result.since, result.until) == (date(2026, 2, 1), date(2026, 2, 18))
    assert [e.kind for e in result.entries] == ["invoice", "credit_note", "payment"]


@pytest.mark.parametrize("since, until, field, message", [
    ("2026-13-01", "", "since", "as a date"), ("yesterday", "", "since", "as a date"),
    ("", "2026-02-30", "until", "as a date"), (20260101, "", "since", "as a date"),
    ("2026-01-01T00:00:00", "", "since", "as a date"), (["2026-01-01"], "", "since", "as a date"),
    ("2026-03-01", "2026-02-01", "until", "before the start"),
    ("2020-01-01", "2025-01-02", "until", "at most 5 years"),
])
def test_bad_dates_are_refused_next_to_their_field(session, org, since, until, field, message) -> None:
    with pytest.raises(Invalid, match=message) as err:
        statements.statement(session, org["owner"], _ours(org), since=since, until=until)
    assert err.value.field == field


def test_five_years_exactly_is_allowed() -> None:
    assert statements.period("2020-02-29", "2025-02-28") == (date(2020, 2, 29), date(2025, 2, 28))


def test_csv_has_plain_decimals_the_currency_and_no_formulas(session, org, history) -> None:
    name, data = statements.statement_csv(session, org["owner"], _ours(org), since="2026-02-01", until="2026-02-28")
    assert name == "statement-2026-02-01-2026-02-28.csv"
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["date", "type", "number", "description", "debit", "credit", "balance", "currency"]
    assert rows[1] == ["2026-02-01", "Opening balance", "", "", "", "", "260.00", "GBP"]
    assert rows[2][:3] == ["2026-02-05", "Invoice", history["second"]] and rows[2][4:] == ["360.00", "", "620.00",
                                                                                             "GBP"]
    assert rows[5][1] == "Refund" and rows[5][4] == "50.00" and rows[5][6] == "410.00"
    assert '=HYPERLINK("x")' in rows[5][3]  # the reference, as text inside the description
    assert rows[-1] == ["2026-02-28", "Closing balance", "", "", "410.00", "260.00", "410.00", "GBP"]
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")) and (
                not cell.startswith("-") or statements.PLAIN_NUMBER.fullmatch(cell))


@pytest.mark.parametrize("cell, safe", [
    ("=1+2", "'=1+2"), ("+cmd", "'+cmd"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=x", "'\t=x"),
    ("-12.50", "-12.50"), ("12.50", "12.50"), ("Invoice", "Invoice"), ("", ""),
])
def test_a_cell_that_would_be_a_formula_is_text(cell, safe) -> None:
    assert statements.safe_cell(cell) == safe


def test_a_description_that_starts_like_a_formula_gets_an_apostrophe(session, org) -> None:
    invoice = _issue(session, org["staff"], _ours(org))
    invoices.do_credit(session, org["staff"], invoice.id, amount="10", reason="x")
    session.commit()
    session.execute(update(invoices.Invoice).where(invoices.Invoice.kind == "credit_note")
                    .values(memo="=cmd|' /C calc'!A0", credit_for_id=None))
    session.commit()
    rows = list(csv.reader(io.StringIO(statements.statement_csv(session, org["owner"], _ours(org))[1]
                                       .decode("utf-8-sig"))))
    assert "'=cmd|' /C calc'!A0" in [row[3] for row in rows]


def test_amounts_in_a_currency_without_decimals(session, org) -> None:
    session.execute(update(Organization).where(Organization.id == _ours(org)).values(currency="JPY"))
    session.commit()
    _issue(session, org["staff"], _ours(org), lines=[{"description": "Plan", "unit_price": "12000"}])
    rows = list(csv.reader(io.StringIO(statements.statement_csv(session, org["owner"], _ours(org))[1]
                                       .decode("utf-8-sig"))))
    assert rows[2][4:] == ["12000", "", "12000", "JPY"]
    text = PdfReader(io.BytesIO(statements.statement_pdf(session, org["owner"], _ours(org))[1])).pages[0].extract_text()
    assert "JP¥12,000" in text


def test_the_pdf_shows_the_period_entries_and_balances(session, org, history) -> None:
    session.execute(update(Organization).where(Organization.id == _ours(org)).values(legal_name="Ours Trading Ltd"))
    session.commit()
    name, data = statements.statement_pdf(session, org["owner"], _ours(org), since="2026-02-01", until="2026-02-28")
    assert name == "statement-2026-02-01-2026-02-28.pdf" and data.startswith(b"%PDF-")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    for expected in ("Statement of account", "Ours Trading Ltd", "1 Feb 2026 to 28 Feb 2026", "£260.00",
                     history["second"], history["note"], "£620.00", "£410.00", "Refund", "Balance brought forward"):
        assert expected in text, expected
    assert history["third"] not in text


def _many(session: Session, people, count: int) -> None:
    staff = people["staff"]
    for i in range(count):
        with _on("2026-01-05" if i % 2 else "2026-02-05"):
            invoice = _issue(session, staff, _ours(people))
        with _on("2026-02-10"):
            payments.do_record_payment(session, staff, invoice.id, amount="10", method="cash")
            if i % 3 == 0:
                invoices.do_credit(session, staff, invoice.id, amount="5", reason="Sorry")
    session.commit()


def _counted(session: Session, people) -> tuple[int, int]:
    from tests.factories import statements as sql_statements

    session.expire_all()
    with sql_statements(session) as seen:
        result = statements.statement(session, people["owner"], _ours(people), since="2026-02-01",
                                      until="2026-02-28")
    return len(seen), len(result.entries)


def test_the_same_few_statements_with_3_or_30_invoices(session, org) -> None:
    _many(session, org, 3)
    few, few_entries = _counted(session, org)
    _many(session, org, 27)
    many, many_entries = _counted(session, org)
    assert many_entries > few_entries * 5
    assert few == many <= 5


def test_staff_read_any_organisations_statement(session, org, history) -> None:
    ours = statements.statement(session, org["staff"], _ours(org), since="2026-01-01", until="2026-12-31")
    by_owner = statements.statement(session, org["owner"], _ours(org), since="2026-01-01", until="2026-12-31")
    assert (ours.opening, ours.closing, len(ours.entries)) == (by_owner.opening, by_owner.closing,
                                                               len(by_owner.entries))
    with pytest.raises(NotFound):
        statements.statement(session, org["staff"], 10**9)


def test_the_screen_shows_a_page_at_a_time_with_the_balance_brought_forward(session, org, history, monkeypatch) -> None:
    """A busy account's year is thousands of entries: the screen gets a page,
    each reading on its own from the balance before it."""
    monkeypatch.setattr(statements, "PAGE_SIZE", 4)
    whole = statements.statement(session, org["owner"], _ours(org), since="2026-01-01", until="2026-03-31")
    first = statements.statement_page(session, org["owner"], _ours(org), since="2026-01-01", until="2026-03-31")
    assert (first.entries.page, first.entries.pages, first.entries.total) == (1, 2, 6)
    assert first.entries.rows == whole.entries[:4] and first.brought == whole.opening
    second = statements.statement_page(session, org["owner"], _ours(org), since="2026-01-01", until="2026-03-31",
                                       page=2)
    assert second.entries.rows == whole.entries[4:] and second.brought == whole.entries[3].balance
    for wrong, shown in ((99, 2), (0, 1), (-3, 1), ("2", 1), (True, 1), (None, 1)):
        assert statements.statement_page(session, org["owner"], _ours(org), since="2026-01-01",
                                         until="2026-03-31", page=wrong).entries.page == shown
    empty = statements.statement_page(session, org["owner"], _ours(org), since="2025-12-01", until="2025-12-31")
    assert (empty.entries.rows, empty.entries.pages, empty.brought) == ([], 1, 0)
    with pytest.raises(NotFound):
        statements.statement_page(session, org["theirs"], _ours(org), page=1)
