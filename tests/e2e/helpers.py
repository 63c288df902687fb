"""Helpers for HTTP tests against the local API: fresh users with real tokens."""
import uuid
from dataclasses import dataclass

import httpx

PASSWORD = "correct horse battery"  # the password in openapi.yaml's examples, so its examples log in too


@dataclass(frozen=True)
class User:
    username: str
    email: str
    password: str
    access: str
    refresh: str


def new_user(client: httpx.Client, password: str = PASSWORD) -> User:
    """Register a user with a unique name and log it in, through the API itself."""
    name = "u" + uuid.uuid4().hex[:20]
    email = f"{name}@example.com"
    registered = client.post("/api/v1/auth/register", json={"username": name, "email": email, "password": password})
    assert registered.status_code == 201, registered.text
    return login(client, User(name, email, password, "", ""))


def login(client: httpx.Client, user: User) -> User:
    """The user with a new pair of tokens."""
    answer = client.post("/api/v1/auth/login", json={"email": user.email, "password": user.password})
    assert answer.status_code == 200, answer.text
    tokens = answer.json()["user"]
    return User(user.username, user.email, user.password, tokens["access"], tokens["refresh"])
