"""Checks of an audio file's structure that libsndfile does not make: truncation.

libsndfile reads what a file holds and says nothing when a WAV's data chunk or an Ogg stream was
cut short (an interrupted copy or download). These functions find it in libsndfile's log or in the
file's own framing, and say in a few words what is missing.
"""

from __future__ import annotations

import re
from pathlib import Path

# libsndfile's log of a WAV/AIFF whose data chunk is longer than the file: "data : 176400 (should
# be 88178)"; an RF64 file logs a frame count that differs from its ds64 chunk's.
_CHUNK_RE = re.compile(r"^\s*(?:data|SSND)\s*:\s*(\d+)\s*\(should be (\d+)\)", re.MULTILINE)
_DS64_RE = re.compile(
    r"Calculated frame count (\d+) does not match value from 'ds64' chunk of (\d+)"
)


def short_chunk(log: str) -> str:
    """What is missing when the header promises more audio than the file holds, else ''."""
    m = _CHUNK_RE.search(log)
    if m and int(m.group(1)) > int(m.group(2)):
        return f"header promises {m.group(1)} bytes of audio, {m.group(2)} are present"
    m = _DS64_RE.search(log)
    if m and int(m.group(2)) > int(m.group(1)):
        return f"header promises {m.group(2)} samples, {m.group(1)} are present"
    return ""


#: The longest an Ogg page can be: a 27-byte header, 255 lacing values, 255 segments of 255 bytes.
_OGG_MAX_PAGE = 27 + 255 + 255 * 255
_OGG_EOS = 0x04


def ogg_truncation(path: Path, *, size: int) -> str:
    """What is wrong with the end of an Ogg stream (Vorbis, Opus, FLAC in Ogg), else ''.

    An intact stream ends with a complete page that carries the end-of-stream flag (RFC 3533,
    section 6). A file cut inside a page ends with an incomplete one; a file cut at a page
    boundary ends with a page without the flag.

    Parameters
    ----------
    path : Path
        The file.
    size : int
        Its size in bytes.

    Returns
    -------
    str
        '' for an intact end, else a description such as "the last Ogg page is incomplete".
    """
    with open(path, "rb") as fh:
        fh.seek(max(0, size - _OGG_MAX_PAGE))
        tail = fh.read()
    pos = len(tail)
    while (pos := tail.rfind(b"OggS", 0, pos)) >= 0:
        header = tail[pos : pos + 27]
        if len(header) < 27 or header[4] != 0:  # cut inside the header, or not a page
            continue
        lacing = tail[pos + 27 : pos + 27 + header[26]]
        end = pos + 27 + header[26] + sum(lacing)
        if len(lacing) == header[26] and end == len(tail):  # the last complete page
            if header[5] & _OGG_EOS:
                return ""
            return "the stream ends without its end-of-stream page"
    return "the last Ogg page is incomplete"
