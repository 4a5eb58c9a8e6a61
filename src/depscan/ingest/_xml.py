"""Untrusted XML through defusedxml's SAX parser, for the readers that need the line each element starts on.

ElementTree keeps no line numbers; a SAX handler sees every element as the
parser reaches it, with a locator that knows the line. DTDs, entity
declarations and external references are refused outright, and every parser
complaint becomes an InputError (with its line where the parser gives one).
"""

from __future__ import annotations

from xml.sax import SAXException, SAXParseException
from xml.sax.handler import ContentHandler

from defusedxml import DefusedXmlException
from defusedxml.sax import parseString

from depscan.ingest.base import InputFile


class LineHandler(ContentHandler):
    """A SAX handler that can say which line the parser has reached (ContentHandler keeps the locator)."""

    def line(self) -> int:
        """The line of the event being handled; 0 when the parser gave no locator."""
        return self._locator.getLineNumber() if self._locator is not None else 0


def parse_xml(source: InputFile, handler: ContentHandler) -> None:
    """Feed `source` to `handler`; InputError when it is not well-formed or declares a DTD or entities."""
    try:
        parseString(source.data, handler, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except SAXParseException as exc:
        raise source.error(f"invalid XML: {exc.getMessage()}", exc.getLineNumber() or None) from None
    except DefusedXmlException as exc:
        raise source.error(f"unsafe XML refused ({type(exc).__name__})") from None
    except SAXException as exc:
        raise source.error(f"invalid XML: {exc.getMessage()}") from None
