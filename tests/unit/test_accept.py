import pytest

from bookmarker.shortlinks import prefers_html

CHROME = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
          "application/signed-exchange;v=b3;q=0.7")
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
SAFARI = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize("accept", [CHROME, FIREFOX, SAFARI, "text/html", "text/*",
                                    "application/json;q=0.5, text/html", "text/html; q=0.9, application/json; q=0.8",
                                    "TEXT/HTML", "Text/HTML;Q=0.9, application/json;q=0.2"])
def test_browsers_and_html_first_clients_prefer_html(accept):
    assert prefers_html(accept) is True


@pytest.mark.parametrize("accept", [
    "*/*",                                   # curl, fetch() and XHR by default
    "",                                      # no Accept at all
    "application/json",
    "application/problem+json",
    "application/json, text/plain, */*",     # axios
    "text/html, application/json",           # a tie goes to JSON
    "text/html;q=0.5, application/json",
    "text/html;q=0, */*",
    "text/html;q=abc, application/json",
    "text/html;Q=0.1, application/json;q=0.5",  # q is case-insensitive too
    "text/plain",
    "image/webp,*/*;q=0.8",                  # an <img> request
])
def test_api_clients_and_ties_prefer_json(accept):
    assert prefers_html(accept) is False
