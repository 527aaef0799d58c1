"""Synthetic training songs: seeded chord progressions rendered with FluidSynth, exact labels.

A song is a functional progression in a random key (:func:`random_progression`) arranged for a
bass, a comping instrument, an optional pad and optional drums, and rendered offline
(:func:`render_events`): each process loads a soundfont once and lends it to a fresh synth per song.
Labels are exact by construction: each chord's notes start at ``event.start`` and are released by
the event's end. :func:`render_dataset` writes ``song_NNNNN.flac`` + ``.jams`` pairs, resumably.
``TimGM6mb`` is held out of training; it is the evaluation soundfont.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from chordview.errors import ChordviewError, OutputError

_SF_CANDIDATES = (
    "/usr/share/sounds/sf2/FluidR3_GM.sf2",
    "/usr/share/sounds/sf2/sf_GMbank.sf2",
    "/usr/share/sounds/sf3/FluidR3Mono_GM.sf3",
    "/usr/share/sounds/sf3/MuseScore_General_Full.sf3",
)
TRAIN_SOUNDFONTS: tuple[str, ...] = tuple(p for p in _SF_CANDIDATES if os.path.exists(p))


def HELDOUT_SOUNDFONT() -> str:  # noqa: N802 - name fixed by the training API
    """Path of the held-out evaluation soundfont (TimGM6mb): Debian's copy, else pretty_midi's."""
    debian = "/usr/share/sounds/sf2/TimGM6mb.sf2"
    if os.path.exists(debian):
        return debian
    from importlib.resources import files

    return str(files("pretty_midi") / "TimGM6mb.sf2")


@dataclass(frozen=True)
class ChordEvent:
    """One chord of a progression.

    Attributes
    ----------
    label : str
        Harte label, e.g. ``'G:7/b7'``, or ``'N'`` for no chord.
    start, duration : float
        Onset and length, in seconds.
    """

    label: str
    start: float
    duration: float


# ----------------------------------------------------------------------------- progressions
_SHARPS = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
_FLATS = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")
_INVERSIONS = {  # quality -> Harte bass degrees allowed as inversions
    "maj": ("3", "5"), "min": ("b3", "5"), "dim": ("b3", "b5"), "aug": ("3",),
    "maj6": ("3", "5"), "min6": ("b3", "5"), "7": ("3", "5", "b7"), "maj7": ("3", "5", "7"),
    "min7": ("b3", "5", "b7"), "dim7": ("b3", "b5"), "hdim7": ("b3", "b5", "b7"),
    "minmaj7": ("b3", "5", "7"), "sus2": ("5",), "sus4": ("5",),
}  # fmt: skip
# (function, root offset from tonic, quality, weight); T = tonic, S = predominant, D = dominant.
_POOL = {
    "major": [
        ("T", 0, "maj", 10), ("T", 0, "maj7", 4), ("T", 0, "maj6", 3), ("T", 0, "sus2", 1.5),
        ("T", 9, "min", 6), ("T", 9, "min7", 3), ("T", 4, "min", 2), ("T", 4, "min7", 1.5),
        ("T", 0, "aug", 1), ("S", 5, "maj", 8), ("S", 5, "maj7", 3), ("S", 5, "maj6", 2),
        ("S", 2, "min", 5), ("S", 2, "min7", 4), ("S", 2, "min6", 1.5), ("S", 5, "sus2", 1),
        ("S", 5, "min", 2), ("S", 5, "min6", 1.5), ("S", 2, "hdim7", 1.5), ("S", 8, "maj", 1.5),
        ("S", 10, "maj", 1.5), ("S", 5, "minmaj7", 1.2), ("D", 7, "maj", 8), ("D", 7, "7", 8),
        ("D", 7, "sus4", 2.5), ("D", 11, "dim", 1.5), ("D", 11, "hdim7", 1.5),
        ("D", 11, "dim7", 1.5), ("D", 7, "aug", 1.2), ("D", 7, "sus2", 0.5),
    ],
    "minor": [
        ("T", 0, "min", 10), ("T", 0, "min7", 3), ("T", 0, "min6", 2), ("T", 0, "minmaj7", 2.5),
        ("T", 3, "maj", 4), ("T", 3, "maj7", 2), ("T", 8, "maj", 3), ("T", 8, "maj7", 2),
        ("T", 3, "aug", 1), ("T", 0, "sus2", 1), ("S", 5, "min", 7), ("S", 5, "min7", 4),
        ("S", 5, "min6", 2), ("S", 2, "dim", 2), ("S", 2, "hdim7", 3), ("S", 8, "maj", 3),
        ("S", 10, "maj", 2), ("S", 5, "sus4", 1), ("D", 7, "maj", 6), ("D", 7, "7", 7),
        ("D", 7, "min", 2), ("D", 7, "min7", 1), ("D", 7, "sus4", 2.5), ("D", 11, "dim7", 3),
        ("D", 11, "dim", 1), ("D", 10, "maj", 2), ("D", 7, "aug", 1),
    ],
}  # fmt: skip
_NEXT_FUNCTION = {"T": ("TSD", (0.2, 0.5, 0.3)), "S": ("TSD", (0.25, 0.2, 0.55)),
                  "D": ("TSD", (0.8, 0.1, 0.1))}  # fmt: skip
_CLICHE = ("min", "minmaj7", "min7", "min6")


def _chord_sequence(rng: np.random.Generator, n: int, mode: str) -> list[tuple[int, str]]:
    """``n`` (root offset, quality) pairs from a function Markov chain with decorations."""
    pool = _POOL[mode]
    out: list[tuple[int, str]] = []
    function = "T"
    while len(out) < n:
        cands = [c for c in pool if c[0] == function]
        w = np.array([c[3] for c in cands], dtype=float)
        _, root, quality, _ = cands[rng.choice(len(cands), p=w / w.sum())]
        if out and out[-1] == (root, quality):
            continue
        u = rng.random()
        if u < 0.12 and root != 0:  # applied chord: V7/x, vii°7/x or iiø7 of a minor target
            applied = [((root + 7) % 12, "7"), ((root + 11) % 12, "dim7"),
                       ((root + 7) % 12, "aug"), ((root + 2) % 12, "hdim7")]  # fmt: skip
            out.append(applied[rng.choice(4, p=(0.5, 0.25, 0.1, 0.15))])
        elif u < 0.2 and quality == "min":  # line cliché: i - i(maj7) - i7 - i6
            out.extend((root, q) for q in _CLICHE[: rng.integers(2, 5)])
            function = str(rng.choice(list("SD")))
            continue
        elif u < 0.26 and quality in ("maj", "7"):  # suspension resolving to the chord
            out.append((root, "sus4" if rng.random() < 0.6 else "sus2"))
        out.append((root, quality))
        names, p = _NEXT_FUNCTION[function]
        function = names[rng.choice(3, p=p)]
    return out[:n]


def random_progression(
    rng: np.random.Generator, *, n_chords: int, tempo: float
) -> list[ChordEvent]:
    """A functional chord progression in a random key, on a beat grid starting at 0 s.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of all randomness.
    n_chords : int
        Number of events returned, ``N`` stretches included.
    tempo : float
        Beats per minute; chords last 1 to 8 beats.

    Returns
    -------
    list of ChordEvent
        Contiguous events (each starts where the previous one ends).
    """
    tonic = int(rng.integers(12))
    mode = "major" if rng.random() < 0.6 else "minor"
    flat_key = (tonic + (3 if mode == "minor" else 0)) % 12 in (1, 3, 5, 8, 10)
    names = _FLATS if flat_key else _SHARPS
    base = int(rng.choice([2, 4, 4, 8]))
    spb = 60.0 / tempo
    chords = _chord_sequence(rng, n_chords, mode)
    events: list[ChordEvent] = []
    beat = 0
    for i, (offset, quality) in enumerate(chords):
        if len(events) >= n_chords:
            break
        if rng.random() < (0.15 if i == 0 else 0.03):
            n_beats = int(rng.integers(1, 3 if i == 0 else 5))
            events.append(ChordEvent("N", beat * spb, n_beats * spb))
            beat += n_beats
            if len(events) >= n_chords:
                break
        label = f"{names[(tonic + offset) % 12]}:{quality}"
        if rng.random() < 0.25:
            label += "/" + str(rng.choice(_INVERSIONS[quality]))
        scale = rng.choice([0.5, 1.0, 1.0, 1.0, 2.0])
        n_beats = int(np.clip(round(base * scale), 1, 8))
        if rng.random() < 0.15:
            n_beats = int(rng.integers(1, 9))
        events.append(ChordEvent(label, beat * spb, n_beats * spb))
        beat += n_beats
    return events


# ----------------------------------------------------------------------------- synthesis
_COMP_PROGRAMS = (
    (0.35, range(0, 8)), (0.25, range(24, 30)), (0.14, range(16, 22)), (0.1, range(48, 52)),
    (0.08, range(88, 96)), (0.08, range(56, 72)),
)  # fmt: skip
_PAD_PROGRAMS = (*range(48, 53), *range(88, 96), 16, 19)
_BASS, _COMP, _PAD, _DRUMS = 0, 1, 2, 9


class _SoundfontCache:
    """Soundfonts loaded once per process into a silent host synth and lent to per-song synths.

    Every song gets a fresh ``fluidsynth.Synth`` (about 1 ms to create) so that no state (chorus
    LFO phase, reverb tail, the 64-sample block phase) leaks from one song into the next: a song
    renders bit-identically whatever was rendered before it in the process.
    """

    def __init__(self, sr: int):
        import fluidsynth

        v, i = ctypes.c_void_p, ctypes.c_int
        fl = fluidsynth._fl
        set_log = ctypes.CFUNCTYPE(v, i, v, v)(("fluid_set_log_function", fl))
        for level in range(1, 5):  # keep FLUID_PANIC only: no per-song console noise
            set_log(level, None, None)
        self.sr = sr
        self.host = fluidsynth.Synth(gain=0.2, samplerate=float(sr), channels=16)
        self._get = ctypes.CFUNCTYPE(v, v, i)(("fluid_synth_get_sfont_by_id", fl))
        self._add = ctypes.CFUNCTYPE(i, v, v)(("fluid_synth_add_sfont", fl))
        self._remove = ctypes.CFUNCTYPE(i, v, v)(("fluid_synth_remove_sfont", fl))
        self._write = ctypes.CFUNCTYPE(i, v, i, v, i, i, v, i, i)(("fluid_synth_write_float", fl))
        self.fonts: dict[str, int] = {}

    def font(self, path: str | Path) -> int:
        """Pointer of the loaded soundfont ``path`` (loaded on first use)."""
        key = str(Path(path).resolve())
        if key not in self.fonts:
            if not os.path.exists(key):
                raise ChordviewError(f"soundfont not found: {path}")
            sfid = self.host.sfload(key)
            if sfid < 0:
                raise ChordviewError(f"FluidSynth could not load soundfont: {path}")
            self.fonts[key] = self._get(self.host.synth, sfid)
        return self.fonts[key]

    def open(self, path: str | Path):
        """A fresh synth with the soundfont ``path`` on its stack; returns (synth, sfid)."""
        import fluidsynth

        font = self.font(path)
        synth = fluidsynth.Synth(gain=0.2, samplerate=float(self.sr), channels=16)
        return synth, self._add(synth.synth, font)

    def close(self, synth, path: str | Path) -> None:
        """Delete ``synth`` without freeing the shared soundfont."""
        synth.system_reset()
        self._remove(synth.synth, self.font(path))
        synth.delete()

    def write(self, synth, buf: np.ndarray, start: int, stop: int) -> None:
        """Render samples ``[start, stop)`` into the interleaved stereo ``buf`` (n, 2) float32."""
        ptr = buf.ctypes.data
        while start < stop:
            n = min(stop - start, 1 << 16)
            self._write(synth.synth, n, ptr, 2 * start, 2, ptr, 2 * start + 1, 2)
            start += n


@lru_cache(maxsize=4)
def _soundfonts(sr: int) -> _SoundfontCache:
    return _SoundfontCache(sr)


def _parse(label: str) -> tuple[int, list[int], int] | None:
    """(root pitch class, chord-tone semitones above root, bass pitch class), None for N/X."""
    import mir_eval

    root, bitmap, bass = mir_eval.chord.encode(label)
    if root < 0:
        return None
    return int(root), [int(i) for i in np.flatnonzero(bitmap)], int((root + bass) % 12)


def _voicing(rng, root: int, tones: list[int], *, center: float, open_p: float, omit_p: float):
    """MIDI keys for the comping instrument: close or drop-2, fifth sometimes omitted."""
    tones = list(tones)
    if len(tones) >= 4 and 7 in tones and rng.random() < omit_p:
        tones.remove(7)
    pcs = [(root + t) % 12 for t in tones]
    best = None
    for rot in range(len(pcs)):
        order = pcs[rot:] + pcs[:rot]
        for low in range(48, 68):
            if low % 12 != order[0]:
                continue
            keys = [low]
            for pc in order[1:]:
                keys.append(keys[-1] + (pc - keys[-1]) % 12 or 12)
            cost = abs(np.mean(keys) - center) + rng.random() * 2
            if best is None or cost < best[0]:
                best = (cost, keys)
    keys = best[1]
    if len(keys) >= 3 and rng.random() < open_p and keys[-2] - 12 >= 43:
        keys = sorted([keys[-2] - 12, *keys[:-2], keys[-1]])
    return keys


def render_events(
    events: Sequence[ChordEvent], *, soundfont: str | Path, sr: int = 44100, seed: int,
    tempo: float = 120.0,
) -> np.ndarray:  # fmt: skip
    """Render a progression as bass, comping, optional pad and optional drums.

    Parameters
    ----------
    events : sequence of ChordEvent
        Chords in time order; ``N`` events get no pitched notes.
    soundfont : str or Path
        SF2/SF3 file; loaded once per process and reused.
    sr : int
        Sample rate in Hz.
    seed : int
        Seeds the arrangement (programs, patterns, voicings, velocities).
    tempo : float
        Beats per minute of the grid used by rhythm patterns and drums.

    Returns
    -------
    np.ndarray
        float32 mono signal, shape ``(round(end * sr),)``, peak at most -1 dBFS.
    """
    rng = np.random.default_rng(seed)
    cache = _soundfonts(int(sr))
    synth, sfid = cache.open(soundfont)
    try:
        y = _perform(synth, sfid, cache, events, rng=rng, sr=int(sr), tempo=tempo)
    finally:
        cache.close(synth, soundfont)
    peak = float(np.max(np.abs(y))) if len(y) else 0.0
    if peak > 0:
        y *= 10 ** (-1 / 20) / peak
    return y.astype(np.float32, copy=False)


def _perform(synth, sfid: int, cache: _SoundfontCache, events, *, rng, sr: int, tempo: float):
    """Arrange ``events`` and render them on ``synth``; float32 mono, not normalised."""
    spb = 60.0 / tempo
    end = max((e.start + e.duration for e in events), default=0.0)
    n = int(round(end * sr))
    msgs: list[tuple[int, int, int, int, int]] = []  # (sample, on?, channel, key, velocity)

    def note(chan: int, key: int, t0: float, t1: float, vel: float) -> None:
        a, b = int(round(t0 * sr)), int(round(t1 * sr))
        if b > a and 0 <= key <= 127:
            msgs.append((a, 1, chan, key, int(np.clip(vel + rng.normal(0, 7), 20, 127))))
            msgs.append((b, 0, chan, key, 0))

    def program(chan: int, choices: Sequence[int]) -> None:
        for prog in (int(rng.choice(choices)), 0):
            if synth.program_select(chan, sfid, 0, prog) == 0:
                return

    fam = rng.choice(len(_COMP_PROGRAMS), p=[w for w, _ in _COMP_PROGRAMS])
    program(_COMP, list(_COMP_PROGRAMS[fam][1]))
    program(_BASS, list(range(32, 40)))
    use_pad = rng.random() < 0.4
    if use_pad:
        program(_PAD, _PAD_PROGRAMS)
    use_drums = rng.random() < 0.6 and synth.program_select(_DRUMS, sfid, 128, 0) == 0
    for chan in (_BASS, _COMP, _PAD, _DRUMS):
        synth.cc(chan, 91, int(rng.integers(0, 70)))  # reverb send
        synth.cc(chan, 93, int(rng.integers(0, 30)))  # chorus send
        synth.cc(chan, 10, int(rng.integers(40, 88)) if chan != _BASS else 64)
        synth.cc(chan, 7, 100)
    vel = {c: rng.uniform(65, 110) for c in (_BASS, _COMP, _PAD, _DRUMS)}
    vel[_PAD] *= 0.7
    comp_style = str(rng.choice(["sustain", "beats", "arpeggio"], p=[0.3, 0.4, 0.3]))
    step = float(rng.choice([0.5, 1.0, 1.0, 2.0])) * spb
    arp_step = float(rng.choice([0.25, 0.5])) * spb
    let_ring = rng.random() < 0.7
    bass_style = str(rng.choice(["sustain", "beats", "halves", "octave"]))
    center, open_p, omit_p = rng.uniform(57, 67), rng.uniform(0, 0.6), rng.choice([0.0, 0.5])

    for ev in events:
        parsed = _parse(ev.label)
        if parsed is None:
            continue
        root, tones, bass = parsed
        t0, t1 = ev.start, ev.start + ev.duration
        off = t1 - min(0.02, 0.1 * ev.duration)  # release just before the next chord
        bkey = 28 + (bass - 4) % 12  # E1 .. D#2
        if bass_style == "sustain" or ev.duration < 2 * spb:
            note(_BASS, bkey, t0, off, vel[_BASS])
        else:
            hop = spb * (2 if bass_style == "halves" else 1)
            for k, t in enumerate(np.arange(t0, off - 1e-6, hop)):
                key = bkey + 12 if bass_style == "octave" and k % 2 else bkey
                note(_BASS, key, t, min(t + 0.9 * hop, off), vel[_BASS] + (6 if k == 0 else 0))
        keys = _voicing(rng, root, tones, center=center, open_p=open_p, omit_p=omit_p)
        if use_pad:
            for k in keys:
                note(_PAD, k, t0, off, vel[_PAD])
        if comp_style == "arpeggio" and ev.duration >= 2 * spb:
            order = keys if rng.random() < 0.5 else keys + keys[-2:0:-1]
            for k, t in enumerate(np.arange(t0, off - 1e-6, arp_step)):
                stop = off if let_ring else min(t + 2 * arp_step, off)
                note(_COMP, order[k % len(order)], t, stop, vel[_COMP])
        elif comp_style == "beats" and ev.duration >= 2 * spb:
            for k, t in enumerate(np.arange(t0, off - 1e-6, step)):
                for key in keys:
                    note(
                        _COMP, key, t, min(t + 0.85 * step, off), vel[_COMP] + (8 if k == 0 else 0)
                    )
        else:
            for key in keys:
                note(_COMP, key, t0, off, vel[_COMP])

    if use_drums:
        silent = [(e.start, e.start + e.duration) for e in events if e.label in ("N", "X")]
        mute_in_n = rng.random() < 0.5
        hat = int(rng.choice([42, 42, 51]))
        kicks = {0.0, 2.0} | ({2.5} if rng.random() < 0.4 else set())
        for k in range(int(end / (0.5 * spb))):
            t, pos = k * 0.5 * spb, (k * 0.5) % 4
            if mute_in_n and any(a <= t < b for a, b in silent):
                continue
            note(_DRUMS, hat, t, t + 0.1, vel[_DRUMS] * (1.0 if pos % 1 == 0 else 0.75))
            if pos in kicks:
                note(_DRUMS, 36, t, t + 0.1, vel[_DRUMS])
            if pos in (1.0, 3.0):
                note(_DRUMS, 38, t, t + 0.1, vel[_DRUMS])

    msgs.sort()
    buf = np.zeros((n, 2), dtype=np.float32)
    cur = 0
    for sample, on, chan, key, velocity in msgs:
        sample = min(sample, n)
        if sample > cur:
            cache.write(synth, buf, cur, sample)
            cur = sample
        if on:
            synth.noteon(chan, key, velocity)
        else:
            synth.noteoff(chan, key)
    cache.write(synth, buf, cur, n)
    return buf.mean(axis=1)


# ----------------------------------------------------------------------------- songs and files
def render_song(
    index: int, *, seed: int, soundfont: str | Path, sr: int = 44100, duration: float = 30.0
) -> tuple[np.ndarray, list[ChordEvent]]:
    """Song ``index`` of the data set seeded by ``seed``: audio and its exact chord events.

    Returns
    -------
    y : np.ndarray
        float32 mono, shape ``(round(duration * sr),)``, peak between -13 and -1 dBFS.
    events : list of ChordEvent
        Contiguous events tiling ``[0, duration]``.
    """
    rng = np.random.default_rng([seed, index])
    tempo = float(rng.uniform(70, 160))
    n_max = int(np.ceil(duration * tempo / 60.0)) + 1
    events = []
    for ev in random_progression(rng, n_chords=n_max, tempo=tempo):
        if ev.start >= duration - 1e-9:
            break
        events.append(ChordEvent(ev.label, ev.start, min(ev.duration, duration - ev.start)))
    y = render_events(
        events, soundfont=soundfont, sr=sr, seed=int(rng.integers(2**63)), tempo=tempo
    )
    n = int(round(duration * sr))
    y = np.pad(y[:n], (0, max(0, n - len(y))))
    y *= 10 ** (-rng.uniform(0, 12) / 20)
    return y.astype(np.float32, copy=False), events


def events_to_jams(events: Sequence[ChordEvent], *, duration: float, sandbox: dict | None = None):
    """A :class:`jams.JAMS` with one ``chord`` annotation holding ``events``."""
    import jams

    jam = jams.JAMS()
    jam.file_metadata.duration = duration
    ann = jams.Annotation(namespace="chord", time=0, duration=duration, sandbox=sandbox or {})
    ann.annotation_metadata.data_source = "chordview.training.synth (FluidSynth)"
    for ev in events:
        ann.append(time=ev.start, duration=ev.duration, value=ev.label, confidence=1.0)
    jam.annotations.append(ann)
    return jam


def _song_paths(out_dir: Path, index: int) -> tuple[Path, Path]:
    return out_dir / f"song_{index:05d}.flac", out_dir / f"song_{index:05d}.jams"


def _render_to_files(job: tuple[str, int, int, str, float, int]) -> tuple[int, float]:
    """Worker: render one song and write its FLAC and JAMS atomically; returns (index, seconds)."""
    import soundfile as sf

    out_dir, index, seed, soundfont, duration, sr = job
    flac, jpath = _song_paths(Path(out_dir), index)
    y, events = render_song(index, seed=seed, soundfont=soundfont, sr=sr, duration=duration)
    meta = {"seed": seed, "index": index, "soundfont": Path(soundfont).name}
    jam = events_to_jams(events, duration=duration, sandbox=meta)
    tmp = f".tmp{os.getpid()}"
    try:
        sf.write(str(flac) + tmp, y, sr, format="FLAC", subtype="PCM_16")
        os.replace(str(flac) + tmp, flac)
        with open(str(jpath) + tmp, "w") as fh:
            jam.save(fh)
        os.replace(str(jpath) + tmp, jpath)
    except OSError as exc:
        raise OutputError(f"cannot write song {index} to {out_dir}: {exc}") from exc
    return index, duration


def render_dataset(
    out_dir: str | Path, *, n_songs: int, seed: int, soundfonts: Sequence[str | Path],
    duration: float = 30.0, sr: int = 44100, workers: int = 2, start: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> list[Path]:  # fmt: skip
    """Render songs ``start .. start + n_songs - 1`` to ``out_dir`` (FLAC PCM_16 + JAMS).

    Songs whose two files exist are skipped, so an interrupted run resumes. The soundfont of a
    song is drawn from ``soundfonts`` by ``default_rng([seed, index, 1])``.

    Parameters
    ----------
    progress : callable, optional
        Called as ``progress(done, total)`` after each newly rendered song.

    Returns
    -------
    list of Path
        The FLAC path of every song in the range, in index order.
    """
    if not soundfonts:
        raise ChordviewError("no soundfonts given")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    fonts = [str(s) for s in soundfonts]
    indices = range(start, start + n_songs)
    jobs = []
    for i in indices:
        if not all(p.exists() for p in _song_paths(out, i)):
            font = fonts[int(np.random.default_rng([seed, i, 1]).integers(len(fonts)))]
            jobs.append((str(out), i, seed, font, float(duration), int(sr)))
    done = 0
    if workers <= 1 or len(jobs) <= 1:
        results = map(_render_to_files, jobs)
        for _ in results:
            done += 1
            if progress:
                progress(done, len(jobs))
    else:
        import multiprocessing

        with multiprocessing.get_context("spawn").Pool(min(workers, len(jobs))) as pool:
            for _ in pool.imap_unordered(_render_to_files, jobs):
                done += 1
                if progress:
                    progress(done, len(jobs))
    return [_song_paths(out, i)[0] for i in indices]


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: ``python -m chordview.training.synth OUT --songs N --seed S``."""
    ap = argparse.ArgumentParser(prog="python -m chordview.training.synth", description=__doc__)
    ap.add_argument("out", type=Path, help="output folder for song_NNNNN.flac/.jams")
    ap.add_argument("--songs", type=int, required=True, help="number of songs")
    ap.add_argument("--seed", type=int, required=True, help="data-set seed")
    ap.add_argument("--duration", type=float, default=30.0, help="seconds per song")
    ap.add_argument("--workers", type=int, default=2, help="rendering processes")
    ap.add_argument(
        "--soundfont", action="append", type=Path, help="repeatable; default: training set"
    )
    ap.add_argument("--start", type=int, default=0, help="index of the first song")
    ap.add_argument("--sr", type=int, default=44100, help="sample rate in Hz")
    args = ap.parse_args(argv)
    fonts = args.soundfont or list(TRAIN_SOUNDFONTS)
    t0 = time.perf_counter()
    state = {"total": 0}

    def report(done: int, total: int) -> None:
        state["total"] = total
        if done % 50 == 0 or done == total:
            rate = done * args.duration / (time.perf_counter() - t0)
            print(f"{done}/{total} songs rendered ({rate:.0f} s audio per s)", flush=True)

    try:
        paths = render_dataset(args.out, n_songs=args.songs, seed=args.seed, soundfonts=fonts,
                               duration=args.duration, sr=args.sr, workers=args.workers,
                               start=args.start, progress=report)  # fmt: skip
    except ChordviewError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    elapsed = time.perf_counter() - t0
    new = state["total"]
    print(f"{len(paths)} songs in {args.out} ({new} rendered, {len(paths) - new} skipped) "
          f"in {elapsed:.1f} s with {len(fonts)} soundfont(s)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
