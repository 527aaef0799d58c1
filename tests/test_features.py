"""Features: pumpp's CQT exactly, computed in bounded blocks; labels in encoder order."""

from __future__ import annotations

import jams
import numpy as np
import pumpp
import pytest

from chordview.features import DEFAULT_SPEC, FeatureSpec, compute_features, cqt_magnitude
from chordview.vocab import encode_labels, tag_classes
from tests.conftest import chord_signal


def test_default_spec_is_the_design_card():
    assert (DEFAULT_SPEC.sr, DEFAULT_SPEC.hop_length, DEFAULT_SPEC.n_bins) == (44100, 4096, 216)
    assert FeatureSpec.from_dict(DEFAULT_SPEC.to_dict()) == DEFAULT_SPEC


@pytest.mark.parametrize("n_samples", [4096, 44100 * 7 + 5, 44100 * 20 + 4095])
def test_features_equal_pumpp_on_the_whole_signal(n_samples):
    y = np.random.default_rng(0).normal(size=n_samples).astype(np.float32)
    ext = pumpp.feature.CQTMag(
        name="c", sr=44100, hop_length=4096, n_octaves=6, over_sample=3, log=True
    )
    expected = np.asarray(ext.transform_audio(y)["mag"]).reshape(-1, 216)
    got = compute_features(y)
    assert got.shape == (n_samples // 4096, 216, 1)
    np.testing.assert_allclose(got[:, :, 0], expected, atol=1e-3)


def test_blocked_cqt_matches_one_pass():
    y = chord_signal([48, 55, 64], seconds=40.0)
    whole = cqt_magnitude(y, block_frames=10_000)
    blocked = cqt_magnitude(y, block_frames=100)
    assert np.abs(whole - blocked).max() <= 1e-4 * whole.max()


def test_tag_classes_follow_the_encoder_not_the_vocabulary():
    classes = tag_classes()
    assert len(classes) == 170 and classes.index("N") == 168 and classes.index("X") == 169
    assert classes[0] == "A#:7"


def test_encode_labels_gives_frame_targets():
    jam = jams.JAMS()
    jam.file_metadata.duration = 4.0
    ann = jams.Annotation("chord", time=0, duration=4.0)
    ann.append(time=0.0, duration=2.0, value="C:maj/3")
    ann.append(time=2.0, duration=2.0, value="A:min7")
    jam.annotations.append(ann)
    n = 43
    y = encode_labels(jam, n_frames=n)
    assert {k: v.shape for k, v in y.items()} == {
        "chord_tag": (n,),
        "chord_pitch": (n, 12),
        "chord_root": (n,),
        "chord_bass": (n,),
    }
    classes = tag_classes()
    assert classes[y["chord_tag"][0]] == "C:maj" and classes[y["chord_tag"][-1]] == "A:min7"
    assert y["chord_root"][0] == 0 and y["chord_bass"][0] == 4  # E in the bass
    assert list(np.flatnonzero(y["chord_pitch"][-1])) == [0, 4, 7, 9]


def test_harmonic_cqt_channels_line_up_the_partials_of_one_fundamental():
    """Channel h starts at h * fmin: a 440 Hz tone sits in channel 2 at the bin of 220 Hz."""
    spec = FeatureSpec(harmonics=(0.5, 1, 2, 3))
    t = np.arange(44100 * 3) / 44100
    y = np.sin(2 * np.pi * 440.0 * t).astype(np.float32)
    feats = compute_features(y, spec=spec)
    assert feats.shape == (len(y) // 4096, 216, 4)
    peaks = feats[5:-5].mean(axis=0).argmax(axis=0)
    a4 = 3 * (69 - 24)  # bins above C1 (MIDI 24) for A4 (MIDI 69), 3 bins per semitone
    assert list(peaks) == [a4 + 36, a4, a4 - 36, round(a4 - 3 * 12 * np.log2(3))]
    # the fundamental channel is the plain CQT, up to the shared dB reference
    plain = compute_features(y)[:, :, 0]
    shift = (plain - feats[:, :, 1]).mean()
    np.testing.assert_allclose(feats[:, :, 1] + shift, plain, atol=1e-3)


def test_blocked_harmonic_cqt_matches_one_pass():
    spec = FeatureSpec(harmonics=(0.5, 1, 2))
    y = chord_signal([48, 55, 64], seconds=40.0)
    whole = cqt_magnitude(y, spec=spec, block_frames=10_000)
    blocked = cqt_magnitude(y, spec=spec, block_frames=100)
    assert whole.shape[2] == 3
    assert np.abs(whole - blocked).max() <= 1e-4 * whole.max()


def test_harmonic_spec_round_trips_and_plain_spec_dict_is_unchanged():
    spec = FeatureSpec(harmonics=[1, 2, 3])
    assert spec.harmonics == (1.0, 2.0, 3.0) and spec.n_channels == 3
    assert FeatureSpec.from_dict(spec.to_dict()) == spec
    # feature-cache keys are str(spec.to_dict()): the plain spec's must stay as it was
    assert str(DEFAULT_SPEC.to_dict()) == (
        "{'kind': 'cqt', 'sr': 44100, 'hop_length': 4096, 'n_octaves': 6, 'over_sample': 3, "
        "'fmin': 32.70319566257483, 'log': True, 'n_bins': 216, 'n_channels': 1, "
        "'channels': 'plain CQT magnitude (no harmonic channels)'}"
    )
    with pytest.raises(TypeError, match="n_channels"):
        FeatureSpec.from_dict({**spec.to_dict(), "n_channels": 1})


@pytest.mark.parametrize(
    "harmonics", [(), (1, 1), (0, 1), (-1, 1), (0.25, 1), (1, 40), (1, float("nan")), (2, 3)]
)
def test_bad_harmonics_are_refused(harmonics):
    with pytest.raises(ValueError, match="harmonic"):
        FeatureSpec(harmonics=harmonics)


def test_harmonic_cqt_channels_share_one_db_reference():
    """A loud 25 Hz hum lies below C1: only the sub-harmonic channel holds the 0 dB maximum."""
    spec = FeatureSpec(harmonics=(0.5, 1, 2))
    t = np.arange(44100 * 4) / 44100
    y = (np.sin(2 * np.pi * 25.0 * t) + 0.05 * np.sin(2 * np.pi * 440.0 * t)).astype(np.float32)
    feats = compute_features(y, spec=spec)
    peak = feats.max(axis=(0, 1))
    assert peak[0] == 0.0 and peak[1] < -10 and peak[2] < -10


def test_cqt_frame_i_is_centred_on_i_hops():
    """The GUI draws CQT frame i over [i - 1/2, i + 1/2) hops: a short burst centred on frame
    22's time shows in frame 22 alone; one centred half a frame earlier splits between 21 and 22."""
    hop = DEFAULT_SPEC.hop_length / DEFAULT_SPEC.sr
    burst = np.sin(2 * np.pi * 1760 * np.arange(1024) / DEFAULT_SPEC.sr) * np.hanning(1024)

    def energy(t0):
        y = np.zeros(DEFAULT_SPEC.sr * 4, dtype=np.float32)
        n = int(round(t0 * DEFAULT_SPEC.sr))
        y[n - 512 : n + 512] = burst
        return compute_features(y)[:, 180:, 0].max(axis=1)  # dB, the top octave

    on = energy(22 * hop)
    assert on.argmax() == 22 and on[21] < on[22] - 40 and on[23] < on[22] - 40
    between = energy(21.5 * hop)
    assert {int(i) for i in np.argsort(between)[-2:]} == {21, 22}
    assert abs(between[21] - between[22]) < 12
