"""The model families, one folder each; importing this package registers them (one line each).

Shared code finds a config's family with `ganzoo.family.family_of(config)`.
"""

from ganzoo.families.audio import family as _audio  # noqa: F401
from ganzoo.families.biggan import family as _biggan  # noqa: F401
from ganzoo.families.conditional import family as _conditional  # noqa: F401
from ganzoo.families.cyclegan import family as _cyclegan  # noqa: F401
from ganzoo.families.image import family as _image  # noqa: F401
from ganzoo.families.image_to_image import family as _image_to_image  # noqa: F401
from ganzoo.families.infogan import family as _infogan  # noqa: F401
from ganzoo.families.text import family as _text  # noqa: F401
from ganzoo.families.video import family as _video  # noqa: F401
