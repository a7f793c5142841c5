"""The HTML report as a campaign listener: the page written at each ``CampaignFinished``."""

from __future__ import annotations

from isolation_harness import CampaignFinished, CampaignResult, Event, FileReport

from .render import render_html


class HtmlReport(FileReport):
    """Writes the page at each ``CampaignFinished`` (the last one wins), redacted, replaced at once."""

    def on_event(self, event: Event, result: CampaignResult) -> None:
        if isinstance(event, CampaignFinished):
            self.write_text(render_html(result))
