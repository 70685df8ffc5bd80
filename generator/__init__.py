"""Everything that writes output: forms, handouts, workbooks, graphs, reports."""
