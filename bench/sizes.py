"""What deploys: after `make build`, the layer and each function's package zipped as `sam deploy` zips them (deflate,
files only, from each build dir under .aws-sam/build/), with their unzipped sizes, the Lambda limits beside them
(250 MB unzipped for a function and its layers, 50 MB zipped for a direct upload) as ratios, and the five largest
packages in the layer, so a reader sees what weighs. Builds first (`make build`) only when .aws-sam/build is missing
or older than template.yaml or the layer's requirements.txt."""
import csv
import os
import subprocess
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / ".aws-sam" / "build"
BUILT_TEMPLATE = BUILD / "template.yaml"  # written by every successful `sam build`
SOURCES = (ROOT / "template.yaml", ROOT / "layers" / "common" / "requirements.txt")
MB = 1024 * 1024  # Lambda's limits count in these: 250 MB is 262,144,000 bytes
UNZIPPED_LIMIT = 250 * MB  # a function and all its layers, unzipped
ZIPPED_LIMIT = 50 * MB  # one .zip uploaded directly (through S3, as `sam deploy` does, only the 250 MB counts)
TOP = 5


@dataclass(frozen=True)
class Package:
    """One build dir as it would be uploaded."""
    name: str
    unzipped: int  # bytes, the files' sizes added up
    zipped: int  # bytes of the .zip
    files: int
    names: frozenset[str]  # the paths inside the .zip


class _Loader(yaml.SafeLoader):
    """Reads any CloudFormation short form (`!Ref X`, `!GetAtt`, ...) as {tag: value}: only names are read here."""


def _short_form(loader: _Loader, tag: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        return {tag: loader.construct_scalar(node)}
    if isinstance(node, yaml.SequenceNode):
        return {tag: loader.construct_sequence(node)}
    return {tag: loader.construct_mapping(node)}  # type: ignore[arg-type]


_Loader.add_multi_constructor("!", _short_form)


def _stale() -> str | None:
    """Why .aws-sam/build cannot be used as it is, or None when it can."""
    if not BUILT_TEMPLATE.is_file():
        return f"{BUILT_TEMPLATE.relative_to(ROOT)} is missing"
    built = BUILT_TEMPLATE.stat().st_mtime
    newer = [str(path.relative_to(ROOT)) for path in SOURCES if path.stat().st_mtime > built]
    return f"{' and '.join(newer)} changed since the last build" if newer else None


def _ensure_build() -> str:
    reason = _stale()
    if reason is None:
        built = BUILT_TEMPLATE.stat().st_mtime
        edited = [path for folder in (ROOT / "functions", ROOT / "layers" / "common")
                  for path in folder.rglob("*") if path.is_file() and "__pycache__" not in path.parts
                  and path.stat().st_mtime > built]
        if edited:  # not a reason to build (the rule is template.yaml and requirements.txt), but worth saying
            print(f"note: {len(edited)} source files changed since the build (e.g. {edited[0].relative_to(ROOT)}): "
                  "`make build` to measure them")
        return "reused .aws-sam/build (newer than template.yaml and the layer's requirements.txt)"
    print(f"{reason}: running `make build`", flush=True)
    start = time.perf_counter()
    done = subprocess.run(["make", "build"], cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S607
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).splitlines()[-20:])
        raise RuntimeError(f"`make build` failed (exit {done.returncode}) after {seconds:.1f} s:\n{tail}")
    return f"ran `make build` ({seconds:.1f} s): {reason}"


def _resources() -> tuple[dict[str, Path], dict[str, tuple[Path, list[str]]]]:
    """From the built template: each layer's build dir, and each function's build dir with the layers it uses."""
    with BUILT_TEMPLATE.open(encoding="utf-8") as f:
        template = yaml.load(f, Loader=_Loader)  # noqa: S506 (a SafeLoader that also reads CloudFormation's tags)
    resources: dict[str, dict[str, Any]] = template.get("Resources", {})
    global_layers = template.get("Globals", {}).get("Function", {}).get("Layers", [])
    layers = {name: BUILD / res["Properties"]["ContentUri"] for name, res in resources.items()
              if res.get("Type") == "AWS::Serverless::LayerVersion" and isinstance(
                  res.get("Properties", {}).get("ContentUri"), str)}
    functions: dict[str, tuple[Path, list[str]]] = {}
    for name, res in resources.items():
        props = res.get("Properties", {})
        if res.get("Type") != "AWS::Serverless::Function" or not isinstance(props.get("CodeUri"), str):
            continue  # an inline or image function has no build dir
        uses = [ref for layer in props.get("Layers", global_layers)
                if isinstance(layer, dict) and (ref := layer.get("Ref")) in layers]
        functions[name] = (BUILD / props["CodeUri"], uses)
    return layers, functions


def _files(root: Path) -> list[tuple[Path, str]]:
    """Every file under root, as `sam deploy` walks it (symbolic links followed), with its name in the .zip."""
    found = []
    for folder, _, names in os.walk(root, followlinks=True):
        for name in sorted(names):
            path = Path(folder) / name
            found.append((path, path.relative_to(root).as_posix()))
    return found


def _package(name: str, root: Path, scratch: Path) -> Package:
    """Zipped as samcli.lib.package.utils.make_zip does: files only, ZIP_DEFLATED at zlib's default level."""
    files = _files(root)
    target = scratch / f"{name}.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, arcname in files:
            info = zipfile.ZipInfo(arcname)
            info.create_system = 3  # Unix, 0755 as SAM sets it
            info.external_attr = 0o100755 << 16
            archive.writestr(info, path.read_bytes(), compress_type=zipfile.ZIP_DEFLATED)
    return Package(name, sum(path.stat().st_size for path, _ in files), target.stat().st_size, len(files),
                   frozenset(arcname for _, arcname in files))


def _distribution(dist_info: str) -> str:
    """`pydantic_core-2.50.5.dist-info` -> `pydantic-core` (the name pip shows)."""
    return dist_info.rsplit("-", 1)[0].lower().replace("_", "-")


@dataclass(frozen=True)
class Contents:
    """One distribution in the layer (or a top-level entry no RECORD names, such as our own bookmarker)."""
    label: str  # pip's name, with its top-level import names when they differ from it
    unzipped: int
    files: int
    largest: tuple[str, int]  # its largest file (path under python/) and that file's size


def _layer_packages(layer: Path) -> list[Contents]:
    """The layer's contents by distribution (its import dirs, .py modules, .dist-info, .data and compiled .pyc), or by
    top-level entry for what no RECORD names, largest first."""
    site = layer / "python" if (layer / "python").is_dir() else layer  # SAM's python3.x layers go under python/
    owner: dict[str, str] = {}
    for dist_info in site.glob("*.dist-info"):
        dist = _distribution(dist_info.name.removesuffix(".dist-info"))
        owner[dist_info.name] = dist
        record = dist_info / "RECORD"
        if record.is_file():
            with record.open(encoding="utf-8", newline="") as f:
                for row in csv.reader(f):
                    top = row[0].split("/", 1)[0] if row else ""
                    if top and top not in ("..", "__pycache__"):
                        owner.setdefault(top, dist)
    sizes: dict[str, int] = {}
    counts: dict[str, int] = {}
    entries: dict[str, set[str]] = {}
    largest: dict[str, tuple[str, int]] = {}
    for path, arcname in _files(site):
        parts = arcname.split("/")
        top = parts[0]
        if top == "__pycache__" and len(parts) > 1:  # a top-level module's .pyc, compiled by `make build`
            top = parts[1].split(".", 1)[0] + ".py"
        elif top.endswith(".data") and top not in owner:
            owner[top] = _distribution(top.removesuffix(".data"))
        dist, size = owner.get(top, top), path.stat().st_size
        sizes[dist] = sizes.get(dist, 0) + size
        if size > largest.get(dist, ("", -1))[1]:
            largest[dist] = (arcname, size)
        counts[dist] = counts.get(dist, 0) + 1
        if not top.endswith((".dist-info", ".data")):
            entries.setdefault(dist, set()).add(top.removesuffix(".py"))
    rows = []
    for dist, size in sizes.items():
        tops = sorted(entries.get(dist, set()))
        label = dist if tops in ([], [dist], [dist.replace("-", "_")]) else f"{dist} ({', '.join(tops)})"
        rows.append(Contents(label, size, counts[dist], largest[dist]))
    return sorted(rows, key=lambda row: row.unzipped, reverse=True)


def _mb(size: int) -> str:
    return f"{size / MB:.2f} MB"


def _pct(size: int, limit: int) -> str:
    return f"{size / limit:.1%}" if size >= limit / 100 else f"{size / limit:.2%}"


def run() -> list[tuple[str, str]]:
    build = _ensure_build()
    print(build)
    layers, functions = _resources()
    if not layers or not functions:
        raise RuntimeError(f"{BUILT_TEMPLATE.relative_to(ROOT)} names no built layer or no built function")
    with tempfile.TemporaryDirectory(prefix="bench-sizes-") as scratch:
        built_layers = {name: _package(name, root, Path(scratch)) for name, root in layers.items()}
        built_functions = {name: _package(name, root, Path(scratch)) for name, (root, _) in functions.items()}

    print(f"MB = 2^20 bytes, as Lambda counts its limits: {_mb(ZIPPED_LIMIT)} zipped for a direct upload, "
          f"{_mb(UNZIPPED_LIMIT)} unzipped for a function and its layers")
    for layer in built_layers.values():
        print(f"layer {layer.name}: {_mb(layer.zipped)} zipped ({_pct(layer.zipped, ZIPPED_LIMIT)} of 50 MB), "
              f"{_mb(layer.unzipped)} unzipped ({_pct(layer.unzipped, UNZIPPED_LIMIT)} of 250 MB), "
              f"{layer.files} files")
    print(f"functions ({len(built_functions)}): zipped / 50 MB, and unzipped with their layers / 250 MB")
    totals: dict[str, int] = {}
    for name, fn in sorted(built_functions.items(), key=lambda kv: (-kv[1].zipped, kv[0])):
        total = fn.unzipped + sum(built_layers[layer].unzipped for layer in functions[name][1])
        totals[name] = total
        print(f"  {name:<26} {fn.zipped / 1024:7.1f} KB zipped ({_pct(fn.zipped, ZIPPED_LIMIT):>5}), "
              f"{fn.unzipped / 1024:7.1f} KB unzipped, {fn.files:3} files; "
              f"+ {'+'.join(functions[name][1]) or 'no layer'}: {_mb(total)} ({_pct(total, UNZIPPED_LIMIT)})")
    contents = {fn.names for fn in built_functions.values()}
    if len(built_functions) > 1 and len(contents) == 1:
        print(f"  (all {len(built_functions)} ship the same {len(next(iter(contents)))} files: they share one CodeUri, "
              "so each package holds every handler)")

    rows = [("build", build)]
    for layer in built_layers.values():
        heaviest = _layer_packages(layers[layer.name])
        print(f"{layer.name}: its {TOP} largest packages, unzipped (of {len(heaviest)})")
        for item in heaviest[:TOP]:
            path, size = item.largest
            print(f"  {item.label:<28} {_mb(item.unzipped):>9} {_pct(item.unzipped, layer.unzipped):>6} of the layer, "
                  f"{item.files:4} files; largest {path} ({_mb(size)})")
        rows += [(f"layer {layer.name} zipped", f"{_mb(layer.zipped)}, {layer.files} files "
                                                f"({_pct(layer.zipped, ZIPPED_LIMIT)} of 50 MB)"),
                 (f"layer {layer.name} unzipped", f"{_mb(layer.unzipped)} ({_pct(layer.unzipped, UNZIPPED_LIMIT)}"
                                                  " of 250 MB)"),
                 (f"layer {layer.name} heaviest", ", ".join(f"{item.label.split(' ')[0]} {_mb(item.unzipped)}"
                                                            for item in heaviest[:TOP]))]
    zipped = sorted(fn.zipped for fn in built_functions.values())
    largest = max(totals, key=lambda name: totals[name])
    rows += [(f"function packages zipped ({len(zipped)})",
              (f"{zipped[0] / 1024:.1f} KB each" if zipped[0] == zipped[-1] else
               f"{zipped[0] / 1024:.1f}-{zipped[-1] / 1024:.1f} KB") + f" ({_pct(zipped[-1], ZIPPED_LIMIT)} of 50 MB)"),
             ("function + layers unzipped, largest",
              f"{largest}: {_mb(totals[largest])} ({_pct(totals[largest], UNZIPPED_LIMIT)} of 250 MB)")]
    return rows
