"""One chord theory: pitch classes, qualities, Harte labels, transposition, bass degrees, notations.

Everything chordview knows about chords is here, and only here; the vocabulary, the decoder, the
song generator, the evaluation sets and the GUI ask this module. Labels are Harte's
(``root:quality/bass``, Harte et al., ISMIR 2005) as :mod:`mir_eval.chord` reads them; a quality
is one row of :data:`QUALITY_TABLE` (its Harte degrees and its chord symbol), and its semitones
follow from the degrees, so adding a quality is one edit. ``mir_eval`` is imported only by
:func:`parse`, :func:`encode` and for degrees outside the plain ``[#b]*digit`` form: it takes about
a second to import.

Other notations plug in as functions ``label -> display string`` (:class:`Notation`), registered
by name with :func:`register_notation` and used through :func:`format_label`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

#: Pitch-class names by pitch class (0 = C), spelled with sharps and with flats.
SHARPS = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
FLATS = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")
#: The names chordview uses where one spelling is needed (the heads' classes, the vocabulary).
PITCH_CLASSES = SHARPS
_LETTERS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
_NOTE = re.compile(r"[A-G][#b]*")
_DEGREE = re.compile(r"([#b]*)(1[0-3]|[1-9])")
_MAJOR_SCALE = (0, 2, 4, 5, 7, 9, 11)


def pitch_class(name: str) -> int:
    """Pitch class (0-11) of a note name such as ``'C#'``, ``'Bb'`` or ``'Ebb'``.

    Raises
    ------
    KeyError, IndexError
        When ``name`` does not start with a letter ``A``-``G``.
    """
    return (_LETTERS[name[0]] + name.count("#") - name.count("b")) % 12


def is_note(name: str) -> bool:
    """Whether ``name`` is a note name: a letter ``A``-``G`` and any sharps or flats."""
    return _NOTE.fullmatch(name) is not None


def spell(pc: int, *, prefer_flats: bool = False) -> str:
    """Name of pitch class ``pc`` (taken modulo 12): ``spell(10) == 'A#'``, with
    ``prefer_flats=True`` ``'Bb'``."""
    return (FLATS if prefer_flats else SHARPS)[pc % 12]


def degree_semitones(degree: str) -> int:
    """Semitones of a Harte scale degree above the root: ``'b3'`` -> 3, ``'bb7'`` -> 9, ``'9'`` ->
    14 (not wrapped), as :func:`mir_eval.chord.scale_degree_to_semitone` counts them.

    Raises
    ------
    mir_eval.chord.InvalidChordException
        For a malformed degree.
    """
    m = _DEGREE.fullmatch(degree)
    if m is None or len(set(m.group(1))) > 1:  # leave odd spellings to mir_eval's rules
        import mir_eval

        return int(mir_eval.chord.scale_degree_to_semitone(degree))
    number = int(m.group(2)) - 1
    shift = len(m.group(1)) * (1 if m.group(1).startswith("#") else -1)
    return _MAJOR_SCALE[number % 7] + 12 * (number // 7) + shift


@dataclass(frozen=True)
class Quality:
    """One chord quality of the vocabulary.

    Attributes
    ----------
    name : str
        Harte shorthand, e.g. ``'min7'``.
    degrees : tuple of str
        Harte degrees of its tones, root (``'1'``) first, e.g. ``('1', 'b3', '5', 'b7')``.
    symbol : str
        Suffix of the chord symbol musicians read (``'m7'``: ``Cm7``).
    compact : str
        A shorter suffix where space is tight (``'ø7'`` for ``'m7b5'``, ``'°'`` for ``'dim'``).
    semitones : tuple of int
        Semitones of the tones above the root, root (0) first, in ``degrees`` order.
    """

    name: str
    degrees: tuple[str, ...]
    symbol: str
    compact: str
    semitones: tuple[int, ...] = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "semitones", tuple(degree_semitones(d) for d in self.degrees))


#: The 14 qualities of the ``3567s`` vocabulary, in chordview's order (GUI grids, class balance).
QUALITY_TABLE = (
    Quality("maj", ("1", "3", "5"), "", ""),
    Quality("min", ("1", "b3", "5"), "m", "m"),
    Quality("dim", ("1", "b3", "b5"), "dim", "°"),
    Quality("aug", ("1", "3", "#5"), "aug", "+"),
    Quality("maj6", ("1", "3", "5", "6"), "6", "6"),
    Quality("min6", ("1", "b3", "5", "6"), "m6", "m6"),
    Quality("7", ("1", "3", "5", "b7"), "7", "7"),
    Quality("maj7", ("1", "3", "5", "7"), "maj7", "Δ7"),
    Quality("min7", ("1", "b3", "5", "b7"), "m7", "m7"),
    Quality("dim7", ("1", "b3", "b5", "bb7"), "dim7", "°7"),
    Quality("hdim7", ("1", "b3", "b5", "b7"), "m7b5", "ø7"),
    Quality("minmaj7", ("1", "b3", "5", "7"), "mMaj7", "mΔ7"),
    Quality("sus2", ("1", "2", "5"), "sus2", "sus2"),
    Quality("sus4", ("1", "4", "5"), "sus4", "sus4"),
)
QUALITY_BY_NAME: dict[str, Quality] = {q.name: q for q in QUALITY_TABLE}
QUALITIES: tuple[str, ...] = tuple(QUALITY_BY_NAME)
#: quality -> semitones above the root, root first: ``QUALITY_SEMITONES['7'] == (0, 4, 7, 10)``.
QUALITY_SEMITONES: dict[str, tuple[int, ...]] = {q.name: q.semitones for q in QUALITY_TABLE}
_BY_SET = {frozenset(q.semitones): q.name for q in QUALITY_TABLE}


def quality_of(semitones: Iterable[int]) -> str | None:
    """The quality whose tones are exactly ``semitones`` above the root (taken modulo 12), or
    None: ``quality_of({0, 4, 7, 10}) == '7'``."""
    return _BY_SET.get(frozenset(s % 12 for s in semitones))


def _omittable_fifth(q: Quality) -> bool:
    """A four-note chord with a perfect fifth whose other three tones are no vocabulary chord."""
    if len(q.semitones) != 4 or 7 not in q.semitones:
        return False
    rest = [s for s in q.semitones if s != 7]
    return not any(quality_of(s - r for s in rest) for r in rest)


#: Qualities whose fifth a voicing may leave out, the chord still heard as itself
#: (``C E Bb`` over a ``C`` bass is ``C:7``; ``C E A`` would be ``A:min/b3``).
OMITTABLE_FIFTH = frozenset(q.name for q in QUALITY_TABLE if _omittable_fifth(q))


def bass_degree(quality: str, interval: int) -> str | None:
    """Harte degree of the tone ``interval`` semitones above the root of a ``quality`` chord:
    ``bass_degree('dim7', 9) == 'bb7'``, ``'1'`` for 0, None when no tone of the chord is there
    (or the quality is not in the vocabulary)."""
    q = QUALITY_BY_NAME.get(quality)
    if q is None:
        return None
    for degree, semitones in zip(q.degrees, q.semitones, strict=True):
        if semitones == interval % 12:
            return degree
    return None


# ----------------------------------------------------------------------------- labels
def harte(root: str, quality: str, bass: str = "") -> str:
    """Harte label from its parts: ``harte('Bb', '7', '3') == 'Bb:7/3'``; a bass of ``''`` or
    ``'1'`` is root position."""
    return f"{root}:{quality}" + (f"/{bass}" if bass and bass != "1" else "")


def split(label: str) -> tuple[str, str, str]:
    """Root, quality and bass degree of a label, read as text without validation.

    ``'F#:min7/b7'`` -> ``('F#', 'min7', 'b7')``; a root alone is major (``'C'`` -> ``('C',
    'maj', '')``); ``N`` and ``X`` -> ``('N', '', '')``. Use :func:`parse` for the whole Harte
    grammar (added and omitted degrees).
    """
    head, _, bass = str(label).partition("/")
    root, colon, quality = head.partition(":")
    if not colon and is_note(root):
        quality = "maj"
    return root, quality, bass


def parse(label: str) -> tuple[str, str, set[str], str]:
    """Root, quality, extra degrees and bass of any Harte label (:func:`mir_eval.chord.split`).

    Raises
    ------
    mir_eval.chord.InvalidChordException
        When ``label`` is not Harte.
    """
    import mir_eval

    root, quality, extensions, bass = mir_eval.chord.split(label)
    return root, quality, set(extensions), bass


def encode(label: str):
    """``(root pc, 12-bit tone bitmap relative to the root, bass semitones)`` of a Harte label,
    as :func:`mir_eval.chord.encode` gives them (root -1 for ``N``)."""
    import mir_eval

    return mir_eval.chord.encode(label)


def transpose(label: str, semitones: int, *, prefer_flats: bool = False) -> str:
    """A label (``'A:min7/b3'``) or note name (``'C#'``) moved up ``semitones``; quality and bass
    degree are relative to the root and stay. Anything without a note root (``N``, ``X``) stays
    as it is. The moved root is spelled by :func:`spell`."""
    root, colon, rest = str(label).partition(":")
    if not is_note(root):
        return label
    return spell(pitch_class(root) + semitones, prefer_flats=prefer_flats) + colon + rest


def bass_pitch_class(root: str, degree: str) -> int:
    """Pitch class of the bass degree ``degree`` of a chord on ``root``: ``('D', '3')`` -> 6."""
    return (pitch_class(root) + degree_semitones(degree)) % 12


def with_bass(label: str, bass_pc: int) -> str:
    """``label`` (``'root:quality'``) with bass pitch class ``bass_pc`` as its inversion:
    ``with_bass('G:7', 5) == 'G:7/b7'``. The label is returned as it is when the bass is its
    root or not one of its tones, and for labels without a quality (``N``, ``X``)."""
    root, colon, quality = label.partition(":")
    if not colon:
        return label
    degree = bass_degree(quality, bass_pc - pitch_class(root))
    return label if degree in (None, "1") else f"{label}/{degree}"


# ----------------------------------------------------------------------------- notations
class Notation(Protocol):
    """A way of writing chords for display: a function from a Harte label to a string."""

    def __call__(self, label: str) -> str: ...


NOTATIONS: dict[str, Notation] = {}


def register_notation(name: str, notation: Notation) -> None:
    """Make ``notation`` available to :func:`format_label` as ``name`` (replacing any)."""
    NOTATIONS[name] = notation


def format_label(label: str, *, notation: str = "harte") -> str:
    """``label`` written in the registered notation ``notation``.

    Raises
    ------
    KeyError
        For a notation that is not registered (see :data:`NOTATIONS`).
    """
    return NOTATIONS[notation](label)


def bass_note(root: str, degree: str) -> str:
    """Note name (sharp spelling) of a Harte bass degree: ``('D', '3')`` -> ``'F#'``; the
    degree itself when it cannot be read."""
    try:
        return PITCH_CLASSES[bass_pitch_class(root, degree)]
    except Exception:  # an unusual spelling: show it as written
        return degree


def chord_symbol(label: str, *, bass: bool = True) -> str:
    """Compact chord symbol of a Harte label: ``'F#:min7/b7'`` -> ``'F#m7/E'`` (``'F#m7'`` with
    ``bass=False``), ``'B:hdim7'`` -> ``'Bm7b5'``. Labels without a quality stay as they are;
    an unknown quality is written as it is (``'C:9'`` -> ``'C9'``)."""
    if ":" not in label:
        return label
    root, _, rest = label.partition(":")
    quality, _, degree = rest.partition("/")
    q = QUALITY_BY_NAME.get(quality)
    symbol = root + (q.symbol if q is not None else quality)
    return symbol + (f"/{bass_note(root, degree)}" if bass and degree else "")


# ----------------------------------------------------------------------------- keys and spelling
#: Tonic names of the 24 keys, by pitch class: the spelling with fewer accidentals (F# major and
#: Eb minor for the six-accidental keys, as musicians most often write them).
MAJOR_TONICS = ("C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
MINOR_TONICS = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "G#", "A", "Bb", "B")
_LETTER_NAMES = "CDEFGAB"
#: Letter steps above the tonic for each semitone offset: the diatonic degree each chromatic
#: note is written as (b2, 2, b3, 3, 4, #4, 5, b6, 6, b7, 7), in major and minor alike; in
#: minor this gives the raised sixth and seventh (F# minor's leading tone is E#).
_STEPS = (0, 1, 1, 2, 2, 3, 3, 4, 5, 5, 6, 6)
#: Offsets written in the key's letters even if that needs E#, B#, Cb or Fb: its scale tones, and
#: in minor also the raised sixth and seventh.
_IN_KEY = {"major": {0, 2, 4, 5, 7, 9, 11}, "minor": {0, 2, 3, 5, 7, 8, 9, 10, 11}}


@dataclass(frozen=True)
class Key:
    """A key: ``tonic`` pitch class (0 = C) and ``mode`` (``'major'`` or ``'minor'``)."""

    tonic: int
    mode: str = "major"

    @property
    def name(self) -> str:
        """``'F# minor'``, ``'Bb major'``."""
        return f"{self.tonic_name} {self.mode}"

    @property
    def tonic_name(self) -> str:
        """The tonic spelled as the key is written (``'Bb'``, ``'F#'``)."""
        return (MAJOR_TONICS if self.mode == "major" else MINOR_TONICS)[self.tonic % 12]

    @property
    def flats(self) -> bool:
        """Whether the key signature has flats (F major, D minor, ...)."""
        return "b" in self.tonic_name or self.tonic_name in (
            ("F",) if self.mode == "major" else ("D", "G", "C", "F")
        )

    def spell(self, pc: int) -> str:
        """Pitch class ``pc`` written in this key: ``Key(5).spell(10) == 'Bb'``,
        ``Key(6, 'minor').spell(5) == 'E#'`` (the leading tone), ``Key(0).spell(6) == 'F#'``."""
        offset = (pc - self.tonic) % 12
        letter = _LETTER_NAMES[(_LETTER_NAMES.index(self.tonic_name[0]) + _STEPS[offset]) % 7]
        shift = (pc - _LETTERS[letter] + 6) % 12 - 6  # -6..5: accidentals on that letter
        name = letter + ("#" * shift if shift > 0 else "b" * -shift)
        plain = abs(shift) <= 1 and (
            name not in ("E#", "B#", "Cb", "Fb") or offset in _IN_KEY[self.mode]
        )
        return name if plain else spell(pc, prefer_flats=self.flats)


def spell_note(pc: int, key: Key | None = None) -> str:
    """Pitch class ``pc`` spelled in ``key``, or with sharps when no key is known."""
    return key.spell(pc) if key is not None else spell(pc)


def chord_tones(label: str) -> list[str]:
    """The tones of a chord spelled from its root by their degrees: ``'E:dim7'`` ->
    ``['E', 'G', 'Bb', 'Db']``, ``'F#:7'`` -> ``['F#', 'A#', 'C#', 'E']``; ``[]`` for a label
    without a vocabulary quality (``N``, ``X``)."""
    root, quality, _bass = split(label)
    q = QUALITY_BY_NAME.get(quality)
    if q is None or not is_note(root):
        return []
    start = _LETTER_NAMES.index(root[0])
    tones = []
    for degree, semitones in zip(q.degrees, q.semitones, strict=True):
        letter = _LETTER_NAMES[(start + int(_DEGREE.fullmatch(degree).group(2)) - 1) % 7]
        pc = (pitch_class(root) + semitones) % 12
        shift = (pc - _LETTERS[letter] + 6) % 12 - 6
        tones.append(letter + ("#" * shift if shift > 0 else "b" * -shift))
    return tones


def musician(
    label: str, *, key: Key | None = None, bass: bool = True, compact: bool = False
) -> str:
    """A Harte label as musicians read it, spelled in ``key``: ``'A#:maj/3'`` in F major ->
    ``'Bb/D'``; ``'B:min'`` -> ``'Bm'``, ``'A:maj/3'`` -> ``'A/C#'``, ``'C:hdim7'`` -> ``'Cm7b5'``
    (``'Cø7'`` with ``compact``), ``'N'`` -> ``'N.C.'``. ``bass=False`` leaves the slash bass out.
    A label outside the vocabulary is returned as it is."""
    if label == "N":
        return "N.C."
    root, quality, degree = split(label)
    q = QUALITY_BY_NAME.get(quality)
    if q is None or not is_note(root):
        return label
    name = spell_note(pitch_class(root), key) + (q.compact if compact else q.symbol)
    if bass and degree:
        try:
            name += "/" + spell_note(bass_pitch_class(root, degree), key)
        except Exception:  # a degree it cannot read: shown as written
            name += "/" + degree
    return name


_SYMBOL = re.compile(r"(?P<root>[A-G][#b]?)(?P<suffix>[^/]*)(?:/(?P<bass>[A-G][#b]?))?")
_SUFFIXES = {s: q.name for q in QUALITY_TABLE for s in (q.symbol, q.compact)}


def parse_symbol(text: str) -> str:
    """The Harte label of a chord symbol as :func:`musician` writes it (``'Bb/D'`` ->
    ``'Bb:maj/3'``, ``'Cø7'`` -> ``'C:hdim7'``, ``'N.C.'`` -> ``'N'``).

    Raises
    ------
    ValueError
        When ``text`` is no chord symbol of the vocabulary, or its bass is not a chord tone.
    """
    if text.strip() in ("N.C.", "N"):
        return "N"
    m = _SYMBOL.fullmatch(text.strip())
    if m is None or m.group("suffix") not in _SUFFIXES:
        raise ValueError(f"{text!r} is not a chord symbol chordview knows")
    root, quality = m.group("root"), _SUFFIXES[m.group("suffix")]
    degree = ""
    if m.group("bass"):
        degree = bass_degree(quality, pitch_class(m.group("bass")) - pitch_class(root)) or ""
        if not degree:
            raise ValueError(f"{text!r}: {m.group('bass')} is not a tone of the chord")
    return harte(root, quality, degree)


register_notation("harte", str)
register_notation("symbol", chord_symbol)
register_notation("musician", musician)
