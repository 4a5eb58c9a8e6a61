"""Manifest readers: package.json, composer.json, Cargo.toml, .NET project files, Pipfile, and the npm/Yarn
registry configuration (.npmrc, .yarnrc, .yarnrc.yml).

A manifest declares ranges: each reader is checked for what it makes of each
kind of declaration, and a directory scan of a manifest beside its lockfile
for reporting each package once, at its locked version.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FIXTURES, run_cli
from depscan.errors import InputError
from depscan.ingest import read_file
from depscan.ingest.dotnet.msbuild import nuget_version
from depscan.ingest.javascript.npm_config import public_url
from helpers import by_ref, read_error

NPM_APP = FIXTURES / "npm" / "manifest-app"
CARGO = FIXTURES / "cargo" / "manifest-workspace"
DOTNET = FIXTURES / "dotnet" / "central"


def write(path: Path, content: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)
    return path


def scan_report(cli, path: Path) -> dict:
    """The JSON report of a scan of `path`, installed packages left unread; the scan must succeed."""
    run = cli("scan", str(path), "-f", "json", "--fail-on", "none", "-q", "--no-installed")
    assert run.code == 0, run.stderr
    return run.json()


def packages(report: dict) -> dict[str, dict]:
    """The report's components that are packages (not registries), by id."""
    return {c["id"]: c for c in report["components"] if c["kind"] != "registry"}


# --- package.json ------------------------------------------------------------------------------------------------


def test_package_json_declarations():
    result = read_file(NPM_APP / "package.json")
    assert result.format == "npm-package-json"
    components = by_ref(result)
    # workspace member @acme/ui and the file: folder are the project's own; @acme/shop (its own name) is not:
    # a package cannot link to itself, so prettier-style "depend on the released me" comes from the registry
    assert set(components) == {
        "express",
        "left-pad",
        "lodash-legacy",
        "forked-widget",
        "shared-config",
        "ssh-thing",
        "tarball-pkg",
        "typescript",
        "@acme/shop",
        "fsevents",
        "react",
    }
    assert all(c.direct for c in result.components)
    express = components["express"]  # in dependencies (a range) and devDependencies: runtime, first one wins
    assert (express.purl, express.scope, express.properties) == ("pkg:npm/express", None, {"specifier": "^4.19.2"})
    assert express.sources[0].line == 12
    assert components["left-pad"].purl == "pkg:npm/left-pad@1.3.0"  # "=1.3.0" pins
    alias = components["lodash-legacy"]
    assert (alias.name, alias.purl, alias.properties["alias"]) == ("lodash", "pkg:npm/lodash@4.17.21", "lodash-legacy")
    assert components["@acme/shop"].purl == "pkg:npm/%40acme/shop@1.9.0"
    assert components["@acme/shop"].scope == "dev"
    assert (components["fsevents"].scope, components["react"].scope) == ("optional", "peer")
    widget = components["forked-widget"]
    assert widget.repository == "https://github.com/acme-eu/widget"
    assert widget.purl == (
        "pkg:npm/forked-widget?vcs_url=git%2Bhttps://github.com/acme-eu/widget%403f2a9c1e5d7b8a6f4c2e0d1b3a5c7e9f1b2d4c6a"
    )
    assert components["shared-config"].repository == "https://github.com/acme-eu/shared-config"  # "owner/repo"
    assert components["ssh-thing"].repository == "https://gitlab.com/acme-eu/ssh-thing"
    assert components["tarball-pkg"].properties["url"].startswith("https://registry.example.eu/")


def test_package_json_workspace_member_skips_its_siblings():
    result = read_file(NPM_APP / "packages" / "ui" / "package.json", root=NPM_APP)
    assert {c.purl for c in result.components} == {"pkg:npm/classnames@2.5.1"}  # "@acme/shop": "*" is the root


def test_package_json_local_protocols_and_odd_values(tmp_path):
    path = write(
        tmp_path / "package.json",
        '{"name": "app", "dependencies": {"a": "workspace:^", "b": "link:../b", "c": "portal:../c", "d": "../d",'
        ' "e": "file:e.tgz", "f": "*", "g": "latest", "h": 3, "bad name": "1.0.0", "i": "npm:@s/i@v2.0.0",'
        ' "j": "npm:not a name@1"}}',
    )
    result = read_file(path)
    components = by_ref(result)
    assert set(components) == {"e", "f", "g", "i"}
    # what was declared but could not be used is said, never dropped silently
    warned = " ".join(w.message for w in result.warnings)
    assert "'h' is a number" in warned and "'bad name'" in warned and "'j'" in warned
    assert len(result.warnings) == 3
    assert components["e"].properties == {"url": "file:e.tgz"}  # a tarball is a package, not a folder
    assert components["f"].properties == {} and components["g"].properties == {"specifier": "latest"}
    assert components["i"].purl == "pkg:npm/%40s/i@2.0.0"


def test_package_json_dependency_field_of_the_wrong_type_is_an_input_error(tmp_path):
    path = write(tmp_path / "package.json", '{"name": "app", "devDependencies": ["not", "an", "object"]}')
    run = run_cli("scan", str(path), "--format", "json", "--no-installed")
    assert run.code == 3 and "Traceback" not in run.stderr
    errors = [line for line in run.stderr.splitlines() if "error" in line]
    assert len(errors) == 1 and str(path) in errors[0] and "devDependencies" in errors[0]


@pytest.mark.parametrize(
    ("name", "content", "owner"),
    [
        ("package.json", "{}", "npm-package-json"),  # an empty manifest is still one
        ("manifest.json", '{"name": "x", "dependencies": {"a": "1.0.0"}}', "npm-package-json"),
        ("bower.json", '{"dependencies": {"a": "1.0.0"}}', None),  # no npm manifest key
        ("project.json", '{"version": "1", "dependencies": {"a": "1"}, "frameworks": {}}', None),  # old .NET
        ("data.json", '{"name": "x", "version": "1"}', None),
    ],
)
def test_package_json_sniffing(tmp_path, name, content, owner):
    path = write(tmp_path / name, content)
    if owner is None:
        with pytest.raises(InputError, match="unrecognised format"):
            read_file(path)
    else:
        assert read_file(path).format == owner


def test_package_json_beside_lockfile_reports_each_package_once(cli):
    found = packages(scan_report(cli, NPM_APP))
    assert set(found) == {
        "pkg:npm/%40acme/shop@1.9.0",
        "pkg:npm/classnames@2.5.1",
        "pkg:npm/express@4.19.2",
        "pkg:npm/forked-widget@1.2.0",
        "pkg:npm/fsevents@2.3.3",
        "pkg:npm/left-pad@1.3.0",
        "pkg:npm/lodash@4.17.21",
        "pkg:npm/ms@2.0.0",
        "pkg:npm/react@18.3.1",
        "pkg:npm/shared-config@0.4.0",
        "pkg:npm/ssh-thing@1.0.0",
        "pkg:npm/tarball-pkg@1.0.0",
        "pkg:npm/typescript@5.4.5",
    }
    assert {i for i, c in found.items() if not c["direct"]} == {"pkg:npm/ms@2.0.0"}
    express = found["pkg:npm/express@4.19.2"]
    assert {(Path(s["path"]).name, s["line"]) for s in express["sources"]} == {
        ("package-lock.json", 52),
        ("package.json", 12),
    }
    assert found["pkg:npm/forked-widget@1.2.0"]["repository"] == "https://github.com/acme-eu/widget"


# --- composer.json -----------------------------------------------------------------------------------------------


def test_composer_json_requirements():
    result = read_file(FIXTURES / "php" / "manifest" / "composer.json")
    assert result.format == "composer-json"
    components = by_ref(result)
    # platform packages (php, ext-*, lib-*, composer-plugin-api) and the project's own name are not packages
    assert set(components) == {
        "symfony/console",
        "monolog/monolog",
        "psr/log",
        "stripe/stripe-php",
        "acme-eu/internal-sdk",
        "phpunit/phpunit",
    }
    # exact: the lock beside it spells the same version "v7.1.3", which the component takes
    assert components["symfony/console"].purl == "pkg:composer/symfony/console@v7.1.3"
    assert components["symfony/console"].scope is None  # in require and require-dev
    assert components["monolog/monolog"].purl == "pkg:composer/monolog/monolog@3.7.0"
    assert components["stripe/stripe-php"].properties == {"specifier": "^15.0 || ^16.0"}
    assert components["acme-eu/internal-sdk"].version is None  # dev-main is a branch
    assert components["phpunit/phpunit"].scope == "dev"
    assert components["psr/log"].sources[0].line == 12


def test_composer_json_without_lock_keeps_the_written_version(tmp_path):
    path = write(tmp_path / "composer.json", '{"require": {"symfony/console": "v7.1.3", "a/b": "1.0"}}')
    assert {c.purl for c in read_file(path).components} == {
        "pkg:composer/symfony/console@7.1.3",
        "pkg:composer/a/b@1.0",
    }


def test_composer_json_is_not_taken_for_a_lock_and_back(tmp_path):
    # composer.json files often carry "$schema": "https://getcomposer.org/schema.json"
    manifest = write(tmp_path / "a" / "composer.json", (FIXTURES / "php/manifest/composer.json").read_text())
    lock = write(tmp_path / "b" / "composer.json", (FIXTURES / "php/manifest/composer.lock").read_text())
    assert read_file(manifest).format == "composer-json"
    assert read_file(lock).format == "composer-lock"


def test_composer_corpus_style_folder_folds_into_lock(cli):
    found = packages(scan_report(cli, FIXTURES / "php" / "manifest"))
    assert all(c["version"] for c in found.values())
    assert len(found) == 6 and sum(1 for c in found.values() if c["direct"]) == 6


# --- Cargo.toml --------------------------------------------------------------------------------------------------


def test_cargo_member_inherits_from_the_workspace():
    result = read_file(CARGO / "crates" / "app" / "Cargo.toml", root=CARGO)
    assert result.format == "cargo-toml"
    components = by_ref(result)
    assert set(components) == {
        "serde",
        "tokio@1.40.0",
        "internal-sdk",
        "serde_json",
        "aws-sdk-s3",
        "reqwest@0.12.7",
        "windows-sys",
        "nix",
        "cc",
        "criterion",
    }  # core is a path crate, inherited from the workspace
    assert components["serde"].properties == {"specifier": "1.0.210", "workspace": True}  # "1.0.210" is ^1.0.210
    assert components["tokio@1.40.0"].scope is None  # runtime and dev: runtime
    assert components["internal-sdk"].scope == "optional"
    assert components["internal-sdk"].properties["registry"] == "acme-eu"
    assert components["serde_json"].properties["alias"] == "json"
    assert (components["cc"].scope, components["criterion"].scope) == ("build", "dev")
    assert components["windows-sys"].properties["target"] == "cfg(windows)"
    nix = components["nix"]
    assert nix.repository == "https://github.com/nix-rust/nix"
    assert nix.purl == "pkg:cargo/nix?vcs_url=git%2Bhttps://github.com/nix-rust/nix%405c8ef9b7"
    lines = {ref: c.sources[0].line for ref, c in components.items()}
    assert (lines["serde"], lines["reqwest@0.12.7"], lines["windows-sys"], lines["nix"]) == (7, 14, 20, 23)


def test_cargo_workspace_root_declares_its_dependencies():
    components = by_ref(read_file(CARGO / "Cargo.toml"))
    assert set(components) == {"serde", "tokio@1.40.0", "internal-sdk"}
    assert components["tokio@1.40.0"].sources[0].line == 11


def test_cargo_member_without_workspace_root(tmp_path):
    path = write(tmp_path / "Cargo.toml", '[package]\nname = "x"\n\n[dependencies]\nserde = { workspace = true }\n')
    (component,) = read_file(path).components
    assert (component.purl, component.properties) == ("pkg:cargo/serde", {"workspace": True})


def test_cargo_folder_reports_each_crate_once(cli):
    found = packages(scan_report(cli, CARGO))
    assert len(found) == 11 and all(c["version"] and c["direct"] for c in found.values())
    assert "pkg:cargo/internal-sdk@2.1.0?repository_url=https://crates.example.eu/api/v1/crates/" in found


# --- .NET project files ------------------------------------------------------------------------------------------


def test_csproj_with_central_package_management():
    result = read_file(DOTNET / "src" / "Web" / "Web.csproj", root=DOTNET)
    assert result.format == "msbuild-project"
    components = by_ref(result)
    assert set(components) == {
        "awssdk.s3@3.7.400",  # $(AwsSdkVersion) of Directory.Packages.props
        "serilog@4.1.0",  # VersionOverride, NuGet-normalised (4.1.0.0)
        "serilog.sinks.console@6.0.0",  # "6.0" normalised
        "npgsql",  # a range
        "opentelemetry.extensions.hosting@1.9.0",  # $(OtelVersion) of Directory.Build.props
        "microsoft.sourcelink.github@8.0.0",
        "stylecop.analyzers@1.2.0-beta.556",  # GlobalPackageReference of the central file
    }  # $(ExtraPackage) cannot be resolved and is left out
    assert components["npgsql"].properties == {"specifier": "[8.0.4, 9.0)"}
    assert components["microsoft.sourcelink.github@8.0.0"].scope == "dev"  # PrivateAssets all
    assert components["stylecop.analyzers@1.2.0-beta.556"].scope == "dev"
    assert components["stylecop.analyzers@1.2.0-beta.556"].sources[0].path.endswith("central/Directory.Packages.props")
    assert set(result.roots) == set(components)
    assert components["awssdk.s3@3.7.400"].purl == "pkg:nuget/AWSSDK.S3@3.7.400"
    assert components["awssdk.s3@3.7.400"].sources[0].line == 8


def test_fsproj_versions_from_elements_updates_and_properties():
    components = by_ref(read_file(DOTNET / "src" / "Lib" / "Lib.fsproj"))
    assert set(components) == {"fsharp.core@8.0.400", "dapper@2.1.35", "polly"}
    assert components["polly"].properties == {"specifier": "8.*"}


def test_directory_packages_props_on_its_own():
    result = read_file(DOTNET / "Directory.Packages.props")
    components = by_ref(result)
    assert len(components) == 7
    assert components["newtonsoft.json@13.0.3"].direct is None  # a version the solution allows, not known as used
    assert result.roots == ["stylecop.analyzers@1.2.0-beta.556"]


def test_packages_config():
    result = read_file(DOTNET / "src" / "Legacy" / "packages.config")
    assert result.format == "nuget-packages-config"
    components = by_ref(result)
    assert set(components) == {
        "entityframework@6.4.4",
        "microsoft.aspnet.mvc@5.3.0",
        "microsoft.codedom.providers.dotnetcompilerplatform@2.0.1",
    }
    assert components["microsoft.codedom.providers.dotnetcompilerplatform@2.0.1"].scope == "dev"
    assert components["entityframework@6.4.4"].properties["target_frameworks"] == ["net48"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1.2.3", ("1.2.3", None)),
        ("[1.2.3]", ("1.2.3", None)),
        ("1.0", ("1.0.0", None)),
        ("4.0.2.5", ("4.0.2.5", None)),
        ("1.0.0.0", ("1.0.0", None)),
        ("01.002.3", ("1.2.3", None)),
        ("2.0.0-Preview.1+build.5", ("2.0.0-Preview.1", None)),
        ("[1.0,2.0)", (None, "[1.0,2.0)")),
        ("1.*", (None, "1.*")),
        ("$(Unknown)", (None, "$(Unknown)")),
        ("  ", (None, None)),
    ],
)
def test_nuget_version_normalisation(raw, expected):
    assert nuget_version(raw) == expected


def test_msbuild_refuses_dtds(tmp_path):
    error = read_error(
        tmp_path / "Evil.csproj",
        '<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x "y">]><Project><ItemGroup>'
        '<PackageReference Include="A" Version="&x;" /></ItemGroup></Project>',
    )
    assert "unsafe XML refused" in error.message


def test_dotnet_folder_reports_each_package_once(cli):
    found = packages(scan_report(cli, DOTNET))
    assert all(c["version"] for c in found.values())  # Npgsql's range and Polly's float folded into the lock
    assert "pkg:nuget/Npgsql@8.0.5" in found and "pkg:nuget/Polly@8.4.1" in found
    # the lock's 12, packages.config's 3, and Serilog 4.0.1: the central version the Web project overrides
    assert len(found) == 16


# --- Pipfile -----------------------------------------------------------------------------------------------------


def test_pipfile_declarations():
    result = read_file(FIXTURES / "python" / "pipfile-categories" / "Pipfile")
    assert result.format == "pipfile"
    components = by_ref(result)
    assert set(components) == {
        "django==5.1.2",
        "boto3",
        "celery",
        "pywin32==306",
        "uvloop",
        "internal-sdk==2.3.0",
        "toolbelt",
        "wheelhouse-pkg",
        "vendored",
        "pytest",
        "django",  # "*" in dev-packages: pipenv locks each category on its own
        "sphinx==8.0.2",
    }  # the editable project itself (path ".") and an invalid name are left out
    assert components["boto3"].properties["specifier"] == ">=1.35,<2"
    assert components["boto3"].properties["registry"] == "https://nexus.example.eu/repository/pypi-proxy/simple"
    assert components["internal-sdk==2.3.0"].properties["registry"] == "https://pypi.org/simple"
    assert components["celery"].properties["extras"] == ["redis"]
    assert components["pywin32==306"].properties["marker"] == "sys_platform == 'win32'"
    assert components["uvloop"].properties["marker"] == (
        "(sys_platform != 'win32') and (platform_python_implementation == 'CPython')"
    )
    assert components["toolbelt"].repository == "https://github.com/example/toolbelt.git"
    assert (components["pytest"].scope, components["pytest"].properties["groups"]) == ("dev", ["docs"])
    assert components["sphinx==8.0.2"].scope == "dev"
    assert components["django"].scope == "dev" and components["django==5.1.2"].scope is None
    assert components["celery"].sources[0].line == 14


def test_pipfile_beside_its_lock_reports_each_package_once(cli):
    found = packages(scan_report(cli, FIXTURES / "python" / "pipenv"))
    assert set(found) == {c.purl for c in read_file(FIXTURES / "python" / "pipenv" / "Pipfile.lock").components}
    direct = {c["name"].lower() for c in found.values() if c["direct"]}
    assert direct == {"requests", "internal-sdk", "toolbelt", "pytest", "idna"}


# --- requirements in a requirements/ folder ----------------------------------------------------------------------


def test_requirements_in_from_a_requirements_folder():
    result = read_file(FIXTURES / "python" / "requirements-folder" / "requirements" / "base.in")
    assert result.format == "pip-requirements"
    assert [c.purl for c in result.components] == [
        "pkg:pypi/django",
        "pkg:pypi/boto3",
        "pkg:pypi/celery",
        "pkg:pypi/requests",
    ]


def test_bare_names_are_requirements_only_where_the_folder_says_so(tmp_path):
    content = "flask\nrequests  # HTTP\n"
    assert read_file(write(tmp_path / "requirements" / "web.txt", content)).format == "pip-requirements"
    assert read_file(write(tmp_path / "constraints" / "web.in", content)).format == "pip-requirements"
    with pytest.raises(InputError, match="unrecognised format"):
        read_file(write(tmp_path / "notes" / "web.txt", content))
    with pytest.raises(InputError, match="unrecognised format"):  # prose in a requirements folder
        read_file(write(tmp_path / "requirements" / "README.txt", "Run pip-compile to refresh these files.\n"))


def test_requirements_folder_scan_skips_prose_and_folds_the_in_file(cli):
    folder = FIXTURES / "python" / "requirements-folder"
    report = scan_report(cli, folder)
    assert {Path(s["path"]).name for s in report["sources"]} == {"base.in", "base.txt", "constraints.txt"}
    assert not any(s.get("error") for s in report["sources"])
    found = packages(report)
    assert len(found) == 5 and all(c["version"] for c in found.values())


# --- registry configuration --------------------------------------------------------------------------------------

SECRETS = (
    "hunter2-PASSWORD",
    "deploy-bot",
    "QUERY-SECRET-42",
    "npm_SECRETTOKEN1234567890abcdef",
    "ghp_SECRETGITHUBTOKEN0987654321",
    "c2VjcmV0LXVzZXI6c2VjcmV0LXBhc3M=",
    "release@acme.example",
    "npm_YARNSECRET000111222",
    "ghp_YARNSCOPESECRET",
    "SECRETIDENT",
    "npm_REGISTRIESSECRET",
)


def test_npmrc_registries():
    result = read_file(NPM_APP / ".npmrc")
    assert result.format == "npmrc"
    registries = {c.name: c for c in result.components}
    assert set(registries) == {
        "https://acme.jfrog.io/artifactory/api/npm/npm-virtual",
        "https://npm.pkg.github.com",
        "https://npm.example.eu/repository/npm",  # user, password, query and fragment dropped
    }
    assert all(c.kind == "registry" and c.endpoints == [c.name] for c in result.components)
    assert registries["https://acme.jfrog.io/artifactory/api/npm/npm-virtual"].properties["default"] is True
    assert registries["https://npm.pkg.github.com"].properties["scopes"] == ["@acme"]
    assert registries["https://npm.pkg.github.com"].sources[0].line == 3


def test_yarnrc_yml_registries():
    result = read_file(FIXTURES / "npm" / "yarn-berry-registry" / ".yarnrc.yml")
    assert result.format == "yarnrc-yml"
    assert {c.name: c.properties.get("scopes") for c in result.components} == {
        "https://registry.example.eu/npm": None,
        "https://npm.pkg.github.com": ["@acme"],
        "https://nexus.example.eu/repository/npm-internal": ["@internal"],  # ${VAR:-default}: the default
    }


def test_yarnrc_classic_registries(tmp_path):
    path = write(
        tmp_path / ".yarnrc",
        '# yarn lockfile v1 settings\nregistry "https://registry.example.eu/"\n'
        '"@acme:registry" "https://npm.pkg.github.com"\n"//npm.pkg.github.com/:_authToken" "ghp_SECRET"\n',
    )
    result = read_file(path)
    assert result.format == "npmrc"
    assert {c.name for c in result.components} == {"https://registry.example.eu", "https://npm.pkg.github.com"}


def test_configuration_without_registry_is_valid_and_empty(tmp_path):
    assert read_file(write(tmp_path / ".yarnrc.yml", "nodeLinker: node-modules\n")).components == []
    assert read_file(write(tmp_path / ".npmrc", "save-exact=true\nregistry=${NPM_REGISTRY}\n")).components == []
    assert read_file(write(tmp_path / "x" / ".yarnrc.yml", "# nothing set\n")).components == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://user:pass@host.eu:8443/npm/?token=x#y", "https://host.eu:8443/npm"),
        ('"https://Registry.example.eu/"', "https://registry.example.eu"),
        ("${REGISTRY:-https://fallback.example.eu}", "https://fallback.example.eu"),
        ("${REGISTRY}", None),
        ("https://${HOST}/npm", None),
        ("ftp://host/x", None),
        ("not a url", None),
        ("https://host:99999999/", None),
        (None, None),
    ],
)
def test_public_url(value, expected):
    assert public_url(value) == expected


def test_registry_configuration_never_leaks_credentials(cli, tmp_path):
    """Tokens, passwords and e-mails of .npmrc and .yarnrc.yml appear in no report and no error message."""
    folder = tmp_path / "app"
    write(folder / ".npmrc", (NPM_APP / ".npmrc").read_text())
    write(folder / "web" / ".yarnrc.yml", (FIXTURES / "npm/yarn-berry-registry/.yarnrc.yml").read_text())
    # broken YAML whose problem sits on the token's line
    write(folder / "broken" / ".yarnrc.yml", 'npmAuthToken: "npm_SECRETTOKEN1234567890abcdef\n  x: [\n')
    write(folder / "tab" / ".yarnrc.yml", "npmScopes:\n\tacme: {npmAuthToken: ghp_SECRETGITHUBTOKEN0987654321}\n")
    outputs = []
    for report_format in ("json", "html", "csv", "sarif", "cyclonedx", "markdown"):
        run = cli("scan", str(folder), "-f", report_format, "--fail-on", "none", "--no-installed")
        assert run.code == 3  # the broken files are reported as unreadable
        outputs.append(run.stdout + run.stderr)
    assert "invalid YAML" in outputs[0]
    for secret in SECRETS:
        assert not any(secret in output for output in outputs), secret


def test_yaml_error_messages_do_not_quote_the_file(tmp_path):
    error = read_error(tmp_path / ".yarnrc.yml", "npmScopes:\n  acme:\n    npmAuthToken: '{{ SECRET-42\n")
    assert "SECRET-42" not in str(error) and error.line is not None


def test_registry_from_configuration_is_attributed_to_its_vendor(cli):
    vendors = {c["name"]: (c["vendor"] or {}).get("id") for c in scan_report(cli, NPM_APP / ".npmrc")["components"]}
    assert vendors["https://acme.jfrog.io/artifactory/api/npm/npm-virtual"] == "jfrog"
    assert vendors["https://npm.pkg.github.com"] == "github"


@pytest.mark.parametrize("name", ["package.json", "composer.json", "Cargo.toml", "Pipfile", ".npmrc", ".yarnrc.yml"])
def test_detection_by_name_needs_the_right_content(tmp_path, name):
    """A binary or foreign file under a manifest's name is refused with one clear line, not a traceback."""
    path = tmp_path / name
    path.write_bytes(b"<html><body>not a manifest</body></html>\n")
    try:
        result = read_file(path)
    except InputError as error:
        assert not error.message.startswith("could not read as"), error.message
    else:
        assert result.components == []
