"""Query strings as API Gateway sends them: parsed from rawQueryString (payload 2.0 joins a repeated key's
values with commas in queryStringParameters), one value per key where a key means one thing."""
from collections.abc import Mapping
from urllib.parse import parse_qs

from bookmarker.errors import BadRequest

Query = Mapping[str, list[str]]


def parse(raw: str) -> dict[str, list[str]]:
    return parse_qs(raw, keep_blank_values=True)


def one(query: Query, name: str) -> str | None:
    """The one value of a key; a key given twice is a 400, not a silent pick."""
    values = query.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise BadRequest(f"query parameter {name} is given more than once", code="repeated_parameter",
                         errors=[{"field": name, "message": "given more than once"}])
    return values[0]
