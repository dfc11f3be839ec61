"""The document handlers under a hostile client (Reflex's websocket spoken
directly): no session, another organisation's folder, document and file
ids, file ids of uploads that are not the caller's, roles and
organisation ids in payloads, customers calling the staff's share. Nothing
changes that should not and nothing leaks."""

from __future__ import annotations

import json

from sqlmodel import select

from portal_app.models import Document, DocumentVersion, Folder, StoredFile
from portal_app.services import documents, files
from portal_app.state.documents import DocumentsState, DocumentState, StaffDocumentsState
from tests.browser.accounts_helpers import portal_session
from tests.browser.test_hostile_client import _person
from tests.browser.test_hostile_console import _staff_cookie
from tests.ws_client import ReflexClient, handler_name

SECRET = "Victim-confidential-merger-plan"


def _victim(portal, prefix: str) -> tuple[str, int, int, int, int]:
    """A new organisation with a folder and a document: (cookie, org, folder, document, file ids)."""
    cookie, _, victim = _person(portal, prefix)
    with portal_session(portal) as session:
        org_id = victim.current.org_id
        folder = documents.create_folder(session, victim, org_id, name=f"{SECRET} folder")
        stored = files.store(session, victim, org_id, kind=documents.KIND, filename=f"{SECRET}.txt",
                             chunks=[SECRET.encode()])
        (document,) = documents.add_files(session, victim, folder.id, [stored.id])
        session.commit()
        return cookie, org_id, folder.id, document.id, stored.id


def _rows(portal, org_id: int) -> tuple:
    with portal_session(portal) as session:
        folders = session.exec(select(Folder.id, Folder.name, Folder.audience).where(Folder.org_id == org_id)
                               .order_by(Folder.id)).all()
        docs = session.exec(select(Document.id, Document.name, Document.current_version)
                            .where(Document.org_id == org_id).order_by(Document.id)).all()
        versions = session.exec(select(DocumentVersion.id).join(Document, Document.id == DocumentVersion.document_id)
                                .where(Document.org_id == org_id)).all()
        stored = session.exec(select(StoredFile.id).where(StoredFile.org_id == org_id)).all()
        return folders, docs, sorted(versions), sorted(stored)


def _leaked(client: ReflexClient) -> str:
    return json.dumps(client.state()) + json.dumps(client.last_events)


def _document_route(document_id: object) -> str:
    return f"/documents/[document_id]?document_id={document_id}"


def _calls(client: ReflexClient, org_id: object, folder_id: object, document_id: object, file_id: object) -> None:
    lib = lambda name, payload: client.call(handler_name(DocumentsState, name), payload,  # noqa: E731
                                            router_path="/documents")
    lib("load", {})
    lib("open_folder", {"folder_id": folder_id})
    lib("search", {"text": "merger"})
    lib("sort_by", {"key": "date"})
    lib("upload_files", {})
    lib("uploaded", {"result": [{"ok": True, "id": file_id}]})
    lib("create_folder", {"form": {"name": "Mine", "audience": "all", "org_id": str(org_id), "role": "owner"}})
    lib("save_folder", {"form": {"name": "Taken", "audience": "owner,admin", "org_id": str(org_id)}})
    route = _document_route(document_id)
    doc = lambda name, payload: client.call(handler_name(DocumentState, name), payload,  # noqa: E731
                                            router_path=route)
    doc("load", {})
    for page in (2, -1, 10**12, "1", None, True):  # a page of a PDF not seen: clamped, nothing shown
        doc("show_page", {"page": page})
    doc("upload_version", {"form": {"note": "mine now", "role": "owner"}})
    doc("version_uploaded", {"result": [{"ok": True, "id": file_id}]})
    doc("delete", {})
    staff = lambda name, payload: client.call(handler_name(StaffDocumentsState, name), payload,  # noqa: E731
                                              router_path="/staff/documents")
    staff("load", {})
    staff("choose_org", {"form": {"org": str(org_id)}})
    staff("share", {"form": {f"org_{org_id}": "on", "folder": "Shared", "note": ""}})
    staff("shared", {"result": [{"ok": True, "id": file_id}]})


def test_nobody_and_another_organisation_get_nothing(portal):
    _, org_id, folder_id, document_id, file_id = _victim(portal, "docvictim")
    thief_cookie, _, thief = _person(portal, "docthief")
    before = _rows(portal, org_id)
    for who in (None, thief_cookie):
        with ReflexClient(portal.url, cookie=who) as client:
            client.hydrate("/documents")
            for wanted in (str(document_id), document_id, f"{document_id} OR 1=1", "", "0", "-1", 10**30, True,
                           None, ["1"]):
                _calls(client, org_id, wanted if not isinstance(wanted, str) else str(folder_id), wanted, file_id)
                state = client.state().get(DocumentState.get_full_name(), {})
                assert state.get("found_rx_state_", False) is False
            assert SECRET not in _leaked(client)
    assert _rows(portal, org_id) == before
    assert _rows(portal, thief.current.org_id)[1] == []  # the thief linked nothing of the victim's


def test_members_cannot_manage_and_customers_cannot_share(portal):
    cookie, org_id, folder_id, document_id, file_id = _victim(portal, "docowner")
    _, other_org, other_folder, other_document, other_file = _victim(portal, "docother")
    before, other_before = _rows(portal, org_id), _rows(portal, other_org)
    with ReflexClient(portal.url, cookie=cookie) as client:
        client.hydrate("/documents")
        # the owner's own library, with the other organisation's ids, roles and org ids in payloads
        _calls(client, other_org, other_folder, other_document, other_file)
        lib = lambda name, payload: client.call(handler_name(DocumentsState, name), payload,  # noqa: E731
                                                router_path="/documents")
        lib("open_folder", {"folder_id": str(folder_id)})
        lib("uploaded", {"result": [{"ok": True, "id": other_file}, {"ok": True, "id": file_id}]})
        for audience in ("superuser", ["owner"], "owner,admin,member,billing,root"):  # not a choice the page offers
            lib("save_folder", {"form": {"name": "Renamed", "audience": audience}})
        for audience in ("root", ["owner"], "owner,superuser", None):
            lib("create_folder", {"form": {"name": "Odd", "audience": audience}})
        lib("create_folder", {"form": {"name": "<img src=x onerror=alert(1)>", "audience": "all",
                                       "org_id": str(other_org)}})
        client.call(handler_name(StaffDocumentsState, "share"),
                    {"form": {f"org_{org_id}": "on", f"org_{other_org}": "on", "folder": "Shared"}},
                    router_path="/staff/documents")
        client.call(handler_name(StaffDocumentsState, "shared"), {"result": [{"ok": True, "id": file_id}]},
                    router_path="/staff/documents")
        assert SECRET not in json.dumps(client.state().get(DocumentState.get_full_name(), {})).replace(
            f"{SECRET}.txt", "")  # its own document's name may show; the other's content never does
    after = _rows(portal, org_id)
    # only the folders the owner may make, in their own organisation, named as typed
    assert [f[1] for f in after[0]] == [f[1] for f in before[0]] + ["Mine", "<img src=x onerror=alert(1)>"]
    assert after[1:] == before[1:]
    assert _rows(portal, other_org) == other_before


def test_staff_share_refuses_files_that_are_not_theirs(portal):
    _, org_id, _, _, file_id = _victim(portal, "docshare")
    _, other_org, _, _, _ = _victim(portal, "docshare2")
    before, other_before = _rows(portal, org_id), _rows(portal, other_org)
    agent_cookie, _ = _staff_cookie(portal, "agent")
    with ReflexClient(portal.url, cookie=agent_cookie) as client:
        client.hydrate("/staff/documents")
        call = lambda name, payload: client.call(handler_name(StaffDocumentsState, name), payload,  # noqa: E731
                                                 router_path="/staff/documents")
        call("load", {})
        for junk in ({"org_x": "on", "folder": "S"}, {f"org_{org_id}": "on", "folder": ""},
                     {"folder": "S"}, "org=1"):
            call("share", {"form": junk})
        call("shared", {"result": [{"ok": True, "id": file_id}]})  # nothing pending
        call("share", {"form": {f"org_{org_id}": "on", f"org_{other_org}": "on", "folder": "S"}})
        call("shared", {"result": [{"ok": True, "id": file_id}]})  # the customer's upload, not the agent's
        call("shared", {"result": [{"ok": True, "id": True}, {"ok": True, "id": "1"}]})
    assert _rows(portal, org_id) == before and _rows(portal, other_org) == other_before
