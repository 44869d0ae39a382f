"""Settings of bench/portal.py's server: the production settings, plus the framework's floor
(a view returning a constant, bench/portal_urls.py) and a public rate limit the 16-connection
load from one address does not reach (the limit is a setting, ``SHUANGSUIJI_PUBLIC_RATE_LIMIT``;
the middleware still runs and counts every request, as in production)."""

from shuangsuiji.settings import *  # noqa: F403

ROOT_URLCONF = "bench.portal_urls"
SHUANGSUIJI_PUBLIC_RATE_LIMIT = (10**9, 60)
