"""The built wheel carries the facts and completions, and works with no checkout around."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
from conftest import FACTS_DIR, ROOT, bundled_facts, run

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    (built,) = out.glob("mila_cli-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with only the wheel and its dependencies."""
    env_dir = tmp_path_factory.mktemp("venv")
    venv.create(env_dir, with_pip=True, clear=True)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return env_dir


def test_wheel_holds_every_fact_file_and_completion(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in FACTS_DIR.glob("*.json"):
        assert f"mila_cli/facts/{path.name}" in names
    data = next(n.split("/")[0] for n in names if ".data/" in n)
    assert f"{data}/data/share/bash-completion/completions/mila" in names
    assert f"{data}/data/share/zsh/site-functions/_mila" in names
    assert f"{data}/data/share/fish/vendor_completions.d/mila.fish" in names


def test_installed_wheel_answers_from_another_folder(installed: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    env["PATH"] = f"{installed / 'bin'}{os.pathsep}{env['PATH']}"
    done = subprocess.run(
        [str(installed / "bin" / "mila"), "facts", "--json"],
        capture_output=True,
        cwd=tmp_path,
        env=env,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data == bundled_facts()
    assert all({"id", "category", "text", "source"} <= set(f) for f in data)
    where = subprocess.run(
        [str(installed / "bin" / "python"), "-c", "import mila_cli.facts as f; print(f.bundled_dir())"],
        capture_output=True,
        cwd=tmp_path,
        env=env,
        check=True,
        text=True,
    ).stdout.strip()
    assert where.startswith(str(installed)), where  # the wheel's own copy, not the checkout's


def test_installed_wheel_puts_completions_under_the_prefix(installed: Path) -> None:
    share = installed / "share"
    assert (share / "bash-completion" / "completions" / "mila").read_text() == (
        ROOT / "completions" / "mila.bash"
    ).read_text()
    assert (share / "zsh" / "site-functions" / "_mila").is_file()
    assert (share / "fish" / "vendor_completions.d" / "mila.fish").is_file()


def test_development_install_finds_the_same_facts_from_another_folder(tmp_path: Path) -> None:
    done = run("facts", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == bundled_facts()
