"""Which requests are bots: search crawlers and the link-preview fetchers of chat apps and social networks
(Slack, Discord, WhatsApp, Telegram, Facebook, Twitter/X, LinkedIn, iMessage), by User-Agent, with the
maintained CrawlerDetect patterns (the `crawlerdetect` package)."""
import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crawlerdetect import CrawlerDetect


@functools.cache
def _detector() -> "CrawlerDetect":
    # Loaded by the first visit, not by the redirect's import: ~50 ms once a container (make bench).
    from crawlerdetect import CrawlerDetect

    return CrawlerDetect()


# A browser's User-Agent takes the detector ~0.3 ms (its patterns are many regular expressions); the same few
# browser versions come again and again, so their answers are kept.
@functools.lru_cache(maxsize=4096)
def is_bot(user_agent: str) -> bool:
    """A known bot's or preview fetcher's User-Agent. None at all is no known bot: counted as a person."""
    return bool(user_agent) and bool(_detector().isCrawler(user_agent))
