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
