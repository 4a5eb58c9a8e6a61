"""Terraform and OpenTofu: providers, registry modules and state backends.

Providers are the plugins that drive a cloud's API: the infrastructure an
application runs on. They are read the way `terraform init` resolves them:

- `.terraform.lock.hcl` pins each provider (`provider "registry.terraform.io/hashicorp/aws"
  { version = "5.47.0" }`): one component per provider, with the exact version.
- `*.tf` / `*.tofu`: every provider the file uses, whether declared in
  `terraform { required_providers { aws = { source = "hashicorp/aws", version = "~> 5.0" } } }`,
  configured in a `provider "aws" {}` block, or implied by a resource or
  data source type (`aws_instance` uses the provider named `aws`). A local name
  is mapped to its source by the module's `required_providers`, looked up in
  this file first, then in the other `.tf` files of its directory (one module);
  a name declared nowhere is `hashicorp/<name>`, as Terraform assumes
  (`properties["implied"]` says so).

Components: ecosystem `terraform`, `terraform_provider = "namespace/type"` for
the vendor matcher, kind `infrastructure`, except HashiCorp's utility
providers (random, null, tls, local, time...), which only compute or touch
the machine running Terraform: `tooling`. Literal URLs configured in a
provider block (`auth_url = "https://auth.cloud.ovh.net/v3/"`) become
endpoints: they say which cloud a generic provider such as OpenStack talks to.

Registry and Git modules (`module "vpc" { source = "terraform-aws-modules/vpc/aws" }`)
are `tooling`; local modules (`./modules/x`) are the project's own. A state
backend or HCP Terraform (`terraform { backend "s3" {...} }`, `cloud {...}`)
is a `service`: the state, secrets included, is stored there.

There is no purl type for Terraform providers or modules in the purl
specification, so these components carry none.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from depscan.errors import InputError
from depscan.ingest.base import InputFile, Reader, ReadResult, endpoint_of, read_related
from depscan.ingest.infra import hcl
from depscan.ingest.infra.images import ComponentSet
from depscan.model import Component, Location

DEFAULT_REGISTRY = "registry.terraform.io"
#: providers that manage nothing remote: they compute values or act on the machine running Terraform
LOCAL_UTILITY_PROVIDERS = {
    "hashicorp/random",
    "hashicorp/null",
    "hashicorp/local",
    "hashicorp/tls",
    "hashicorp/time",
    "hashicorp/archive",
    "hashicorp/external",
    "hashicorp/cloudinit",
    "hashicorp/template",
}
#: local names Terraform provides itself (`terraform_remote_state`, `terraform_data`)
_BUILT_IN = {"terraform"}
_TOP_BLOCK = re.compile(
    r"^[ \t]*(?:terraform|provider|resource|data|module|variable|output|locals|moved|import|check|removed)\b[^\n=]*\{",
    re.MULTILINE,
)
_LOCK_PROVIDER = re.compile(r"^provider\s+\"[^\"/\s]+/[^\"/\s]+/[^\"/\s]+\"\s*\{", re.MULTILINE)
_EXACT_VERSION = re.compile(r"^=?\s*v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$")
_LOCAL_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_MAX_SIBLINGS = 500
_MAX_SIBLING_BYTES = 4 << 20


class TerraformLockReader(Reader):
    format = "terraform-lock"
    filenames = (".terraform.lock.hcl",)

    def sniff(self, source: InputFile) -> bool:
        text = source.sniff_text()
        if text is None:
            return False
        return bool(_LOCK_PROVIDER.search(text))

    def read(self, source: InputFile) -> ReadResult:
        body = hcl.parse(source)
        found = ComponentSet()
        for block in body.blocks_of("provider"):
            if len(block.labels) != 1:
                raise source.error("a provider lock needs exactly one label (its address)", block.line)
            address = _address(block.labels[0])
            if address is None:
                raise source.error(f"invalid provider address {block.labels[0]!r}", block.line)
            version = _literal(block.body.attributes.get("version"))
            component = _provider_component(address, version, source.display, block.line)
            constraints = _literal(block.body.attributes.get("constraints"))
            if constraints:
                component.properties["constraint"] = constraints
            component.properties["locked"] = True
            found.add(component)
        return found.result(self.format)


class TerraformReader(Reader):
    format = "terraform"
    filenames = ("*.tf", "*.tofu")

    def sniff(self, source: InputFile) -> bool:
        text = source.sniff_text()
        if text is None:
            return False
        if _LOCK_PROVIDER.search(text) and "required_providers" not in text:
            return False  # a lock file under another name
        return source.path.suffix.lower() in (".tf", ".tofu") or bool(_TOP_BLOCK.search(text))

    def read(self, source: InputFile) -> ReadResult:
        body = hcl.parse(source)
        found = ComponentSet()
        declared = _required_providers(source, body)
        uses: dict[str, int] = {}  # local name -> first line where this file uses it
        for name, (_, _, line) in declared.items():
            uses.setdefault(name, line)
        provider_blocks = body.blocks_of("provider")
        for block in provider_blocks:
            if block.labels:
                uses.setdefault(block.labels[0], block.line)
        for block in body.blocks:
            if block.type in ("resource", "data", "ephemeral") and block.labels:
                name = _provider_of_resource(block)
                if name:
                    uses.setdefault(name, block.line)
        module_requirements: dict[str, tuple[str, str | None, int]] | None = None
        by_local_name: dict[str, Component] = {}
        for name, line in sorted(uses.items(), key=lambda item: item[1]):
            if name in _BUILT_IN:
                continue
            implied = False
            if name in declared:
                source_address, constraint, _ = declared[name]
            else:
                if module_requirements is None:
                    module_requirements = _sibling_requirements(source.path)
                if name in module_requirements:
                    source_address, constraint, _ = module_requirements[name]
                else:
                    source_address, constraint, implied = f"hashicorp/{name}", None, True
            address = _address(source_address)
            if address is None:
                raise source.error(f"invalid provider source {source_address!r} for {name!r}", line)
            exact = _exact(constraint)
            component = _provider_component(address, exact, source.display, line)
            if constraint and not exact:
                component.properties["constraint"] = constraint
            if implied:
                component.properties["implied"] = True
            by_local_name[name] = found.add(component)
        for block in provider_blocks:
            component = by_local_name.get(block.labels[0]) if block.labels else None
            if component is not None:
                if Location(source.display, block.line) not in component.sources:
                    component.sources.append(Location(source.display, block.line))
                for endpoint in _configured_urls(block.body):
                    if endpoint not in component.endpoints:
                        component.endpoints.append(endpoint)
        for block in body.blocks_of("module"):
            component = _module_component(block, source.display)
            if component is not None:
                found.add(component)
        for terraform in body.blocks_of("terraform"):
            for backend in terraform.body.blocks_of("backend") + terraform.body.blocks_of("cloud"):
                component = _backend_component(backend, source.display)
                if component is not None:
                    found.add(component)
        return found.result(self.format)


def _literal(attribute: hcl.Attribute | None) -> str | None:
    if attribute is None or not isinstance(attribute.value, str):
        return None
    return attribute.value.strip() or None


def _address(text: str) -> tuple[str, str, str] | None:
    """`hashicorp/aws`, `registry.opentofu.org/hashicorp/aws` -> (host, namespace, type), lowercase."""
    parts = text.strip().lower().split("/")
    if len(parts) == 1:
        parts = [DEFAULT_REGISTRY, "hashicorp", parts[0]]
    elif len(parts) == 2:
        parts = [DEFAULT_REGISTRY, *parts]
    if len(parts) != 3 or not all(re.match(r"^[a-z0-9][a-z0-9._:-]*$", p) for p in parts):
        return None
    return parts[0], parts[1], parts[2]


def _exact(constraint: str | None) -> str | None:
    """The version when a constraint pins exactly one (`"3.67.0"`, `"= 3.67.0"`), else None."""
    if not constraint or "," in constraint:
        return None
    match = _EXACT_VERSION.match(constraint.strip())
    return match.group(1) if match else None


def _provider_component(address: tuple[str, str, str], version: str | None, display: str, line: int) -> Component:
    host, namespace, type_ = address
    key = f"{namespace}/{type_}"
    component = Component(
        name=key if host == DEFAULT_REGISTRY else f"{host}/{key}",
        version=version,
        ecosystem="terraform",
        kind="tooling" if key in LOCAL_UTILITY_PROVIDERS else "infrastructure",
        terraform_provider=key,
        sources=[Location(display, line)],
        properties={"role": "provider"},
    )
    if host != DEFAULT_REGISTRY:
        component.properties["registry"] = host
    return component


def _required_providers(source: InputFile, body: hcl.Body) -> dict[str, tuple[str, str | None, int]]:
    """Local name -> (source address, version constraint, line) from `terraform { required_providers {} }`."""
    declared: dict[str, tuple[str, str | None, int]] = {}
    for terraform in body.blocks_of("terraform"):
        for block in terraform.body.blocks_of("required_providers"):
            for name, attribute in block.body.attributes.items():
                value = attribute.value
                if isinstance(value, str):  # the 0.12 form: `aws = "~> 2.0"`
                    declared[name] = (f"hashicorp/{name}", value.strip() or None, attribute.line)
                elif isinstance(value, dict):
                    address = value.get("source")
                    constraint = value.get("version")
                    declared[name] = (
                        address.strip() if isinstance(address, str) and address.strip() else f"hashicorp/{name}",
                        constraint.strip() if isinstance(constraint, str) and constraint.strip() else None,
                        attribute.line,
                    )
                else:
                    raise source.error(f"required provider {name!r} is neither a string nor an object", attribute.line)
    return declared


def _provider_of_resource(block: hcl.Block) -> str | None:
    """The local provider name of a resource: its `provider` meta-argument, else its type's prefix."""
    meta = block.body.attributes.get("provider")
    if meta is not None:
        text = meta.value.text if isinstance(meta.value, hcl.Expression) else str(meta.value)
        name = text.strip().split(".", 1)[0].strip()
        return name if _LOCAL_NAME.match(name) else None
    prefix = block.labels[0].split("_", 1)[0]
    return prefix if _LOCAL_NAME.match(prefix) else None


def _sibling_requirements(path: Path) -> dict[str, tuple[str, str | None, int]]:
    """`required_providers` declared elsewhere in the same module (directory); unreadable files are skipped."""
    try:
        directory = path.resolve().parent
        siblings = sorted(
            p for p in directory.iterdir() if p.suffix.lower() in (".tf", ".tofu") and p.name != path.name
        )[:_MAX_SIBLINGS]
        signature = tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in siblings)
    except OSError:
        return {}
    return dict(_module_requirements(str(directory), signature))


@lru_cache(maxsize=256)
def _module_requirements(directory: str, signature: tuple[tuple[str, int, int], ...]) -> tuple[Any, ...]:
    merged: dict[str, tuple[str, str | None, int]] = {}
    for name, _, size in signature:
        if size > _MAX_SIBLING_BYTES:
            continue
        try:
            data = read_related(Path(directory) / name, name, _MAX_SIBLING_BYTES)
            if data is None:
                continue
            sibling = InputFile(Path(directory) / name, name, data)
            if "required_providers" not in sibling.text:
                continue
            for local, value in _required_providers(sibling, hcl.parse(sibling)).items():
                merged.setdefault(local, value)
        except InputError:
            continue  # that file reports its own error when it is scanned
    return tuple(merged.items())


def _configured_urls(body: hcl.Body) -> list[str]:
    urls: list[str] = []
    for attribute in body.attributes.values():
        if isinstance(attribute.value, str) and attribute.value.strip().startswith(("https://", "http://")):
            endpoint = endpoint_of(attribute.value)
            if endpoint:
                urls.append(endpoint)
    return urls


def _module_component(block: hcl.Block, display: str) -> Component | None:
    written = _literal(block.body.attributes.get("source"))
    if written is None or written.startswith(("./", "../", "/")):
        return None  # a local module, or a computed source (not allowed by Terraform anyway)
    version_constraint = _literal(block.body.attributes.get("version"))
    address = written
    forced = ""
    if "::" in address.split("/", 1)[0]:
        forced, _, address = address.partition("::")
    ref = None
    if "?" in address:
        address, _, query = address.partition("?")
        for pair in query.split("&"):
            key, _, value = pair.partition("=")
            if key == "ref" and value:
                ref = value
    subdir = ""
    scheme_end = address.find("://")
    cut = address.find("//", scheme_end + 3 if scheme_end != -1 else 0)
    if cut != -1:
        address, subdir = address[:cut], address[cut + 2 :]
    component = Component(
        name=address,
        ecosystem="terraform",
        kind="tooling",
        sources=[Location(display, block.line)],
        properties={"role": "module", "source": written},
    )
    if subdir:
        component.properties["subdirectory"] = subdir
    parts = address.split("/")
    registry_module = (
        not forced
        and "://" not in address
        and (len(parts) == 3 or (len(parts) == 4 and "." in parts[0]))
        and not address.startswith(("github.com/", "bitbucket.org/", "git@"))
    )
    if registry_module:
        namespace, name, target = parts[-3:]
        host = parts[0] if len(parts) == 4 else DEFAULT_REGISTRY
        component.name = "/".join(parts[-3:]) if host == DEFAULT_REGISTRY else address
        exact = _exact(version_constraint)
        component.version = exact
        if version_constraint and not exact:
            component.properties["constraint"] = version_constraint
        if host == DEFAULT_REGISTRY:
            # the public registry publishes modules from GitHub repositories named terraform-<provider>-<name>
            component.repository = f"https://github.com/{namespace}/terraform-{target}-{name}"
        else:
            component.endpoints = [f"https://{host}/"]
        return component
    component.version = ref
    if address.startswith("github.com/") or address.startswith("bitbucket.org/"):
        component.repository = f"https://{address.removesuffix('.git')}"
    elif address.startswith("git@"):
        component.repository = address
    elif "://" in address:
        if forced == "git" or address.endswith(".git"):
            component.repository = address
        endpoint = endpoint_of(address)
        component.endpoints = [endpoint] if endpoint else []
    return component


def _backend_component(block: hcl.Block, display: str) -> Component | None:
    """Where the state is kept: a `backend "type" {}` or a `cloud {}` (HCP Terraform) block."""
    kind = "cloud" if block.type == "cloud" else (block.labels[0] if block.labels else "")
    attributes = block.body.attributes

    def literal(name: str) -> str | None:
        return _literal(attributes.get(name))

    endpoint: str | None = None
    if kind in ("cloud", "remote"):
        endpoint = literal("hostname") or "app.terraform.io"
    elif kind == "s3":
        endpoints = attributes.get("endpoints")
        custom = endpoints.value.get("s3") if endpoints and isinstance(endpoints.value, dict) else None
        custom = custom if isinstance(custom, str) else literal("endpoint")
        region = literal("region")
        endpoint = custom or (f"s3.{region}.amazonaws.com" if region else "s3.amazonaws.com")
    elif kind == "gcs":
        endpoint = "storage.googleapis.com"
    elif kind == "azurerm":
        account = literal("storage_account_name")
        endpoint = f"{account}.blob.core.windows.net" if account else "blob.core.windows.net"
    elif kind == "oss":
        region = literal("region")
        endpoint = literal("endpoint") or (f"oss-{region}.aliyuncs.com" if region else "aliyuncs.com")
    elif kind == "cos":
        region = literal("region")
        endpoint = f"cos.{region}.myqcloud.com" if region else "myqcloud.com"
    elif kind in ("http", "consul", "swift"):
        endpoint = literal("address") or literal("auth_url")
    if endpoint is None:
        return None  # local state, or a self-hosted store whose address is computed
    component = Component(
        name=f"terraform-backend/{kind}",
        ecosystem="terraform",
        kind="service",
        sources=[Location(display, block.line)],
        properties={"role": "state-backend"},
    )
    component.endpoints = [endpoint if "://" in endpoint else f"https://{endpoint}/"]
    return component
