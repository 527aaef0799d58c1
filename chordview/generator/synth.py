"""Synthetic training songs (generator v2): seeded progressions, FluidSynth audio, exact labels.

A song is planned from ``(seed, index)`` alone: tempo (60-180 BPM), metre, swing and a functional
progression (:mod:`~chordview.generator.harmony`) placed in seconds by a
:class:`~chordview.generator.groove.TimeMap`. It is then played by a random band
(:mod:`~chordview.generator.band`, :mod:`~chordview.generator.arrange`,
:mod:`~chordview.generator.drums`) with a humanised feel, rendered offline with a cached soundfont
(:mod:`~chordview.generator.fluid`) and passed through a random effect chain
(:mod:`~chordview.generator.effects`). Labels are exact by construction; the rule is stated in
:mod:`chordview.generator.arrange`. :func:`render_dataset` writes
``song_NNNNN.flac`` + ``.jams`` pairs, resumably and in parallel; :func:`song_events` regenerates a
song's labels without audio, which makes :func:`chordview.generator.balance.stats` of a data set
cheap. ``TimGM6mb`` is held out of :data:`TRAIN_SOUNDFONTS`; it is the evaluation soundfont.

Random streams: ``default_rng([seed, index, k])`` with ``k`` = 0 for the plan and harmony, 1 for
the performance (band, feel, notes, ``N`` noise), 2 for the effect chain, 3 for the soundfont
choice and 4 for the texture (a band, or four-part writing with probability ``chorale``), so
changing one stage leaves the others' draws alone: a song that stays a band song is the same
whatever ``chorale`` is. With ``hymn`` the four-part songs also get the harmony, tempo and
phrasing of a chorale (:mod:`~chordview.generator.hymn`, texture ``"hymn"``) instead of a band
song's; band songs stay the same.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import NamedTuple

import numpy as np

from chordview.errors import ChordviewError, OutputError
from chordview.generator.arrange import arrange
from chordview.generator.balance import stats
from chordview.generator.band import Band
from chordview.generator.effects import EffectChain, apply_effects, colored_noise
from chordview.generator.fluid import HELDOUT_SOUNDFONT, TRAIN_SOUNDFONTS, render_score
from chordview.generator.groove import Feel, TimeMap
from chordview.generator.harmony import ChordEvent, song_spans
from chordview.generator.hymn import TEMPO as HYMN_TEMPO
from chordview.generator.hymn import hymn_spans

__all__ = [
    "HELDOUT_SOUNDFONT",
    "TRAIN_SOUNDFONTS",
    "ChordEvent",
    "SongPlan",
    "events_to_jams",
    "main",
    "plan_song",
    "random_progression",
    "render_dataset",
    "render_events",
    "render_song",
    "song_events",
    "song_texture",
]
#: the data-source tag of every rendered JAMS, as written since generator v2 (kept when the module
#: moved to chordview.generator, so rendered files stay byte-identical)
GENERATOR = "chordview.training.synth v2 (FluidSynth)"


def random_progression(
    rng: np.random.Generator, *, n_chords: int, tempo: float
) -> list[ChordEvent]:
    """A functional chord progression in a random key, on a straight beat grid starting at 0 s.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of all randomness.
    n_chords : int
        Number of events returned, ``N`` stretches included.
    tempo : float
        Beats per minute; events last half a beat to two bars.

    Returns
    -------
    list of ChordEvent
        Contiguous events (each starts where the previous one ends).
    """
    spans = song_spans(rng, n_beats=8.0 * (n_chords + 2))[:n_chords]
    return TimeMap(tempo).events(spans)


class SongPlan(NamedTuple):
    """What a song is before it is played: exact labels, beat grid and metre."""

    events: list[ChordEvent]
    time_map: TimeMap
    beats_per_bar: int


def plan_song(index: int, *, seed: int, duration: float = 30.0, texture: str = "band") -> SongPlan:
    """Events (tiling ``[0, duration]``), time map and metre of song ``index`` of set ``seed``.

    ``texture`` ``"hymn"`` plans a chorale (:func:`~chordview.generator.hymn.hymn_spans`, slow
    and straight); ``"band"`` and ``"chorale"`` plan a band song.
    """
    rng = np.random.default_rng([seed, index, 0])
    hymn = texture == "hymn"
    tempo = float(rng.uniform(*HYMN_TEMPO)) if hymn else float(rng.uniform(60, 180))
    beats_per_bar = 3 if rng.random() < 0.15 else 4
    swing = float(rng.uniform(0.05, 1 / 6)) if not hymn and rng.random() < 0.25 else 0.0
    time_map = TimeMap(tempo, swing)
    n_beats = np.ceil(time_map.beat(duration) * 2) / 2 + 0.5
    spans = (hymn_spans if hymn else song_spans)(rng, n_beats=n_beats, beats_per_bar=beats_per_bar)
    events = []
    for ev in time_map.events(spans):
        if ev.start >= duration - 1e-9:
            break
        events.append(ChordEvent(ev.label, ev.start, min(ev.duration, duration - ev.start)))
    return SongPlan(events, time_map, beats_per_bar)


def song_events(
    index: int, *, seed: int, duration: float = 30.0, texture: str = "band"
) -> list[ChordEvent]:
    """The exact labels of song ``index`` of the data set ``seed``, without rendering it."""
    return plan_song(index, seed=seed, duration=duration, texture=texture).events


def render_events(
    events: Sequence[ChordEvent],
    *,
    soundfont: str | Path,
    sr: int = 44100,
    seed: int,
    tempo: float = 120.0,
    beats_per_bar: int = 4,
    swing: float = 0.0,
    band: Band | None = None,
    feel: Feel | None = None,
    effects: EffectChain | None = None,
) -> np.ndarray:
    """Render chord events with a band, exact labels kept (see :mod:`chordview.generator.arrange`).

    Parameters
    ----------
    events : sequence of ChordEvent
        Contiguous chords in time order; ``N`` events get no pitched notes (silence, drums only or
        noise).
    soundfont : str or Path
        SF2/SF3 file; loaded once per process and reused.
    sr : int
        Sample rate in Hz.
    seed : int
        Seeds the performance (band and feel when not given, notes, noise, effects' randomness).
    tempo, beats_per_bar, swing : float, int, float
        Beat grid of the rhythm patterns and drums (see
        :class:`~chordview.generator.groove.TimeMap`).
    band : Band, optional
        Who plays; default :meth:`Band.random`. ``Band.solo()`` is one clean instrument.
    feel : Feel, optional
        Timing and dynamics; default :meth:`Feel.random` (``Feel()`` is mechanical).
    effects : EffectChain, optional
        Effect chain; default none, with the peak set to -1 dBFS.

    Returns
    -------
    np.ndarray
        float32 mono signal, shape ``(round(end * sr),)``.
    """
    rng = np.random.default_rng(seed)
    time_map = TimeMap(tempo, swing)
    band = band if band is not None else Band.random(rng, beats_per_bar=beats_per_bar)
    feel = feel if feel is not None else Feel.random(rng)
    score = arrange(
        list(events), band=band, feel=feel, time_map=time_map, beats_per_bar=beats_per_bar, rng=rng
    )
    end = max((e.start + e.duration for e in events), default=0.0)
    reverb = bool(rng.random() < 0.5)  # FluidSynth's own reverb, fed by the parts' sends
    interpolation = int(rng.choice([1, 1, 1, 4]))  # mostly linear: about 1.35x faster
    n = int(round(end * sr))
    y = render_score(
        score,
        soundfont=soundfont,
        sr=int(sr),
        n_samples=n,
        reverb=reverb,
        interpolation=interpolation,
    )
    y = y.astype(np.float64)
    rms = float(np.sqrt(np.mean(y**2))) if len(y) else 0.0
    for t0, t1 in score.noise:
        a, b = int(round(t0 * sr)), min(int(round(t1 * sr)), len(y))
        if b - a > 2 and rms > 0:
            ramp = np.minimum(
                1.0, np.minimum(np.arange(b - a), np.arange(b - a)[::-1]) / (0.01 * sr)
            )
            color = str(rng.choice(["white", "pink", "brown"]))
            noise = colored_noise(b - a, color=color, seed=int(rng.integers(2**31)))
            y[a:b] += noise * ramp * rms * 10 ** (-rng.uniform(8, 30) / 20)
    chain = effects if effects is not None else EffectChain()
    return apply_effects(y, sr=int(sr), chain=chain, seed=int(rng.integers(2**31)))


def song_texture(index: int, *, seed: int, chorale: float = 0.0, hymn: bool = False) -> str:
    """The texture of song ``index``: ``"band"``, or four-part writing (probability ``chorale``)
    to a band song's harmony (``"chorale"``) or, with ``hymn``, to a chorale's (``"hymn"``)."""
    if np.random.default_rng([seed, index, 4]).random() < chorale:
        return "hymn" if hymn else "chorale"
    return "band"


def render_song(
    index: int,
    *,
    seed: int,
    soundfont: str | Path,
    sr: int = 44100,
    duration: float = 30.0,
    chorale: float = 0.0,
    hymn: bool = False,
) -> tuple[np.ndarray, list[ChordEvent]]:
    """Song ``index`` of the data set seeded by ``seed``: audio and its exact chord events.

    ``chorale`` is the probability that the song is sung in four parts
    (:meth:`~chordview.generator.band.Band.chorale`) rather than played by a band; with ``hymn``
    such a song is also planned as a chorale (see :func:`song_texture`).

    Returns
    -------
    y : np.ndarray
        float32 mono, shape ``(round(duration * sr),)``, peak between -13 and -1 dBFS.
    events : list of ChordEvent
        Contiguous events tiling ``[0, duration]``.
    """
    texture = song_texture(index, seed=seed, chorale=chorale, hymn=hymn)
    events, time_map, beats_per_bar = plan_song(
        index, seed=seed, duration=duration, texture=texture
    )
    performance = int(np.random.default_rng([seed, index, 1]).integers(2**63))
    chain = EffectChain.random(np.random.default_rng([seed, index, 2]))
    band = None
    if texture != "band":
        band = Band.chorale(np.random.default_rng([seed, index, 4, 1]))
    y = render_events(
        events,
        soundfont=soundfont,
        sr=sr,
        seed=performance,
        tempo=time_map.tempo,
        beats_per_bar=beats_per_bar,
        swing=time_map.swing,
        band=band,
        effects=chain,
    )
    n = int(round(duration * sr))
    return np.pad(y[:n], (0, max(0, n - len(y)))), events


def events_to_jams(events: Sequence[ChordEvent], *, duration: float, sandbox: dict | None = None):
    """A :class:`jams.JAMS` with one ``chord`` annotation holding ``events``."""
    import jams

    jam = jams.JAMS()
    jam.file_metadata.duration = duration
    ann = jams.Annotation(namespace="chord", time=0, duration=duration, sandbox=sandbox or {})
    ann.annotation_metadata.data_source = GENERATOR
    for ev in events:
        ann.append(time=ev.start, duration=ev.duration, value=ev.label, confidence=1.0)
    jam.annotations.append(ann)
    return jam


def _song_paths(out_dir: Path, index: int) -> tuple[Path, Path]:
    return out_dir / f"song_{index:05d}.flac", out_dir / f"song_{index:05d}.jams"


def _render_to_files(job: tuple[str, int, int, str, float, int, float, bool]) -> tuple[int, float]:
    """Worker: render one song and write its FLAC and JAMS atomically; returns (index, seconds)."""
    import soundfile as sf

    out_dir, index, seed, soundfont, duration, sr, chorale, hymn = job
    flac, jpath = _song_paths(Path(out_dir), index)
    y, events = render_song(
        index, seed=seed, soundfont=soundfont, sr=sr, duration=duration, chorale=chorale, hymn=hymn
    )
    meta = {
        "seed": seed,
        "index": index,
        "soundfont": Path(soundfont).name,
        "generator": 2,
        "texture": song_texture(index, seed=seed, chorale=chorale, hymn=hymn),
    }
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


def _is_current(
    out: Path, index: int, *, seed: int, soundfont: str, texture: str, duration: float, sr: int
) -> bool:
    """Both files of song ``index`` exist and hold what this run would write.

    The JAMS must record the data set's ``seed``, the song's index, soundfont and ``texture``, and
    the very labels the generator plans for the song now; the FLAC must have ``sr`` and the song's
    length. So songs of another seed or duration, or from a generator whose harmony has changed
    since, are rendered again instead of silently mixed in (a change that only alters the audio,
    not the labels, is not detected: render such a data set into a new folder).
    """
    import json

    import soundfile as sf

    flac, jpath = _song_paths(out, index)
    if not (flac.exists() and jpath.exists()):
        return False
    try:
        ann = json.loads(jpath.read_text())["annotations"][0]
        sandbox = ann["sandbox"]
        stored = [(obs["value"], obs["time"], obs["duration"]) for obs in ann["data"]]
        info = sf.info(str(flac))
    except (OSError, ValueError, KeyError, IndexError, TypeError, RuntimeError):
        return False  # unreadable: render it again
    wanted = {
        "seed": seed,
        "index": index,
        "soundfont": soundfont,
        "generator": 2,
        "texture": texture,
    }
    sandbox = {"texture": "band", **sandbox}  # renders from before textures were recorded
    if any(sandbox.get(key) != value for key, value in wanted.items()):
        return False
    if (info.samplerate, info.frames) != (sr, int(round(duration * sr))):
        return False
    planned = song_events(index, seed=seed, duration=duration, texture=texture)
    return len(stored) == len(planned) and all(
        label == ev.label and abs(t - ev.start) < 1e-6 and abs(d - ev.duration) < 1e-6
        for (label, t, d), ev in zip(stored, planned, strict=True)
    )


def render_dataset(
    out_dir: str | Path,
    *,
    n_songs: int,
    seed: int,
    soundfonts: Sequence[str | Path],
    duration: float = 30.0,
    sr: int = 44100,
    workers: int = 2,
    start: int = 0,
    chorale: float = 0.0,
    hymn: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> list[Path]:
    """Render songs ``start .. start + n_songs - 1`` to ``out_dir`` (FLAC PCM_16 + JAMS).

    Songs whose files already hold what this call would write (same seed, soundfont, texture,
    duration, sample rate and labels; see :func:`song_texture`) are skipped, so an interrupted run
    resumes, and raising ``chorale`` (or switching ``hymn``) re-renders only the songs whose
    texture changes. Songs from another seed or an older generator are rendered again. The soundfont of a
    song is drawn from ``soundfonts`` by ``default_rng([seed, index, 3])``; songs are rendered
    grouped by soundfont, so each worker process loads each soundfont once.

    Parameters
    ----------
    workers : int
        Rendering processes (1: in this process).
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
        font = fonts[int(np.random.default_rng([seed, i, 3]).integers(len(fonts)))]
        texture = song_texture(i, seed=seed, chorale=chorale, hymn=hymn)
        if not _is_current(
            out, i, seed=seed, soundfont=Path(font).name, texture=texture, duration=duration, sr=sr
        ):
            jobs.append(
                (str(out), i, seed, font, float(duration), int(sr), float(chorale), bool(hymn))
            )
    jobs.sort(key=lambda j: (j[3], j[1]))
    done = 0
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            _render_to_files(job)
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
    """CLI: ``python -m chordview.generator.synth OUT --songs N --seed S``."""
    ap = argparse.ArgumentParser(
        prog="python -m chordview.generator.synth", description=__doc__.splitlines()[0]
    )
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
    ap.add_argument(
        "--chorale",
        type=float,
        default=0.0,
        help="fraction of songs sung in four parts instead of played by a band",
    )
    ap.add_argument(
        "--hymn",
        action="store_true",
        help="four-part songs get a chorale's harmony, tempo and phrasing "
        "(chordview.generator.hymn) instead of a band song's",
    )
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
        paths = render_dataset(
            args.out,
            n_songs=args.songs,
            seed=args.seed,
            soundfonts=fonts,
            duration=args.duration,
            sr=args.sr,
            workers=args.workers,
            start=args.start,
            chorale=args.chorale,
            hymn=args.hymn,
            progress=report,
        )
    except ChordviewError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    elapsed = time.perf_counter() - t0
    new = state["total"]
    print(
        f"{len(paths)} songs in {args.out} ({new} rendered, {len(paths) - new} skipped) "
        f"in {elapsed:.1f} s with {len(fonts)} soundfont(s)"
    )
    sample = range(args.start, args.start + min(args.songs, 1000))
    texture = partial(song_texture, seed=args.seed, chorale=args.chorale, hymn=args.hymn)
    print(
        stats(
            song_events(i, seed=args.seed, duration=args.duration, texture=texture(i))
            for i in sample
        ).table()
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
