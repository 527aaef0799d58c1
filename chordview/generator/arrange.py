"""Arrangement of a chord progression for a band: bass, comping, pad, melody and drums as notes.

The label rule (labels exact by construction)
---------------------------------------------
A chord event's label is the chord that its comping, pad and bass parts sound. Every pitched note
is played inside one event: a humanised onset is clipped to ``[start, end)`` of its event and the
note is released by the event's end, so the notes of a chord start and stop exactly where its
label does (soundfont release tails and reverb ring on, as in a recording). The bass's first note
in every event is the label's bass, so inversions are heard; the comping and pad parts sound chord
tones only and sit above the bass (with no bass part, the comping part's left hand plays the
label's bass). After its first note the bass may move: a root-position chord's bass alternates
with the fifth only where the fifth-in-bass inversion is itself a label of
:data:`chordview.generator.harmony.INVERSIONS` (so the pitch set never reads as another chord), a
walking bass steps through the chord's tones, and an inverted chord's bass stays on its bass note.
The only non-chord tones are bass approach notes (in the last beat or half-beat of an event of two
beats or more, leading to the next chord's bass) and melody passing and neighbour tones. A band
of :attr:`~chordview.generator.band.Band.voices` sings in four parts instead
(:mod:`chordview.generator.chorale`): the bass voice starts every event on the label's bass, and
its non-chord tones are passing and neighbour tones in an event's last half-beat and suspensions
held over into an event's first half-beat (or beat) before resolving to a chord tone. ``N``
events sound no pitched note: they are silence, drums only, or noise (added at render time, see
:attr:`Score.noise`).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from chordview.generator import chorale, voicing
from chordview.generator.band import Band, Part
from chordview.generator.drums import drum_part
from chordview.generator.groove import Feel, TimeMap
from chordview.generator.harmony import INVERSIONS, ChordEvent

BASS, COMP, COMP2, PAD, MELODY, DRUMS = 0, 1, 2, 3, 4, 9
_MAJOR = (0, 2, 4, 5, 7, 9, 11)
_GAP = 0.02  # seconds between a note's release and its event's end


@dataclass
class Score:
    """Notes and channel set-up of one song.

    Attributes
    ----------
    notes : list of tuple
        ``(start s, end s, channel, key, velocity)``; no two notes of one key on one channel
        overlap.
    programs : dict
        MIDI channel -> (bank, program).
    controls : dict
        MIDI channel -> {controller: value} (volume, pan, reverb and chorus sends).
    noise : list of tuple
        ``(start s, end s)`` of the ``N`` events to be filled with noise.
    """

    notes: list[tuple[float, float, int, int, int]] = field(default_factory=list)
    programs: dict[int, tuple[int, int]] = field(default_factory=dict)
    controls: dict[int, dict[int, int]] = field(default_factory=dict)
    noise: list[tuple[float, float]] = field(default_factory=list)


@dataclass(frozen=True)
class _Chord:
    t0: float  # seconds
    t1: float
    b0: float  # beats
    b1: float
    root: int
    quality: str
    tones: tuple[int, ...]  # semitones above the root, root first
    bass: int  # pitch class of the label's bass
    alternate: int | None  # semitones of a fifth the bass may alternate with


@lru_cache(maxsize=1024)
def _parse(label: str) -> tuple[int, str, tuple[int, ...], int] | None:
    """(root pc, quality, chord tones, bass pc) of a Harte label; None for N and X."""
    import mir_eval

    root, bitmap, bass = mir_eval.chord.encode(label)
    if root < 0:
        return None
    quality = label.partition(":")[2].partition("/")[0] or "maj"
    return int(root), quality, tuple(int(i) for i in np.flatnonzero(bitmap)), int(root + bass) % 12


def _chords(events, time_map: TimeMap) -> list[_Chord | None]:
    out: list[_Chord | None] = []
    for ev in events:
        parsed = _parse(ev.label)
        if parsed is None:
            out.append(None)
            continue
        root, quality, tones, bass = parsed
        fifths = {s for _, s, _ in INVERSIONS.get(quality, ()) if s in (6, 7)}
        t1 = ev.start + ev.duration
        alternate = next(iter(fifths)) if bass == root and fifths else None
        b0, b1 = time_map.beat(ev.start), time_map.beat(t1)
        out.append(_Chord(ev.start, t1, b0, b1, root, quality, tones, bass, alternate))
    return out


def _scales(chords: list[_Chord | None]) -> list[frozenset[int]]:
    """The major-scale collection that best fits the chord tones around each chord."""
    hist = np.zeros((len(chords), 12))
    for i, c in enumerate(chords):
        if c is not None:
            for t in c.tones:
                hist[i, (c.root + t) % 12] += c.b1 - c.b0
    templates = np.zeros((12, 12))
    for k in range(12):
        templates[k, [(k + s) % 12 for s in _MAJOR]] = 1
    out = []
    for i in range(len(chords)):
        local = hist[max(0, i - 3) : i + 4].sum(axis=0)
        k = int(np.argmax(templates @ local))
        out.append(frozenset((k + s) % 12 for s in _MAJOR))
    return out


class _Writer:
    """Adds notes clipped into their chord's span, with humanised onsets and velocities."""

    def __init__(self, score: Score, feel: Feel, time_map: TimeMap, rng, n_beats: float):
        self.score, self.feel, self.tm, self.rng, self.n_beats = score, feel, time_map, rng, n_beats

    def note(
        self,
        chan: int,
        key: int,
        b: float,
        length: float,
        c: _Chord,
        *,
        accent=0.0,
        delay: float = 0.0,
        vel_offset: float = 0.0,
    ) -> None:
        if not 0 <= key <= 127:
            return
        lo, hi = c.t0, c.t1 - min(_GAP, 0.1 * (c.t1 - c.t0))
        t = self.feel.onset(self.rng, self.tm.time(b) + delay, lo=lo, hi=hi - 0.01)
        end = min(self.tm.time(min(b + length, c.b1)) + delay, hi)
        if end - t < 0.01:
            return
        vel = self.feel.velocity(self.rng, beat=b, offset=accent + vel_offset, n_beats=self.n_beats)
        self.score.notes.append((t, end, chan, key, vel))


def _onsets(pattern: tuple[float, ...], c: _Chord, bar: int) -> list[float]:
    """Chord onset plus the pattern's bar positions inside the chord (beats)."""
    out = [c.b0]
    first_bar = int(np.floor(c.b0 / bar))
    for k in range(first_bar, int(np.ceil(c.b1 / bar)) + 1):
        for p in pattern:
            b = k * bar + p
            if c.b0 + 0.25 <= b < c.b1 - 0.24:
                out.append(b)
    return sorted(set(out))


def _bass_key(pc: int, low: int) -> int:
    return low + (pc - low) % 12


def _bass(w: _Writer, part: Part, chords, band: Band, bar: int) -> None:
    rng = w.rng
    for i, c in enumerate(chords):
        if c is None:
            continue
        key = _bass_key(c.bass, part.low)
        nxt = chords[i + 1] if i + 1 < len(chords) else None
        end = c.b1
        if nxt is not None and c.b1 - c.b0 >= 2 and rng.random() < band.passing:
            target = _bass_key(nxt.bass, part.low)
            step = int(rng.choice([-2, -1, 1, 2]))
            approach = min(max(target + step, part.low - 2), part.low + 14)
            end = c.b1 - (1.0 if rng.random() < 0.5 else 0.5)
            w.note(BASS, approach, end, c.b1 - end, c, accent=-4)
        onsets = (
            [c.b0]
            if part.style == "sustain"
            else [b for b in _onsets(part.pattern, c, bar) if b < end]
        )
        for j, b in enumerate(onsets):
            k = key
            if part.style == "root_fifth" and j % 2 and c.alternate is not None:
                k = key + c.alternate - (12 if key + c.alternate > part.low + 14 else 0)
            elif part.style == "octaves" and j % 2:
                k = key + 12
            elif part.style == "walking" and j > 0:
                k = key + int(rng.choice(c.tones[1:] or (0,))) if c.bass == c.root else key
            nb = onsets[j + 1] if j + 1 < len(onsets) else end
            w.note(BASS, k, b, (nb - b) * part.legato, c, accent=6 if b == c.b0 else 0)


def _comp(w: _Writer, chan: int, part: Part, chords, band: Band, bar: int) -> None:
    rng = w.rng
    for c in chords:
        if c is None:
            continue
        tones = voicing.chord_tones(c.tones, quality=c.quality, omit_fifth=rng.random() < part.omit)
        floor = part.low
        if band.bass is None:  # the main comping part's left hand plays the bass, all sit above
            lh = _bass_key(c.bass, 36)
            if chan == COMP:
                w.note(chan, lh, c.b0, c.b1 - c.b0, c, accent=4)
            floor = max(floor, lh + (5 if chan == COMP else 1))
        keys = voicing.voice(
            part.voicing,
            root_pc=c.root,
            tones=tones,
            bass_pc=c.bass,
            low=floor,
            center=part.center,
            rng=rng,
        )
        if band.bass is None and keys[0] < floor:  # a guitar shape: keep it above the left hand
            keys = [k for k in keys if k >= floor] or [
                k + 12 * (1 + (floor - k) // 12) for k in keys
            ]
        if part.style == "sustain":
            for k in keys:
                w.note(chan, k, c.b0, c.b1 - c.b0, c, vel_offset=part.level)
        elif part.style == "arpeggio":
            order = _arpeggio(keys, part.order, rng)
            n = int(np.ceil((c.b1 - c.b0) / part.step - 1e-9))
            for j in range(n):
                b = c.b0 + j * part.step
                length = c.b1 - b if part.legato >= 1 else part.step * 2 * part.legato
                w.note(
                    chan,
                    order[j % len(order)],
                    b,
                    length,
                    c,
                    vel_offset=part.level,
                    accent=4 if j == 0 else 0,
                )
        else:
            onsets = _onsets(part.pattern, c, bar)
            for j, b in enumerate(onsets):
                nb = onsets[j + 1] if j + 1 < len(onsets) else c.b1
                up = part.style == "strum" and (b % 1) != 0
                strings = keys[-4:][::-1] if up else keys
                spread_s = part.strum if part.style == "strum" else 0.0
                for s, k in enumerate(strings):
                    level = part.level - (8 if up else 0)
                    w.note(
                        chan,
                        k,
                        b,
                        (nb - b) * part.legato,
                        c,
                        delay=s * spread_s,
                        vel_offset=level,
                        accent=4 if b % bar == 0 else 0,
                    )


def _arpeggio(keys: list[int], order: str, rng) -> list[int]:
    if order == "down":
        return keys[::-1]
    if order == "updown":
        return keys + keys[-2:0:-1] if len(keys) > 2 else keys
    if order == "alberti" and len(keys) >= 3:
        return [keys[0], keys[-1], keys[len(keys) // 2], keys[-1]]
    if order == "random":
        return [keys[int(i)] for i in rng.permutation(len(keys))]
    return keys


def _melody(w: _Writer, part: Part, chords, starts: list[float], bar: int, n_beats: float):
    rng = w.rng
    scales = _scales(chords)
    prev = int(part.center)
    for k in range(int(np.ceil(n_beats / bar))):
        if rng.random() < part.rest:
            continue
        motif = part.motifs[(k // 2) % len(part.motifs) if k % 4 != 3 else -1]
        for onset, length in motif:
            b = k * bar + onset
            index = bisect.bisect_right(starts, b) - 1
            c = chords[index] if index >= 0 else None
            if c is None or not c.b0 <= b < c.b1 or rng.random() < 0.08:
                continue
            pcs = {(c.root + t) % 12 for t in c.tones}
            pool = []
            if not (b % 1 == 0 or b == c.b0) and rng.random() < 0.55:  # weak: non-chord tone
                pool = [x for x in range(prev - 2, prev + 3) if x % 12 in scales[index] - pcs]
            if not pool:
                pool = [x for x in range(part.low, part.low + 19) if x % 12 in pcs]
            keys = np.array(pool)
            weights = np.exp(-np.abs(keys - prev) / 2.5 - np.abs(keys - part.center) / 8)
            prev = pool[int(rng.choice(len(pool), p=weights / weights.sum()))]
            w.note(
                MELODY,
                prev,
                b,
                length * part.legato,
                c,
                vel_offset=part.level,
                accent=5 if b % bar == 0 else 0,
            )


def _fix_overlaps(notes):
    """Shorten a note that a later note of the same key and channel starts inside."""
    notes.sort(key=lambda n: (n[2], n[3], n[0]))
    out = []
    for i, n in enumerate(notes):
        if i + 1 < len(notes) and notes[i + 1][2:4] == n[2:4] and notes[i + 1][0] < n[1]:
            n = (n[0], notes[i + 1][0], *n[2:])
        if n[1] - n[0] >= 0.005:
            out.append(n)
    out.sort()
    return out


def arrange(
    events: list[ChordEvent],
    *,
    band: Band,
    feel: Feel,
    time_map: TimeMap,
    beats_per_bar: int,
    rng: np.random.Generator,
) -> Score:
    """The notes of ``events`` played by ``band`` (see the label rule in the module docstring).

    Parameters
    ----------
    events : list of ChordEvent
        Contiguous chords in seconds; ``N``/``X`` events sound no pitched note.
    band : Band
        Parts, programs and styles.
    feel : Feel
        Timing and dynamics of the performance.
    time_map : TimeMap
        Beats <-> seconds of the song (rhythm patterns and drums follow it).
    beats_per_bar : int
        Metre of the rhythm patterns.
    rng : numpy.random.Generator
        Source of all randomness.

    Returns
    -------
    Score
        Notes, programs, controllers and the noise-filled ``N`` stretches.
    """
    score = Score()
    chords = _chords(events, time_map)
    end = max((e.start + e.duration for e in events), default=0.0)
    n_beats = time_map.beat(end)
    w = _Writer(score, feel, time_map, rng, n_beats)
    bar = beats_per_bar
    parts = {
        BASS: band.bass,
        COMP: band.comp,
        COMP2: band.comp2,
        PAD: band.pad,
        MELODY: band.melody,
    }
    if band.voices:  # four-part writing replaces the band's parts
        parts = dict(zip((BASS, COMP, COMP2, PAD), band.voices, strict=True))
    for chan, part in parts.items():
        if part is not None:
            score.programs[chan] = (0, part.program)
            score.controls[chan] = {7: 100, 10: part.pan, 91: part.reverb, 93: part.chorus}
    if band.voices:
        chorale.write(
            w.note,
            chords,
            _scales(chords),
            rng,
            channels=(BASS, COMP, COMP2, PAD),
            levels=[p.level for p in band.voices],
            **dict(band.ornaments),
        )
    elif band.bass is not None:
        _bass(w, band.bass, chords, band, bar)
    for chan in (COMP, COMP2, PAD):
        if parts[chan] is not None and not band.voices:
            _comp(w, chan, parts[chan], chords, band, bar)
    if band.melody is not None and not band.voices:
        starts = [time_map.beat(e.start) for e in events]
        _melody(w, band.melody, chords, starts, bar, n_beats)

    silent: list[tuple[float, float]] = []  # N stretches without drums, in beats
    drummed: list[tuple[float, float]] = []  # N stretches with drums only
    for ev, c in zip(events, chords, strict=True):
        if c is None:
            kind = ("silence", "drums", "noise")[int(rng.choice(3, p=band.n_kinds))]
            if kind == "noise":
                score.noise.append((ev.start, ev.start + ev.duration))
            span = (time_map.beat(ev.start), time_map.beat(ev.start + ev.duration))
            (drummed if kind == "drums" else silent).append(span)
    groove = band.drums or (band.n_groove if drummed else None)
    if groove:
        score.programs[DRUMS] = (128, band.kit)
        score.controls[DRUMS] = {7: 100, 10: 64, 91: band.drum_reverb, 93: 0}

        def plays(beat: float) -> bool:
            if any(a <= beat < b for a, b in silent):
                return False
            return band.drums is not None or any(a <= beat < b for a, b in drummed)

        for t0, t1, key, vel in drum_part(
            groove=groove,
            beats_per_bar=bar,
            n_beats=n_beats,
            time_map=time_map,
            feel=feel,
            rng=rng,
            plays=plays,
            phrase_bars=band.phrase_bars,
            fills=band.fills,
            extra=band.percussion,
        ):
            if t0 < end:
                score.notes.append((t0, min(t1, end), DRUMS, key, vel))
    score.notes = _fix_overlaps(score.notes)
    return score
