"""What the graph's table says about each session: flags and good news, each said once.

Takes: a client's scored forms by session, the client's cutoff and the sessions under the
expected course. Returns: for each session, its notes (a black-and-white mark, and its words
where it starts). A note that already held at the session before (of the same kind of form)
is shown by its mark alone, so a flag that starts at session 4 is said at session 4, not on
every later row, and a new flag stands out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from paperfit.forms.scoring import CLINICALLY_SIGNIFICANT, RELIABLE_IMPROVEMENT, ScoredForm
from paperfit.generator.texts import fill

# One shape per meaning, told apart in black and white (a photocopy): good news and flags
# never share a mark. The rings match the rings drawn round a point below the expected course.
MARKS = {
    "improvement": "✓",
    "crossed": "★",
    "deterioration": "▼",
    "flag": "▲",
    "below_expected": "○",
    "well_below_expected": "◎",
}
MARK_ORDER = tuple(MARKS)
NEWS = frozenset({"improvement", "crossed"})


@dataclass(frozen=True)
class Note:
    """One thing said of a session: KIND (a key of MARKS), its MARK, and WORDS (empty when
    it continues from the session before)."""

    kind: str
    mark: str
    words: str

    @property
    def news(self) -> bool:
        return self.kind in NEWS

    @property
    def text(self) -> str:
        return f"{self.mark} {self.words}" if self.words else self.mark


# (identity, kind, words): identity tells one flag from another (SRS total, SRS item…)
Event = tuple[tuple[str, str], str, str]


def _outcome_events(
    entry: ScoredForm, intake: float | None, cutoff: float, words: Mapping[str, Any]
) -> list[Event]:
    events: list[Event] = []
    news = words["news_words"]
    if entry.classification in (RELIABLE_IMPROVEMENT, CLINICALLY_SIGNIFICANT):
        events.append((("improvement", ""), "improvement", news["improvement"]))
    total = entry.total
    if intake is not None and total is not None and intake <= cutoff < total:
        events.append((("crossed", ""), "crossed", fill(news["crossed"], cutoff=f"{cutoff:g}")))
    return events


def _flag_events(entry: ScoredForm, words: Mapping[str, Any]) -> list[Event]:
    return [
        (
            (flag.code, flag.instrument),
            "deterioration" if flag.code == "deterioration" else "flag",
            flag.say(words["flag_words"][flag.code]),
        )
        for flag in entry.flags
    ]


def session_notes(
    sessions: Mapping[int, Mapping[str, ScoredForm]],
    cutoff: float,
    below: Mapping[int, bool],
    words: Mapping[str, Any],
) -> dict[int, tuple[Note, ...]]:
    """The notes of each session in SESSIONS (session → kind → form), in WORDS (the [graph]
    table): what starts (in words) first, then the marks of what still holds, each in the
    order of MARKS (good news, the expected course, the flags)."""
    outcome_totals = [
        forms["outcome"].total
        for _, forms in sorted(sessions.items())
        if "outcome" in forms and forms["outcome"].total is not None
    ]
    intake = outcome_totals[0] if outcome_totals else None
    before: dict[str, set[tuple[str, str]]] = {"outcome": set(), "alliance": set()}
    notes: dict[int, tuple[Note, ...]] = {}
    for session, forms in sorted(sessions.items()):
        said: list[Note] = []
        for kind in ("outcome", "alliance"):
            entry = forms.get(kind)
            if entry is None:
                continue
            events = _outcome_events(entry, intake, cutoff, words) if kind == "outcome" else []
            if kind == "outcome" and session in below:
                level = "well_below_expected" if below[session] else "below_expected"
                events.append(((level, ""), level, words[level]))
            events += _flag_events(entry, words)
            for identity, note_kind, text in events:
                again = identity in before[kind]
                said.append(Note(note_kind, MARKS[note_kind], "" if again else text))
            before[kind] = {identity for identity, _, _ in events}
        said.sort(key=lambda note: (not note.words, MARK_ORDER.index(note.kind)))
        notes[session] = tuple(said)
    return notes


def notes_text(notes: Sequence[Note], separator: str = "; ") -> str:
    """NOTES as one line of text: a mark alone is followed by a space, words by SEPARATOR
    (as _graph.html prints them)."""
    parts = []
    for index, note in enumerate(notes):
        if index:
            parts.append(separator if notes[index - 1].words else " ")
        parts.append(note.text)
    return "".join(parts)


def flag_starts(notes: Mapping[int, tuple[Note, ...]]) -> list[int]:
    """The sessions where a flag starts (said in words): the chart marks only these."""
    return sorted(
        session
        for session, said in notes.items()
        if any(n.words and n.kind in ("flag", "deterioration") for n in said)
    )


def key_marks(notes: Mapping[int, tuple[Note, ...]], words: Mapping[str, Any]) -> str:
    """The key's line for the marks the table uses ("" when it uses none)."""
    used = {note.kind for said in notes.values() for note in said}
    if not used:
        return ""
    names = [f"{MARKS[kind]} {words['mark_names'][kind]}" for kind in MARK_ORDER if kind in used]
    return fill(words["key_marks"], marks=words["mark_separator"].join(names))
