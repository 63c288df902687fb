"""SnapStart (template.yaml's SnapStart parameter): Lambda snapshots a function's memory once initialized, and every
new environment resumes from that one snapshot. What init made that must differ per environment, or be fresh, is
renewed after each restore by the module that made it, through `after_restore`."""
from collections.abc import Callable


def after_restore(renew: Callable[[], None]) -> Callable[[], None]:
    """Run `renew` after each restore from a snapshot: the Lambda Python runtime's hook (its snapshot_restore_py
    module). Where that module is missing (locally, in tests) nothing is ever restored, and nothing is registered."""
    try:
        from snapshot_restore_py import register_after_restore  # type: ignore[import-not-found]
    except ImportError:
        return renew
    register_after_restore(renew)
    return renew
