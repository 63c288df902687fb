"""Records each DynamoDB call a function's handler makes as the IAM action and table that AWS would check."""

from __future__ import annotations

import contextvars
import json
import os
import sys
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from types import CodeType, FrameType, FunctionType
from typing import Any

from botocore import handlers

from local.template import Template

# Emitted once per API call (not per retry) with the caller's own parameters, before serialization.
EVENT = "before-parameter-build.dynamodb"
# A transaction's items are authorized one by one, as the item actions; there is no Transact* IAM action.
ITEM_ACTIONS = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
                "ConditionCheck": "ConditionCheckItem", "Get": "GetItem"}


@dataclass(frozen=True)
class Call:
    function: str  # the template's logical id of the function whose handler made the call
    action: str  # dynamodb:GetItem, ...
    table: str | None  # a table name or ARN; None for an action on no table (ListTables)
    index: str | None = None


def iam_actions(operation: str, params: dict[str, Any]) -> list[tuple[str, str | None, str | None]]:
    """(IAM action, table, index) for each authorization one API call needs."""
    if operation in ("TransactWriteItems", "TransactGetItems"):
        return [(f"dynamodb:{ITEM_ACTIONS[kind]}", body.get("TableName"), None)
                for item in params.get("TransactItems", []) for kind, body in item.items()]
    if operation in ("BatchWriteItem", "BatchGetItem"):
        return [(f"dynamodb:{operation}", table, None) for table in params.get("RequestItems", {})]
    return [(f"dynamodb:{operation}", params.get("TableName"), params.get("IndexName"))]


# A worker thread has no handler on its stack: the stack that submitted its work is carried in here, as
# (the submitting frame, what its own thread carried), so a pool started inside a worker still leads home.
Origin = tuple[FrameType, "Origin | None"]
_SUBMITTED_FROM: contextvars.ContextVar[Origin | None] = contextvars.ContextVar("submitted_from", default=None)


class Recorder:
    """The botocore hook: attributes each call to the function whose handler is on the stack, and keeps it."""

    def __init__(self, template: Template, sink: Path | None = None):
        self.calls: set[Call] = set()
        self.sink = sink
        self._lock = threading.Lock()
        self._by_file: dict[str, dict[str, str]] = {}  # handler file -> {handler name: logical id}
        for fn in template.functions.values():
            path = fn.code_dir / (fn.handler_module.replace(".", "/") + ".py")
            self._by_file.setdefault(os.path.realpath(path), {})[fn.handler_name] = fn.logical_id
        self._files: dict[str, dict[str, str] | None] = {}  # code.co_filename -> its entry above, cached

    def __call__(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        function = self.caller()
        if function is None:
            return  # test setup, fixtures, the local server's own reads: no function's permissions apply
        for action, table, index in iam_actions(model.name, params):
            self.add(Call(function, action, table, index))

    def caller(self) -> str | None:
        """The logical id of the function whose handler is on this thread's stack, or on the stack that
        submitted this thread's work; None when there is none."""
        frame: FrameType | None = sys._getframe(1)
        origin = _SUBMITTED_FROM.get()
        while True:
            while frame is not None:
                if function := self._running(frame):
                    return function
                frame = frame.f_back
            if origin is None:
                return None
            frame, origin = origin

    def _running(self, frame: FrameType) -> str | None:
        code = frame.f_code
        if function := self._handler(code):
            return function
        # A decorator's wrapper (`@endpoint`, `@authenticated`) runs before the handler's own frame exists,
        # and reads DynamoDB there (the token's user): its closure holds the handler it wraps.
        for name in code.co_freevars:
            wrapped = frame.f_locals.get(name)
            while isinstance(wrapped, FunctionType):
                if function := self._handler(wrapped.__code__):
                    return function
                wrapped = getattr(wrapped, "__wrapped__", None)  # functools.wraps: the next layer in
        return None

    def _handler(self, code: CodeType) -> str | None:
        name = code.co_filename
        if name not in self._files:
            self._files[name] = self._by_file.get(os.path.realpath(name))
        if not (handlers_here := self._files[name]):
            return None
        if len(handlers_here) == 1:
            return next(iter(handlers_here.values()))
        return handlers_here.get(code.co_name)  # a module serving several functions: by the handler's name

    def add(self, call: Call) -> None:
        with self._lock:
            if call in self.calls:
                return
            self.calls.add(call)
            if self.sink:  # one line per distinct call, written before the call goes out
                with self.sink.open("a") as out:
                    out.write(json.dumps(asdict(call)) + "\n")


def load(paths: Iterable[Path]) -> set[Call]:
    """The calls recorded in sink files (another process's)."""
    return {Call(**json.loads(line)) for path in paths for line in path.read_text().splitlines() if line}


_installed: list[Recorder] = []
_submit = ThreadPoolExecutor.submit


def installed() -> Recorder | None:
    return _installed[0] if _installed else None


def install(template: Template | None = None, sink: Path | None = None) -> Recorder:
    """Record from now on, in this process (idempotent). Only clients created afterwards call the hook: a
    session copies botocore's BUILTIN_HANDLERS when it is made, and a client its session's (moto hooks in so
    too). Work submitted to a ThreadPoolExecutor keeps its submitter's stack, so it is attributed too."""
    if not _installed:
        recorder = Recorder(template or Template(), sink)
        handlers.BUILTIN_HANDLERS.append((EVENT, recorder))
        ThreadPoolExecutor.submit = _submit_remembering_the_caller  # type: ignore[method-assign]
        _installed.append(recorder)
    return _installed[0]


def _submit_remembering_the_caller(self: ThreadPoolExecutor, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
    return _submit(self, _run_from, (sys._getframe(1), _SUBMITTED_FROM.get()), fn, *args, **kwargs)


def _run_from(origin: Origin, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
    token = _SUBMITTED_FROM.set(origin)
    try:
        return fn(*args, **kwargs)
    finally:
        _SUBMITTED_FROM.reset(token)
