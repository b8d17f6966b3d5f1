#!/usr/bin/env bash
# Starts PostgreSQL and Redis on this machine if they are not running, and makes sure the
# database role the tests use exists. Used by scripts/test.sh.
set -euo pipefail

pg_host=127.0.0.1
if ! pg_isready -q -h "$pg_host" -p 5432 2>/dev/null; then
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    echo "services: starting PostgreSQL $version"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start
    for _ in $(seq 1 30); do pg_isready -q -h "$pg_host" -p 5432 && break; sleep 1; done
fi
if ! psql "postgresql://tingshuo:tingshuo@$pg_host:5432/postgres" -tAc 'select 1' >/dev/null 2>&1; then
    echo "services: creating the tingshuo database role"
    sql="DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='tingshuo') THEN
         CREATE ROLE tingshuo LOGIN PASSWORD 'tingshuo' CREATEDB; END IF; END\$\$;"
    psql -h "$pg_host" -U postgres -d postgres -c "$sql" >/dev/null 2>&1 ||
        su postgres -c "psql -d postgres -c \"$sql\"" >/dev/null
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    echo "services: starting Redis"
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
        --dir /var/lib/redis --logfile /var/log/redis/tingshuo-ci.log
    for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 1; done
fi
