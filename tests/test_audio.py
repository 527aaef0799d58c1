"""Audio input and the file-level API: every bad input is one clear AudioError, good input of any
rate and width gives the contract's outputs, silence decodes to N, progress can cancel."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

import chordview
from chordview.analysis import STAGES, analyze
from chordview.audio import load_audio, stereo_mix, to_mono
from chordview.batch import expand_inputs
from chordview.contract import HEADS
from chordview.errors import AudioError, Cancelled, ChordviewError
from tests.conftest import SR, chord_signal

HOP = 4096


def _one_line(exc: BaseException, *names: str) -> str:
    text = str(exc)
    assert text and "\n" not in text
    for name in names:
        assert name in text
    return text


def _truncate(path, fraction=0.5):
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])
    return path


# --- finding files ---------------------------------------------------------------------------


def test_folders_expand_to_their_audio_files_sorted(tmp_path, wav_file):
    b, a = wav_file("b.wav", seconds=0.2), wav_file("a.wav", seconds=0.2)
    (tmp_path / "notes.txt").write_text("not audio")
    assert expand_inputs([tmp_path]) == ([a, b], [])


def test_missing_path_is_an_audio_error(tmp_path):
    files, (failure,) = expand_inputs([tmp_path / "nope.wav"])
    assert files == [] and isinstance(failure.error, AudioError)
    assert "no such file" in _one_line(failure.error, "nope.wav")


def test_folder_without_audio_is_an_audio_error(tmp_path):
    (tmp_path / "readme.txt").write_text("hello")
    files, (failure,) = expand_inputs([tmp_path])
    assert files == [] and isinstance(failure.error, AudioError)
    assert "no audio" in _one_line(failure.error, str(tmp_path))


# --- unreadable files ------------------------------------------------------------------------


def _text_as_wav(tmp_path, wav_file):
    path = tmp_path / "text.wav"
    path.write_text("this is not audio at all\n" * 50)
    return path, "cannot decode"


def _truncated_wav(tmp_path, wav_file):
    return _truncate(wav_file("cut.wav", seconds=2.0)), "truncated"


def _truncated_float_wav(tmp_path, wav_file):
    return _truncate(wav_file("cutf.wav", seconds=2.0, subtype="FLOAT")), "truncated"


def _truncated_stereo_wav(tmp_path, wav_file):
    return _truncate(wav_file("cut2.wav", seconds=2.0, channels=2), 0.7), "truncated"


def _truncated_flac(tmp_path, wav_file):
    return _truncate(wav_file("cut.flac", seconds=2.0)), "cut.flac"


def _truncated_aiff(tmp_path, wav_file):
    return _truncate(wav_file("cut.aiff", seconds=2.0)), "truncated"


def _zero_bytes(tmp_path, wav_file):
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")
    return path, "empty"


def _header_only(tmp_path, wav_file):
    path = tmp_path / "noframes.wav"
    sf.write(path, np.zeros(0, dtype=np.float32), SR)
    return path, "no samples"


def _nan_samples(tmp_path, wav_file):
    y = chord_signal([60, 64, 67], seconds=1.0)
    y[1000:1010] = np.nan
    path = tmp_path / "nan.wav"
    sf.write(path, y, SR, subtype="FLOAT")
    return path, "NaN"


def _inf_samples(tmp_path, wav_file):
    y = chord_signal([60, 64, 67], seconds=1.0)
    y[5] = np.inf
    path = tmp_path / "inf.wav"
    sf.write(path, np.stack([y, y], axis=1), SR, subtype="FLOAT")
    return path, "infinite"


BAD_FILES = [
    _text_as_wav,
    _truncated_wav,
    _truncated_float_wav,
    _truncated_stereo_wav,
    _truncated_flac,
    _truncated_aiff,
    _zero_bytes,
    _header_only,
    _nan_samples,
    _inf_samples,
]


@pytest.mark.parametrize("make", BAD_FILES, ids=lambda f: f.__name__.strip("_"))
def test_bad_file_is_one_line_audio_error(tmp_path, wav_file, make):
    path, expected = make(tmp_path, wav_file)
    with pytest.raises(AudioError) as err:
        load_audio(path, sr=SR)
    _one_line(err.value, path.name, expected)


def test_intact_file_is_not_mistaken_for_truncated(wav_file):
    for name, subtype in (("ok.wav", "PCM_16"), ("ok24.wav", "PCM_24"), ("okf.wav", "FLOAT")):
        y = load_audio(wav_file(name, seconds=1.0, subtype=subtype), sr=SR)
        assert y.shape == (SR,) and y.dtype == np.float32
    assert load_audio(wav_file("ok.flac", seconds=1.0), sr=SR).shape == (SR,)


def test_missing_file_and_folder_are_audio_errors(tmp_path):
    with pytest.raises(AudioError, match="no such file"):
        load_audio(tmp_path / "gone.wav", sr=SR)
    with pytest.raises(AudioError, match="folder"):
        load_audio(tmp_path, sr=SR)


@pytest.mark.parametrize("sr", [8000, 22050, 44100, 48000, 96000, 192000])
@pytest.mark.parametrize("channels", [1, 2, 6])
def test_load_any_rate_and_width_as_mono_at_target_rate(wav_file, sr, channels):
    seconds = 1.0
    y = load_audio(
        wav_file(f"s{sr}c{channels}.wav", seconds=seconds, sr=sr, channels=channels), sr=SR
    )
    assert y.ndim == 1 and y.dtype == np.float32
    assert abs(len(y) - seconds * SR) <= 2
    assert np.all(np.isfinite(y)) and 0.1 < np.abs(y).max() < 1.0


@pytest.mark.parametrize("sr", [44100, 48000])
@pytest.mark.parametrize("channels", [1, 2, 3, 6])
def test_playback_keeps_two_channels_whose_mix_is_the_mono(tmp_path, sr, channels):
    t = np.arange(sr) / sr
    # a different tone on each channel, so any channel dropped or swapped shows
    data = np.stack([0.1 * np.sin(2 * np.pi * 110 * (c + 1) * t) for c in range(channels)], 1)
    path = tmp_path / f"c{channels}.wav"
    sf.write(path, data, sr, subtype="FLOAT")
    frames = load_audio(path, sr=SR, mono=False)
    mono = load_audio(path, sr=SR)
    assert frames.dtype == np.float32 and frames.shape == (len(mono), min(channels, 2))
    assert np.allclose(to_mono(frames), mono, atol=1e-6)  # what the analysis hears is unchanged
    if channels == 2 and sr == SR:
        assert np.array_equal(frames, data.astype(np.float32))  # left is left, right is right
    if channels > 2:  # odd channels left, even right, a lone last one (a centre) to both
        mix = stereo_mix(channels)
        assert np.allclose(mix.sum(axis=1), 2 / channels)
        if sr == SR:
            assert np.allclose(frames, data @ mix, atol=1e-6)


def test_playback_read_refuses_what_the_mono_read_refuses(tmp_path, wav_file):
    path = _truncated_stereo_wav(tmp_path, wav_file)[0]
    with pytest.raises(AudioError) as mono:
        load_audio(path, sr=SR)
    with pytest.raises(AudioError) as stereo:
        load_audio(path, sr=SR, mono=False)
    assert str(stereo.value) == str(mono.value)


# --- the file-level API ----------------------------------------------------------------------


def _check_analysis(a, seconds):
    expected = int(np.floor(seconds * SR / HOP))
    assert abs(a.n_frames - expected) <= 1
    assert set(a.outputs) == set(HEADS)
    for head, width in HEADS.items():
        assert a.outputs[head].shape == (a.n_frames, width)
        assert a.outputs[head].dtype == np.float32
    assert a.frame_times.shape == (a.n_frames,)
    np.testing.assert_allclose(np.diff(a.frame_times), HOP / SR)
    assert a.segments[0].start == 0.0
    assert a.segments[-1].end == pytest.approx(a.n_frames * HOP / SR)
    for prev, seg in zip(a.segments, a.segments[1:], strict=False):
        assert prev.end == seg.start < seg.end
    for seg in a.segments:
        assert isinstance(seg.label, str) and seg.label
        assert 0.0 <= seg.confidence <= 1.0


@pytest.mark.parametrize("sr", [8000, 22050, 44100, 48000, 96000, 192000])
def test_analyze_any_sample_rate(tiny_bundle, wav_file, sr):
    seconds = 2.0
    a = analyze(wav_file(f"r{sr}.wav", seconds=seconds, sr=sr), model=tiny_bundle, device="cpu")
    _check_analysis(a, seconds)
    assert a.duration == pytest.approx(seconds, abs=1e-3)


@pytest.mark.parametrize("channels", [1, 2, 6])
def test_analyze_any_channel_count(tiny_bundle, wav_file, channels):
    seconds = 2.0
    path = wav_file(f"c{channels}.wav", seconds=seconds, sr=48000, channels=channels)
    a = analyze(path, model=tiny_bundle, device="cpu")
    _check_analysis(a, seconds)
    assert a.path == path and a.model["name"] == "tiny"


def test_analyze_samples_mono_and_multichannel(tiny_bundle):
    y = chord_signal([57, 60, 64], seconds=2.5, sr=22050)
    mono = chordview.analyze(y=y, sr=22050, model=tiny_bundle, device="cpu")
    _check_analysis(mono, 2.5)
    assert mono.path is None
    stereo = chordview.analyze(y=np.stack([y, y]), sr=22050, model=tiny_bundle, device="cpu")
    np.testing.assert_allclose(stereo.outputs["chord_tag"], mono.outputs["chord_tag"], atol=1e-5)
    assert isinstance(mono, chordview.Analysis)
    assert isinstance(mono.segments[0], chordview.Segment)


def test_analyze_needs_path_or_samples(tiny_bundle):
    with pytest.raises(ChordviewError):
        analyze(model=tiny_bundle)
    with pytest.raises(ChordviewError, match="sample rate"):
        analyze(y=np.zeros(SR, dtype=np.float32), model=tiny_bundle)


def test_samples_with_nan_are_an_audio_error(tiny_bundle):
    y = chord_signal([60], seconds=1.0)
    y[10] = np.nan
    with pytest.raises(AudioError, match="NaN"):
        analyze(y=y, sr=SR, model=tiny_bundle)


@pytest.mark.parametrize("sr", [8000, 44100, 192000])
def test_shorter_than_one_frame_is_an_audio_error(tiny_bundle, wav_file, sr):
    path = wav_file(f"short{sr}.wav", seconds=0.05, sr=sr)
    with pytest.raises(AudioError) as err:
        analyze(path, model=tiny_bundle)
    assert "too short" in _one_line(err.value, path.name)


@pytest.mark.parametrize("sr", [8000, 44100])
def test_pure_silence_is_no_chord(tiny_bundle, tmp_path, sr):
    path = tmp_path / "silence.wav"
    sf.write(path, np.zeros((3 * sr, 2), dtype=np.float32), sr, subtype="PCM_16")
    a = analyze(path, model=tiny_bundle, device="cpu")
    assert [s.label for s in a.segments] == ["N"]
    assert a.segments[0].confidence == pytest.approx(1.0)
    n_index = a.vocabulary["chord_tag"].index("N")
    assert np.all(a.outputs["chord_tag"].argmax(axis=1) == n_index)
    assert np.all(a.outputs["chord_root"].argmax(axis=1) == 12)
    assert np.all(a.outputs["chord_bass"].argmax(axis=1) == 12)
    assert np.all(a.outputs["chord_pitch"] == 0.0)


def test_silence_after_music_ends_on_no_chord(tiny_bundle):
    y = np.concatenate([chord_signal([48, 52, 55], seconds=2.0), np.zeros(2 * SR, np.float32)])
    a = analyze(y=y, sr=SR, model=tiny_bundle, device="cpu")
    last = a.segments[-1]
    assert last.label == "N" and last.start <= 2.0 + 2 * HOP / SR
    silent = a.frame_times >= 2.0 + HOP / SR
    assert np.all(a.outputs["chord_pitch"][silent] == 0.0)


# --- progress and cancellation ---------------------------------------------------------------


def test_progress_reports_every_stage_in_order(tiny_bundle, wav_file):
    seen = []
    analyze(wav_file(seconds=2.0), model=tiny_bundle, progress=lambda s, f: seen.append((s, f)))
    stages = [s for s, _ in seen]
    first = [stages.index(s) for s in STAGES]
    assert first == sorted(first) and set(stages) == set(STAGES)
    assert stages == sorted(stages, key=STAGES.index)  # never goes back to an earlier stage
    assert all(0.0 <= f <= 1.0 for _, f in seen)
    assert seen[-1] == ("decode", 1.0)


def test_cancel_from_progress_callback(tiny_bundle, wav_file, tmp_path):
    path = wav_file(seconds=2.0)
    before = sorted(tmp_path.iterdir())
    seen = []

    def progress(stage, fraction):
        seen.append(stage)
        return stage != "network"

    with pytest.raises(Cancelled):
        chordview.analyze(path=path, model=tiny_bundle, progress=progress)
    assert "decode" not in seen and seen[-1] == "network"
    assert sorted(tmp_path.iterdir()) == before  # nothing written
