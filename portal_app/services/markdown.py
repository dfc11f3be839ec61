"""Markdown from anyone (a customer's request, an agent's reply, an article)
made into HTML that is safe to put in a page or an email: `markdown-it-py`
renders it with raw HTML off, then `nh3` keeps only an allow-list of tags and
attributes (no scripts, styles, event handlers, iframes or images from
elsewhere) and only http(s)/mailto links, each opened with
`rel="nofollow noopener noreferrer"`. Two layers on purpose: a renderer bug
or option change alone lets nothing through."""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

TAGS = frozenset({"p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li",
                  "a", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td"})
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # "js-default": CommonMark with raw HTML off and links validated, plus tables and strikethrough.
    return MarkdownIt("js-default", {"linkify": False, "typographer": False})


def render(text: str) -> str:
    """Safe HTML for `text` (Markdown). Never raises on odd input."""
    html = _parser().render(text or "")
    return nh3.clean(html, tags=set(TAGS), attributes={k: set(v) for k, v in ATTRIBUTES.items()},
                     url_schemes=set(URL_SCHEMES), link_rel="nofollow noopener noreferrer")


def text_runs(text: str) -> Iterator[str]:
    """The runs of plain text of `text` (Markdown) as `render` reads them:
    never what is in `code`, a code block or a fence, nor a link's address."""
    for token in _parser().parse(text or ""):
        if token.type == "inline":
            for child in token.children or ():
                if child.type == "text":
                    yield child.content
