"""Where results came from: the code that made them, the libraries, the machine.

:func:`code_identity` names the model that produces numbers: copsim's version and a hash of the
source of every module the model imports (found by reading the imports from ``copsim.api``
outward, so it follows the modules wherever they live). A sweep stores it in its plan and in
every condition's record; results made by other code are never mixed with these (see
:mod:`copsim.experiments.store`).
"""

from __future__ import annotations

import ast
import functools
import hashlib
import subprocess
from pathlib import Path
from typing import Any

PACKAGE = Path(__file__).resolve().parents[1]  # src/copsim (or site-packages/copsim)


def _module_file(name: str) -> Path | None:
    """The source file of a module of the copsim package (``copsim.a.b``), if it is one."""
    parts = name.split(".")
    if parts[0] != "copsim":
        return None
    base = PACKAGE.joinpath(*parts[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _imports(path: Path, module: str) -> set[str]:
    """Names of the copsim modules ``path`` (module ``module``) imports, anywhere in its code."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)  # submodules imported by name
    return {name for name in found if name.startswith("copsim")}


def model_modules(root: str = "copsim.api") -> list[Path]:
    """The source files of every copsim module reachable by imports from ``root`` (the model's door).

    Read statically (not from ``sys.modules``), so the answer does not depend on what else this
    process has imported. Package ``__init__`` files on the way count too.
    """
    todo, seen = [root], {}
    while todo:
        name = todo.pop()
        path = _module_file(name)
        if path is None or name in seen:
            continue
        seen[name] = path
        todo.extend(_imports(path, name))
        parent = name.rpartition(".")[0]
        if parent and parent != "copsim":  # a subpackage's __init__ runs on import
            todo.append(parent)
    return sorted(set(seen.values()))


@functools.cache
def model_source_hash() -> str:
    """SHA-256 over the relative path and bytes of every file of :func:`model_modules`."""
    digest = hashlib.sha256()
    for path in model_modules():
        digest.update(path.relative_to(PACKAGE).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def copsim_version() -> str:
    from .. import __version__

    return __version__


def code_identity() -> dict[str, str]:
    """What made a result: copsim's version and :func:`model_source_hash`."""
    return {"copsim": copsim_version(), "model_source": model_source_hash()}


def describe_code(identity: dict[str, Any] | None) -> str:
    """``copsim 0.1.0 (model source 1a2b3c4d5e)`` for messages."""
    if not identity:
        return "copsim of unknown version (no code recorded)"
    return f"copsim {identity.get('copsim')} (model source {str(identity.get('model_source'))[:10]})"


def git_commit() -> dict[str, Any] | None:
    """Commit (and whether the work tree has uncommitted changes) of copsim's source, if in git."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(PACKAGE), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10
        )
        if commit.returncode != 0:
            return None
        dirty = subprocess.run(
            ["git", "-C", str(PACKAGE), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
        )
        return {"commit": commit.stdout.strip(), "dirty": bool(dirty.stdout.strip())}
    except (OSError, subprocess.SubprocessError):
        return None


def provenance() -> dict[str, Any]:
    """Everything a manifest says about the code: identity, versions and git state."""
    from ..records import versions

    return {"code": code_identity(), "versions": versions(), "git": git_commit()}
