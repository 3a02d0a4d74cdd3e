"""WordPress as a source: the site's REST API or its export (WXR) → posts → the chapter model.

Stages: ``rest`` (the REST API → ``PostRecord``s, fetched once, revalidated) and ``wxr`` (an
export file → the same records, offline; ``autop`` gives raw post content WordPress's
paragraphs) → ``mapping`` (a record → ``Article``: structured fields from the record, the body
through the normaliser) → ``source`` (an issue.toml ``wordpress = <id>`` entry → ``Article``,
through the build cache) and ``draft`` (a month of posts → a reviewable issue.toml).
"""

from __future__ import annotations
