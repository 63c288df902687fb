# The browsers' own non-ASCII titles on purpose: en dashes, Cyrillic, full-width marks.
# ruff: noqa: RUF001
from pathlib import Path

import pytest

from bookmarker.errors import BadRequest
from bookmarker.netscape import Link, parse, render
from bookmarker.urls import is_acceptable

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FIREFOX = (FIXTURES / "firefox-bookmarks.html").read_text(encoding="utf-8")
CHROME = (FIXTURES / "chrome-bookmarks.html").read_text(encoding="utf-8")
HEAD = "<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<TITLE>Bookmarks</TITLE>\n<H1>Bookmarks</H1>\n<DL><p>\n"

FIREFOX_LINKS = [  # document order: the menu, then the toolbar, then Other Bookmarks, as Firefox writes them
    ("https://support.mozilla.org/products/firefox", "Get Help"),
    ("https://support.mozilla.org/kb/customize-firefox-controls-buttons-and-toolbars"
     "?utm_source=firefox-browser&utm_medium=default-bookmarks&utm_campaign=customize", "Customize Firefox"),
    ("https://www.mozilla.org/contribute/", "Get Involved"),
    ("https://www.mozilla.org/about/", "About Us"),
    ("https://www.tagesschau.de/wirtschaft/", "Wirtschaft – Nachrichten für Verbraucher & Märkte"),
    ("place:sort=8&maxResults=10", "Most Visited"),
    ("https://www.mozilla.org/firefox/central/", "Getting Started"),
    ("https://docs.python.org/3/library/html.parser.html",
     "html.parser — Simple HTML and XHTML parser — Python 3.13 documentation"),
    ("https://docs.aws.amazon.com/lambda/latest/dg/welcome.html", "What is AWS Lambda? - AWS Lambda"),
    ("https://aws.amazon.com/dynamodb/pricing/on-demand/?nc1=h_ls&region=eu-central-1",
     "Amazon DynamoDB Pricing for On-Demand Capacity"),
    ("https://github.com/search?q=netscape+bookmark+file&type=repositories", "Repository search results · GitHub"),
    ("https://developer.mozilla.org/en-US/docs/Web/HTML/Element/dl",
     "<dl>: The Description List element - HTML: HyperText Markup Language | MDN"),
    ("https://www.youtube.com/watch?v=jNQXAC9IVRw&t=12s", "🎵 Me at the zoo 🐘"),
    ("https://tenki.jp/forecast/3/16/4410/13101/", "千代田区の天気 - 日本気象協会 tenki.jp"),
    ("https://www.wetter.com/deutschland/muenchen/DE0006515.html", "Wetter München – 16-Tage-Vorhersage | wetter.com"),
    ("https://www.zeit.de/index?utm_source=firefox&section=politik",
     "ZEIT ONLINE | Nachrichten, Hintergründe und Debatten"),
]

CHROME_LINKS = [  # the bookmarks bar as a folder, then "Other bookmarks" and "Mobile bookmarks" at the top
    ("https://mail.google.com/mail/u/0/#inbox", "Gmail"),
    ("https://www.youtube.com/", "YouTube"),
    ("https://habr.com/ru/articles/", "Статьи / Хабр"),
    ("https://yandex.ru/pogoda/moscow?lat=55.755863&lon=37.6177", "Погода в Москве на 10 дней — Яндекс Погода"),
    ("https://docs.python.org/ru/3/", "Документация Python 3.12"),
    ("https://go.dev/doc/effective_go", "Effective Go - The Go Programming Language"),
    ("https://www.zhihu.com/question/19550225", "如何系统地自学编程？ - 知乎"),
    ("https://www.bilibili.com/", "哔哩哔哩 (゜-゜)つロ 干杯~-bilibili"),
    ("https://en.wikipedia.org/wiki/Netscape_Navigator", "Netscape Navigator - Wikipedia"),
    ("https://www.baidu.com/s?wd=%E4%B9%A6%E7%AD%BE&ie=utf-8", "书签_百度搜索"),
    ("https://www.seriouseats.com/the-food-lab-5118015", "The Food Lab | Serious Eats"),
    ("https://www.bbcgoodfood.com/recipes/collection/easy-recipes?page=2&sort=-date", "Easy recipes | BBC Good Food"),
    ("https://eda.ru/recepty/supy/borsch-klassicheskij-22395", 'Grandma\'s "best" borscht — борщ'),
    ("https://m.vk.com/feed", "ВКонтакте"),
]


def refused(text, max_links=1000):
    with pytest.raises(BadRequest) as caught:
        parse(text, max_links)
    return caught.value


def file_of(*items):
    """A minimal Netscape file around some <DT> lines."""
    return HEAD + "".join(items) + "</DL><p>\n"


def only_link(html):
    links = parse(file_of(html), 10)
    assert len(links) == 1
    return links[0]


# ---- the browsers' own exports ------------------------------------------------------------------------


def test_a_firefox_export_gives_every_link_in_document_order():
    links = parse(FIREFOX, 100)

    assert [(link.url, link.title) for link in links] == FIREFOX_LINKS


def test_a_firefox_export_keeps_tags_descriptions_and_dates():
    links = {link.title: link for link in parse(FIREFOX, 100)}

    assert links["Wirtschaft – Nachrichten für Verbraucher & Märkte"] == Link(
        url="https://www.tagesschau.de/wirtschaft/", title="Wirtschaft – Nachrichten für Verbraucher & Märkte",
        description="Börse, Konjunktur und Verbraucherthemen – täglich aktualisiert.", tags=("news", "deutsch"),
        add_date=1701428731)
    parser_page = links["html.parser — Simple HTML and XHTML parser — Python 3.13 documentation"]
    assert parser_page.description == "The standard library's tolerant parser.\nReads the Netscape bookmark file, too."
    assert parser_page.tags == ("python", "html")
    assert links["What is AWS Lambda? - AWS Lambda"].tags == ("aws", "lambda", "serverless")
    assert links["千代田区の天気 - 日本気象協会 tenki.jp"].tags == ("wetter", "東京")
    assert links["Wetter München – 16-Tage-Vorhersage | wetter.com"].description == (
        "Für Grüße aus München: Föhn, Schnee & Sonne.")
    assert links["Get Help"].tags == ()
    assert links["Get Help"].add_date == 1699113662


def test_a_folder_description_is_not_taken_for_a_links():
    links = parse(FIREFOX, 100)

    # "Entwicklung" has <DD>Alles rund ums Programmieren; the links before and after it have none of it.
    assert [link.title for link in links if link.description] == [
        "Wirtschaft – Nachrichten für Verbraucher & Märkte",
        "html.parser — Simple HTML and XHTML parser — Python 3.13 documentation",
        "Wetter München – 16-Tage-Vorhersage | wetter.com",
    ]
    assert all("Programmieren" not in link.description for link in links)


def test_a_chrome_export_gives_every_link_in_document_order():
    links = parse(CHROME, 100)

    assert [(link.url, link.title) for link in links] == CHROME_LINKS
    assert all(link.tags == () and link.description == "" for link in links)
    assert links[0].add_date == 1650441102


def test_the_fixtures_hold_only_acceptable_urls_but_firefoxs_smart_folder():
    urls = [link.url for link in [*parse(FIREFOX, 100), *parse(CHROME, 100)]]

    assert [url for url in urls if not is_acceptable(url)] == ["place:sort=8&maxResults=10"]


# ---- what the format allows ----------------------------------------------------------------------------


def test_an_ampersand_in_an_href_stays_as_html_reads_it():
    # Chrome and Firefox write a URL's '&' as is: a name like "&region" is no entity in an attribute.
    link = only_link('<DT><A HREF="https://example.com/?a=1&region=eu&currency=EUR&amp;b=2&para&lt;x&#38;y">t</A>\n')

    assert link.url == "https://example.com/?a=1&region=eu&currency=EUR&b=2¶<x&y"


def test_entities_in_titles_and_tags_are_decoded():
    link = only_link('<DT><A HREF="https://example.com/" TAGS="caf&eacute;,&#x1F600;">'
                     "Tom &amp; Jerry &lt;3 &copy;</A>\n")

    assert (link.title, link.tags) == ("Tom & Jerry <3 ©", ("café", "😀"))


@pytest.mark.parametrize(("raw", "tags"), [
    (' TAGS=" a, ,b ,,c "', ("a", "b", "c")),
    (' TAGS=""', ()),
    (' TAGS', ()),
    ("", ()),
])
def test_tags_are_split_on_commas_and_trimmed(raw, tags):
    assert only_link(f'<DT><A HREF="https://example.com/"{raw}>t</A>\n').tags == tags


@pytest.mark.parametrize(("raw", "add_date"), [
    (' ADD_DATE="1700000000"', 1700000000),
    (' ADD_DATE="0"', 0),
    ("", None),
    (' ADD_DATE=""', None),
    (' ADD_DATE="yesterday"', None),
    (' ADD_DATE="-5"', None),
    (' ADD_DATE="1.5"', None),
    (' ADD_DATE="١٢"', None),
    (' ADD_DATE="' + "9" * 5000 + '"', None),
])
def test_add_date_is_an_integer_or_none(raw, add_date):
    assert only_link(f'<DT><A HREF="https://example.com/"{raw}>t</A>\n').add_date == add_date


def test_titles_are_stripped_and_an_empty_title_is_kept():
    links = parse(file_of('<DT><A HREF="https://a.example/">\n   spaced  out \n</A>\n',
                          '<DT><A HREF="https://b.example/"></A>\n'), 10)

    assert [link.title for link in links] == ["spaced  out", ""]


def test_only_an_a_with_an_href_inside_a_dt_is_a_link():
    text = ("<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<H1><A HREF=\"https://h1.example/\">Bookmarks</A></H1>\n<DL><p>\n"
            '<DT><A NAME="anchor">no href</A>\n'
            '<DT><H3>Folder</H3>\n<DD>see <A HREF="https://folder-dd.example/">this</A>\n<DL><p>\n'
            '<DT><A HREF="https://inner.example/" FEEDURL="https://inner.example/feed">Live</A>\n'
            '<DD>about it, <A HREF="https://link-dd.example/">here</A>\n'
            "</DL><p>\n<HR>\n"
            '<A HREF="https://bare.example/">no DT</A>\n'
            "</DL><p>\n")

    links = parse(text, 10)

    assert links == [Link(url="https://inner.example/", title="Live", description="about it, here", tags=(),
                          add_date=None)]


def test_a_description_ends_at_the_next_item_or_list():
    links = parse(file_of('<DT><A HREF="https://a.example/">a</A>\n<DD>first\n',
                          '<DT><H3>F</H3>\n<DD>folder text\n<DL><p>\n',
                          '<DT><A HREF="https://b.example/">b</A>\n<DD> second \n</DL><p>\n',
                          '<DT><A HREF="https://c.example/">c</A>\n<HR>\n<DD>after a separator\n'), 10)

    assert [(link.title, link.description) for link in links] == [("a", "first"), ("b", "second"), ("c", "")]


def test_links_in_folders_at_any_depth_come_in_document_order():
    depth = 8
    text = file_of(*(f'<DT><H3>level {n}</H3>\n<DL><p>\n<DT><A HREF="https://{n}.example/">{n}</A>\n'
                     for n in range(depth)), "</DL><p>\n" * depth, '<DT><A HREF="https://last.example/">last</A>\n')

    assert [link.title for link in parse(text, 100)] == [*map(str, range(depth)), "last"]


def test_the_doctype_may_follow_a_bom_and_whitespace_in_any_case():
    text = "\ufeff \r\n\t<!doctype netscape-bookmark-file-1>" + file_of(
        '<DT><A HREF="https://example.com/">t</A>\n').removeprefix("<!DOCTYPE NETSCAPE-Bookmark-file-1>")

    assert [link.url for link in parse(text, 10)] == ["https://example.com/"]


def test_an_empty_export_has_no_links():
    assert parse(file_of(), 10) == []


# ---- what is refused -----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "",
    '{"bookmarks": [{"url": "https://example.com/"}]}',
    "https://example.com/\nhttps://example.org/\n",
    '<!DOCTYPE html>\n<html><body><DL><p><DT><A HREF="https://example.com/">t</A></DL><p></body></html>',
    '<DL><p>\n<DT><A HREF="https://example.com/">t</A>\n</DL><p>\n',
    "<!-- <!DOCTYPE NETSCAPE-Bookmark-file-1> -->\n<DL><p>\n</DL><p>\n",
])
def test_what_is_not_a_netscape_bookmark_file_is_refused(text):
    error = refused(text)

    assert (error.status, error.code) == (400, "invalid_bookmark_file")
    assert error.detail.startswith("not a Netscape bookmark file")


@pytest.mark.parametrize("text", [
    bytes(range(256)).decode("latin-1") * 16,
    "<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n\0\0\0\x89PNG\0\0</DL><p>\n",
    "<!DOCTYPE NETSCAPE-Bookmark-file-1>" + "".join(map(chr, range(1, 9))) * 100 + "<DL><p></DL><p>",
    "<!DOCTYPE NETSCAPE-Bookmark-file-1>" + "\ufffd" * 100 + "<DL><p></DL><p>",
])
def test_binary_data_is_refused(text):
    error = refused(text)

    assert error.code == "invalid_bookmark_file"
    assert "binary" in error.detail


def test_a_few_control_characters_are_not_binary():
    link = only_link('<DT><A HREF="https://example.com/">tab\tand\x0bvertical tab</A>\n')

    assert link.title == "tab\tand\x0bvertical tab"


@pytest.mark.parametrize("cut", [
    FIREFOX.index("<!-- This is") + 10,                  # in the opening comment
    FIREFOX.index("<DL><p>"),                            # before the list of bookmarks
    FIREFOX.index('ICON="data:image/png') + 40,           # in a tag, inside an attribute
    FIREFOX.index("<DT><A HREF=\"https://www.mozilla.org/about/") + 5,  # in a tag, inside its name
    FIREFOX.index("What is AWS Lambda?") + 7,             # in a link's title
    FIREFOX.index("</A>", FIREFOX.index("What is AWS Lambda?")) + 2,  # in a link's end tag
    FIREFOX.index("<DT><H3 ADD_DATE=\"1710000000\""),     # in a folder, between two items
    FIREFOX.index("Reads the Netscape bookmark file"),   # in a description
    FIREFOX.rindex("</DL>"),                             # before the last </DL>
    FIREFOX.rindex("</DL>") + 3,                         # in the last </DL>
])
def test_a_truncated_export_is_refused(cut):
    error = refused(FIREFOX[:cut])

    assert error.code == "invalid_bookmark_file"
    assert "truncated" in error.detail


def test_a_truncated_chrome_export_is_refused():
    assert refused(CHROME[:CHROME.rindex("</DL><p>")]).code == "invalid_bookmark_file"


@pytest.mark.parametrize("text", [
    CHROME[:CHROME.rindex("<p>") + 2],                            # the last "<p>" cut: every list is closed
    file_of() + '<DT><A HREF="https://example.com/">cut in the ti',  # a link after the list, cut
])
def test_a_file_cut_after_its_lists_are_closed_is_refused_too(text):
    error = refused(text)

    assert error.code == "invalid_bookmark_file"
    assert "truncated" in error.detail


def test_exactly_max_links_is_accepted():
    links = parse(file_of(*(f'<DT><A HREF="https://{n}.example/">{n}</A>\n' for n in range(5))), 5)

    assert len(links) == 5


def test_one_link_over_max_links_is_refused_as_soon_as_it_starts():
    # Truncated after the sixth link: the limit speaks first, so the rest was never read.
    text = HEAD + "".join(f'<DT><A HREF="https://{n}.example/">{n}</A>\n' for n in range(6)) + "<DT><A HR"

    error = refused(text, max_links=5)

    assert (error.status, error.code, error.detail) == (400, "too_many_links", "at most 5 links per import")


def test_a_fixture_over_the_limit_is_refused():
    assert refused(FIREFOX, max_links=len(FIREFOX_LINKS) - 1).code == "too_many_links"
    assert len(parse(FIREFOX, max_links=len(FIREFOX_LINKS))) == len(FIREFOX_LINKS)


def test_folders_and_separators_do_not_count_toward_the_limit():
    text = file_of("<DT><H3>F</H3>\n<DL><p>\n<HR>\n", '<DT><A HREF="https://example.com/">t</A>\n', "</DL><p>\n")

    assert len(parse(text, max_links=1)) == 1


# ---- writing -------------------------------------------------------------------------------------------

ROUND_TRIP = [
    Link(url="https://example.com/", title="Plain", description="", tags=(), add_date=None),
    Link(url='https://example.com/search?q="quoted"&lang=en&region=eu&copy=1&amp=2', title='Tom & "Jerry" <3 \'s',
         description="A & B < C > D \"E\" 'F'", tags=("a", "b-c", "d_e"), add_date=1700000000),
    Link(url="https://example.com/multi", title="Multi-line",
         description="first line\n  second, indented\n\nafter a blank line\r\nand a CRLF", tags=("notes",),
         add_date=0),
    Link(url="https://例え.jp/パス?キー=値", title="日本語のタイトル 🎌",
         description="Beschreibung mit Umlauten: äöü ß – und Emoji 🎉\nвторая строка, 第二行", tags=("日本", "ü"),
         add_date=1234567890),
    Link(url="https://example.com/<script>", title="</A><DD>not a description", description="<DT><A HREF=x>no</A>",
         tags=(), add_date=None),
    Link(url="javascript:alert(1)", title="Bookmarklet", description="", tags=(), add_date=None),
]


def test_what_render_writes_parse_reads_back_the_same():
    text = "".join(render(ROUND_TRIP))

    assert parse(text, len(ROUND_TRIP)) == ROUND_TRIP


def test_render_writes_the_header_one_chunk_per_link_and_the_footer():
    chunks = list(render(ROUND_TRIP[:2]))

    assert len(chunks) == 4
    assert chunks[0].startswith("<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<!-- This is an automatically generated file.")
    assert '<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">\n' in chunks[0]
    assert chunks[0].endswith("<TITLE>Bookmarks</TITLE>\n<H1>Bookmarks</H1>\n<DL><p>\n")
    assert chunks[1] == '    <DT><A HREF="https://example.com/">Plain</A>\n'
    assert chunks[2] == (
        '    <DT><A HREF="https://example.com/search?q=&quot;quoted&quot;&amp;lang=en&amp;region=eu&amp;copy=1'
        '&amp;amp=2" ADD_DATE="1700000000" TAGS="a,b-c,d_e">Tom &amp; "Jerry" &lt;3 \'s</A>\n'
        "    <DD>A &amp; B &lt; C &gt; D \"E\" 'F'\n")
    assert chunks[3] == "</DL><p>\n"


def test_render_of_nothing_is_an_empty_file_that_parses():
    text = "".join(render([]))

    assert parse(text, 0) == []


def test_a_browser_export_survives_render_and_parse():
    links = parse(FIREFOX, 100) + parse(CHROME, 100)

    assert parse("".join(render(links)), len(links)) == links
