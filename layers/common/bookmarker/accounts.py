"""Accounts: register, log in, rotate refresh tokens, log out, change the password, delete the account."""
from ulid import ULID

from bookmarker import clock, passwords, tokens
from bookmarker.auth import current_user
from bookmarker.config import settings
from bookmarker.errors import TooManyRequests, Unauthorized
from bookmarker.log import logger
from bookmarker.models import LoginIn, PasswordChangeIn, PasswordIn, RegisterIn
from bookmarker.store import bookmarks as bookmark_store
from bookmarker.store import users
from bookmarker.store.users import User


def public(user: User) -> dict:
    return {"id": user.id, "username": user.username, "email": user.email}


def register(data: RegisterIn, client_ip: str) -> dict:
    s, now = settings(), clock.epoch()
    if client_ip:  # every registration counts against its source IP: no mass sign-ups from one client
        allowed, window_end = users.take_attempt("REGISTER", client_ip, now, s.client_window, s.client_max_attempts)
        if not allowed:
            raise _limited(window_end - now, "too many registrations from this client")
    user = User(id=str(ULID()), username=data.username, email=data.email,
                password_hash=passwords.hash_password(data.password), token_version=0, created_at=clock.iso_now())
    users.create_user(user)
    logger.info("user registered", user_id=user.id)
    return {"message": "account created", "user": public(user)}


def _pair(user: User) -> dict:
    access, _ = tokens.issue(user.id, user.token_version, "access")
    refresh, claims = tokens.issue(user.id, user.token_version, "refresh")
    users.record_refresh(claims["jti"], user.id, claims["exp"])
    return {"access": access, "refresh": refresh, "expires_in": settings().access_ttl}


def _check_password(password: str, user: User | None, email: str, client_ip: str = "") -> None:
    """Verify a password under the lockout: each attempt is counted per account (and per client) before
    bcrypt runs, so parallel guesses cannot all pass the check; a success gives the attempt back."""
    s, now = settings(), clock.epoch()
    allowed, window_end = users.take_attempt("LOGINFAIL", email, now, s.login_window, s.login_max_failures)
    if not allowed:
        raise _limited(window_end - now, "too many failed attempts for this account", code="too_many_attempts")
    if client_ip:  # one client spraying one password over many accounts
        allowed, window_end = users.take_attempt("CLIENTFAIL", client_ip, now, s.client_window,
                                                 s.client_max_attempts)
        if not allowed:
            users.give_back("LOGINFAIL", email)
            raise _limited(window_end - now, "too many failed logins from this client")
    # Unknown email: verify() still checks a dummy hash, so both failures take about the same time.
    if not passwords.verify(password, user.password_hash if user else None) or user is None:
        logger.info("password refused")
        raise Unauthorized("email or password is wrong", code="invalid_credentials")
    users.clear_window("LOGINFAIL", email)
    if client_ip:
        users.give_back("CLIENTFAIL", client_ip)


def login(data: LoginIn, client_ip: str) -> dict:
    user = users.find_by_email(data.email)
    _check_password(data.password, user, data.email, client_ip)
    pair = _pair(user)
    logger.append_keys(user_id=user.id)
    logger.info("user logged in")
    return {"user": {**public(user), "access": pair["access"], "refresh": pair["refresh"]},
            "token_type": "Bearer", "expires_in": pair["expires_in"]}


def _limited(retry_after: int, why: str, *, code: str = "rate_limited") -> TooManyRequests:
    retry_after = max(retry_after, 1)
    return TooManyRequests(f"{why}; retry in {retry_after} s", code=code, headers={"Retry-After": str(retry_after)})


def refresh(token: str) -> dict:
    """A new pair for a refresh token used once; a second use is theft: every token of the user dies."""
    user, claims = current_user(token, "refresh")
    outcome = users.use_refresh(claims["jti"], user.id, clock.epoch())
    if outcome == "used":
        users.bump_token_version(user.id)
        logger.warning("refresh token reused; all tokens of the user revoked", user_id=user.id)
    if outcome != "ok":
        raise Unauthorized("the refresh token has been used or revoked")
    return _pair(user)


def me(user: User) -> dict:
    return {**public(user), "created_at": user.created_at}


def logout(user: User) -> None:
    users.bump_token_version(user.id)
    logger.info("user logged out")


def change_password(user: User, data: PasswordChangeIn) -> None:
    _check_password(data.current_password, user, user.email)  # a stolen token cannot guess it either
    users.set_password(user, passwords.hash_password(data.new_password))
    logger.info("password changed")


def delete_account(user: User, data: PasswordIn) -> None:
    """Bookmarks first, so a failure leaves an account its owner can retry with; then the user and
    claims (tokens die, email and username are free); then one more sweep for a bookmark created
    meanwhile. Short-code claims stay, so the codes are never reused."""
    _check_password(data.password, user, user.email)
    removed = bookmark_store.delete_all(user.id)
    users.delete_user(user)
    removed += bookmark_store.delete_all(user.id)
    logger.info("account deleted", bookmarks_removed=removed)
