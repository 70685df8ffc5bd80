"""Write the client handout and the clinician's pocket guide.

Takes: an audience, a language, the practice's name and privacy sentence (the guide: the
thresholds). Returns: a one-page PDF each; the guide is a pocket card of two panels, twice to
a sheet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from markupsafe import Markup
from paperfit.forms.errors import PaperfitError
from paperfit.forms.outputs import HANDOUT, mark
from paperfit.forms.scoring import Thresholds
from paperfit.forms.sheet import Paper
from paperfit.generator.output import write_atomic
from paperfit.generator.render import layout, overflowing, pages_to_pdf, render_html
from paperfit.generator.texts import AUDIENCES, fill, privacy_sentence, texts


def _write_one_page(
    out: Path,
    template: str,
    title: str,
    language: str,
    paper: str,
    large_print: bool,
    **context: object,
) -> Path:
    page = render_html(template, **context)
    pdf = pages_to_pdf(
        [page],
        "pack.html",
        title=title,
        output_mark=mark(HANDOUT),
        lang=language,
        paper=Paper.named(paper),
        large_print=large_print,
    )
    return write_atomic(out, lambda stream: stream.write(pdf))


def write_handout(
    out: Path,
    audience: str,
    language: str,
    paper: str,
    large_print: bool,
    practice_name: str = "",
    privacy: str = "",
) -> Path:
    """The one-page "your feedback shapes your care" handout for AUDIENCE; PRIVACY is the
    practice's own sentence, or empty for the default one in LANGUAGE."""
    if audience not in AUDIENCES:
        raise PaperfitError(f"Unknown audience {audience!r}: use one of {', '.join(AUDIENCES)}.")
    handout = texts(language)["handout"][audience]
    return _write_one_page(
        out,
        "_handout.html",
        handout["title"],
        language,
        paper,
        large_print,
        handout=handout,
        audience=audience,
        practice_name=practice_name,
        privacy=privacy_sentence(language, privacy),
    )


def card_values(thresholds: Thresholds, words: Mapping[str, Any]) -> list[str]:
    """The numbers a clinician looks up, as the practice sets them: the outcome cutoffs by
    age group, the reliable change, the SRS alert values and the session for a plan review."""
    groups = words["age_groups"]
    cutoffs = words["value_separator"].join(
        fill(words["value_group"], group=groups[group], value=f"{value:g}")
        for group, value in thresholds.cutoffs.items()
    )
    return [
        fill(words["value_cutoff"], cutoffs=cutoffs),
        fill(words["value_rci"], rci=f"{thresholds.rci:g}"),
        fill(
            words["value_alert"],
            total=f"{thresholds.alert_total:g}",
            item=f"{thresholds.alert_item:g}",
        ),
        fill(words["value_review"], session=thresholds.review_session),
    ]


def card_panels(sections: Sequence[Mapping[str, Any]], first: int) -> list[list[Mapping]]:
    """SECTIONS split between the card's two panels: the first FIRST with the numbers, the
    rest on the second."""
    return [list(sections[:first]), list(sections[first:])]


def write_guide(
    out: Path, language: str, paper: str, thresholds: Thresholds, practice_name: str = ""
) -> Path:
    """The clinician's pocket card: two panels (quarter-Letter or A6) side by side, to fold
    in the middle, with the numbers the practice uses; twice to a sheet, to cut in two. The
    sections go two to the first panel, after the numbers, unless they do not fit."""
    guide = texts(language)["guide"]
    size = Paper.named(paper)
    values = card_values(thresholds, guide)
    alerts = {
        "alert_total": f"{thresholds.alert_total:g}",
        "alert_item": f"{thresholds.alert_item:g}",
    }
    for first in (2, 1, 3):
        page = render_html(
            "_guide.html",
            guide=guide,
            panels=card_panels(guide["sections"], first),
            values=values,
            practice_name=practice_name,
            card={"width": size.width / 2, "height": size.height / 2},
            **alerts,
        )
        context = {
            "title": guide["title"],
            "lang": language,
            "paper": size,
            "margins": "0",
            "page_height": size.height,
            "large_print": False,
        }
        document = layout(render_html("pack.html", pages=[Markup(page)], **context))
        if not overflowing(document, "card-panel"):
            break
    else:
        raise PaperfitError(
            f"The pocket card's words do not fit its panels in language {language!r}: "
            "shorten the [guide] text in templates/text."
        )
    pdf = pages_to_pdf([page], "pack.html", output_mark=mark(HANDOUT), **context)
    return write_atomic(out, lambda stream: stream.write(pdf))
