"""The file-level API: ``analyze(path=...)`` or ``analyze(y=..., sr=...)`` -> :class:`Analysis`.

Progress is reported through a callback ``progress(stage, fraction)``; returning ``False`` from
it cancels the analysis with :class:`Cancelled` at the next checkpoint. Stages, in order:
``'audio'``, ``'features'``, ``'network'``, ``'decode'``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from chordview.contract import FrameGrid, validate_outputs
from chordview.decode import Segment, decode
from chordview.errors import AudioError, Cancelled, ChordviewError, ModelError

Progress = Callable[[str, float], "bool | None"]
STAGES = ("audio", "features", "network", "decode")

#: Peak amplitude below which a frame is digital silence (-120 dBFS). The log-CQT is relative to
#: the signal's maximum, so silence cannot be seen in the features: it is found in the samples.
SILENCE_PEAK = 1e-6


@dataclass
class Analysis:
    """Everything chordview knows about one piece of audio.

    Attributes
    ----------
    outputs : dict of str to np.ndarray
        Head name -> ``(n_frames, n_classes)`` float32 probabilities.
    cqt : np.ndarray, shape (n_frames, n_bins)
        The log-CQT the network saw (dB); of a harmonic CQT, the channel starting at ``fmin``.
    segments : list of Segment
        Decoded chords covering the analysed frames.
    sr, hop_length : int
        Frame rate of ``outputs`` and ``cqt`` is ``sr / hop_length``.
    duration : float
        Length of the audio in seconds.
    model : dict
        Name, version, architecture, sha256 and device of the model used.
    vocabulary : dict of str to list of str
        Class names of each head.
    timings : dict of str to float
        Seconds spent in each stage.
    path : Path or None
        Source file, if any.
    grid : FrameGrid
        Where every frame and bin lies in time and pitch.
    """

    outputs: dict[str, np.ndarray]
    cqt: np.ndarray
    segments: list[Segment]
    sr: int
    hop_length: int
    duration: float
    model: dict
    vocabulary: dict[str, list[str]]
    timings: dict[str, float] = field(default_factory=dict)
    path: Path | None = None
    grid: FrameGrid | None = None

    def __post_init__(self):
        if self.grid is None:  # an analysis made by hand: the default CQT on its frame rate
            self.grid = FrameGrid(sr=self.sr, hop_length=self.hop_length)

    @property
    def n_frames(self) -> int:
        """Number of analysed frames."""
        return len(self.cqt)

    @property
    def frame_rate(self) -> float:
        """Frames per second."""
        return self.sr / self.hop_length

    @property
    def key(self):
        """The song's key (:class:`chordview.theory.Key`), estimated from the head outputs
        (:func:`chordview.key.estimate_key`); chord names for people are spelled in it."""
        from chordview.key import estimate_key

        tags = list(self.vocabulary.get("chord_tag", ()))
        return estimate_key(self.outputs, no_chord=tags.index("N") if "N" in tags else None)

    @property
    def frame_times(self) -> np.ndarray:
        """Time, in seconds, from which each output frame's chord sounds, as the decoder and the
        window place it (half a frame after the frame's start; see :class:`FrameGrid`)."""
        return self.grid.output_times(self.n_frames)


def silent_frames(y: np.ndarray, *, hop_length: int, n_frames: int) -> np.ndarray:
    """Which frames are digital silence.

    Parameters
    ----------
    y : np.ndarray, shape (n_samples,)
        Mono audio; frame ``i`` spans samples ``[i * hop_length, (i + 1) * hop_length)``.
    hop_length, n_frames : int
        Frame layout.

    Returns
    -------
    np.ndarray, shape (n_frames,), bool
    """
    frames = y[: n_frames * hop_length].reshape(n_frames, hop_length)  # a view: no copy
    return np.maximum(frames.max(axis=1), -frames.min(axis=1)) < SILENCE_PEAK


def _mark_silence(outputs: dict[str, np.ndarray], silent: np.ndarray, vocabulary: dict) -> None:
    """Set silent frames to certain no-chord: tag and root/bass ``N``, no pitch class active."""
    for head in ("chord_tag", "chord_root", "chord_bass"):
        arr = np.array(outputs[head], dtype=np.float32)
        arr[silent] = 0.0
        arr[silent, list(vocabulary[head]).index("N")] = 1.0
        outputs[head] = arr
    pitch = np.array(outputs["chord_pitch"], dtype=np.float32)
    pitch[silent] = 0.0
    outputs["chord_pitch"] = pitch


def get_bundle(model="unet"):
    """A loaded :class:`~chordview.bundle.Bundle` for a bundled name, a path or a Bundle."""
    from chordview.bundle import Bundle, load_bundle
    from chordview.numba_cache import ensure_numba_cache

    ensure_numba_cache()  # loading a bundle imports pumpp, and so librosa
    return model if isinstance(model, Bundle) else load_bundle(model)


class Analyzer:
    """A model loaded once, with its device and mode, ready to analyse files and signals.

    Holds the bundle, the device, fast mode and the network's compiled predictor (made on first
    use); the CLI's batches, the GUI's engine, ``render`` and ``evaluate`` each hold one, so a
    model is loaded and traced once however many files follow.

    Parameters
    ----------
    model : str, Path or Bundle
        Bundled model name (``'unet'``, ``'cr2'``), bundle folder, ``.keras`` file, or a Bundle.
    device : {'auto', 'cpu', 'gpu'}
        Where to run the network.
    fast : bool
        Run the network once on the audio as it is, instead of averaging its outputs over the
        bundle's ``pitch_shifts`` (a bundle with shifts -1, 0, +1 runs about 3x faster, slightly
        less accurately).

    Raises
    ------
    ModelError
        The model cannot be loaded.
    """

    def __init__(self, model="unet", *, device: str = "auto", fast: bool = False):
        self.bundle = get_bundle(model)
        self.device = device
        self.fast = bool(fast)
        self._predictor = None

    @property
    def predictor(self):
        """The network's :class:`~chordview.inference.Predictor` on this device."""
        if self._predictor is None:
            from chordview.architectures import time_alignment
            from chordview.inference import Predictor

            meta = self.bundle.meta
            align = time_alignment(meta.get("architecture"), **meta.get("hyper_parameters", {}))
            self._predictor = Predictor(self.bundle.model, device=self.device, align=align)
        return self._predictor

    @property
    def pitch_shifts(self) -> list[int]:
        """Semitones of the copies whose outputs are averaged (``[0]``: one pass)."""
        return [0] if self.fast else [int(s) for s in self.bundle.decoder["pitch_shifts"]]

    def analyze(
        self,
        path: str | Path | None = None,
        *,
        y: np.ndarray | None = None,
        sr: int | None = None,
        progress: Progress | None = None,
    ) -> Analysis:
        """Analyse a file or an in-memory signal; see :func:`analyze`."""
        return _run(self, path=path, y=y, sr=sr, progress=progress)

    def analyze_files(self, paths, **options):
        """Analyse files and folders and write their outputs; see
        :func:`chordview.batch.analyze_files` (``options`` are its keyword arguments)."""
        from chordview.batch import analyze_files

        return analyze_files(paths, analyzer=self, **options)


class _Recent:
    """The few analyzers :func:`analyze` used last, by model file, its mtime, device and mode:
    repeated calls from a notebook or the GUI's engine do not reload and retrace the model."""

    def __init__(self, size: int = 4):
        self.size, self.items = size, {}

    def get(self, model, device: str, fast: bool) -> Analyzer:
        from chordview.bundle import Bundle, resolve

        if isinstance(model, Analyzer):
            return model
        if isinstance(model, Bundle):
            key = (id(model), device, fast)
        else:
            path = resolve(model).resolve()
            key = (str(path), path.stat().st_mtime_ns, device, fast)
        if key not in self.items:
            if len(self.items) >= self.size:
                self.items.pop(next(iter(self.items)))
            self.items[key] = Analyzer(model, device=device, fast=fast)
        self.items[key] = self.items.pop(key)  # most recent last
        return self.items[key]


_recent = _Recent()


def shared_analyzer(model="unet", *, device: str = "auto", fast: bool = False) -> Analyzer:
    """One of the analyzers :func:`analyze` keeps loaded (made now if it has none for this
    model file, device and mode): a long-lived caller, such as the GUI's engine process, shares
    them instead of loading its own."""
    return _recent.get(model, device, bool(fast))


def analyze(
    path: str | Path | None = None,
    *,
    y: np.ndarray | None = None,
    sr: int | None = None,
    model="unet",
    device: str = "auto",
    progress: Progress | None = None,
    fast: bool = False,
) -> Analysis:
    """Analyse a file or an in-memory signal.

    Parameters
    ----------
    path : str or Path, optional
        Audio file to read (give this or ``y`` and ``sr``).
    y : np.ndarray, shape (n_samples,) or (n_channels, n_samples), optional
        Audio samples.
    sr : int, optional
        Sample rate of ``y`` in Hz.
    model : str, Path, Bundle or Analyzer
        Bundled model name (``'unet'``, ``'cr2'``), bundle folder, ``.keras`` file, a Bundle,
        or an :class:`Analyzer` (then ``device`` and ``fast`` are its own). The last few
        models used are kept loaded, so repeated calls do not reload them.
    device : {'auto', 'cpu', 'gpu'}
        Where to run the network.
    progress : callable, optional
        ``progress(stage, fraction)``; return ``False`` to cancel.
    fast : bool
        Run the network once on the audio as it is, instead of averaging its outputs over the
        bundle's ``pitch_shifts`` (a bundle with shifts -1, 0, +1 runs about 3x faster, slightly
        less accurately).

    Returns
    -------
    Analysis

    Raises
    ------
    AudioError, ModelError, Cancelled
    """
    return _recent.get(model, device, bool(fast)).analyze(path, y=y, sr=sr, progress=progress)


def _run(analyzer: Analyzer, *, path, y, sr, progress: Progress | None) -> Analysis:
    from chordview.audio import load_audio, prepare_signal
    from chordview.features import compute_features
    from chordview.inference import predict_shifted
    from chordview.numba_cache import ensure_numba_cache

    def report(stage: str, fraction: float) -> None:
        if progress is not None and progress(stage, fraction) is False:
            raise Cancelled("analysis cancelled")

    if (path is None) == (y is None):
        raise ChordviewError("give either a path or samples y with their sample rate sr")
    ensure_numba_cache()  # before the bundle, features or resampling import librosa
    timings: dict[str, float] = {}
    bundle = analyzer.bundle
    spec = bundle.features
    shape = getattr(bundle.model, "input_shape", None)
    shape = tuple(shape[2:]) if isinstance(shape, tuple) and len(shape) == 4 else ()
    if len(shape) == 2 and shape[0] == spec.n_bins and shape[1] != spec.n_channels:
        where = "" if bundle.meta else "; a .keras file does not say its features: use its bundle"
        raise ModelError(
            f"{bundle.name}: the network takes {shape[1]} input channels but its "
            f"features give {spec.n_channels}{where}"
        )
    report("audio", 0.0)
    t0 = time.perf_counter()
    if path is not None:
        name = str(path)
        signal = load_audio(path, sr=spec.sr)
    else:
        if sr is None:
            raise ChordviewError("samples y need their sample rate sr")
        name = "audio"
        signal = prepare_signal(y, sr=sr, target_sr=spec.sr)
    n_frames = spec.n_frames(len(signal))
    if n_frames < 1:
        raise AudioError(
            f"{name}: too short ({len(signal) / spec.sr:.3f} s); at least one frame of "
            f"{spec.hop_length / spec.sr:.3f} s is needed"
        )
    duration = len(signal) / spec.sr
    silent = silent_frames(signal, hop_length=spec.hop_length, n_frames=n_frames)
    timings["audio"] = time.perf_counter() - t0
    report("audio", 1.0)

    t0 = time.perf_counter()
    feats = compute_features(signal, spec=spec, progress=lambda f: report("features", f))
    del signal
    timings["features"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    report("network", 0.0)
    predictor = analyzer.predictor
    shifts = analyzer.pitch_shifts
    outputs = predict_shifted(
        feats,
        predictor=predictor,
        shifts=shifts,
        bins_per_semitone=spec.over_sample,
        vocabulary=bundle.vocabulary,
        progress=lambda f: report("network", f),
    )
    validate_outputs(outputs)
    if silent.any():
        _mark_silence(outputs, silent, bundle.vocabulary)
    timings["network"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    report("decode", 0.0)
    segments = decode(
        outputs,
        classes=bundle.vocabulary["chord_tag"],
        sr=spec.sr,
        hop_length=spec.hop_length,
        self_transition=float(bundle.decoder["self_transition"]),
        min_bass_confidence=float(bundle.decoder["min_bass_confidence"]),
    )
    timings["decode"] = time.perf_counter() - t0
    report("decode", 1.0)
    return Analysis(
        outputs=outputs,
        cqt=np.ascontiguousarray(feats[:, :, spec.fundamental_channel]),
        segments=segments,
        sr=spec.sr,
        hop_length=spec.hop_length,
        duration=duration,
        model={
            "name": bundle.name,
            "version": bundle.version,
            "architecture": bundle.meta.get("architecture", "keras"),
            "sha256": bundle.sha256,
            "device": predictor.device,
            "pitch_shifts": shifts,
        },
        vocabulary=bundle.vocabulary,
        timings=timings,
        path=Path(path) if path is not None else None,
        grid=FrameGrid.from_spec(spec),
    )
