"""Write the client handout and the clinician's pocket guide.

Takes: an audience, a language, the practice's name and privacy sentence.
Returns: a one-page PDF each.
"""

from __future__ import annotations

from pathlib import Path

from paperfit.forms.errors import PaperfitError
from paperfit.forms.outputs import HANDOUT, mark
from paperfit.forms.scoring import Thresholds
from paperfit.forms.sheet import Paper
from paperfit.generator.output import write_atomic
from paperfit.generator.render import pages_to_pdf, render_html
from paperfit.generator.texts import AUDIENCES, privacy_sentence, texts


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


def write_guide(
    out: Path, language: str, paper: str, thresholds: Thresholds, practice_name: str = ""
) -> Path:
    """The clinician's pocket card, with the SRS alert values the practice uses."""
    guide = texts(language)["guide"]
    return _write_one_page(
        out,
        "_guide.html",
        guide["title"],
        language,
        paper,
        False,
        guide=guide,
        practice_name=practice_name,
        alert_total=f"{thresholds.alert_total:g}",
        alert_item=f"{thresholds.alert_item:g}",
    )
