using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Drover.Api;
using Drover.Api.V1Alpha1;
using Drover.Api.Validation;
using Drover.Operator.Children;
using Drover.Operator.Resolution;
using k8s;
using k8s.Models;
using YamlDotNet.Core;

namespace Drover.Operator.Rendering;

/// <summary>
/// Loads manifests (files, or directories searched for *.yaml, *.yml and *.json) into an <see cref="InMemoryCluster"/>:
/// Drover kinds, plus the Secrets, ConfigMaps, Services and Namespaces they refer to. Other kinds (a
/// Kustomization, a Deployment) are skipped, as they play no part in what the operator would create. Drover kinds are
/// read as strictly as the API server reads them: an unknown or duplicate field is an error, and so is a spec the
/// operator would reject as invalid.
/// </summary>
internal static class ManifestLoader
{
    /// <param name="paths">Files or directories.</param>
    /// <param name="defaultNamespace">Namespace of objects that name none, as kubectl's current namespace would.</param>
    /// <param name="cluster">Receives every object read.</param>
    /// <returns>Problems with the input, each naming the file (and document), the object and the field at fault; empty when all was read.</returns>
    public static IReadOnlyList<string> Load(IEnumerable<string> paths, string defaultNamespace, InMemoryCluster cluster)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(cluster);
        var problems = new List<string>();
        foreach (var file in ExpandFiles(paths, problems))
        {
            IReadOnlyList<JsonNode> documents;
            try
            {
                using var reader = new StreamReader(file);
                documents = YamlReader.ReadDocuments(reader);
            }
            catch (Exception e) when (e is YamlException or IOException or UnauthorizedAccessException)
            {
                problems.Add($"{file}: {e.Message}");
                continue;
            }

            for (var i = 0; i < documents.Count; i++)
            {
                foreach (var item in Items(documents[i]))
                {
                    var itemProblems = Read(item, defaultNamespace, out var read);
                    if (read is not null && itemProblems.Count == 0)
                    {
                        itemProblems = Validate(read);
                    }

                    var at = $"{file} (document {i + 1}): {Identity(item, defaultNamespace)}";
                    problems.AddRange(itemProblems.Select(p => $"{at}: {p}"));
                    if (read is not null && itemProblems.Count == 0)
                    {
                        cluster.Add(read);
                    }
                }
            }
        }

        return problems;
    }

    /// <summary>Reads one object into <paramref name="cluster"/>; returns a problem, or null when it was read or skipped.</summary>
    /// <remarks>Unknown fields count; the operator's semantic validation does not (tests build invalid objects this way).</remarks>
    public static string? Add(JsonNode document, string defaultNamespace, InMemoryCluster cluster)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(cluster);
        var problems = Read(document, defaultNamespace, out var read);
        if (problems.Count > 0)
        {
            return string.Join("; ", problems);
        }

        if (read is not null)
        {
            cluster.Add(read);
        }

        return null;
    }

    /// <summary>
    /// Reads one object. Returns its problems (empty when it was read, or skipped as a kind render does not use); sets
    /// <paramref name="read"/> when the kind is one render uses and it could be read.
    /// </summary>
    private static IReadOnlyList<string> Read(JsonNode document, string defaultNamespace, out IKubernetesObject<V1ObjectMeta>? read)
    {
        read = null;
        if (document is not JsonObject obj)
        {
            return ["a manifest must be a mapping with apiVersion and kind."];
        }

        var apiVersion = (obj["apiVersion"] as JsonValue)?.ToString();
        var kind = (obj["kind"] as JsonValue)?.ToString();
        try
        {
            // Drover's kinds are checked field by field against their types, which the CRD schemas are generated from.
            var (type, unknown) = (apiVersion, kind) switch
            {
                (DroverApi.ApiVersion, Agent.KubeKind) => Strict(obj, DroverJsonContext.Default.Agent),
                (DroverApi.ApiVersion, ModelProvider.KubeKind) => Strict(obj, DroverJsonContext.Default.ModelProvider),
                (DroverApi.ApiVersion, Schedule.KubeKind) => Strict(obj, DroverJsonContext.Default.Schedule),
                ("v1", V1Secret.KubeKind) => (typeof(V1Secret), []),
                ("v1", V1ConfigMap.KubeKind) => (typeof(V1ConfigMap), []),
                ("v1", V1Service.KubeKind) => (typeof(V1Service), []),
                ("v1", V1Namespace.KubeKind) => (typeof(V1Namespace), []),
                _ => (null, Array.Empty<string>()),
            };
            if (type is null)
            {
                return [];
            }

            if (unknown.Count > 0)
            {
                return [.. unknown.Select(field => $"unknown field \"{field}\"")];
            }

            IKubernetesObject<V1ObjectMeta>? value = kind switch
            {
                Agent.KubeKind => obj.Deserialize(DroverJsonContext.Default.Agent),
                ModelProvider.KubeKind => obj.Deserialize(DroverJsonContext.Default.ModelProvider),
                Schedule.KubeKind => obj.Deserialize(DroverJsonContext.Default.Schedule),
                V1Secret.KubeKind => obj.Deserialize(ChildJsonContext.Default.V1Secret),
                V1ConfigMap.KubeKind => obj.Deserialize(ChildJsonContext.Default.V1ConfigMap),
                V1Service.KubeKind => obj.Deserialize(ChildJsonContext.Default.V1Service),
                _ => obj.Deserialize(ChildJsonContext.Default.V1Namespace),
            };
            if (value is null || string.IsNullOrEmpty(value.Metadata?.Name))
            {
                return ["metadata.name is required."];
            }

            if (value is not V1Namespace && string.IsNullOrEmpty(value.Metadata.NamespaceProperty))
            {
                value.Metadata.NamespaceProperty = defaultNamespace;
            }

            read = value;
            return [];
        }
        catch (JsonException e)
        {
            return [$"cannot be read: {e.Message}"];
        }
    }

    /// <summary>How a problem names the object: <c>Agent team-a/triage</c>, as far as the document says.</summary>
    private static string Identity(JsonNode document, string defaultNamespace)
    {
        if (document is not JsonObject)
        {
            return "not an object";
        }

        var kind = (document["kind"] as JsonValue)?.ToString() ?? "object without kind";
        var name = (document["metadata"]?["name"] as JsonValue)?.ToString() ?? "(no name)";
        return kind == V1Namespace.KubeKind ? $"{kind} {name}" : $"{kind} {(document["metadata"]?["namespace"] as JsonValue)?.ToString() ?? defaultNamespace}/{name}";
    }

    private static (Type, IReadOnlyList<string>) Strict(JsonObject obj, JsonTypeInfo type) => (type.Type, UnknownFields.Find(obj, type));

    /// <summary>What the operator's resolvers would reject as an invalid spec (InvalidSpec, InvalidSchedule), field by field.</summary>
    private static IReadOnlyList<string> Validate(IKubernetesObject<V1ObjectMeta> obj)
    {
        IReadOnlyList<ValidationError> errors = obj switch
        {
            Agent agent => AgentValidator.Validate(Defaults.Apply(agent)),
            ModelProvider provider => ModelProviderValidator.Validate(Defaults.Apply(provider)),
            Schedule schedule => ScheduleValidator.Validate(Defaults.Apply(schedule)),
            _ => [],
        };
        return [.. errors.Select(e => e.ToString())];
    }

    // kubectl accepts `kind: List` documents (what `kubectl get -o yaml` prints); their items are manifests too.
    private static IEnumerable<JsonNode> Items(JsonNode document) =>
        document is JsonObject { } obj && (obj["kind"] as JsonValue)?.ToString() == "List" && obj["items"] is JsonArray items
            ? items.OfType<JsonNode>()
            : [document];

    private static IEnumerable<string> ExpandFiles(IEnumerable<string> paths, List<string> problems)
    {
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                var files = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                    .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase)
                        || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase)
                        || f.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal);
                foreach (var file in files)
                {
                    yield return file;
                }
            }
            else if (File.Exists(path))
            {
                yield return path;
            }
            else
            {
                problems.Add($"{path}: no such file or directory.");
            }
        }
    }
}
