"""SPDX 2.2 and 2.3 JSON documents."""

from __future__ import annotations

from depscan.ingest.base import InputFile, Reader, ReadResult
from depscan.ingest.lines import lines_of_values
from depscan.ingest.spdx_common import build_result


class SpdxJsonReader(Reader):
    format = "spdx-json"
    filenames = ("*.spdx.json", "*spdx*.json")

    def sniff(self, source: InputFile) -> bool:
        head = source.head
        if not head.startswith(b"{"):
            return False
        if b'"spdxVersion"' in head:
            return b'"SPDX-2.' in head
        if b'"bomFormat"' in head or b'"lockfileVersion"' in head or b'"@context"' in head:
            return False
        document = source.json()
        return isinstance(document, dict) and str(document.get("spdxVersion", "")).startswith("SPDX-2.")

    def read(self, source: InputFile) -> ReadResult:
        document = source.json()
        if not isinstance(document, dict) or not str(document.get("spdxVersion", "")).startswith("SPDX-2."):
            raise source.error("not an SPDX 2.x JSON document (no spdxVersion SPDX-2.x)")
        packages = document.get("packages")
        relationships = document.get("relationships")
        described = document.get("documentDescribes")
        return build_result(
            self.format,
            source.display,
            packages if isinstance(packages, list) else [],
            relationships if isinstance(relationships, list) else [],
            [d for d in described if isinstance(d, str)] if isinstance(described, list) else [],
            lines_of_values(source.data, b'"SPDXID"'),
        )
