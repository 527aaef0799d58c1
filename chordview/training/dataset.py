"""Feature caches for training: audio + JAMS folders -> per-track features and frame targets.

Any folder where ``song.<audio>`` sits beside ``song.jams`` (a ``chord`` annotation) works, the
rendered corpus and a user's own data alike. Each track is cached once as an ``.npz`` holding the
log-CQT (float16) and the per-frame targets; a cache entry is keyed by the file's name, size and
modification time, so editing a file recomputes it.
"""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from chordview.audio import AUDIO_EXTENSIONS, load_audio
from chordview.errors import AnnotationError, AudioError
from chordview.features import DEFAULT_SPEC, FeatureSpec, compute_features

TARGETS = ("chord_tag", "chord_pitch", "chord_root", "chord_bass")


def find_pairs(data_dir: str | Path) -> list[tuple[Path, Path]]:
    """(audio, jams) pairs in a folder tree, sorted by path."""
    pairs = []
    for jams_path in sorted(Path(data_dir).rglob("*.jams")):
        for ext in AUDIO_EXTENSIONS:
            audio = jams_path.with_suffix(ext)
            if audio.is_file():
                pairs.append((audio, jams_path))
                break
    return pairs


def _key(audio: Path, jams_path: Path, spec: FeatureSpec) -> str:
    parts = [str(spec.to_dict())]
    for p in (audio, jams_path):
        st = p.stat()
        parts.append(f"{p.name}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:16]


def cache_track(audio: Path, jams_path: Path, cache_dir: Path, spec: FeatureSpec) -> Path:
    """Compute (or find) the cache entry of one track and return its path."""
    import jams

    out = cache_dir / f"{audio.stem}-{_key(audio, jams_path, spec)}.npz"
    if out.exists():
        return out
    y = load_audio(audio, sr=spec.sr)
    feats = compute_features(y, spec=spec)
    try:
        jam = jams.load(str(jams_path), validate=False)
    except Exception as exc:  # jams raises many kinds for a bad file
        raise AnnotationError(f"{jams_path}: cannot read annotation ({exc})") from None
    from chordview.vocab import encode_labels

    labels = encode_labels(jam, n_frames=len(feats), spec=spec)
    tmp = out.with_suffix(".tmp.npz")
    np.savez(tmp, features=feats.astype(np.float16), **labels)
    os.replace(tmp, out)
    return out


def _cache_one(args):
    audio, jams_path, cache_dir, spec = args
    try:
        return str(cache_track(audio, jams_path, cache_dir, spec)), None
    except (AudioError, AnnotationError) as exc:
        return None, str(exc)


def build_cache(
    data_dir: str | Path,
    cache_dir: str | Path,
    *,
    spec: FeatureSpec = DEFAULT_SPEC,
    workers: int = 2,
) -> list[Path]:
    """Cache every (audio, jams) pair under ``data_dir``; return the cache files in order.

    Tracks that cannot be read are reported on stderr and skipped.
    """
    import sys

    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    jobs = [(a, j, cache_dir, spec) for a, j in find_pairs(data_dir)]
    if not jobs:
        raise AudioError(f"{data_dir}: no audio files with a .jams annotation beside them")
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            results = list(pool.map(_cache_one, jobs, chunksize=4))
    else:
        results = [_cache_one(job) for job in jobs]
    for _, err in results:
        if err:
            print(f"skipped: {err}", file=sys.stderr)
    return [Path(p) for p, _ in results if p]


def load_tracks(files) -> list[dict[str, np.ndarray]]:
    """Load cache entries into memory: features (n_frames, n_bins, n_channels) float16 and targets."""
    tracks = []
    for f in files:
        with np.load(f) as data:
            tracks.append({k: data[k] for k in ("features", *TARGETS)})
    return tracks


def load_folder(
    data_dir: str | Path, cache_dir: str | Path, *, spec: FeatureSpec, workers: int
) -> list[dict[str, np.ndarray]]:
    """:func:`build_cache` of a folder, then :func:`load_tracks`."""
    return load_tracks(build_cache(data_dir, cache_dir, spec=spec, workers=workers))


def excerpt(
    track: dict[str, np.ndarray], start: int, n: int
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Frames ``start`` to ``start + n`` of a cached track: features ``(n, n_bins, n_channels)``
    float32 and the targets of those frames."""
    sl = slice(start, start + n)
    return track["features"][sl].astype(np.float32), {k: track[k][sl] for k in TARGETS}


def stack(pairs) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Excerpts of :func:`excerpt` as one batch: features ``(n_excerpts, n_frames, n_bins,
    n_channels)`` and each target with a leading ``n_excerpts`` axis."""
    pairs = list(pairs)
    return np.stack([x for x, _ in pairs]), {k: np.stack([y[k] for _, y in pairs]) for k in TARGETS}


def validation_arrays(
    tracks: list[dict[str, np.ndarray]], n: int
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The validation set: every track cut into consecutive excerpts of ``n`` frames (the rest
    dropped), :func:`stacked <stack>`."""
    return stack(
        excerpt(t, start, n) for t in tracks for start in range(0, len(t["features"]) - n + 1, n)
    )
