"""The `audio` config section: clips and WaveGAN (docs/audio.md), read for audio sources."""

SECTION = "audio"
RUNTIME_KEYS = ()


def defaults() -> dict:
    return dict(
        length=16384,  # samples per clip T; wavegan: 16 * 4^k (1024, 4096, 16384, 65536)
        sample_rate=16000,  # Hz; every source is resampled to it
        audio_key="audio",  # the TFDS feature holding the waveform (source tfds_audio)
        # Leading/trailing samples below this share of the clip's peak are trimmed before
        # centre padding/cropping to T; 0 = no trimming.
        silence_threshold=0.01,
        peak_normalize=True,  # scale each clip to a peak of 0.95
        # espeak_digits: voice x speed x pitch variants, each speaking zero..nine; 0 = all.
        espeak_variants=250,
        phase_shuffle=2,  # wavegan D's phase shuffle radius n (samples); 0 = off
        kernel_size=25,  # wavegan's 1-D kernel length
    )
