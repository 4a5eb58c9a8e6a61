"""Portfolio audits: many applications from an inventory file, scanned in parallel, aggregated, compared over time.

`loader` reads the inventory (TOML or CSV), `runner` scans each application
through `depscan.scan.run` in worker processes, `aggregate` builds the
`depscan-portfolio/1` document, `storage` keeps the history (SQLite behind a
small interface) and `history` says what changed. `audit.run_audit` chains
them; it never re-implements a scan.
"""
