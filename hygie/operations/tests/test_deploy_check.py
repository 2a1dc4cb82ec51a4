"""`manage.py check --deploy` passes with a production configuration."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def production_environment(var_dir: Path) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("HYGIE_", "DJANGO"))}
    environment.pop("DATABASE_URL", None)
    environment.update(
        DEBUG="0",
        SECRET_KEY="k" * 20 + "-production-like-secret-" + "z" * 30,
        ALLOWED_HOSTS="hygie.union.example,suivi-securite.example.net",
        HYGIE_PUBLIC_BASE_URL="https://hygie.union.example",
        HYGIE_TRACKING_BASE_URL="https://suivi-securite.example.net",
        HYGIE_TRACKING_HOSTS="suivi-securite.example.net",
        HYGIE_BEHIND_PROXY="1",
        # Several web processes share their rate limits through Redis in production.
        HYGIE_CACHE_URL="redis://127.0.0.1:6379/0",
        HYGIE_VAR_DIR=str(var_dir),
        HYGIE_STATIC_ROOT=str(var_dir / "static"),
        PYTHONPATH=str(ROOT),
    )
    return environment


def test_the_deploy_check_finds_nothing_to_fix(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_environment(tmp_path / "var"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
