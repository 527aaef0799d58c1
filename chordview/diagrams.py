"""Chord diagrams for players: guitar shapes in standard tuning and the keys of a piano chord.

:func:`guitar_shape` gives the shape a guitarist would reach for: the open chord where one is
commonly played (``C`` ``x32010``, ``Am`` ``x02210``, ``E7`` ``020100``), else the E-form or
A-form barre shape, else the best shape a search over the neck finds. Inversions (``C:maj/3``)
get a shape whose lowest string plays the bass where one exists, else the root-position shape.
Every shape sounds chord tones only, all of them (a four-note chord of
:data:`~chordview.theory.OMITTABLE_FIFTH` may leave out its fifth), on at least four strings,
with the root (or the bass) lowest, at most four fingers (a barre is one) within four frets.
:func:`piano_keys` gives the pitch classes to light and the bass. No Qt here, no numpy either.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import product

from chordview.theory import (
    OMITTABLE_FIFTH,
    QUALITY_BY_NAME,
    bass_pitch_class,
    is_note,
    pitch_class,
    split,
)

#: Open-string MIDI keys in standard tuning, low E to high E (E2 A2 D3 G3 B3 E4).
TUNING = (40, 45, 50, 55, 59, 64)
#: Most frets a shape spans (lowest to highest fretted note, inclusive), and most fingers.
MAX_SPAN, MAX_FINGERS = 4, 4


@dataclass(frozen=True)
class Barre:
    """One finger laid across strings ``first`` to ``last`` (0 = low E) at ``fret``."""

    fret: int
    first: int
    last: int
    finger: int = 1


@dataclass(frozen=True)
class GuitarShape:
    """A chord shape on a six-string guitar in standard tuning.

    Attributes
    ----------
    frets : tuple of int
        Six frets, low E string first: -1 muted, 0 open.
    fingers : tuple of int
        Six fingers (1 index .. 4 little finger; 0 for open and muted strings); a barre's finger
        holds several strings.
    base_fret : int
        The fret the diagram starts at (1: the nut shows).
    barre : Barre or None
    """

    frets: tuple[int, ...]
    fingers: tuple[int, ...]
    base_fret: int = 1
    barre: Barre | None = None

    @property
    def notes(self) -> list[int]:
        """MIDI keys of the sounding strings, low to high string."""
        return [s + f for s, f in zip(TUNING, self.frets, strict=True) if f >= 0]


#: Open chords as guitarists play them: (root, quality) -> (frets, fingers), low E first.
OPEN_SHAPES = {
    ("C", "maj"): ("x32010", "032010"),
    ("A", "maj"): ("x02220", "001230"),
    ("G", "maj"): ("320003", "210003"),
    ("E", "maj"): ("022100", "023100"),
    ("D", "maj"): ("xx0232", "000132"),
    ("A", "min"): ("x02210", "002310"),
    ("E", "min"): ("022000", "023000"),
    ("D", "min"): ("xx0231", "000231"),
    ("E", "7"): ("020100", "020100"),
    ("A", "7"): ("x02020", "002030"),
    ("D", "7"): ("xx0212", "000213"),
    ("C", "7"): ("x32310", "032410"),
    ("G", "7"): ("320001", "320001"),
    ("B", "7"): ("x21202", "021304"),
    ("C", "maj7"): ("x32000", "032000"),
    ("A", "maj7"): ("x02120", "002130"),
    ("D", "maj7"): ("xx0222", "000123"),
    ("E", "maj7"): ("021100", "031200"),
    ("F", "maj7"): ("xx3210", "003210"),
    ("G", "maj7"): ("320002", "320001"),
    ("A", "min7"): ("x02010", "002010"),
    ("E", "min7"): ("022030", "023040"),
    ("D", "min7"): ("xx0211", "000211"),
    ("A", "sus2"): ("x02200", "001200"),
    ("D", "sus2"): ("xx0230", "000130"),
    ("A", "sus4"): ("x02230", "001230"),
    ("D", "sus4"): ("xx0233", "000134"),
    ("E", "sus4"): ("022200", "023400"),
    ("A", "maj6"): ("x02222", "001111"),
    ("D", "maj6"): ("xx0202", "000203"),
    ("E", "maj6"): ("022120", "023140"),
    ("G", "maj6"): ("320000", "210000"),
    ("A", "min6"): ("x02212", "002314"),
    ("E", "min6"): ("022020", "023040"),
    ("D", "min6"): ("xx0201", "000201"),
    ("E", "minmaj7"): ("021000", "021000"),
    ("A", "minmaj7"): ("x02110", "003120"),
    ("C", "aug"): ("x32110", "043120"),
    ("E", "aug"): ("032110", "043120"),
}

#: Movable barre shapes: quality -> (root string, offsets from the root's fret (None muted),
#: and fingers where the usual ones differ from :func:`finger`'s). The E form has its root on
#: the low E string, the A form on the A string.
BARRE_FORMS = {
    "maj": ((0, (0, 2, 2, 1, 0, 0)), (1, (None, 0, 2, 2, 2, 0))),
    "min": ((0, (0, 2, 2, 0, 0, 0)), (1, (None, 0, 2, 2, 1, 0))),
    "7": ((0, (0, 2, 0, 1, 0, 0)), (1, (None, 0, 2, 0, 2, 0))),
    "min7": ((0, (0, 2, 0, 0, 0, 0)), (1, (None, 0, 2, 0, 1, 0))),
    "maj7": ((0, (0, None, 1, 1, 0, None)), (1, (None, 0, 2, 1, 2, 0))),
    "sus4": ((0, (0, 2, 2, 2, 0, 0)), (1, (None, 0, 2, 2, 3, 0))),
    "sus2": ((1, (None, 0, 2, 2, 0, 0)),),
    "maj6": ((1, (None, 0, 2, 2, 2, 2), (0, 1, 3, 3, 3, 3)),),
    "minmaj7": ((0, (0, 2, 1, 0, 0, 0)), (1, (None, 0, 2, 1, 1, 0))),
    "dim": ((1, (None, 0, 1, 2, 1, None)),),
    "hdim7": ((1, (None, 0, 1, 0, 1, None)), (0, (0, None, 0, 0, -1, None))),
    "dim7": ((1, (None, 0, 1, -1, 1, None)), (0, (0, None, -1, 0, -1, None))),
}
#: Barre shapes of these qualities are preferred over a search up to :data:`HIGHEST_FORM`; the
#: others only when a search finds nothing cheaper.
FAMILIAR_FORMS = frozenset({"maj", "min", "7", "min7", "maj7", "sus4"})
HIGHEST_FORM = 7


def _frets(text: str) -> tuple[int, ...]:
    return tuple(-1 if c == "x" else int(c) for c in text)


# ----------------------------------------------------------------------------- fingering
def finger(frets: tuple[int, ...]) -> tuple[tuple[int, ...], Barre | None] | None:
    """Fingers for a fret tuple, or None when it needs more than four.

    Each fretted string gets a finger, the index at the lowest fret and higher fingers for higher
    frets (never a lower finger on a higher fret). With more than four fretted strings the index
    lies across the strings at the lowest fret as a barre, from the lowest to the highest string
    fretted there, when no open or muted string lies under it.
    """
    fretted = [(f, s) for s, f in enumerate(frets) if f > 0]
    if not fretted:
        return (0,) * 6, None
    low = min(f for f, _ in fretted)
    barre = None
    rest = sorted(fretted)
    if len(fretted) > MAX_FINGERS:
        at_low = [s for f, s in fretted if f == low]
        first, last = min(at_low), max(at_low)
        if len(at_low) < 2 or any(frets[s] < low for s in range(first, last + 1)):
            return None
        barre = Barre(low, first, last, 1)
        rest = sorted((f, s) for f, s in fretted if f > low)
    if len(rest) + (barre is not None) > MAX_FINGERS:
        return None
    fingers = [0] * 6
    if barre is not None:
        for s in range(barre.first, barre.last + 1):
            if frets[s] == low:
                fingers[s] = 1
    prev = 1 if barre is not None else 0
    for i, (f, s) in enumerate(rest):
        left = len(rest) - i - 1
        fingers[s] = min(max(prev + 1, f - low + 1), MAX_FINGERS - left)
        prev = fingers[s]
    return tuple(fingers), barre


def _explicit(frets: tuple[int, ...], fingers: tuple[int, ...]) -> GuitarShape:
    """A shape from a table, its barre found where one finger holds several strings."""
    barre = None
    for n in range(1, 5):
        held = [s for s in range(6) if fingers[s] == n]
        if len(held) > 1:
            barre = Barre(frets[held[0]], held[0], held[-1], n)
    return GuitarShape(frets, fingers, _base(frets), barre)


def _base(frets: tuple[int, ...]) -> int:
    fretted = [f for f in frets if f > 0]
    return 1 if not fretted or max(fretted) <= MAX_SPAN else min(fretted)


def _shape(frets: tuple[int, ...]) -> GuitarShape | None:
    fingering = finger(frets)
    if fingering is None:
        return None
    return GuitarShape(frets, fingering[0], _base(frets), fingering[1])


# ----------------------------------------------------------------------------- checks
def _tones(root_pc: int, quality: str) -> tuple[set[int], set[int]]:
    """The chord's pitch classes, and those a shape must sound."""
    q = QUALITY_BY_NAME[quality]
    pcs = {(root_pc + s) % 12 for s in q.semitones}
    required = set(pcs)
    if quality in OMITTABLE_FIFTH:
        required.discard((root_pc + 7) % 12)
    return pcs, required


def plays(shape: GuitarShape, pcs: set[int], required: set[int], bass: int) -> bool:
    """Whether ``shape`` sounds only ``pcs``, all of ``required``, ``bass`` lowest, on four or
    more strings, within four frets and four fingers."""
    notes = shape.notes
    if len(notes) < 4 or {n % 12 for n in notes} - pcs or required - {n % 12 for n in notes}:
        return False
    if notes[0] % 12 != bass or min(notes) != notes[0]:
        return False
    fretted = [f for f in shape.frets if f > 0]
    if fretted and max(fretted) - min(fretted) + 1 > MAX_SPAN:
        return False
    return fingering_ok(shape)


def fingering_ok(shape: GuitarShape) -> bool:
    """Whether every fretted string has a finger (1-4, at most four in all), open and muted
    strings none, one finger holds one fret only, and a higher finger never a lower fret."""
    held: dict[int, int] = {}
    for fret, n in zip(shape.frets, shape.fingers, strict=True):
        if (fret > 0) != (1 <= n <= MAX_FINGERS) or n and held.setdefault(n, fret) != fret:
            return False
    order = sorted(held.items())
    return all(a[1] <= b[1] for a, b in zip(order, order[1:], strict=False))


# ----------------------------------------------------------------------------- search
def _cost(shape: GuitarShape) -> float:
    """How hard a shape is to read and play (lower is better)."""
    frets = shape.frets
    on = [s for s in range(6) if frets[s] >= 0]
    inner_mutes = sum(1 for s in range(on[0], on[-1] + 1) if frets[s] < 0)
    fretted = [f for f in frets if f > 0]
    position = min(fretted) if fretted else 0
    span = max(fretted) - position if fretted else 0
    fingers = len({n for n in shape.fingers if n})
    return (
        2.0 * (6 - len(on))
        + 5.0 * inner_mutes
        + 0.8 * position
        + 0.6 * span
        + 0.4 * fingers
        + (1.0 if shape.barre is not None else 0.0)
        + (2.0 if 0 in frets and position + span > MAX_SPAN else 0.0)  # open strings far away
    )


@lru_cache(maxsize=1024)
def search(pcs: frozenset[int], required: frozenset[int], bass: int) -> GuitarShape | None:
    """The cheapest playable shape sounding ``pcs`` (all of ``required``) over ``bass``.

    Positions 0-11 are tried, each a window of four frets, with open strings in the lowest
    positions; shapes with more strings, fewer muted strings inside, a lower position and fewer
    fingers cost less.
    """
    best: tuple[float, GuitarShape] | None = None
    for pos in range(0, 12):
        window = range(max(pos, 1), pos + MAX_SPAN)
        opens = pos <= 3
        options = []
        for s in TUNING:
            frets = [f for f in window if (s + f) % 12 in pcs]
            if opens and s % 12 in pcs:
                frets.insert(0, 0)
            options.append([-1, *frets])
        for frets in product(*options):
            on = [s for s in range(6) if frets[s] >= 0]
            if len(on) < 4 or (TUNING[on[0]] + frets[on[0]]) % 12 != bass:
                continue
            shape = _shape(frets)
            if shape is None or not plays(shape, set(pcs), set(required), bass):
                continue
            cost = _cost(shape)
            if best is None or cost < best[0]:
                best = (cost, shape)
    return best[1] if best is not None else None


# ----------------------------------------------------------------------------- public API
def _forms(root_pc: int, quality: str, pcs, required) -> list[GuitarShape]:
    out = []
    for string, offsets, *fingers in BARRE_FORMS.get(quality, ()):
        fret = (root_pc - TUNING[string]) % 12
        if any(o is not None and fret + o < 1 for o in offsets):
            continue  # the form would need open strings or frets below the nut
        frets = tuple(-1 if o is None else fret + o for o in offsets)
        shape = _explicit(frets, fingers[0]) if fingers else _shape(frets)
        if shape is not None and plays(shape, pcs, required, root_pc):
            out.append(shape)
    return sorted(out, key=lambda sh: min(f for f in sh.frets if f > 0))


@lru_cache(maxsize=512)
def _root_shape(root_pc: int, quality: str, root_name: str) -> GuitarShape | None:
    pcs, required = _tones(root_pc, quality)
    for (name, q), (frets, fingers) in OPEN_SHAPES.items():
        if q == quality and pitch_class(name) == root_pc:
            return _explicit(_frets(frets), tuple(int(c) for c in fingers))
    forms = _forms(root_pc, quality, pcs, required)
    low = forms and min(f for f in forms[0].frets if f > 0) <= HIGHEST_FORM
    if low and quality in FAMILIAR_FORMS:
        return forms[0]
    found = search(frozenset(pcs), frozenset(required), root_pc)
    if low and (found is None or _cost(forms[0]) <= _cost(found) + 1.0):
        return forms[0]
    return found or (forms[0] if forms else None)


def guitar_shape(label: str) -> GuitarShape | None:
    """The guitar shape of a Harte label (``'C:maj'``, ``'F#:min7/b7'``), None for ``N``, ``X``
    and labels outside the vocabulary.

    For an inversion, the best shape with the bass on its lowest string, else the root-position
    shape.
    """
    root, quality, degree = split(label)
    if quality not in QUALITY_BY_NAME or not is_note(root):
        return None
    root_pc = pitch_class(root)
    if degree and degree != "1":
        try:
            bass = bass_pitch_class(root, degree)
        except Exception:  # an unreadable degree: root position
            bass = root_pc
        pcs, required = _tones(root_pc, quality)
        if bass in pcs and bass != root_pc:
            found = search(frozenset(pcs), frozenset(required | {bass}), bass)
            if found is not None:
                return found
    return _root_shape(root_pc, quality, root)


def piano_keys(label: str) -> tuple[frozenset[int], int | None]:
    """Pitch classes to light for a Harte label and its bass pitch class (the root in root
    position); ``(frozenset(), None)`` for ``N``, ``X`` and labels outside the vocabulary."""
    root, quality, degree = split(label)
    q = QUALITY_BY_NAME.get(quality)
    if q is None or not is_note(root):
        return frozenset(), None
    root_pc = pitch_class(root)
    pcs = frozenset((root_pc + s) % 12 for s in q.semitones)
    try:
        bass = bass_pitch_class(root, degree) if degree else root_pc
    except Exception:
        bass = root_pc
    return pcs, bass if bass in pcs else root_pc
