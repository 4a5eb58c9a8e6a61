"""SPDX 2.2 and 2.3 JSON documents."""

from __future__ import annotations

from depscan.ingest.base import InputFile, Reader, ReadResult
from depscan.ingest.lines import lines_of_values
from depscan.ingest.sbom.spdx_common import build_result, document_parts, is_spdx2


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
        return is_spdx2(source.json())

    def read(self, source: InputFile) -> ReadResult:
        packages, relationships, described = document_parts(source, source.json(), "JSON")
        lines = lines_of_values(source.data, b'"SPDXID"')
        return build_result(self.format, source.display, packages, relationships, described, lines)
