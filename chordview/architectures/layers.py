"""Small serialisable layers written with ``keras.ops`` only (no Lambda: safe_mode refuses it)."""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="chordview")
class PadTime(keras.layers.Layer):
    """Zero-pad axis 1 (time) at the end up to a multiple of ``multiple`` frames.

    Input and output are ``(batch, time, ...)``; the padded length is ``ceil(T / multiple) * multiple``.
    """

    def __init__(self, multiple: int, **kwargs):
        super().__init__(**kwargs)
        self.multiple = int(multiple)

    def call(self, x):
        n = ops.shape(x)[1]
        pad = (self.multiple - n % self.multiple) % self.multiple
        widths = [[0, 0], [0, pad]] + [[0, 0]] * (len(x.shape) - 2)
        return ops.pad(x, widths)

    def compute_output_shape(self, input_shape):
        t = input_shape[1]
        t = None if t is None else -(-t // self.multiple) * self.multiple
        return (input_shape[0], t, *input_shape[2:])

    def get_config(self):
        return {**super().get_config(), "multiple": self.multiple}


@keras.saving.register_keras_serializable(package="chordview")
class CropTimeLike(keras.layers.Layer):
    """Crop axis 1 (time) of the first input to the length of the second: ``x[:, :T_ref]``."""

    def call(self, inputs):
        x, ref = inputs
        return x[:, : ops.shape(ref)[1]]

    def compute_output_shape(self, input_shapes):
        x_shape, ref_shape = input_shapes
        return (x_shape[0], ref_shape[1], *x_shape[2:])


@keras.saving.register_keras_serializable(package="chordview")
class FrequencyPool(keras.layers.Layer):
    """Collapse axis 2 (frequency) of ``(batch, time, freq, channels)`` by its mean and maximum.

    Output ``(batch, time, 2 * channels)``: the mean over frequency, then the maximum.
    """

    def call(self, x):
        return ops.concatenate([ops.mean(x, axis=2), ops.max(x, axis=2)], axis=-1)

    def compute_output_shape(self, input_shape):
        channels = input_shape[3]
        return (input_shape[0], input_shape[1], None if channels is None else 2 * channels)


@keras.saving.register_keras_serializable(package="chordview")
class FrequencyAttention(keras.layers.Layer):
    """Collapse axis 2 (frequency) by learned attention: per frame, a softmax over frequency.

    Input ``(batch, time, freq, channels)`` and scores ``(batch, time, freq, heads)``; each head
    weights the frequency bins of every frame (softmax over axis 2, the frequency axis) and sums
    the features with those weights. Output ``(batch, time, heads * channels)``.
    """

    def call(self, inputs):
        x, scores = inputs
        weights = ops.softmax(scores, axis=2)  # over frequency, not over the last axis
        pooled = ops.einsum("btfh,btfc->bthc", weights, x)
        shape = ops.shape(pooled)
        return ops.reshape(pooled, (shape[0], shape[1], shape[2] * shape[3]))

    def compute_output_shape(self, input_shapes):
        x_shape, s_shape = input_shapes
        return (x_shape[0], x_shape[1], s_shape[3] * x_shape[3])
