#!/bin/sh
# Run once by the postgres image when it initialises a new data folder: let the database user
# stream WAL to a replica over the compose network (password-checked, like every other login).
set -eu
echo "host replication ${POSTGRES_USER} all scram-sha-256" >> "$PGDATA/pg_hba.conf"
