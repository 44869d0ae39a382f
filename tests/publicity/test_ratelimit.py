"""The public rate limit counts one count per address for every worker process: without Redis
the counter is a file incremented under flock (atomic across processes, so no request is
lost); the limit and its window are settings (environment SHUANGSUIJI_PUBLIC_RATE_LIMIT)."""

import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import pytest

from shuangsuiji.publicity.ratelimit import FileCounter

ROOT = Path(__file__).resolve().parents[2]
PROCESSES, HITS = 4, 150


def _hammer(directory: str) -> None:
    counter = FileCounter(directory)
    for _ in range(HITS):
        counter.hit("203.0.113.7", 42)


def test_the_file_counter_loses_no_increment_across_processes(tmp_path):
    ctx = multiprocessing.get_context("fork")
    workers = [ctx.Process(target=_hammer, args=(str(tmp_path),)) for _ in range(PROCESSES)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    counter = FileCounter(tmp_path)
    assert counter.hit("203.0.113.7", 42) == PROCESSES * HITS + 1
    assert counter.hit("198.51.100.1", 42) == 1  # another address counts apart
    # a new window starts at one and the windows before the previous one are removed
    assert counter.hit("203.0.113.7", 44) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["44"]


@pytest.mark.django_db
def test_the_middleware_counts_in_files_without_redis(client, settings, tmp_path):
    settings.SHUANGSUIJI_PUBLIC_RATE_LIMIT = (3, 60)
    settings.SHUANGSUIJI_PUBLIC_RATE_LIMIT_CACHE = None
    settings.SHUANGSUIJI_PUBLIC_RATE_LIMIT_DIR = str(tmp_path)
    for _ in range(3):
        assert client.get("/api/public/businesses", {"q": "不存在的企业"}).status_code == 200
    response = client.get("/api/public/businesses", {"q": "不存在的企业"})
    assert response.status_code == 429 and "请求过于频繁" in response.json()["detail"]
    assert int(response["Retry-After"]) >= 1
    assert any(tmp_path.rglob("*"))
    settings.SHUANGSUIJI_PUBLIC_RATE_LIMIT = (0, 60)  # 0: no limit
    assert client.get("/api/public/businesses", {"q": "不存在的企业"}).status_code == 200


def test_the_limit_is_read_from_the_environment():
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "SHUANGSUIJI_REDIS_URL")}
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'shuangsuiji.settings'); django.setup();"
        "from django.conf import settings as s;"
        "print(s.SHUANGSUIJI_PUBLIC_RATE_LIMIT, s.SHUANGSUIJI_PUBLIC_RATE_LIMIT_CACHE, 'ratelimit' in s.CACHES)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "SECRET_KEY": "test-only", "SHUANGSUIJI_TESTING": "", "SHUANGSUIJI_PUBLIC_RATE_LIMIT": "5000/10"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == ["(5000,", "10)", "None", "False"]
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "SECRET_KEY": "test-only", "SHUANGSUIJI_TESTING": "", "REDIS_URL": "redis://127.0.0.1:6399/0"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == ["(300,", "60)", "ratelimit", "True"]
