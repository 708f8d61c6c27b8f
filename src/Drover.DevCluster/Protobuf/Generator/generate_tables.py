#!/usr/bin/env python3
"""Generates KubeProtoTables.g.cs: the protobuf field tables the dev cluster decodes request bodies with.

Field numbers and wire types come from the upstream generated.proto files; JSON names, field order,
omitempty/omitzero, pointers and inlined structs come from the Go struct tags in the same packages
(types.go and friends), because a protobuf body must decode to exactly the JSON that json.Marshal of
the same Go object would produce. Every field number is checked against the Go protobuf tag.

Usage (each argument is a local git clone and the tag to read, nothing is copied):
  generate_tables.py --api CLONE@v0.35.7 --apimachinery CLONE@v0.35.7 \
      --apiextensions CLONE@v0.35.7 > ../KubeProtoTables.g.cs
"""

import argparse
import re
import subprocess
import sys

# The request bodies the codec understands: (apiVersion, kind) -> root message. apiVersion "*" matches any
# (DeleteOptions is registered unversioned, so clients label it "v1" or with the resource's group version).
ROOTS = [
    ("v1", "Namespace", "k8s.io.api.core.v1.Namespace"),
    ("v1", "Secret", "k8s.io.api.core.v1.Secret"),
    ("v1", "ConfigMap", "k8s.io.api.core.v1.ConfigMap"),
    ("v1", "ServiceAccount", "k8s.io.api.core.v1.ServiceAccount"),
    ("v1", "Service", "k8s.io.api.core.v1.Service"),
    ("v1", "Event", "k8s.io.api.core.v1.Event"),
    ("v1", "Pod", "k8s.io.api.core.v1.Pod"),
    ("v1", "PersistentVolumeClaim", "k8s.io.api.core.v1.PersistentVolumeClaim"),
    ("v1", "PersistentVolume", "k8s.io.api.core.v1.PersistentVolume"),
    ("apps/v1", "Deployment", "k8s.io.api.apps.v1.Deployment"),
    ("apps/v1", "ReplicaSet", "k8s.io.api.apps.v1.ReplicaSet"),
    ("batch/v1", "Job", "k8s.io.api.batch.v1.Job"),
    ("batch/v1", "CronJob", "k8s.io.api.batch.v1.CronJob"),
    ("networking.k8s.io/v1", "NetworkPolicy", "k8s.io.api.networking.v1.NetworkPolicy"),
    ("policy/v1", "PodDisruptionBudget", "k8s.io.api.policy.v1.PodDisruptionBudget"),
    ("coordination.k8s.io/v1", "Lease", "k8s.io.api.coordination.v1.Lease"),
    ("rbac.authorization.k8s.io/v1", "Role", "k8s.io.api.rbac.v1.Role"),
    ("rbac.authorization.k8s.io/v1", "RoleBinding", "k8s.io.api.rbac.v1.RoleBinding"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole", "k8s.io.api.rbac.v1.ClusterRole"),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "k8s.io.api.rbac.v1.ClusterRoleBinding"),
    ("apiextensions.k8s.io/v1", "CustomResourceDefinition",
     "k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition"),
    ("events.k8s.io/v1", "Event", "k8s.io.api.events.v1.Event"),
    ("autoscaling/v1", "Scale", "k8s.io.api.autoscaling.v1.Scale"),
    ("*", "DeleteOptions", "k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions"),
]

# Messages whose Go type marshals itself (MarshalJSON) rather than as a struct: their JSON form.
FORMS = {
    "k8s.io.apimachinery.pkg.apis.meta.v1.Time": "Time",
    "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime": "MicroTime",
    "k8s.io.apimachinery.pkg.apis.meta.v1.Duration": "Duration",
    "k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1": "RawJson",
    "k8s.io.apimachinery.pkg.api.resource.Quantity": "Quantity",
    "k8s.io.apimachinery.pkg.util.intstr.IntOrString": "IntOrString",
    "k8s.io.apimachinery.pkg.runtime.RawExtension": "RawExtension",
    "k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.JSON": "RawJson",
    "k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool": "SchemaOrBool",
    "k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray": "SchemaOrArray",
    "k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray": "SchemaOrStringArray",
}

SCALARS = {
    "string": "String", "bool": "Bool", "bytes": "Bytes",
    "int32": "Int32", "int64": "Int64", "uint32": "UInt32", "uint64": "UInt64",
    "double": "Double", "float": "Float",
}


def git_show(clone, tag, path):
    return subprocess.run(["git", "-C", clone, "show", f"{tag}:{path}"], check=True, capture_output=True, text=True).stdout


def git_ls(clone, tag, directory):
    out = subprocess.run(["git", "-C", clone, "ls-tree", "--name-only", f"{tag}:{directory}"], check=True, capture_output=True, text=True).stdout
    return out.split()


def commit_of(clone, tag):
    return subprocess.run(["git", "-C", clone, "rev-parse", f"{tag}^{{commit}}"], check=True, capture_output=True, text=True).stdout.strip()


class Module:
    def __init__(self, name, spec, prefix):
        self.name = name
        self.clone, self.tag = spec.rsplit("@", 1)
        self.prefix = prefix  # proto package prefix, e.g. "k8s.io.api."
        self.commit = commit_of(self.clone, self.tag)


def package_dir(module, package):
    rest = package[len(module.prefix):]
    return rest.replace(".", "/")


FIELD_RE = re.compile(r"^\s*(optional|repeated|required)\s+([\w.]+)\s+(\w+)\s*=\s*(\d+)\s*;")
MAP_RE = re.compile(r"^\s*map<\s*(\w+)\s*,\s*([\w.]+)\s*>\s+(\w+)\s*=\s*(\d+)\s*;")


def parse_proto(text):
    package = re.search(r"^package\s+([\w.]+);", text, re.M).group(1)
    messages = {}
    current = None
    for line in text.splitlines():
        start = re.match(r"^message\s+(\w+)\s*{", line)
        if start:
            current = []
            messages[f"{package}.{start.group(1)}"] = current
            continue
        if current is None:
            continue
        if line.startswith("}"):
            current = None
            continue
        m = FIELD_RE.match(line)
        if m:
            current.append({"label": m.group(1), "type": m.group(2), "name": m.group(3), "number": int(m.group(4)), "map": None})
            continue
        m = MAP_RE.match(line)
        if m:
            current.append({"label": "map", "type": m.group(2), "name": m.group(3), "number": int(m.group(4)), "map": m.group(1)})
    return package, messages


STRUCT_RE = re.compile(r"^type\s+(\w+)\s+struct\s*{\s*$")
GO_FIELD_RE = re.compile(r"^\s*(?:(\w+)\s+)?([*\[\]\w.]+(?:\[[\w.]+\][*\w.]+)?)\s+`([^`]*)`")


def parse_go_structs(text):
    structs = {}
    marshalers = set(re.findall(r"^func \(\w+ \*?(\w+)\) MarshalJSON\(", text, re.M))
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        empty = re.match(r"^type\s+(\w+)\s+struct\s*{\s*}", lines[i])
        if empty:
            structs[empty.group(1)] = []
            i += 1
            continue
        m = STRUCT_RE.match(lines[i])
        if not m:
            i += 1
            continue
        name = m.group(1)
        fields = []
        i += 1
        while i < len(lines) and not lines[i].startswith("}"):
            line = lines[i].split("//", 1)[0] if not lines[i].strip().startswith("//") else ""
            f = GO_FIELD_RE.match(lines[i]) if line.strip() else None
            if f:
                go_name, go_type, tags = f.group(1), f.group(2), f.group(3)
                json_tag = re.search(r'json:"([^"]*)"', tags)
                proto_tag = re.search(r'protobuf:"([^"]*)"', tags)
                fields.append({
                    "goName": go_name or go_type.split(".")[-1].lstrip("*"),
                    "goType": go_type,
                    "embedded": go_name is None,
                    "json": json_tag.group(1) if json_tag else None,
                    "proto": proto_tag.group(1) if proto_tag else None,
                })
            i += 1
        structs[name] = fields
    return structs, marshalers


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--api", required=True, help="k8s.io/api clone@tag")
    parser.add_argument("--apimachinery", required=True, help="k8s.io/apimachinery clone@tag")
    parser.add_argument("--apiextensions", required=True, help="k8s.io/apiextensions-apiserver clone@tag")
    args = parser.parse_args()
    modules = [
        Module("k8s.io/api", args.api, "k8s.io.api."),
        Module("k8s.io/apimachinery", args.apimachinery, "k8s.io.apimachinery."),
        Module("k8s.io/apiextensions-apiserver", args.apiextensions, "k8s.io.apiextensions_apiserver."),
    ]

    protos = {}      # message full name -> fields
    go = {}          # package -> (structs, marshalers)
    sources = []     # (module, path) actually read
    loaded = set()

    def module_for(package):
        for module in modules:
            if package.startswith(module.prefix):
                return module
        raise SystemExit(f"no module serves proto package {package}")

    def load(package):
        if package in loaded:
            return
        loaded.add(package)
        module = module_for(package)
        directory = package_dir(module, package)
        path = f"{directory}/generated.proto"
        _, messages = parse_proto(git_show(module.clone, module.tag, path))
        protos.update(messages)
        sources.append((module, path))
        structs, marshalers = {}, set()
        for name in git_ls(module.clone, module.tag, directory):
            if not name.endswith(".go") or name.endswith("_test.go") or name.startswith("zz_generated") or name == "generated.pb.go":
                continue
            s, m = parse_go_structs(git_show(module.clone, module.tag, f"{directory}/{name}"))
            structs.update(s)
            marshalers |= m
        go[package] = (structs, marshalers)

    order = []
    index = {}

    def visit(full):
        if full in index:
            return
        package = full.rsplit(".", 1)[0]
        load(package)
        if full not in protos:
            raise SystemExit(f"{full} is not in {package}'s generated.proto")
        index[full] = len(order)
        order.append(full)
        for field in protos[full]:
            ref = resolve(field["type"], package)
            if ref is not None:
                visit(ref)

    def resolve(proto_type, package):
        if proto_type in SCALARS:
            return None
        if proto_type.startswith("."):
            return proto_type[1:]
        return f"{package}.{proto_type}"

    for _, _, root in ROOTS:
        visit(root)

    out = []
    for full in order:
        package, short = full.rsplit(".", 1)
        structs, marshalers = go[package]
        form = FORMS.get(full, "Struct")
        if form == "Struct" and short in marshalers:
            raise SystemExit(f"{full}: the Go type has its own MarshalJSON; give it a form in FORMS")
        proto_fields = {f["number"]: f for f in protos[full]}
        if form != "Struct":
            # Marshalled by hand: the fields are read by number, the decoder knows the JSON shape.
            fields = [(f, {"json": f["name"], "goType": "", "omitempty": False, "omitzero": False, "inline": False}) for f in protos[full]]
        else:
            if short not in structs:
                raise SystemExit(f"{full}: no Go struct {short} in {package}")
            fields = []
            seen = set()
            for g in structs[short]:
                if g["proto"] is None:
                    if g["json"] not in (",inline", "-") and not (g["json"] or "").startswith("-"):
                        raise SystemExit(f"{full}.{g['goName']}: a JSON field with no protobuf tag")
                    continue
                number = int(g["proto"].split(",")[1])
                if number not in proto_fields:
                    raise SystemExit(f"{full}.{g['goName']}: protobuf tag {number} is not in generated.proto")
                parts = (g["json"] or "").split(",")
                json_name = parts[0]
                inline = "inline" in parts[1:]
                if json_name == "" and not inline:
                    json_name = g["goName"]
                fields.append((proto_fields[number], {
                    "json": json_name,
                    "goType": g["goType"],
                    "omitempty": "omitempty" in parts[1:],
                    "omitzero": "omitzero" in parts[1:],
                    "inline": inline,
                }))
                seen.add(number)
            missing = set(proto_fields) - seen
            if missing:
                raise SystemExit(f"{full}: proto fields {sorted(missing)} have no Go field")
        out.append((full, form, fields))

    emit(modules, sources, index, out)


def emit(modules, sources, index, messages):
    w = sys.stdout.write
    w("// <auto-generated>\n")
    w("// Generated by Protobuf/Generator/generate_tables.py from the upstream Kubernetes API definitions:\n")
    for module in modules:
        w(f"//   {module.name} {module.tag} (commit {module.commit})\n")
    w("// Field numbers and wire types from these generated.proto files; JSON names, order and omitempty from the\n")
    w("// Go struct tags beside them:\n")
    for module, path in sources:
        w(f"//   {module.name}/{path}\n")
    w("// Do not edit by hand: change the generator and run it again.\n")
    w("// </auto-generated>\n\n")
    w("namespace Drover.DevCluster.Protobuf;\n\n")
    w("internal static partial class KubeProtoTables\n{\n")
    for full, i in sorted(index.items(), key=lambda p: p[1]):
        w(f"    private const int {const_name(full)} = {i};\n")
    w("\n    public static IReadOnlyList<(string ApiVersion, string Kind, int Message)> Roots { get; } =\n    [\n")
    for api_version, kind, root in ROOTS:
        w(f'        ("{api_version}", "{kind}", {const_name(root)}),\n')
    w("    ];\n\n")
    w("    public static IReadOnlyList<ProtoMessage> Messages { get; } =\n    [\n")
    for full, form, fields in messages:
        package = full.rsplit(".", 1)[0]
        w(f'        new("{full}", ProtoJsonForm.{form},\n        [\n')
        for proto, go in fields:
            w("            " + field_line(proto, go, package, index) + ",\n")
        w("        ]),\n")
    w("    ];\n}\n")


def const_name(full):
    """A C# constant for a message: CoreV1Pod, AppsV1Deployment, MetaV1ObjectMeta, IntStrIntOrString, ..."""
    short = full.rsplit(".", 1)[1]
    for prefix, name in (("k8s.io.apimachinery.pkg.apis.meta.v1.", "MetaV1"), ("k8s.io.apimachinery.pkg.api.resource.", "Resource"),
                         ("k8s.io.apimachinery.pkg.util.intstr.", "IntStr"), ("k8s.io.apimachinery.pkg.runtime.", "Runtime"),
                         ("k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.", "ApiextensionsV1")):
        if full.startswith(prefix):
            return name + short
    group, version = full.split(".")[-3:-1]
    return f"{group[0].upper()}{group[1:]}{version[0].upper()}{version[1:]}{short}"


def field_line(proto, go, package, index):
    flags = []
    if proto["label"] == "repeated":
        flags.append("Repeated")
    if proto["label"] == "map":
        if proto["map"] != "string":
            raise SystemExit(f"map key {proto['map']} is not string")
        flags.append("Map")
    if go["omitempty"]:
        flags.append("OmitEmpty")
    if go["omitzero"]:
        flags.append("OmitZero")
    if go["goType"].startswith("*"):
        flags.append("Pointer")
    if go["inline"]:
        flags.append("Inline")
    proto_type = proto["type"]
    if proto_type in SCALARS:
        kind, message = SCALARS[proto_type], "-1"
    else:
        full = proto_type[1:] if proto_type.startswith(".") else f"{package}.{proto_type}"
        kind, message = "Message", const_name(full)
    flag_text = " | ".join(f"ProtoFieldFlags.{f}" for f in flags) if flags else "ProtoFieldFlags.None"
    return f'new({proto["number"]}, "{go["json"]}", ProtoKind.{kind}, {message}, {flag_text})'


if __name__ == "__main__":
    main()
