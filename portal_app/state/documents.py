"""The document library in the page: the customer's folders and the
documents in one (search, sort, upload several files at once with a
progress bar each), one document's page (preview, versions, a new version,
delete), and the staff's library of any organisation with "Share a
document" into several organisations at once.

Files go from the page to the one upload route (`api/files.py`, kind
"document") with `XMLHttpRequest`, so each file's progress shows; the page
reports the ids it got back and a handler links them through the service,
which only takes the person's own, unlinked uploads of that organisation.
Every id from the page goes through `event_id` and the services' access
helpers; the organisation is the person's current one (staff: the one
chosen, which the services check exists)."""

from __future__ import annotations

import json

import reflex as rx

from portal_app import routes
from portal_app.services import documents, live, previews
from portal_app.services.errors import PortalError
from portal_app.services.formatting import format_datetime, format_size
from portal_app.services.principal import Principal
from portal_app.state.customer_pages import CustomerPageMixin
from portal_app.state.files import upload_answers
from portal_app.state.forms import event_id, form_values
from portal_app.state.org_finder import OrgFinderMixin
from portal_app.state.session import SessionState, busy, field_errors, signed_in

UPLOAD_INPUT = "document-files"
UPLOAD_LIST = "document-progress"
VERSION_INPUT = "version-file"
SHARE_INPUT = "share-file"
AUDIENCES = (("all", "Every member"), ("owner,admin", "Owners and admins"),
             ("owner,admin,billing", "Owners, admins and billing members"))

# Uploads the input's files one after another, each with its own progress
# bar (an item added to the list element, named for the file); resolves to
# one answer per file: {ok: true, id} or {ok: false, name, message}.
_UPLOAD_SCRIPT = """(async () => {
  const input = document.getElementById(%(input)s);
  const list = document.getElementById(%(list)s);
  const chosen = Array.from((input && input.files) || []);
  const answers = [];
  if (list) { list.replaceChildren(); }
  const bars = chosen.map((file) => {
    const item = document.createElement("li");
    const label = document.createElement("span");
    label.textContent = file.name;
    const bar = document.createElement("progress");
    bar.max = 100; bar.value = 0; bar.setAttribute("aria-label", "Uploading " + file.name);
    bar.style.width = "100%%";
    item.append(label, bar);
    if (list) { list.append(item); }
    return bar;
  });
  for (const [i, file] of chosen.entries()) {
    answers.push(await new Promise((resolve) => {
      const request = new XMLHttpRequest();
      request.open("POST", %(url)s + "&filename=" + encodeURIComponent(file.name));
      request.setRequestHeader("Content-Type", "application/octet-stream");
      request.upload.onprogress = (e) => {
        if (e.lengthComputable) { bars[i].value = Math.round(100 * e.loaded / e.total); }
      };
      request.onload = () => {
        let answer = {};
        try { answer = JSON.parse(request.responseText); } catch (error) {}
        bars[i].value = 100;
        resolve(request.status === 201 ? {ok: true, id: answer.id}
          : {ok: false, name: file.name, message: answer.detail || "The file could not be uploaded."});
      };
      request.onerror = () => resolve({ok: false, name: file.name,
        message: "The upload did not reach the portal. Check your connection and try again."});
      request.send(file);
    }));
  }
  if (input) { input.value = ""; }
  return answers;
})()"""


def upload_script(input_id: str, org_id: int) -> str:
    url = f"/api/organizations/{int(org_id)}/files?kind={documents.KIND}"
    return _UPLOAD_SCRIPT % {"input": json.dumps(input_id), "list": json.dumps(UPLOAD_LIST),
                             "url": json.dumps(url)}


def _audience(value: object) -> str:
    """Only the choices the page offers."""
    return value if isinstance(value, str) and value in dict(AUDIENCES) else "\x00"


class LibraryMixin(rx.State, mixin=True):
    """Folders of one organisation and the documents in the open folder."""

    folders: list[dict[str, str]] = []
    folder: dict[str, str] = {}  # the open folder: id, name, audience; {} shows the folders
    docs: list[dict[str, str]] = []
    query: str = ""
    sort: str = "name"
    can_manage: bool = False
    errors: dict[str, str] = {}
    error: str = ""
    upload_errors: list[str] = []
    form_key: int = 0
    _org: int = 0

    async def _library_org(self, principal: Principal) -> int | None:
        raise NotImplementedError

    async def _fill(self, principal: Principal) -> None:
        org_id = self._org
        try:
            rows = await self._read(documents.list_folders, principal, org_id)
        except PortalError as err:
            self.folders, self.docs, self.folder = [], [], {}
            self.error = err.message
            return
        self.folders = [{"id": str(r.id), "name": r.name, "audience": r.audience, "count": str(r.documents)}
                        for r in rows]
        self.can_manage = await self._read(_may_manage, principal, org_id)
        if self.folder:
            await self._fill_folder(principal)
        await self._watch(live.staff_key(documents.TOPIC) if principal.is_staff
                          else live.org_key(org_id, documents.TOPIC))

    async def _fill_folder(self, principal: Principal) -> None:
        try:
            folder, rows = await self._read(documents.list_documents, principal, event_id(self.folder.get("id")),
                                            query=self.query, sort=self.sort)
        except PortalError as err:
            self.folder, self.docs = {}, []
            self.error = err.message
            return
        self.folder = {"id": str(folder.id), "name": folder.name, "audience": documents.audience_words(
            folder.audience), "audience_key": folder.audience if folder.audience in dict(AUDIENCES) else ""}
        self.docs = [{"id": str(r.id), "name": r.name, "version": str(r.version), "size": format_size(r.size),
                      "updated": format_datetime(r.updated_at), "by": r.updated_by,
                      "href": routes.document_path(r.id)} for r in rows]

    async def _live(self, keys: list[str]) -> None:
        await super()._live(keys)
        principal = await self._principal()
        if principal is not None and self._org:
            await self._fill(principal)

    @rx.event
    @signed_in()
    async def open_folder(self, principal: Principal, folder_id: str):
        self.folder, self.query, self.sort, self.error, self.upload_errors = {"id": str(folder_id)[:20]}, "", \
            "name", "", []
        await self._fill_folder(principal)

    @rx.event
    def close_folder(self):
        self.folder, self.docs, self.query, self.error, self.upload_errors = {}, [], "", "", []

    @rx.event
    @signed_in()
    async def search(self, principal: Principal, text: str):
        self.query = text[:documents.NAME_MAX] if isinstance(text, str) else ""
        if self.folder:
            await self._fill_folder(principal)

    @rx.event
    @signed_in()
    async def sort_by(self, principal: Principal, key: str):
        self.sort = key if key in documents.SORTS else "name"
        if self.folder:
            await self._fill_folder(principal)

    @rx.event
    @busy("create_folder")
    @signed_in()
    async def create_folder(self, principal: Principal, form: dict):
        data = form_values(form)
        self.errors, self.error = {}, ""
        try:
            folder = await self._act(documents.create_folder, principal, self._org or None, name=data.get("name"),
                                     audience=_audience(data.get("audience")))
        except PortalError as err:
            self.error, self.errors = field_errors(err)
            return None
        self.form_key += 1
        await self._fill(principal)
        return rx.toast.success(f"Folder \u201c{folder.name}\u201d created.")

    @rx.event
    @busy("save_folder")
    @signed_in()
    async def save_folder(self, principal: Principal, form: dict):
        """Rename the open folder and set who sees it (owners, admins, staff)."""
        data = form_values(form)
        self.errors, self.error = {}, ""
        try:
            folder = await self._act(documents.update_folder, principal, event_id(self.folder.get("id")),
                                     name=data.get("name"), audience=_audience(data.get("audience")))
        except PortalError as err:
            self.error, self.errors = field_errors(err)
            return None
        self.form_key += 1
        await self._fill(principal)
        return rx.toast.success(f"Folder \u201c{folder.name}\u201d saved.")

    @rx.event
    @signed_in()
    async def upload_files(self, principal: Principal):
        """The file input changed: send its files from the page."""
        self.upload_errors = []
        try:
            org_id = await self._read(documents.upload_org, principal, event_id(self.folder.get("id")))
        except PortalError as err:
            return rx.toast.error(err.message)
        self.busy = "upload"
        return rx.call_script(upload_script(UPLOAD_INPUT, org_id), callback=type(self).uploaded)

    @rx.event
    @signed_in()
    async def uploaded(self, principal: Principal, result: list):
        """What the page reports; trusted for nothing but which ids to link."""
        self.busy = ""
        ids, problems = upload_answers(result)
        done = []
        if ids:
            try:
                done = await self._act(documents.add_files, principal, event_id(self.folder.get("id")), ids)
            except PortalError as err:
                problems.append(err.message)
        self.upload_errors = problems
        await self._fill(principal)
        if done:
            return rx.toast.success(f"{len(done)} file{'s' if len(done) != 1 else ''} uploaded.")
        return None


def _may_manage(session, principal: Principal, org_id: int) -> bool:  # noqa: ANN001
    try:
        documents.check_manage(session, principal, org_id)
    except PortalError:
        return False
    return True


class DocumentsState(CustomerPageMixin, LibraryMixin, SessionState):
    """The customer's library: their current organisation's folders."""

    @rx.event
    async def load(self):
        self.folder, self.docs, self.folders, self.loaded, self.error, self.upload_errors = {}, [], [], False, "", []
        principal, answer = await self._customer(routes.STAFF_DOCUMENTS)
        if principal is None:
            return answer
        self._org = principal.current.org_id
        await self._fill(principal)
        self.loaded = True
        return None


class StaffDocumentsState(OrgFinderMixin, LibraryMixin, SessionState):
    """Any organisation's library (chosen with the finder), and sharing."""

    loaded: bool = False
    org_name: str = ""
    share_errors: dict[str, str] = {}
    share_error: str = ""
    share_key: int = 0
    _share: dict = {}  # the share form, kept here while its file uploads

    @rx.event
    async def load(self):
        principal = await self._principal()
        if principal is None or not principal.is_staff:
            return rx.redirect(routes.DASHBOARD)
        self._org, self.org_name, self.folder, self.docs, self.folders = 0, "", {}, [], []
        self.error, self.share_error, self.errors, self.share_errors = "", "", {}, {}
        await self._list_orgs(principal)
        self.loaded = True
        return None

    @rx.event
    @signed_in()
    async def choose_org(self, principal: Principal, form: dict):
        org_id = form_values(form).get("org", "")
        chosen = event_id(org_id)
        names = dict((o[0], o[1]) for o in self.orgs)
        self.folder, self.docs, self.error = {}, [], ""
        self._org, self.org_name = (chosen, names.get(org_id, "")) if chosen else (0, "")
        if self._org:
            await self._fill(principal)
        else:
            self.folders = []

    @rx.event
    @busy("share_document")
    @signed_in()
    async def share(self, principal: Principal, form: dict):
        """Check the form, then upload its file (into the first organisation
        chosen); `shared` makes the copies once it has arrived."""
        data = form_values(form)
        self.share_errors, self.share_error = {}, ""
        org_ids = [event_id(key[4:]) for key, value in data.items()
                   if isinstance(key, str) and key.startswith("org_") and value][:documents.MAX_SHARE_ORGS + 1]
        if not org_ids or None in org_ids:
            self.share_errors = {"orgs": "Choose at least one organisation."}
            return None
        try:
            documents.clean_folder_name(data.get("folder"))
            documents.clean_note(data.get("note"))
        except PortalError as err:
            self.share_error, self.share_errors = field_errors(err)
            return None
        self._share = {"orgs": org_ids, "folder": data.get("folder"), "note": data.get("note")}
        self.busy = "upload"
        return rx.call_script(upload_script(SHARE_INPUT, org_ids[0]), callback=StaffDocumentsState.shared)

    @rx.event
    @signed_in()
    async def shared(self, principal: Principal, result: list):
        self.busy = ""
        pending, self._share = self._share, {}
        ids, problems = upload_answers(result)
        if problems or len(ids) != 1 or not pending:
            self.share_error = "; ".join(problems) or "Choose one file to share."
            return None
        try:
            made = await self._act(documents.share, principal, ids[0], pending["orgs"],
                                   folder_name=pending["folder"], note=pending["note"])
        except PortalError as err:
            self.share_error, self.share_errors = field_errors(err)
            return None
        self.share_key += 1
        if self._org:
            await self._fill(principal)
        return rx.toast.success(f"Shared with {len(made)} organisation{'s' if len(made) != 1 else ''}.")


class DocumentState(SessionState):
    """One document: its preview, its versions, a new version, delete."""

    doc: dict[str, str] = {}
    versions: list[dict[str, str]] = []
    preview: str = ""  # "pdf", "pdf_none" (one that cannot be shown), "image", "text" or ""
    text: str = ""
    pdf_page: int = 1  # the PDF page shown, as an image rendered on the server
    pdf_pages: int = 0
    can_manage: bool = False
    can_upload: bool = False
    found: bool = False
    loaded: bool = False
    note_errors: dict[str, str] = {}
    error: str = ""
    form_key: int = 0
    _note: str = ""

    def _document_id(self) -> int | None:
        return event_id(self.router.page.params.get("document_id", ""))

    async def _fetch(self, principal: Principal) -> None:
        try:
            view = await self._read(documents.document_view, principal, self._document_id())
        except PortalError:
            self.found, self.loaded, self.doc, self.versions = False, True, {}, []
            return
        current = next(v for v in view.versions if v.current)
        self.doc = {"id": str(view.document.id), "name": view.document.name, "folder": view.folder.name,
                    "version": str(view.document.current_version),
                    "href": f"/api/files/{current.file_id}",
                    "preview_href": f"/api/files/{current.file_id}?preview=1",
                    "back": routes.STAFF_DOCUMENTS if principal.is_staff else routes.DOCUMENTS}
        self.versions = [{"number": str(v.number), "by": v.created_by, "when": format_datetime(v.created_at),
                          "size": format_size(v.size), "note": v.note, "current": "yes" if v.current else "",
                          "href": f"/api/files/{v.file_id}"} for v in view.versions]
        self.preview, self.text = view.preview, view.text
        if view.preview == "pdf":
            try:
                self.pdf_pages = await self._read(previews.page_count, principal, current.file_id)
            except PortalError:
                self.pdf_pages = 0
            self.preview = "pdf" if self.pdf_pages else "pdf_none"
            self.pdf_page = min(max(self.pdf_page, 1), max(self.pdf_pages, 1))
        self.doc["pages"] = f"/api/files/{current.file_id}/pages/"
        self.can_manage, self.can_upload = view.can_manage, view.can_upload
        self.found, self.loaded = True, True
        await self._watch(live.staff_key(documents.TOPIC) if principal.is_staff
                          else live.org_key(view.document.org_id, documents.TOPIC))

    @rx.var
    def pdf_page_href(self) -> str:
        return f"{self.doc.get('pages', '')}{self.pdf_page}" if self.pdf_pages else ""

    @rx.var
    def pdf_position(self) -> str:
        return f"Page {self.pdf_page} of {self.pdf_pages}"

    @rx.event
    async def load(self):
        self.loaded, self.error, self.note_errors, self.pdf_page = False, "", {}, 1
        principal = await self._principal()
        if principal is None:
            return rx.redirect(routes.SIGN_IN)
        await self._fetch(principal)
        return None

    @rx.event
    def show_page(self, page: int):
        """Another page of the PDF shown (any number from a client is clamped)."""
        wanted = page if type(page) is int else 1  # noqa: E721 — True is an int too
        self.pdf_page = min(max(wanted, 1), max(self.pdf_pages, 1))

    async def _live(self, keys: list[str]) -> None:
        await super()._live(keys)
        principal = await self._principal()
        if principal is not None:
            await self._fetch(principal)

    @rx.event
    @busy("upload_version")
    @signed_in()
    async def upload_version(self, principal: Principal, form: dict):
        """Check the note, then send the chosen file from the page."""
        data = form_values(form)
        self.note_errors, self.error = {}, ""
        try:
            self._note = documents.clean_note(data.get("note"))
            view = await self._read(documents.access_document, principal, self._document_id())
            org_id = await self._read(documents.upload_org, principal, view[1].id)
        except PortalError as err:
            self.error, self.note_errors = field_errors(err)
            return None
        self.busy = "upload"
        return rx.call_script(upload_script(VERSION_INPUT, org_id), callback=DocumentState.version_uploaded)

    @rx.event
    @signed_in()
    async def version_uploaded(self, principal: Principal, result: list):
        self.busy = ""
        ids, problems = upload_answers(result)
        if problems or len(ids) != 1:
            self.error = "; ".join(problems) or "Choose one file for the new version."
            return None
        try:
            version = await self._act(documents.add_version, principal, self._document_id(), ids[0],
                                      note=self._note)
        except PortalError as err:
            self.error = err.message
            return None
        self.form_key += 1
        await self._fetch(principal)
        return rx.toast.success(f"Version {version.number} uploaded.")

    @rx.event
    @signed_in()
    async def delete(self, principal: Principal):
        try:
            name = await self._act(documents.delete_document, principal, self._document_id())
        except PortalError as err:
            return rx.toast.error(err.message)
        return [rx.redirect(routes.STAFF_DOCUMENTS if principal.is_staff else routes.DOCUMENTS),
                rx.toast.success(f"\u201c{name}\u201d deleted.")]
