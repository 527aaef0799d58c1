"""Chord progressions in the style of a four-part chorale (the ``hymn`` plan), in beats.

:mod:`chordview.generator.harmony` writes the harmony of band songs; four-part songs sung to it
(:meth:`chordview.generator.band.Band.chorale`) have a band's harmonic rhythm and vocabulary. This
module writes what a chorale harmonisation is made of, as common-practice harmony describes it:

- phrases of one to three bars, each closed by a cadence on a held chord (a fermata: two to four
  beats, starting on a strong beat), in the home key or a closely related one (dominant,
  relative, subdominant); the song's last phrase cadences at home (a 30-second excerpt may end
  before it does), and a minor piece may end on a major tonic (Picardy third);
- a chord on nearly every beat, some held for two, some pairs of half a beat;
- triads and the common seventh chords only: V7, ii7, vii°7 (minor) and viiø7 (major), vi7, IV7,
  applied dominants (V7/x, vii°7/x), and the 8-7 motion V - V7 over one bass; no added-sixth,
  suspended, augmented or minor-major chords (suspensions are non-chord tones of the voices, see
  :mod:`chordview.generator.chorale`);
- first inversions about as often as in chorale harmonisations (a third of the triads, vii° and
  ii° mostly as sixth chords, ii7 mostly as ii6/5), second inversions only as the cadential
  six-four;
- cadences: authentic (some with a cadential six-four), half (in minor also the Phrygian
  iv6 - V), deceptive and plagal.

Labels follow the analytic convention of common-practice harmony: over F in C major the sonority
F-A-C-D is ii6/5, ``D:min7/b3``, where a band song calls it ``F:maj6`` (iiø6/5, ``hdim7/b3``, in
minor likewise); the label of a pitch set over its bass depends on the style, as it does for an
analyst. Every chord is a :class:`~chordview.generator.harmony.Span` on the half-beat grid.
"""

from __future__ import annotations

import numpy as np

from chordview.generator.harmony import Span, _Chord, _pick, laid_out

#: Tempo range of hymn songs, quarter notes per minute (chorales are sung slowly).
TEMPO = (56.0, 100.0)

# function -> degree -> (semitones above the tonic, weight, ((quality, weight), ...))
_DEGREES = {
    "major": {
        "T": {
            "I": (0, 10, (("maj", 1),)),
            "vi": (9, 5, (("min", 0.85), ("min7", 0.15))),
            "iii": (4, 1.2, (("min", 0.9), ("min7", 0.1))),
        },
        "S": {
            "IV": (5, 7, (("maj", 0.85), ("maj7", 0.15))),
            "ii": (2, 6, (("min", 0.55), ("min7", 0.45))),
        },
        "D": {
            "V": (7, 10, (("maj", 0.6), ("7", 0.4))),
            "vii": (11, 2.5, (("dim", 0.75), ("hdim7", 0.25))),
        },
    },
    "minor": {
        "T": {
            "i": (0, 10, (("min", 1),)),
            "VI": (8, 4, (("maj", 0.85), ("maj7", 0.15))),
            "III": (3, 2, (("maj", 1),)),
        },
        "S": {
            "iv": (5, 7, (("min", 0.8), ("min7", 0.2))),
            "ii": (2, 4, (("dim", 0.5), ("hdim7", 0.5))),
        },
        "D": {
            "V": (7, 10, (("maj", 0.55), ("7", 0.45))),
            "vii": (11, 3, (("dim", 0.3), ("dim7", 0.7))),
        },
    },
}
# after a function: weights of T, S, D
_NEXT = {"T": (0.2, 0.45, 0.35), "S": (0.2, 0.2, 0.6), "D": (0.75, 0.1, 0.15)}
# quality -> ((Harte bass, weight), ...); "" is root position. Second inversions are left to the
# cadential six-four; dim7 is symmetric and stays in root position.
_BASSES = {
    "maj": (("", 0.64), ("3", 0.36)),
    "min": (("", 0.64), ("b3", 0.36)),
    "dim": (("", 0.2), ("b3", 0.8)),
    "7": (("", 0.5), ("3", 0.2), ("5", 0.15), ("b7", 0.15)),
    "min7": (("", 0.35), ("b3", 0.55), ("b7", 0.1)),
    "hdim7": (("", 0.35), ("b3", 0.5), ("b7", 0.15)),
    "maj7": (("", 0.7), ("3", 0.3)),
    "dim7": (("", 1),),
}
_CADENCES = {
    "major": (("authentic", 0.55), ("half", 0.25), ("deceptive", 0.12), ("plagal", 0.08)),
    "minor": (
        ("authentic", 0.5),
        ("half", 0.2),
        ("phrygian", 0.12),
        ("deceptive", 0.1),
        ("plagal", 0.08),
    ),
}


def _degree(rng, key, fn, avoid=None) -> tuple[str, _Chord]:
    """A degree of function ``fn`` other than ``avoid``, and a chord on it: (name, chord)."""
    tonic, mode = key
    options = {d: v for d, v in _DEGREES[mode][fn].items() if d != avoid}
    names = list(options)
    name = names[_pick(rng, names, [options[d][1] for d in names])]
    offset, _, colours = options[name]
    quality = colours[_pick(rng, colours, [w for _, w in colours])][0]
    return name, _Chord((tonic + offset) % 12, quality, 1.0, key)


def _fixed(key, offset: int, quality: str, beats: float, bass: str = "") -> _Chord:
    return _Chord((key[0] + offset) % 12, quality, beats, key, bass=bass, fixed=True)


def _cadence(rng, key, kind: str, fermata: float, *, last: bool) -> list[_Chord]:
    """The closing chords of a phrase: the approach (one beat each) and the held chord."""
    mode = key[1]
    tonic_q = "maj" if mode == "major" else "min"
    if last and mode == "minor" and rng.random() < 0.4:
        tonic_q = "maj"  # Picardy third
    dominant = _fixed(key, 7, "7" if rng.random() < 0.55 else "maj", 1.0)
    if kind == "authentic":
        out = [dominant, _fixed(key, 0, tonic_q, fermata)]
        if rng.random() < 0.35:  # cadential six-four: the tonic over the dominant's bass
            out.insert(0, _fixed(key, 0, "maj" if mode == "major" else "min", 1.0, "5"))
        return out
    if kind == "half":
        return [_degree(rng, key, "S")[1], _fixed(key, 7, "maj", fermata)]
    if kind == "phrygian":
        return [_fixed(key, 5, "min", 1.0, "b3"), _fixed(key, 7, "maj", fermata)]
    if kind == "deceptive":
        sixth = (9, "min") if mode == "major" else (8, "maj")
        return [dominant, _fixed(key, sixth[0], sixth[1], fermata)]
    four = _fixed(key, 5, "maj" if mode == "major" else "min", 1.0)  # plagal
    return [four, _fixed(key, 0, tonic_q, fermata)]


def _rhythm(rng, beats: float) -> list[float]:
    """Chord lengths filling ``beats``: mostly one beat, some two, some two halves."""
    out: list[float] = []
    while sum(out) < beats:
        left = beats - sum(out)
        u = rng.random()
        if u < 0.15 and left >= 2:
            out.append(2.0)
        elif u < 0.23:
            out += [0.5, 0.5] if left >= 1 else [0.5]
        else:
            out.append(min(1.0, left))
    return out


def _phrase(rng, key, beats_per_bar: int, *, start: float, last: bool) -> list[_Chord]:
    """One phrase in ``key`` from beat ``start``: a function walk on the beat, closed by a cadence
    whose held chord starts on a strong beat (beat 1 or 3 of a 4/4 bar, beat 1 of a 3/4 one)."""
    bars = int(rng.choice([1, 2, 2, 2, 3]))
    fermata = float(rng.choice([2, 2, 3, 4]))
    kinds = (("authentic", 1),) if last else _CADENCES[key[1]]
    kind = kinds[_pick(rng, kinds, [w for _, w in kinds])][0]
    close = _cadence(rng, key, kind, fermata, last=last)
    strong = 2 if beats_per_bar == 4 else beats_per_bar
    held_at = np.ceil((start + bars * beats_per_bar - 1) / strong) * strong
    body_beats = float(held_at - start - sum(c.beats for c in close[:-1]))
    while body_beats < 1:
        body_beats += strong
    chords: list[_Chord] = []
    functions: list[str] = []
    fn, prev = ("T" if rng.random() < 0.75 else "S"), None
    for beats in _rhythm(rng, body_beats):
        prev, c = _degree(rng, key, fn, avoid=prev)
        c.beats = beats
        chords.append(c)
        functions.append(fn)
        fn = "TSD"[_pick(rng, "TSD", _NEXT[fn])]
    if kind in ("half", "phrygian", "plagal") and functions[-1] == "D":
        # a predominant does not follow the dominant: the body ends on the tonic instead
        tonic = _degree(rng, key, "T")[1]
        tonic.beats = chords[-1].beats
        chords[-1] = tonic
    return chords + close


def _related(rng, home) -> tuple[int, str]:
    tonic, mode = home
    if mode == "major":
        keys = [
            home,
            ((tonic + 7) % 12, "major"),
            ((tonic + 9) % 12, "minor"),
            ((tonic + 5) % 12, "major"),
            ((tonic + 2) % 12, "minor"),
        ]
        weights = [0.45, 0.25, 0.15, 0.1, 0.05]
    else:
        keys = [
            home,
            ((tonic + 3) % 12, "major"),
            ((tonic + 7) % 12, "minor"),
            ((tonic + 5) % 12, "minor"),
            ((tonic + 10) % 12, "major"),
        ]
        weights = [0.45, 0.3, 0.1, 0.1, 0.05]
    return keys[_pick(rng, keys, weights)]


def _decorate(rng, chords: list[_Chord]) -> list[_Chord]:
    """Applied dominants before a chord, and the 8-7 motion of a dominant over one bass."""
    out: list[_Chord] = []
    targets: set[int] = set()  # chords an applied dominant leads to: they stay what they are
    for c in chords:
        prev = out[-1] if out else None
        target_ok = (c.root - c.key[0]) % 12 != 0 and c.quality in ("maj", "min", "min7")
        if (
            prev is not None
            and not prev.fixed
            and id(prev) not in targets
            and target_ok
            and rng.random() < 0.2
        ):
            # the previous chord becomes the dominant (or leading-tone seventh) of this one
            if rng.random() < 0.7:
                prev.root, prev.quality = (c.root + 7) % 12, "7"
            else:
                prev.root, prev.quality = (c.root + 11) % 12, "dim7"
            prev.bass = ""
            targets.add(id(c))
        held = c.fixed and c.beats >= 2  # a cadence's held chord is never split
        if (
            not held
            and c.quality == "maj"
            and (c.root - c.key[0]) % 12 == 7
            and c.beats >= 1
            and c.bass in ("", "3")
            and rng.random() < 0.3
        ):
            if not c.fixed:  # V - V7 over one bass (8-7 in an upper voice): both keep it
                c.bass, c.fixed = ("" if rng.random() < 0.7 else "3"), True
            half = c.beats / 2
            out += [c, _Chord(c.root, "7", half, c.key, bass=c.bass, fixed=True)]
            c.beats = half
            continue
        out.append(c)
    return out


def _invert(rng, chords: list[_Chord]) -> None:
    for c in chords:
        if c.fixed or c.bass:
            continue
        options = _BASSES[c.quality]
        c.bass = options[_pick(rng, options, [w for _, w in options])][0]


def hymn_spans(rng: np.random.Generator, *, n_beats: float, beats_per_bar: int = 4) -> list[Span]:
    """The harmony of one chorale-style song: contiguous spans tiling ``[0, n_beats]`` beats.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of all randomness.
    n_beats : float
        Length of the song in beats (a multiple of 0.5).
    beats_per_bar : int
        Metre (3 or 4).

    Returns
    -------
    list of Span
        Spans in time order; an ``N`` stretch may open the song; the last one is cut at
        ``n_beats``.
    """
    home = (int(rng.integers(12)), "major" if rng.random() < 0.55 else "minor")
    opening: list[_Chord] = []  # silence before the first phrase
    if rng.random() < 0.3:
        opening.append(_Chord(0, "N", float(rng.choice([1, 2, beats_per_bar])), home))
    music: list[_Chord] = []
    total = sum(c.beats for c in opening)
    while total < n_beats:
        key = _related(rng, home) if music else home
        phrase = _phrase(rng, key, beats_per_bar, start=total, last=False)
        if total + sum(c.beats for c in phrase) >= n_beats - beats_per_bar:
            phrase = _phrase(rng, home, beats_per_bar, start=total, last=True)
        music += phrase
        total += sum(c.beats for c in phrase)
    music = _decorate(rng, music)
    _invert(rng, music)
    return laid_out(opening + music, n_beats)
