"""Reading a forwarded report: who sent it, and what the reported message was.

Everything here is untrusted input. The parser only decodes: it never follows a
link, loads a resource or opens an attachment. It bounds what it reads (parts,
nesting depth, text length) and survives bad MIME and unknown charsets by
replacing what it cannot decode. The forms of a forward it understands:

- the original attached (`message/rfc822`, or an `.eml` file), with its headers;
- the original inline, after the separator of the usual clients, in French or English
  (Gmail, Outlook, Thunderbird, Apple Mail), with or without the copied headers;
- anything else: the whole message is taken as the reported content.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from dataclasses import dataclass, field
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesParser
from email.policy import compat32
from email.utils import getaddresses, parseaddr
from urllib.parse import parse_qs, unquote, urlsplit

from hygie.reporting.authentication import authentication_results

MAX_PARTS = 200
MAX_DEPTH = 6
MAX_TEXT = 200_000  # characters kept of each body
MAX_URLS = 100


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content_type: str
    size: int
    sha256: str


@dataclass
class Original:
    """The reported message, as far as it could be recovered."""

    sender: str = ""
    subject: str = ""
    date: str = ""
    # Who the reported message was addressed to: the member to credit, even when
    # someone else (a colleague, the practice's secretary) forwarded it on.
    recipient: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    text: str = ""
    html: str = ""


@dataclass
class ParsedReport:
    reporter: str = ""
    reporter_name: str = ""
    subject: str = ""
    message_id: str = ""
    auto_generated: str = ""
    form: str = "plain"
    original: Original = field(default_factory=Original)
    attachments: list[Attachment] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    authentication: dict[str, str] = field(default_factory=dict)
    # Every decoded text of the message and its parts, for finding simulation tokens.
    search_text: str = ""
    problems: list[str] = field(default_factory=list)


# --- Headers and bodies ---------------------------------------------------------


def _raw_bytes_text(raw: str) -> str:
    """A header written in 8-bit (raw UTF-8, or Windows' charset) instead of RFC 2047.

    The parser keeps such bytes as surrogate escapes; read them as UTF-8 when they
    are, as Windows-1252 otherwise (the two encodings such clients write).
    """
    data = raw.encode("ascii", errors="surrogateescape")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _header_value(value: object) -> str:
    raw = str(value) if not hasattr(value, "_chunks") else ""
    if raw and any("\udc80" <= ch <= "\udcff" for ch in raw):
        return _raw_bytes_text(raw)
    try:
        return str(make_header(decode_header(str(value))))
    except (LookupError, ValueError, UnicodeError, TypeError):
        return str(value)


def _raw_header(message: Message, name: str) -> str | None:
    """The header's value as read from the wire (before any decoding)."""
    for key, value in message.raw_items():
        if key.lower() == name.lower():
            return value
    return None


def header_text(message: Message, name: str) -> str:
    value = _raw_header(message, name)
    if value is None:
        return ""
    text = _header_value(value)
    # A header never spans lines once read; CR/LF in a value would be an injection.
    return " ".join(text.replace("\x00", "").split())[:998]


# Windows clients label Windows-1252 text as ISO-8859-1 (or even ASCII); the bytes
# 0x80-0x9F are then €, ’, “, … rather than unused control characters, as browsers
# have long read them.
_WINDOWS_READS = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "us-ascii", "ascii"}


def _decode(payload: bytes, charset: str | None) -> str:
    # NUL characters are dropped: they mean nothing in text and PostgreSQL refuses them.
    if charset and charset.lower() in _WINDOWS_READS:
        try:
            return payload.decode("cp1252").replace("\x00", "")
        except UnicodeDecodeError:
            charset = "latin-1"
    for candidate in (charset, "utf-8"):
        if not candidate:
            continue
        try:
            return payload.decode(candidate, errors="replace").replace("\x00", "")
        except LookupError:
            continue
    return payload.decode("latin-1").replace("\x00", "")


def part_bytes(part: Message) -> bytes:
    try:
        payload = part.get_payload(decode=True)
    except (ValueError, TypeError, AssertionError):
        payload = None
    if isinstance(payload, bytes):
        return payload
    raw = part.get_payload()
    return raw.encode("utf-8", errors="replace") if isinstance(raw, str) else b""


def part_text(part: Message) -> str:
    return _decode(part_bytes(part), part.get_content_charset())[:MAX_TEXT]


_BLOCK_END = re.compile(r"<\s*(br|/p|/div|/tr|/li|/h\d|/blockquote)[^>]*>", re.IGNORECASE)
_HIDDEN = re.compile(r"<(script|style|head)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")


def html_to_text(markup: str) -> str:
    """A plain reading of HTML, for finding forward headers and URLs (never rendered)."""
    text = _HIDDEN.sub(" ", markup)
    text = _BLOCK_END.sub("\n", text)
    text = _TAG.sub("", text)
    return html.unescape(text)


# --- Walking the MIME tree ----------------------------------------------------------


@dataclass
class _Walk:
    texts: list[str] = field(default_factory=list)
    htmls: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    attached: list[Message] = field(default_factory=list)
    parts: int = 0
    problems: list[str] = field(default_factory=list)


def _is_eml(part: Message) -> bool:
    filename = (part.get_filename() or "").lower()
    return filename.endswith(".eml") and part.get_content_maintype() != "multipart"


def _walk(part: Message, walk: _Walk, depth: int, *, top: bool) -> None:
    walk.parts += 1
    if walk.parts > MAX_PARTS:
        if "too many parts" not in walk.problems:
            walk.problems.append("too many parts")
        return
    if depth > MAX_DEPTH:
        if "nested too deeply" not in walk.problems:
            walk.problems.append("nested too deeply")
        return
    content_type = part.get_content_type()
    if part.is_multipart() and content_type != "message/rfc822":
        children = part.get_payload()
        for child in children if isinstance(children, list) else []:
            if isinstance(child, Message):
                _walk(child, walk, depth + 1, top=top)
        return
    if content_type == "message/rfc822" or _is_eml(part):
        inner = _attached_message(part)
        if inner is not None:
            if top:
                walk.attached.append(inner)
            return
    disposition = (part.get("Content-Disposition") or "").split(";")[0].strip().lower()
    filename = part.get_filename()
    if content_type in ("text/plain", "text/html") and disposition != "attachment":
        if top:
            (walk.texts if content_type == "text/plain" else walk.htmls).append(part_text(part))
        return
    if top:
        data = part_bytes(part)
        walk.attachments.append(
            Attachment(
                filename=_clean_filename(filename),
                content_type=content_type,
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
            )
        )


def _clean_filename(filename: str | None) -> str:
    if not filename:
        return ""
    try:
        name = str(make_header(decode_header(filename)))
    except (LookupError, ValueError, UnicodeError):
        name = filename
    return "".join(ch for ch in name if ch.isprintable())[:200]


def _attached_message(part: Message) -> Message | None:
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        return payload[0]
    data = part_bytes(part)
    return message_from_bytes(data, policy=compat32) if data else None


def _collect(message: Message, depth: int) -> _Walk:
    walk = _Walk()
    _walk(message, walk, depth, top=True)
    return walk


# --- Inline forwards -------------------------------------------------------------------

_QUOTE = re.compile(r"^[ \t]*(?:>[ \t]?)+", re.MULTILINE)
# Spaces as clients write them: Outlook puts non-breaking spaces before colons and
# on the "empty" line that precedes its header block.
_SPACE = "[ \\t\\u00a0\\u202f]"
_SEPARATORS: list[tuple[str, re.Pattern[str]]] = [
    (
        "gmail",
        re.compile(
            r"^-{9,}\s*(?:Forwarded message|Message transf[ée]r[ée])\s*-{9,}\s*$", re.I | re.M
        ),
    ),
    # Windows Live Mail / Outlook Express, Yahoo, Zimbra (Free), Open-Xchange (La Poste),
    # SFR and Thunderbird: a title between runs of dashes.
    (
        "thunderbird",
        re.compile(
            r"^-{4,12}\s*(?:Original Message|Forwarded Message|Message original|"
            r"Message d['’]origine|Message transf[ée]r[ée]|Mail original|Message transmis|"
            r"Mail transf[ée]r[ée])\s*-{4,12}\s*$",
            re.I | re.M,
        ),
    ),
    (
        "apple",
        re.compile(
            r"^\s*(?:Begin forwarded message|D[ée]but du message r[ée]exp[ée]di[ée])\s*:\s*$",
            re.I | re.M,
        ),
    ),
    # Orange's webmail: "Message du 26/11/26 09:12" heads the quoted original.
    (
        "orange",
        re.compile(
            r"^\s*(?:Message du|Message of)\s+(?P<date>\d{1,2}/\d{1,2}/\d{2,4}\s+\d{1,2}:\d{2})"
            r"\s*$",
            re.I | re.M,
        ),
    ),
    # Outlook has no title: a header block that starts with From/De and has Sent/Envoyé
    # (Windows) or Date (Mac) on its next line.
    (
        "outlook",
        re.compile(
            rf"^(?:_{{10,}}\s*\n)?{_SPACE}*(?:\*{_SPACE}*)?(?:From|De){_SPACE}*\*?{_SPACE}*:"
            rf"[^\n]*\n{_SPACE}*(?:\*{_SPACE}*)?(?:Sent|Envoy[ée]|Date){_SPACE}*\*?{_SPACE}*:",
            re.I | re.M,
        ),
    ),
]
_FIELD = re.compile(
    r"^[\s\u00a0]*\*?[\s\u00a0]*([A-Za-zÀ-ÿ\- ]{1,20}?)[\s\u00a0]*\*?[\s\u00a0]*:[\s\u00a0]*(.*)$"
)
_FIELD_NAMES = {
    "from": "from",
    "de": "from",
    "date": "date",
    "sent": "date",
    "envoyé": "date",
    "envoye": "date",
    "subject": "subject",
    "objet": "subject",
    "sujet": "subject",
    "to": "to",
    "à": "to",
    "a": "to",
    "pour": "to",
    "cc": "cc",
    "copie à": "cc",
    "copy to": "cc",
    "reply-to": "reply-to",
    "répondre à": "reply-to",
}
# A forward of a forward is read down to the message that was first received.
MAX_INLINE_DEPTH = 5


def _blank(line: str) -> bool:
    return not line.replace("\u00a0", " ").replace("\u202f", " ").strip()


def _forward_block(text: str) -> tuple[str, Original] | None:
    """The first forward block of `text`: its client form and what follows it."""
    unquoted = _QUOTE.sub("", text.replace("\r\n", "\n"))
    found: tuple[int, str, re.Match[str]] | None = None
    for form, pattern in _SEPARATORS:
        match = pattern.search(unquoted)
        if match and (found is None or match.start() < found[0]):
            found = (match.start(), form, match)
    if found is None:
        return None
    _start, form, match = found
    # Outlook's match includes the first header line: read from its beginning.
    rest = unquoted[match.start() :] if form == "outlook" else unquoted[match.end() :]
    lines = rest.split("\n")
    index = 0
    # The lines before the header block that hold nothing (Outlook writes a lone
    # non-breaking space there) are skipped.
    while index < len(lines) and _blank(lines[index]):
        index += 1
    original = Original()
    if form == "orange":
        original.headers.append(("date", match.group("date")))
    last_name = ""
    start = index
    while index < len(lines) and index < start + 40:
        line = lines[index].strip("\r")
        if form == "outlook" and line.strip().startswith("_" * 10):
            index += 1
            continue
        if _blank(line):
            break
        matched = _FIELD.match(line)
        name = _FIELD_NAMES.get(matched.group(1).strip().lower()) if matched else None
        if matched and name:
            original.headers.append((name, matched.group(2).strip()))
            last_name = name
        elif last_name and line[:1] in (" ", "\t"):
            # A long header value wrapped onto the next line.
            key, value = original.headers[-1]
            original.headers[-1] = (key, f"{value} {line.strip()}")
        else:
            break
        index += 1
    values = dict(original.headers)
    original.sender = values.get("from", "")
    original.subject = values.get("subject", "")
    original.date = values.get("date", "")
    original.recipient = values.get("to", "")
    original.text = "\n".join(lines[index:]).strip()[:MAX_TEXT]
    return form, original


def find_inline_forward(text: str) -> tuple[str, Original] | None:
    """The client form and the original found after a forward separator, if any.

    In a forward of a forward, the blocks are nested: the one read is the innermost
    with a sender, which is the message as it was first received.
    """
    first = _forward_block(text)
    if first is None:
        return None
    form, original = first
    for _depth in range(MAX_INLINE_DEPTH):
        deeper = _forward_block(original.text)
        if deeper is None or not deeper[1].sender:
            break
        original = deeper[1]
    return form, original


# --- URLs, domains and authentication results --------------------------------------------

_URL = re.compile(r"""(?:https?://|www\.)[^\s<>"'`{}|\\^\[\]]+""", re.IGNORECASE)
_HREF = re.compile(r"""\b(?:href|src)\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)
# Addresses that name a markup vocabulary rather than link anywhere: the document
# type and the XML namespaces that Outlook and Word put in every HTML message.
_MARKUP_DECLARATIONS = re.compile(
    r"""<!DOCTYPE[^>]*>|<\?xml[^>]*\?>|\bxmlns(?::[\w-]+)?\s*=\s*(?:"[^"]*"|'[^']*'|\S+)""",
    re.IGNORECASE,
)
# Link-protection services that wrap the real address in a query parameter.
_WRAPPERS = {"url", "q", "u", "target"}
# A link shortened for display by a webmail or the forwarder: not an address.
_TRUNCATED = ("…", "...")
_PROOFPOINT_V3 = re.compile(r"/v3/__(?P<url>.+?)__;(?P<chars>[^!]*)!")
# Proofpoint v3 replaces a run of 2 to 65 characters by "**" and one letter of this set.
_V3_RUNS = {
    letter: length
    for length, letter in enumerate(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", start=2
    )
}


def _proofpoint_v3(url: str) -> str | None:
    """URL Defense v3: the address sits between "__" markers with some characters
    replaced by "*" (one) or "**X" (a run); the replaced characters follow "__;"
    in URL-safe base64, in order."""
    match = _PROOFPOINT_V3.search(url)
    if match is None:
        return None
    try:
        chars = base64.urlsafe_b64decode(match.group("chars") + "==").decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    wrapped = unquote(match.group("url"))
    out: list[str] = []
    position = index = 0
    while index < len(wrapped):
        if wrapped[index] != "*":
            out.append(wrapped[index])
            index += 1
            continue
        if wrapped.startswith("**", index) and index + 2 < len(wrapped):
            length = _V3_RUNS.get(wrapped[index + 2], 0)
            index += 3
        else:
            length = 1
            index += 1
        out.append(chars[position : position + length])
        position += length
    return "".join(out)


def _proofpoint_v2(value: str) -> str:
    """URL Defense v2's `u` parameter: "_" stands for "/" and "-XX" for a hex byte."""
    return unquote(re.sub(r"-([0-9A-Fa-f]{2})", r"%\1", value.replace("_", "/")))


def unwrap(url: str) -> str:
    """The address behind a link-protection wrapper (Outlook Safe Links, Proofpoint
    URL Defense v2 and v3, Google redirects, ...)."""
    for _ in range(3):
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if host.endswith("urldefense.com") or host.endswith("urldefense.proofpoint.com"):
            if parts.path.startswith("/v3/"):
                inner = _proofpoint_v3(url) or ""
            else:
                encoded = parse_qs(parts.query).get("u", [""])[0]
                inner = _proofpoint_v2(encoded) if encoded else ""
        elif host.endswith("safelinks.protection.outlook.com") or "url" in parts.path.lower():
            query = parse_qs(parts.query)
            inner = next((query[key][0] for key in _WRAPPERS if key in query), "")
        else:
            return url
        if not inner.lower().startswith(("http://", "https://")):
            return url
        url = inner
    return url


def extract_urls(texts: list[str], htmls: list[str]) -> list[str]:
    found: list[str] = []
    sources = [*texts, *(html.unescape(_MARKUP_DECLARATIONS.sub(" ", h)) for h in htmls)]
    for source in sources:
        for match in [*_URL.findall(source), *_HREF.findall(source)]:
            if match.endswith(_TRUNCATED):
                continue
            url = match.rstrip(".,;:!?)»>")
            if url.lower().startswith("www."):
                url = f"http://{url}"
            if not url.lower().startswith(("http://", "https://")):
                continue
            url = unwrap(url)
            if url not in found:
                found.append(url)
            if len(found) >= MAX_URLS:
                return found
    return found


def domain_of(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.lower().strip(".")


# --- Auto-generated messages (never answered) -------------------------------------------

_ROBOT_SENDERS = re.compile(
    r"^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounces?|auto-?reply)[@+\-]", re.I
)


def auto_generated_reason(message: Message, reporter: str) -> str:
    """Why this message must not get an automatic answer ("" when it may)."""
    auto = header_text(message, "Auto-Submitted").lower()
    if auto and auto != "no":
        return "auto-submitted"
    return_path = header_text(message, "Return-Path")
    if return_path.replace(" ", "") in ("<>", "") and message.get("Return-Path") is not None:
        return "null return path"
    if _ROBOT_SENDERS.match(reporter):
        return "robot sender"
    if header_text(message, "Precedence").lower() in ("bulk", "junk", "list", "auto_reply"):
        return "bulk precedence"
    if message.get("X-Autoreply") or message.get("X-Autorespond") or message.get("List-Id"):
        return "automatic or list message"
    if message.get_content_type() == "multipart/report":
        return "delivery report"
    return ""


# --- The whole report ---------------------------------------------------------------------------


def _headers_of(message: Message) -> list[tuple[str, str]]:
    names = [name for name, _value in message.items()][:200]
    seen: set[str] = set()
    headers: list[tuple[str, str]] = []
    for name in names:
        key = name.lower()
        if key in seen:
            continue
        seen.add(key)
        for raw_name, value in message.raw_items():
            if raw_name.lower() != key:
                continue
            text = _header_value(value)
            headers.append((name, " ".join(text.replace("\x00", "").split())[:2000]))
    return headers


def _identify(message: Message, report: ParsedReport) -> None:
    report.reporter_name, address = parseaddr(header_text(message, "From"))
    report.reporter = address.strip().lower()[:254]
    report.subject = header_text(message, "Subject")[:300]
    report.message_id = header_text(message, "Message-ID")
    report.auto_generated = auto_generated_reason(message, report.reporter)


def _flat(message: Message, report: ParsedReport) -> ParsedReport:
    _identify(message, report)
    body = message.get_payload()
    text = (body if isinstance(body, str) else "").replace("\x00", "")[:MAX_TEXT]
    report.original = Original(subject=report.subject, text=text)
    report.search_text = text
    return report


def parse_report(raw: bytes) -> ParsedReport:
    """Read a forwarded report. Never raises on bad input: problems are listed instead."""
    report = ParsedReport()
    try:
        message = message_from_bytes(raw, policy=compat32)
    except RecursionError:
        # The standard parser recurses once per nested part: a message nested thousands
        # of levels deep is read as its headers and its body as plain text.
        message = BytesParser(policy=compat32).parsebytes(raw, headersonly=True)
        report.problems.append("nested too deeply")
        return _flat(message, report)
    _identify(message, report)
    outer = _collect(message, 0)
    report.problems.extend(outer.problems)
    if message.defects:
        report.problems.append("malformed MIME")
    texts = list(outer.texts)
    htmls = list(outer.htmls)
    search = [*texts, *htmls]
    original = Original()
    if outer.attached:
        inner_message = outer.attached[0]
        inner = _collect(inner_message, 1)
        # A forward of a forward as attachments: the original is the innermost one.
        depth = 1
        while inner.attached and depth < MAX_DEPTH:
            inner_message, depth = inner.attached[0], depth + 1
            texts, htmls = [*texts, *inner.texts], [*htmls, *inner.htmls]
            search.extend([*inner.texts, *inner.htmls])
            inner = _collect(inner_message, depth)
        report.problems.extend(p for p in inner.problems if p not in report.problems)
        report.form = "attachment"
        original.headers = _headers_of(inner_message)
        original.sender = header_text(inner_message, "From")
        original.subject = header_text(inner_message, "Subject")
        original.date = header_text(inner_message, "Date")
        original.recipient = header_text(inner_message, "To")
        original.text = "\n".join(inner.texts)[:MAX_TEXT]
        original.html = "\n".join(inner.htmls)[:MAX_TEXT]
        # The attached message may itself be an inline forward of the original.
        nested = find_inline_forward(
            original.text or "\n".join(html_to_text(h) for h in inner.htmls)
        )
        if nested is not None and nested[1].sender:
            original = nested[1]
        report.attachments = inner.attachments
        texts, htmls = [*texts, *inner.texts], [*htmls, *inner.htmls]
        search.extend([*inner.texts, *inner.htmls, *(v for _n, v in original.headers)])
        # Anything else attached is searched too, to a limit.
        stack = [(extra, depth + 1) for extra in [*outer.attached[1:], *inner.attached]]
        while stack:
            extra, level = stack.pop()
            if level > MAX_DEPTH:
                if "nested too deeply" not in report.problems:
                    report.problems.append("nested too deeply")
                continue
            deeper = _collect(extra, level)
            report.problems.extend(p for p in deeper.problems if p not in report.problems)
            search.extend([*deeper.texts, *deeper.htmls, *(v for _n, v in _headers_of(extra))])
            stack.extend((more, level + 1) for more in deeper.attached)
    else:
        report.attachments = outer.attachments
        body = "\n".join(texts) or "\n".join(html_to_text(h) for h in htmls)
        inline = find_inline_forward(body)
        if inline is not None:
            report.form, original = inline
        else:
            original.text = body[:MAX_TEXT]
            original.sender = ""
            original.subject = report.subject
        original.html = "\n".join(htmls)[:MAX_TEXT]
    report.original = original
    report.authentication = authentication_results(original.headers)
    report.urls = extract_urls(texts, htmls)
    report.domains = list(dict.fromkeys(d for d in map(domain_of, report.urls) if d))
    sender_address = getaddresses([original.sender])[0][1] if original.sender else ""
    if sender_address and "@" in sender_address:
        sender_domain = sender_address.rsplit("@", 1)[1].lower()
        if sender_domain not in report.domains:
            report.domains.insert(0, sender_domain)
    search.extend(
        header_text(message, name) for name in ("In-Reply-To", "References", "Message-ID")
    )
    report.search_text = "\n".join(search)
    return report


def original_recipient(report: ParsedReport) -> str:
    """The address the reported message was sent to, lower-cased ("" when unknown)."""
    recipient = report.original.recipient
    address = getaddresses([recipient])[0][1] if recipient else ""
    return address.strip().lower()[:254] if "@" in address else ""


def reported_sender(report: ParsedReport) -> str:
    """The address of the reported message's sender, lower-cased ("" when unknown)."""
    address = getaddresses([report.original.sender])[0][1] if report.original.sender else ""
    return address.strip().lower()[:254] if "@" in address else ""


def token_haystack(text: str) -> str:
    """The text in the forms a forwarder may have altered it to: quoting removed,
    lines rejoined (wrapped links), percent-encoding undone (link wrappers)."""
    unquoted = _QUOTE.sub("", text)
    joined = re.sub(r"=?\r?\n", "", unquoted)
    return "\n".join([text, unquoted, joined, unquote(joined), unquote(unquote(joined))])


def attached_original(raw: bytes) -> bytes | None:
    """The reported message as it was attached to the report (message/rfc822 or an
    .eml file), byte for byte where possible; None for inline forwards."""
    try:
        message = message_from_bytes(raw, policy=compat32)
    except RecursionError:
        return None
    walk = _collect(message, 0)
    if not walk.attached:
        return None
    for part in message.walk():
        if part.get_content_type() == "message/rfc822":
            payload = part.get_payload()
            if isinstance(payload, list) and payload and isinstance(payload[0], Message):
                return payload[0].as_bytes()
        if _is_eml(part):
            data = part_bytes(part)
            if data:
                return data
    return None
