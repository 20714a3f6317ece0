"""Custom Keras layers of the audio models (registered; load in safe mode; no Lambda).

Waveform stage: ``CropOrPad`` (centred), ``WaveformAugment`` (noise at an SNR range, gain,
circular time shift; training only). Features: log-mel spectrogram and ``MFCC``. Spectrogram
stage: ``SpecAugment`` (time and frequency masks; training only), ``SpectrogramImage``
(normalized features → a 3-channel 0-255 image for a pretrained backbone).
"""

from __future__ import annotations
