"""RomanText analyses of the music21 corpus as Harte chord labels.

EVALUATION ONLY. These are human harmonic analyses of real music (20 Bach chorales, 48 Monteverdi
madrigals); nothing built from them may feed training, early stopping, checkpoint or model
selection, or any tuning of decoder parameters. They exist to score finished models.

A :class:`Piece` pairs a ``.rntxt`` analysis with the score it analyses (a chorale by its BWV
number, a madrigal by book and number). :func:`rn_to_harte` turns one
:class:`music21.roman.RomanNumeral` into a Harte label in chordview's 14-quality vocabulary,
from the chord's actual pitch classes; :func:`analysis_measures` reads an analysis measure by
measure, ready to be placed on its score by :func:`chordview.evalsets.align.check_alignment`.

Label rules
-----------
* Root and quality come from the pitch classes the numeral implies (``rn.pitches``) measured
  from ``rn.root()``; the bass (``rn.bass()``) becomes a Harte degree, so inversions and sevenths
  are kept (``V6/5`` in C -> ``G:7/3``).
* A pitch-class set that is none of the 14 qualities from its analytic root is re-read from its
  other tones, and kept only if that reading is exact: a German sixth (Ab C Eb F# in C) *is*
  ``Ab:7`` in pitch content, so it gets that label, bass included. This is the only
  re-rooting; its spelling follows the pitch music21 gives.
* Anything else is ``X``, which mir_eval leaves out of every score: Italian and French sixths,
  ninths, added notes, and the incomplete chords the analysts mark with ``[no3]``, ``[no5]`` or
  ``[no1]`` (a bare fifth, a third without its fifth), whose quality the notes do not fix.
* Stretches the score sounds but the analysis does not cover (an unanalysed monophonic opening)
  are ``X``; silence is ``N`` (see :func:`chordview.evalsets.render_scores.reference`).
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, replace
from pathlib import Path

from chordview import theory
from chordview.errors import AnnotationError


def corpus_root() -> Path:
    """Folder of music21's bundled corpus."""
    import music21

    return Path(music21.__file__).parent / "corpus"


@dataclass(frozen=True)
class Piece:
    """One analysis and the score it analyses.

    Attributes
    ----------
    name : str
        Stable identifier used in file names (no dots), e.g. ``'bach_rs003_bwv153_1'``.
    analysis, score : Path
        The ``.rntxt`` file and the score file (MusicXML or Humdrum) in the corpus.
    title, composer, analyst : str
        From the analysis header.
    kind : str
        ``'chorale'`` or ``'madrigal'``.
    """

    name: str
    analysis: Path
    score: Path | None
    title: str
    kind: str
    composer: str = ""
    analyst: str = ""


def _header(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines()[:20]:
        m = re.match(r"^([A-Za-z ]+):\s*(.*?)\s*$", line)
        if m and m.group(1) not in out:
            out[m.group(1)] = m.group(2)
    return out


def _bwv_stem(bwv: str) -> str:
    """Corpus file stem of a BWV number, e.g. ``'248(2).12'`` -> ``'bwv248.12-2'``.

    A trailing letter (``'41.6s'``) is dropped: the corpus holds one score per number.
    """
    m = re.fullmatch(r"(\d+)\((\d+)\)\.(\d+)", bwv)
    if m:
        return f"bwv{m.group(1)}.{m.group(3)}-{m.group(2)}"
    return "bwv" + re.sub(r"[a-z]+$", "", bwv)


def _find_score(folder: Path, stem: str) -> Path | None:
    for ext in (".mxl", ".xml", ".musicxml", ".krn"):
        if (folder / (stem + ext)).is_file():
            return folder / (stem + ext)
    return None


def find_pieces(root: str | Path | None = None) -> list[Piece]:
    """Every RomanText analysis in the corpus with its score (``score=None`` when none matches).

    Chorale analyses (``bach/choraleAnalyses/riemenschneiderNNN.rntxt``) name their chorale in
    the ``BWV:`` header; madrigal analyses sit beside the score of the same stem.
    """
    root = Path(root) if root is not None else corpus_root()
    pieces = []
    for path in sorted((root / "bach" / "choraleAnalyses").glob("*.rntxt")):
        head = _header(path)
        stem = _bwv_stem(head.get("BWV", "").strip())
        number = re.sub(r"\D", "", path.stem)
        pieces.append(
            Piece(
                name=f"bach_rs{number}_{stem.replace('.', '_')}",
                analysis=path,
                score=_find_score(root / "bach", stem),
                title=head.get("Title", ""),
                kind="chorale",
                composer=head.get("Composer", ""),
                analyst=head.get("Analyst", ""),
            )
        )
    for path in sorted((root / "monteverdi").glob("*.rntxt"), key=_madrigal_order):
        head = _header(path)
        pieces.append(
            Piece(
                name=path.stem.replace("madrigal.", "monteverdi_").replace(".", "_"),
                analysis=path,
                score=_find_score(path.parent, path.stem),
                title=head.get("Title", ""),
                kind="madrigal",
                composer=head.get("Composer", ""),
                analyst=head.get("Analyst", ""),
            )
        )
    return pieces


def _madrigal_order(path: Path) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", path.stem))


# ----------------------------------------------------------------------------- labels
def _spell(pitch) -> str:
    return pitch.name.replace("-", "b")


def harte_from_pitches(pitches, *, root, bass) -> str:
    """Harte label of a chord given as music21 pitches, read from ``root`` first.

    Parameters
    ----------
    pitches : sequence of music21.pitch.Pitch
        The chord tones.
    root, bass : music21.pitch.Pitch
        Analytic root and lowest tone.

    Returns
    -------
    str
        ``'root:quality[/degree]'`` in the 14-quality vocabulary, or ``'X'`` when no tone of
        the chord makes its pitch-class set one of those qualities.
    """
    pcs = {p.pitchClass for p in pitches}
    candidates = [
        root,
        *sorted((p for p in pitches if p.pitchClass != root.pitchClass), key=lambda p: p.ps),
    ]
    for cand in candidates:
        quality = theory.quality_of(pc - cand.pitchClass for pc in pcs)
        if quality is None:
            continue
        # the bass is one of the pitches, so a chord tone: its degree in the quality ('bb7' in dim7)
        degree = theory.bass_degree(quality, bass.pitchClass - cand.pitchClass)
        return theory.harte(_spell(cand), quality, degree)
    return "X"


def rn_to_harte(rn) -> str:
    """Harte label of a :class:`music21.roman.RomanNumeral` (see the module's label rules)."""
    return harte_from_pitches(rn.pitches, root=rn.root(), bass=rn.bass())


@dataclass(frozen=True)
class Span:
    """One analysed chord.

    Attributes
    ----------
    start, end : float
        Quarter notes: from the downbeat of its measure in an :class:`AnalysisMeasure`, from the
        start of the score once placed on it (:func:`chordview.evalsets.align.place`).
    label : str
        Harte label (:func:`rn_to_harte`).
    figure : str
        The numeral and its key, e.g. ``'V6/5 in G major'``.
    measure : int
        Measure number in the analysis.
    pcs : tuple of int
        Pitch classes the numeral implies (also for ``X`` labels: they are checked too).
    """

    start: float
    end: float
    label: str
    figure: str
    measure: int
    pcs: tuple[int, ...] = ()

    def transposed(self, semitones: int) -> Span:
        """The same chord moved by ``semitones`` (repairs a transposed analysis)."""
        if semitones % 12 == 0:
            return self
        from music21 import pitch

        label = self.label
        if label not in ("N", "X"):
            root, _, rest = label.partition(":")
            moved = pitch.Pitch(root[0] + root[1:].replace("b", "-")).transpose(semitones)
            label = f"{_spell(moved)}:{rest}"
        pcs = tuple(sorted((pc + semitones) % 12 for pc in self.pcs))
        return replace(self, label=label, figure=f"{self.figure} (+{semitones % 12})", pcs=pcs)


@dataclass(frozen=True)
class AnalysisMeasure:
    """The chords of one measure of an analysis.

    Attributes
    ----------
    number : int
        Measure number as written in the ``.rntxt`` file (``m0`` is a pickup).
    chords : tuple of Span
        Times in quarter notes from the measure's notional downbeat (a pickup's chords start
        late), as music21 lays them out: each lasts until the next or the barline.
    repeat_start, repeat_end : bool
        ``||:`` before or ``:||`` after the measure.
    """

    number: int
    chords: tuple[Span, ...]
    repeat_start: bool = False
    repeat_end: bool = False


def parse_analysis(path: str | Path):
    """The music21 stream of a ``.rntxt`` file (quietly; RomanText warnings are many)."""
    from music21 import converter

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return converter.parse(str(path), format="romanText")
    except Exception as exc:  # music21 raises many unrelated types on bad input
        raise AnnotationError(f"{path}: cannot parse RomanText ({exc})") from None


def analysis_measures(analysis) -> list[AnalysisMeasure]:
    """The measures of a parsed analysis in file order, with their chords.

    Returns
    -------
    list of AnalysisMeasure
        Measures without a chord of their own are kept when a chord carries over into them.
    """
    from music21 import bar, roman

    out = []
    for m in analysis.parts[0].getElementsByClass("Measure"):
        pad = float(m.paddingLeft or 0.0)
        chords = []
        for rn in m.getElementsByClass(roman.RomanNumeral):
            start = pad + float(rn.offset)
            end = start + float(rn.quarterLength)
            if end <= start:
                continue
            figure = f"{rn.figure} in {rn.key}" if rn.key is not None else rn.figure
            pcs = tuple(sorted({p.pitchClass for p in rn.pitches}))
            chords.append(Span(start, end, rn_to_harte(rn), figure, int(m.number), pcs))
        out.append(
            AnalysisMeasure(
                number=int(m.number),
                chords=tuple(chords),
                repeat_start=isinstance(m.leftBarline, bar.Repeat),
                repeat_end=isinstance(m.rightBarline, bar.Repeat),
            )
        )
    return out


def unit_orders(measures: list[AnalysisMeasure]) -> dict[str, list[int]]:
    """Orders in which the analysis's measures can be read: as written and repeats expanded.

    A ``:||`` sends the reading back to the last ``||:``, or to the first full measure when
    there is none (a pickup is not repeated: its upbeat is the end of the repeated passage).

    Returns
    -------
    dict
        ``{'written': [0, 1, ...]}`` and, when the analysis has repeat signs,
        ``'repeats expanded'``: indices into ``measures``.
    """
    written = list(range(len(measures)))
    orders = {"written": written}
    if not any(m.repeat_end for m in measures):
        return orders
    expanded, start = [], 1 if measures and measures[0].number == 0 else 0
    for i, m in enumerate(measures):
        if m.repeat_start:
            start = i
        expanded.append(i)
        if m.repeat_end:
            expanded.extend(range(start, i + 1))
            start = i + 1
    orders["repeats expanded"] = expanded
    return orders
