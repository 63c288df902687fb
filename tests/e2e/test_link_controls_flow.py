"""Link controls over real HTTP, as the issue's client uses them: an alias with a cap and a free link hammered at once
by people and link previews through the local API, then the totals and the per-day series read back and compared;
a cap lifted; an old alias still redirecting; an expired link refused."""
import datetime as dt
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.e2e.helpers import new_user
from tests.harness import PERSON

PREVIEWS = ["Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
            "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
            "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)", "WhatsApp/2.23.20.0",
            "TelegramBot (like TwitterBot)", "Twitterbot/1.0"]


def bearer(token: str) -> dict:
    return {"authorization": f"Bearer {token}"}


def test_people_and_previews_at_once_count_apart_in_the_totals_and_the_days(local_api):
    c, token = local_api.client, new_user(local_api.client).access
    alias = f"launch-{uuid.uuid4().hex[:8]}"
    capped = c.post("/api/v1/bookmarks", headers=bearer(token), json={
        "url": "https://example.com/launch", "short_code": alias, "max_visits": 10}).json()
    free = c.post("/api/v1/bookmarks", headers=bearer(token), json={"url": "https://example.com/free"}).json()
    assert capped["short_code"] == alias and capped["max_visits"] == 10

    def follow(code: str, agent: str) -> int:
        with httpx.Client(base_url=local_api.url, timeout=30, headers={"user-agent": agent}) as own:
            return own.get(f"/{code}").status_code

    hits = ([(alias, PERSON)] * 25 + [(alias, PREVIEWS[0])] * 5 + [(free["short_code"], PERSON)] * 20
            + [(free["short_code"], agent) for agent in PREVIEWS * 2])
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda hit: (hit[0], hit[1] == PERSON, follow(*hit)), hits))

    on_capped = [s for code, person, s in statuses if code == alias and person]
    assert (on_capped.count(302), on_capped.count(410)) == (10, 15)
    assert all(s == 302 for code, _, s in statuses if code == free["short_code"])
    for saved, people, bots in ((capped, 10, None), (free, 20, 12)):
        got = c.get(f"/api/v1/bookmarks/{saved['id']}", headers=bearer(token)).json()
        days = c.get(f"/api/v1/bookmarks/{saved['id']}/visits", headers=bearer(token)).json()["data"]
        assert len(days) == 30  # the last 30 UTC days: the hits' day, and the one before should they straddle midnight
        assert got["visits"] == people == sum(d["visits"] for d in days)
        assert got["bot_visits"] == sum(d["bot_visits"] for d in days)
        if bots is not None:  # the capped link's previews: those that came before the cap was reached pass
            assert got["bot_visits"] == bots

    lifted = c.patch(f"/api/v1/bookmarks/{capped['id']}", headers=bearer(token),
                     json={"max_visits": None, "short_code": f"{alias}-v2"})
    assert lifted.status_code == 200 and lifted.json()["max_visits"] is None
    assert follow(alias, PERSON) == follow(f"{alias}-v2", PERSON) == 302  # the old alias still redirects
    assert c.get(f"/api/v1/bookmarks/{capped['id']}", headers=bearer(token)).json()["visits"] == 12

    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2)).isoformat()
    expiring = c.post("/api/v1/bookmarks", headers=bearer(token),
                      json={"url": "https://example.com/flash", "expires_at": soon}).json()
    assert follow(expiring["short_code"], PERSON) == 302
    time.sleep(2.5)
    gone = c.get(f"/{expiring['short_code']}", headers={"accept": "application/json"})
    assert (gone.status_code, gone.json()["code"]) == (410, "link_expired")
