"""The incident decision tree: loading and validating the shipped YAML files.

The assistant's content is data, written in `content/incidents/`:

- `sources.yaml`: the references every fact is taken from (id, title, url);
- `contacts.yaml`: the orientation directory (who to call, through which channel, when);
- `obligations.yaml`: legal obligations and time-critical steps, with their deadline rule;
- `tree.yaml`: the questions, the urgent shortcuts and the outcomes.

`build_tree()` turns the four parsed documents into frozen dataclasses and checks the whole
tree at once; every problem found is listed in one `TreeError`, so a content author fixes them
all in one go. The shape is every content type's (`hygie.lib.content`):
`load_guidance_files(directory)` reads and validates; nothing is saved, since the assistant
reads the shipped files once per process (`load_tree()`).

Bilingual texts are `{fr: …, en: …}` mappings (`Text`); `str(text)` picks the active language.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, cast

from django.utils.translation import get_language

from hygie.lib.content import ContentError, content_directory, read_yaml

FILES = ("sources", "contacts", "obligations", "tree")
CHANNELS = ("phone", "url", "email", "in_person", "internal")
# Contacts whose value the practice or the platform holds: the file leaves it empty.
CHANNELS_WITHOUT_VALUE = ("in_person", "internal")
ORGANISATION_CONTACT = "organisation"
SEVERITIES = ("low", "medium", "high", "critical")
OUTCOME_KEYS = {
    "id",
    "title",
    "summary",
    "severity",
    "actions",
    "do_not",
    "obligations",
    "contacts",
    "evidence",
    "last_reviewed",
}
OPTIONAL_OUTCOME_KEYS = {"facts", "now", "fact_keys"}
DEADLINE_UNITS = ("hours", "days", "business_days", "months", "asap")

Channel = Literal["phone", "url", "email", "in_person", "internal"]
Severity = Literal["low", "medium", "high", "critical"]
DeadlineUnit = Literal["hours", "days", "business_days", "months", "asap"]


def content_dir() -> Path:
    return content_directory("incidents")


def current_language() -> str:
    """The language of the content: English when active, otherwise French (the reference)."""
    return "en" if (get_language() or "fr").lower().startswith("en") else "fr"


# --- The content, as frozen dataclasses ----------------------------------------------


@dataclass(frozen=True, slots=True)
class Text:
    """A text in French and English; `str()` gives the one of the active language."""

    fr: str
    en: str

    def in_language(self, language: str) -> str:
        return self.en if language == "en" else self.fr

    def __str__(self) -> str:
        return self.in_language(current_language())


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class Contact:
    id: str
    name: Text
    channel: Channel
    value: str
    when: Text
    source: Source | None

    @property
    def href(self) -> str:
        """A link for the channel (tel:, mailto:, https:), or "" when there is nothing to open."""
        if not self.value:
            return ""
        if self.channel == "phone":
            return "tel:" + self.value.replace(" ", "")
        if self.channel == "email":
            return "mailto:" + self.value
        if self.channel == "url":
            return self.value
        return ""

    @property
    def display_value(self) -> str:
        """The value as shown: French phone numbers grouped by two digits (01 23 45 67 89)."""
        if self.channel == "phone":
            digits = self.value.replace(" ", "")
            if len(digits) == 10 and digits.isdigit():
                return " ".join(digits[i : i + 2] for i in range(0, 10, 2))
            if len(digits) == 6 and digits.isdigit():  # 116 006-style numbers
                return f"{digits[:3]} {digits[3:]}"
        return self.value


@dataclass(frozen=True, slots=True)
class DeadlineRule:
    """How long after discovery an obligation is due; `amount` is None for "asap"."""

    unit: DeadlineUnit
    amount: int | None


@dataclass(frozen=True, slots=True)
class Condition:
    """Something that must be true for an obligation to apply, e.g. "you hold the data".

    `met` states it as a fact ("the practice is responsible for the data concerned"),
    `unmet` explains, after "not required, because", why the duty does not apply when the
    answers establish the opposite.
    """

    id: str
    met: Text
    unmet: Text


@dataclass(frozen=True, slots=True)
class Obligation:
    id: str
    title: Text
    deadline: DeadlineRule
    applies_when: Text
    how: Text
    contact: Contact | None
    source: Source
    # Every condition must be established by the answers for the duty to be due (AND).
    requires: tuple[Condition, ...] = ()
    fact_keys: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Answer:
    """A choice of a question or an urgent shortcut; it leads to a question or an outcome."""

    label: Text
    target_kind: Literal["question", "outcome"]
    target: str
    # What choosing this answer establishes, e.g. {"controller": False}.
    facts: Mapping[str, bool] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    text: Text
    help: Text | None
    answers: tuple[Answer, ...]


@dataclass(frozen=True, slots=True)
class Advice:
    """One immediate action or one thing not to do, with its source."""

    text: Text
    source: Source


@dataclass(frozen=True, slots=True)
class Outcome:
    id: str
    title: Text
    summary: Text
    severity: Severity
    actions: tuple[Advice, ...]
    do_not: tuple[Advice, ...]
    obligations: tuple[Obligation, ...]
    contacts: tuple[Contact, ...]
    evidence: tuple[Text, ...]
    last_reviewed: dt.date
    # What reaching this outcome establishes; an answer on the way may say otherwise.
    facts: Mapping[str, bool] = MappingProxyType({})
    # How many of the first actions make the short "do this now" block (the rest fold).
    now: int = 3
    # Keys of the shared fact base the outcome relies on, e.g. "A3.9".
    fact_keys: tuple[str, ...] = ()

    @property
    def sources(self) -> tuple[Source, ...]:
        """Every source this outcome relies on, once, in order of first use."""
        found: dict[str, Source] = {}
        for advice in (*self.actions, *self.do_not):
            found.setdefault(advice.source.id, advice.source)
        for obligation in self.obligations:
            found.setdefault(obligation.source.id, obligation.source)
        for contact in self.contacts:
            if contact.source is not None:
                found.setdefault(contact.source.id, contact.source)
        return tuple(found.values())


@dataclass(frozen=True, slots=True)
class Tree:
    start: str
    urgent: tuple[Answer, ...]
    questions: Mapping[str, Question]
    outcomes: Mapping[str, Outcome]
    sources: Mapping[str, Source]
    contacts: Mapping[str, Contact]
    obligations: Mapping[str, Obligation]
    conditions: Mapping[str, Condition] = MappingProxyType({})

    @property
    def start_question(self) -> Question:
        return self.questions[self.start]

    def target(self, answer: Answer) -> Question | Outcome:
        if answer.target_kind == "question":
            return self.questions[answer.target]
        return self.outcomes[answer.target]


class TreeError(ContentError):
    """The content is invalid; `problems` lists every problem found, one sentence each."""

    def __init__(self, problems: str | list[str]) -> None:
        problems = [problems] if isinstance(problems, str) else problems
        self.problems = problems
        listing = "\n".join(f"- {problem}" for problem in problems)
        ValueError.__init__(
            self, f"The incident decision tree has {len(problems)} problem(s):\n{listing}"
        )


# --- Loading -----------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def load_tree() -> Tree:
    """The shipped tree, read and validated once per process."""
    return load_guidance_files(content_dir())


def load_guidance_files(directory: Path) -> Tree:
    """The tree the directory's four files describe, validated (nothing is saved)."""
    documents = {name: read_yaml(directory / f"{name}.yaml", TreeError) for name in FILES}
    return build_tree(**documents)


def build_tree(*, sources: Any, contacts: Any, obligations: Any, tree: Any) -> Tree:
    """Build the tree from the four parsed YAML documents, or raise `TreeError`."""
    return _Builder().build(sources=sources, contacts=contacts, obligations=obligations, tree=tree)


# --- Validation ----------------------------------------------------------------------


class _Builder:
    """Parses the documents into dataclasses, collecting every problem instead of stopping.

    An entry with a problem is left out of its table and remembered in `broken`, so that the
    entries referring to it do not report it a second time as unknown.
    """

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.broken: dict[str, set[str]] = {
            "source": set(),
            "contact": set(),
            "obligation": set(),
            "condition": set(),
        }
        self.conditions: Mapping[str, Condition] = {}

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    # Small typed readers. Each returns None (and records a problem) when the value is bad.

    def mapping(self, value: Any, where: str) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.problem(where, "must be a mapping")
            return None
        return cast(dict[str, Any], value)

    def listing(self, value: Any, where: str) -> list[Any] | None:
        if not isinstance(value, list):
            self.problem(where, "must be a list")
            return None
        return value

    def string(self, value: Any, where: str, *, allow_empty: bool = False) -> str | None:
        if not isinstance(value, str) or (not allow_empty and not value.strip()):
            self.problem(where, "must be text" if allow_empty else "must be a non-empty text")
            return None
        return value.strip()

    def text(self, value: Any, where: str) -> Text | None:
        if not isinstance(value, dict):
            self.problem(where, "must be a text with French (fr) and English (en) versions")
            return None
        parts: dict[str, str] = {}
        for language, name in (("fr", "French"), ("en", "English")):
            part = value.get(language)
            if not isinstance(part, str) or not part.strip():
                self.problem(where, f"missing {name} text ({language})")
            else:
                parts[language] = part.strip()
        extra = sorted(str(key) for key in value if key not in ("fr", "en"))
        if extra:
            self.problem(where, f"unknown language(s) {', '.join(extra)}")
        if len(parts) != 2:
            return None
        return Text(fr=parts["fr"], en=parts["en"])

    def keys(
        self, item: dict[str, Any], where: str, required: set[str], optional: set[str]
    ) -> None:
        for key in sorted(required - item.keys()):
            self.problem(where, f"missing '{key}'")
        for key in sorted(str(k) for k in item.keys() - required - optional):
            self.problem(where, f"unknown key '{key}'")

    def entries(self, document: Any, file: str, key: str) -> list[tuple[str, dict[str, Any]]]:
        """The `(id, mapping)` items of a list of identified entries, without duplicates."""
        top = self.mapping(document, file)
        if top is None:
            return []
        items = self.listing(top.get(key), f"{file}: '{key}'")
        if items is None:
            return []
        found: list[tuple[str, dict[str, Any]]] = []
        seen: set[str] = set()
        for index, raw in enumerate(items):
            item = self.mapping(raw, f"{file}: {key} entry {index + 1}")
            if item is None:
                continue
            ident = item.get("id")
            if not isinstance(ident, str) or not ident:
                self.problem(f"{file}: {key} entry {index + 1}", "missing 'id'")
                continue
            if ident in seen:
                self.problem(f"{file}: {key.removesuffix('s')} '{ident}'", "duplicate id")
                continue
            seen.add(ident)
            found.append((ident, item))
        return found

    def reference[T](self, table: Mapping[str, T], ident: Any, where: str, kind: str) -> T | None:
        if not isinstance(ident, str) or not ident:
            self.problem(where, f"missing {kind} id")
            return None
        if ident in table:
            return table[ident]
        if ident not in self.broken.get(kind, ()):  # a broken entry is reported already
            self.problem(where, f"unknown {kind} '{ident}'")
        return None

    # Sections.

    def build(self, *, sources: Any, contacts: Any, obligations: Any, tree: Any) -> Tree:
        source_table = self.table(
            "source", self.entries(sources, "sources.yaml", "sources"), self.source
        )
        contact_table = self.table(
            "contact",
            self.entries(contacts, "contacts.yaml", "contacts"),
            lambda ident, item: self.contact(ident, item, source_table),
        )
        condition_table = self.table(
            "condition", self.condition_entries(obligations), self.condition
        )
        obligation_table = self.table(
            "obligation",
            self.entries(obligations, "obligations.yaml", "obligations"),
            lambda ident, item: self.obligation(
                ident, item, source_table, contact_table, condition_table
            ),
        )
        self.conditions = condition_table
        top = self.mapping(tree, "tree.yaml") or {}
        self.keys(top, "tree.yaml", {"start", "urgent", "questions", "outcomes"}, set())
        question_entries = self.entries(top, "tree.yaml", "questions")
        outcome_entries = self.entries(top, "tree.yaml", "outcomes")
        targets = {
            "question": {ident for ident, _ in question_entries},
            "outcome": {ident for ident, _ in outcome_entries},
        }
        outcomes: dict[str, Outcome] = {}
        for ident, item in outcome_entries:
            built = self.outcome(ident, item, source_table, contact_table, obligation_table)
            if built is not None:
                outcomes[ident] = built
        questions: dict[str, Question] = {}
        edges: dict[str, list[Answer]] = {}  # the graph, even for a question with bad texts
        for ident, item in question_entries:
            answers, built_question = self.question(ident, item, targets)
            edges[ident] = answers
            if built_question is not None:
                questions[ident] = built_question
        urgent = self.urgent(top, targets)
        start = top.get("start")
        if isinstance(start, str) and start in targets["question"]:
            self.graph(start, urgent, edges, targets["outcome"])
        else:
            self.problem("tree.yaml: start", f"unknown question '{start}'")
        if self.problems:
            raise TreeError(self.problems)
        return Tree(
            start=cast(str, start),
            urgent=tuple(urgent),
            # Read-only views: the tree is shared by every request of the process.
            questions=MappingProxyType(questions),
            outcomes=MappingProxyType(outcomes),
            sources=MappingProxyType(source_table),
            contacts=MappingProxyType(contact_table),
            obligations=MappingProxyType(obligation_table),
            conditions=MappingProxyType(condition_table),
        )

    def condition_entries(self, document: Any) -> list[tuple[str, dict[str, Any]]]:
        """The optional `conditions` list of obligations.yaml."""
        if isinstance(document, dict) and "conditions" not in document:
            return []
        return self.entries(document, "obligations.yaml", "conditions")

    def condition(self, ident: str, item: dict[str, Any]) -> Condition | None:
        where = f"obligations.yaml: condition '{ident}'"
        self.keys(item, where, {"id", "met", "unmet"}, set())
        met = self.text(item.get("met"), f"{where}, met")
        unmet = self.text(item.get("unmet"), f"{where}, unmet")
        if met is None or unmet is None:
            return None
        return Condition(id=ident, met=met, unmet=unmet)

    def facts(self, value: Any, where: str) -> dict[str, bool]:
        """A mapping of condition ids to true/false, as set by an answer or an outcome."""
        item = self.mapping(value, where)
        if item is None:
            return {}
        found: dict[str, bool] = {}
        for key, flag in item.items():
            if key not in self.conditions:
                self.problem(where, f"unknown condition '{key}'")
            elif not isinstance(flag, bool):
                self.problem(where, f"'{key}' must be true or false")
            else:
                found[str(key)] = flag
        return found

    def fact_keys(self, value: Any, where: str) -> tuple[str, ...]:
        items = self.listing(value, where) or []
        keys = tuple(str(item) for item in items)
        for key in keys:
            if not key.strip():
                self.problem(where, "empty fact key")
        return keys

    def table[T](
        self,
        kind: str,
        entries: list[tuple[str, dict[str, Any]]],
        build: Callable[[str, dict[str, Any]], T | None],
    ) -> dict[str, T]:
        """Build each entry; remember the ones that fail as broken."""
        found: dict[str, T] = {}
        for ident, item in entries:
            before = len(self.problems)
            built = build(ident, item)
            if built is None or len(self.problems) > before:
                self.broken[kind].add(ident)
            else:
                found[ident] = built
        return found

    def source(self, ident: str, item: dict[str, Any]) -> Source | None:
        where = f"sources.yaml: source '{ident}'"
        self.keys(item, where, {"id", "title", "url"}, set())
        title = self.string(item.get("title"), f"{where}, title")
        url = self.string(item.get("url"), f"{where}, url")
        if url is not None and not url.startswith("https://"):
            self.problem(f"{where}, url", "must start with https://")
            return None
        if title is None or url is None:
            return None
        return Source(id=ident, title=title, url=url)

    def contact(
        self, ident: str, item: dict[str, Any], sources: Mapping[str, Source]
    ) -> Contact | None:
        where = f"contacts.yaml: contact '{ident}'"
        self.keys(item, where, {"id", "name", "channel", "value", "when"}, {"source"})
        name = self.text(item.get("name"), f"{where}, name")
        when = self.text(item.get("when"), f"{where}, when")
        source = None
        if "source" in item:
            source = self.reference(sources, item["source"], f"{where}, source", "source")
        channel = item.get("channel")
        if channel not in CHANNELS:
            self.problem(f"{where}, channel", f"must be one of {', '.join(CHANNELS)}")
            return None
        value = self.string(item.get("value", ""), f"{where}, value", allow_empty=True)
        if value is None:
            return None
        if not value and channel not in CHANNELS_WITHOUT_VALUE and ident != ORGANISATION_CONTACT:
            self.problem(f"{where}, value", f"required for the '{channel}' channel")
            return None
        if value and not self.valid_value(channel, value):
            self.problem(f"{where}, value", f"'{value}' is not a valid {channel} value")
            return None
        if name is None or when is None:
            return None
        return Contact(
            id=ident,
            name=name,
            channel=cast(Channel, channel),
            value=value,
            when=when,
            source=source,
        )

    @staticmethod
    def valid_value(channel: str, value: str) -> bool:
        if channel == "phone":
            return value.replace(" ", "").removeprefix("+").isdigit()
        if channel == "url":
            return value.startswith("https://")
        if channel == "email":
            local, _, domain = value.partition("@")
            return bool(local) and "." in domain
        return True

    def obligation(
        self,
        ident: str,
        item: dict[str, Any],
        sources: Mapping[str, Source],
        contacts: Mapping[str, Contact],
        conditions: Mapping[str, Condition],
    ) -> Obligation | None:
        where = f"obligations.yaml: obligation '{ident}'"
        self.keys(
            item,
            where,
            {"id", "title", "deadline", "applies_when", "how", "source"},
            {"contact", "requires", "fact_keys"},
        )
        requires = self.links(
            item.get("requires", []), f"{where}, requires", conditions, "condition"
        )
        keys = self.fact_keys(item.get("fact_keys", []), f"{where}, fact_keys")
        title = self.text(item.get("title"), f"{where}, title")
        applies_when = self.text(item.get("applies_when"), f"{where}, applies_when")
        how = self.text(item.get("how"), f"{where}, how")
        deadline = self.deadline(item.get("deadline"), f"{where}, deadline")
        source = self.reference(sources, item.get("source"), f"{where}, source", "source")
        contact = None
        if "contact" in item:
            contact = self.reference(contacts, item["contact"], f"{where}, contact", "contact")
        if title is None or applies_when is None or how is None:
            return None
        if deadline is None or source is None:
            return None
        return Obligation(
            id=ident,
            title=title,
            deadline=deadline,
            applies_when=applies_when,
            how=how,
            contact=contact,
            source=source,
            requires=tuple(requires),
            fact_keys=keys,
        )

    def deadline(self, value: Any, where: str) -> DeadlineRule | None:
        expected = f"must have exactly one of {', '.join(DEADLINE_UNITS)}"
        if not isinstance(value, dict) or len(value) != 1:
            self.problem(where, expected)
            return None
        ((unit, amount),) = value.items()
        if unit not in DEADLINE_UNITS:
            self.problem(where, f"unknown unit '{unit}': {expected}")
            return None
        if unit == "asap":
            if amount is not True:
                self.problem(where, "'asap' must be true")
                return None
            return DeadlineRule(unit="asap", amount=None)
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 1:
            self.problem(where, f"'{unit}' must be a whole number of at least 1")
            return None
        return DeadlineRule(unit=cast(DeadlineUnit, unit), amount=amount)

    def answer(self, raw: Any, where: str, targets: Mapping[str, set[str]]) -> Answer | None:
        """An answer, or None; `label` may be missing (reported) without losing the edge."""
        item = self.mapping(raw, where)
        if item is None:
            return None
        self.keys(item, where, {"label"}, {"next", "outcome", "facts"})
        label = self.text(item.get("label"), f"{where}, label")
        facts = self.facts(item["facts"], f"{where}, facts") if "facts" in item else {}
        has_next, has_outcome = "next" in item, "outcome" in item
        if has_next == has_outcome:
            self.problem(where, "must have exactly one of 'next' (a question) or 'outcome'")
            return None
        kind: Literal["question", "outcome"] = "question" if has_next else "outcome"
        target = item["next" if has_next else "outcome"]
        if not isinstance(target, str) or target not in targets[kind]:
            self.problem(where, f"unknown {kind} '{target}'")
            return None
        return Answer(
            label=label or Text(fr="", en=""),
            target_kind=kind,
            target=target,
            facts=MappingProxyType(facts),
        )

    def question(
        self, ident: str, item: dict[str, Any], targets: Mapping[str, set[str]]
    ) -> tuple[list[Answer], Question | None]:
        """The question's valid answers (its edges in the graph), and the question if valid."""
        where = f"tree.yaml: question '{ident}'"
        before = len(self.problems)
        self.keys(item, where, {"id", "text", "answers"}, {"help"})
        text = self.text(item.get("text"), f"{where}, text")
        help_text = self.text(item["help"], f"{where}, help") if "help" in item else None
        raw_answers = item.get("answers")
        if not isinstance(raw_answers, list) or not raw_answers:
            if "answers" in item:
                self.problem(where, "has no answers")
            raw_answers = []
        answers = [
            self.answer(raw, f"{where}, answer {index + 1}", targets)
            for index, raw in enumerate(raw_answers)
        ]
        edges = [answer for answer in answers if answer is not None]
        if text is None or len(self.problems) > before:
            return edges, None
        return edges, Question(id=ident, text=text, help=help_text, answers=tuple(edges))

    def urgent(self, top: dict[str, Any], targets: Mapping[str, set[str]]) -> list[Answer]:
        entries = self.listing(top.get("urgent", []), "tree.yaml: urgent") or []
        found = [
            self.answer(raw, f"tree.yaml: urgent entry {index + 1}", targets)
            for index, raw in enumerate(entries)
        ]
        return [answer for answer in found if answer is not None]

    def advice(self, value: Any, where: str, sources: Mapping[str, Source]) -> list[Advice]:
        items = self.listing(value, where)
        if items is not None and not items:
            self.problem(where, "must not be empty")
        found: list[Advice] = []
        for index, raw in enumerate(items or []):
            item_where = f"{where} {index + 1}"
            item = self.mapping(raw, item_where)
            if item is None:
                continue
            self.keys(item, item_where, {"text"}, {"source"})
            text = self.text(item.get("text"), item_where)
            source = self.reference(sources, item.get("source"), item_where, "source")
            if text is not None and source is not None:
                found.append(Advice(text=text, source=source))
        return found

    def outcome(
        self,
        ident: str,
        item: dict[str, Any],
        sources: Mapping[str, Source],
        contacts: Mapping[str, Contact],
        obligations: Mapping[str, Obligation],
    ) -> Outcome | None:
        where = f"tree.yaml: outcome '{ident}'"
        before = len(self.problems)
        self.keys(item, where, OUTCOME_KEYS, OPTIONAL_OUTCOME_KEYS)
        facts = self.facts(item["facts"], f"{where}, facts") if "facts" in item else {}
        keys = self.fact_keys(item.get("fact_keys", []), f"{where}, fact_keys")
        now = item.get("now", 3)
        if isinstance(now, bool) or not isinstance(now, int) or now < 1:
            self.problem(f"{where}, now", "must be a whole number of at least 1")
        title = self.text(item.get("title"), f"{where}, title")
        summary = self.text(item.get("summary"), f"{where}, summary")
        severity = item.get("severity")
        if "severity" in item and severity not in SEVERITIES:
            self.problem(f"{where}, severity", f"must be one of {', '.join(SEVERITIES)}")
        actions, do_not, evidence = [], [], []
        if "actions" in item:
            actions = self.advice(item["actions"], f"{where}, action", sources)
        if "do_not" in item:
            do_not = self.advice(item["do_not"], f"{where}, do_not", sources)
        if "evidence" in item:
            evidence = self.evidence(item["evidence"], f"{where}, evidence")
        linked_obligations = self.links(
            item.get("obligations", []), f"{where}, obligations", obligations, "obligation"
        )
        linked_contacts: list[Contact] = []
        if "contacts" in item:
            raw_contacts = item["contacts"]
            linked_contacts = self.links(raw_contacts, f"{where}, contacts", contacts, "contact")
            if isinstance(raw_contacts, list) and ORGANISATION_CONTACT not in raw_contacts:
                self.problem(f"{where}, contacts", f"must include '{ORGANISATION_CONTACT}'")
        reviewed = None
        if "last_reviewed" in item:
            reviewed = self.date(item["last_reviewed"], f"{where}, last_reviewed")
        if len(self.problems) > before or not (title and summary and reviewed):
            return None
        return Outcome(
            id=ident,
            title=title,
            summary=summary,
            severity=cast(Severity, severity),
            actions=tuple(actions),
            do_not=tuple(do_not),
            obligations=tuple(linked_obligations),
            contacts=tuple(linked_contacts),
            evidence=tuple(evidence),
            last_reviewed=reviewed,
            facts=MappingProxyType(facts),
            now=now,
            fact_keys=keys,
        )

    def links[T](self, value: Any, where: str, table: Mapping[str, T], kind: str) -> list[T]:
        items = self.listing(value, where) or []
        found: list[T] = []
        for ident in dict.fromkeys(str(item) for item in items):
            target = self.reference(table, ident, where, kind)
            if target is not None:
                found.append(target)
        if len({str(item) for item in items}) != len(items):
            self.problem(where, f"lists the same {kind} twice")
        return found

    def evidence(self, value: Any, where: str) -> list[Text]:
        items = self.listing(value, where)
        if items is not None and not items:
            self.problem(where, "must not be empty")
        texts = [self.text(raw, f"{where} {index + 1}") for index, raw in enumerate(items or [])]
        return [text for text in texts if text is not None]

    def date(self, value: Any, where: str) -> dt.date | None:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        self.problem(where, "must be a date (YYYY-MM-DD)")
        return None

    # The shape of the graph.

    def graph(
        self,
        start: str,
        urgent: Iterable[Answer],
        edges: Mapping[str, list[Answer]],
        outcome_ids: set[str],
    ) -> None:
        """Cycles, dead ends and unreachable entries, walking from the start and the shortcuts."""
        entry_points = [start] + [a.target for a in urgent if a.target_kind == "question"]
        reached_outcomes = {a.target for a in urgent if a.target_kind == "outcome"}
        reached_questions: set[str] = set()
        cycles: dict[frozenset[str], list[str]] = {}

        def visit(ident: str, stack: list[str]) -> None:
            if ident in stack:
                cycle = [*stack[stack.index(ident) :], ident]
                cycles.setdefault(frozenset(cycle), cycle)
                return
            if ident in reached_questions:
                return
            reached_questions.add(ident)
            stack.append(ident)
            for answer in edges.get(ident, []):
                if answer.target_kind == "outcome":
                    reached_outcomes.add(answer.target)
                else:
                    visit(answer.target, stack)
            stack.pop()

        # Depth-first from each entry point; a question met again from another entry point is
        # not explored twice, which keeps the walk linear in the size of the tree.
        for entry in entry_points:
            visit(entry, [])
        for cycle in sorted(cycles.values()):
            self.problem("tree.yaml", f"cycle between questions {' → '.join(cycle)}")

        # A dead end: a question from which no outcome can be reached.
        leads_out: set[str] = set()
        changed = True
        while changed:
            changed = False
            for ident, answers in edges.items():
                if ident not in leads_out and any(
                    a.target_kind == "outcome" or a.target in leads_out for a in answers
                ):
                    leads_out.add(ident)
                    changed = True
        for ident, answers in edges.items():
            if answers and ident not in leads_out:
                self.problem(
                    f"tree.yaml: question '{ident}'", "dead end: no outcome can be reached"
                )

        for ident in sorted(edges.keys() - reached_questions):
            self.problem(f"tree.yaml: question '{ident}'", "unreachable from the start")
        for ident in sorted(outcome_ids - reached_outcomes):
            self.problem(f"tree.yaml: outcome '{ident}'", "unreachable from the start")
