"""Accounts: register, log in, rotate refresh tokens, log out, change the password, delete the account."""
from typing import Any

from ulid import ULID

from bookmarker import clock, metrics, passwords, tokens
from bookmarker.config import settings
from bookmarker.errors import InvalidCredentials, TokenRevoked, TooManyRequests
from bookmarker.log import logger
from bookmarker.models import LoginIn, PasswordChangeIn, PasswordIn, RegisterIn
from bookmarker.store import api_tokens as api_token_store
from bookmarker.store import bookmarks as bookmark_store
from bookmarker.store import users
from bookmarker.store.users import User, Window


def public(user: User) -> dict[str, str]:
    return {"id": user.id, "username": user.username, "email": user.email}


def register(data: RegisterIn, client_ip: str) -> dict[str, Any]:
    s, now = settings(), clock.epoch()
    if client_ip:  # every registration counts against its source IP: no mass sign-ups from one client
        _refuse_if_full(users.count_registration(client_ip, now, s.client_window, s.client_max_attempts),
                        now, "too many registrations from this client")
    user = User(id=str(ULID()), username=data.username, email=data.email,
                password_hash=passwords.hash_password(data.password), token_version=0, created_at=clock.iso_now())
    users.create_user(user)
    metrics.count(metrics.REGISTRATIONS)
    logger.info("user registered", user_id=user.id)
    return {"message": "account created", "user": public(user)}


def _pair(user: User) -> dict[str, Any]:
    access, _ = tokens.issue(user.id, user.token_version, "access")
    refresh, claims = tokens.issue(user.id, user.token_version, "refresh")
    users.record_refresh(claims["jti"], user.id, claims["exp"])
    return {"access": access, "refresh": refresh, "expires_in": settings().access_ttl}


def _count_attempt(email: str, client_ip: str) -> None:
    """The lockout: each attempt is counted per account (and per client) before bcrypt runs, so parallel
    guesses cannot all pass the check, and a flood of them burns no CPU past the threshold."""
    s, now = settings(), clock.epoch()
    _refuse_if_full(users.count_login_attempt(email, now, s.login_window, s.login_max_failures),
                    now, "too many failed attempts for this account", code="too_many_attempts", lockout=True)
    if client_ip:  # one client spraying one password over many accounts
        taken = users.count_client_login_attempt(client_ip, now, s.client_window, s.client_max_attempts)
        if not taken.allowed:
            users.forgive_login_attempt(email)  # the account was not guessed at: this client was refused
        _refuse_if_full(taken, now, "too many failed logins from this client", lockout=True)


def _verify(password: str, user: User | None, email: str, client_ip: str) -> User:
    """The password itself; a success gives the attempts back."""
    # Unknown email: verify() still checks a dummy hash, so both failures take about the same time.
    if not passwords.verify(password, user.password_hash if user else None) or user is None:
        logger.info("password refused")
        raise InvalidCredentials("email or password is wrong")
    users.clear_login_attempts(email)
    if client_ip:
        users.forgive_client_login_attempt(client_ip)
    return user


def _check_password(password: str, user: User | None, email: str, client_ip: str = "") -> User:
    _count_attempt(email, client_ip)
    return _verify(password, user, email, client_ip)


def login(data: LoginIn, client_ip: str) -> dict[str, Any]:
    try:
        user = _check_password(data.password, users.find_by_email(data.email), data.email, client_ip)
    except InvalidCredentials:
        metrics.count(metrics.FAILED_LOGINS)  # a login's, not a password change's or an account deletion's
        raise
    pair = _pair(user)
    logger.append_keys(user_id=user.id)
    logger.info("user logged in")
    # The pair at the top level, as refresh answers it, so one parser reads both; inside `user` too, where
    # the original API put it (kept for the clients that read it there).
    return {"user": {**public(user), "access": pair["access"], "refresh": pair["refresh"]},
            "access": pair["access"], "refresh": pair["refresh"], "token_type": "Bearer",
            "expires_in": pair["expires_in"]}


def _refuse_if_full(window: Window, now: int, why: str, *, code: str = "rate_limited", lockout: bool = False) -> None:
    if not window.allowed:
        if lockout:  # a password refused unchecked (a login, a password change, a deletion): its window is full
            metrics.count(metrics.LOCKOUTS)
        retry_after = max(window.ends - now, 1)
        raise TooManyRequests(f"{why}; retry in {retry_after} s", code=code,
                              headers={"Retry-After": str(retry_after)})


def refresh(user: User, jti: str) -> dict[str, Any]:
    """A new pair for a refresh token used once; a second use is theft: every token of the user dies."""
    outcome = users.use_refresh(jti, user.id, clock.epoch())
    if outcome == "used":
        users.bump_token_version(user.id)
        logger.warning("refresh token reused; all tokens of the user revoked", user_id=user.id)
    if outcome != "ok":
        raise TokenRevoked("the refresh token has been used or revoked")
    return _pair(user)


def me(user: User) -> dict[str, Any]:
    return {**public(user), "created_at": user.created_at}


def logout(user: User) -> None:
    users.bump_token_version(user.id)
    logger.info("user logged out")


def change_password(user: User, data: PasswordChangeIn) -> None:
    _check_password(data.current_password, user, user.email)  # a stolen token cannot guess it either
    users.set_password(user, passwords.hash_password(data.new_password))
    logger.info("password changed")


def delete_account(user: User, data: PasswordIn) -> None:
    """First the mark that stops new bookmarks, then every bookmark (each whole), then the user and its
    claims, with its API tokens, in one transaction (tokens die, email and username are free). A failure at any
    step leaves an account whose owner can send the deletion again to finish it. Short-code claims stay, so the
    codes are never reused."""
    _check_password(data.password, user, user.email)
    users.mark_deleting(user)  # from now on no API token can be minted either (its transaction checks the mark)
    removed = bookmark_store.delete_all(user.id)
    users.delete_user(user, also=api_token_store.deletion_writes(user.id))
    logger.info("account deleted", bookmarks_removed=removed)
