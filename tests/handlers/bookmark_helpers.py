"""Bookmark helpers shared by the PUT and PATCH handler tests."""
import os

import bookmarks_create
import bookmarks_get
from tests.conftest import call, make_event


def create(account, url, body=None):
    payload = {"url": url} if body is None else {"url": url, "body": body}
    return call(bookmarks_create.lambda_handler,
                make_event("POST /api/v1/bookmarks", body=payload, token=account.access))


def get(account, bookmark_id):
    return call(bookmarks_get.lambda_handler,
                make_event("GET /api/v1/bookmarks/{id}", path_params={"id": bookmark_id}, token=account.access))[1]


def url_claims(tables, owner):
    out = tables.query(TableName=os.environ["BOOKMARKS_TABLE"],
                       KeyConditionExpression="pk = :o AND begins_with(sk, :u)",
                       ExpressionAttributeValues={":o": {"S": owner}, ":u": {"S": "URL#"}})
    return sorted((item["sk"]["S"], item["bookmark_id"]["S"]) for item in out["Items"])
