"""Exit 0 when the PostgreSQL URL given accepts connections (used by `make test`)."""

import sys
from urllib.parse import urlparse

import psycopg

url = urlparse(sys.argv[1])
try:
    psycopg.connect(
        host=url.hostname,
        port=url.port or 5432,
        user=url.username or "postgres",
        password=url.password or None,
        dbname=url.path.lstrip("/") or "postgres",
        connect_timeout=3,
    ).close()
except psycopg.Error:
    sys.exit(1)
