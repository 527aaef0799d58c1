def test_the_window_keeps_its_title_after_a_failed_load(window, song, open_song, qtbot, tmp_path):
    open_song(window, song)
    title = window.windowTitle()
    assert title.startswith(song.name)
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"RIFF\x10\x00\x00\x00WAVEfmt garbage" * 10)
    with qtbot.waitSignal(window.analysisFailed, timeout=60_000):
        window.open_file(bad)
        assert window.windowTitle() == title  # analysing: still the old song
    assert window.windowTitle() == title and window.path == song
    assert window.controller.session is window.session is window.timeline.session
