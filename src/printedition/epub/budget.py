"""Budget: a written EPUB's size → a warning over the soft limit, an error over the hard one.

Goes in: the size in bytes, the ``EpubBudget`` and where the file goes. Comes out: ``None``, an
``epub-large`` ``BuildWarning``, or an ``OutputError`` (raised while the file is still a
temporary one, so nothing is left at the destination).
"""

from __future__ import annotations

from printedition.errors import OutputError
from printedition.model import BuildWarning
from printedition.settings import EpubBudget

ADVICE = "use fewer or smaller images (max_image_edge), or split the book"


def check_size(size: int, budget: EpubBudget, *, where: str) -> BuildWarning | None:
    if size > budget.max_bytes:
        raise OutputError(
            f"the EPUB would be {size / 1e6:.1f} MB, over the {budget.max_bytes / 1e6:g} MB "
            f"that Send-to-Kindle and many readers take: {ADVICE}",
            where=where,
        )
    if size > budget.warn_bytes:
        return BuildWarning(
            code="epub-large",
            message=f"the EPUB is {size / 1e6:.1f} MB, over {budget.warn_bytes / 1e6:g} MB: "
            f"slow to download and to open on e-ink readers; {ADVICE}",
            where=where,
        )
    return None


__all__ = ["check_size"]
