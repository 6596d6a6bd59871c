"""WaveGAN (Donahue et al. 2019) on one-second 16 kHz speech clips: synthetic espeak-ng digits
(offline), TFDS speech_commands, or a folder of WAV files (docs/audio.md)."""

from ganzoo.config import base_config
from ganzoo.experiment import register_experiment

# The 2-step smoke test keeps the clip shapes: the paper's width 64 (a 19M-weight G) would take
# minutes on a CPU, and 8 clips spare espeak-ng synthesising the whole digit set.
SMOKE = {"model.width": 8, "data.max_examples": 8}


def _wavegan():
    # The paper's WaveGAN: d = 64, 16384 samples at 16 kHz, WGAN-GP (lambda 10, 5 D steps),
    # Adam(1e-4, 0.5, 0.9), batch 64, phase shuffle n = 2.
    c = base_config()
    c.model.update(arch="wavegan", latent_dim=100, width=64, loss="wasserstein", d_steps=5)
    c.audio.update(length=16384, sample_rate=16000, phase_shuffle=2, kernel_size=25)
    c.stabilizers.update(penalty="wgan_gp", penalty_weight=10.0)
    c.optimizer.update(d_lr=1e-4, g_lr=1e-4, beta_1=0.5, beta_2=0.9)
    c.train.update(
        steps=20_000, batch_size=64, log_every=100, sample_every=1000, checkpoint_every=1000
    )
    c.sample.update(num=16)
    c.eval.update(classifier_epochs=20)
    return c


@register_experiment("speech_digits_wavegan", smoke_overrides=SMOKE)
def speech_digits_wavegan():
    """WaveGAN on spoken digits synthesised offline with espeak-ng (synthetic speech), 16 kHz."""
    c = _wavegan()
    c.data.update(source="espeak_digits", name="espeak_digits", split="train")
    # 250 voice/speed/pitch variants x 10 digits: 2000 train clips, 500 held-out test clips.
    c.audio.update(espeak_variants=250)
    c.eval.update(num_samples=500, split="test")
    return c


@register_experiment("speech_commands_wavegan", smoke_overrides=SMOKE)
def speech_commands_wavegan():
    """WaveGAN on TFDS speech_commands (1 s clips of 12 word classes, 16 kHz); needs the data."""
    c = _wavegan()
    c.data.update(source="tfds_audio", name="speech_commands", split="train", label_key="label")
    c.eval.update(num_samples=5000, split="test")
    return c


@register_experiment("audio_folder_wavegan", smoke_overrides=SMOKE)
def audio_folder_wavegan():
    """WaveGAN on your own WAV files: --set data.dir=/path/to/wavs (class subfolders = labels)."""
    c = _wavegan()
    c.data.update(source="wav_folder", name="wav_folder", dir="", split="train")
    c.eval.update(num_samples=1000, split="test")
    return c
