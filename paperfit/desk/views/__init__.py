"""The desk's pages, one blueprint per group: sign in, today, entry, scans, clients, report."""
