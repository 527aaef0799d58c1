"""Offline FluidSynth rendering with soundfonts cached per process.

:func:`render_midi` plays MIDI messages; :func:`render_score` plays a
:class:`~chordview.generator.arrange.Score`; the evaluation sets
(:mod:`chordview.evalsets.render_scores`) render through :func:`render_midi` too.
Each process loads a soundfont once into a silent host synth and lends it to a fresh synth per
song (about 1 ms to create), so no state (chorus LFO phase, reverb tail, the 64-sample block
phase) leaks from one song into the next: a song renders bit-identically whatever was rendered
before it in the process. ``TimGM6mb`` is held out of :data:`TRAIN_SOUNDFONTS`; it is the
evaluation soundfont.
"""

from __future__ import annotations

import ctypes
import os
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

import numpy as np

from chordview.errors import ChordviewError

_SF_CANDIDATES = (
    "/usr/share/sounds/sf2/FluidR3_GM.sf2",
    "/usr/share/sounds/sf2/sf_GMbank.sf2",
    "/usr/share/sounds/sf3/FluidR3Mono_GM.sf3",
    "/usr/share/sounds/sf3/MuseScore_General_Full.sf3",
)


def _train_soundfonts() -> tuple[str, ...]:
    seen, out = set(), []
    for p in _SF_CANDIDATES:
        real = os.path.realpath(p)
        if os.path.exists(p) and real not in seen and "timgm6mb" not in real.lower():
            seen.add(real)
            out.append(p)
    return tuple(out)


TRAIN_SOUNDFONTS: tuple[str, ...] = _train_soundfonts()


def HELDOUT_SOUNDFONT() -> str:  # noqa: N802 - name fixed by the training API
    """Path of the held-out evaluation soundfont (TimGM6mb): Debian's copy, else pretty_midi's."""
    debian = "/usr/share/sounds/sf2/TimGM6mb.sf2"
    if os.path.exists(debian):
        return debian
    from importlib.resources import files

    return str(files("pretty_midi") / "TimGM6mb.sf2")


class SoundfontCache:
    """Soundfonts loaded once per process into a host synth and lent to per-song synths.

    Parameters
    ----------
    sr : int
        Sample rate of the synths, in Hz.
    max_fonts : int or None
        Soundfonts kept loaded; the least recently used one is unloaded beyond that (a data set
        renders its songs grouped by soundfont, so each is still loaded once per process).
        ``None`` keeps every soundfont loaded.
    """

    def __init__(self, sr: int, max_fonts: int | None = 2):
        import fluidsynth

        v, i = ctypes.c_void_p, ctypes.c_int
        fl = fluidsynth._fl
        set_log = ctypes.CFUNCTYPE(v, i, v, v)(("fluid_set_log_function", fl))
        for level in range(1, 5):  # keep FLUID_PANIC only: no per-song console noise
            set_log(level, None, None)
        self.sr, self.max_fonts = sr, max_fonts
        self.host = fluidsynth.Synth(gain=0.2, samplerate=float(sr), channels=16)
        self._get = ctypes.CFUNCTYPE(v, v, i)(("fluid_synth_get_sfont_by_id", fl))
        self._add = ctypes.CFUNCTYPE(i, v, v)(("fluid_synth_add_sfont", fl))
        self._remove = ctypes.CFUNCTYPE(i, v, v)(("fluid_synth_remove_sfont", fl))
        self._write = ctypes.CFUNCTYPE(i, v, i, v, i, i, v, i, i)(("fluid_synth_write_float", fl))
        self._interp = ctypes.CFUNCTYPE(i, v, i, i)(("fluid_synth_set_interp_method", fl))
        self.fonts: OrderedDict[str, tuple[int, int]] = OrderedDict()  # path -> (sfid, pointer)

    def font(self, path: str | Path) -> int:
        """Pointer of the loaded soundfont ``path`` (loaded on first use)."""
        key = str(Path(path).resolve())
        if key in self.fonts:
            self.fonts.move_to_end(key)
            return self.fonts[key][1]
        if not os.path.exists(key):
            raise ChordviewError(f"soundfont not found: {path}")
        sfid = self.host.sfload(key)
        if sfid < 0:
            raise ChordviewError(f"FluidSynth could not load soundfont: {path}")
        self.fonts[key] = (sfid, self._get(self.host.synth, sfid))
        while self.max_fonts is not None and len(self.fonts) > self.max_fonts:
            _, (old, _) = self.fonts.popitem(last=False)
            self.host.sfunload(old)
        return self.fonts[key][1]

    def open(
        self, path: str | Path, *, reverb: bool = True, interpolation: int = 4, polyphony: int = 64
    ):
        """A fresh synth with the soundfont ``path`` on its stack; returns (synth, sfid).

        ``reverb`` switches FluidSynth's reverb unit; ``interpolation`` is FluidSynth's sample
        interpolation order (0, 1, 4 or 7). ``polyphony`` caps the voices (FluidSynth's default
        is 256); beyond it FluidSynth steals voices in their release tails first, so 64 keeps
        long-ringing strums cheap at no audible cost.
        """
        import fluidsynth

        font = self.font(path)
        settings = {"synth.polyphony": polyphony, "synth.reverb.active": int(reverb)}
        synth = fluidsynth.Synth(gain=0.2, samplerate=float(self.sr), channels=16, **settings)
        self._interp(synth.synth, -1, interpolation)
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
def soundfonts(sr: int, *, max_fonts: int | None = 2) -> SoundfontCache:
    """The process-wide soundfont cache for sample rate ``sr`` (see :class:`SoundfontCache`)."""
    return SoundfontCache(sr, max_fonts)


def render_midi(
    messages: Iterable[tuple[int, int, int, int, int]],
    *,
    soundfont: str | Path,
    sr: int,
    n_samples: int,
    programs: Mapping[int, tuple[int, int]],
    controls: Mapping[int, Mapping[int, float]] | None = None,
    reverb: bool = True,
    interpolation: int = 4,
    polyphony: int = 64,
    max_fonts: int | None = 2,
) -> np.ndarray:
    """Play MIDI messages on a fresh synth that borrows a cached soundfont.

    Parameters
    ----------
    messages : iterable of (int, int, int, int, int)
        ``(sample, on, channel, key, velocity)``: a note-on (``on`` 1) or note-off (0) at a
        sample index; played in sorted order, so at one sample note-offs come before note-ons.
        Messages at or after ``n_samples`` are cut off.
    soundfont : str or Path
        SF2/SF3 file; loaded once per process and reused.
    sr : int
        Sample rate in Hz.
    n_samples : int
        Length of the output.
    programs : mapping of int to (int, int)
        Channel -> (bank, program). A program missing from the soundfont falls back to program
        0 of its bank (kit 0 for drums).
    controls : mapping of int to (mapping of int to float), optional
        Channel -> {controller: value}, set after the programs (values clipped to 0..127).
    reverb, interpolation, polyphony : bool, int, int
        Synth settings (see :meth:`SoundfontCache.open`).
    max_fonts : int or None
        Soundfonts the process-wide cache keeps loaded (see :func:`soundfonts`).

    Returns
    -------
    np.ndarray
        float32 mono signal (mean of the stereo channels), shape ``(n_samples,)``, not
        normalised.
    """
    cache = soundfonts(int(sr), max_fonts=max_fonts)
    synth, sfid = cache.open(
        soundfont, reverb=reverb, interpolation=interpolation, polyphony=polyphony
    )
    try:
        for chan, (bank, program) in programs.items():
            if synth.program_select(chan, sfid, bank, program) != 0:
                synth.program_select(chan, sfid, bank, 0)
        for chan, ccs in (controls or {}).items():
            for cc, value in ccs.items():
                synth.cc(chan, cc, int(np.clip(value, 0, 127)))
        buf = np.zeros((n_samples, 2), dtype=np.float32)
        cur = 0
        for sample, on, chan, key, vel in sorted(messages):
            sample = min(sample, n_samples)
            if sample > cur:
                cache.write(synth, buf, cur, sample)
                cur = sample
            if on:
                synth.noteon(chan, key, vel)
            else:
                synth.noteoff(chan, key)
        cache.write(synth, buf, cur, n_samples)
    finally:
        cache.close(synth, soundfont)
    return buf.mean(axis=1)


def render_score(
    score,
    *,
    soundfont: str | Path,
    sr: int,
    n_samples: int,
    reverb: bool = True,
    interpolation: int = 4,
) -> np.ndarray:
    """Render a score's notes with one soundfont.

    Parameters
    ----------
    score : chordview.generator.arrange.Score
        Notes (seconds), programs and controllers. A program missing from the soundfont falls
        back to program 0 of its bank (kit 0 for drums).
    soundfont, sr, n_samples : str or Path, int, int
        Soundfont, sample rate in Hz and output length, as for :func:`render_midi`.
    reverb : bool
        Use FluidSynth's reverb (fed by each channel's controller 91).
    interpolation : int
        Sample interpolation order: 1 (linear, fast) or 4 (FluidSynth's default); 0 and 7 work too.

    Returns
    -------
    np.ndarray
        float32 mono signal, shape ``(n_samples,)``, not normalised.
    """
    msgs = []
    for t0, t1, chan, key, vel in score.notes:
        a, b = int(round(t0 * sr)), int(round(t1 * sr))
        if b > a:
            msgs.append((a, 1, chan, key, vel))
            msgs.append((b, 0, chan, key, 0))
    return render_midi(
        msgs,
        soundfont=soundfont,
        sr=sr,
        n_samples=n_samples,
        programs=score.programs,
        controls=score.controls,
        reverb=reverb,
        interpolation=interpolation,
    )
