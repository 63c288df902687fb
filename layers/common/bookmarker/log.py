"""The package's one structured logger (Powertools Logger: JSON lines, level from the environment)."""
import functools
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, cast, overload

from aws_lambda_powertools import Logger


class InvocationLogger(Logger):
    """A Powertools Logger whose appended keys belong to the invocation that appends them.

    Powertools keeps `append_keys` (and what `inject_lambda_context` writes: cold_start, function_*,
    correlation_id) in one dict per process. In Lambda one container runs one invocation at a time, so that
    is the invocation's; the local API runs concurrent invocations in threads of one process, where a line
    would carry another request's id or user_id. So every key goes to Powertools' thread-local keys, which
    its formatter writes over the shared ones, and `clear_state` clears them when an invocation starts.
    The lines are the same as before in Lambda, and callers keep calling `append_keys`.
    """

    def append_keys(self, **additional_keys: object) -> None:
        self.thread_safe_append_keys(**additional_keys)

    def remove_keys(self, keys: Iterable[str]) -> None:
        self.thread_safe_remove_keys(keys)

    @contextmanager
    def append_context_keys(self, **additional_keys: Any) -> Iterator[None]:
        self.thread_safe_append_keys(**additional_keys)
        try:
            yield
        finally:
            self.thread_safe_remove_keys(additional_keys)

    def get_current_keys(self) -> dict[str, Any]:
        return {**super().get_current_keys(), **self.thread_safe_get_current_keys()}

    def get_correlation_id(self) -> str | None:
        return self.thread_safe_get_current_keys().get("correlation_id")

    # Powertools' own overloads, kept (an override may not narrow them): a handler in, the same type out.
    @overload
    def inject_lambda_context[F: Callable[..., Any]](
            self, lambda_handler: F, log_event: bool | None = None, correlation_id_path: str | None = None,
            clear_state: bool | None = False, flush_buffer_on_uncaught_error: bool = False) -> F: ...
    @overload
    def inject_lambda_context[F: Callable[..., Any]](
            self, lambda_handler: None = None, log_event: bool | None = None, correlation_id_path: str | None = None,
            clear_state: bool | None = False, flush_buffer_on_uncaught_error: bool = False) -> Callable[[F], F]: ...

    def inject_lambda_context[F: Callable[..., Any]](
            self, lambda_handler: F | None = None, log_event: bool | None = None,
            correlation_id_path: str | None = None, clear_state: bool | None = False,
            flush_buffer_on_uncaught_error: bool = False) -> F | Callable[[F], F]:
        if lambda_handler is None:
            return functools.partial(self.inject_lambda_context, log_event=log_event,
                                     correlation_id_path=correlation_id_path, clear_state=clear_state,
                                     flush_buffer_on_uncaught_error=flush_buffer_on_uncaught_error)
        # Powertools' own clear_state would reset the shared keys and write this invocation's context there.
        injected = super().inject_lambda_context(lambda_handler, log_event=log_event,
                                                 correlation_id_path=correlation_id_path, clear_state=False,
                                                 flush_buffer_on_uncaught_error=flush_buffer_on_uncaught_error)
        if not clear_state:
            return injected

        @functools.wraps(lambda_handler)
        def invocation(*args: Any, **kwargs: Any) -> Any:
            self.thread_safe_clear_keys()
            return injected(*args, **kwargs)

        return cast(F, invocation)  # it passes its arguments and answer through: the handler's own signature


logger = InvocationLogger(service="bookmarker")
