"""A small MultiResUNet-style fully convolutional chord model with structured heads.

Encoder/decoder over (time, frequency) with MultiRes blocks and residual skip paths, pooling both
axes; the input is padded in time to the pooling multiple and cropped back, so any number of
frames works. The frequency axis is then collapsed by a convolution spanning all bins, dilated
1-D convolutions along time add context (in place of the baseline's BiGRU), and the heads are 1x1
convolutions along time with the softmax over the class axis. No recurrent or Dense layer.
"""

from __future__ import annotations

import keras

from chordview.architectures.heads import structured_heads
from chordview.architectures.layers import (
    CropTimeLike,
    FrequencyAttention,
    FrequencyPool,
    PadTime,
)

COLLAPSE = ("conv", "pool", "attention")


def _conv_bn(x, filters, kernel, *, name, activation="relu"):
    x = keras.layers.Conv2D(filters, kernel, padding="same", use_bias=False, name=f"{name}_conv")(x)
    x = keras.layers.BatchNormalization(name=f"{name}_bn")(x)
    return keras.layers.Activation(activation, name=f"{name}_act")(x) if activation else x


def _multires_block(x, units, *, name, alpha=1.67):
    width = alpha * units
    sizes = [max(1, int(width * 0.167)), max(1, int(width * 0.333)), max(1, int(width * 0.5))]
    shortcut = _conv_bn(x, sum(sizes), 1, name=f"{name}_short", activation=None)
    a = _conv_bn(x, sizes[0], 3, name=f"{name}_a")
    b = _conv_bn(a, sizes[1], 3, name=f"{name}_b")
    c = _conv_bn(b, sizes[2], 3, name=f"{name}_c")
    out = keras.layers.Concatenate(name=f"{name}_cat")([a, b, c])
    out = keras.layers.Add(name=f"{name}_add")([shortcut, out])
    return keras.layers.Activation("relu", name=f"{name}_out")(out)


def _res_path(x, filters, length, *, name):
    for i in range(length):
        shortcut = _conv_bn(x, filters, 1, name=f"{name}{i}_short", activation=None)
        y = _conv_bn(x, filters, 3, name=f"{name}{i}_conv")
        x = keras.layers.Activation("relu", name=f"{name}{i}_out")(
            keras.layers.Add(name=f"{name}{i}_add")([shortcut, y])
        )
    return x


def _collapse_frequency(h, how: str, *, n_bins: int, filters: int, heads: int):
    """``(batch, time, n_bins, C)`` -> ``(batch, time, filters)``: labels are per frame."""
    if how == "conv":  # one convolution spanning every bin -> (batch, time, 1, filters)
        h = keras.layers.Conv2D(
            filters, (1, n_bins), padding="valid", activation="relu", name="collapse_freq"
        )(h)
        return keras.layers.Reshape((-1, filters), name="squeeze_freq")(h)
    if how == "pool":
        h = FrequencyPool(name="collapse_freq")(h)
    else:
        scores = keras.layers.Conv2D(heads, (1, 1), name="freq_scores")(h)
        h = FrequencyAttention(name="collapse_freq")([h, scores])
    return keras.layers.Conv1D(filters, 1, activation="relu", name="collapse_mix")(h)


def time_alignment(*, depth: int = 3, pool_time: bool = True, **_others) -> int:
    """Frames a window must start on a multiple of: the time pooling of ``depth`` levels."""
    return 2**depth if pool_time else 1


def build_model(
    *,
    n_bins: int = 216,
    n_channels: int = 1,
    filters: int = 8,
    depth: int = 3,
    collapse_filters: int = 64,
    dilations: tuple[int, ...] = (1, 2, 4, 8),
    structured: bool = True,
    collapse: str = "conv",
    pool_time: bool = True,
    attention_heads: int = 4,
) -> keras.Model:
    """Build the UNet on ``(batch, time, n_bins, n_channels)`` log-CQT input.

    Parameters
    ----------
    n_bins : int
        Frequency bins; must be divisible by ``2 ** depth``.
    n_channels : int
        Input channels.
    filters : int
        MultiRes units of the first level, doubled at each level down.
    depth : int
        Number of 2x2 poolings (time and frequency).
    collapse_filters : int
        Per-frame features after the frequency axis is collapsed.
    dilations : tuple of int
        Dilation of each residual 1-D convolution along time after the collapse.
    structured : bool
        Feed pitch, root and bass predictions into the tag head.
    collapse : {'conv', 'pool', 'attention'}
        How the frequency axis is collapsed: a convolution spanning every bin, the mean and
        maximum over frequency, or learned attention over frequency (``attention_heads`` heads);
        the last two are followed by a 1x1 convolution to ``collapse_filters`` features.
    pool_time : bool
        Pool (and upsample) time as well as frequency in the encoder/decoder; False pools
        frequency only, so the network sees time at full resolution throughout.
    attention_heads : int
        Attention heads for ``collapse='attention'``.

    Returns
    -------
    keras.Model
        Outputs ``chord_pitch``, ``chord_root``, ``chord_bass``, ``chord_tag``, each
        ``(batch, time, n_classes)``.
    """
    if n_bins % (2**depth):
        raise ValueError(f"n_bins={n_bins} must be divisible by 2**depth={2**depth}")
    if collapse not in COLLAPSE:
        raise ValueError(f"collapse={collapse!r}: use one of {COLLAPSE}")
    pool = (2, 2) if pool_time else (1, 2)
    x = keras.Input(shape=(None, n_bins, n_channels), name="cqt")
    h = keras.layers.BatchNormalization(name="input_norm")(x)
    h = PadTime(2**depth if pool_time else 1, name="pad_time")(h)
    skips = []
    for level in range(depth):
        h = _multires_block(h, filters * 2**level, name=f"enc{level}")
        skips.append(_res_path(h, filters * 2**level, depth - level, name=f"skip{level}_"))
        h = keras.layers.MaxPooling2D(pool, name=f"pool{level}")(h)
    h = _multires_block(h, filters * 2**depth, name="bottom")
    for level in reversed(range(depth)):
        h = keras.layers.Conv2DTranspose(
            filters * 2**level, pool, strides=pool, padding="same", name=f"up{level}"
        )(h)
        h = keras.layers.Concatenate(name=f"merge{level}")([h, skips[level]])
        h = _multires_block(h, filters * 2**level, name=f"dec{level}")
    h = _collapse_frequency(
        h, collapse, n_bins=n_bins, filters=collapse_filters, heads=attention_heads
    )
    h = CropTimeLike(name="crop_time")([h, x])
    for d in dilations:
        y = keras.layers.Conv1D(
            collapse_filters,
            3,
            dilation_rate=d,
            padding="same",
            activation="relu",
            name=f"context_d{d}",
        )(h)
        h = keras.layers.Add(name=f"context_add_d{d}")([h, y])
    h = keras.layers.LayerNormalization(name="context_norm")(h)
    heads = structured_heads(h, kind="conv", structured=structured)
    return keras.Model(x, heads, name="unet")
