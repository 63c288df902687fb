"""Configuration, read once from the environment (set by template.yaml, or by the local API)."""
import functools
import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    users_table: str
    bookmarks_table: str
    idempotency_table: str         # Idempotency-Key records of POST /api/v1/bookmarks
    api_tokens_table: str          # personal API tokens (store/api_tokens.py)
    public_base_url: str           # "": build short URLs from the request's own domain
    signing_key: str | None        # set locally and in tests; in AWS the key comes from Secrets Manager
    signing_secret_arn: str
    dynamodb_endpoint_url: str | None
    dynamodb_read_timeout: float   # seconds; DynamoDB answers in ms (store/client.py), the local API's moto slower
    bcrypt_rounds: int
    access_ttl: int
    refresh_ttl: int
    bookmark_quota: int
    login_max_failures: int
    login_window: int
    client_max_attempts: int       # registrations, and failed logins, per source IP and window
    client_window: int
    link_max_failures: int         # wrong passwords for one protected link from one source IP, per window
    link_window: int
    hot_link_visits: int           # a link's visits in one UTC day that spread its count (0: never) over
    counter_shards: int            # this many counter items (store/visits.py)
    metrics_flush_seconds: float   # redirects' counts: one EMF line per container this often (bookmarker/metrics.py)
    tracing: bool                  # X-Ray through Powertools' Tracer (template.yaml's Tracing); off: no SDK loaded
    version: str


@functools.cache
def settings() -> Settings:
    env = os.environ  # a missing variable fails the cold start, loudly
    return Settings(
        users_table=env["USERS_TABLE"],
        bookmarks_table=env["BOOKMARKS_TABLE"],
        idempotency_table=env["IDEMPOTENCY_TABLE"],
        api_tokens_table=env["API_TOKENS_TABLE"],
        public_base_url=env.get("PUBLIC_BASE_URL", "").rstrip("/"),
        signing_key=env.get("SIGNING_KEY") or None,
        signing_secret_arn=env.get("SIGNING_SECRET_ARN", ""),
        dynamodb_endpoint_url=env.get("DYNAMODB_ENDPOINT_URL") or None,
        dynamodb_read_timeout=float(env.get("DYNAMODB_READ_TIMEOUT") or "1"),
        bcrypt_rounds=int(env.get("BCRYPT_ROUNDS", "12")),
        access_ttl=int(env.get("ACCESS_TOKEN_TTL", "900")),
        refresh_ttl=int(env.get("REFRESH_TOKEN_TTL", "2592000")),
        bookmark_quota=int(env.get("BOOKMARK_QUOTA", "10000")),
        login_max_failures=int(env.get("LOGIN_MAX_FAILURES", "10")),
        login_window=int(env.get("LOGIN_WINDOW_SECONDS", "900")),
        client_max_attempts=int(env.get("CLIENT_MAX_ATTEMPTS", "100")),
        client_window=int(env.get("CLIENT_WINDOW_SECONDS", "900")),
        link_max_failures=int(env.get("LINK_MAX_FAILURES", "10")),
        link_window=int(env.get("LINK_WINDOW_SECONDS", "900")),
        hot_link_visits=int(env.get("HOT_LINK_VISITS", "20000")),
        counter_shards=int(env.get("COUNTER_SHARDS", "8")),
        metrics_flush_seconds=float(env.get("METRICS_FLUSH_SECONDS", "0")),
        tracing=env.get("TRACING", "PassThrough") == "Active",
        version=env.get("APP_VERSION", "0.0.0"),
    )
