"""What the PUT, PATCH and contention tests read of the bookmarks table."""
import os


def url_claims(tables, owner):
    """The owner's URL claims: (sort key, bookmark id), sorted."""
    out = tables.query(TableName=os.environ["BOOKMARKS_TABLE"],
                       KeyConditionExpression="pk = :o AND begins_with(sk, :u)",
                       ExpressionAttributeValues={":o": {"S": owner}, ":u": {"S": "URL#"}})
    return sorted((item["sk"]["S"], item["bookmark_id"]["S"]) for item in out["Items"])
