"""Policy: rule sets, levels, findings and the summary built from them."""
