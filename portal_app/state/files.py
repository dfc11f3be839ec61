"""Attaching files in a form: the page sends each chosen file to our own
upload route (`api/files.py`, which checks the session of that very request,
the real type, the size and the quota) with `XMLHttpRequest`, so that a
progress bar can follow it, and reports the answers to `attached`. Only ids
the service confirms as the person's own, unattached uploads are kept; the
service checks them again when the form is sent (`tickets.pending_uploads`).

Reflex's own `/_upload` is never used: it would run a handler for anyone
who knows a client token, with the websocket's headers, not the upload's."""

from __future__ import annotations

import json

import reflex as rx

from portal_app.services import tickets
from portal_app.services.errors import PortalError
from portal_app.services.formatting import format_size
from portal_app.services.principal import Principal
from portal_app.state.session import SIGN_IN_AGAIN

# Uploads the input's files one after another; resolves to one answer per
# file: {ok: true, id} or {ok: false, name, message}. The progress element
# shows the share of all bytes sent so far.
_UPLOAD_SCRIPT = """(async () => {
  const input = document.getElementById(%(input)s);
  const bar = document.getElementById(%(progress)s);
  const chosen = Array.from((input && input.files) || []);
  const total = chosen.reduce((sum, file) => sum + file.size, 0) || 1;
  const answers = [];
  let sent = 0;
  if (bar) { bar.value = 0; bar.hidden = false; }
  for (const file of chosen) {
    answers.push(await new Promise((resolve) => {
      const request = new XMLHttpRequest();
      request.open("POST", %(url)s + "&filename=" + encodeURIComponent(file.name));
      request.setRequestHeader("Content-Type", "application/octet-stream");
      request.upload.onprogress = (e) => {
        if (bar && e.lengthComputable) { bar.value = Math.round(100 * (sent + e.loaded) / total); }
      };
      request.onload = () => {
        let answer = {};
        try { answer = JSON.parse(request.responseText); } catch (error) {}
        resolve(request.status === 201 ? {ok: true, id: answer.id}
          : {ok: false, name: file.name, message: answer.detail || "The file could not be uploaded."});
      };
      request.onerror = () => resolve({ok: false, name: file.name,
        message: "The upload did not reach the portal. Check your connection and try again."});
      request.send(file);
    }));
    sent += file.size;
  }
  if (input) { input.value = ""; }
  if (bar) { bar.hidden = true; }
  return answers;
})()"""


def upload_script(input_id: str, progress_id: str, org_id: int) -> str:
    url = f"/api/organizations/{int(org_id)}/files?kind={tickets.ATTACHMENT_KIND}"
    return _UPLOAD_SCRIPT % {"input": json.dumps(input_id), "progress": json.dumps(progress_id),
                             "url": json.dumps(url)}


def upload_answers(result: object) -> tuple[list[int], list[str]]:
    """The page's report: ids of files that arrived, and what went wrong."""
    ids, problems = [], []
    for answer in result if isinstance(result, list) else []:
        if not isinstance(answer, dict):
            continue
        if answer.get("ok") is True and type(answer.get("id")) is int:  # noqa: E721
            ids.append(answer["id"])
        elif answer.get("ok") is False:
            problems.append(f"{str(answer.get('name', ''))[:100]}: {str(answer.get('message', ''))[:300]}")
    return ids, problems


class AttachmentsMixin(rx.State, mixin=True):
    """Mixed into a form's state: the files attached so far (shown, each
    removable) and the handlers that upload more. The state says where
    they go (`_upload_org`)."""

    attachments: list[dict[str, str]] = []  # {id, name, size}
    upload_errors: list[str] = []  # what was refused, shown next to the file input
    upload_input: str = "attachment-files"
    upload_progress: str = "attachment-progress"

    async def _upload_org(self, principal: Principal) -> int | None:
        """The organisation the files are for (None: this person attaches nothing here)."""
        raise NotImplementedError

    def _attachment_ids(self) -> list[int]:
        return [int(a["id"]) for a in self.attachments]

    async def _keep(self, principal: Principal, org_id: int, ids: list[int]) -> str:
        """Show exactly the uploads the service confirms; a message if any was refused."""
        try:
            uploads = await self._read(tickets.pending_uploads, principal, org_id, ids)
        except PortalError as err:
            return err.message
        self.attachments = [{"id": str(u.id), "name": u.filename, "size": format_size(u.size)} for u in uploads]
        return ""

    @rx.event
    async def upload_files(self):
        """The file input changed: send its files from the page."""
        principal = await self._principal()
        org_id = await self._upload_org(principal) if principal is not None else None
        if org_id is None:
            return rx.toast.error(SIGN_IN_AGAIN)
        self.busy, self.upload_errors = "upload", []  # until the page reports back to `attached`
        return rx.call_script(upload_script(self.upload_input, self.upload_progress, org_id),
                              callback=type(self).attached)

    @rx.event
    async def attached(self, result: list):
        """What the page reports; trusted for nothing but which ids to check."""
        self.busy = ""
        principal = await self._principal()
        org_id = await self._upload_org(principal) if principal is not None else None
        if org_id is None:
            return rx.toast.error(SIGN_IN_AGAIN)
        ids, problems = upload_answers(result)
        refused = await self._keep(principal, org_id, self._attachment_ids() + ids) if ids else ""
        self.upload_errors = [*problems, refused] if refused else problems
        return None

    @rx.event
    def remove_attachment(self, file_id: str):
        """Leave a file out of this message (it stays uploaded, unattached)."""
        self.attachments = [a for a in self.attachments if a["id"] != file_id]
        self.upload_errors = []
