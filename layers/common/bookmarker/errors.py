"""The API's errors: one hierarchy, mapped once to RFC 9457 problem JSON by bookmarker.http."""


class ApiError(Exception):
    status, code, title = 500, "internal_error", "Internal Server Error"
    headers: dict[str, str] = {}
    members: dict[str, object]  # RFC 9457 extension members, beside type, title, status, detail, code, errors

    def __init__(self, detail: str = "", *, code: str | None = None, errors: list[dict[str, str]] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail, self.errors, self.code = detail, errors, code or self.code
        self.headers = headers or {}
        self.members = {}


class BadRequest(ApiError):          status, code, title = 400, "bad_request", "Bad Request"
class ValidationFailed(BadRequest):  code = "validation_failed"
class Unauthorized(ApiError):        status, code, title = 401, "invalid_token", "Unauthorized"
class TokenRevoked(Unauthorized):    """Logout, a password change or the account's deletion came after the token."""
class InvalidCredentials(Unauthorized):  code = "invalid_credentials"
class OwnerGone(Unauthorized):       """The account was deleted while its request ran."""
class Forbidden(ApiError):           status, code, title = 403, "forbidden", "Forbidden"
class QuotaExceeded(Forbidden):      code = "quota_exceeded"
class InsufficientScope(Forbidden):  code = "insufficient_scope"
class TokenLimit(Forbidden):         code = "token_limit"
class NotFound(ApiError):            status, code, title = 404, "not_found", "Not Found"
class Conflict(ApiError):            status, code, title = 409, "conflict", "Conflict"
class BookmarkChanged(Conflict):     """Another write changed the bookmark since it was read: re-read, then retry."""
class UrlExists(Conflict):           code = "url_exists"
class ShortCodeTaken(Conflict):      code = "short_code_taken"
class EmailTaken(Conflict):          code = "email_taken"
class UsernameTaken(Conflict):       code = "username_taken"
class TokenNameTaken(Conflict):      code = "token_name_taken"
class LinkExpired(ApiError):         status, code, title = 410, "link_expired", "Gone"
class PayloadTooLarge(ApiError):     status, code, title = 413, "payload_too_large", "Content Too Large"
class UnsupportedMediaType(ApiError):  status, code, title = 415, "unsupported_media_type", "Unsupported Media Type"
class TooManyRequests(ApiError):     status, code, title = 429, "too_many_attempts", "Too Many Requests"


class LinkLocked(ApiError):
    """A password-protected short link, asked for without its password: POST /{short_code} opens it. Its challenge
    names no standard scheme (a browser then shows the service's form, not its own dialog)."""
    status, code, title = 401, "link_password_required", "Unauthorized"
    CHALLENGE = 'LinkPassword realm="short link"'

    def __init__(self, detail: str = "", *, code: str | None = None, errors: list[dict[str, str]] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail, code=code, errors=errors, headers=headers)
        self.headers.setdefault("WWW-Authenticate", self.CHALLENGE)


class WrongLinkPassword(LinkLocked):  code = "wrong_link_password"


class IdempotencyKeyReused(ApiError):
    """The Idempotency-Key was used by this caller, within its 24 h, for a request with another body."""
    status, code, title = 422, "idempotency_key_reused", "Unprocessable Content"


class Unavailable(ApiError):
    """DynamoDB throttled, failed or did not answer (after the SDK's retries): nothing was half-written,
    so the same request can simply be sent again."""
    status, code, title = 503, "unavailable", "Service Unavailable"
    RETRY_AFTER = 1  # seconds: throttling clears and a throttled partition splits within about a second

    def __init__(self, detail: str = "", *, code: str | None = None, errors: list[dict[str, str]] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail, code=code, errors=errors, headers=headers)
        self.headers.setdefault("Retry-After", str(self.RETRY_AFTER))


class RequestInProgress(Conflict):
    """A request with this Idempotency-Key is still running: its answer will be the answer to this one."""
    code = "request_in_progress"
    RETRY_AFTER = 1  # seconds: a create takes milliseconds, a retry a second later finds its answer

    def __init__(self, detail: str = "", *, code: str | None = None, errors: list[dict[str, str]] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail, code=code, errors=errors, headers=headers)
        self.headers.setdefault("Retry-After", str(self.RETRY_AFTER))


class MethodNotAllowed(ApiError):
    status, code, title = 405, "method_not_allowed", "Method Not Allowed"

    def __init__(self, allow: list[str]) -> None:
        super().__init__(f"allowed: {', '.join(allow)}", headers={"Allow": ", ".join(allow)})
