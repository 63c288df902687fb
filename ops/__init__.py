"""Operators' tools, run from the repository's root (`python -m ops.<tool>`); never deployed.

They read the shared layer's code as the functions do, so the layer goes on the import path here."""
import sys
from pathlib import Path

LAYER = Path(__file__).resolve().parent.parent / "layers" / "common"
if str(LAYER) not in sys.path:
    sys.path.append(str(LAYER))
