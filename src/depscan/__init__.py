"""depscan: which of an application's dependencies are controlled outside the EU, or are not open source."""

__version__ = "0.1.0"
