"""Bots apart (docs/api.md, short links): a known crawler's or link-preview fetcher's hit is redirected and counted in
bot_visits, never in visits, and leaves last_visited_at; a browser's is a visit."""
import pytest

import redirect
from bookmarker import bots
from tests.conftest import call, make_event

# What each fetcher sends, as its makers document it (one per family the issue names).
BOTS = {
    "Slack": "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "Discord": "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
    "WhatsApp": "WhatsApp/2.23.20.0 A",
    "Telegram": "TelegramBot (like TwitterBot)",
    "Facebook": "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Twitter/X": "Twitterbot/1.0",
    "LinkedIn": "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)",
    "iMessage": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 (KHTML, like Gecko) "
                "Version/9.0.1 Safari/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0",
    "Googlebot": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Bingbot": "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "curl": "curl/8.5.0",
}
PEOPLE = {
    "Chrome": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
              "Safari/537.36",
    "Safari on iPhone": "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
                        "Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Firefox": "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "none at all": "",
}


def open_as(code: str, user_agent: str) -> int:
    event = make_event("GET /{short_code}", path_params={"short_code": code}, headers={"user-agent": user_agent})
    return call(redirect.lambda_handler, event)[0]


@pytest.mark.parametrize("family", BOTS)
def test_a_bots_hit_is_redirected_and_counted_apart(alice, make_bookmark, get_bookmark, family):
    saved = make_bookmark(alice)

    assert open_as(saved["short_code"], BOTS[family]) == 302

    after = get_bookmark(alice, saved["id"])
    assert (after["visits"], after["bot_visits"], after["last_visited_at"]) == (0, 1, None)


@pytest.mark.parametrize("who", PEOPLE)
def test_a_persons_hit_is_a_visit(alice, make_bookmark, get_bookmark, who):
    saved = make_bookmark(alice)

    assert open_as(saved["short_code"], PEOPLE[who]) == 302

    after = get_bookmark(alice, saved["id"])
    assert (after["visits"], after["bot_visits"]) == (1, 0)
    assert after["last_visited_at"] is not None


def test_bots_and_people_count_each_their_own(alice, make_bookmark, get_bookmark):
    saved = make_bookmark(alice)
    open_as(saved["short_code"], PEOPLE["Chrome"])
    first = get_bookmark(alice, saved["id"])["last_visited_at"]

    for agent in BOTS.values():
        open_as(saved["short_code"], agent)
    open_as(saved["short_code"], PEOPLE["Firefox"])

    after = get_bookmark(alice, saved["id"])
    assert (after["visits"], after["bot_visits"]) == (2, len(BOTS))
    assert after["last_visited_at"] >= first


def test_the_detector_is_loaded_by_the_first_visit_not_by_the_import():
    # The light-imports test (tests/unit/test_house_rules.py) holds that importing the redirect loads no crawlerdetect.
    bots._detector.cache_clear()
    bots.is_bot.cache_clear()

    assert bots.is_bot(BOTS["Slack"]) and not bots.is_bot(PEOPLE["Chrome"])
    assert bots._detector.cache_info().currsize == 1
    assert bots.is_bot(BOTS["Slack"]) and bots.is_bot.cache_info().hits == 1  # a User-Agent seen before: no match
