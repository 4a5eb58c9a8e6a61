""".NET: NuGet lockfiles, MSBuild project files and packages.config."""
