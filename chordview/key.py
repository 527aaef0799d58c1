"""The key of a song, estimated from the network's outputs.

The pitch-class head says, frame by frame, which of the 12 pitch classes sound in the chord; its
mean over the frames that hold a chord is the song's pitch-class profile, and the key is the one
of the 24 major and minor keys whose Krumhansl-Kessler profile (Krumhansl, *Cognitive
Foundations of Musical Pitch*, 1990) correlates best with it (the Krumhansl-Schmuckler method).
Chord names are spelled in this key (:func:`chordview.theory.musician`).
"""

from __future__ import annotations

import numpy as np

from chordview.theory import Key

#: Probe-tone ratings of each pitch class above the tonic (Krumhansl & Kessler, 1982).
MAJOR_PROFILE = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
MINOR_PROFILE = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])


def key_from_profile(profile: np.ndarray) -> Key:
    """The major or minor key whose tonal profile correlates best with ``profile``.

    Parameters
    ----------
    profile : np.ndarray, shape (12,)
        Weight of each pitch class, C first (any scale).

    Returns
    -------
    Key
        C major for a flat or empty profile.
    """
    profile = np.asarray(profile, dtype=np.float64)
    if profile.shape != (12,) or not np.all(np.isfinite(profile)) or np.ptp(profile) <= 1e-12:
        return Key(0, "major")
    best, found = -np.inf, Key(0, "major")
    for mode, template in (("major", MAJOR_PROFILE), ("minor", MINOR_PROFILE)):
        for tonic in range(12):
            r = np.corrcoef(profile, np.roll(template, tonic))[0, 1]
            if r > best + 1e-12:
                best, found = r, Key(tonic, mode)
    return found


def estimate_key(outputs: dict[str, np.ndarray], *, no_chord: int | None = None) -> Key:
    """The key of a song from its head outputs.

    Parameters
    ----------
    outputs : dict of str to np.ndarray
        The output contract's heads; ``chord_pitch`` ``(n_frames, 12)`` is used, each frame
        weighted by how sure ``chord_tag`` is that a chord sounds there.
    no_chord : int, optional
        Index of ``N`` among the ``chord_tag`` classes (frames are then weighted by
        ``1 - P(N)``); without it every frame counts alike.

    Returns
    -------
    Key
    """
    pitch = np.asarray(outputs["chord_pitch"], dtype=np.float64)
    weights = np.ones(len(pitch))
    if no_chord is not None and "chord_tag" in outputs:
        weights = 1.0 - np.asarray(outputs["chord_tag"], dtype=np.float64)[:, no_chord]
    if len(pitch) == 0 or weights.sum() <= 1e-9:
        return Key(0, "major")
    return key_from_profile(weights @ pitch)
