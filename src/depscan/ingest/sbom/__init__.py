"""SBOMs: CycloneDX (JSON, XML) and SPDX (2.x JSON, tag-value, YAML; 3.0 JSON-LD)."""
