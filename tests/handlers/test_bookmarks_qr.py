"""GET /api/v1/bookmarks/{id}/qr: the caller's bookmark's short URL as a QR code, SVG or PNG, read back with a real
decoder (zxing-cpp); sized in whole modules within `size`; 400 for a bad format or size, 404 for another's bookmark.

The tests only read: the tables, alice's and bob's bookmarks are made once for the module."""
import base64
import os
import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import pytest
import segno
import zxingcpp

import bookmarks_qr
from tests.conftest import TEMPLATE, FakeContext, call, make_event, module_user

ROOT = Path(__file__).resolve().parents[2]

alice = module_user("alice")
bob = module_user("bob")
ROUTE = "GET /api/v1/bookmarks/{id}/qr"
SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def mine(alice, make_bookmark) -> dict:
    return make_bookmark(alice, "https://example.com/a/page/worth/sharing")


def qr(account, bookmark_id: str, query=None, headers=None, route: str = ROUTE) -> dict:
    """The handler's raw answer (a PNG body stays base64, as API Gateway receives it)."""
    return bookmarks_qr.lambda_handler(make_event(route, path_params={"id": bookmark_id}, query=query,
                                                  token=account.access, headers=headers), FakeContext())


def modules_of(short_url: str) -> int:
    """The code's width in modules, quiet zone included, as segno draws it for this URL (4 on each side)."""
    return segno.make_qr(short_url, error="m").symbol_size(scale=1, border=4)[0]


# ---- reading the images back -------------------------------------------------------------------------

def png_pixels(data: bytes) -> tuple[int, int, bytes]:
    """(width, height, one grey byte a pixel) of a greyscale or palette PNG of up to 8 bits, by the PNG spec."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks, idat = 8, {}, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        assert zlib.crc32(kind + body) == struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0]
        idat += body if kind == b"IDAT" else b""
        chunks.setdefault(kind, body)
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    assert colour in (0, 3) and depth <= 8 and interlace == 0, (colour, depth, interlace)
    stride, per_byte = (width * depth + 7) // 8, 8 // depth
    raw, rows, previous = zlib.decompress(idat), [], bytearray(stride)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride) if kind else ():  # filter 0 (None) leaves the line as it is
            left, up = line[i - 1] if i else 0, previous[i]
            corner = previous[i - 1] if i else 0
            guess = {1: left, 2: up, 3: (left + up) // 2, 4: paeth(left, up, corner)}[kind]
            line[i] = (line[i] + guess) & 0xFF
        rows.append(bytes(line))
        previous = line
    palette = chunks.get(b"PLTE")
    grey = [round((palette[3 * v] + palette[3 * v + 1] + palette[3 * v + 2]) / 3) if palette else v * 255 // (
        (1 << depth) - 1) for v in range(1 << depth)]
    pixels = bytearray()
    for line in rows:
        values = [(byte >> (8 - depth * (k + 1))) & ((1 << depth) - 1) for byte in line for k in range(per_byte)]
        pixels += bytes(grey[v] for v in values[:width])
    return width, height, bytes(pixels)


def paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def svg_modules(text: str) -> tuple[int, int, list[list[bool]]]:
    """(width, height, dark modules) of the SVG segno draws: a white square, then one path of horizontal strokes
    one module wide ("M4 4.5h7m1 0h2..."), both in module units scaled by the group's transform."""
    root = ET.fromstring(text)  # noqa: S314 (our own answer, and a parse error is the test failing)
    assert root.tag == f"{SVG_NS}svg"
    width, height = int(root.get("width")), int(root.get("height"))
    group = root.find(f"{SVG_NS}g")
    scale = int(re.fullmatch(r"scale\((\d+)\)", group.get("transform")).group(1)) if group is not None else 1
    paths = root.findall(f".//{SVG_NS}path")
    light, dark = [p for p in paths if p.get("fill")], [p for p in paths if p.get("stroke")]
    assert [p.get("fill") for p in light] == ["#fff"] and [p.get("stroke") for p in dark] == ["#000"]
    size = width // scale
    assert light[0].get("d") == f"M0 0h{size}v{size}h-{size}z"  # the light modules: the whole square, white
    grid = [[False] * size for _ in range(size)]
    x = y = 0.0
    for op, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?:\s+(-?[\d.]+))?", dark[0].get("d")):
        if op == "M":
            x, y = float(a), float(b)
        elif op == "m":
            x, y = x + float(a), y + float(b)
        else:  # h: a stroke from x to x + a along the middle of row y
            for column in range(round(x), round(x + float(a))):
                grid[int(y)][column] = True
            x += float(a)
    return width, height, grid


def rasterised(grid: list[list[bool]], scale: int) -> bytes:
    return b"".join(bytes(0 if dark else 255 for dark in row for _ in range(scale)) * scale for row in grid)


def decoded(width: int, height: int, pixels: bytes) -> str:
    found = zxingcpp.read_barcode(memoryview(pixels).cast("B", (height, width)), formats=zxingcpp.BarcodeFormat.QRCode)
    assert found is not None, "no QR code found in the image"
    return found.text


def png_of(answer: dict) -> bytes:
    assert answer["isBase64Encoded"] is True
    return base64.b64decode(answer["body"])


# ---- the images --------------------------------------------------------------------------------------

def test_the_default_is_an_svg_that_decodes_to_the_short_url(alice, mine):
    answer = qr(alice, mine["id"])

    assert answer["statusCode"] == 200
    assert answer["headers"]["Content-Type"] == "image/svg+xml"
    assert "isBase64Encoded" not in answer
    width, height, grid = svg_modules(answer["body"])
    assert width == height == len(grid) * (width // len(grid)) <= 256
    assert decoded(width, height, rasterised(grid, width // len(grid))) == mine["short_url"]
    expected = [list(row) for row in segno.make_qr(mine["short_url"], error="m").matrix_iter(scale=1, border=4)]
    assert grid == [[bool(m) for m in row] for row in expected]  # module for module, quiet zone included


def test_format_png_is_a_png_that_decodes_to_the_short_url(alice, mine):
    answer = qr(alice, mine["id"], {"format": "png"})

    assert answer["statusCode"] == 200
    assert answer["headers"]["Content-Type"] == "image/png"
    width, height, pixels = png_pixels(png_of(answer))
    assert width == height <= 256
    assert decoded(width, height, pixels) == mine["short_url"]


@pytest.mark.parametrize("size", [64, 100, 256, 1000, 2048])
def test_the_png_is_the_largest_image_of_whole_modules_within_size(alice, mine, size):
    modules = modules_of(mine["short_url"])

    width, height = struct.unpack(">II", png_of(qr(alice, mine["id"], {"format": "png", "size": str(size)}))[16:24])

    assert width == height  # IHDR: square
    assert width % modules == 0 and width <= size < width + modules  # one module a pixel more would not fit
    assert width == modules * (size // modules)


@pytest.mark.parametrize("size", [64, 2048])
def test_the_smallest_and_largest_sizes_decode_in_both_formats(alice, mine, size):
    png = qr(alice, mine["id"], {"format": "png", "size": str(size)})
    svg = qr(alice, mine["id"], {"format": "svg", "size": str(size)})

    width, height, pixels = png_pixels(png_of(png))
    svg_width, svg_height, grid = svg_modules(svg["body"])
    assert width == height == svg_width == svg_height <= size
    assert decoded(width, height, pixels) == mine["short_url"]
    assert decoded(len(grid), len(grid), rasterised(grid, 1)) == mine["short_url"]


def test_the_trailing_slash_route_answers_the_same_image(alice, mine):
    plain = qr(alice, mine["id"], {"format": "png"})

    slash = qr(alice, mine["id"], {"format": "png"}, route=ROUTE + "/")

    assert (slash["statusCode"], slash["body"]) == (200, plain["body"])


# ---- caching -----------------------------------------------------------------------------------------

def test_the_image_is_private_and_revalidated_by_etag(alice, mine):
    answer = qr(alice, mine["id"])

    assert answer["headers"]["Cache-Control"] == "private, no-cache"
    assert re.fullmatch(r'"[0-9a-f]{32}"', answer["headers"]["ETag"])
    assert qr(alice, mine["id"])["headers"]["ETag"] == answer["headers"]["ETag"]  # the same image, the same tag


def test_a_matching_if_none_match_answers_304_without_a_body(alice, mine):
    tag = qr(alice, mine["id"], {"format": "png", "size": "512"})["headers"]["ETag"]

    answer = qr(alice, mine["id"], {"format": "png", "size": "512"}, headers={"if-none-match": tag})

    assert answer["statusCode"] == 304
    assert "body" not in answer and "isBase64Encoded" not in answer
    assert answer["headers"]["ETag"] == tag
    assert answer["headers"]["Cache-Control"] == "private, no-cache"
    assert "Content-Type" not in answer["headers"]


def test_each_format_and_size_has_its_own_etag(alice, mine):
    tags = {qr(alice, mine["id"], query)["headers"]["ETag"]
            for query in ({}, {"format": "png"}, {"size": "512"}, {"format": "png", "size": "512"})}

    assert len(tags) == 4
    assert qr(alice, mine["id"], {"format": "png"}, headers={"if-none-match": '"0123"'})["statusCode"] == 200


def test_an_etag_does_not_answer_304_for_another_users_bookmark(alice, bob, mine):
    tag = qr(alice, mine["id"])["headers"]["ETag"]

    answer = qr(bob, mine["id"], headers={"if-none-match": tag})

    assert answer["statusCode"] == 404


# ---- refusals ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("size", ["63", "2049", "abc", "", "0", "-256", "+256", " 256", "256.0", "1e3",
                                  "\uff11\uff10\uff10"])  # 100 in fullwidth digits: int() reads them, the API does not
def test_a_size_that_is_not_an_integer_from_64_to_2048_is_400_invalid_size(alice, mine, size):
    status, body, headers = call(bookmarks_qr.lambda_handler, make_event(
        ROUTE, path_params={"id": mine["id"]}, query={"size": size}, token=alice.access))

    assert (status, body["code"]) == (400, "invalid_size")
    assert body["errors"] == [{"field": "size", "message": "an integer from 64 to 2048"}]
    assert headers["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("fmt", ["gif", "", "SVG", "jpeg"])
def test_a_format_other_than_svg_or_png_is_400_invalid_format(alice, mine, fmt):
    status, body, headers = call(bookmarks_qr.lambda_handler, make_event(
        ROUTE, path_params={"id": mine["id"]}, query={"format": fmt}, token=alice.access))

    assert (status, body["code"], body["errors"][0]["field"]) == (400, "invalid_format", "format")
    assert headers["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("query", ["format=svg&format=png", "size=64&size=64"])
def test_a_parameter_given_twice_is_400_repeated_parameter(alice, mine, query):
    status, body, _ = call(bookmarks_qr.lambda_handler, make_event(
        ROUTE, path_params={"id": mine["id"]}, query=query, token=alice.access))

    assert (status, body["code"]) == (400, "repeated_parameter")


def test_another_users_bookmark_is_404_not_found(alice, bob, make_bookmark):
    theirs = make_bookmark(bob)

    status, body, headers = call(bookmarks_qr.lambda_handler, make_event(
        ROUTE, path_params={"id": theirs["id"]}, query={"format": "png"}, token=alice.access))

    assert (status, body["code"]) == (404, "not_found")
    assert headers["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("bookmark_id", ["01JD8X2Q7R5N3M4K6P9T0V1W2X", "not-an-id"])
def test_an_unknown_or_malformed_id_is_404_not_found(alice, bookmark_id):
    status, body, _ = call(bookmarks_qr.lambda_handler, make_event(
        ROUTE, path_params={"id": bookmark_id}, token=alice.access))

    assert (status, body["code"]) == (404, "not_found")


def test_without_a_token_is_401(mine):
    status, body, headers = call(bookmarks_qr.lambda_handler, make_event(ROUTE, path_params={"id": mine["id"]}))

    assert (status, body["code"]) == (401, "missing_token")
    assert headers["WWW-Authenticate"] == "Bearer"


# ---- wiring --------------------------------------------------------------------------------------------

def test_the_function_loads_segno_only_when_it_draws_a_code():
    code = "import sys, bookmarks_qr; print('segno' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "layers/common"), str(ROOT / "functions")])}

    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)

    assert out.stdout.strip() == "False"


def test_both_routes_are_their_own_function():
    routes = {r.route_key: r.function_logical_id for r in TEMPLATE.routes if "/qr" in r.route_key}

    assert routes == {ROUTE: "BookmarksQrFunction", ROUTE + "/": "BookmarksQrFunction"}
