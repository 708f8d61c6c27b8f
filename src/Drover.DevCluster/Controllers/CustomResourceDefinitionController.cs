using System.Text.Json.Nodes;
using Drover.DevCluster.Protocol;
using Drover.DevCluster.Resources;
using Drover.DevCluster.Storage;
using Drover.DevCluster.Writes;

namespace Drover.DevCluster.Controllers;

/// <summary>
/// Serves custom resources: validates CRDs, accepts their names, marks them Established and
/// (re)registers their kinds; on deletion removes every instance, then the CRD and its kind.
/// </summary>
internal sealed class CustomResourceDefinitionController
{
    private const string CleanupFinalizer = "customresourcecleanup.apiextensions.k8s.io";
    private readonly ResourceOperations _operations;

    public CustomResourceDefinitionController(ResourceOperations operations)
    {
        _operations = operations;
    }

    private static ResourceType CrdType => BuiltinResources.All.First(t => t.Plural == "customresourcedefinitions");

    public static void Validate(ResourceType type, JsonObject crd)
    {
        if (type is not { Group: "apiextensions.k8s.io", Plural: "customresourcedefinitions" })
        {
            return;
        }

        var name = Json.String(crd, "metadata", "name") ?? string.Empty;
        var errors = new List<(string, string, string)>();
        var group = Json.String(crd, "spec", "group");
        var plural = Json.String(crd, "spec", "names", "plural");
        if (string.IsNullOrEmpty(group))
        {
            errors.Add(("spec.group", "FieldValueRequired", "Required value"));
        }

        if (string.IsNullOrEmpty(plural))
        {
            errors.Add(("spec.names.plural", "FieldValueRequired", "Required value"));
        }

        if (string.IsNullOrEmpty(Json.String(crd, "spec", "names", "kind")))
        {
            errors.Add(("spec.names.kind", "FieldValueRequired", "Required value"));
        }

        if (Json.String(crd, "spec", "scope") is not ("Namespaced" or "Cluster"))
        {
            errors.Add(("spec.scope", "FieldValueNotSupported", $"Unsupported value: \"{Json.String(crd, "spec", "scope")}\": supported values: \"Cluster\", \"Namespaced\""));
        }

        if (group is not null && plural is not null && name != $"{plural}.{group}")
        {
            errors.Add(("metadata.name", "FieldValueInvalid", $"Invalid value: \"{name}\": must be spec.names.plural+\".\"+spec.group"));
        }

        var versions = Json.At(crd, "spec", "versions") as JsonArray ?? [];
        if (versions.Count == 0)
        {
            errors.Add(("spec.versions", "FieldValueInvalid", "Invalid value: null: must have exactly one version marked as storage version"));
        }
        else if (versions.Count(v => Json.At(v, "storage")?.GetValue<bool>() == true) != 1)
        {
            errors.Add(("spec.versions", "FieldValueInvalid", "Invalid value: []apiextensions.CustomResourceDefinitionVersion: must have exactly one version marked as storage version"));
        }

        for (var i = 0; i < versions.Count; i++)
        {
            if (Json.At(versions[i], "schema", "openAPIV3Schema") is JsonObject schema)
            {
                try
                {
                    _ = new CustomResourceSchema(schema);
                }
                catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or NotSupportedException)
                {
                    errors.Add(($"spec.versions[{i}].schema.openAPIV3Schema", "FieldValueInvalid", $"Invalid value: \"\": {e.Message}"));
                }
            }
            else
            {
                errors.Add(($"spec.versions[{i}].schema.openAPIV3Schema", "FieldValueRequired", "Required value: schemas are required"));
            }
        }

        if (errors.Count > 0)
        {
            throw ApiException.Invalid("apiextensions.k8s.io", "CustomResourceDefinition", name, errors);
        }
    }

    /// <summary>Brings a CRD's status and the served kinds in line with its spec.</summary>
    public void Reconcile(StoredObject crd)
    {
        var current = crd;
        for (var attempt = 0; attempt < 8 && current is not null; attempt++)
        {
            var next = current.Clone();
            var names = Json.At(next, "spec", "names") as JsonObject ?? [];
            var kind = Json.String(names, "kind") ?? string.Empty;
            var accepted = (JsonObject)names.DeepClone();
            accepted["singular"] ??= kind.ToLowerInvariant();
            accepted["listKind"] ??= kind + "List";
            var status = next["status"] as JsonObject ?? [];
            next["status"] = status;
            status["acceptedNames"] = accepted;
            var stored = Json.Strings(status["storedVersions"]);
            var storage = (Json.At(next, "spec", "versions") as JsonArray ?? []).FirstOrDefault(v => Json.At(v, "storage")?.GetValue<bool>() == true);
            if (Json.String(storage, "name") is { } storageVersion && !stored.Contains(storageVersion))
            {
                stored.Add(storageVersion);
            }

            status["storedVersions"] = Json.ToArray(stored);
            ResourceOperations.SetCondition(next, "NamesAccepted", "True", "NoConflicts", "no conflicts found");
            ResourceOperations.SetCondition(next, "Established", "True", "InitialNamesAccepted", "the initial names have been accepted");
            Serve(next);
            if (_operations.ReplaceInternal(CrdType, current, next) is not null)
            {
                return;
            }

            current = _operations.ObjectStore.Get(CrdType.StorageKey, string.Empty, crd.Name);
        }
    }

    /// <summary>Deletes the instances of CRDs being deleted, then releases them; returns whether anything changed.</summary>
    public bool CleanUp()
    {
        var changed = false;
        var crds = _operations.ObjectStore.List(CrdType.StorageKey, null).Items;
        foreach (var crd in crds.Where(c => c.Metadata["deletionTimestamp"] is not null))
        {
            var group = Json.String(crd.Object, "spec", "group") ?? string.Empty;
            var plural = Json.String(crd.Object, "spec", "names", "plural") ?? string.Empty;
            var type = _operations.Catalog.FindAnyVersion(group, plural);
            var bucket = plural + "." + group;
            var instances = _operations.ObjectStore.List(bucket, null).Items;
            foreach (var instance in instances.Where(i => i.Metadata["deletionTimestamp"] is null))
            {
                if (type is not null)
                {
                    TryDelete(type, instance);
                    changed = true;
                }
            }

            if (instances.Count > 0 || !Json.Strings(crd.Metadata["finalizers"]).Contains(CleanupFinalizer))
            {
                continue;
            }

            var next = crd.Clone();
            var finalizers = Json.Strings(Json.At(next, "metadata", "finalizers"));
            finalizers.Remove(CleanupFinalizer);
            Json.Metadata(next)["finalizers"] = Json.ToArray(finalizers);
            if (_operations.ReplaceInternal(CrdType, crd, next) is not null)
            {
                changed = true;
            }
        }

        // Kinds whose CRD is gone stop being served.
        foreach (var orphan in _operations.Catalog.All.Where(t => t.IsCustom).Select(t => (t.Group, t.Plural)).Distinct().ToList())
        {
            if (_operations.ObjectStore.Get(CrdType.StorageKey, string.Empty, $"{orphan.Plural}.{orphan.Group}") is null)
            {
                _operations.Catalog.Replace(orphan.Group, orphan.Plural, []);
                changed = true;
            }
        }

        return changed;
    }

    private void TryDelete(ResourceType type, StoredObject instance)
    {
        try
        {
            _operations.Delete(type, instance.Namespace, instance.Name, new DeleteRequest());
        }
        catch (ApiException e) when (e.Code is 404 or 409)
        {
            // Already gone or changing; the next pass looks again.
        }
    }

    private void Serve(JsonObject crd)
    {
        var spec = crd["spec"] as JsonObject ?? [];
        var group = Json.String(spec, "group") ?? string.Empty;
        var names = spec["names"] as JsonObject ?? [];
        var plural = Json.String(names, "plural") ?? string.Empty;
        var kind = Json.String(names, "kind") ?? string.Empty;
        var terminating = Json.At(crd, "metadata", "deletionTimestamp") is not null;
        var types = new List<ResourceType>();
        foreach (var version in (spec["versions"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (Json.At(version, "served")?.GetValue<bool>() != true)
            {
                continue;
            }

            var scale = Json.At(version, "subresources", "scale") as JsonObject;
            var schema = Json.At(version, "schema", "openAPIV3Schema") as JsonObject;
            types.Add(new ResourceType
            {
                Group = group,
                Version = Json.String(version, "name") ?? "v1",
                Plural = plural,
                Kind = kind,
                SingularName = Json.String(names, "singular") ?? kind.ToLowerInvariant(),
                ListKind = Json.String(names, "listKind") ?? kind + "List",
                Namespaced = Json.String(spec, "scope") != "Cluster",
                ShortNames = Json.Strings(names["shortNames"]),
                Categories = Json.Strings(names["categories"]),
                HasStatusSubresource = Json.At(version, "subresources", "status") is not null,
                HasGeneration = true,
                IsCustom = true,
                Schema = schema is null ? null : new CustomResourceSchema(schema),
                Scale = scale is null ? null : new ScaleSubresource(
                    Json.String(scale, "specReplicasPath") ?? ".spec.replicas",
                    Json.String(scale, "statusReplicasPath") ?? ".status.replicas",
                    Json.String(scale, "labelSelectorPath")),
                PrinterColumns = [.. (version["additionalPrinterColumns"] as JsonArray ?? []).OfType<JsonObject>().Select(c => new PrinterColumn(
                    Json.String(c, "name") ?? string.Empty,
                    Json.String(c, "type") ?? "string",
                    Json.String(c, "format"),
                    Json.String(c, "description") ?? $"Custom resource definition column (in JSONPath format): {Json.String(c, "jsonPath")}",
                    (int)(Json.Integer(c, "priority") ?? 0),
                    Json.String(c, "jsonPath") ?? string.Empty))],
                Terminating = terminating,
            });
        }

        _operations.Catalog.Replace(group, plural, types);
    }
}
