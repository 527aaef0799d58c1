"""CR2, the CNN -> BiGRU structured-training baseline of McFee & Bello (ISMIR 2017).

BatchNorm -> Conv2D(1, 5x5) -> Conv2D(36, 1 x n_bins, valid) -> squeeze -> BiGRU(64) -> pitch
(sigmoid 12), root and bass (softmax 13) -> concatenate -> chord tag (softmax 170). With 3 input
channels and 216 bins it has exactly 79,976 parameters (GRU with ``reset_after=False``).
"""

from __future__ import annotations

import keras

from chordview.architectures.heads import structured_heads


def build_model(
    *,
    n_bins: int = 216,
    n_channels: int = 1,
    conv_filters: int = 36,
    rnn_units: int = 64,
    structured: bool = True,
) -> keras.Model:
    """Build CR2 on ``(batch, time, n_bins, n_channels)`` log-CQT input.

    Returns
    -------
    keras.Model
        Outputs ``chord_pitch``, ``chord_root``, ``chord_bass``, ``chord_tag``, each
        ``(batch, time, n_classes)``.
    """
    x = keras.Input(shape=(None, n_bins, n_channels), name="cqt")
    b = keras.layers.BatchNormalization(name="input_norm")(x)
    c0 = keras.layers.Conv2D(1, (5, 5), padding="same", activation="relu", name="conv_5x5")(b)
    c1 = keras.layers.Conv2D(
        conv_filters, (1, n_bins), padding="valid", activation="relu", name="conv_freq"
    )(c0)
    r1 = keras.layers.Reshape((-1, conv_filters), name="squeeze_freq")(c1)
    rs = keras.layers.Bidirectional(
        keras.layers.GRU(rnn_units, return_sequences=True, reset_after=False), name="bigru"
    )(r1)
    heads = structured_heads(rs, kind="dense", structured=structured)
    return keras.Model(x, heads, name="cr2")
