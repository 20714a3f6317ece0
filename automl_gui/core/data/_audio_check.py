"""Check one audio file: readable, not empty, audio libsndfile decodes, complete, not silent,
not too short.

The container is recognised from its first bytes, so a web page or a photo saved with an
audio extension gets a plain reason instead of libsndfile's error. Truncation is found where
libsndfile would hide it: a WAV's ``data`` chunk promising more bytes than the file holds
(libsndfile reads what is there without a word), an OGG whose last page is cut off or is not
the end of the stream, a FLAC that loses sync, an MP3 that decodes to far fewer frames than
its header counts. The clip is then decoded once, block by block (memory stays flat), for its
peak and its real length; files longer than ``FULL_DECODE_SECONDS`` are sampled in windows
spread over their length instead.
"""

from __future__ import annotations

import math
import os
import struct
from dataclasses import dataclass
from typing import IO, Any

from automl_gui.core.data._file_guard import (
    MAX_DECLARED_SECONDS,
    audio_size_problem,
    bad_name,
    special_reason,
    too_long_reason,
)
from automl_gui.core.data._image_check import _looks_like, _os_reason, sniff_format
from automl_gui.core.preprocess.audio_config import MIN_CLIP_SECONDS

#: Peak (of |sample| in [0, 1]) below which a clip is silent: -80 dBFS.
SILENCE_PEAK = 1e-4
#: Clips up to this long are decoded in full; longer ones in ``_WINDOWS`` windows.
FULL_DECODE_SECONDS = 120.0
_WINDOWS = 12
_WINDOW_SECONDS = 5.0
_BLOCK = 8192  # frames decoded per read (a decoder error loses at most one block)
_HEAD = 4096
_TAIL = 65_536  # bytes read at the end of an OGG for its last page
_MP3_FRAME = 1152  # samples per MPEG-1 layer III frame
# libsndfile's format names → the names shown ("WAVEX" is WAV with WAVE_FORMAT_EXTENSIBLE).
_FORMAT_NAMES = {"WAVEX": "WAV", "RF64": "WAV"}


@dataclass(frozen=True)
class AudioInfo:
    """What the check learned about a good clip (from its header and one decode)."""

    duration: float  # seconds
    sample_rate: int
    channels: int
    format: str  # "WAV", "FLAC", "OGG", "MP3"
    subtype: str = ""  # "PCM_16", "VORBIS", ...
    peak: float = 0.0  # max |sample|, 0-1 (a lossy codec may overshoot 1 a little)


def check_audio(path: str) -> AudioInfo | str:
    """Check one file: an ``AudioInfo`` when usable, else the reason it is not (a short
    phrase): "empty file (0 bytes)", "not audio (looks like text)", "not an audio file
    (a PNG image)", "unsupported format (...)", "truncated (...)", "damaged (...)",
    "silent (no sound at all)", "too short (2 ms; at least 10 ms needed)", "unreadable: ...",
    "unsupported sample rate (1 Hz in its header; ...)", "too long (25 h; at most 24 h...)",
    "not a regular file (a named pipe)"."""
    path = os.fspath(path)
    special = special_reason(path)  # before open(): a named pipe would block it for ever
    if special:
        return special
    try:
        fp = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        return _os_reason(path, exc)
    with fp:
        try:
            size = os.fstat(fp.fileno()).st_size
            if size == 0:
                return "empty file (0 bytes)"
            head = fp.read(_HEAD)
            container = sniff_audio(head)
            if container is None:
                other = _describe_other(head)
                if other:
                    return other
            problem = None
            if container == "WAV":
                problem = _wav_truncation(fp, size)
            elif container == "OGG":
                problem = _ogg_truncation(fp, size)
        except OSError as exc:
            return _os_reason(path, exc)
        if problem:
            return problem
    return _decode(path, container)


def sniff_audio(head: bytes) -> str | None:
    """The container the first bytes announce ("WAV", "FLAC", "OGG", "MP3", "AIFF", ...)."""
    if head[:4] in (b"RIFF", b"RIFX", b"RF64") and head[8:12] == b"WAVE":
        return "WAV"
    if head[:4] == b"fLaC":
        return "FLAC"
    if head[:4] == b"OggS":
        return "OGG"
    if head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "MP3"
    if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
        return "AIFF"
    if head[:4] in (b".snd", b"caff"):
        return "AU" if head[:4] == b".snd" else "CAF"
    return None


# -- not audio --------------------------------------------------------------------------------
_OTHER_MAGIC = (
    (b"\x1aE\xdf\xa3", "unsupported format (WebM/Matroska: convert it to WAV, FLAC, OGG or MP3)"),
    (b"0&\xb2u", "unsupported format (WMA: convert it to WAV, FLAC, OGG or MP3)"),
    (b"#!AMR", "unsupported format (AMR: convert it to WAV, FLAC, OGG or MP3)"),
    (b"MThd", "not audio (a MIDI file holds notes, not sound)"),
)


def _describe_other(head: bytes) -> str | None:
    """Why a file with an audio extension is not audio, when its first bytes tell."""
    image = sniff_format(head)
    if image is not None:
        return f"not an audio file (a {image} image)"
    for magic, reason in _OTHER_MAGIC:
        if head.startswith(magic):
            return reason
    if head[4:8] == b"ftyp":
        brand = head[8:12].decode("ascii", "replace").strip()
        what = "M4A/AAC" if brand.upper().startswith("M4") else f"MP4 ({brand})"
        return f"unsupported format ({what}: convert it to WAV, FLAC, OGG or MP3)"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "not audio (looks like an AVI video)"
    looks = _looks_like(head[:512])
    if looks.startswith("looks like "):
        return f"not audio ({looks})"
    if looks:
        return f"not an audio file ({looks})"
    return None


# -- truncation that libsndfile does not report ---------------------------------------------------
def _wav_truncation(fp: IO[bytes], size: int) -> str | None:
    """A WAV whose ``data`` chunk promises more bytes than follow it in the file."""
    fp.seek(0)
    riff = fp.read(12)
    if len(riff) < 12:
        return "truncated (the WAV header is incomplete)"
    if riff[:4] == b"RF64":
        return None  # sizes live in a ds64 chunk; libsndfile checks them
    endian = ">" if riff[:4] == b"RIFX" else "<"
    pos, byte_rate = 12, 0
    for _ in range(10_000):  # chunks before the audio: fmt, LIST, fact, bext, ...
        fp.seek(pos)
        header = fp.read(8)
        if len(header) < 8:
            break
        chunk, length = header[:4], struct.unpack(endian + "I", header[4:])[0]
        if chunk == b"fmt ":
            fmt = fp.read(12)
            if len(fmt) == 12:
                byte_rate = struct.unpack(endian + "I", fmt[8:12])[0]
        elif chunk == b"data":
            if length in (0, 0xFFFFFFFF):
                return None  # a streaming writer never filled in the size: read to the end
            held = size - (pos + 8)
            if held >= length:
                return None
            if byte_rate:
                return (
                    f"truncated (holds {_seconds(held / byte_rate)} of the "
                    f"{_seconds(length / byte_rate)} its header promises)"
                )
            return f"truncated (holds {held:,} of the {length:,} bytes its header promises)"
        pos += 8 + length + (length & 1)
    if pos < size:
        return None  # no data chunk where expected: libsndfile says what is wrong
    return "truncated (the file ends before its audio data)"


def _ogg_truncation(fp: IO[bytes], size: int) -> str | None:
    """An OGG whose last page is cut off, or does not end the stream (no EOS flag)."""
    start = max(0, size - _TAIL)
    fp.seek(start)
    tail = fp.read()
    at = tail.rfind(b"OggS")
    while at >= 0:
        page = tail[at:]
        if len(page) >= 27 and page[4] == 0:  # version 0: a real page header
            break
        at = tail.rfind(b"OggS", 0, at)
    if at < 0:
        return None if size > _TAIL else "truncated (no complete OGG page)"
    page = tail[at:]
    segments = page[26]
    if len(page) < 27 + segments:
        return "truncated (the last OGG page is cut off)"
    end = 27 + segments + sum(page[27 : 27 + segments])
    if len(page) < end:
        return "truncated (the last OGG page is cut off)"
    if not page[5] & 0x04:
        return "truncated (the OGG stream has no end page)"
    return None


# -- decoding ---------------------------------------------------------------------------------
class _Decoded:
    """Frames decoded and the peak, accumulated block by block."""

    def __init__(self) -> None:
        self.frames = 0
        self.peak = 0.0
        self.finite = True

    def read(self, sound: Any, buf: Any, limit: int) -> int:
        """Decode up to ``limit`` frames from the current position; frames actually read."""
        import numpy as np

        got = 0
        while got < limit:
            block = sound.read(min(len(buf), limit - got), dtype="float32", out=buf)
            if len(block) == 0:
                break
            got += len(block)
            peak = float(np.max(np.abs(block)))
            if math.isfinite(peak):
                self.peak = max(self.peak, peak)
            else:
                self.finite = False
        self.frames += got
        return got


def _decode(path: str, container: str | None) -> AudioInfo | str:
    import numpy as np
    import soundfile as sf

    decoded = _Decoded()
    try:
        # soundfile encodes a str path strictly: bytes open any name
        with sf.SoundFile(os.fsencode(path) if bad_name(path) else path) as sound:
            rate, channels, frames = sound.samplerate, sound.channels, sound.frames
            fmt = _FORMAT_NAMES.get(sound.format, sound.format)
            subtype = sound.subtype or ""
            if rate <= 0 or channels <= 0:
                return f"damaged (the header gives {rate} Hz and {channels} channel(s))"
            too_big = audio_size_problem(rate, frames)  # before decoding anything
            if too_big:
                return too_big
            buf = np.empty((_BLOCK, channels), dtype=np.float32)
            try:
                duration_frames = _decode_frames(sound, buf, decoded, rate, frames)
            except (RuntimeError, sf.LibsndfileError) as exc:
                return _decode_failure(exc, decoded.frames, frames, rate)
    except (RuntimeError, sf.LibsndfileError) as exc:
        return _open_failure(exc, container)
    if isinstance(duration_frames, str):
        return duration_frames
    if not decoded.finite:
        return "damaged (holds NaN or infinite samples)"
    duration = duration_frames / rate
    if duration < MIN_CLIP_SECONDS:
        length = "no samples" if duration_frames == 0 else _ms(duration)
        return f"too short ({length}; at least {_ms(MIN_CLIP_SECONDS)} needed)"
    if decoded.peak < SILENCE_PEAK:
        return "silent (no sound at all)"
    return AudioInfo(duration, int(rate), int(channels), fmt, subtype, decoded.peak)


def _decode_frames(sound: Any, buf: Any, decoded: _Decoded, rate: int, frames: int) -> int | str:
    """Decode the clip (or windows of a long one); its length in frames, or a truncation."""
    if frames <= FULL_DECODE_SECONDS * rate or not sound.seekable():
        if frames > 0:
            decoded.read(sound, buf, frames)
        else:  # length unknown: decode (block by block) up to the longest clip accepted
            limit = int(MAX_DECLARED_SECONDS * rate)
            if decoded.read(sound, buf, limit + 1) > limit:
                return too_long_reason(decoded.frames / rate)
        missing = frames - decoded.frames
        # An MP3's count may be an estimate (no LAME/Xing header): allow one MPEG frame or
        # 2 %; lossless and Vorbis decoders give exactly what the header counts.
        slack = max(_MP3_FRAME, 0.02 * frames) if sound.format == "MP3" else 0.01 * frames
        if frames > 0 and missing > slack:
            return _truncated(decoded.frames, frames, rate)
        return decoded.frames
    window = int(_WINDOW_SECONDS * rate)
    for k in range(_WINDOWS):
        start = (frames - window) * k // (_WINDOWS - 1)
        try:
            sound.seek(start)
            got = decoded.read(sound, buf, window)
        except Exception as exc:  # noqa: BLE001 - a seek past the end of a cut-off file
            return _truncated(start, frames, rate, _sf_message(exc))
        if got < window:
            return _truncated(start + got, frames, rate)
    return frames


def _decode_failure(exc: Exception, done: int, frames: int, rate: int) -> str:
    message = _sf_message(exc)
    if frames > 0 and done < frames:
        return _truncated(done, frames, rate, message)
    return f"damaged ({message})"


def _open_failure(exc: Exception, container: str | None) -> str:
    message = _sf_message(exc)
    lowered = message.lower()
    if container is None:
        return "not an audio file (unknown format)"
    if "unsupported" in lowered or "not supported" in lowered:
        return f"unsupported format ({container}: {message})"
    if "malformed" in lowered or "sync" in lowered or "end of file" in lowered:
        return f"truncated ({container}: {message})"
    if "not a regular file" in lowered:  # libmpg123 found no frame at all
        return f"truncated ({container}: no audio frames)"
    return f"damaged ({container}: {message})"


def _sf_message(exc: Exception) -> str:
    """libsndfile's own words, without the "Error opening '<path>': " prefix."""
    text = str(exc).strip()
    if text.startswith("Error opening") and "': " in text:
        text = text.split("': ", 1)[1]
    text = text.removeprefix("Error : ").strip().rstrip(".")
    text = text[:1].lower() + text[1:]
    return text if len(text) <= 80 else text[:77] + "…"


def _truncated(done: int, frames: int, rate: int, detail: str = "") -> str:
    why = f": {detail}" if detail else ""
    return f"truncated (decodes {_seconds(done / rate)} of the {_seconds(frames / rate)}{why})"


def _seconds(value: float) -> str:
    return f"{value:.2f} s" if value < 60 else f"{value / 60:.1f} min"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.3g} ms"
