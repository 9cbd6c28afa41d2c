#!/usr/bin/env bash
# Start the local PostgreSQL cluster (Debian packaging) and make a password login for the tests.
set -euo pipefail
ver=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h | grep -q .; then
  pg_createcluster "$ver" main >/dev/null
fi
read -r cver cname _ <<<"$(pg_lsclusters -h | head -n 1)"
pg_ctlcluster "$cver" "$cname" start 2>/dev/null || true
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p 5432 && break
  sleep 1
done
su postgres -c "psql -q -v ON_ERROR_STOP=1" <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'coordbot') THEN
    CREATE ROLE coordbot LOGIN SUPERUSER PASSWORD 'coordbot';
  END IF;
END $$;
SQL
echo "PostgreSQL $cver is up on 127.0.0.1:5432"
