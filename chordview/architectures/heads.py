"""The structured output heads shared by every architecture.

On a per-frame feature sequence ``(batch, time, features)`` the heads predict the pitch classes
(sigmoid, 12), the root and the bass (softmax, 13 each: 12 pitch classes and N), and the chord tag
(softmax, 170) from the features concatenated with those three predictions, as in McFee & Bello
(2017). ``kind='conv'`` builds each head as a 1x1 convolution along time, ``kind='dense'`` as a
Dense layer applied to every frame, which is what the seed's ``TimeDistributed(Dense)`` computes
(Keras 3's TimeDistributed also breaks on a time axis of unknown length). Tests show the three
forms give the same numbers with shared weights. All take the softmax over the last axis, which
here is the class axis.
"""

from __future__ import annotations

import keras

from chordview.contract import HEADS


def _head(kind: str, units: int, activation: str, name: str):
    if kind == "conv":
        return keras.layers.Conv1D(units, 1, activation=activation, name=name)
    if kind == "dense":  # Dense on (batch, time, features) acts on the last axis per frame
        return keras.layers.Dense(units, activation=activation, name=name)
    raise ValueError(f"unknown head kind {kind!r}: use 'conv' or 'dense'")


def structured_heads(h, *, kind: str = "conv", structured: bool = True) -> dict:
    """Attach the four chord heads to a per-frame feature sequence.

    Parameters
    ----------
    h : KerasTensor, shape (batch, time, features)
        Per-frame features; the frequency axis must already be collapsed.
    kind : {'conv', 'dense'}
        1x1 ``Conv1D`` heads, or a Dense layer per frame (the seed's form).
    structured : bool
        Feed pitch, root and bass into the tag head (True), or predict the tag from ``h`` alone
        (the auxiliary heads are still trained).

    Returns
    -------
    dict of str to KerasTensor
        ``chord_pitch`` (batch, time, 12), ``chord_root`` and ``chord_bass`` (batch, time, 13),
        ``chord_tag`` (batch, time, 170).
    """
    pitch = _head(kind, HEADS["chord_pitch"], "sigmoid", "chord_pitch")(h)
    root = _head(kind, HEADS["chord_root"], "softmax", "chord_root")(h)
    bass = _head(kind, HEADS["chord_bass"], "softmax", "chord_bass")(h)
    codec = keras.layers.Concatenate(name="codec")([h, pitch, root, bass]) if structured else h
    tag = _head(kind, HEADS["chord_tag"], "softmax", "chord_tag")(codec)
    return {"chord_pitch": pitch, "chord_root": root, "chord_bass": bass, "chord_tag": tag}
