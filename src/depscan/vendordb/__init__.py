"""The vendor database: who controls a component, from which jurisdiction, and why we think so.

`load()` reads `vendor_db/` once and builds the match indexes; `resolve()`
answers for one component. Nothing here reads SBOMs or judges anything.
"""

from depscan.vendordb.database import VendorDatabase, load

__all__ = ["VendorDatabase", "load"]
