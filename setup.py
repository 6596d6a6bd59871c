"""ganzoo: a tested GAN model zoo for TensorFlow 2 / Keras 3."""

from setuptools import find_packages, setup

setup(
    name="ganzoo",
    version="0.1.0",
    description="A GAN model zoo for TensorFlow 2 / Keras 3: model.fit, TFDS, TensorBoard, SavedModel.",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    packages=find_packages(include=["ganzoo", "ganzoo.*", "experiments", "experiments.*"]),
    python_requires=">=3.10",
    install_requires=[
        "tensorflow>=2.16",
        "keras>=3.0,<4",
        "tensorflow-datasets>=4.9",
        # tensorflow-datasets 4.9.x imports it for downloads but declares it only for Python < 3.9.
        "importlib_resources",
        "tensorflow-gan>=2.1",
        "numpy",
        # tensorflow-hub (imported by TF-GAN's eval code) needs pkg_resources, gone in setuptools 81.
        "setuptools<81",
        "absl-py",
        # Typed, lockable nested configs with type-checked overrides (Flax/Model Garden style).
        "ml-collections",
        # TF >= 2.20 no longer installs it, and tf.summary raises at the first write without it.
        "tensorboard",
        # Header-only validation of a user's image folder (report unreadable files, don't die).
        "pillow",
        # Audio: WAV files of any PCM/float format (io.wavfile) and polyphase resampling (signal).
        "scipy",
    ],
    extras_require={
        "test": [
            "pytest",
            "scipy",
            "ruff",
            # Drives Debian's headless Chromium in the judging page's browser test
            # (tests/judge/test_judge_browser.py); `playwright install` is not needed.
            "playwright",
            # OpenCV's Telea inpainting, the classical baseline that --mode=eval of the
            # inpainting experiments measures pix2pix against.
            "opencv-python-headless",
        ],
        "apps": ["opencv-python-headless"],
        # The PyTorch reference networks of benchmarks/ (torch_reference.py, torch_resnet.py) and
        # the tests that check they match the Keras ones. FlopCounterMode needs torch >= 2.1.
        "torch-ref": ["torch>=2.1"],
    },
)
