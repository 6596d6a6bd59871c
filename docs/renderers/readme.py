"""README.md's tables rendered from code: the experiment registry (`--mode=list`), by family."""

from __future__ import annotations

from docs.tables import markdown_table

# Family -> the heading README gives its experiments (a family not named here is listed under
# its own name, so a new family shows up without a change here).
FAMILY_HEADINGS = {
    "image": "Unconditional images and 2-D points (`image`; the loss x dataset matrix and 2-D "
    "remedies are measured in [docs/results.md](docs/results.md))",
    "conditional": "Class-conditional (`conditional`; [docs/conditional.md](docs/conditional.md))",
    "infogan": "InfoGAN codes (`infogan`)",
    "image_to_image": "Image-to-image (`image_to_image`; "
    "[docs/image_to_image.md](docs/image_to_image.md))",
    "cyclegan": "Unpaired translation (`cyclegan`; "
    "[docs/cyclegan_and_editing.md](docs/cyclegan_and_editing.md))",
    "text": "Text (`text`; [docs/text.md](docs/text.md))",
    "audio": "Audio (`audio`; [docs/audio.md](docs/audio.md))",
    "video": "Video (`video`; [docs/video.md](docs/video.md))",
    "biggan": "ImageNet scale (`biggan`; [docs/scaling.md](docs/scaling.md))",
}


def experiments_by_family() -> dict[str, dict[str, str]]:
    """{family: {experiment: description}} of every registered experiment, families in
    FAMILY_HEADINGS order, experiments sorted by name."""
    from ganzoo.experiment import EXPERIMENTS, list_experiments
    from ganzoo.family import family_of

    grouped: dict[str, dict[str, str]] = {}
    for name, description in sorted(list_experiments().items()):
        # The unvalidated config: folder experiments fail validation without --set data.dir.
        family = family_of(EXPERIMENTS.get(name)()).name
        grouped.setdefault(family, {})[name] = description
    order = list(FAMILY_HEADINGS) + sorted(set(grouped) - set(FAMILY_HEADINGS))
    return {family: grouped[family] for family in order if family in grouped}


def experiments_table(results=None) -> str:
    """Every registered experiment with its `--mode=list` description, one table per family."""
    del results  # rendered from the registry
    grouped = experiments_by_family()
    total = sum(len(experiments) for experiments in grouped.values())
    parts = [f"{total} experiments in {len(grouped)} families."]
    for family, experiments in grouped.items():
        rows = [[f"`{name}`", description] for name, description in experiments.items()]
        parts += [
            "",
            f"**{FAMILY_HEADINGS.get(family, f'`{family}`')}**",
            "",
            markdown_table(["experiment", "what it trains"], rows),
        ]
    return "\n".join(parts)
