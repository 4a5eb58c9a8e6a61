"""SPDX 2.x tag-value documents (`.spdx`)."""

from __future__ import annotations

from typing import Any

from depscan.ingest.base import InputFile, Reader, ReadResult
from depscan.ingest.sbom.spdx_common import build_result

_PACKAGE_TAGS = {
    "SPDXID": "SPDXID",
    "PackageVersion": "versionInfo",
    "PackageSupplier": "supplier",
    "PackageOriginator": "originator",
    "PackageDownloadLocation": "downloadLocation",
    "PackageLicenseDeclared": "licenseDeclared",
    "PackageLicenseConcluded": "licenseConcluded",
}
_SECTION_TAGS = {"FileName", "SnippetSPDXID", "LicenseID"}


class SpdxTagValueReader(Reader):
    format = "spdx-tag-value"
    filenames = ("*.spdx",)

    def sniff(self, source: InputFile) -> bool:
        return source.head.startswith(b"SPDXVersion:") or b"\nSPDXVersion: SPDX-2" in source.head[:4096]

    def read(self, source: InputFile) -> ReadResult:
        packages: list[dict[str, Any]] = []
        relationships: list[dict[str, Any]] = []
        lines: dict[str, int] = {}
        current: dict[str, Any] | None = None
        text_lines = source.text.splitlines()
        index = 0
        saw_version = False
        while index < len(text_lines):
            number = index + 1
            raw = text_lines[index]
            index += 1
            if not raw.strip() or raw.lstrip().startswith("#"):
                continue
            tag, sep, value = raw.partition(":")
            if not sep:
                raise source.error(f"expected 'Tag: value', got {raw[:60]!r}", number)
            tag, value = tag.strip(), value.strip()
            if value.startswith("<text>"):
                # multi-line free text: skip to the closing tag
                while "</text>" not in value and index < len(text_lines):
                    value += "\n" + text_lines[index]
                    index += 1
                if "</text>" not in value:
                    raise source.error(f"unterminated <text> in {tag}", number)
                value = value.removeprefix("<text>").split("</text>", 1)[0]
            if tag == "SPDXVersion":
                saw_version = True
            if tag == "PackageName":
                current = {"name": value}
                packages.append(current)
            elif tag in _SECTION_TAGS:
                current = None
            elif current is not None and tag in _PACKAGE_TAGS:
                current[_PACKAGE_TAGS[tag]] = value
                if tag == "SPDXID":
                    lines.setdefault(value, number)
            elif current is not None and tag == "ExternalRef":
                parts = value.split()
                if len(parts) >= 3:
                    current.setdefault("externalRefs", []).append(
                        {"referenceCategory": parts[0], "referenceType": parts[1], "referenceLocator": parts[2]}
                    )
            elif tag == "Relationship":
                parts = value.split()
                if len(parts) >= 3:
                    relationships.append(
                        {"spdxElementId": parts[0], "relationshipType": parts[1], "relatedSpdxElement": parts[2]}
                    )
        if not saw_version:
            raise source.error("not an SPDX tag-value document (no SPDXVersion)")
        return build_result(self.format, source.display, packages, relationships, [], lines)
